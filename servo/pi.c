/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proportional-integral tracking servo, shaped like linuxptp's pi.c:
 *	integ -= ki_n * offset / T,	freq = integ - kp_n * offset / T
 * with linuxptp's gains (1 s units, scaled kp T^0.7, ki T^1.4, capped at
 * 0.7 / 0.3, which keeps the loop stable). The defaults are the Kalman
 * gains for 1 ppb/sqrt(s) wander and a 33 ns sample. The first sample is
 * stored, the second gives the hold and removes the offset it shows; after
 * a planner handover the first does that with the planner's hold.
 * Stability, defaults and tuning figures: doc/servo.md.
 */
#include <math.h>
#include <stdlib.h>

#include "servo/servo_priv.h"

#define PI_KP_DEFAULT	0.217
#define PI_KI_DEFAULT	0.0265
#define PI_KP_EXP	0.7
#define PI_KI_EXP	1.4
#define PI_KP_NORM_MAX	0.7
#define PI_KI_NORM_MAX	0.3
#define HOLD_CHECK_FRAC	0.25	/* of the planner's engage threshold, see pi_start */
#define PI_START_SPAN_S	0.9	/* two-point baseline: ~1 s (100 ns noise: 140 ppb) */

struct pi {
	double kp_n, ki_n, interval_s;
	int count;		/* 0: empty, 1: one sample stored, 2: running */
	int started;		/* pi_start(): samples left of the start (2, 1, 0) */
	double last_offset_ns, last_t_s, last_freq_ppb;
	double integ_ppb;	/* hold-frequency estimate */
	bool measured;		/* integ_ppb came from measurements */
};

static void *pi_create(const struct servo_params *p, double freq_ppb)
{
	double kp = p->pi_kp > 0 ? p->pi_kp : PI_KP_DEFAULT;
	double ki = p->pi_ki > 0 ? p->pi_ki : PI_KI_DEFAULT;
	struct pi *s;

	if (!(p->pi_kp >= 0) || !(p->pi_ki >= 0) || !isfinite(kp) || !isfinite(ki))
		return NULL;
	kp = fmin(kp * pow(p->interval_s, PI_KP_EXP), PI_KP_NORM_MAX);
	ki = fmin(ki * pow(p->interval_s, PI_KI_EXP), PI_KI_NORM_MAX);
	if (!(kp > 0 && ki > 0))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->kp_n = kp;
	s->ki_n = ki;
	s->interval_s = p->interval_s;
	s->integ_ppb = freq_ppb;
	s->last_freq_ppb = freq_ppb;
	return s;
}

static void pi_destroy(void *priv)
{
	free(priv);
}

/*
 * The two samples after pi_start(): true if this one is dead-beat. The
 * first always is; the second too if its offset shows the planner's hold
 * off by more than noise (beyond HOLD_CHECK_FRAC of the engage threshold:
 * 1.25 us in 1 s, 1.25 ppm), and then the hold is taken from the two
 * samples as at a cold start. (The integrator alone would take ~40
 * samples to learn a hold error; meanwhile the offset crosses the engage
 * threshold, and a planner going on the same stale hold lands short
 * again, for ever: a 5 ppm jump of the oscillator did that.)
 */
static bool after_start(struct pi *s, double offset_ns, double dt,
			const struct servo_limits *lim, bool *clamped)
{
	int k = s->started;

	if (k == 0)
		return false;
	s->started--;
	if (k == 2)
		return true;
	if (!(fabs(offset_ns) > HOLD_CHECK_FRAC * lim->engage_ns) || !(dt > 0))
		return false;
	s->integ_ppb = servo_clamp(s->last_freq_ppb - (offset_ns - s->last_offset_ns) / dt,
				   lim, clamped);
	return true;
}

static double pi_sample(void *priv, double offset_ns, double t_s,
			const struct servo_limits *lim, bool *clamped)
{
	struct pi *s = priv;
	double dt = t_s - s->last_t_s, freq, rate;

	switch (s->count) {
	case 0:
		freq = servo_clamp(s->integ_ppb, lim, clamped);
		s->count = 1;
		goto out;
	case 1:
		if (!(dt >= PI_START_SPAN_S)) {
			/* Keep the first sample as the anchor until the
			 * baseline is long enough for a frequency. */
			*clamped = false;
			return s->last_freq_ppb;
		}
		/* d(offset)/dt = freq - hold, with freq applied during dt.
		 * The offset found then is removed dead-beat, so the PI
		 * starts from zero and has no step response to settle. */
		rate = (offset_ns - s->last_offset_ns) / dt;
		s->integ_ppb = servo_clamp(s->last_freq_ppb - rate, lim, clamped);
		s->measured = true;
		s->count = 2;
		freq = servo_clamp(s->integ_ppb - offset_ns / s->interval_s, lim, clamped);
		break;
	default:
		if (after_start(s, offset_ns, dt, lim, clamped)) {
			freq = servo_clamp(s->integ_ppb - offset_ns / s->interval_s,
					   lim, clamped);
			break;
		}
		s->integ_ppb = servo_clamp(s->integ_ppb - s->ki_n * offset_ns / s->interval_s,
					   lim, clamped);
		freq = servo_clamp(s->integ_ppb - s->kp_n * offset_ns / s->interval_s,
				   lim, clamped);
		break;
	}
out:
	s->last_offset_ns = offset_ns;
	s->last_t_s = t_s;
	s->last_freq_ppb = freq;
	return freq;
}

static void pi_reset(void *priv)
{
	struct pi *s = priv;

	s->count = 0;
	s->started = 0;
}

static void pi_stepped(void *priv, double step_ns)
{
	struct pi *s = priv;

	s->last_offset_ns += step_ns;
}

static void pi_start(void *priv, double hold_ppb)
{
	struct pi *s = priv;

	s->integ_ppb = hold_ppb;
	s->measured = true;
	s->count = 2;
	s->started = 2;
}

static bool pi_hold(const void *priv, double *hold_ppb)
{
	const struct pi *s = priv;

	*hold_ppb = s->integ_ppb;
	return s->measured;
}

const struct servo_algo_ops servo_pi_ops = {
	.name = "pi",
	.create = pi_create,
	.destroy = pi_destroy,
	.sample = pi_sample,
	.reset = pi_reset,
	.stepped = pi_stepped,
	.start = pi_start,
	.hold = pi_hold,
};
