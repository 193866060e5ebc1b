/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The progress watchdog's decision (watchdog.h). Field reports 003 and 004
 * are why it watches progress rather than liveness: a heartbeat that keeps
 * beating while the work has stopped (a main thread stuck in a syscall
 * that never returns) tells monitoring that all is well when nothing is.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lifecycle/watchdog.h"
#include "util/util.h"


struct wd_clock {
	char name[WATCHDOG_NAME_MAX];
	int64_t interval_ns;
	int64_t limit_ns;
	int64_t last_ok_ns;	/* latest success, valid if has_ok */
	int64_t armed_ns;	/* first check that saw it, valid if armed */
	bool has_ok;
	bool armed;
	bool watched;
};

struct watchdog {
	double stale_factor;
	int64_t stale_floor_ns;
	uint64_t last_iterations;
	struct wd_clock *clocks;
	int n;
	size_t cap;
};

struct watchdog *watchdog_create(const struct watchdog_params *p)
{
	struct watchdog *w;
	double f = p && p->stale_factor != 0 ? p->stale_factor : WATCHDOG_STALE_FACTOR_DEFAULT;
	int64_t fl = p && p->stale_floor_ns != 0 ? p->stale_floor_ns : WATCHDOG_STALE_FLOOR_DEFAULT_NS;

	if (!isfinite(f) || f < 1.0 || fl < 0)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->stale_factor = f;
	w->stale_floor_ns = fl;
	return w;
}

void watchdog_destroy(struct watchdog *w)
{
	if (!w)
		return;
	free(w->clocks);
	free(w);
}

/* max(factor * interval, floor), saturating at INT64_MAX. */
static int64_t stale_limit(const struct watchdog *w, int64_t interval_ns)
{
	double l = w->stale_factor * (double)interval_ns;
	int64_t lim = l >= 9.2e18 ? INT64_MAX : (int64_t)l;

	return lim > w->stale_floor_ns ? lim : w->stale_floor_ns;
}

int watchdog_add_clock(struct watchdog *w, const char *name, int64_t interval_ns)
{
	struct wd_clock *c;

	if (!w || !name || interval_ns <= 0)
		return -EINVAL;
	if (util_grow((void **)&w->clocks, &w->cap, (size_t)w->n + 1, sizeof(*w->clocks)))
		return -ENOMEM;
	c = &w->clocks[w->n];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->interval_ns = interval_ns;
	c->limit_ns = stale_limit(w, interval_ns);
	c->watched = true;
	return w->n++;
}

static struct wd_clock *get_clock(const struct watchdog *w, int idx)
{
	if (!w || idx < 0 || idx >= w->n)
		return NULL;
	return &w->clocks[idx];
}

int watchdog_clock_ok(struct watchdog *w, int idx, int64_t mono_ns)
{
	struct wd_clock *c = get_clock(w, idx);

	if (!c)
		return -EINVAL;
	/* Keep the latest: a late report of an older success changes nothing. */
	if (!c->has_ok || mono_ns > c->last_ok_ns)
		c->last_ok_ns = mono_ns;
	c->has_ok = true;
	return 0;
}

int watchdog_clock_watch(struct watchdog *w, int idx, bool watch)
{
	struct wd_clock *c = get_clock(w, idx);

	if (!c)
		return -EINVAL;
	if (watch && !c->watched) {
		c->has_ok = false;
		c->armed = false;
	}
	c->watched = watch;
	return 0;
}

int64_t watchdog_clock_limit_ns(const struct watchdog *w, int idx)
{
	const struct wd_clock *c = get_clock(w, idx);

	return c ? c->limit_ns : -EINVAL;
}

/* Append to why[len] at *pos; truncation keeps it NUL-terminated. */
static void why_add(char *why, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void why_add(char *why, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || *pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(why + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

/* Is clock c stale at now? Appends the reason when it is. */
static bool clock_stale(struct wd_clock *c, int64_t now_ns, int nbad,
			char *why, size_t len, size_t *pos)
{
	int64_t ref, age;

	if (!c->has_ok && !c->armed) {
		c->armed = true;
		c->armed_ns = now_ns;
	}
	ref = c->has_ok ? c->last_ok_ns : c->armed_ns;
	age = now_ns > ref ? now_ns - ref : 0;
	if (age <= c->limit_ns)
		return false;
	why_add(why, len, pos, c->has_ok ?
		"%sclock %s: last successful read/adjust %.1f s ago (limit %.1f s)" :
		"%sclock %s: no successful read/adjust in the %.1f s since start (limit %.1f s)",
		nbad ? "; " : "", c->name,
		(double)age / NS_PER_S_F, (double)c->limit_ns / NS_PER_S_F);
	return true;
}

bool watchdog_check(struct watchdog *w, uint64_t loop_iterations, int64_t now_ns,
		    char *why, size_t len)
{
	size_t pos = 0;
	int i, nbad = 0, nfresh = 0;

	if (why && len)
		why[0] = '\0';
	if (!w) {
		why_add(why, len, &pos, "no watchdog");
		return false;
	}
	if (loop_iterations == w->last_iterations) {
		why_add(why, len, &pos, "poll loop made no progress (%llu iterations)",
			(unsigned long long)loop_iterations);
		nbad++;
	} else if (loop_iterations < w->last_iterations) {
		why_add(why, len, &pos, "loop iteration counter went back (%llu < %llu)",
			(unsigned long long)loop_iterations,
			(unsigned long long)w->last_iterations);
		nbad++;
	}
	w->last_iterations = loop_iterations;

	for (i = 0; i < w->n; i++) {
		struct wd_clock *c = &w->clocks[i];

		if (!c->watched)
			continue;
		if (clock_stale(c, now_ns, nbad, why, len, &pos))
			nbad++;
		else
			nfresh++;
	}
	if (!nbad)
		why_add(why, len, &pos, "ok (%d clock%s fresh)", nfresh, nfresh == 1 ? "" : "s");
	return nbad == 0;
}
