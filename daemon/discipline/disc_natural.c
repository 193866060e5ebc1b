/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A clock's natural frequency: what it is left at when nobody steers it
 * any more. At every exit (SIGTERM, SIGINT, a fatal error after start)
 * the clock gets the servo's estimate of the correction that holds its
 * offset constant, never a slew rate (a clock left at a 10 % slew runs
 * 6 minutes an hour off) nor a smear's feed-forward, and CLOCK_REALTIME
 * gets its tick back at 10000 us when the rest fits ADJ_FREQUENCY.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"
#include "phc/sysclk.h"

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
}
