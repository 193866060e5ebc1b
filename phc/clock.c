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

struct clock {
	const struct clock_ops *ops;
	void *priv;
	char *name;
	enum clock_kind kind;
	double max_adj_ppb;
	int phc_index;
	bool dryrun;
};

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

int64_t clock_ts_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
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
	if (!c || isnan(ppb))
		return -EINVAL;
	if (!c->ops->adj_freq)
		return -EOPNOTSUPP;
	if (fabs(ppb) > c->max_adj_ppb)
		return -ERANGE;
	return c->ops->adj_freq(c->priv, ppb);
}

int clock_step(struct clock *c, int64_t delta_ns)
{
	if (!c)
		return -EINVAL;
	if (!c->ops->step)
		return -EOPNOTSUPP;
	return c->ops->step(c->priv, delta_ns);
}

int clock_set_leap(struct clock *c, int leap)
{
	if (!c || leap < -1 || leap > 1)
		return -EINVAL;
	if (!c->ops->set_leap)
		return -EOPNOTSUPP;
	return c->ops->set_leap(c->priv, leap);
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
