// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus text exposition builder and textfile writer.
 *
 * The governing text is the Prometheus "Exposition formats" page (text
 * format 0.0.4): lines end in "\n", the last one too; "# HELP name text"
 * with backslash and newline escaped as \\ and \n; "# TYPE name type", at
 * most once per name and before its first sample; a sample is
 * name{label="value",...} value, label values escaped for backslash,
 * double quote and newline; values as Go's ParseFloat reads them, with
 * "NaN", "+Inf", "-Inf". All lines of one family must be together: a
 * family's samples are therefore kept in a buffer of their own and the
 * text is assembled family by family at the end.
 *
 * The checks for a repeated label set scan the family's lines: quadratic,
 * fine for the tens of samples per family gnomon has.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/metrics/metrics.h"
#include "daemon/safefile.h"
#include "util/util.h"

/* Room for any value: "%.17g" of a double is at most 24 characters. */
#define VALUE_MAX	32

struct buf {
	char *p;
	size_t len, cap;
};

struct family {
	char *name;
	char *help;
	bool counter;
	struct buf samples;	/* complete sample lines, each ending in \n */
};

struct metrics {
	struct family *fam;
	size_t n_fam, cap_fam;	/* slots past n_fam keep their sample buffers */
	struct buf line;	/* one sample being built */
	struct buf out;		/* the last metrics_text() */
};

/* ---- buffers ---------------------------------------------------------- */

