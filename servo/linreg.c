/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linear-regression tracking servo, shaped like linuxptp's linreg.c.
 *
 * Points are (t, u) with u = offset - acc, acc being the integral of the
 * frequency this servo applied (servo space), so u is the offset the clock
 * would have without correction: a line of slope -hold plus wander. For
 * each window of the newest 4, 8, ..., 128 points a least-squares line is
 * fitted; before a new point joins, each window's line predicts it, and an
 * exponential average (over ~100 samples) of the squared prediction error
 * ranks the windows; the smallest error wins (a short window follows
 * wander, a long one averages noise: the prediction error measures both,
 * and its square adds the measurement noise as a common constant). Then
 *	hold   = -slope
 *	offset estimate x = fitted u now + acc
 *	freq   = hold - x / T
 * i.e. the estimated offset is removed by the next sample; with that
 * dead-beat correction the true offset is the line's prediction error,
 * which is what the window choice minimises.
 *
 * Tuning (tests/bench/servo_bench.c, 20 ppm, 1 ppb/sqrt(s) wander, 1 Hz):
 * linuxptp's choice (mean |error|, largest window within 5 %, correction
 * spread over 2-3 intervals for large windows) gives 47.5 ns RMS with
 * 100 ns noise; this one gives 40 ns (the Kalman bound there is 39 ns).
 *
 * Before 4 points: the line through the points so far once they span
 * about 1 s, else (one point after a planner handover, whose hold is
 * known) freq = hold - offset / T. So a hold the planner got wrong is
 * corrected from the second sample after the handover, not the fourth:
 * with a 1 ppm error the offset would otherwise sit at ~1 us for three
 * intervals. The two-point line costs sqrt(2) sigma / T of hold noise
 * for two intervals (about 60 ns of offset with 45 ns of noise).
 */
#include <math.h>
#include <stdlib.h>

#include "servo/servo_priv.h"

#define LR_MIN_ORDER	2	/* 4 points */
#define LR_MAX_ORDER	7	/* 128 points */
#define LR_MAX		(1 << LR_MAX_ORDER)
#define LR_SIZES	(LR_MAX_ORDER - LR_MIN_ORDER + 1)
#define LR_ERR_SMOOTH	0.01
#define LR_ERR_INITIAL	10
#define LR_ERR_EQUALS	1.0
#define LR_START_SPAN_S	0.9	/* cold start: ~1 s of baseline before the first line */

struct lr_result {
	bool valid;
	double a, b, t_ref;	/* u = a + b (t - t_ref) */
	double err;		/* average squared prediction error, ns^2 */
	int err_updates;
};

struct linreg {
	double interval_s;
	double t[LR_MAX], u[LR_MAX];
	int n, head;
	double acc_ns, last_t_s, last_freq_ppb;
	double hold_ppb;
	bool measured;
	struct lr_result res[LR_SIZES];
};

static void *lr_create(const struct servo_params *p, double freq_ppb)
{
	struct linreg *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->interval_s = p->interval_s;
	s->hold_ppb = freq_ppb;
	s->last_freq_ppb = freq_ppb;
	return s;
}

static void lr_destroy(void *priv)
{
	free(priv);
}

static void lr_clear(struct linreg *s)
{
	int i;

	s->n = 0;
	s->acc_ns = 0;
	for (i = 0; i < LR_SIZES; i++)
		s->res[i] = (struct lr_result){ 0 };
}

static void update_errors(struct linreg *s, double u, double t_s)
{
	struct lr_result *r;
	double e;
	int i;

	for (i = 0; i < LR_SIZES; i++) {
		r = &s->res[i];
		if (!r->valid)
			continue;
		e = u - (r->a + r->b * (t_s - r->t_ref));
		e *= e;
		if (r->err_updates < LR_ERR_INITIAL) {
			r->err = (r->err * r->err_updates + e) / (r->err_updates + 1);
			r->err_updates++;
		} else {
			r->err += LR_ERR_SMOOTH * (e - r->err);
		}
	}
}

