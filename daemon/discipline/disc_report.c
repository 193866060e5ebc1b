/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A discipline's observers: fault bookkeeping, operator state, the
 * recovery tracker (and what it reports: the log, the history file, the
 * audit trail).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"
#include "phc/systime.h"

void disc_audit_kv(struct discipline *d, const char *action, const struct audit_kv *kv,
		   size_t n)
{
	int r;

	if (!d->env.audit)
		return;
	r = audit_write(d->env.audit, systime_realtime_ns(), d->cc.name, action, kv, n);
	if (r < 0)
		pr_err("%s: audit trail: %s", d->cc.name, strerror(-r));
}

int disc_recovery_create(struct discipline *d)
{
	struct recovery_params p = {
		.clock = d->cc.name,
		.threshold_ns = (int64_t)llround(d->cc.recovery_threshold_s * NS_PER_S),
		.hold_s = d->cc.recovery_hold_s,
		.cap_ppb = d->cc.max_slew_ppb,
		.max_adj_ppb = clock_max_adj_ppb(d->clk),
		.max_gap_ns = 3 * d->interval_ns + NS_PER_S,
	};
	int err = 0;

	if (p.threshold_ns < 1)
		p.threshold_ns = 1;
	d->rec = recovery_create(&p, &err);
	return d->rec ? 0 : err;
}

/* The log's phrase for a fault, before "SOURCE failed". */
static const char *fault_phrase(enum disc_fault what, int err)
{
	switch (what) {
	case DISC_FAULT_READ:
		return "reading";
	case DISC_FAULT_TIMESCALE:
		return err == -ENODATA ? "converting TAI/UTC (no usable leap file and "
		       "tai_offset = auto) for" : err == -EPROTO ? "converting TAI/UTC (the "
		       "leap file and the grandmaster disagree, leap_authority "
		       "both-must-agree) for" : "converting TAI/UTC for";
	case DISC_FAULT_ADJUST:
		return "adjusting from";
	case DISC_FAULT_REF_JUMP:
		return "following";
	}
	return "updating from";
}

static const char *const fault_word[] = {
	[DISC_FAULT_READ] = "read", [DISC_FAULT_TIMESCALE] = "timescale",
	[DISC_FAULT_ADJUST] = "adjust", [DISC_FAULT_REF_JUMP] = "reference_jump",
};

/* A clock whose descriptor died (ENODEV: unplugged, NIC reset) is opened
 * again; until the device is back the open fails and the next fault tries. */
static void reopen_dead(struct discipline *d, struct clock *c)
{
	if (!c || clock_kind(c) != CLOCK_KIND_PHC || clock_reopen(c) != 0)
		return;
	d->reopens++;
	pr_notice("%s: %s reopened: its descriptor had died (device unplugged or NIC reset)",
		  d->cc.name, clock_name(c));
	disc_audit(d, AUDIT_REOPENED, AKV_STR("device", clock_name(c)),
		   AKV_STR("reason", "enodev"));
}

void disc_report_fault(struct discipline *d, enum disc_fault what, int err, int64_t now)
{
	if (err == -ENODEV) {
		reopen_dead(d, d->clk);
		if (d->src->ref != d->clk)
			reopen_dead(d, d->src->ref);
	}
	d->update_failures++;
	d->fault_last_raw_ns = systime_raw_ns();
	recovery_sample_unknown(d->rec, d->fault_last_raw_ns);
	if (d->fault_run++ == 0) {
		d->fault_start_ns = now;
		d->faults++;	/* an outage begins */
	}
	/* a refused reference jump was said, with its size, by disc_refguard.c */
	if ((d->fault_run == 1 || err != d->last_error) && what != DISC_FAULT_REF_JUMP) {
		pr_err("%s: %s %s failed: %s", d->cc.name, fault_phrase(what, err), d->src->spec,
		       strerror(-err));
		disc_audit(d, AUDIT_FAULT, AKV_STR("what", fault_word[what]),
			   AKV_INT("error", -err));
	}
	d->last_error = err;
	if (d->state == DISC_LOCKED) {
		d->state = DISC_HOLDOVER;
		pr_warn("%s: HOLDOVER: keeping frequency %+.3f ppm for up to %.0f s",
			d->cc.name, d->freq_ppb / 1e3, d->cc.holdover_timeout_s);
	} else if (d->state == DISC_HOLDOVER &&
		   now - d->fault_start_ns >= (int64_t)(d->cc.holdover_timeout_s * NS_PER_S)) {
		d->state = DISC_FREERUN;
		pr_warn("%s: FREERUN: holdover of %.0f s is over, source still failing "
			"(frequency kept at %+.3f ppm)", d->cc.name, d->cc.holdover_timeout_s,
			d->freq_ppb / 1e3);
		disc_sync_lost(d);
	}
}

