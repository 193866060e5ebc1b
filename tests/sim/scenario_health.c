// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario keys for clock-health faults (tests/sim/README.md, "CPUs,
 * clocksources and timers"): how many CPUs the program sees, which
 * clocksources the kernel offers, and the events that break them: a CPU
 * whose clocks read off (the KVM guest of ../shared/field-reports/000), a
 * clocksource change with its frequency jump, and waits that end early or
 * late (the 2012 leap-second hrtimer bug of field report 001).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/scenario.h"
#include "tests/sim/scenario_int.h"

int sc_health_global(struct parser *p, int ntok, char **tok)
{
	struct scenario *sc = p->sc;
	char *end;
	size_t len = 0;
	long n;
	int i;

	if (!strcmp(tok[0], "cpus")) {
		if (ntok != 2)
			return fail(p, "cpus: expected one value");
		n = strtol(tok[1], &end, 10);
		if (end == tok[1] || *end || n < 1 || n > SC_MAX_CPUS)
			return fail(p, "cpus: '%s' is not an integer in 1..%d", tok[1], SC_MAX_CPUS);
		sc->ncpus = (int)n;
		return 0;
	}
	if (strcmp(tok[0], "clocksources"))
		return 1;
	if (ntok < 2)
		return fail(p, "clocksources: expected 'clocksources CURRENT [OTHER...]'");
	sc->clocksources[0] = '\0';
	for (i = 1; i < ntok; i++) {
		size_t l = strlen(tok[i]);

		if (l >= SC_NAME_LEN || len + l + 2 > sizeof(sc->clocksources))
			return fail(p, "clocksources: names too long");
		len += (size_t)snprintf(sc->clocksources + len, sizeof(sc->clocksources) - len,
					"%s%s", i > 1 ? " " : "", tok[i]);
	}
	return 0;
}

static int cpu_offset(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	char *end;
	long n;

	if (ntok != 3)
		return fail(p, "at: expected 'cpu_offset CPU OFFSET'");
	n = strtol(tok[1], &end, 10);
	if (end == tok[1] || *end || n < 0 || n >= p->sc->ncpus)
		return fail(p, "at: cpu_offset: CPU '%s' is not within 0..%d (set 'cpus' first)",
			    tok[1], p->sc->ncpus - 1);
	e->kind = SC_EV_CPU_OFFSET;
	e->cpu = (int)n;
	return get_time(p, "cpu_offset", tok[2], 1.0, &e->value);
}

static int clocksource(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	double ppb;

	if (ntok != 3)
		return fail(p, "at: expected 'clocksource NAME FREQ_JUMP'");
	if (strlen(tok[1]) >= sizeof(e->name))
		return fail(p, "at: clocksource: name too long");
	e->kind = SC_EV_CLOCKSOURCE;
	e->clock = SC_SYS;
	snprintf(e->name, sizeof(e->name), "%s", tok[1]);
	if (get_freq(p, "clocksource", tok[2], 1e3, &ppb))
		return -EINVAL;
	e->value = ppb / 1e3;
	return 0;
}

static int timer_skew(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	bool late = !strcmp(tok[0], "timer_late");

	if (ntok != 4 || (strcmp(tok[1], "all") && strcmp(tok[1], "realtime")))
		return fail(p, "at: expected '%s all|realtime AMOUNT LENGTH'", tok[0]);
	e->kind = SC_EV_TIMER_EARLY;
	e->cpu = !strcmp(tok[1], "realtime");
	if (get_time(p, tok[0], tok[2], 1.0, &e->value) ||
	    get_time_i64(p, tok[0], tok[3], 1e9, &e->length_ns))
		return -EINVAL;
	if (e->value <= 0 || e->length_ns <= 0)
		return fail(p, "at: %s: AMOUNT and LENGTH must be positive", tok[0]);
	if (late)
		e->value = -e->value;
	return 0;
}

int sc_health_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	if (!strcmp(tok[0], "cpu_offset"))
		return cpu_offset(p, e, ntok, tok);
	if (!strcmp(tok[0], "clocksource"))
		return clocksource(p, e, ntok, tok);
	if (!strcmp(tok[0], "timer_early") || !strcmp(tok[0], "timer_late"))
		return timer_skew(p, e, ntok, tok);
	return 1;
}
