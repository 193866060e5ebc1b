// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario interfaces and timed events: parsing of "interface" and "at"
 * lines, then resolution of absolute UTC dates into true (TAI) elapsed
 * time, which needs the leap seconds the scenario itself declares.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/sim/scenario.h"
#include "tests/sim/scenario_int.h"

int sc_iface_line(struct parser *p, int ntok, char **tok)
{
	struct scenario *sc = p->sc;
	struct sc_iface *f;
	int n = -1;

	if (ntok != 3)
		return fail(p, "interface: expected 'interface NAME ptpN|none'");
	if (strlen(tok[1]) >= sizeof(f->name))
		return fail(p, "interface: name too long");
	if (scenario_iface(sc, tok[1]) >= 0)
		return fail(p, "interface: %s declared twice", tok[1]);
	if (strcmp(tok[2], "none") && (n = sc_phc_number(tok[2])) < 0)
		return fail(p, "interface: '%s' is not ptpN or none", tok[2]);
	if (sc->nifaces >= SC_MAX_IFACES)
		return fail(p, "interface: more than %d", SC_MAX_IFACES);
	f = &sc->ifaces[sc->nifaces++];
	snprintf(f->name, sizeof(f->name), "%s", tok[1]);
	f->phc_index = n;
	return 0;
}

static struct sc_event *new_event(struct parser *p)
{
	struct scenario *sc = p->sc;
	struct sc_event *e;

	if (sc->nevents >= SC_MAX_EVENTS) {
		fail(p, "at: more than %d events", SC_MAX_EVENTS);
		return NULL;
	}
	e = &sc->events[sc->nevents++];
	memset(e, 0, sizeof(*e));
	e->line = p->line;
	e->date_s = INT64_MIN;
	e->clock = -1;
	e->host = -1;
	e->dir = -1;
	e->bond = -1;
	e->iface = -1;
	return e;
}

static int event_clock(struct parser *p, const char *name)
{
	int c = scenario_clock(p->sc, name);

	if (c < 0)
		return fail(p, "at: unknown clock '%s' (declare PHCs before events)", name);
	return c;
}

/* fault ptpN eio|hang|enodev|ebusy|unplug LENGTH */
static int fault_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	static const struct { const char *name; enum sc_event_kind kind; } kinds[] = {
		{ "eio", SC_EV_FAULT_EIO }, { "hang", SC_EV_FAULT_HANG },
		{ "enodev", SC_EV_FAULT_ENODEV }, { "ebusy", SC_EV_FAULT_EBUSY },
		{ "unplug", SC_EV_UNPLUG },
	};
	size_t i;

	for (i = 0; ntok == 4 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(tok[2], kinds[i].name))
			break;
	if (ntok != 4 || i == sizeof(kinds) / sizeof(kinds[0]))
		return fail(p, "at: expected 'fault ptpN eio|hang|enodev|ebusy|unplug LENGTH'");
	if ((e->clock = event_clock(p, tok[1])) < 0)
		return -EINVAL;
	if (e->clock == SC_SYS)
		return fail(p, "at: only a PHC can fault");
	e->kind = kinds[i].kind;
	if (get_time_i64(p, "fault", tok[3], 1e9, &e->length_ns))
		return -EINVAL;
	if (e->length_ns <= 0)
		return fail(p, "at: fault length must be positive");
	return 0;
}

/* freq_reset CLOCK | foreign_freq CLOCK PPM | foreign_tick TICK: the
 * frequency changed behind the program's back (a driver reset, another
 * process's ADJ_FREQUENCY or ADJ_TICK). */
static int adjust_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	const char *kind = tok[0];
	double v;
	long tick;

	if (!strcmp(kind, "foreign_tick")) {
		if (ntok != 2)
			return fail(p, "at: expected 'foreign_tick TICK' (us per tick, 9000..11000)");
		e->kind = SC_EV_FOREIGN_TICK;
		e->clock = SC_SYS;
		if (get_long(p, kind, tok[1], 9000, 11000, &tick))
			return -EINVAL;
		e->value = (double)tick;
		return 0;
	}
	if (ntok != (kind[0] == 'f' && kind[1] == 'r' ? 2 : 3))
		return fail(p, "at: expected '%s'", kind[1] == 'r' ? "freq_reset CLOCK" :
			    "foreign_freq CLOCK PPM");
	if ((e->clock = event_clock(p, tok[1])) < 0)
		return -EINVAL;
	e->kind = ntok == 2 ? SC_EV_FREQ_RESET : SC_EV_FOREIGN_FREQ;
	if (ntok == 2)
		return 0;
	if (get_freq(p, kind, tok[2], 1e3, &v))
		return -EINVAL;
	e->value = v / 1e3;
	if (fabs(e->value) > 500)
		return fail(p, "at: foreign_freq: %s is beyond 500 ppm", tok[2]);
	return 0;
}

