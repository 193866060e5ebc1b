/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clock.c
 * The clock object: an ops table, its private data and what the rest of
 * gnomon may ask about it. Generic checks (NULL ops, the max_adj range)
 * live here once; the drivers (sysclk.c, phc.c, dryrun.c) only translate.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phc/clock_priv.h"
#include "phc/clockname.h"

struct observer {
	clock_change_cb cb;	/* NULL: removed while notifying */
	void *arg;
};

struct clock {
	const struct clock_ops *ops;
	void *priv;
	char *name;
	enum clock_kind kind;
	double max_adj_ppb;
	int phc_index;
	bool dryrun;

	/* observers: steps are news */
	struct observer *obs;
	int n_obs, cap_obs;
	int notifying;		/* nesting depth of notify() */
	bool obs_removed;	/* compact after notifying */
	/* what this process did, for clock_watch() */
	int64_t own_steps_ns;	/* applied since the last watch */
	bool twin_known;
	int64_t twin_diff_ns;	/* clock - twin at the last watch */
	int leap_armed;		/* last clock_set_leap(): +1, -1, 0 */
	bool freq_known;
	double freq_set_ppb;	/* last clock_adj_freq() that succeeded */
};

static void clock_notify(struct clock *c, const struct clock_change *ch);

struct clock *clock_create(const struct clock_ops *ops, void *priv,
			   const char *name, double max_adj_ppb)
{
	struct clock *c;

	if (!ops)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->name = strdup(name ? name : (ops->kind_name ? ops->kind_name : "clock"));
	if (!c->name) {
		free(c);
		return NULL;
	}
	c->ops = ops;
	c->priv = priv;
	c->kind = ops->kind;
	c->max_adj_ppb = max_adj_ppb;
	c->phc_index = -1;
	return c;
}

void clock_set_identity(struct clock *c, enum clock_kind kind, int phc_index,
			bool dryrun)
{
	c->kind = kind;
	c->phc_index = phc_index;
	c->dryrun = dryrun;
}

void clock_close(struct clock *c)
{
	if (!c)
		return;
	if (c->ops->destroy)
		c->ops->destroy(c->priv);
	free(c->obs);
	free(c->name);
	free(c);
}

struct clock *clock_open(const char *name, int *err)
{
	struct clock *c = NULL;
	int index = -1, r;

	r = clockname_resolve(name, &index);
	if (r == CLOCKNAME_SYSTEM)
		c = sysclk_create(name, &r);
	else if (r == CLOCKNAME_PHC)
		c = phc_create(index, name, &r);
	if (err)
		*err = c ? 0 : (r < 0 ? r : -EINVAL);
	return c;
}

const char *clock_name(const struct clock *c)
{
	return c ? c->name : "(none)";
}

enum clock_kind clock_kind(const struct clock *c)
{
	return c ? c->kind : CLOCK_KIND_FAKE;
}

double clock_max_adj_ppb(const struct clock *c)
{
	return c ? c->max_adj_ppb : 0.0;
}

int clock_phc_index(const struct clock *c)
{
	return c ? c->phc_index : -1;
}

bool clock_is_dryrun(const struct clock *c)
{
	return c && c->dryrun;
}

const struct clock_ops *clock_ops_of(const struct clock *c)
{
	return c->ops;
}

clockid_t clock_clockid(const struct clock *c)
{
	if (!c || !c->ops->clockid)
		return (clockid_t)-1;
	return c->ops->clockid(c->priv);
}

int clock_watch_pair(struct clock *c, int64_t *clock_ns, int64_t *twin_ns)
{
	if (!c->ops->watch)
		return -EOPNOTSUPP;
	return c->ops->watch(c->priv, clock_ns, twin_ns);
}

int64_t clock_ts_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

int clock_gettime_ns(struct clock *c, int64_t *ns)
{
	struct timespec ts;
	int r;

	if (!c || !ns)
		return -EINVAL;
	if (!c->ops->gettime)
		return -EOPNOTSUPP;
	r = c->ops->gettime(c->priv, &ts);
	if (r < 0)
		return r;
	*ns = clock_ts_to_ns(&ts);
	return 0;
}