static int buf_reserve(struct buf *b, size_t more)
{
	if (more > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	/* always room for a NUL */
	return util_grow((void **)&b->p, &b->cap, b->len + more + 1, 1);
}

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -ENOMEM;
	if (n)	/* s may be NULL for an empty family: memcpy(NULL, 0) is UB */
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* Append s with the characters in `special` escaped: newline as \n, any
 * other (backslash, double quote) as backslash + itself. */
static int buf_escaped(struct buf *b, const char *s, const char *special)
{
	for (; *s; s++) {
		size_t run = strcspn(s, special);

		if (buf_add(b, s, run) < 0)
			return -ENOMEM;
		s += run;
		if (!*s)
			break;
		if (buf_add(b, *s == '\n' ? "\\n" : (char[]){ '\\', *s }, 2) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- validation ------------------------------------------------------- */

/* [a-zA-Z_][a-zA-Z0-9_]*: the metric-name set minus ':' (recording rules
 * only), and exactly the label-name set. */
static bool valid_name(const char *s)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	static const char rest[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";

	if (!s || !*s || !strchr(first, *s))
		return false;
	return strspn(s, rest) == strlen(s);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, at most
 * U+10FFFF. The format is UTF-8 and Prometheus rejects anything else. */
static bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned int c = *s++, min;
		int more;

		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2, min = 0x800, c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		while (more--) {
			if ((*s & 0xc0) != 0x80)
				return false;	/* also stops at the NUL */
			c = c << 6 | (*s++ & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
	}
	return true;
}

/* ---- builder ---------------------------------------------------------- */

struct metrics *metrics_create(void)
{
	return calloc(1, sizeof(struct metrics));
}

void metrics_reset(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_fam; i++) {
		free(m->fam[i].name);
		free(m->fam[i].help);
		m->fam[i].name = m->fam[i].help = NULL;
		m->fam[i].samples.len = 0;
	}
	m->n_fam = 0;
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	metrics_reset(m);
	for (size_t i = 0; i < m->cap_fam; i++)
		free(m->fam[i].samples.p);
	free(m->fam);
	free(m->line.p);
	free(m->out.p);
	free(m);
}

static struct family *find_family(const struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n_fam; i++)
		if (!strcmp(m->fam[i].name, name))
			return &m->fam[i];
	return NULL;
}

/* A free family slot (grown, zeroed), or NULL. */
static struct family *new_family(struct metrics *m)
{
	size_t old = m->cap_fam;

	if (util_grow((void **)&m->fam, &m->cap_fam, m->n_fam + 1, sizeof(*m->fam)))
		return NULL;
	memset(m->fam + old, 0, (m->cap_fam - old) * sizeof(*m->fam));
	return &m->fam[m->n_fam];
}

int metrics_family(struct metrics *m, const char *name, const char *type,
		   const char *help)
{
	struct family *f;
	bool counter;

	if (!m || !valid_name(name) || !type || !help || !*help || !utf8_valid(help))
		return -EINVAL;
	if (!strcmp(type, "counter"))
		counter = true;
	else if (!strcmp(type, "gauge"))
		counter = false;
	else
		return -EINVAL;
	/* Naming practice: an accumulating count ends in _total, and only
	 * that does. */
	if (counter != ends_with(name, "_total"))
		return -EINVAL;
	f = find_family(m, name);
	if (f)
		return f->counter == counter ? 0 : -EEXIST;
	f = new_family(m);
	if (!f)
		return -ENOMEM;
	f->name = strdup(name);
	f->help = strdup(help);
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		f->name = f->help = NULL;
		return -ENOMEM;
	}
	f->counter = counter;
	f->samples.len = 0;
	m->n_fam++;
	return 0;
}

/* The shortest "%.Ng" that reads back as the same double. */
static void format_value(double v, char out[VALUE_MAX])
{
	if (isnan(v)) {
		strcpy(out, "NaN");
		return;
	}
	if (isinf(v)) {
		strcpy(out, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, VALUE_MAX, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
}

static int check_labels(const char *const kv[])
{
	for (size_t i = 0; kv && kv[i]; i += 2) {
		if (!valid_name(kv[i]) || !strncmp(kv[i], "__", 2) || !kv[i + 1] ||
		    !utf8_valid(kv[i + 1]))
			return -EINVAL;
		for (size_t j = 0; j < i; j += 2)
			if (!strcmp(kv[i], kv[j]))
				return -EINVAL;
	}
	return 0;
}

/* m->line = name{k="v",...} (the series, without the value). */
static int build_series(struct metrics *m, const char *name, const char *const kv[])
{
	struct buf *b = &m->line;
	int r;

	b->len = 0;
	r = buf_str(b, name);
	for (size_t i = 0; !r && kv && kv[i]; i += 2) {
		r = buf_str(b, i ? "," : "{");
		r = r ? r : buf_str(b, kv[i]);
		r = r ? r : buf_str(b, "=\"");
		r = r ? r : buf_escaped(b, kv[i + 1], "\\\"\n");
		r = r ? r : buf_str(b, "\"");
	}
	if (!r && kv && kv[0])
		r = buf_str(b, "}");
	return r;
}

/* Does the family already have a line for series s (length n)? */
static bool has_series(const struct family *f, const char *s, size_t n)
{
	const char *p = f->samples.p, *end = p + f->samples.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(nl - p) > n && p[n] == ' ' && !memcmp(p, s, n))
			return true;
		p = nl + 1;
	}
	return false;
}

int metrics_sample(struct metrics *m, const char *name, const char *const labels_kv[],
		   double value)
{
	char val[VALUE_MAX];
	struct family *f;
	size_t n;
	int r;

	if (!m || !name)
		return -EINVAL;
	f = find_family(m, name);
	if (!f)
		return -ENOENT;
	if (f->counter && !(value >= 0))
		return -ERANGE;
	r = check_labels(labels_kv);
	if (r < 0)
		return r;
	r = build_series(m, name, labels_kv);
	if (r < 0)
		return r;
	if (has_series(f, m->line.p, m->line.len))
		return -EEXIST;
	format_value(value, val);
	n = strlen(val);
	if (buf_reserve(&f->samples, m->line.len + n + 2) < 0)
		return -ENOMEM;
	buf_add(&f->samples, m->line.p, m->line.len);
	buf_add(&f->samples, " ", 1);
	buf_add(&f->samples, val, n);
	buf_add(&f->samples, "\n", 1);
	return 0;
}

static int render_family(struct buf *b, const struct family *f)
{
	int r = buf_str(b, "# HELP ");

	r = r ? r : buf_str(b, f->name);
	r = r ? r : buf_str(b, " ");
	r = r ? r : buf_escaped(b, f->help, "\\\n");
	r = r ? r : buf_str(b, "\n# TYPE ");
	r = r ? r : buf_str(b, f->name);
	r = r ? r : buf_str(b, f->counter ? " counter\n" : " gauge\n");
	r = r ? r : buf_add(b, f->samples.p, f->samples.len);
	return r;
}

const char *metrics_text(struct metrics *m, size_t *len)
{
	if (len)
		*len = 0;
	if (!m)
		return NULL;
	m->out.len = 0;
	if (buf_reserve(&m->out, 0) < 0)
		return NULL;
	m->out.p[0] = '\0';
	for (size_t i = 0; i < m->n_fam; i++)
		if (render_family(&m->out, &m->fam[i]) < 0)
			return NULL;
	if (len)
		*len = m->out.len;
	return m->out.p;
}

/* ---- textfile --------------------------------------------------------- */

/* The one writer of files gnomond owns: daemon/safefile.c. */
int metrics_write_textfile(const char *path, const char *text, size_t len)
{
	return safefile_replace(path, text, len, 0644, SAFEFILE_SELF, NULL, 0);
}

/* ---- gnomon's catalogue ----------------------------------------------- */

#define CS	"clock,source"

static const struct metrics_def gnomon_defs[] = {
	{ METRIC_CLOCK_INFO, "gauge", CS ",kind,servo",
	  "Disciplined clock: always 1; kind is system or phc, servo the servo type." },
	{ METRIC_CLOCK_OFFSET, "gauge", CS,
	  "Last measured offset, clock minus reference, in seconds (positive: clock ahead)." },
	{ METRIC_CLOCK_FREQ, "gauge", CS,
	  "Frequency adjustment applied, as a ratio (1e-9 = 1 ppb; positive: clock runs faster), "
	  "tick included." },
	{ METRIC_CLOCK_TICK, "gauge", CS,
	  "Kernel tick length of CLOCK_REALTIME in seconds (nominal 0.01 at USER_HZ 100)." },
	{ METRIC_CLOCK_STATE, "gauge", CS ",state",
	  "Clock state: 1 for the current state (FREERUN, LOCKED, HOLDOVER), 0 for the others." },
	{ METRIC_CLOCK_SAMPLE_AGE, "gauge", CS,
	  "Seconds since the last good sample (CLOCK_MONOTONIC); +Inf before the first." },
	{ METRIC_CLOCK_UPDATES, "counter", CS,
	  "Good samples fed to the servo." },
	{ METRIC_CLOCK_STEPS, "counter", CS,
	  "Steps applied to the clock." },
	{ METRIC_CLOCK_FAULTS, "counter", CS,
	  "Outages: a run of failed updates begun (the clock into HOLDOVER or a fault)." },
	{ METRIC_CLOCK_UPDATE_FAILURES, "counter", CS,
	  "Failed updates: each failed read, measurement or adjustment." },
	{ METRIC_CLOCK_RMS_OFFSET, "gauge", CS,
	  "RMS of the last 16 measured offsets, seconds; NaN before the first." },
	{ METRIC_CLOCK_ERROR_BOUND, "gauge", CS,
	  "Bound on |offset| at the last LOCKED update (|offset| + 2 RMS + delay/2 + "
	  "reference_max_error + the chain's offset), seconds; NaN when not LOCKED." },
	{ METRIC_CLOCK_KERNEL_SYNCED, "gauge", CS,
	  "CLOCK_REALTIME: 1 while gnomond has cleared STA_UNSYNC, else 0." },
	{ METRIC_CLOCK_KERNEL_MAXERROR, "gauge", CS,
	  "CLOCK_REALTIME: the maxerror gnomond last told the kernel, seconds; NaN unsynced." },
	{ METRIC_CLOCK_KERNEL_ESTERROR, "gauge", CS,
	  "CLOCK_REALTIME: the esterror gnomond last told the kernel, seconds; NaN unsynced." },
	{ METRIC_TAI_OFFSET, "gauge", CS,
	  "TAI - UTC in use, seconds: the kernel's (ADJ_TAI) as gnomond set it, else the "
	  "grandmaster's; NaN if unknown." },
	{ METRIC_CLOCK_SLOW_READS, "counter", CS,
	  "Source reads that took longer than slow_read_threshold (CLOCK_MONOTONIC_RAW)." },
	{ METRIC_CLOCK_FOREIGN_STEPS, "counter", CS,
	  "Steps of the clock made by someone else (another process, a second time daemon)." },
	{ METRIC_CLOCK_FOREIGN_FREQS, "counter", CS,
	  "Frequency changes of the clock made by someone else." },
	{ METRIC_CLOCK_FOREIGN_ALARM, "gauge", CS,
	  "1 while someone else keeps changing the clock's frequency (3 in 10 min), else 0." },
	{ METRIC_CLOCK_REF_JUMPS, "counter", CS,
	  "Reference jumps beyond reference_jump_guard whose samples were refused." },
	{ METRIC_CLOCK_REOPENS, "counter", CS,
	  "PHCs of this clock opened again after their descriptor died (unplug, NIC reset)." },
	{ METRIC_CLOCK_SLEWING, "gauge", CS,
	  "1 while the slew planner removes a large offset at the cap, else 0." },
	{ METRIC_CLOCK_SLEW_LEFT, "gauge", CS,
	  "Estimated seconds left in the current slew; 0 when not slewing." },
	{ METRIC_RECOVERY_EVENTS, "counter", CS ",event",
	  "Recovery events (start, leap, step, source_change, failover, fault_cleared) seen." },
	{ METRIC_RECOVERY_LAST, "gauge", CS ",event",
	  "Recovery time of the last completed event of this kind, seconds; NaN if it did not recover." },
	{ METRIC_RECOVERY_LAST_LIMIT, "gauge", CS ",event",
	  "Physical limit |offset at event| / slew cap of that same event, seconds." },
	{ METRIC_PTP_PORT_STATE, "gauge", CS ",state",
	  "State of the ptp4l port the clock's reference belongs to: 1 for the current one "
	  "(INITIALIZING .. SLAVE), 0 for the others." },
	{ METRIC_PTP_MASTER_OFFSET, "gauge", CS,
	  "ptp4l's master offset (its PHC minus the grandmaster), seconds; NaN before the first." },
	{ METRIC_PTP_GM_PRESENT, "gauge", CS,
	  "1 while ptp4l has a grandmaster (TIME_STATUS_NP gmPresent), else 0." },
	{ METRIC_PTP_UTC_OFFSET, "gauge", CS,
	  "The grandmaster's currentUtcOffset (TAI - UTC), seconds; NaN unless it says it is valid." },
	{ METRIC_LEAP_PENDING, "gauge", CS ",from",
	  "Leap second pending as each says it (ptp, file: ptp4l sources; in_use: every clock): "
	  "+1 insertion, -1 deletion, 0 none." },
	{ METRIC_LEAP_EXPIRY, "gauge", "",
	  "Expiry of the leap-seconds file (its #@ line), Unix time in seconds." },
	{ METRIC_LEAP_STATUS, "gauge", "status",
	  "Leap-seconds file status: 1 for the current one (none, ok, expires-soon, expired)." },
	{ METRIC_LOOP_ITERATIONS, "counter", "",
	  "Iterations of the event loop (the watchdog's progress counter)." },
	{ METRIC_RECORDS_LOST, "counter", "file",
	  "Lines of a state file (history, audit) whose write failed (a full disk); they are "
	  "kept in memory and written later." },
	{ METRIC_RECORDS_PENDING, "gauge", "file",
	  "Lines of a state file waiting in memory to be written." },
	{ METRIC_RECORDS_DROPPED, "counter", "file",
	  "Lines of a state file given up: the memory for waiting lines was full." },
	{ METRIC_BUILD_INFO, "gauge", "version",
	  "Build information: always 1." },
	{ METRIC_START_TIME, "gauge", "",
	  "Start time of the process since the Unix epoch in seconds." },
	{ METRIC_HEALTH, "gauge", "check",
	  "Clock-health check (cpu, timer, realtime_timer, clocksource): 1 ok, 0 in alarm." },
	{ METRIC_HEALTH_ALARMS, "counter", "check",
	  "Alarms raised by a clock-health check." },
	{ METRIC_CPU_SKEW, "gauge", "cpu",
	  "Offset of the CPU's clocks against the other CPUs' median at the last probe." },
	{ METRIC_CPU_CHECK_DURATION, "gauge", "",
	  "Duration of the last cross-CPU probe in seconds." },
	{ METRIC_CLOCKSOURCE, "gauge", "name",
	  "The kernel's clocksources: 1 for the current one, 0 for the others available." },
	{ METRIC_CLOCKSOURCE_CHANGES, "counter", "",
	  "Changes of the kernel's clocksource seen while running." },
	{ METRIC_TIMER_MAX_LATE, "gauge", "",
	  "Latest the health timer has fired since start, seconds." },
	{ METRIC_BOND_FAILOVERS, "counter", "bond",
	  "Failovers of the bond (its active member changed) since gnomond started." },
	{ METRIC_BOND_ACTIVE, "gauge", "bond,member",
	  "1 for the bond's active member, 0 for the others." },
};

const struct metrics_def *metrics_gnomon_defs(size_t *n)
{
	if (n)
		*n = sizeof(gnomon_defs) / sizeof(gnomon_defs[0]);
	return gnomon_defs;
}

int metrics_declare_gnomon(struct metrics *m)
{
	size_t n;
	const struct metrics_def *d = metrics_gnomon_defs(&n);

	for (size_t i = 0; i < n; i++) {
		int r = metrics_family(m, d[i].name, d[i].type, d[i].help);

		if (r < 0)
			return r;
	}
	return 0;
}
