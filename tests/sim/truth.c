// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exact statistics of piecewise-linear offsets. A segment runs from the
 * last change point (t0, o0) to the next (t1, o1); a step is a zero-length
 * jump between two segments, so momentary values count for peaks too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/sustain.h"
#include "tests/sim/truth.h"

static const double thresholds[TRUTH_NTHR] = { 1e6, 1e3 };

struct twin {
	int64_t t_open, t_ref, t_close;
	bool have_ref, closed;
	double off_ref, peak, peak_excl, max_o, min_o, close_o;
	int64_t last_above[TRUTH_NTHR];
	bool any_above[TRUTH_NTHR];
};

struct tclock {
	bool started;
	int64_t t;		/* last change point */
	double o;		/* offset from there */
	double sum2, sum1, dur_s, max_abs;	/* stats window */
	struct sustain *sus;	/* sustained peak of the open event window */
};

struct truth {
	int nclocks, maxw, nwin;
	int64_t t_stats;
	struct tclock *clk;
	struct twin *win;	/* [maxw][nclocks] */
};

struct truth *truth_create(int nclocks, int max_windows, int64_t t_stats)
{
	struct truth *tr = calloc(1, sizeof(*tr));
	int c;

	if (!tr)
		return NULL;
	tr->nclocks = nclocks;
	tr->maxw = max_windows;
	tr->t_stats = t_stats;
	tr->clk = calloc((size_t)nclocks, sizeof(*tr->clk));
	tr->win = calloc((size_t)nclocks * (size_t)max_windows, sizeof(*tr->win));
	if (!tr->clk || !tr->win)
		goto fail;
	for (c = 0; c < nclocks; c++)
		if (!(tr->clk[c].sus = sustain_create(TRUTH_HOLD_NS)))
			goto fail;
	return tr;
fail:
	truth_destroy(tr);
	return NULL;
}

void truth_destroy(struct truth *tr)
{
	int c;

	if (!tr)
		return;
	for (c = 0; tr->clk && c < tr->nclocks; c++)
		sustain_destroy(tr->clk[c].sus);
	free(tr->clk);
	free(tr->win);
	free(tr);
}

static struct twin *cur_win(struct truth *tr, int c)
{
	return tr->nwin ? &tr->win[(tr->nwin - 1) * tr->nclocks + c] : NULL;
}

static void seg_stats(struct tclock *k, int64_t t_stats, int64_t t0, double o0,
		      int64_t t1, double o1)
{
	double dt;

	if (t1 < t_stats)
		return;
	if (t0 < t_stats) {	/* cut the segment at the window's start */
		o0 += (o1 - o0) * (double)(t_stats - t0) / (double)(t1 - t0);
		t0 = t_stats;
	}
	dt = (double)(t1 - t0) * 1e-9;
	k->sum1 += dt * (o0 + o1) / 2;
	k->sum2 += dt * (o0 * o0 + o0 * o1 + o1 * o1) / 3;
	k->dur_s += dt;
	k->max_abs = fmax(k->max_abs, fmax(fabs(o0), fabs(o1)));
}

/* Latest time in [t0, t1] at which |o| >= thr; false if none. |o| is convex
 * on a segment, so it is t1 if |o1| >= thr, else the crossing out of thr. */
static bool last_above(int64_t t0, double o0, int64_t t1, double o1, double thr,
		       int64_t *t)
{
	double level;

	if (fabs(o1) >= thr) {
		*t = t1;
		return true;
	}
	if (fabs(o0) < thr)
		return false;
	level = o0 > 0 ? thr : -thr;
	*t = t0 + (int64_t)ceil((double)(t1 - t0) * (o0 - level) / (o0 - o1));
	if (*t > t1)
		*t = t1;
	return true;
}

static void seg_window(struct twin *w, int64_t t0, double o0, int64_t t1, double o1)
{
	int i;

	w->peak = fmax(w->peak, fmax(fabs(o0), fabs(o1)));
	if (w->have_ref) {
		w->max_o = fmax(w->max_o, fmax(o0, o1));
		w->min_o = fmin(w->min_o, fmin(o0, o1));
	}
	for (i = 0; i < TRUTH_NTHR; i++) {
		int64_t t;

		if (last_above(t0, o0, t1, o1, thresholds[i], &t)) {
			w->last_above[i] = t;
			w->any_above[i] = true;
		}
	}
}