int clock_reopen(struct clock *c)
{
	if (!c)
		return -EINVAL;
	if (!c->ops->reopen)
		return -EOPNOTSUPP;
	return c->ops->reopen(c->priv);
}

int clock_get_freq(struct clock *c, double *ppb)
{
	if (!c || !ppb)
		return -EINVAL;
	if (!c->ops->get_freq)
		return -EOPNOTSUPP;
	return c->ops->get_freq(c->priv, ppb);
}

int clock_adj_freq(struct clock *c, double ppb)
{
	int r;

	if (!c || isnan(ppb))
		return -EINVAL;
	if (!c->ops->adj_freq)
		return -EOPNOTSUPP;
	if (fabs(ppb) > c->max_adj_ppb)
		return -ERANGE;
	r = c->ops->adj_freq(c->priv, ppb);
	if (r == 0) {
		c->freq_known = true;
		c->freq_set_ppb = ppb;
	}
	return r;
}

int clock_step(struct clock *c, int64_t delta_ns)
{
	struct clock_change ch = { .kind = CLOCK_CHANGE_STEP, .step_ns = delta_ns };
	int r;

	if (!c)
		return -EINVAL;
	if (!c->ops->step)
		return -EOPNOTSUPP;
	r = c->ops->step(c->priv, delta_ns);
	if (r < 0)
		return r;
	/* A dry run's step is recorded, not made: nobody's time stamps moved. */
	if (!c->dryrun) {
		c->own_steps_ns += delta_ns;
		clock_notify(c, &ch);
	}
	return 0;
}

int clock_set_leap(struct clock *c, int leap)
{
	int r;

	if (!c || leap < -1 || leap > 1)
		return -EINVAL;
	if (!c->ops->set_leap)
		return -EOPNOTSUPP;
	r = c->ops->set_leap(c->priv, leap);
	if (r == 0)
		c->leap_armed = leap;
	return r;
}

int clock_get_leap(struct clock *c, struct clock_leap_status *st)
{
	if (!c || !st)
		return -EINVAL;
	if (!c->ops->get_leap)
		return -EOPNOTSUPP;
	return c->ops->get_leap(c->priv, st);
}

int clock_set_tai(struct clock *c, int tai_s)
{
	if (!c)
		return -EINVAL;
	if (!c->ops->set_tai)
		return -EOPNOTSUPP;
	return c->ops->set_tai(c->priv, tai_s);
}

int clock_set_sync(struct clock *c, bool synced, int64_t maxerror_ns,
		   int64_t esterror_ns)
{
	if (!c)
		return -EINVAL;
	if (!c->ops->set_sync)
		return -EOPNOTSUPP;
	return c->ops->set_sync(c->priv, synced, maxerror_ns, esterror_ns);
}

int clock_sys_offset(struct clock *c, int n, struct clock_reading *out,
		     enum compare_method *method)
{
	if (!c || n <= 0 || !out || !method)
		return -EINVAL;
	if (!c->ops->sys_offset)
		return -EOPNOTSUPP;
	return c->ops->sys_offset(c->priv, n, out, method);
}

/* ---- observers ---- */

static int find_observer(const struct clock *c, clock_change_cb cb, void *arg)
{
	for (int i = 0; i < c->n_obs; i++)
		if (c->obs[i].cb == cb && c->obs[i].arg == arg)
			return i;
	return -1;
}

