/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A discipline's leap-second actions, driven by the pure policy engine
 * (leap.c): arm the kernel (accept), feed the smear forward (smear), hold
 * the servo around the event (accept, step), step after it (step), keep
 * the kernel's TAI offset right, and tell the observers.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/leap/leapfile.h"
#include "daemon/log.h"

#define SMEAR_LOG_EVERY_NS	(3600 * NS_PER_S)

void disc_leap_init(struct discipline *d)
{
	d->leap_seen_utc = INT64_MIN;
	d->leap_stepped_utc = INT64_MIN;
}

static const char *leap_date(int64_t leap_utc_s, char *buf, size_t len)
{
	/* the leap happens at the end of the day before leap_utc_s */
	return leap_date_str(leap_utc_s - 86400, buf, len);
}

static bool is_system(const struct discipline *d)
{
	return clock_kind(d->clk) == CLOCK_KIND_SYSTEM;
}

/* accept: STA_INS/STA_DEL armed on the day of the leap, cleared after. */
static void arm_kernel(struct discipline *d, const struct leap_view *v)
{
	char date[32];
	int r;

	if (!is_system(d) || v->arm == d->kernel_leap || v->pause ||
	    (v->arm && loop_now(d->env.loop) < d->rearm_not_before_ns))
		return;
	r = clock_set_leap(d->clk, v->arm);
	if (r < 0) {
		pr_err("%s: cannot %s the kernel's leap second: %s", d->cc.name,
		       v->arm ? "arm" : "clear", strerror(-r));
		return;
	}
	if (v->arm) {
		pr_notice("%s: leap second %s at the end of %s %s in the kernel",
			  d->cc.name, v->arm > 0 ? "insertion" : "deletion",
			  leap_date(v->leap_utc_s, date, sizeof(date)),
			  disc_dry(d) ? "would be armed" : "armed");
		disc_audit(d, AUDIT_LEAP_ARMED, AKV_STR("type", v->arm > 0 ? "insert" : "delete"),
			   AKV_STR("date", leap_date(v->leap_utc_s, date, sizeof(date))));
	}
	d->kernel_leap = v->arm;
}

/*
 * A step of CLOCK_REALTIME runs the kernel's ntp_clear(), which forgets the
 * armed leap while adjtimex still shows TIME_INS and STA_INS: the leap would
 * silently not happen. Clear STA_INS/STA_DEL now (the kernel goes back to
 * TIME_OK at the next second) and arm again once a second has passed.
 */
void disc_leap_stepped(struct discipline *d, int64_t now)
{
	int r;

	if (!is_system(d) || !d->kernel_leap)
		return;
	r = clock_set_leap(d->clk, 0);
	if (r < 0)
		pr_err("%s: cannot clear the kernel's leap second after a step: %s",
		       d->cc.name, strerror(-r));
	pr_notice("%s: the step dropped the kernel's armed leap second; %s it again",
		  d->cc.name, disc_dry(d) ? "would arm" : "arming");
	d->kernel_leap = 0;
	d->rearm_not_before_ns = now + 1100000000LL;
}

/* The kernel's TAI offset (ADJ_TAI) follows the table, outside pauses. */
static void set_kernel_tai(struct discipline *d, const struct leap_view *v, int64_t ref_ns)
{
	int tai, r;

	if (!is_system(d) || v->pause || v->smearing)
		return;
	if (leaptable_tai_offset_tai(d->leaps, ref_ns / NS_PER_S, &tai) < 0 ||
	    tai == d->kernel_tai)
		return;
	r = clock_set_tai(d->clk, tai);
	if (r < 0) {
		pr_warn("%s: cannot set the kernel's TAI offset to %d s: %s",
			d->cc.name, tai, strerror(-r));
		tai = -1;	/* do not retry every update */
	} else {
		pr_info("%s: %s the kernel's TAI offset to %d s", d->cc.name,
			disc_dry(d) ? "would set" : "set", tai);
	}
	d->kernel_tai = tai;
}