static int event_args(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	double v;
	const char *kind = tok[0];
	int r;

	if (!strcmp(kind, "leap")) {
		if (ntok != 2 || (strcmp(tok[1], "insert") && strcmp(tok[1], "delete")))
			return fail(p, "at: expected 'leap insert|delete'");
		e->kind = tok[1][0] == 'i' ? SC_EV_LEAP_INS : SC_EV_LEAP_DEL;
		if (e->date_s == INT64_MIN || e->date_ns || e->date_s % 86400)
			return fail(p, "at: a leap needs an absolute UTC midnight (the date its new TAI-UTC starts)");
		return 0;
	}
	if ((r = sc_net_event(p, e, ntok, tok)) <= 0)
		return r;
	if (!strcmp(kind, "freq_jump") || !strcmp(kind, "time_jump") || !strcmp(kind, "step")) {
		if (ntok != 3)
			return fail(p, "at: expected '%s CLOCK VALUE'", kind);
		if ((e->clock = event_clock(p, tok[1])) < 0)
			return -EINVAL;
		e->kind = kind[0] == 'f' ? SC_EV_FREQ_JUMP :
			  kind[0] == 't' ? SC_EV_TIME_JUMP : SC_EV_STEP;
		if (e->kind == SC_EV_FREQ_JUMP) {
			if (get_freq(p, kind, tok[2], 1e3, &v))
				return -EINVAL;
			e->value = v / 1e3;
			return 0;
		}
		return get_time(p, kind, tok[2], 1.0, &e->value);
	}
	if (!strcmp(kind, "fault"))
		return fault_event(p, e, ntok, tok);
	if (!strcmp(kind, "freq_reset") || !strcmp(kind, "foreign_freq") ||
	    !strcmp(kind, "foreign_tick"))
		return adjust_event(p, e, ntok, tok);
	if ((r = sc_health_event(p, e, ntok, tok)) <= 0)
		return r;
	if (sc_is_bond_event(kind))
		return sc_bond_event(p, e, ntok, tok);
	return fail(p, "at: unknown event '%s' (leap, freq_jump, time_jump, step, fault, freq_reset, "
		    "foreign_freq, foreign_tick, route, outage, "
		    "unreachable, kod, cpu_offset, clocksource, timer_early, timer_late, failover, "
		    "carrier, release, enslave, phc_reset, netlink_overrun)", kind);
}

int sc_event_line(struct parser *p, int ntok, char **tok)
{
	struct sc_event *e;

	if (ntok < 3)
		return fail(p, "at: expected 'at TIME EVENT ...'");
	if (!(e = new_event(p)))
		return -EINVAL;
	if (strchr(tok[1], 'T')) {
		if (sc_parse_date(tok[1], &e->date_s, &e->date_ns))
			return fail(p, "at: bad date '%s' (YYYY-MM-DDTHH:MM:SS[.f]Z)", tok[1]);
	} else if (get_time_i64(p, "at", tok[1], 1e9, &e->at_ns)) {
		return -EINVAL;
	}
	return event_args(p, e, ntok - 2, tok + 2);
}

/* TAI - UTC in effect at UTC date_s, given the scenario's leaps. */
static int tai_utc_at(const struct scenario *sc, int64_t date_s)
{
	int off = sc->tai_utc_s, i;

	for (i = 0; i < sc->nevents; i++) {
		const struct sc_event *e = &sc->events[i];

		if (e->kind == SC_EV_LEAP_INS && e->date_s <= date_s)
			off++;
		else if (e->kind == SC_EV_LEAP_DEL && e->date_s <= date_s)
			off--;
	}
	return off;
}

/*
 * A leap at UTC midnight D switches TAI-UTC from old to new at TAI
 * D + min(old, new): the start of 23:59:60 for an insertion, the start of
 * the skipped 23:59:59 for a deletion.
 */