void disc_report_good(struct discipline *d, int64_t now)
{
	if (d->fault_run) {
		double dur = (double)(now - d->fault_start_ns) / NS_PER_S;

		pr_notice("%s: %s working again after %" PRIu64 " failed updates (%.1f s)",
			  d->cc.name, d->src->spec, d->fault_run, dur);
		disc_audit(d, AUDIT_FAULT_CLEARED, AKV_STR("what", "source"),
			   AKV_NUM("duration_s", dur, 3));
		/* the fault ended between the last failed reading and this one
		 * (retried every FAULT_RETRY_NS): time it from halfway */
		if (d->started)
			disc_report_event(d, RECOVERY_FAULT_CLEARED,
					  (systime_raw_ns() - d->fault_last_raw_ns) / 2,
					  RECOVERY_OFFSET_UNKNOWN);
		d->fault_run = 0;
	}
	d->last_error = 0;
	d->last_good_ns = now;
}

void disc_report_read_time(struct discipline *d, int64_t dur_ns)
{
	double lim = d->cc.slow_read_threshold_s;

	if ((double)dur_ns > lim * NS_PER_S) {
		d->slow_reads++;
		if (dur_ns > d->slow_max_ns)
			d->slow_max_ns = dur_ns;
		if (d->slow_run++ == 0) {
			pr_warn("%s: reading %s took %.3f s (slow_read_threshold %.3f s): "
				"the source stalled", d->cc.name, d->src->spec,
				(double)dur_ns / NS_PER_S, lim);
			disc_audit(d, AUDIT_FAULT, AKV_STR("what", "slow_read"),
				   AKV_NUM("duration_s", (double)dur_ns / NS_PER_S, 6));
		}
		return;
	}
	if (d->slow_run > 1)
		pr_notice("%s: reading %s is fast again after %" PRIu64 " slow reads "
			  "(longest %.3f s)", d->cc.name, d->src->spec, d->slow_run,
			  (double)d->slow_max_ns / NS_PER_S);
	d->slow_run = 0;
	d->slow_max_ns = 0;
}

void disc_report_event(struct discipline *d, enum recovery_kind kind, int64_t ago_ns,
		       int64_t offset_ns)
{
	/* durations on the raw clock: CLOCK_MONOTONIC is slewed with
	 * CLOCK_REALTIME, so a 10 s slew at 10 % would read 9 s on it */
	int64_t raw = systime_raw_ns(), at = raw - ago_ns;

	/* the event's instant, but not before what the tracker last saw */
	if (at < recovery_last_ns(d->rec))
		at = recovery_last_ns(d->rec);
	recovery_event(d->rec, kind, at, systime_realtime_ns() - (raw - at), offset_ns);
}

void discipline_rate_changed(struct discipline *d, enum recovery_kind kind, const char *why)
{
	pr_notice("%s: %s: the clock's natural frequency changed; the servo re-learns it",
		  d->cc.name, why);
	servo_rate_changed(d->servo);
	disc_report_event(d, kind, loop_now(d->env.loop), RECOVERY_OFFSET_UNKNOWN);
}

static void report_done(struct discipline *d, const struct recovery_report *r)
{
	if (r->recovered) {
		char ratio[48] = "", limit[48] = "-", lim_a[32] = "-", rat_a[32] = "-";

		/* no limit (nothing to slew) and no ratio to it: absent */
		if (!isnan(r->limit_s)) {
			snprintf(limit, sizeof(limit), "%.3f s", r->limit_s);
			snprintf(lim_a, sizeof(lim_a), "%.6f", r->limit_s);
		}
		if (!isnan(r->ratio)) {
			snprintf(ratio, sizeof(ratio), ", ratio %.3f", r->ratio);
			snprintf(rat_a, sizeof(rat_a), "%.4f", r->ratio);
		}
		pr_notice("%s: recovered from %s in %.3f s (offset at event %+.9f s, peak %.9f s, "
			  "overshoot %" PRId64 " ns, limit %s%s)", d->cc.name,
			  recovery_kind_name(r->kind), r->recovery_s,
			  (double)r->offset_at_event_ns / NS_PER_S, (double)r->peak_ns / NS_PER_S,
			  r->overshoot_ns, limit, ratio);
		disc_audit(d, AUDIT_RECOVERED, AKV_STR("event", recovery_kind_name(r->kind)),
			   AKV_NUM("recovery_s", r->recovery_s, 6), AKV_STR("limit_s", lim_a),
			   AKV_STR("ratio", rat_a));
	} else {
		pr_info("%s: %s event closed after %.3f s without recovering (%s)", d->cc.name,
			recovery_kind_name(r->kind), r->elapsed_s,
			r->superseded ? "superseded" : "stopped");
	}
	if (d->env.history) {
		int e = history_append(d->env.history, r);

		if (e < 0)
			pr_err("%s: recovery history: %s", d->cc.name, strerror(-e));
	}
}

