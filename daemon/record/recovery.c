/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recovery tracker. Pure arithmetic on (time, offset) observations;
 * see recovery.h for the API and doc/recovery.md for the definitions.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/record/recovery.h"
#include "util/util.h"

/* Longest accepted hold: a year; keeps hold in int64 ns far from overflow. */
#define HOLD_MAX_S	(365.0 * 86400.0)
#define HISTORY_MAX	100000
/* A limit under this is no real slew: the ratio would measure the update
 * interval (100 us off at 10 %: limit 1 ms, recovery 1 s, "ratio 1189"). */
#define RATIO_MIN_LIMIT_S	1e-2

struct recovery {
	char clock[RECOVERY_CLOCK_MAX];
	int64_t threshold_ns;
	double hold_s;
	int64_t hold_ns;
	double cap_ppb;
	double max_adj_ppb;
	double natural_ppb;
	int64_t max_gap_ns;

	/* Last observation of any kind (event, sample, unknown): ordering. */
	bool have_obs;
	int64_t last_t;
	/* Latest known offset, for status; cleared by an unknown sample. */
	bool last_known;
	int64_t last_x;

	/* The event in progress. */
	bool active;
	bool o_pending;		/* O not known yet: the next known sample is O */
	int sign;		/* sign of O: +1, -1, 0 */
	struct recovery_report cur;

	/* Previous known observation with no fault or long gap since:
	 * the segment (prev, now) may be interpolated. */
	bool prev_known;
	int64_t prev_t, prev_x;
	bool rate_valid;
	double rate_ns_s;	/* decrease of |offset|, ns per s (> 0: shrinking) */

	/* The current in-threshold stretch. */
	bool in_stretch;
	int64_t stretch_start;

	/* Completed reports, a ring of n_ring. */
	struct recovery_report *ring;
	size_t n_ring;
	uint64_t n_done, n_polled;
};

static const char *const kind_names[RECOVERY_KIND_COUNT] = {
	[RECOVERY_START]	 = "start",
	[RECOVERY_LEAP]		 = "leap",
	[RECOVERY_STEP]		 = "step",
	[RECOVERY_SOURCE_CHANGE] = "source_change",
	[RECOVERY_FAILOVER]	 = "failover",
	[RECOVERY_FAULT_CLEARED] = "fault_cleared",
	[RECOVERY_CLOCKSOURCE]	 = "clocksource",
};

