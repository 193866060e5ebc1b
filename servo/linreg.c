/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linear-regression tracking servo: straight-line fits of the clock's
 * uncorrected offset over adaptive windows, the window chosen by how well
 * it predicted the samples that followed (linuxptp's linreg.c has the
 * idea, with boxcar windows of 4 ... 128 points).
 *
 * Points are (t, u) with u = offset - acc, acc being the integral of the
 * frequency this servo applied (servo space), so u is the offset the clock
 * would have without correction: a line of slope -hold plus wander.
 *
 * Windows. Each candidate is a weighted least-squares line whose weights
 * fade with age as the Kalman filter of this very model prescribes: u
 * measured with white noise sigma, its slope a random walk of q (the
 * clock's frequency wander). That filter is the best linear predictor of
 * u, and its gains depend only on rho = q^2 T^3 / sigma^2 (T the nominal
 * interval), so the candidates are Kalman filters for rho = 1, 1/4, ...,
 * 4^-15: memories of about 3 to 600 samples. Each is started from the
 * exact line through its first two points (no prior), so early on it is
 * the plain least-squares line through all points so far. Before a new
 * point joins, each candidate predicts it, and an exponential average
 * (over ~100 samples) of the squared prediction error ranks them; the
 * smallest error wins (a short memory follows wander, a long one averages
 * noise: the prediction error measures both, and its square adds the
 * measurement noise as a common constant). Then
 *	hold   = -slope
 *	offset estimate x = fitted u now + acc
 *	freq   = hold - x / T
 * i.e. the estimated offset is removed by the next sample; with that
 * dead-beat correction the true offset is the line's prediction error,
 * which is what the choice minimises. Removing only a fraction of x per
 * interval (as chrony's gradual correction does) is worse with an
 * estimate that is already filtered: it leaves the known part of the
 * error in the clock for longer (see "Tuning").
 *
 * Tuning (gnomon-sim, tests/sim/scenarios/sysclk_steady.scn: 20 ppm,
 * 1 ppb/sqrt(s) wander, 100 ns per reading, 9 readings averaged into a
 * 33 ns sample, 1 Hz, RMS from 600 s to 3600 s, mean of seeds 1-5): the
 * Kalman bound is 17.3 ns; the Kalman gains given to the PI reach
 * 17.4 ns, this bank 17.7 ns without being told noise or wander (an
 * error average over 200 samples instead of 100: 17.5 ns, but slower to
 * follow a change of regime). Boxcar windows of 4 ... 128 points gave
 * 19.0 ns (their best single width, about 20 points, 18.7 ns); removing
 * 0.8 or 0.6 of x per interval 19.2 and 19.5 ns; chronyd (10 readings a
 * second, bound 16.6 ns) 18.2 ns.
 *
 * Before 4 points: the line through the points so far once they span
 * about 1 s, else (one point after a planner handover, whose hold is
 * known) freq = hold - offset / T. So a hold the planner got wrong is
 * corrected from the second sample after the handover, not the fourth:
 * with a 1 ppm error the offset would otherwise sit at ~1 us for three
 * intervals. The two-point line costs sqrt(2) sigma / T of hold noise
 * for two intervals (about 60 ns of offset with 45 ns of noise).
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

struct linreg {
	double interval_s;
	double t[LR_START], u[LR_START];
	int n, head;
	double acc_ns, last_t_s, last_freq_ppb;
	double hold_ppb;
	bool measured;
	struct lr_fit fit[LR_FITS];
};

static void lr_clear(struct linreg *s)
{
	int i;

	s->n = 0;
	s->acc_ns = 0;
	for (i = 0; i < LR_FITS; i++)
		s->fit[i] = (struct lr_fit){ .q = s->fit[i].q };
}

static void *lr_create(const struct servo_params *p, double freq_ppb)
{
	struct linreg *s = calloc(1, sizeof(*s));
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
static int best_fit(const struct linreg *s)
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


static double estimate(struct linreg *s, double offset_ns, double t_s)
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
	struct linreg *s = priv;
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