/* While a clock recovers, say every RECOVERING_LOG_NS how far it still is. */
#define RECOVERING_LOG_NS	(10 * NS_PER_S)

static void report_progress(struct discipline *d, int64_t now)
{
	struct recovery_status st;
	char left[48] = "";

	recovery_status(d->rec, &st);
	if (!st.active || !st.offset_known || st.in_threshold ||
	    now - d->recovering_log_ns < RECOVERING_LOG_NS)
		return;
	d->recovering_log_ns = now;
	if (disc_dry(d))	/* nothing applied: the offset goes nowhere */
		snprintf(left, sizeof(left), " (dry run: nothing applied)");
	else if (!isnan(st.expected_left_s))
		snprintf(left, sizeof(left), ", about %.1f s left", st.expected_left_s);
	pr_info("%s: recovering from %s: offset %+.9f s after %.1f s%s", d->cc.name,
		recovery_kind_name(st.kind), (double)st.offset_ns / NS_PER_S, st.elapsed_s, left);
}

void disc_report_sample(struct discipline *d, int64_t now, int64_t offset_ns)
{
	struct recovery_report r;

	/* a source with a chain (ptp4l: the reference's own master offset)
	 * is judged on the whole chain, target - grandmaster */
	if (d->chain_applies && !d->chain_known)
		recovery_sample_unknown(d->rec, systime_raw_ns());
	else
		recovery_sample(d->rec, systime_raw_ns(),
				offset_ns + (d->chain_applies ? d->chain_ns : 0));
	while (recovery_poll_done(d->rec, &r))
		report_done(d, &r);
	report_progress(d, now);
}

void disc_report_state(struct discipline *d, const struct servo_out *o, int64_t now)
{
	if (o->slewing && !d->out.slewing) {
		d->slew_start_ns = now;
		pr_notice("%s: %s %+.9f s at up to %.0f ppm, about %.1f s",
			  d->cc.name, disc_dry(d) ? "would slew" : "slewing",
			  (double)d->offset_ns / NS_PER_S,
			  d->cc.max_slew_ppm, o->slew_left_s);
		disc_audit(d, AUDIT_FREQ_SLEW_START, AKV_INT("offset_ns", d->offset_ns),
			   AKV_NUM("cap_ppb", d->cc.max_slew_ppb, 0));
	} else if (!o->slewing && d->out.slewing) {
		double dur = (double)(now - d->slew_start_ns) / NS_PER_S;

		pr_notice("%s: slew done in %.3f s, offset %+" PRId64 " ns",
			  d->cc.name, dur, d->offset_ns);
		disc_audit(d, AUDIT_SLEW_DONE, AKV_NUM("duration_s", dur, 3),
			   AKV_INT("offset_ns", d->offset_ns));
	}
	if (o->at_cap && !d->out.at_cap)
		disc_audit(d, AUDIT_CAP_REACHED, AKV_NUM("freq_ppb", o->freq_ppb, 0),
			   AKV_NUM("cap_ppb", d->cc.max_slew_ppb, 0));
	/* LOCKED needs the servo locked and a source fit for it (ptp4l: port
	 * SLAVE, grandmaster present, master offset within lock_threshold) */
	bool locked = o->state == SERVO_LOCKED && !d->unfit[0];

	if (locked && d->state != DISC_LOCKED) {
		pr_notice("%s: LOCKED to %s, offset %+" PRId64 " ns, freq %+.3f ppm",
			  d->cc.name, d->src->spec, d->offset_ns, o->freq_ppb / 1e3);
		d->state = DISC_LOCKED;
	} else if (!locked && d->state == DISC_LOCKED) {
		if (d->unfit[0])
			pr_notice("%s: lost lock: %s, offset %+" PRId64 " ns", d->cc.name,
				  d->unfit, d->offset_ns);
		else
			pr_notice("%s: lost lock, offset %+" PRId64 " ns", d->cc.name, d->offset_ns);
		d->state = DISC_FREERUN;
	} else if (d->state == DISC_HOLDOVER) {
		d->state = locked ? DISC_LOCKED : DISC_FREERUN;
	}
}
