// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario file parser. Line oriented: "keyword value...", '#' starts a
 * comment. Global keys may appear anywhere; "system" and "phc ptpN" open a
 * clock block that the following clock keys apply to. Every error names
 * FILE:LINE and stops the parse: a mistyped scenario must not silently run
 * a different world.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/scenario.h"
#include "tests/sim/scenario_int.h"

#define MAX_TOKENS 8

struct unit {
	const char *suffix;
	double mult;
};

static const struct unit time_units[] = {
	{ "ns", 1.0 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 },
	{ NULL, 0 },
};

static const struct unit freq_units[] = {	/* base unit: ppb */
	{ "ppb", 1.0 }, { "ppm", 1e3 }, { "%", 1e7 }, { NULL, 0 },
};


int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	where_vfail(p->err, p->errlen, p->name, p->line, -EINVAL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A number with an optional unit suffix; no suffix means def_mult. */
static int parse_qty(const char *s, const struct unit *units, double def_mult,
		     double *out)
{
	char *end;
	double v;
	int i;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return -EINVAL;
	if (*end == '\0') {
		*out = v * def_mult;
		return 0;
	}
	for (i = 0; units[i].suffix; i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			*out = v * units[i].mult;
			return 0;
		}
	}
	return -EINVAL;
}

int get_time(struct parser *p, const char *key, const char *s,
		    double def_mult, double *ns)
{
	if (parse_qty(s, time_units, def_mult, ns))
		return fail(p, "%s: bad time '%s' (a number, optional unit ns us ms s m h d)",
			    key, s);
	return 0;
}

int get_time_i64(struct parser *p, const char *key, const char *s,
			double def_mult, int64_t *ns)
{
	double v;

	if (get_time(p, key, s, def_mult, &v))
		return -EINVAL;
	if (fabs(v) > 9e18)
		return fail(p, "%s: '%s' out of range", key, s);
	*ns = llround(v);
	return 0;
}

int get_freq(struct parser *p, const char *key, const char *s,
		    double def_mult, double *ppb)
{
	if (parse_qty(s, freq_units, def_mult, ppb))
		return fail(p, "%s: bad frequency '%s' (a number, optional unit ppb ppm %%)",
			    key, s);
	return 0;
}

int get_num(struct parser *p, const char *key, const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(*v))
		return fail(p, "%s: bad number '%s'", key, s);
	return 0;
}

int get_long(struct parser *p, const char *key, const char *s, long lo,
		    long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (end == s || *end || errno || *v < lo || *v > hi)
		return fail(p, "%s: '%s' is not an integer in %ld..%ld", key, s, lo, hi);
	return 0;
}

int get_bool(struct parser *p, const char *key, const char *s, bool *v)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on")) {
		*v = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "off")) {
		*v = false;
		return 0;
	}
	return fail(p, "%s: '%s' is not yes or no", key, s);
}

/* ---- lookups ---- */

int sc_phc_number(const char *name)
{
	const char *s = name;
	char *end;
	long n;

	if (!strncmp(s, "/dev/", 5))
		s += 5;
	if (strncmp(s, "ptp", 3) || s[3] < '0' || s[3] > '9')
		return -1;
	n = strtol(s + 3, &end, 10);
	if (*end || n < 0 || n > 1023)
		return -1;
	return (int)n;
}

int scenario_phc(const struct scenario *sc, int phc_index)
{
	int i;

	for (i = 1; i < sc->nclocks; i++)
		if (sc->clocks[i].phc_index == phc_index)
			return i;
	return -1;
}

int scenario_clock(const struct scenario *sc, const char *name)
{
	int n;

	if (!strcmp(name, "system") || !strcmp(name, "CLOCK_REALTIME"))
		return SC_SYS;
	n = sc_phc_number(name);
	return n < 0 ? -1 : scenario_phc(sc, n);
}

int scenario_iface(const struct scenario *sc, const char *name)
{
	int i;

	for (i = 0; i < sc->nifaces; i++)
		if (!strcmp(sc->ifaces[i].name, name))
			return i;
	return -1;
}

int64_t scenario_stats_from(const struct scenario *sc)
{
	return sc->stats_from_ns >= 0 ? sc->stats_from_ns : sc->duration_ns / 2;
}

