/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kalman tracking servo: a bank of Kalman-weighted straight-line fits
 * of the clock's uncorrected offset u = offset - acc (acc the integral of
 * the frequency this servo applied), candidates for rho = q^2 T^3 / sigma^2
 * = 1, 1/4, ... 4^-15; the one whose predictions of the following samples
 * erred least wins, and freq = hold - x / T removes its offset estimate x
 * by the next sample. Before 4 points, the line through the points so far
 * (or, one point after a planner handover, the planner's hold).
 * Derivation, cold start and tuning figures: doc/servo.md.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "servo/servo_priv.h"

#define LR_FITS		16	/* candidates: rho = LR_RHO_MAX / 4^i */
#define LR_RHO_MAX	1.0
#define LR_RHO_STEP	4.0
#define LR_MIN_POINTS	4	/* a candidate competes from its 4th point */
#define LR_START	LR_MIN_POINTS	/* points kept for the cold-start line */
#define LR_ERR_SMOOTH	0.01
#define LR_ERR_INITIAL	10
#define LR_START_SPAN_S	0.9	/* cold start: ~1 s of baseline before the first line */

/*
 * One candidate: the Kalman filter of state (u, slope) at time t, with
 * covariance p (in units of the measurement noise variance, so the
 * filter needs only rho), and its record as a predictor.
 */
struct lr_fit {
	double q;		/* slope wander^2 / noise^2, 1/s^3 */
	int n;			/* points taken */
	double t, u, slope;
	double puu, pus, pss;	/* covariance / sigma^2 */
	double err;		/* average squared prediction error, ns^2 */
	int err_updates;
};

struct kalman {
	double interval_s;
	double t[LR_START], u[LR_START];
	int n, head;
	double acc_ns, last_t_s, last_freq_ppb;
	double hold_ppb;
	bool measured;
	struct lr_fit fit[LR_FITS];
};

static void lr_clear(struct kalman *s)
{
	int i;

	s->n = 0;
	s->acc_ns = 0;
	for (i = 0; i < LR_FITS; i++)
		s->fit[i] = (struct lr_fit){ .q = s->fit[i].q };
}

static void *lr_create(const struct servo_params *p, double freq_ppb)
{
	struct kalman *s = calloc(1, sizeof(*s));
	double rho = LR_RHO_MAX;
	int i;

	if (!s)
		return NULL;
	s->interval_s = p->interval_s;
	s->hold_ppb = freq_ppb;
	s->last_freq_ppb = freq_ppb;
	for (i = 0; i < LR_FITS; i++, rho /= LR_RHO_STEP)
		s->fit[i].q = rho / (p->interval_s * p->interval_s * p->interval_s);
	lr_clear(s);
	return s;
}

static void lr_destroy(void *priv)
{
	free(priv);
}

/*
 * Kalman step of one candidate with the point (t_s, u). The model:
 * u(t + dt) = u + slope dt, slope(t + dt) = slope + w, w of variance
 * q dt, so the state gains Q = q [dt^3/3, dt^2/2; dt^2/2, dt]. The
 * second point starts it: the line through both, exactly.
 */
static void fit_point(struct lr_fit *f, double t_s, double u)
{
	double dt = t_s - f->t, q = f->q, a, b, d, inno, sk;

	if (f->n == 0) {
		f->u = u;
		goto out;
	}
	if (f->n == 1) {
		f->slope = (u - f->u) / dt;
		f->u = u;
		f->puu = 1;
		f->pus = 1 / dt;
		f->pss = 2 / (dt * dt);
		goto out;
	}
	a = f->puu + 2 * dt * f->pus + dt * dt * f->pss + q * dt * dt * dt / 3;
	b = f->pus + dt * f->pss + q * dt * dt / 2;
	d = f->pss + q * dt;
	inno = u - (f->u + f->slope * dt);
	sk = a + 1;
	f->u += f->slope * dt + inno * a / sk;
	f->slope += inno * b / sk;
	f->puu = a / sk;
	f->pus = b / sk;
	f->pss = d - b * b / sk;
out:
	f->t = t_s;
	f->n++;
}

static void score(struct lr_fit *f, double t_s, double u)
{
	double e;

	if (f->n < LR_MIN_POINTS)
		return;
	e = u - (f->u + f->slope * (t_s - f->t));
	e *= e;
	if (f->err_updates < LR_ERR_INITIAL) {
		f->err = (f->err * f->err_updates + e) / (f->err_updates + 1);
		f->err_updates++;
	} else {
		f->err += LR_ERR_SMOOTH * (e - f->err);
	}
}

/* The candidate with the smallest error; the shortest memory until the
 * errors have a record; -1 if none has its points yet. */
static int best_fit(const struct kalman *s)
{
	double best_err = 0;
	int i, best = -1;

	for (i = 0; i < LR_FITS; i++) {
		const struct lr_fit *f = &s->fit[i];

		if (f->n < LR_MIN_POINTS)
			continue;
		if (best < 0 || (f->err_updates >= LR_ERR_INITIAL && f->err < best_err)) {
			best = i;
			best_err = f->err;
		}
	}
	return best;
}

/* Offset estimate and hold from the best candidate, or from what there is. */
/* Least-squares straight line y = a + b (x - x_ref) through the newest
 * points of a ring buffer. Two passes (means first, then centred sums) so
 * that offsets of 1e9 ns and times of days keep full precision. */
struct linfit {
	double a;	/* fitted y at x_ref */
	double b;	/* slope, y units per x unit */
	int n;		/* points used */
};

/* Fit the last n of the points held in a ring buffer (xs, ys of size cap,
 * newest at index head). 0, or -EINVAL if n < 2 or the x values do not spread. */
static int linfit_ring(const double *xs, const double *ys, int cap, int head, int n,
		double x_ref, struct linfit *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, dx, dy;
	int i, k;

	if (n < 2 || n > cap)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		k = (head - i + cap) % cap;
		mx += xs[k] - x_ref;
		my += ys[k];
	}
	mx /= n;
	my /= n;
	for (i = 0; i < n; i++) {
		k = (head - i + cap) % cap;
		dx = xs[k] - x_ref - mx;
		dy = ys[k] - my;
		sxx += dx * dx;
		sxy += dx * dy;
	}
	/* Points closer than a microsecond carry no slope information. */
	if (!(sxx > 1e-12 * n))
		return -EINVAL;
	out->b = sxy / sxx;
	out->a = my - out->b * mx;
	out->n = n;
	return 0;
}


