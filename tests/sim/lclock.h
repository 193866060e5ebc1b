/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file lclock.h
 * A clock that is linear in true time between change points: value(t) =
 * v_a + frac + (t - t_a) * (1 + rate). Values are int64 ns plus a sub-ns
 * fraction, re-anchored at every change so rounding never accumulates.
 */
#ifndef GNOMON_SIM_LCLOCK_H
#define GNOMON_SIM_LCLOCK_H

#include <math.h>
#include <stdint.h>

struct lclock {
	int64_t t_a;	/**< true time of the anchor, ns */
	int64_t v_a;	/**< clock value at the anchor, whole ns */
	double frac;	/**< sub-ns part of the value at the anchor, [0, 1) */
	double rate;	/**< relative rate error: +1e-6 runs 1 ppm fast */
};

static inline void lclock_init(struct lclock *c, int64_t t, int64_t v, double rate)
{
	c->t_a = t;
	c->v_a = v;
	c->frac = 0.0;
	c->rate = rate;
}

/** Move the anchor to true time t (t >= t_a). */
static inline void lclock_rebase(struct lclock *c, int64_t t)
{
	int64_t d = t - c->t_a;
	double x = (double)d * c->rate + c->frac, fl = floor(x);

	c->v_a += d + (int64_t)fl;
	c->frac = x - fl;
	c->t_a = t;
}

/** Change the rate from true time t on. */
static inline void lclock_set_rate(struct lclock *c, int64_t t, double rate)
{
	lclock_rebase(c, t);
	c->rate = rate;
}

/** Add delta_ns to the clock (a step). */
static inline void lclock_step(struct lclock *c, int64_t delta_ns)
{
	c->v_a += delta_ns;
}

/** value(t) - ref, exactly enough for sub-ns work (|result| < 2^53 ns). */
static inline double lclock_diff(const struct lclock *c, int64_t t, int64_t ref)
{
	int64_t d = t - c->t_a;

	return (double)(c->v_a - ref + d) + ((double)d * c->rate + c->frac);
}

/** floor(value(t) + extra_ns): what a read returns, extra being noise. */
static inline int64_t lclock_read(const struct lclock *c, int64_t t, double extra_ns)
{
	int64_t d = t - c->t_a;

	return c->v_a + d + (int64_t)floor((double)d * c->rate + c->frac + extra_ns);
}

/**
 * The first true time >= t at which value >= target (the clock is
 * increasing: rate > -1).
 */
static inline int64_t lclock_when(const struct lclock *c, int64_t t, int64_t target)
{
	double need = -lclock_diff(c, t, target);	/* target - value(t) */
	int64_t d;

	if (need <= 0)
		return t;
	if (need > 9e18)
		return INT64_MAX;
	d = (int64_t)ceil(need / (1.0 + c->rate));
	while (lclock_read(c, t + d, 0.0) < target)
		d++;
	return t + d;
}

#endif