const char *sc_event_kind_name(enum sc_event_kind k)
{
	switch (k) {
	case SC_EV_LEAP_INS: return "leap_insert";
	case SC_EV_LEAP_DEL: return "leap_delete";
	case SC_EV_FREQ_JUMP: return "freq_jump";
	case SC_EV_TIME_JUMP: return "time_jump";
	case SC_EV_STEP: return "step";
	case SC_EV_FAULT_EIO: return "fault_eio";
	case SC_EV_FAULT_HANG: return "fault_hang";
	case SC_EV_FAULT_END: return "fault_end";
	case SC_EV_FAULT_ENODEV: return "fault_enodev";
	case SC_EV_FAULT_EBUSY: return "fault_ebusy";
	case SC_EV_UNPLUG: return "fault_unplug";
	case SC_EV_FREQ_RESET: return "freq_reset";
	case SC_EV_FOREIGN_FREQ: return "foreign_freq";
	case SC_EV_FOREIGN_TICK: return "foreign_tick";
	case SC_EV_HOST_FREQ: return "freq_jump";
	case SC_EV_HOST_STEP: return "time_jump";
	case SC_EV_ROUTE: return "route";
	case SC_EV_OUTAGE: return "outage";
	case SC_EV_OUTAGE_END: return "outage_end";
	case SC_EV_UNREACH: return "unreachable";
	case SC_EV_UNREACH_END: return "unreachable_end";
	case SC_EV_KOD: return "kod";
	case SC_EV_KOD_END: return "kod_end";
	case SC_EV_CPU_OFFSET: return "cpu_offset";
	case SC_EV_CLOCKSOURCE: return "clocksource";
	case SC_EV_TIMER_EARLY: return "timer_early";
	case SC_EV_ANNOUNCE: return "announce";
	case SC_EV_FAILOVER: return "failover";
	case SC_EV_CARRIER: return "carrier";
	case SC_EV_RELEASE: return "release";
	case SC_EV_ENSLAVE: return "enslave";
	case SC_EV_PHC_RESET: return "phc_reset";
	case SC_EV_NL_OVERRUN: return "netlink_overrun";
	}
	return "?";
}

/* ---- clocks ---- */

static void clock_defaults(struct sc_clock *c, int phc_index)
{
	memset(c, 0, sizeof(*c));
	c->phc_index = phc_index;
	if (phc_index < 0) {
		snprintf(c->name, sizeof(c->name), "CLOCK_REALTIME");
		c->timescale = SC_TS_UTC;
		c->read_delay_ns = 20;
		c->tick_us = 10000;
	} else {
		snprintf(c->name, sizeof(c->name), "ptp%d", phc_index);
		c->timescale = SC_TS_TAI;
		c->read_delay_ns = 500;
		c->read_jitter_ns = 0;
		c->read_asym = 0.5;
		c->max_adj_ppb = 100000000;
		c->extended = true;
	}
}

static int open_phc(struct parser *p, int ntok, char **tok)
{
	struct scenario *sc = p->sc;
	int n;

	if (ntok != 2 || (n = sc_phc_number(tok[1])) < 0)
		return fail(p, "phc: expected 'phc ptpN'");
	if (scenario_phc(sc, n) >= 0)
		return fail(p, "phc: ptp%d declared twice", n);
	if (sc->nclocks >= SC_MAX_CLOCKS)
		return fail(p, "phc: more than %d PHCs", SC_MAX_PHC);
	p->cur = sc->nclocks++;
	clock_defaults(&sc->clocks[p->cur], n);
	sc->clocks[p->cur].line = p->line;
	return 0;
}

static int clock_key_phc_only(struct parser *p, struct sc_clock *c, const char *key)
{
	if (c->phc_index < 0)
		return fail(p, "%s: only for a PHC", key);
	return 0;
}

static int clock_key_system(struct parser *p, struct sc_clock *c, const char *key,
			    const char *val)
{
	double v;

	if (c->phc_index >= 0)
		return fail(p, "%s: only for the system clock", key);
	if (!strcmp(key, "tick"))
		return get_long(p, key, val, 9000, 11000, &c->tick_us);
	if (get_freq(p, key, val, 1e3, &v))
		return -EINVAL;
	if (fabs(v) > 500000)
		return fail(p, "adj_freq: beyond the kernel's 500 ppm");
	c->freq_scaled = lround(v * 65.536);
	return 0;
}

