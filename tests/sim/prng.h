/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file prng.h
 * The simulator's own seeded random numbers: xoshiro256** seeded through
 * splitmix64, one independent stream per (seed, stream id), so that the
 * world's random walk does not depend on how often the program reads.
 * Never rand(): same seed, same numbers, on every libc.
 */
#ifndef GNOMON_SIM_PRNG_H
#define GNOMON_SIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

struct prng {
	uint64_t s[4];
	bool have_spare;
	double spare;
};

/** Seed stream @p stream of run seed @p seed. */
void prng_seed(struct prng *p, uint64_t seed, uint64_t stream);
/** Next 64 random bits. */
uint64_t prng_u64(struct prng *p);
/** Uniform double in (0, 1]. */
double prng_uniform(struct prng *p);
/** Standard normal deviate (Box-Muller), mean 0, sigma 1. */
double prng_gauss(struct prng *p);
/** Exponential deviate with the given mean (>= 0). */
double prng_exp(struct prng *p, double mean);

#endif
