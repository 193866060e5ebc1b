/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake clock for unit tests, behind the real clock seam (clock_create()
 * with an ops table): its time is a variable of a shared fake_world (every
 * read advancing it by read_cost_ns, so interleaved reads have a known
 * bracket), or, for a "live" fake (w == NULL), CLOCK_MONOTONIC_RAW plus an
 * offset that runs at natural_ppb + the frequency applied, so that a
 * discipline driven by the real loop sees a clock that answers its
 * corrections. Reads and adjustments can be made to fail. Static: each
 * test file that includes it gets its own copy; unused ones are marked.
 */
#ifndef GNOMON_TEST_FAKE_CLOCK_H
#define GNOMON_TEST_FAKE_CLOCK_H

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "phc/clock.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

/* Shared time base; every read advances it by read_cost_ns, so interleaved
 * reads of two fakes have a known bracket. */
struct fake_world {
	int64_t now_ns;
	int64_t read_cost_ns;
};

struct fake {
	struct fake_world *w;
	int64_t offset_ns;	/* this clock = world + offset */
	double freq_ppb;
	int n_adj;
	int n_step;
	int leap;
	int tai_s;
	bool synced;
	int n_destroy;
	/* live fakes (w == NULL): time is CLOCK_MONOTONIC_RAW + offset_ns,
	 * running at natural_ppb + freq_ppb against it */
	double natural_ppb;
	int64_t last_raw_ns;
	double frac_ns;
	int fail;		/* gettime returns this when non-zero */
	int fail_adj;		/* adj_freq returns this when non-zero */
};

static int64_t fake_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Bring a live fake's offset up to now at its current rate. */
static void fake_live_advance(struct fake *f)
{
	int64_t now = fake_raw_ns();
	double d;

	if (f->last_raw_ns) {
		f->frac_ns += (double)(now - f->last_raw_ns) * (f->natural_ppb + f->freq_ppb) * 1e-9;
		d = trunc(f->frac_ns);
		f->offset_ns += (int64_t)d;
		f->frac_ns -= d;
	}
	f->last_raw_ns = now;
}

static int fake_live_time(struct fake *f, struct timespec *ts)
{
	int64_t t;

	fake_live_advance(f);
	t = f->last_raw_ns + f->offset_ns;
	ts->tv_sec = t / 1000000000;
	ts->tv_nsec = t % 1000000000;
	return 0;
}

static int fake_gettime(void *priv, struct timespec *ts)
{
	struct fake *f = priv;
	int64_t t;

	if (f->fail)
		return f->fail;
	if (!f->w)
		return fake_live_time(f, ts);
	f->w->now_ns += f->w->read_cost_ns;
	t = f->w->now_ns + f->offset_ns;
	ts->tv_sec = t / 1000000000;
	ts->tv_nsec = t % 1000000000;
	return 0;
}

static int fake_get_freq(void *priv, double *ppb)
{
	*ppb = ((struct fake *)priv)->freq_ppb;
	return 0;
}

static int fake_adj_freq(void *priv, double ppb)
{
	struct fake *f = priv;

	if (f->fail_adj)
		return f->fail_adj;
	if (!f->w)
		fake_live_advance(f);

	f->freq_ppb = ppb;
	f->n_adj++;
	return 0;
}

static int fake_step(void *priv, int64_t delta_ns)
{
	struct fake *f = priv;

	f->offset_ns += delta_ns;
	f->n_step++;
	return 0;
}

static int fake_set_leap(void *priv, int leap)
{
	((struct fake *)priv)->leap = leap;
	return 0;
}

static int fake_get_leap(void *priv, struct clock_leap_status *st)
{
	struct fake *f = priv;

	st->state = 0;
	st->pending = f->leap;
	st->tai_s = f->tai_s;
	st->unsync = !f->synced;
	return 0;
}

static int fake_set_tai(void *priv, int tai_s)
{
	((struct fake *)priv)->tai_s = tai_s;
	return 0;
}

static int fake_set_sync(void *priv, bool synced, int64_t maxerror_ns,
			 int64_t esterror_ns)
{
	(void)maxerror_ns;
	(void)esterror_ns;
	((struct fake *)priv)->synced = synced;
	return 0;
}

static void fake_destroy(void *priv)
{
	((struct fake *)priv)->n_destroy++;
}

static const struct clock_ops fake_ops = {
	.kind_name = "fake",
	.kind = CLOCK_KIND_FAKE,
	.gettime = fake_gettime,
	.get_freq = fake_get_freq,
	.adj_freq = fake_adj_freq,
	.step = fake_step,
	.set_leap = fake_set_leap,
	.get_leap = fake_get_leap,
	.set_tai = fake_set_tai,
	.set_sync = fake_set_sync,
	.destroy = fake_destroy,
};

/* Only a time: every correction is missing. */
static const struct clock_ops bare_ops = {
	.kind_name = "bare",
	.kind = CLOCK_KIND_FAKE,
	.gettime = fake_gettime,
	.destroy = fake_destroy,
};

/* A fake reading w (or, w NULL, a live fake on CLOCK_MONOTONIC_RAW). */
static inline struct clock *fake_clock(struct fake *f, struct fake_world *w,
				       const char *name, int64_t offset_ns)
{
	struct clock *c;

	memset(f, 0, sizeof(*f));
	f->w = w;
	f->offset_ns = offset_ns;
	c = clock_create(&fake_ops, f, name, 1e6);
	ck_assert_ptr_nonnull(c);
	return c;
}

#pragma GCC diagnostic pop

#endif