static int clock_key_phc(struct parser *p, struct sc_clock *c, const char *key,
			 const char *val)
{
	double v;

	if (clock_key_phc_only(p, c, key))
		return -EINVAL;
	if (!strcmp(key, "read_asym")) {
		if (get_num(p, key, val, &c->read_asym))
			return -EINVAL;
		if (c->read_asym < 0 || c->read_asym > 1)
			return fail(p, "read_asym: must be within 0..1");
		return 0;
	}
	if (!strcmp(key, "max_adj")) {
		if (get_freq(p, key, val, 1.0, &v))
			return -EINVAL;
		if (v < 0 || v > INT_MAX)
			return fail(p, "max_adj: must be within 0..%d ppb", INT_MAX);
		c->max_adj_ppb = lround(v);
		return 0;
	}
	if (!strcmp(key, "cross_timestamping"))
		return get_bool(p, key, val, &c->cross_ts);
	if (!strcmp(key, "extended"))
		return get_bool(p, key, val, &c->extended);
	return get_bool(p, key, val, &c->reference);	/* "reference" */
}

static int clock_key(struct parser *p, int ntok, char **tok)
{
	struct sc_clock *c;
	const char *key = tok[0], *val = ntok > 1 ? tok[1] : NULL;
	double v;

	if (p->cur_host >= 0)
		return fail(p, "%s: not a host key (clock keys go in a 'system' or 'phc' block)", key);
	if (p->cur < 0)
		return fail(p, "%s: clock key outside a 'system' or 'phc' block", key);
	c = &p->sc->clocks[p->cur];
	if (!strcmp(key, "reference") && ntok == 1) {
		if (clock_key_phc_only(p, c, key))
			return -EINVAL;
		c->reference = true;
		return 0;
	}
	if (ntok != 2)
		return fail(p, "%s: expected one value", key);
	if (!strcmp(key, "offset"))
		return get_time(p, key, val, 1.0, &c->offset_ns);
	if (!strcmp(key, "freq")) {
		if (get_freq(p, key, val, 1e3, &v))
			return -EINVAL;
		c->freq_ppm = v / 1e3;
		return 0;
	}
	if (!strcmp(key, "wander"))
		return get_num(p, key, val, &c->wander_ppb);
	if (!strcmp(key, "noise"))
		return get_time(p, key, val, 1.0, &c->noise_ns);
	if (!strcmp(key, "read_delay"))
		return get_time(p, key, val, 1.0, &c->read_delay_ns);
	if (!strcmp(key, "read_jitter"))
		return get_time(p, key, val, 1.0, &c->read_jitter_ns);
	if (!strcmp(key, "timescale")) {
		if (strcmp(val, "utc") && strcmp(val, "tai"))
			return fail(p, "timescale: utc or tai");
		c->timescale = !strcmp(val, "utc") ? SC_TS_UTC : SC_TS_TAI;
		return 0;
	}
	if (!strcmp(key, "tick") || !strcmp(key, "adj_freq"))
		return clock_key_system(p, c, key, val);
	return clock_key_phc(p, c, key, val);
}