void truth_record(struct truth *tr, int c, int64_t t, double before, double after)
{
	struct tclock *k = &tr->clk[c];
	struct twin *w = cur_win(tr, c);

	if (k->started) {
		if (t > k->t)
			seg_stats(k, tr->t_stats, k->t, k->o, t, before);
		else if (t >= tr->t_stats)
			k->max_abs = fmax(k->max_abs, fmax(fabs(k->o), fabs(before)));
		if (w)
			seg_window(w, k->t, k->o, t, before);
	}
	if (w) {
		seg_window(w, t, before, t, after);
		sustain_add(k->sus, t, before, after);	/* -ENOMEM shows as NaN */
	}
	if (t >= tr->t_stats)
		k->max_abs = fmax(k->max_abs, fabs(after));
	k->started = true;
	k->t = t;
	k->o = after;
}

static void close_win(struct truth *tr, int64_t t, const double *offsets)
{
	int c;

	for (c = 0; c < tr->nclocks; c++) {
		struct twin *w = cur_win(tr, c);

		truth_record(tr, c, t, offsets[c], offsets[c]);
		if (w && !w->closed) {
			w->t_close = t;
			w->close_o = offsets[c];
			w->peak_excl = sustain_peak(tr->clk[c].sus);
			w->closed = true;
		}
	}
}

int truth_open(struct truth *tr, int64_t t, const double *offsets)
{
	int c;

	if (tr->nwin >= tr->maxw)
		return -1;
	close_win(tr, t, offsets);
	tr->nwin++;
	for (c = 0; c < tr->nclocks; c++) {
		struct twin *w = &tr->win[(tr->nwin - 1) * tr->nclocks + c];

		memset(w, 0, sizeof(*w));
		w->t_open = w->t_ref = t;
		w->peak = fabs(offsets[c]);
		sustain_reset(tr->clk[c].sus, t, offsets[c]);
	}
	return tr->nwin - 1;
}

void truth_ref(struct truth *tr, int64_t t, const double *offsets)
{
	int c;

	for (c = 0; c < tr->nclocks; c++) {
		struct twin *w = cur_win(tr, c);

		truth_record(tr, c, t, offsets[c], offsets[c]);
		if (!w)
			continue;
		w->t_ref = t;
		w->have_ref = true;
		w->off_ref = w->max_o = w->min_o = offsets[c];
	}
}

void truth_finish(struct truth *tr, int64_t t, const double *offsets)
{
	close_win(tr, t, offsets);
}

int truth_nwindows(const struct truth *tr)
{
	return tr->nwin;
}

void truth_clock(const struct truth *tr, int c, struct truth_clock_res *out)
{
	const struct tclock *k = &tr->clk[c];

	memset(out, 0, sizeof(*out));
	out->final_ns = k->o;
	out->window_s = k->dur_s;
	out->max_ns = k->max_abs;
	if (k->dur_s > 0) {
		out->rms_ns = sqrt(k->sum2 / k->dur_s);
		out->mean_ns = k->sum1 / k->dur_s;
	}
}

void truth_window(const struct truth *tr, int k, int c, struct truth_event_res *out)
{
	const struct twin *w = &tr->win[k * tr->nclocks + c];
	int i;

	memset(out, 0, sizeof(*out));
	out->t_open = w->t_open;
	out->t_ref = w->t_ref;
	out->t_close = w->t_close;
	out->offset_ns = w->off_ref;
	out->peak_ns = w->peak;
	out->peak_excl_ns = w->peak_excl;
	if (w->off_ref > 0)
		out->overshoot_ns = fmax(0.0, -w->min_o);
	else if (w->off_ref < 0)
		out->overshoot_ns = fmax(0.0, w->max_o);
	for (i = 0; i < TRUTH_NTHR; i++) {
		if (fabs(w->close_o) >= thresholds[i])
			out->recover_ns[i] = -1;
		else if (!w->any_above[i] || w->last_above[i] <= w->t_ref)
			out->recover_ns[i] = 0;
		else
			out->recover_ns[i] = w->last_above[i] - w->t_ref;
	}
}