static void regress(struct linreg *s, double t_s)
{
	struct linfit lf;
	int i;

	for (i = 0; i < LR_SIZES; i++) {
		if ((1 << (i + LR_MIN_ORDER)) > s->n)
			break;
		if (linfit_ring(s->t, s->u, LR_MAX, s->head, 1 << (i + LR_MIN_ORDER),
				t_s, &lf) < 0)
			continue;
		s->res[i].valid = true;
		s->res[i].a = lf.a;
		s->res[i].b = lf.b;
		s->res[i].t_ref = t_s;
	}
}

/* Largest window with (nearly) the smallest error; -1 if none yet. */
static int best_size(const struct linreg *s)
{
	double best_err = 0;
	int i, best = -1;

	for (i = 0; i < LR_SIZES; i++) {
		const struct lr_result *r = &s->res[i];

		if (!r->valid)
			continue;
		if (best < 0 || (r->err_updates >= LR_ERR_INITIAL &&
				 r->err < best_err * LR_ERR_EQUALS)) {
			best = i;
			best_err = r->err;
		}
	}
	return best;
}

/* Offset estimate and hold from the best line, or from what there is. */
static double estimate(struct linreg *s, double offset_ns, double t_s)
{
	struct linfit lf;
	int b = best_size(s);

	if (b >= 0) {
		s->hold_ppb = -s->res[b].b;
		s->measured = true;
		return s->res[b].a + s->acc_ns;
	}
	if (s->n >= 2 &&
	    t_s - s->t[(s->head - s->n + 1 + LR_MAX) % LR_MAX] >= LR_START_SPAN_S &&
	    linfit_ring(s->t, s->u, LR_MAX, s->head, s->n, t_s, &lf) == 0) {
		s->hold_ppb = -lf.b;
		s->measured = true;
		return lf.a + s->acc_ns;
	}
	return offset_ns;
}

static double lr_sample(void *priv, double offset_ns, double t_s,
			const struct servo_limits *lim, bool *clamped)
{
	struct linreg *s = priv;
	double u, x, freq;

	if (s->n > 0) {
		if (!(t_s > s->last_t_s)) {
			*clamped = false;
			return s->last_freq_ppb;
		}
		s->acc_ns += s->last_freq_ppb * (t_s - s->last_t_s);
	}
	u = offset_ns - s->acc_ns;
	update_errors(s, u, t_s);
	s->head = (s->head + 1) % LR_MAX;
	s->t[s->head] = t_s;
	s->u[s->head] = u;
	if (s->n < LR_MAX)
		s->n++;
	regress(s, t_s);
	x = estimate(s, offset_ns, t_s);
	if (s->measured)
		freq = s->hold_ppb - x / s->interval_s;
	else
		freq = s->hold_ppb;
	freq = servo_clamp(freq, lim, clamped);
	s->last_t_s = t_s;
	s->last_freq_ppb = freq;
	return freq;
}

static void lr_reset(void *priv)
{
	lr_clear(priv);
}

static void lr_stepped(void *priv, double step_ns)
{
	struct linreg *s = priv;

	/* Count the step as applied correction: u stays continuous. */
	s->acc_ns += step_ns;
}

static void lr_start(void *priv, double hold_ppb)
{
	struct linreg *s = priv;

	lr_clear(s);
	s->hold_ppb = hold_ppb;
	s->measured = true;
}

static bool lr_hold(const void *priv, double *hold_ppb)
{
	const struct linreg *s = priv;

	*hold_ppb = s->hold_ppb;
	return s->measured;
}

const struct servo_algo_ops servo_linreg_ops = {
	.name = "linreg",
	.create = lr_create,
	.destroy = lr_destroy,
	.sample = lr_sample,
	.reset = lr_reset,
	.stepped = lr_stepped,
	.start = lr_start,
	.hold = lr_hold,
};
