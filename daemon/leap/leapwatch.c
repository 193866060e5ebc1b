/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The leap file at run time: load it at start, re-read it when it changes
 * on disk, and warn from 28 days before its expiry (an expired table is
 * still used, and said to be: ts2phc refusing time after its table expired
 * caused real outages).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "phc/systime.h"
#include "daemon/daemon.h"
#include "daemon/discipline/discipline.h"
#include "daemon/log.h"

#define CHECK_EVERY_NS	(60LL * 1000000000LL)
#define WARN_EVERY_S	86400

static void load(struct gnomond *g, bool first)
{
	char err[CONF_PATH_MAX + 256], status[512];
	int64_t now_s = systime_realtime_ns() / 1000000000LL;
	int r;

	r = leaptable_load_file(g->leaps, g->conf.leapfile, err, sizeof(err));
	if (r < 0) {
		pr_err("leap file: %s; %s", err, leaptable_loaded(g->leaps) ?
		       "keeping the table read before" : "going on without leap knowledge");
		return;
	}
	leaptable_status(g->leaps, now_s, status, sizeof(status));
	pr_notice("leap file %s: %s", first ? "read" : "changed, re-read", status);
	g->leap_warn_s = -WARN_EVERY_S;
}

static void warn_expiry(struct gnomond *g)
{
	int64_t now_s = systime_realtime_ns() / 1000000000LL;
	enum leap_expiry st = leaptable_expiry_state(g->leaps, now_s);
	char status[512];

	if (st != LEAP_EXPIRY_SOON && st != LEAP_EXPIRED)
		return;
	if (now_s - g->leap_warn_s < WARN_EVERY_S)
		return;
	g->leap_warn_s = now_s;
	leaptable_status(g->leaps, now_s, status, sizeof(status));
	pr_warn("leap file %s %s: %s; update tzdata", g->conf.leapfile,
		st == LEAP_EXPIRED ? "has EXPIRED (still used)" : "expires soon", status);
}

static int64_t check(struct loop *l, long id, void *arg)
{
	struct gnomond *g = arg;
	struct stat st;

	(void)l;
	(void)id;
	if (leaptable_file_changed(g->leaps, stat(g->conf.leapfile, &st) == 0 ? &st : NULL))
		load(g, false);
	warn_expiry(g);
	return CHECK_EVERY_NS;
}

void leapwatch_start(struct gnomond *g)
{
	g->leap_warn_s = -WARN_EVERY_S;
	load(g, true);
	warn_expiry(g);
	g->leap_timer = loop_add_timer(g->loop, CHECK_EVERY_NS, check, g);
	if (g->leap_timer < 0)
		pr_err("leap file: cannot watch %s for changes", g->conf.leapfile);
}
