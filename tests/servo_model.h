/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file servo_model.h
 * Pieces of the servo's closed-loop clock model shared by its unit tests
 * (tests/unit/test_servo_loop.c) and its benchmark (tests/bench/servo_bench.c):
 * a seeded noise source, the kernel's multiplicative rate model, and the
 * interpolated threshold crossing that recovery times are measured with.
 * Header-only (static inline): each program links its own copy.
 */
#ifndef GNOMON_TESTS_SERVO_MODEL_H
#define GNOMON_TESTS_SERVO_MODEL_H

#include <math.h>
#include <stdint.h>

/** splitmix64: the next 64 random bits of the stream *x. */
static inline uint64_t model_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/** Uniform in (0, 1), never 0 (log() of it is finite). */
static inline double model_uniform(uint64_t *x)
{
	return ((double)(model_splitmix(x) >> 11) + 0.5) / 9007199254740992.0;
}

/** Standard normal (Box-Muller). The two draws are sequenced explicitly:
 *  the order of operand evaluation within one expression is unspecified. */
static inline double model_gauss(uint64_t *x)
{
	double u1 = model_uniform(x);
	double u2 = model_uniform(x);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/**
 * The clock's rate against the reference, minus 1, ppb: the correction
 * scales the oscillator (the kernel's NTP rate multiplies the
 * clocksource's), so it is not a plain sum.
 */
static inline double model_clock_rate_ppb(double nat_ppb, double freq_ppb)
{
	return nat_ppb + freq_ppb + nat_ppb * freq_ppb * 1e-9;
}

/**
 * Over a linear stretch of offset from (ta, oa) to (tb, ob): the last time
 * |offset| was at or above x (interpolated where it crosses), or prev if it
 * stayed below x throughout.
 */
static inline double model_last_above(double ta, double oa, double tb, double ob,
				      double x, double prev)
{
	if (fabs(ob) >= x)
		return tb;
	if (fabs(oa) >= x)
		return ta + ((oa > 0 ? x : -x) - oa) / (ob - oa) * (tb - ta);
	return prev;
}

#endif
