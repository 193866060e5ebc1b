// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A discipline that follows a moving reference (a bond's active member's
 * PHC): the reference changes under a running servo, which keeps its
 * frequency, since every member PHC runs with the active one; and the PHC
 * jump guard: a PHC that suddenly reads far from its reference (a NIC
 * reset puts it near 1970) is stepped back at once, not slewed for hours.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"

/*
 * A PHC that led its bond was steered by the bond's reference (ptp4l), not
 * by this servo: it starts again from the frequency the PHC runs at, which
 * is right for following the new active member (they ran together).
 */
static void follow_again(struct discipline *d)
{
	double freq = d->freq_ppb;
	struct servo *s;

	if (clock_get_freq(d->clk, &freq) < 0)
		return;
	if (fabs(freq) > d->cc.max_slew_ppm * 1e3)
		freq = copysign(d->cc.max_slew_ppm * 1e3, freq);
	s = disc_make_servo(&d->cc, freq, false, clock_max_adj_ppb(d->clk));
	if (!s)
		return;
	servo_destroy(d->servo);
	d->servo = s;
	d->freq_ppb = freq;
}

void discipline_set_reference(struct discipline *d, struct clock *ref, const char *reason)
{
	const char *from = d->src->ref ? clock_name(d->src->ref) : "none";
	const char *to = ref ? clock_name(ref) : "none";
	bool was_leading = d->src->ref == d->clk;

	if (ref == d->src->ref)
		return;
	if (was_leading && ref)
		follow_again(d);
	if (d->subscribed)
		disc_news_unsubscribe(d);
	d->src->ref = ref;
	disc_ref_forget(d);
	d->subscribed = disc_news_subscribe(d) == 0;
	if (ref == d->clk) {
		pr_notice("%s: now leads (%s); its servo holds %+.3f ppm", d->cc.name, reason,
			  d->freq_ppb / 1e3);
	} else {
		pr_notice("%s: reference %s -> %s (%s), servo kept at %+.3f ppm", d->cc.name,
			  from, to, reason, d->freq_ppb / 1e3);
	}
	disc_audit(d, AUDIT_SOURCE_SWITCHED, AKV_STR("from", from), AKV_STR("to", to),
		   AKV_STR("reason", reason));
	if (d->started && ref && ref != d->clk)
		disc_report_event(d, RECOVERY_FAILOVER, 0, d->offset_ns);
}

bool discipline_leading(const struct discipline *d)
{
	return d->leading;
}

static bool jump_guard(struct discipline *d, int64_t now);

bool disc_start_or_guard(struct discipline *d, int64_t now)
{
	if (d->started)
		return jump_guard(d, now);
	d->started = true;
	disc_report_event(d, RECOVERY_START, 0, d->offset_ns);
	return false;
}

static bool jump_guard(struct discipline *d, int64_t now)
{
	int64_t guard = (int64_t)(d->cc.phc_jump_guard_s * NS_PER_S);
	int64_t off = d->offset_ns;
	int r;

	if (guard <= 0 || clock_kind(d->clk) == CLOCK_KIND_SYSTEM || llabs(off) <= guard)
		return false;
	r = disc_step(d, -off);
	if (r < 0) {
		disc_report_fault(d, DISC_FAULT_ADJUST, r, now);
		return true;
	}
	d->steps++;
	servo_stepped(d->servo, -off);
	pr_warn("%s: jumped %+.9f s from %s (beyond phc_jump_guard %.3g s, a NIC reset?): "
		"stepped back", d->cc.name, (double)off / NS_PER_S,
		d->src->ref ? clock_name(d->src->ref) : "its source", d->cc.phc_jump_guard_s);
	disc_audit(d, AUDIT_STEP, AKV_INT("delta_ns", -off), AKV_STR("reason", "phc_jump_guard"));
	disc_report_event(d, RECOVERY_STEP, 0, off);
	disc_report_sample(d, now, 0);
	return true;
}
