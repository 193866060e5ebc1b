/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Min-delay selection, median/MAD outlier rejection and averaging of the
 * readings of one clock comparison. See sample_filter.h for the method.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "servo/sample_filter.h"

#define MAD_SIGMA	1.4826	/* MAD of a gaussian, in sigmas */
#define MAD_LIMIT	4.0	/* reject beyond this many sigmas */
#define MIN_KEEP	3
#define DELAY_TOL_NS	50	/* delays this close to the minimum count as equal */
#define DELAY_TOL_FRAC	0.125	/* ... or this fraction of the minimum */

/* Stable insertion sort of indices by delay. */
static void sort_by_delay(const struct clock_reading *r, int n, int *ix)
{
	int i, j, v;

	for (i = 0; i < n; i++) {
		v = i;
		for (j = i; j > 0 && r[ix[j - 1]].delay_ns > r[v].delay_ns; j--)
			ix[j] = ix[j - 1];
		ix[j] = v;
	}
}

/*
 * How many of the readings, sorted by delay, to keep: those within
 * max(DELAY_TOL_NS, DELAY_TOL_FRAC x min_delay) of the smallest delay,
 * but at least MIN_KEEP (the median needs company to vote a wild reading
 * out). Extra delay d moves a reading's midpoint at most d / 2 from its
 * latch, so a kept reading adds at most tol / 2 of bias.
 */
static int keep_count(const struct clock_reading *r, int n, const int *ix)
{
	int64_t d0 = r[ix[0]].delay_ns;
	double tol = fmax(DELAY_TOL_NS, DELAY_TOL_FRAC * (double)d0);
	int k = 1;

	while (k < n && (double)(r[ix[k]].delay_ns - d0) <= tol)
		k++;
	return k < MIN_KEEP ? (n < MIN_KEEP ? n : MIN_KEEP) : k;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n-1] (sorts v); the lower middle's midpoint for even n. */
static int64_t median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	if (n % 2)
		return v[n / 2];
	/* Values lie within +-2^62 (checked), so differences fit. */
	return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static double dist(int64_t a, int64_t b)
{
	return fabs((double)(a - b));
}

static bool in_range(int64_t v)
{
	return v < SAMPLE_FILTER_LIMIT_NS && v > -SAMPLE_FILTER_LIMIT_NS;
}

/* 0, -EINVAL (malformed) or -ERANGE (a value past 2^62 ns). */
static int check_readings(const struct clock_reading *r, int n)
{
	int i;

	if (!r || n < 1 || n > SAMPLE_FILTER_MAX_READINGS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (r[i].delay_ns < 0)
			return -EINVAL;
		if (!in_range(r[i].offset_ns) || !in_range(r[i].ref_ns) ||
		    !in_range(r[i].delay_ns))
			return -ERANGE;
	}
	return 0;
}

int sample_filter(const struct clock_reading *r, int n, struct sample_filter_out *out)
{
	int64_t v[SAMPLE_FILTER_MAX_READINGS], med, ref0;
	int ix[SAMPLE_FILTER_MAX_READINGS];
	double tol, sum_off = 0, sum_ref = 0;
	int i, k, used = 0, first = -1;

	if (!out)
		return -EINVAL;
	i = check_readings(r, n);
	if (i < 0)
		return i;
	sort_by_delay(r, n, ix);
	k = keep_count(r, n, ix);
	for (i = 0; i < k; i++)
		v[i] = r[ix[i]].offset_ns;
	med = median(v, k);
	for (i = 0; i < k; i++)
		v[i] = r[ix[i]].offset_ns > med ? r[ix[i]].offset_ns - med : med - r[ix[i]].offset_ns;
	tol = fmax(MAD_LIMIT * MAD_SIGMA * (double)median(v, k),
		   fmax(0.5 * (double)r[ix[0]].delay_ns, 1.0));
	ref0 = r[ix[0]].ref_ns;
	for (i = 0; i < k; i++) {
		const struct clock_reading *c = &r[ix[i]];

		if (dist(c->offset_ns, med) > tol)
			continue;
		if (first < 0)
			first = ix[i];
		sum_off += (double)(c->offset_ns - med);
		sum_ref += (double)(c->ref_ns - ref0);
		used++;
	}
	/* At least half the kept readings lie within the MAD of the median,
	 * hence within tol: used >= 1. */
	out->offset_ns = med + (int64_t)llround(sum_off / used);
	out->ref_ns = ref0 + (int64_t)llround(sum_ref / used);
	out->delay_ns = r[first].delay_ns;
	out->n_used = used;
	return used;
}
