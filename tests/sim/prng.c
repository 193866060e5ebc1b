// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xoshiro256** (Blackman & Vigna, public domain algorithm), seeded with
 * splitmix64 as its authors recommend.
 */
#include <math.h>

#include "tests/sim/prng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prng_seed(struct prng *p, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);
	int i;

	for (i = 0; i < 4; i++)
		p->s[i] = splitmix64(&x);
	p->have_spare = false;
	p->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t prng_u64(struct prng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double prng_uniform(struct prng *p)
{
	/* 53 random bits -> [0, 1), then flip to (0, 1] so log() is safe. */
	return 1.0 - (double)(prng_u64(p) >> 11) * 0x1.0p-53;
}

double prng_gauss(struct prng *p)
{
	double u1, u2, r;

	if (p->have_spare) {
		p->have_spare = false;
		return p->spare;
	}
	u1 = prng_uniform(p);
	u2 = prng_uniform(p);
	r = sqrt(-2.0 * log(u1));
	p->spare = r * sin(2.0 * M_PI * u2);
	p->have_spare = true;
	return r * cos(2.0 * M_PI * u2);
}

double prng_exp(struct prng *p, double mean)
{
	if (mean <= 0.0)
		return 0.0;
	return -mean * log(prng_uniform(p));
}
