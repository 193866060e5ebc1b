/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file dryrun.c
 * The dry-run wrapper: reads and comparisons go to the inner clock;
 * frequency, step, leap, TAI and sync corrections are recorded here and
 * never reach it. Reading back what was recorded (get_freq, the leap and
 * sync parts of get_leap) returns the recorded value, so the layers above
 * behave as they would for real.
 */
#include <errno.h>
#include <stdlib.h>

#include "phc/clock_priv.h"

struct dryrun {
	struct clock *inner;
	bool freq_set;
	double freq_ppb;
	int64_t step_total_ns;
	bool leap_set;
	int leap;
	bool tai_set;
	int tai_s;
	bool sync_set;
	bool synced;
};

/* The wrapper refuses what the inner clock cannot do, as the real call
 * would: a PHC has no leap bits, a fake may lack a step. */
#define INNER_HAS(d, op) (clock_ops_of((d)->inner)->op != NULL)

static int dryrun_gettime(void *priv, struct timespec *ts)
{
	struct dryrun *d = priv;
	int64_t ns;
	int r = clock_gettime_ns(d->inner, &ns);

	if (r < 0)
		return r;
	ts->tv_sec = ns / NS_PER_S;
	ts->tv_nsec = ns % NS_PER_S;
	if (ts->tv_nsec < 0) {
		ts->tv_sec -= 1;
		ts->tv_nsec += NS_PER_S;
	}
	return 0;
}

static int dryrun_get_freq(void *priv, double *ppb)
{
	struct dryrun *d = priv;

	if (!d->freq_set)
		return clock_get_freq(d->inner, ppb);
	*ppb = d->freq_ppb;
	return 0;
}

static int dryrun_adj_freq(void *priv, double ppb)
{
	struct dryrun *d = priv;

	if (!INNER_HAS(d, adj_freq))
		return -EOPNOTSUPP;
	d->freq_set = true;
	d->freq_ppb = ppb;
	return 0;
}

static int dryrun_step(void *priv, int64_t delta_ns)
{
	struct dryrun *d = priv;

	if (!INNER_HAS(d, step))
		return -EOPNOTSUPP;
	d->step_total_ns += delta_ns;
	return 0;
}

static int dryrun_set_leap(void *priv, int leap)
{
	struct dryrun *d = priv;

	if (!INNER_HAS(d, set_leap))
		return -EOPNOTSUPP;
	d->leap_set = true;
	d->leap = leap;
	return 0;
}

static int dryrun_get_leap(void *priv, struct clock_leap_status *st)
{
	struct dryrun *d = priv;
	int r = clock_get_leap(d->inner, st);

	if (r < 0)
		return r;
	if (d->leap_set)
		st->pending = d->leap;
	if (d->tai_set)
		st->tai_s = d->tai_s;
	if (d->sync_set)
		st->unsync = !d->synced;
	return 0;
}

static int dryrun_set_tai(void *priv, int tai_s)
{
	struct dryrun *d = priv;

	if (!INNER_HAS(d, set_tai))
		return -EOPNOTSUPP;
	d->tai_set = true;
	d->tai_s = tai_s;
	return 0;
}

static int dryrun_set_sync(void *priv, bool synced, int64_t maxerror_ns,
			   int64_t esterror_ns)
{
	struct dryrun *d = priv;

	(void)maxerror_ns;
	(void)esterror_ns;
	if (!INNER_HAS(d, set_sync))
		return -EOPNOTSUPP;
	d->sync_set = true;
	d->synced = synced;
	return 0;
}

static int dryrun_sys_offset(void *priv, int n, struct clock_reading *out,
			     enum compare_method *method)
{
	struct dryrun *d = priv;

	return clock_sys_offset(d->inner, n, out, method);
}

static clockid_t dryrun_clockid(void *priv)
{
	struct dryrun *d = priv;

	return clock_clockid(d->inner);
}

/* What someone else does to the inner clock is real: watch it. */
static int dryrun_watch(void *priv, int64_t *clock_ns, int64_t *twin_ns)
{
	struct dryrun *d = priv;

	return clock_watch_pair(d->inner, clock_ns, twin_ns);
}

static int dryrun_reopen(void *priv)
{
	struct dryrun *d = priv;

	return clock_reopen(d->inner);
}

static void dryrun_destroy(void *priv)
{
	struct dryrun *d = priv;

	if (!d)
		return;
	clock_close(d->inner);
	free(d);
}

static const struct clock_ops dryrun_ops = {
	.kind_name = "dryrun",
	.kind = CLOCK_KIND_FAKE,	/* replaced by the inner clock's kind */
	.gettime = dryrun_gettime,
	.get_freq = dryrun_get_freq,
	.adj_freq = dryrun_adj_freq,
	.step = dryrun_step,
	.set_leap = dryrun_set_leap,
	.get_leap = dryrun_get_leap,
	.set_tai = dryrun_set_tai,
	.set_sync = dryrun_set_sync,
	.sys_offset = dryrun_sys_offset,
	.clockid = dryrun_clockid,
	.watch = dryrun_watch,
	.reopen = dryrun_reopen,
	.destroy = dryrun_destroy,
};

/* Ownership of inner passes to the wrapper even on failure (inner is then
 * closed), so a caller writes c = clock_dryrun(c) and checks for NULL. */
struct clock *clock_dryrun(struct clock *inner)
{
	struct dryrun *d;
	struct clock *c;

	if (!inner)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->inner = inner;
	c = clock_create(&dryrun_ops, d, clock_name(inner),
			 clock_max_adj_ppb(inner));
	if (!c)
		goto fail;
	clock_set_identity(c, clock_kind(inner), clock_phc_index(inner), true);
	return c;
fail:
	free(d);
	clock_close(inner);
	return NULL;
}
