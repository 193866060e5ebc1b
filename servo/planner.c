/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The slew planner: removes a large offset at the cap, then lands on zero
 * without overshoot and hands over to the tracking algorithm.
 *
 * Model (servo space, see servo_priv.h): d(offset)/dt = f + e (1 + f + ff)
 * with e the clock's natural error: the correction scales the oscillator.
 * The planner keeps u_k = offset_k - acc_k, where acc_k is the integral of
 * the frequency it applied, and x_k, the integral of the clock's nominal
 * rate 1 + f + ff; u is then a straight line in x of slope e whatever the
 * slew did, so a regression over u estimates the clock's natural error
 * WHILE slewing, with the long baseline of the slew itself, and
 * hold = -e (1 + ff) / (1 + e). (A line in t instead has slope
 * e (1 + f + ff): at a 10 % cap the hold came out 10 % short, 2 ppm for a
 * 20 ppm clock, and the handover left the offset drifting at that rate.)
 * The offset then moves at servo_gain() (f - hold): plans use that gain.
 *
 * Latency. A real daemon applies each frequency some tens of microseconds
 * (lat) after its sample, so point k is off the line by lat * g_k, with
 * g_k = F_start - F_k (F_k applied before the point, F_start before the
 * planner). The fit is u = a + e x + lat g over the last 32 points:
 * once the frequency has jumped (to the cap) lat is resolved to a
 * nanosecond at a 10 % cap, and the hold is free of it. Until then a fit
 * mixing very different frequencies counts as not good enough to land on.
 * A fit needs max(0.9 s, interval / 2) of baseline (so that one interval
 * of 1 s does, whichever way the clock runs); before that the planner
 * uses the tracking algorithm's hold as prior (good if it was measured).
 *
 * A plan:
 *  - cap: freq at the limit, removing |offset| at speed = |hold - limit|.
 *    When the time left at the cap falls under one interval the next
 *    sample is asked for (next_s) when only the landing margin is left
 *    (halving the wait so that at least two samples at the cap come first,
 *    or so that no request falls just after a nominal interval).
 *    next_s is always given while slewing: the daemon's nominal interval
 *    is local time, which at the cap may run 10 % off the reference.
 *  - landing: one short interval (LAND_TIME, 10 % of the interval) at a
 *    moderate rate (LAND_RATE, 1000 ppm or half the cap) with
 *    freq = hold - offset / L, which brings the offset to zero at the next
 *    sample (+ lat, when the tracking's frequency takes effect). The
 *    landing rate bounds what an error in the sample's timing costs
 *    (1000 ppm x 100 us of timer lateness = 100 ns). The landing legs are
 *    planned for the timing error servo.c observes, but at least
 *    LAND_LATE_MIN_S (1 ms): when that makes a leg's miss more than
 *    LAND_ERR_NS, the landing takes two legs: the first stops short, at
 *    half of what a final leg of LAND_TIME may remove within LAND_ERR_NS,
 *    at a rate whose miss stays under a quarter of that; the final one
 *    lands. (The floor is no longer poll()'s millisecond, which gnomond's
 *    timerfd loop does not have: it keeps the final approach gentle, and
 *    under 100 us of random lateness that measured 13 ns of overshoot
 *    where planning for the lateness seen gave 64 ns.) The margin left
 *    for the landing grows by what the cap removes in lat and in twice
 *    the timing error seen, so a late sample never finds the offset
 *    already past zero; it no longer pays for a millisecond nobody is
 *    late by (0.2 s less to 1 us after a 1 s slew at 10 %).
 *  - blind (cold start, no measured hold): the clock may drift toward
 *    zero by up to UNKNOWN_PPB (50 ppm) more than assumed, so the cap
 *    phase stops early enough, and one interval then removes all but
 *    50 ppm x interval (plus a latency allowance) of the offset: the
 *    unknown natural error cannot cross zero, and the interval gives the
 *    baseline for the landing. servo.c seeds a cold planner with the
 *    sample before, when that is plausible, which often saves the blind
 *    interval.
 * At the sample that ends the landing the planner hands over: the tracking
 * algorithm starts with the estimated hold frequency, from the offset
 * expected once the landing frequency has run out its latency, so no
 * integrator has to wind up and nothing overshoots.
 */
#include <math.h>

#include "servo/servo_priv.h"

#define LAND_FRAC	0.1	/* landing time, fraction of the interval */
#define LAND_MIN_S	0.02	/* ... but at least this (timer jitter) */
#define LAND_RATE_PPB	1e6	/* landing rate bound: 1000 ppm */
#define LAND_ERR_NS	200.0	/* what timing errors may cost the final landing */
#define LAND_LATE_MIN_S	0.001	/* timing error the landing legs allow for, at least */
#define NEXT_MIN_FRAC	0.05	/* shortest next_s requested in the cap phase */
#define SPAN_MIN_FRAC	0.5	/* baseline a hold fit needs, in intervals, */
#define SPAN_MIN_S	0.9	/* ... and in seconds (100 ns noise: 160 ppb) */
#define NO_END_S	1e9	/* slew_left_s when the cap cannot beat the drift */
#define UNKNOWN_PPB	50e3	/* natural error a blind first interval allows for */
#define LAT_MIN_DF_PPB	1e5	/* frequency jump that resolves the latency */
#define LAT_PLAUSIBLE_S	200e-6	/* latency to fear before it is measured */
#define HOLD_TOL_PPB	1000	/* hold error that fear may cause */
#define LAT_MAX_FRAC	0.25	/* latency believed: at most this of a landing */

static double land_rate(const struct servo_limits *lim)
{
	double cap = 0.5 * (lim->hi_ppb - lim->lo_ppb);

	return fmin(LAND_RATE_PPB, 0.5 * cap);
}

static double land_time(const struct servo_limits *lim)
{
	return fmin(fmax(LAND_FRAC * lim->interval_s, LAND_MIN_S), lim->interval_s);
}

static void push(struct planner *pl, double t_s, double u_ns, double g_ppb)
{
	pl->head = (pl->head + 1) % PLANNER_POINTS;
	pl->t[pl->head] = t_s;
	pl->x[pl->head] = pl->x_s;
	pl->u[pl->head] = u_ns;
	pl->g[pl->head] = g_ppb;
	if (pl->n < PLANNER_POINTS)
		pl->n++;
}

void planner_start(struct planner *pl, double prior_ppb, bool prior_good, double cur_freq_ppb)
{
	*pl = (struct planner){ 0 };
	pl->active = true;
	pl->prior_ppb = prior_ppb;
	pl->prior_good = prior_good;
	pl->start_freq_ppb = cur_freq_ppb;
	pl->last_freq_ppb = cur_freq_ppb;
}

void planner_seed(struct planner *pl, double offset_ns, double t_s)
{
	pl->x_s = t_s;
	push(pl, t_s, offset_ns, 0);
	pl->last_t_s = t_s;
}

void planner_stop(struct planner *pl)
{
	pl->active = false;
	pl->landing = false;
}

void planner_stepped(struct planner *pl, double step_ns)
{
	/* u = offset - acc stays continuous if the step counts as applied. */
	pl->acc_ns += step_ns;
}

/* Centred sums over the stored points: x (s, in t below), g (ppb), u (ns). */
struct sums {
	double n, mt, mg, mu, tt, gg, tg, tu, gu, g_lo, g_hi;
};

static void sum_points(const struct planner *pl, struct sums *z)
{
	double dt, dg, du;
	int i, k;

	*z = (struct sums){ .n = pl->n, .g_lo = INFINITY, .g_hi = -INFINITY };
	for (i = 0; i < pl->n; i++) {
		k = (pl->head - i + PLANNER_POINTS) % PLANNER_POINTS;
		z->mt += pl->x[k] - pl->x[pl->head];
		z->mg += pl->g[k];
		z->mu += pl->u[k] - pl->u[pl->head];
		z->g_lo = fmin(z->g_lo, pl->g[k]);
		z->g_hi = fmax(z->g_hi, pl->g[k]);
	}
	z->mt /= z->n;
	z->mg /= z->n;
	z->mu /= z->n;
	for (i = 0; i < pl->n; i++) {
		k = (pl->head - i + PLANNER_POINTS) % PLANNER_POINTS;
		dt = pl->x[k] - pl->x[pl->head] - z->mt;
		dg = pl->g[k] - z->mg;
		du = pl->u[k] - pl->u[pl->head] - z->mu;
		z->tt += dt * dt;
		z->gg += dg * dg;
		z->tg += dt * dg;
		z->tu += dt * du;
		z->gu += dg * du;
	}
}

/* The hold for a natural error of e_ppb (ppb of x, i.e. per nominal second). */
static double hold_of(double e_ppb, const struct servo_limits *lim)
{
	return -e_ppb * (1 + lim->ff_ppb * 1e-9) / (1 + e_ppb * 1e-9);
}

/*
 * Least squares u = a + e x + lat g over all stored points. lat is
 * fitted when the applied frequency varied enough to resolve it (and the
 * system is well conditioned), else the last estimate is used.
 * Returns 0 if the points span too little time, 1 for a hold still
 * ambiguous with latency, 2 for a good one.
 */
static int fit_hold(struct planner *pl, const struct servo_limits *lim, double *hold)
{
	double lat = pl->lat_s, lat_max = LAT_MAX_FRAC * land_time(lim), det, span;
	struct sums z;
	int oldest, good = 2;

	if (pl->n < 2)
		return 0;
	oldest = (pl->head - pl->n + 1 + PLANNER_POINTS) % PLANNER_POINTS;
	span = pl->t[pl->head] - pl->t[oldest];
	if (span < fmax(SPAN_MIN_FRAC * lim->interval_s, SPAN_MIN_S))
		return 0;
	sum_points(pl, &z);
	if (!(z.tt > 0))
		return 0;
	det = z.tt * z.gg - z.tg * z.tg;
	if (z.g_hi - z.g_lo >= LAT_MIN_DF_PPB) {
		/* lat is resolved by the part of g that t does not explain:
		 * its error is the noise over sqrt(det / tt). */
		if (pl->n >= 3 && det >= LAT_MIN_DF_PPB * LAT_MIN_DF_PPB * z.tt) {
			lat = (z.gu * z.tt - z.tu * z.tg) / det;
			pl->lat_s = fmin(fmax(lat, 0), lat_max);
			pl->lat_known = true;
			lat = pl->lat_s;
		} else if (!pl->lat_known &&
			   LAT_PLAUSIBLE_S * (z.g_hi - z.g_lo) > HOLD_TOL_PPB * span) {
			/* Two points at very different frequencies: hold
			 * and latency cannot be told apart yet. */
			good = 1;
		}
	}
	*hold = hold_of((z.tu - lat * z.tg) / z.tt, lim);
	return good;
}

/*
 * Hold estimate: the fit, else the prior. Returns true if the estimate
 * is good enough to land on (a clean fit or a measured prior).
 */
static bool estimate_hold(struct planner *pl, const struct servo_limits *lim, double *hold)
{
	double h;
	int q = fit_hold(pl, lim, &h);

	if (q == 2 || (q == 1 && !pl->prior_good)) {
		*hold = h;
		return q == 2;
	}
	*hold = pl->prior_ppb;
	return pl->prior_good;
}

/*
 * Without a measured hold (cold start, offset too small for a cap phase
 * to give a baseline), spend one interval removing all but a margin the
 * unknown natural error cannot cross; the interval gives the baseline.
 */
static void plan_blind(struct planner *pl, double offset_ns, double hold,
		       const struct servo_limits *lim, struct planner_out *po)
{
	double gain = servo_gain(hold, lim->ff_ppb), l = lim->interval_s;
	double tail = gain * (pl->last_freq_ppb - hold) * pl->lat_s, keep = UNKNOWN_PPB * l;

	/* The frequency in effect runs on for the latency: add what that
	 * does when the latency is known, keep a margin for it if not. */
	if (pl->lat_known)
		offset_ns += tail;
	else
		keep += fabs(pl->last_freq_ppb - hold) * LAT_PLAUSIBLE_S;
	keep = fmin(fabs(offset_ns), keep);
	offset_ns -= offset_ns > 0 ? keep : -keep;
	po->freq_ppb = servo_clamp(hold - offset_ns / (gain * l), lim, &po->clamped);
	po->next_s = l;
	po->left_s = l + land_time(lim);
	pl->landing = false;
}

/* Offset to leave for the landing: LAND_TIME at the landing rate, plus
 * what the cap removes during the latency and twice the timer lateness. */
static double land_margin(const struct planner *pl, double speed, const struct servo_limits *lim)
{
	return fmin(land_rate(lim), 0.5 * speed) * land_time(lim) +
		speed * (pl->lat_s + 2 * lim->late_s);
}

static void plan_land(struct planner *pl, double offset_ns, double hold,
		      double speed, const struct servo_limits *lim, struct planner_out *po)
{
	double rate = fmin(land_rate(lim), 0.5 * speed), rl = land_margin(pl, speed, lim);
	double gain = servo_gain(hold, lim->ff_ppb), lt = land_time(lim);
	double late = fmax(lim->late_s, LAND_LATE_MIN_S), l, o, keep = 0, fin;

	/* The frequency now in effect runs on for lat after this sample, and
	 * the landing's for lat after the next: land at next sample + lat,
	 * where the tracking's first frequency takes over. */
	offset_ns += gain * (pl->last_freq_ppb - hold) * pl->lat_s;
	o = fabs(offset_ns);
	/* A leg removing o in lt misses by (o / lt) x the timing error: the
	 * final one may start from fin at most. From further, a first leg
	 * stops at fin / 2 at a rate whose miss stays under half that. */
	fin = lt * LAND_ERR_NS / late;
	if (o > fin) {
		keep = 0.5 * fin;
		rate = fmin(rate, 0.5 * keep / late);
		o -= keep;
	}
	/* The margin at the landing rate, anything beyond it (a sample that
	 * came early, a first sample already close) at the cap's speed. */
	l = fmax(lt, fmin(o, rl) / rate) + fmax(0, o - rl) / speed;
	/* Longer than an interval: go at the plan's mean rate, plan again. */
	pl->landing = keep == 0 && l <= lim->interval_s;
	po->freq_ppb = servo_clamp(hold - copysign(o, offset_ns) / (gain * l), lim, &po->clamped);
	po->next_s = fmin(l, lim->interval_s);
	po->left_s = l + (keep > 0 ? lt : 0);
}

static void plan(struct planner *pl, double offset_ns, double hold, bool good,
		 const struct servo_limits *lim, struct planner_out *po)
{
	double interval = lim->interval_s, tmin = NEXT_MIN_FRAC * interval;
	double limit = offset_ns > 0 ? lim->lo_ppb : lim->hi_ppb;
	double speed = servo_gain(hold, lim->ff_ppb) * fabs(hold - limit), t_end;

	if ((offset_ns > 0) != (hold > limit) || speed <= 0) {
		/* The cap cannot even hold the clock: push as hard as allowed. */
		po->freq_ppb = limit;
		po->clamped = true;
		po->next_s = lim->interval_s;
		po->left_s = NO_END_S;
		pl->landing = false;
		return;
	}
	if (good) {
		t_end = (fabs(offset_ns) - land_margin(pl, speed, lim)) / speed;
	} else {
		/* The clock may run toward zero by up to UNKNOWN_PPB more
		 * than assumed: stop the cap where a blind interval can
		 * still take over without crossing. */
		t_end = (fabs(offset_ns) - fmax(land_margin(pl, speed, lim),
						UNKNOWN_PPB * interval)) / (speed + UNKNOWN_PPB);
	}
	if (t_end < tmin) {
		if (good)
			plan_land(pl, offset_ns, hold, speed, lim, po);
		else
			plan_blind(pl, offset_ns, hold, lim, po);
		return;
	}
	po->freq_ppb = limit;
	po->clamped = true;
	po->left_s = fabs(offset_ns) / speed + land_time(lim);
	pl->landing = false;
	/* Two samples at the cap before landing resolve the latency. */
	if (pl->n < 3 && t_end <= interval && 0.5 * t_end >= tmin)
		po->next_s = 0.5 * t_end;
	else if (t_end <= interval)
		po->next_s = t_end;
	else if (t_end < interval + tmin)
		po->next_s = 0.5 * t_end;
	else
		po->next_s = interval;
}

void planner_sample(struct planner *pl, double offset_ns, double t_s,
		    const struct servo_limits *lim_in, struct planner_out *po)
{
	const struct servo_limits lim0 = *lim_in, *lim = &lim0;
	struct servo_limits lim1;
	double hold;
	bool good;

	*po = (struct planner_out){ 0 };
	if (pl->n > 0) {
		pl->acc_ns += pl->last_freq_ppb * (t_s - pl->last_t_s);
		pl->x_s += (t_s - pl->last_t_s) *
			(1 + (pl->last_freq_ppb + lim->ff_ppb) * 1e-9);
	} else {
		pl->x_s = t_s;
	}
	/* A point's u is off by lat * g: g = F_start - F applied before it. */
	push(pl, t_s, offset_ns - pl->acc_ns, pl->start_freq_ppb - pl->last_freq_ppb);
	pl->last_t_s = t_s;
	good = estimate_hold(pl, &lim0, &hold);
	/* the cap is a rate around the natural frequency: centre it on
	 * this sample's estimate */
	lim = &lim1;
	lim1 = lim0;
	servo_limits_at(&lim1, hold);
	pl->have_hold = true;
	pl->hold_good = good;
	pl->hold_ppb = hold;
	po->hold_ppb = hold;
	po->lat_s = pl->lat_s;
	if (pl->landing && good && fabs(offset_ns) < 0.5 * lim->engage_ns) {
		po->done = true;
		po->freq_ppb = servo_clamp(hold, lim, &po->clamped);
		/* The landing frequency runs on for lat. */
		po->handover_offset_ns = offset_ns + servo_gain(hold, lim->ff_ppb) *
			(pl->last_freq_ppb - hold) * pl->lat_s;
		return;
	}
	plan(pl, offset_ns, hold, good, lim, po);
	pl->last_freq_ppb = po->freq_ppb;
}