static bool is_clock_key(const char *k)
{
	static const char *const keys[] = {
		"offset", "freq", "wander", "noise", "read_delay", "read_jitter",
		"read_asym", "max_adj", "cross_timestamping", "extended", "reference",
		"timescale", "tick", "adj_freq", NULL,
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* ---- globals ---- */

static int global_key(struct parser *p, int ntok, char **tok)
{
	struct scenario *sc = p->sc;
	const char *key = tok[0], *val = tok[1];
	long l;
	int64_t ns;

	if (ntok != 2)
		return fail(p, "%s: expected one value", key);
	if (!strcmp(key, "start")) {
		if (sc_parse_date(val, &sc->start_utc_s, &ns) || ns)
			return fail(p, "start: expected YYYY-MM-DDTHH:MM:SSZ (whole seconds, UTC)");
		return 0;
	}
	if (!strcmp(key, "seed")) {
		char *end;

		errno = 0;
		sc->seed = strtoull(val, &end, 0);
		if (end == val || *end || errno || val[0] == '-')
			return fail(p, "seed: bad unsigned integer '%s'", val);
		return 0;
	}
	if (!strcmp(key, "tai_utc") || !strcmp(key, "kernel_tai")) {
		if (get_long(p, key, val, 0, 100000, &l))
			return -EINVAL;
		*(key[0] == 't' ? &sc->tai_utc_s : &sc->kernel_tai_s) = (int)l;
		return 0;
	}
	if (!strcmp(key, "kernel_sync")) {
		bool b;

		if (get_bool(p, key, val, &b))
			return -EINVAL;
		sc->kernel_unsync = !b;
		return 0;
	}
	if (get_time_i64(p, key, val, 1e9, &ns))
		return -EINVAL;
	if (ns < 0 || (ns == 0 && strcmp(key, "uptime") && strcmp(key, "stats_from")))
		return fail(p, "%s: must be positive", key);
	if (!strcmp(key, "duration"))
		sc->duration_ns = ns;
	else if (!strcmp(key, "csv_interval"))
		sc->csv_interval_ns = ns;
	else if (!strcmp(key, "stats_from"))
		sc->stats_from_ns = ns;
	else if (!strcmp(key, "wander_step"))
		sc->wander_step_ns = ns;
	else
		sc->uptime_ns = ns;	/* "uptime" */
	return 0;
}

static bool is_global_key(const char *k)
{
	static const char *const keys[] = {
		"start", "duration", "seed", "tai_utc", "csv_interval", "stats_from",
		"wander_step", "uptime", "kernel_tai", "kernel_sync", NULL,
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* ---- whole file ---- */

static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *s, *save = NULL;

	if ((s = strchr(line, '#')))
		*s = '\0';
	for (s = strtok_r(line, " \t\r", &save); s; s = strtok_r(NULL, " \t\r", &save)) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = s;
	}
	return n;
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(line, tok), r;

	if (n < 0)
		return fail(p, "too many words");
	if (n == 0)
		return 0;
	if (!strcmp(tok[0], "system")) {
		if (n != 1)
			return fail(p, "system: takes no value");
		p->cur = SC_SYS;
		p->cur_host = -1;
		p->sc->clocks[SC_SYS].line = p->line;
		return 0;
	}
	if (!strcmp(tok[0], "phc")) {
		p->cur_host = -1;
		return open_phc(p, n, tok);
	}
	if (!strcmp(tok[0], "host"))
		return sc_host_line(p, n, tok);
	if (!strcmp(tok[0], "local_address"))
		return sc_local_line(p, n, tok);
	if (p->cur_host >= 0 && sc_is_host_key(tok[0]))
		return sc_host_key(p, n, tok);
	if (!strcmp(tok[0], "interface"))
		return sc_iface_line(p, n, tok);
	if (sc_is_bond_line(tok[0]))
		return sc_bond_line(p, n, tok);
	if (!strcmp(tok[0], "at"))
		return sc_event_line(p, n, tok);
	if (is_global_key(tok[0]))
		return global_key(p, n, tok);
	if ((r = sc_health_global(p, n, tok)) <= 0)
		return r;
	if (is_clock_key(tok[0]))
		return clock_key(p, n, tok);
	return fail(p, "unknown keyword '%s'", tok[0]);
}

static void defaults(struct scenario *sc, const char *name)
{
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->start_utc_s = sc_days_from_civil(2025, 1, 1) * 86400;
	sc->seed = 1;
	sc->tai_utc_s = 37;
	sc->csv_interval_ns = NS_PER_S;
	sc->stats_from_ns = -1;
	sc->wander_step_ns = NS_PER_S;
	sc->uptime_ns = 1000 * NS_PER_S;
	sc->kernel_unsync = true;
	sc->nclocks = 1;
	clock_defaults(&sc->clocks[SC_SYS], -1);
	sc_net_defaults(&sc->net);
	sc->ncpus = 1;
	snprintf(sc->clocksources, sizeof(sc->clocksources), "tsc hpet acpi_pm");
	sc_bond_defaults(sc);
}

int scenario_parse(struct scenario *sc, const char *text, const char *name,
		   char *err, size_t errlen)
{
	struct parser p = { .sc = sc, .name = name, .cur = -1, .cur_host = -1, .err = err,
			    .errlen = errlen };
	const char *s = text;
	char line[1024];
	int r;

	defaults(sc, name);
	while (*s) {
		size_t n = strcspn(s, "\n");

		p.line++;
		if (n >= sizeof(line))
			return fail(&p, "line too long");
		memcpy(line, s, n);
		line[n] = '\0';
		if ((r = parse_line(&p, line)))
			return r;
		s += n + (s[n] == '\n');
	}
	p.line = 0;
	return scenario_resolve(sc, err, errlen);
}

int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long len;
	int r = -EIO;

	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > (1 << 20) ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot read (or larger than 1 MiB)", path);
		goto out;
	}
	if (!(text = calloc(1, (size_t)len + 1))) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (fread(text, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if (strlen(text) != (size_t)len) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	r = scenario_parse(sc, text, path, err, errlen);
out:
	free(text);
	fclose(f);
	return r;
}