static void smear_news(struct discipline *d, const struct leap_view *v, int64_t now)
{
	char date[32];

	if (v->smearing && !d->smearing) {
		pr_notice("%s: SMEARING the leap second of %s (%+d s): %.3f s applied, "
			  "rate %+.3f ppm", d->cc.name, leap_date(v->leap_utc_s, date, sizeof(date)),
			  v->delta, v->smear_offset_ns / 1e9, v->feedforward_ppb / 1e3);
		disc_audit(d, AUDIT_LEAP_POLICY, AKV_STR("policy", "smear"), AKV_STR("state", "start"),
			   AKV_STR("leap", date), AKV_INT("delta", v->delta));
		d->smear_log_ns = now;
	} else if (v->smearing && now - d->smear_log_ns >= SMEAR_LOG_EVERY_NS) {
		pr_info("%s: smearing: %.6f s of %+d s applied, rate %+.3f ppm",
			d->cc.name, v->smear_offset_ns / 1e9, v->delta, v->feedforward_ppb / 1e3);
		d->smear_log_ns = now;
	} else if (!v->smearing && d->smearing) {
		pr_notice("%s: smear of the leap second done", d->cc.name);
		disc_audit(d, AUDIT_LEAP_POLICY, AKV_STR("policy", "smear"), AKV_STR("state", "done"),
			   AKV_STR("leap", leap_date(v->leap_utc_s, date, sizeof(date))));
	}
	d->smearing = v->smearing;
}

/* The leap has taken effect: one event for the observers. */
static void leap_news(struct discipline *d, const struct leap_view *v)
{
	if (!v->delta || !v->past || d->leap_seen_utc == v->leap_utc_s)
		return;
	if (!d->have_view || !d->leap.past || d->leap.leap_utc_s != v->leap_utc_s) {
		/* we watched it happen (not a start after the leap) */
		if (d->have_view) {
			pr_notice("%s: leap second (%+d s) applied, policy %s", d->cc.name,
				  v->delta, leap_policy_name(d->lpc.policy));
			disc_audit(d, AUDIT_LEAP_APPLIED,
				   AKV_STR("type", v->delta > 0 ? "insert" : "delete"),
				   AKV_INT("tai_utc_s", v->tai_utc_ns / NS_PER_S),
				   AKV_STR("policy", leap_policy_name(d->lpc.policy)));
			/* timed from the leap's instant, not from this update */
			disc_report_event(d, RECOVERY_LEAP, (int64_t)llround(v->since_s * NS_PER_S),
					  RECOVERY_OFFSET_UNKNOWN);
			d->leap_pending_step = true;
		}
	}
	d->leap_seen_utc = v->leap_utc_s;
}

/* step: at the leap's instant (the discipline samples right then), step by
 * the leap (not by the measured offset, so the servo's own residual is
 * left alone); the pause holds the servo either side. */
static int leap_step(struct discipline *d, const struct leap_view *v, int64_t *stepped)
{
	int64_t delta_ns = -(int64_t)v->delta * NS_PER_S;
	int r;

	if (d->lpc.policy != LEAP_POLICY_STEP || !v->step_due || !d->leap_pending_step ||
	    d->leap_stepped_utc == v->leap_utc_s)
		return 0;
	r = disc_step(d, delta_ns);
	if (r < 0)
		return r;
	d->leap_stepped_utc = v->leap_utc_s;
	d->leap_pending_step = false;
	d->steps++;
	*stepped = delta_ns;
	/* No servo_stepped(): the servo was held through the leap, so it never
	 * saw the target move by the leap, and the step cancels that move
	 * exactly: its history (offsets from before the leap) stays valid. */
	pr_notice("%s: %s by %+d s for the leap second", d->cc.name,
		  disc_dry(d) ? "would step" : "stepped", -v->delta);
	disc_audit(d, AUDIT_STEP, AKV_INT("delta_ns", delta_ns), AKV_STR("reason", "leap_policy_step"));
	return 0;
}

int disc_leap_update(struct discipline *d, int64_t ref_ns, int64_t now,
		     int64_t *shift_ns, int64_t *stepped_ns, bool *hold)
{
	struct leap_view v;
	int r;

	r = leap_view_at(d->leaps, &d->lpc, ref_ns, &v);
	if (r < 0)
		return r;
	arm_kernel(d, &v);
	set_kernel_tai(d, &v, ref_ns);
	smear_news(d, &v, now);
	leap_news(d, &v);
	if (d->lpc.policy == LEAP_POLICY_SMEAR)
		servo_set_feedforward(d->servo, v.feedforward_ppb);
	if (v.pause && !d->paused)
		pr_notice("%s: servo paused %.0f s either side of the leap second",
			  d->cc.name, d->lpc.pause_s);
	d->paused = v.pause;
	d->leap = v;
	d->have_view = true;
	*shift_ns = v.tai_utc_ns;
	*hold = v.pause;
	return leap_step(d, &v, stepped_ns);
}
