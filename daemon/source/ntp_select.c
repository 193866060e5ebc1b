/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The intersection algorithm of RFC 5905 section 11.2.1 (after Marzullo),
 * written from the RFC's description: each candidate contributes its
 * lower and upper edge; for f = 0, 1, ... falsetickers allowed (f < n / 2),
 * scan up for the lowest point covered by n - f intervals and down for the
 * highest one; the intersection holds when low <= high. The RFC's further
 * condition (no more than f midpoints outside the interval) is left out,
 * as chrony leaves it out: it rejects truechimers whose interval contains
 * the truth but whose midpoint lies outside the (narrow) intersection, and
 * with four LAN servers that made no majority at all in random tests.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "daemon/source/ntp_select.h"

struct edge {
	int64_t v;
	int type;	/* -1 lower edge, +1 upper edge */
};

static int edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->type - y->type;	/* lower edges first: touching intervals meet */
}

/* one try with f falsetickers allowed: true and [low, high] when it holds */
static bool intersect(const struct edge *e, int m, int n, int f, int64_t *low, int64_t *high)
{
	int chime = 0, i;

	for (i = 0; i < m; i++) {
		chime -= e[i].type;
		if (chime >= n - f) {
			*low = e[i].v;
			break;
		}
	}
	if (i == m)
		return false;
	chime = 0;
	for (i = m - 1; i >= 0; i--) {
		chime += e[i].type;
		if (chime >= n - f) {
			*high = e[i].v;
			break;
		}
	}
	return i >= 0 && *low <= *high;
}

static void combine(const struct ntp_cand *c, int n, const bool *t, struct ntp_select_out *out)
{
	double w = 0, x = 0, d = 0;

	for (int i = 0; i < n; i++) {
		double wi;

		if (!t[i])
			continue;
		wi = 1.0 / (double)(c[i].dist_ns > 0 ? c[i].dist_ns : 1);
		w += wi;
		x += wi * (double)c[i].offset_ns;
		d += wi * (double)c[i].dist_ns;
	}
	out->offset_ns = (int64_t)llround(x / w);
	out->dist_ns = (int64_t)llround(d / w);
}

int ntp_select(const struct ntp_cand *c, int n, bool *truechimer, struct ntp_select_out *out)
{
	struct edge e[2 * NTP_SELECT_MAX];
	int64_t low = 0, high = 0;
	int f, m = 0;

	if (n < 1 || n > NTP_SELECT_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		int64_t d = c[i].dist_ns > 0 ? c[i].dist_ns : 1;

		truechimer[i] = false;
		e[m++] = (struct edge){ c[i].offset_ns - d, -1 };
		e[m++] = (struct edge){ c[i].offset_ns + d, +1 };
	}
	qsort(e, (size_t)m, sizeof(e[0]), edge_cmp);
	for (f = 0; 2 * f < n; f++)
		if (intersect(e, m, n, f, &low, &high))
			break;
	if (2 * f >= n)
		return -EDOM;
	out->survivors = 0;
	for (int i = 0; i < n; i++) {
		int64_t d = c[i].dist_ns > 0 ? c[i].dist_ns : 1;

		truechimer[i] = c[i].offset_ns - d <= high && c[i].offset_ns + d >= low;
		out->survivors += truechimer[i];
	}
	out->low_ns = low;
	out->high_ns = high;
	combine(c, n, truechimer, out);
	return out->survivors;
}
