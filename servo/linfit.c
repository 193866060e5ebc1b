/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least-squares straight line through the newest points of a ring buffer.
 * Two passes (means first, then centred sums) so that offsets of 1e9 ns
 * and times of days keep full precision.
 */
#include <errno.h>
#include <math.h>

#include "servo/servo_priv.h"

int linfit_ring(const double *xs, const double *ys, int cap, int head, int n,
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
