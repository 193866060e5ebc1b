/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The leap policy engine: see leap.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "daemon/leap/leap.h"
#include "util/util.h"

#define DAY_S		86400LL
/* A leap stays "in view" this long after it: the longest smear window
 * placed after a leap (Meta's 62 500 s) plus margin. */
#define LOOK_BACK_S	(2 * DAY_S)
/* The kernel may be armed this long before the leap: its day (UTC). */
#define ARM_BEFORE_S	DAY_S

static const char *const policy_names[] = {
	[LEAP_POLICY_ACCEPT] = "accept",
	[LEAP_POLICY_IGNORE] = "ignore",
	[LEAP_POLICY_STEP] = "step",
	[LEAP_POLICY_SMEAR] = "smear",
};

const char *leap_policy_name(enum leap_policy p)
{
	return (unsigned)p < sizeof(policy_names) / sizeof(policy_names[0]) ?
		policy_names[p] : "?";
}

int leap_policy_parse(const char *s, enum leap_policy *p)
{
	for (unsigned i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
		if (!strcmp(s, policy_names[i])) {
			*p = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Floor division of ns to whole seconds (negative times round down). */
static int64_t floor_s(int64_t ns)
{
	return ns >= 0 ? ns / NS_PER_S : -((-ns + NS_PER_S - 1) / NS_PER_S);
}

/* The leap in view at tai_ns: the first one after (now - LOOK_BACK_S). */
static int find_leap(const struct leaptable *t, int64_t tai_ns, struct leap_view *v,
		     int *before)
{
	int64_t utc_guess, leap_utc;
	int tai_utc, delta, r;

	r = leaptable_tai_offset_tai(t, floor_s(tai_ns), &tai_utc);
	if (r < 0)
		return r;
	utc_guess = floor_s(tai_ns) - tai_utc;
	r = leaptable_next_leap(t, utc_guess - LOOK_BACK_S, &leap_utc, &delta);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (leap_utc > utc_guess + 400 * DAY_S)	/* far away: nothing in view */
		return 0;
	r = leaptable_tai_offset(t, leap_utc - 1, before);
	if (r < 0)
		return r;
	v->delta = delta;
	v->leap_utc_s = leap_utc;
	/* smear.h: t_rel = (tai - tai_utc_before) - leap_utc */
	v->t_rel_s = (double)(tai_ns - (int64_t)*before * NS_PER_S - leap_utc * NS_PER_S) / NS_PER_S;
	return 1;
}

/* Where the new TAI - UTC takes effect, in t_rel seconds (leaptable.h). */
static double switch_rel(int delta)
{
	return delta > 0 ? 0.0 : -1.0;
}

int leap_view_at(const struct leaptable *t, const struct leap_policy_conf *c,
		 int64_t tai_ns, struct leap_view *v)
{
	int before = 0, tai_utc, r;
	double sw;

	memset(v, 0, sizeof(*v));
	r = find_leap(t, tai_ns, v, &before);
	if (r < 0)
		return r;
	if (r == 0 || v->delta == 0) {
		r = leaptable_tai_offset_tai(t, floor_s(tai_ns), &tai_utc);
		if (r < 0)
			return r;
		v->tai_utc_ns = (int64_t)tai_utc * NS_PER_S;
		v->delta = 0;
		return 0;
	}
	sw = switch_rel(v->delta);
	v->past = v->t_rel_s >= sw;
	v->since_s = v->past ? v->t_rel_s - sw : 0;
	if (c->policy == LEAP_POLICY_SMEAR) {
		double off = smear_offset_ns(&c->smear, v->delta, v->t_rel_s);
		double start, end;

		if (isnan(off))
			return -EINVAL;
		smear_window(&c->smear, v->delta, &start, &end);
		if (v->t_rel_s < start)
			v->next_change_s = start - v->t_rel_s;
		else if (v->t_rel_s < end)
			v->next_change_s = end - v->t_rel_s;
		v->smear_offset_ns = off;
		v->tai_utc_ns = (int64_t)before * NS_PER_S + llround(off);
		v->feedforward_ppb = -smear_rate_ppb(&c->smear, v->delta, v->t_rel_s);
		v->smearing = v->t_rel_s >= start && v->t_rel_s < end;
		return 0;
	}
	/* accept, ignore and step sample right after the leap: the recovery
	 * from it is timed from its instant, and step steps then (a smear
	 * has nothing happening there) */
	if (!v->past)
		v->next_change_s = sw - v->t_rel_s;
	v->tai_utc_ns = (int64_t)(v->past ? before + v->delta : before) * NS_PER_S;
	if (c->policy == LEAP_POLICY_ACCEPT || c->policy == LEAP_POLICY_STEP)
		v->pause = fabs(v->t_rel_s - sw) < c->pause_s;
	if (c->policy == LEAP_POLICY_ACCEPT &&
	    v->t_rel_s >= sw - ARM_BEFORE_S && v->t_rel_s < sw)
		v->arm = v->delta;
	if (c->policy == LEAP_POLICY_STEP) {
		/* at the leap instant, as chronyd: the clock is off by the
		 * leap for well under a second; the pause holds the servo */
		v->step_due = v->past;
	}
	return 0;
}