static int resolve_dates(struct parser *p)
{
	struct scenario *sc = p->sc;
	int64_t t0 = sc->start_utc_s + sc->tai_utc_s;
	int i, j;

	for (i = 0; i < sc->nevents; i++) {
		struct sc_event *e = &sc->events[i];
		int before, after;

		if (e->date_s == INT64_MIN)
			continue;
		p->line = e->line;
		if (e->kind == SC_EV_LEAP_INS || e->kind == SC_EV_LEAP_DEL) {
			for (j = 0; j < i; j++)
				if (sc->events[j].date_s == e->date_s &&
				    (sc->events[j].kind == SC_EV_LEAP_INS ||
				     sc->events[j].kind == SC_EV_LEAP_DEL))
					return fail(p, "at: two leaps on one date");
			after = tai_utc_at(sc, e->date_s);
			before = after + (e->kind == SC_EV_LEAP_INS ? -1 : 1);
			e->at_ns = (e->date_s + (before < after ? before : after) - t0) * NS_PER_S;
		} else {
			e->at_ns = (e->date_s + tai_utc_at(sc, e->date_s) - t0) * NS_PER_S +
				   e->date_ns;
		}
	}
	return 0;
}

/* The event that ends a window event (a fault, an outage...), or -1. */
static int end_kind(enum sc_event_kind k)
{
	switch (k) {
	case SC_EV_FAULT_EIO:
	case SC_EV_FAULT_HANG:
	case SC_EV_FAULT_ENODEV:
	case SC_EV_FAULT_EBUSY:
	case SC_EV_UNPLUG:
		return SC_EV_FAULT_END;
	case SC_EV_OUTAGE:
		return SC_EV_OUTAGE_END;
	case SC_EV_UNREACH:
		return SC_EV_UNREACH_END;
	case SC_EV_KOD:
		return SC_EV_KOD_END;
	default:
		return -1;
	}
}

static int add_fault_ends(struct parser *p)
{
	struct scenario *sc = p->sc;
	int i, n = sc->nevents;

	for (i = 0; i < n; i++) {
		struct sc_event *e = &sc->events[i], *end;

		if (end_kind(e->kind) < 0)
			continue;
		if (e->at_ns + e->length_ns >= sc->duration_ns)
			continue;
		p->line = e->line;
		if (sc->nevents >= SC_MAX_EVENTS)
			return fail(p, "at: more than %d events (with fault ends)", SC_MAX_EVENTS);
		end = &sc->events[sc->nevents++];
		*end = *e;
		end->kind = (enum sc_event_kind)end_kind(e->kind);
		end->at_ns = e->at_ns + e->length_ns;
		end->date_s = INT64_MIN;
	}
	return 0;
}

static void sort_events(struct scenario *sc)
{
	int i, j;

	for (i = 1; i < sc->nevents; i++) {
		struct sc_event e = sc->events[i];

		for (j = i; j > 0 && sc->events[j - 1].at_ns > e.at_ns; j--)
			sc->events[j] = sc->events[j - 1];
		sc->events[j] = e;
	}
}

static int check_clocks(struct parser *p)
{
	struct scenario *sc = p->sc;
	int i;

	for (i = 0; i < sc->nifaces; i++) {
		if (sc->ifaces[i].phc_index >= 0 && scenario_phc(sc, sc->ifaces[i].phc_index) < 0)
			return fail(p, "interface %s: ptp%d is not declared", sc->ifaces[i].name,
				    sc->ifaces[i].phc_index);
	}
	for (i = 0; i < sc->nclocks; i++) {
		const struct sc_clock *c = &sc->clocks[i];

		p->line = c->line;
		if (c->reference && (c->offset_ns || c->freq_ppm || c->wander_ppb))
			return fail(p, "%s: a reference follows true time: no offset, freq or wander",
				    c->name);
		if (c->noise_ns < 0 || c->read_delay_ns < 0 || c->read_jitter_ns < 0 ||
		    c->wander_ppb < 0)
			return fail(p, "%s: noise, read_delay, read_jitter and wander must be >= 0",
				    c->name);
		if (fabs(c->freq_ppm) >= 1e5)
			return fail(p, "%s: freq beyond 10%%", c->name);
	}
	return 0;
}

int scenario_resolve(struct scenario *sc, char *err, size_t errlen)
{
	struct parser p = { .sc = sc, .name = sc->name, .cur = -1, .err = err, .errlen = errlen };
	int i;

	if (sc->duration_ns <= 0)
		return fail(&p, "no 'duration'");
	if (check_clocks(&p) || sc_net_check(&p) || sc_bond_check(&p) || resolve_dates(&p))
		return -EINVAL;
	for (i = 0; i < sc->nevents; i++) {
		p.line = sc->events[i].line;
		if (sc->events[i].at_ns < 0 || sc->events[i].at_ns >= sc->duration_ns)
			return fail(&p, "at: event outside the run (0 <= t < duration)");
	}
	if (add_fault_ends(&p))
		return -EINVAL;
	sort_events(sc);
	p.line = 0;
	if (scenario_stats_from(sc) >= sc->duration_ns)
		return fail(&p, "stats_from: at or after the end of the run");
	return 0;
}