static double estimate(struct kalman *s, double offset_ns, double t_s)
{
	struct linfit lf;
	int b = best_fit(s);

	if (b >= 0) {
		s->hold_ppb = -s->fit[b].slope;
		s->measured = true;
		return s->fit[b].u + s->acc_ns;
	}
	if (s->n >= 2 &&
	    t_s - s->t[(s->head - s->n + 1 + LR_START) % LR_START] >= LR_START_SPAN_S &&
	    linfit_ring(s->t, s->u, LR_START, s->head, s->n, t_s, &lf) == 0) {
		s->hold_ppb = -lf.b;
		s->measured = true;
		return lf.a + s->acc_ns;
	}
	return offset_ns;
}

static double lr_sample(void *priv, double offset_ns, double t_s,
			const struct servo_limits *lim, bool *clamped)
{
	struct kalman *s = priv;
	double u, x, freq;
	int i;

	if (s->n > 0) {
		if (!(t_s > s->last_t_s)) {
			*clamped = false;
			return s->last_freq_ppb;
		}
		s->acc_ns += s->last_freq_ppb * (t_s - s->last_t_s);
	}
	u = offset_ns - s->acc_ns;
	for (i = 0; i < LR_FITS; i++) {
		score(&s->fit[i], t_s, u);
		fit_point(&s->fit[i], t_s, u);
	}
	s->head = (s->head + 1) % LR_START;
	s->t[s->head] = t_s;
	s->u[s->head] = u;
	if (s->n < LR_START)
		s->n++;
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
	struct kalman *s = priv;

	/* Count the step as applied correction: u stays continuous. */
	s->acc_ns += step_ns;
}

static void lr_start(void *priv, double hold_ppb)
{
	struct kalman *s = priv;

	lr_clear(s);
	s->hold_ppb = hold_ppb;
	s->measured = true;
}

static bool lr_hold(const void *priv, double *hold_ppb)
{
	const struct kalman *s = priv;

	*hold_ppb = s->hold_ppb;
	return s->measured;
}

const struct servo_algo_ops servo_kalman_ops = {
	.name = "kalman",
	.create = lr_create,
	.destroy = lr_destroy,
	.sample = lr_sample,
	.reset = lr_reset,
	.stepped = lr_stepped,
	.start = lr_start,
	.hold = lr_hold,
};
