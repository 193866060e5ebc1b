// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The world's CPUs, clocksource and wait faults. A CPU whose clocks read
 * off (cpu_offset) shifts every system clock read made while the program
 * runs on it: the timekeeper itself, and so the truth, is unchanged, as on
 * the KVM guest whose CPU 0 read 85 s behind the others. A clocksource
 * change names a new current clocksource (its frequency jump is the
 * world's). A wait fault makes waits end early or late for a while, as the
 * hrtimers did after the 2012 leap second.
 */
#include <string.h>

#include "tests/sim/world.h"

void health_init(struct world *w)
{
	struct simhealth *h = &w->hl;
	size_t n = strcspn(w->sc.clocksources, " ");

	memset(h, 0, sizeof(*h));
	h->affinity = w->sc.ncpus >= 64 ? ~0ULL : (1ULL << w->sc.ncpus) - 1;
	if (n >= sizeof(h->current))
		n = sizeof(h->current) - 1;
	memcpy(h->current, w->sc.clocksources, n);
	h->current[n] = '\0';
	h->early_until = INT64_MIN;
}

void health_apply(struct world *w, const struct sc_event *e)
{
	struct simhealth *h = &w->hl;

	switch (e->kind) {
	case SC_EV_CPU_OFFSET:
		h->cpu_off[e->cpu] = (int64_t)e->value;
		break;
	case SC_EV_CLOCKSOURCE:
		snprintf(h->current, sizeof(h->current), "%s", e->name);
		break;
	case SC_EV_TIMER_EARLY:
		h->early_ns = (int64_t)e->value;
		h->early_until = w->t + e->length_ns;
		h->early_rt_only = e->cpu == 1;
		break;
	default:
		break;
	}
}

int64_t health_cpu_offset(const struct world *w)
{
	return w->hl.cpu_off[w->hl.cur_cpu];
}

int64_t health_wait_skew(const struct world *w, clockid_t clk, bool abs)
{
	const struct simhealth *h = &w->hl;
	/* a deadline is on the clock of the CPU the program runs on: one
	 * that reads 85 s behind reaches it 85 s late */
	int64_t skew = health_cpu_offset(w);

	if (w->t >= h->early_until)
		return skew;
	if (h->early_rt_only && !(abs && clk == CLOCK_REALTIME))
		return skew;
	return skew + h->early_ns;
}

int64_t health_next_change(const struct world *w)
{
	return w->hl.early_until > w->t ? w->hl.early_until : INT64_MAX;
}