const char *recovery_kind_name(enum recovery_kind kind)
{
	if ((unsigned)kind >= RECOVERY_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

int recovery_kind_parse(const char *name)
{
	int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < RECOVERY_KIND_COUNT; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -EINVAL;
}

/* |x| for x > INT64_MIN (callers never pass INT64_MIN). */
static int64_t abs64(int64_t x)
{
	return x < 0 ? -x : x;
}

static int sign64(int64_t x)
{
	return (x > 0) - (x < 0);
}

/*
 * O ns removed at S ppb = S ns per second: |O| / S seconds, where S is
 * the cap, a rate on top of the natural frequency, unless the clock's
 * max_adj leaves less beside it (a clock 20 ppm fast behind by 1 s under
 * a 10 % max_adj: 99980 ppm). Nothing to remove (|O| within the
 * threshold), or no cap: no limit.
 */
static double limit_s(const struct recovery *tr, int64_t o, double cap_ppb)
{
	double speed = cap_ppb;

	if (cap_ppb <= 0 || abs64(o) <= tr->threshold_ns)
		return NAN;
	if (tr->max_adj_ppb > 0)
		speed = fmin(speed, o > 0 ? tr->max_adj_ppb + tr->natural_ppb
					  : tr->max_adj_ppb - tr->natural_ppb);
	return speed > 0 ? (double)abs64(o) / speed : NAN;
}

static bool params_ok(const struct recovery_params *p)
{
	size_t n;

	if (!p || !p->clock)
		return false;
	n = strlen(p->clock);
	if (n == 0 || n >= RECOVERY_CLOCK_MAX)
		return false;
	if (p->threshold_ns <= 0 || p->max_gap_ns < 0)
		return false;
	if (!isfinite(p->hold_s) || p->hold_s < 0 || p->hold_s > HOLD_MAX_S)
		return false;
	if (!isfinite(p->cap_ppb) || p->cap_ppb < 0)
		return false;
	if (!isfinite(p->max_adj_ppb) || p->max_adj_ppb < 0)
		return false;
	return p->history <= HISTORY_MAX;
}

struct recovery *recovery_create(const struct recovery_params *p, int *err)
{
	struct recovery *tr;
	int e = -EINVAL;

	if (!params_ok(p))
		goto fail;
	e = -ENOMEM;
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		goto fail;
	tr->n_ring = p->history ? p->history : RECOVERY_HISTORY_DEFAULT;
	tr->ring = calloc(tr->n_ring, sizeof(*tr->ring));
	if (!tr->ring) {
		free(tr);
		goto fail;
	}
	strcpy(tr->clock, p->clock);
	tr->threshold_ns = p->threshold_ns;
	tr->hold_s = p->hold_s;
	tr->hold_ns = llround(p->hold_s * NS_PER_S);
	tr->cap_ppb = p->cap_ppb;
	tr->max_adj_ppb = p->max_adj_ppb;
	tr->max_gap_ns = p->max_gap_ns;
	if (err)
		*err = 0;
	return tr;
fail:
	if (err)
		*err = e;
	return NULL;
}

void recovery_destroy(struct recovery *tr)
{
	if (!tr)
		return;
	free(tr->ring);
	free(tr);
}

int recovery_set_cap(struct recovery *tr, double cap_ppb)
{
	if (!isfinite(cap_ppb) || cap_ppb < 0)
		return -EINVAL;
	tr->cap_ppb = cap_ppb;
	return 0;
}

int recovery_set_natural(struct recovery *tr, double natural_ppb)
{
	if (!isfinite(natural_ppb))
		return -EINVAL;
	tr->natural_ppb = natural_ppb;
	if (tr->active && tr->cur.offset_known)
		tr->cur.limit_s = limit_s(tr, tr->cur.offset_at_event_ns, tr->cur.cap_ppb);
	return 0;
}

/* Accept an observation time: never before the previous one. */
static int advance(struct recovery *tr, int64_t t)
{
	if (tr->have_obs && t < tr->last_t)
		return -EINVAL;
	tr->have_obs = true;
	tr->last_t = t;
	return 0;
}

static void push_report(struct recovery *tr, const struct recovery_report *r)
{
	tr->ring[tr->n_done % tr->n_ring] = *r;
	tr->n_done++;
}

/* Close the event in progress at time t with the given verdict. */
static void finish(struct recovery *tr, int64_t t, bool recovered, bool superseded)
{
	struct recovery_report *r = &tr->cur;

	r->elapsed_s = (double)(t - r->event_mono_ns) / NS_PER_S;
	r->recovered = recovered;
	r->superseded = superseded;
	if (recovered) {
		r->recovery_s = (double)(tr->stretch_start - r->event_mono_ns) / NS_PER_S;
		r->ratio = r->limit_s >= RATIO_MIN_LIMIT_S ? r->recovery_s / r->limit_s : NAN;
	} else {
		r->recovery_s = NAN;
		r->ratio = NAN;
	}
	push_report(tr, r);
	tr->active = false;
}

/* O became known (at the event or at the first known sample after it). */
static void set_o(struct recovery *tr, int64_t o)
{
	struct recovery_report *r = &tr->cur;

	r->offset_at_event_ns = o;
	r->offset_known = true;
	r->peak_ns = abs64(o);
	r->limit_s = limit_s(tr, o, r->cap_ppb);
	/* An offset within the threshold has nothing to overshoot: a start
	 * a few ns off would count the clock's drift as overshoot. */
	tr->sign = abs64(o) > tr->threshold_ns ? sign64(o) : 0;
	tr->o_pending = false;
}

/*
 * Start of the in-threshold stretch that begins with the known observation
 * (t, x). When the previous observation is adjacent (no fault, no long gap)
 * and was outside, the crossing of the threshold is placed by linear
 * interpolation between the two; otherwise at t.
 */
static int64_t stretch_begin(const struct recovery *tr, int64_t t, int64_t x)
{
	double x1, b, frac;

	if (!tr->prev_known || abs64(tr->prev_x) <= tr->threshold_ns || t == tr->prev_t)
		return t;
	x1 = (double)tr->prev_x;
	b = x1 > 0 ? (double)tr->threshold_ns : -(double)tr->threshold_ns;
	frac = (x1 - b) / (x1 - (double)x);
	if (!(frac >= 0 && frac <= 1))
		return t;
	return tr->prev_t + (int64_t)llround(frac * (double)(t - tr->prev_t));
}

/* A known observation (t, x) of the event in progress; 1 if it completed. */
static int observe(struct recovery *tr, int64_t t, int64_t x)
{
	struct recovery_report *r = &tr->cur;
	int64_t a = abs64(x);

	if (a > r->peak_ns)
		r->peak_ns = a;
	if (tr->sign != 0 && sign64(x) == -tr->sign && a > r->overshoot_ns)
		r->overshoot_ns = a;

	tr->rate_valid = tr->prev_known && t > tr->prev_t;
	if (tr->rate_valid)
		tr->rate_ns_s = (double)(abs64(tr->prev_x) - a) * NS_PER_S /
				(double)(t - tr->prev_t);

	if (a <= tr->threshold_ns) {
		if (!tr->in_stretch) {
			tr->in_stretch = true;
			tr->stretch_start = stretch_begin(tr, t, x);
		}
	} else {
		tr->in_stretch = false;
	}
	tr->prev_known = true;
	tr->prev_t = t;
	tr->prev_x = x;

	if (tr->in_stretch && t - tr->stretch_start >= tr->hold_ns) {
		finish(tr, t, true, false);
		return 1;
	}
	return 0;
}

int recovery_event(struct recovery *tr, enum recovery_kind kind,
		   int64_t mono_ns, int64_t utc_ns, int64_t offset_ns)
{
	struct recovery_report *r = &tr->cur;

	if ((unsigned)kind >= RECOVERY_KIND_COUNT)
		return -EINVAL;
	if (advance(tr, mono_ns))
		return -EINVAL;
	if (tr->active)
		finish(tr, mono_ns, false, true);

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	strcpy(r->clock, tr->clock);
	r->event_mono_ns = mono_ns;
	r->event_utc_ns = utc_ns;
	r->cap_ppb = tr->cap_ppb;
	r->threshold_ns = tr->threshold_ns;
	r->hold_s = tr->hold_s;
	r->recovery_s = NAN;
	r->ratio = NAN;
	r->limit_s = NAN;
	tr->active = true;
	tr->sign = 0;
	tr->in_stretch = false;
	tr->prev_known = false;
	tr->rate_valid = false;

	if (offset_ns == RECOVERY_OFFSET_UNKNOWN) {
		tr->o_pending = true;
		return 0;
	}
	/* The event itself is the first observation of the new event. */
	set_o(tr, offset_ns);
	tr->last_known = true;
	tr->last_x = offset_ns;
	observe(tr, mono_ns, offset_ns);
	return 0;
}

int recovery_sample(struct recovery *tr, int64_t mono_ns, int64_t offset_ns)
{
	if (offset_ns == RECOVERY_OFFSET_UNKNOWN)
		return recovery_sample_unknown(tr, mono_ns);
	if (advance(tr, mono_ns))
		return -EINVAL;
	tr->last_known = true;
	tr->last_x = offset_ns;
	if (!tr->active)
		return 0;
	if (tr->o_pending)
		set_o(tr, offset_ns);
	if (tr->prev_known && tr->max_gap_ns > 0 &&
	    mono_ns - tr->prev_t > tr->max_gap_ns) {
		/* Nobody looked for a while: treat the gap as a fault. */
		tr->prev_known = false;
		tr->in_stretch = false;
	}
	return observe(tr, mono_ns, offset_ns);
}

int recovery_sample_unknown(struct recovery *tr, int64_t mono_ns)
{
	if (advance(tr, mono_ns))
		return -EINVAL;
	tr->last_known = false;
	tr->prev_known = false;
	tr->in_stretch = false;
	tr->rate_valid = false;
	return 0;
}

int recovery_abort(struct recovery *tr, int64_t mono_ns)
{
	if (advance(tr, mono_ns))
		return -EINVAL;
	if (!tr->active)
		return 0;
	finish(tr, mono_ns, false, false);
	return 1;
}

bool recovery_poll_done(struct recovery *tr, struct recovery_report *out)
{
	if (tr->n_done > tr->n_ring && tr->n_polled < tr->n_done - tr->n_ring)
		tr->n_polled = tr->n_done - tr->n_ring;
	if (tr->n_polled >= tr->n_done)
		return false;
	*out = tr->ring[tr->n_polled % tr->n_ring];
	tr->n_polled++;
	return true;
}

/*
 * Expected time left, seconds: the rest of the hold when inside the
 * threshold; otherwise the time to reach the threshold plus the hold. The
 * time to reach it is the larger of the linear extrapolation of the recent
 * rate of decrease (last two adjacent samples) and the physical floor
 * (|offset| - threshold) / cap. NaN when no estimate is possible, and
 * when the offset is not shrinking (nothing applied, as in a dry run, or
 * a cap that cannot beat the drift): no floor would ever be met.
 */
static double expected_left(const struct recovery *tr, const struct recovery_status *st)
{
	double excess, floor_s, rate_s = NAN, reach;

	if (!st->offset_known)
		return NAN;
	if (st->in_threshold)
		return fmax(0, tr->hold_s - st->in_threshold_s);
	excess = (double)(abs64(st->offset_ns) - tr->threshold_ns);
	floor_s = tr->cur.cap_ppb > 0 ? excess / tr->cur.cap_ppb : NAN;
	if (tr->rate_valid && tr->rate_ns_s <= 0)
		return NAN;
	if (tr->rate_valid)
		rate_s = excess / tr->rate_ns_s;
	if (isnan(floor_s) && isnan(rate_s))
		return NAN;
	reach = isnan(rate_s) ? floor_s : isnan(floor_s) ? rate_s : fmax(rate_s, floor_s);
	return reach + tr->hold_s;
}

int64_t recovery_last_ns(const struct recovery *tr)
{
	return tr->have_obs ? tr->last_t : 0;
}

void recovery_status(const struct recovery *tr, struct recovery_status *st)
{
	const struct recovery_report *r = &tr->cur;

	memset(st, 0, sizeof(*st));
	st->completed = tr->n_done;
	st->threshold_ns = tr->threshold_ns;
	st->hold_s = tr->hold_s;
	st->cap_ppb = tr->cap_ppb;
	st->offset_known = tr->last_known;
	st->offset_ns = tr->last_known ? tr->last_x : 0;
	st->expected_left_s = NAN;
	if (!tr->active)
		return;
	st->active = true;
	st->kind = r->kind;
	st->event_mono_ns = r->event_mono_ns;
	st->event_utc_ns = r->event_utc_ns;
	st->offset_at_event_ns = r->offset_at_event_ns;
	st->offset_at_event_known = r->offset_known;
	st->peak_ns = r->peak_ns;
	st->overshoot_ns = r->overshoot_ns;
	st->elapsed_s = (double)(tr->last_t - r->event_mono_ns) / NS_PER_S;
	st->in_threshold = tr->in_stretch;
	if (tr->in_stretch)
		st->in_threshold_s = (double)(tr->last_t - tr->stretch_start) / NS_PER_S;
	st->limit_s = r->limit_s;
	st->cap_ppb = r->cap_ppb;
	st->threshold_ns = r->threshold_ns;
	st->hold_s = r->hold_s;
	st->expected_left_s = expected_left(tr, st);
}

size_t recovery_history(const struct recovery *tr, struct recovery_report *out, size_t max)
{
	uint64_t have = tr->n_done < tr->n_ring ? tr->n_done : tr->n_ring;
	size_t k = have < max ? (size_t)have : max;
	size_t i;

	for (i = 0; i < k; i++)
		out[i] = tr->ring[(tr->n_done - k + i) % tr->n_ring];
	return k;
}
