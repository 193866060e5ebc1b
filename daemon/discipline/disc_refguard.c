/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference jump guard: a reference PHC that suddenly reads far from
 * where its last readings put it (a NIC reset sends it to 1970) is a
 * fault, not a target. Its samples are refused and the clock holds its
 * frequency (HOLDOVER, then FREERUN) until the reference is back where it
 * was expected, or the jump has lasted reference_jump_accept and is
 * accepted as a real change of time (reference_jump_accept_alone: gnomond
 * has one reference per clock, so no second one can agree).
 *
 * The prediction is the last accepted reference reading carried forward
 * on CLOCK_MONOTONIC_RAW: a PHC disciplined to its grandmaster runs within
 * a few hundred ppm of it, far below a 1 s guard over any update interval.
 * A jump of the disciplined clock itself moves the offset but not the
 * reference: that one the PHC jump guard steps back (disc_follow.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"
#include "phc/systime.h"

static void remember(struct discipline *d, const struct source_sample *s, int64_t raw)
{
	d->ref_known = true;
	d->ref_last_ns = s->ref_ns;
	d->ref_last_raw_ns = raw;
}

void disc_ref_forget(struct discipline *d)
{
	d->ref_known = false;
	d->refjump_since_ns = 0;
}

void disc_ref_stepped(struct discipline *d, int64_t step_ns)
{
	d->ref_last_ns += step_ns;	/* a step we heard of is no jump */
}

/* The jump lasted reference_jump_accept: accept it (true) or keep refusing. */
static bool accept_jump(struct discipline *d, int64_t now)
{
	double lasted = (double)(now - d->refjump_since_ns) / NS_PER_S;

	if (d->cc.reference_jump_accept_alone) {
		pr_warn("%s: reference %s has stayed %+.9f s off for %.0f s: accepted as a real "
			"change of time (reference_jump_accept_alone)", d->cc.name,
			clock_name(d->src->ref), (double)d->refjump_ns / NS_PER_S, lasted);
		disc_audit(d, AUDIT_REF_JUMP_ACCEPTED, AKV_INT("jump_ns", d->refjump_ns),
			   AKV_NUM("lasted_s", lasted, 3));
		d->refjump_since_ns = 0;
		return true;
	}
	if (!d->refjump_told) {
		d->refjump_told = true;
		pr_warn("%s: reference %s still %+.9f s off after %.0f s: not accepted, no second "
			"reference agrees (reference_jump_accept_alone = no); holding", d->cc.name,
			clock_name(d->src->ref), (double)d->refjump_ns / NS_PER_S, lasted);
	}
	return false;
}

static void refuse_first(struct discipline *d, int64_t jump, int64_t now)
{
	d->refjump_since_ns = now;
	d->refjump_ns = jump;
	d->refjump_told = false;
	d->refjumps++;
	pr_warn("%s: reference %s jumped %+.9f s (beyond reference_jump_guard %.3g s, a NIC "
		"reset?): its samples are refused", d->cc.name, clock_name(d->src->ref),
		(double)jump / NS_PER_S, d->cc.reference_jump_guard_s);
	disc_audit(d, AUDIT_REF_JUMP, AKV_STR("reference", clock_name(d->src->ref)),
		   AKV_INT("jump_ns", jump));
}

bool disc_ref_guard(struct discipline *d, const struct source_sample *s, int64_t now)
{
	int64_t guard = (int64_t)(d->cc.reference_jump_guard_s * NS_PER_S);
	int64_t raw = systime_raw_ns(), jump;
	struct clock *ref = d->src->ref;

	if (guard <= 0 || !ref || ref == d->clk || clock_kind(ref) != CLOCK_KIND_PHC)
		return false;
	if (!d->ref_known || !d->started) {
		remember(d, s, raw);
		return false;
	}
	jump = s->ref_ns - (d->ref_last_ns + (raw - d->ref_last_raw_ns));
	if (llabs(jump) <= guard) {
		if (d->refjump_since_ns)
			pr_notice("%s: reference %s is back where it was expected (%+.9f s) after "
				  "%.1f s: following it again", d->cc.name, clock_name(ref),
				  (double)jump / NS_PER_S,
				  (double)(now - d->refjump_since_ns) / NS_PER_S);
		d->refjump_since_ns = 0;
		remember(d, s, raw);
		return false;
	}
	if (!d->refjump_since_ns)
		refuse_first(d, jump, now);
	if (now - d->refjump_since_ns >= (int64_t)(d->cc.reference_jump_accept_s * NS_PER_S) &&
	    accept_jump(d, now)) {
		remember(d, s, raw);
		return false;
	}
	return true;
}

void disc_ref_reason(const struct discipline *d, char *buf, size_t len)
{
	if (d->refjump_since_ns)
		snprintf(buf, len, "reference jumped %+.3f s: samples refused",
			 (double)d->refjump_ns / NS_PER_S);
}
