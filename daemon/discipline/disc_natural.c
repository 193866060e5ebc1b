/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A clock's natural frequency: what it is left at when nobody steers it
 * any more. At every exit (SIGTERM, SIGINT, a fatal error after start)
 * the clock gets the servo's estimate of the correction that holds its
 * offset constant, never a slew rate (a clock left at a 10 % slew runs
 * 6 minutes an hour off) nor a smear's feed-forward, and CLOCK_REALTIME
 * gets its tick back at 10000 us when the rest fits ADJ_FREQUENCY.
 *
 * The estimate is kept in a drift file per clock in state_dir (as
 * chronyd's driftfile: written atomically, every DRIFT_EVERY_NS and at
 * exit, only from measurements, never in a dry run). At start the kernel's
 * frequency is what a previous run left, unless that run was killed
 * (SIGKILL, the watchdog) mid-slew: then the kernel still holds a slew
 * rate, which must never be taken for the clock's natural frequency. So a
 * kernel frequency far from the drift file's means the drift file; with no
 * drift file, a frequency beyond what ADJ_FREQUENCY takes (500 ppm) or a
 * tick away from nominal is reported as suspect and not used.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"
#include "daemon/safefile.h"
#include "phc/sysclk.h"

#define DRIFT_EVERY_NS	(300 * NS_PER_S)	/* at most this often, and at exit */
#define DRIFT_FAR_PPB	5000.0	/* more than a crystal wanders between two runs */
#define SUSPECT_PPB	500000.0	/* beyond ADJ_FREQUENCY: a slew, not a drift */
#define DRIFT_MAGIC	"gnomon-drift 1"

/* state_dir/drift.NAME, NAME without its slashes (drift.dev_ptp1). */
static void drift_path(const struct discipline *d, char *buf, size_t len)
{
	const char *n = d->cc.name;
	size_t k;

	while (*n == '/')
		n++;
	k = (size_t)snprintf(buf, len, "%s/drift.", d->env.conf->state_dir);
	for (; *n && k + 1 < len; n++)
		buf[k++] = *n == '/' ? '_' : *n;
	buf[k < len ? k : len - 1] = '\0';
}

/* 0 and *ppb; -ENOENT (none); -EINVAL with "FILE:LINE: why" in err. */
static int drift_read(const char *path, double *ppb, char *err, size_t errlen)
{
	char line[128], why[128], *end;
	int fd = safefile_open_read(path, false, why, sizeof(why));
	int n = 1, r = -EINVAL;
	FILE *f;

	if (fd == -EINVAL)
		snprintf(err, errlen, "%s: %s", path, why);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	if (!fgets(line, sizeof(line), f) || (line[strcspn(line, "\n")] = '\0', 0) ||
	    strcmp(line, DRIFT_MAGIC)) {
		snprintf(err, errlen, "%s:1: not a drift file (no '" DRIFT_MAGIC "')", path);
		goto out;
	}
	snprintf(err, errlen, "%s: no natural_ppb line", path);
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "natural_ppb ", 12))
			continue;
		*ppb = strtod(line + 12, &end);
		if (end == line + 12 || *end || !(fabs(*ppb) <= SUSPECT_PPB))
			snprintf(err, errlen, "%s:%d: natural_ppb '%s' is not a frequency "
				 "within +-500000 ppb", path, n, line + 12);
		else
			r = 0;
		break;
	}
out:
	fclose(f);
	return r;
}

static void drift_write(struct discipline *d, double ppb, int64_t now)
{
	char path[CONF_PATH_MAX + CONF_NAME_MAX + 16], text[96], why[256];
	int n, r;

	if (disc_dry(d))
		return;
	drift_path(d, path, sizeof(path));
	n = snprintf(text, sizeof(text), DRIFT_MAGIC "\nnatural_ppb %.3f\n", ppb);
	/* atomic (tmp + rename), never through what someone planted */
	r = safefile_replace(path, text, (size_t)n, 0644, SAFEFILE_SELF, why, sizeof(why));
	if (r < 0 && d->drift_error != r)
		pr_err("%s: cannot write the drift file %s: %s", d->cc.name, path,
		       why[0] ? why : strerror(-r));
	d->drift_error = r;
	d->drift_written_ns = now;
}

void disc_natural_tick(struct discipline *d, int64_t now)
{
	double ppb;
	bool measured = servo_natural_freq(d->servo, &ppb);

	recovery_set_natural(d->rec, ppb);	/* the recovery limit counts it */
	if (now - d->drift_written_ns < DRIFT_EVERY_NS && d->drift_written_ns)
		return;
	if (measured)
		drift_write(d, ppb, now);
}

