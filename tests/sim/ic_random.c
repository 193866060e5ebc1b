// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Randomness from the seed: getrandom() and getentropy() are served from
 * the simulator's own stream (seed, "random"), so a program that draws
 * random numbers (chronyd's poll jitter and transmit timestamp fuzz) runs
 * the same way on every run with the same seed. Nothing under the
 * simulator may rely on them being secret.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "tests/sim/sim.h"

static struct prng *stream(struct sim *s)
{
	static struct prng p;	/* process-wide, like the kernel's pool */
	static bool seeded;

	if (!seeded) {
		prng_seed(&p, s->w->seed, 0x72616e64);	/* "rand" */
		seeded = true;
	}
	return &p;
}

static void fill(struct sim *s, unsigned char *buf, size_t n)
{
	struct prng *p = stream(s);

	while (n) {
		uint64_t v = prng_u64(p);
		size_t c = n < sizeof(v) ? n : sizeof(v);

		memcpy(buf, &v, c);
		buf += c;
		n -= c;
	}
}

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	struct sim *s = sim_get();

	if (!s) {
		real_init();
		return real.getrandom(buf, n, flags);
	}
	fill(s, buf, n);
	return (ssize_t)n;
}

int getentropy(void *buf, size_t n)
{
	struct sim *s = sim_get();

	if (!s) {
		real_init();
		return real.getentropy(buf, n);
	}
	if (n > 256) {
		errno = EIO;
		return -1;
	}
	fill(s, buf, n);
	return 0;
}
