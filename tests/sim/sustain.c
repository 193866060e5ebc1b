// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sustained peak of a piecewise-linear offset (see sustain.h). The
 * held interval [l, l + H] slides while its right end runs along the newest
 * segment; its left end crosses the older segments one after the other.
 * For each such stretch the value is min(|L|, |R|, C): L the offset at the
 * left end, R at the right end (both linear in l), C the smallest |value|
 * at the change points between them. A jump is a change point with two
 * values; "between" is taken as the limit from inside, so the result is the
 * supremum (an interval may start just after a jump or end just before).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/sustain.h"

struct spt {
	int64_t t;
	double vb, va;		/* value arriving (end of the previous segment), leaving */
	double mn;		/* smallest |value| taken at t (a jump takes several) */
};

struct sustain {
	int64_t hold;
	int64_t t_first;	/* start of the span */
	struct spt *pt;		/* change points of the last H (and the one before) */
	int n, cap;
	double best;		/* sup over whole intervals so far; -1: none yet */
	double min_all;		/* smallest |offset| of the span */
	bool lost;		/* out of memory: result unknown */
};

struct sustain *sustain_create(int64_t hold_ns)
{
	struct sustain *s;

	if (hold_ns <= 0 || !(s = calloc(1, sizeof(*s))))
		return NULL;
	s->hold = hold_ns;
	s->cap = 16;
	if (!(s->pt = calloc((size_t)s->cap, sizeof(*s->pt)))) {
		free(s);
		return NULL;
	}
	sustain_reset(s, 0, 0);
	return s;
}

void sustain_destroy(struct sustain *s)
{
	if (!s)
		return;
	free(s->pt);
	free(s);
}

void sustain_reset(struct sustain *s, int64_t t, double v)
{
	s->pt[0] = (struct spt){ .t = t, .vb = v, .va = v, .mn = fabs(v) };
	s->n = 1;
	s->t_first = t;
	s->best = -1;
	s->min_all = fabs(v);
	s->lost = false;
}

/* sup over x in [xa, xb] of min(|pl + ql x|, |pr + qr x|). Where one of the
 * two is the smaller it is convex, so the supremum is at xa, xb, or where
 * they are equal in magnitude (pl + ql x = +-(pr + qr x)). */
static double slide_sup(double pl, double ql, double pr, double qr, double xa, double xb)
{
	double cand[4] = { xa, xb, NAN, NAN }, best = 0;
	int i;

	if (ql != qr)
		cand[2] = (pr - pl) / (ql - qr);
	if (ql != -qr)
		cand[3] = -(pr + pl) / (ql + qr);
	for (i = 0; i < 4; i++) {
		double x = cand[i];

		if (!(x >= xa && x <= xb))	/* also drops NaN */
			continue;
		best = fmax(best, fmin(fabs(pl + ql * x), fabs(pr + qr * x)));
	}
	return best;
}

/*
 * The newest segment runs from the last point (t0, a) to (t1, b). With x =
 * l - t0 the left end of the interval, its right end l + H lies in [t0, t1]
 * and the interval starts no earlier than the span: x in [xlo, xhi].
 */
static void slide(struct sustain *s, int64_t t1, double b)
{
	const struct spt *last = &s->pt[s->n - 1];
	int64_t t0 = last->t;
	double a = last->va, hold = (double)s->hold;
	double qr = (b - a) / (double)(t1 - t0), pr = a + qr * hold;
	double xlo = fmax((double)(s->t_first - t0), -hold);
	double xhi = (double)(t1 - t0) - hold;
	double c = INFINITY;
	int k;

	if (xhi < xlo)
		return;
	/* the left end on segment k (pt[k] to pt[k + 1], or to the new point) */
	for (k = s->n - 1; k >= 0; k--) {
		const struct spt *p = &s->pt[k];
		bool newest = k + 1 == s->n;
		int64_t tn = newest ? t1 : s->pt[k + 1].t;
		double vn = newest ? b : s->pt[k + 1].vb;
		double xa = fmax(xlo, (double)(p->t - t0)), xb = fmin(xhi, (double)(tn - t0));
		double ql, pl;

		if (!newest)
			c = fmin(c, s->pt[k + 1].mn);	/* inside the interval */
		if (xb < xlo)
			break;			/* this and older ones end before */
		if (xa > xb)
			continue;
		ql = (vn - p->va) / (double)(tn - p->t);
		pl = p->va + ql * (double)(t0 - p->t);
		s->best = fmax(s->best, fmin(c, slide_sup(pl, ql, pr, qr, xa, xb)));
	}
}

/* Keep the last point at or before t (the segment the next left end starts
 * on) and everything after it. */
static void prune(struct sustain *s, int64_t t)
{
	int j = 0;

	while (j + 1 < s->n && s->pt[j + 1].t <= t)
		j++;
	if (j > 0) {
		memmove(s->pt, s->pt + j, (size_t)(s->n - j) * sizeof(*s->pt));
		s->n -= j;
	}
}

static int grow(struct sustain *s)
{
	struct spt *p;

	if (s->n < s->cap)
		return 0;
	if (!(p = realloc(s->pt, (size_t)s->cap * 2 * sizeof(*p))))
		return -ENOMEM;
	s->pt = p;
	s->cap *= 2;
	return 0;
}

int sustain_add(struct sustain *s, int64_t t, double before, double after)
{
	struct spt *last = &s->pt[s->n - 1];
	double mn = fmin(fabs(before), fabs(after));

	if (s->lost)
		return -ENOMEM;
	if (t < last->t)
		return 0;
	s->min_all = fmin(s->min_all, mn);
	if (t == last->t) {		/* another jump at the same instant */
		last->mn = fmin(last->mn, mn);
		last->va = after;
		return 0;
	}
	slide(s, t, before);
	if (grow(s)) {
		s->lost = true;
		return -ENOMEM;
	}
	s->pt[s->n++] = (struct spt){ .t = t, .vb = before, .va = after, .mn = mn };
	prune(s, t - s->hold);
	return 0;
}

double sustain_peak(const struct sustain *s)
{
	if (s->lost)
		return NAN;
	return s->best < 0 ? s->min_all : s->best;
}