/* Is the kernel's frequency at start a slew left behind? */
static bool suspect(const struct discipline *d, double kernel_ppb, long *tick_us)
{
	long freq_scaled;

	*tick_us = SYSCLK_NOMINAL_TICK_US;
	if (clock_kind(d->clk) == CLOCK_KIND_SYSTEM)
		sysclk_read_raw(d->clk, tick_us, &freq_scaled);
	return fabs(kernel_ppb) > SUSPECT_PPB || *tick_us != SYSCLK_NOMINAL_TICK_US;
}

double disc_natural_start(struct discipline *d, double kernel_ppb)
{
	char path[CONF_PATH_MAX + CONF_NAME_MAX + 16], err[sizeof(path) + 256];
	double drift = 0;
	long tick;
	int r;

	drift_path(d, path, sizeof(path));
	r = drift_read(path, &drift, err, sizeof(err));
	if (r == -EINVAL)
		pr_warn("%s: %s; ignoring it", d->cc.name, err);
	else if (r < 0 && r != -ENOENT)
		pr_warn("%s: cannot read the drift file %s: %s", d->cc.name, path, strerror(-r));
	d->start_natural_ppb = kernel_ppb;
	d->start_natural_from = "as found at start";
	if (r == 0 && fabs(kernel_ppb - drift) > DRIFT_FAR_PPB) {
		pr_notice("%s: the kernel's frequency %+.3f ppm is far from the drift file's "
			  "%+.3f ppm (a previous run stopped mid-slew?): starting from the "
			  "drift file %s", d->cc.name, kernel_ppb / 1e3, drift / 1e3, path);
		d->start_natural_ppb = drift;
		d->start_natural_from = "from the drift file";
	} else if (r != 0 && suspect(d, kernel_ppb, &tick)) {
		pr_warn("%s: the kernel's frequency %+.3f ppm (tick %ld us) at start is "
			"suspect, a slew left behind rather than the clock's natural "
			"frequency, and there is no drift file: starting from 0 ppm",
			d->cc.name, kernel_ppb / 1e3, tick);
		d->start_natural_ppb = 0;
		d->start_natural_from = "unknown: the kernel's was suspect at start";
	}
	return d->start_natural_ppb;
}

/* Best natural-frequency estimate, ppb, and where it comes from. */
static const char *natural_estimate(const struct discipline *d, double *ppb)
{
	if (servo_natural_freq(d->servo, ppb))
		return "measured";
	*ppb = d->start_natural_ppb;
	return d->start_natural_from;
}

static int park(struct discipline *d, double ppb, long *tick_us, double *rest_ppb)
{
	*tick_us = 0;
	*rest_ppb = ppb;
	if (clock_kind(d->clk) == CLOCK_KIND_SYSTEM)
		return sysclk_park(d->clk, ppb, tick_us, rest_ppb);
	return clock_adj_freq(d->clk, ppb);
}

void disc_natural_leave(struct discipline *d)
{
	double ppb, rest;
	const char *from = natural_estimate(d, &ppb);
	char tick[48] = "";
	long tick_us;
	int r;

	if (disc_dry(d)) {
		/* the servo's outputs never reached the clock: its estimate
		 * means nothing, and the clock is where it was */
		pr_info("%s: dry run: the clock was never adjusted, nothing to leave "
			"(%" PRIu64 " updates)", d->cc.name, d->updates);
		disc_audit(d, AUDIT_STOP, AKV_STR("reason", "exit"), AKV_INT("dry_run", 1));
		return;
	}
	ppb = fmax(-clock_max_adj_ppb(d->clk), fmin(clock_max_adj_ppb(d->clk), ppb));
	r = park(d, ppb, &tick_us, &rest);
	if (r < 0) {
		pr_err("%s: cannot leave the clock at its natural frequency %+.3f ppm: %s "
		       "(it keeps %+.3f ppm)", d->cc.name, ppb / 1e3, strerror(-r),
		       d->freq_ppb / 1e3);
		return;
	}
	if (tick_us)
		snprintf(tick, sizeof(tick), "; tick %ld us, ADJ_FREQUENCY %+.3f ppm",
			 tick_us, rest / 1e3);
	pr_info("%s: leaving the clock at its natural frequency %+.3f ppm (%s%s; it was at "
		"%+.3f ppm) after %" PRIu64 " updates, %" PRIu64 " steps", d->cc.name,
		ppb / 1e3, from, tick,
		d->freq_ppb / 1e3, d->updates, d->steps);
	disc_audit(d, AUDIT_STOP, AKV_STR("reason", "exit"), AKV_NUM("freq_ppb", ppb, 3),
		   AKV_STR("natural", from), AKV_NUM("was_ppb", d->freq_ppb, 3));
	d->freq_ppb = ppb;
	if (!strcmp(from, "measured"))
		drift_write(d, ppb, 0);
}