int clock_add_change_handler(struct clock *c, clock_change_cb cb, void *arg)
{
	struct observer *o;

	if (!c || !cb)
		return -EINVAL;
	if (find_observer(c, cb, arg) >= 0)
		return -EEXIST;
	if (c->n_obs == c->cap_obs) {
		int cap = c->cap_obs ? 2 * c->cap_obs : 4;

		o = realloc(c->obs, (size_t)cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		c->obs = o;
		c->cap_obs = cap;
	}
	c->obs[c->n_obs++] = (struct observer){ .cb = cb, .arg = arg };
	return 0;
}

int clock_remove_change_handler(struct clock *c, clock_change_cb cb, void *arg)
{
	int i;

	if (!c || !cb)
		return -EINVAL;
	i = find_observer(c, cb, arg);
	if (i < 0)
		return -ENOENT;
	if (c->notifying) {
		/* notify() is walking the array: leave a hole, compact later */
		c->obs[i].cb = NULL;
		c->obs_removed = true;
		return 0;
	}
	memmove(&c->obs[i], &c->obs[i + 1], (size_t)(c->n_obs - i - 1) * sizeof(*c->obs));
	c->n_obs--;
	return 0;
}

static void compact_observers(struct clock *c)
{
	int n = 0;

	for (int i = 0; i < c->n_obs; i++)
		if (c->obs[i].cb)
			c->obs[n++] = c->obs[i];
	c->n_obs = n;
	c->obs_removed = false;
}

/* Tell every handler registered before this change began. */
static void clock_notify(struct clock *c, const struct clock_change *ch)
{
	int n = c->n_obs;

	c->notifying++;
	for (int i = 0; i < n; i++) {
		struct observer o = c->obs[i];

		if (o.cb)
			o.cb(c, ch, o.arg);
	}
	if (--c->notifying == 0 && c->obs_removed)
		compact_observers(c);
}

/* ---- changes made by someone else ---- */

/* A change of (clock - twin) under this is read jitter, not a step. */
#define WATCH_STEP_MIN_NS	10000
/* A frequency this far from the one set was set by someone else (the
 * kernel keeps ADJ_FREQUENCY to 2^-16 ppm, 0.015 ppb). */
#define WATCH_FREQ_TOL_PPB	1.0

static int watch_step(struct clock *c)
{
	struct clock_change ch = { .kind = CLOCK_CHANGE_FOREIGN_STEP };
	int64_t clk, twin, diff, jump;
	int r;

	if (!c->ops->watch)
		return 0;
	r = c->ops->watch(c->priv, &clk, &twin);
	if (r == -EOPNOTSUPP)
		return 0;	/* a dry run of a clock without a twin */
	if (r < 0)
		return r;
	diff = clk - twin;
	jump = diff - c->twin_diff_ns - c->own_steps_ns;
	c->own_steps_ns = 0;
	c->twin_diff_ns = diff;
	if (!c->twin_known) {
		c->twin_known = true;
		return 0;
	}
	if (jump > -WATCH_STEP_MIN_NS && jump < WATCH_STEP_MIN_NS)
		return 0;
	/* The kernel's leap second, which this process armed: not news
	 * here (the leap policy that armed it tells its own observers). */
	if (c->leap_armed && llabs(jump + c->leap_armed * NS_PER_S) < WATCH_STEP_MIN_NS)
		return 0;
	ch.step_ns = jump;
	clock_notify(c, &ch);
	return 1;
}

static int watch_freq(struct clock *c)
{
	struct clock_change ch = { .kind = CLOCK_CHANGE_FREQ_RESET };
	double ppb;
	int r;

	if (!c->freq_known || !c->ops->get_freq)
		return 0;
	r = c->ops->get_freq(c->priv, &ppb);
	if (r < 0)
		return r;
	if (fabs(ppb - c->freq_set_ppb) <= WATCH_FREQ_TOL_PPB)
		return 0;
	ch.freq_ppb = ppb;
	ch.was_ppb = c->freq_set_ppb;
	/* Report each change once: the new value is the baseline now. */
	c->freq_set_ppb = ppb;
	clock_notify(c, &ch);
	return 1;
}

int clock_watch(struct clock *c)
{
	int s, f;

	if (!c)
		return -EINVAL;
	s = watch_step(c);
	if (s < 0)
		return s;
	f = watch_freq(c);
	if (f < 0)
		return f;
	return s + f;
}
