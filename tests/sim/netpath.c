// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A path direction's packet fates. Every packet takes the same number of
 * draws from its stream whatever happens to it (loss, jitter, reordering),
 * so a change of one parameter does not reshuffle the others' numbers.
 * Normal jitter is truncated (redrawn while the delay would be negative).
 */
#include <math.h>

#include "tests/sim/netpath.h"

void netpath_init(struct netpath *p, const struct sc_path_dir *sc, uint64_t seed,
		  uint64_t stream)
{
	p->sc = sc;
	p->route_ns = 0.0;
	p->outage = false;
	prng_seed(&p->rng, seed, stream);
}

static double jitter(struct netpath *p, double base)
{
	const struct sc_path_dir *d = p->sc;
	double j;
	int tries = 0;

	if (d->jitter_ns <= 0)
		return 0.0;
	if (d->dist == SC_JIT_EXP)
		return prng_exp(&p->rng, d->jitter_ns);
	do
		j = d->jitter_ns * prng_gauss(&p->rng);
	while (base + j < 0 && ++tries < 100);
	return base + j < 0 ? -base : j;
}

enum netpath_fate netpath_draw(struct netpath *p, int64_t *delay_ns)
{
	const struct sc_path_dir *d = p->sc;
	double u_loss = prng_uniform(&p->rng), u_reorder = prng_uniform(&p->rng);
	double base = d->delay_ns + p->route_ns, x;

	if (base < 0)
		base = 0;
	x = base + jitter(p, base);
	if (u_reorder <= d->reorder)
		x += d->reorder_ns;
	*delay_ns = llround(x);
	if (p->outage)
		return NETPATH_OUTAGE;
	return u_loss <= d->loss ? NETPATH_LOST : NETPATH_OK;
}
