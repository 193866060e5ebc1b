/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file daemon.h
 * gnomond's process-wide objects, shared by its main (gnomond.c), the
 * control-socket handlers (status.c) and the leap-file watcher (leapwatch.c).
 */
#ifndef GNOMON_DAEMON_H
#define GNOMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/audit.h"
#include "daemon/clockreg.h"
#include "daemon/config.h"
#include "daemon/ctl.h"
#include "daemon/discipline.h"
#include "daemon/history.h"
#include "daemon/leaptable.h"
#include "daemon/loop.h"
#include "daemon/source.h"

struct gnomond {
	struct gnomon_config conf;
	bool dry_run;
	int64_t start_mono_ns;
	struct loop *loop;
	struct clockreg *clocks;
	struct leaptable *leaps;
	struct audit *audit;
	struct history *history;
	char history_path[CONF_PATH_MAX + 32];
	struct ctl *ctl;
	long leap_timer;
	int64_t leap_warn_s;	/* last expiry warning, UTC s */
	int n;
	struct source *sources[CONF_MAX_CLOCKS];
	struct discipline *disc[CONF_MAX_CLOCKS];
};

/** Register the control-socket commands (status, clocks, sources,
 *  recovery, leap, config). 0 or -errno. */
int status_register(struct gnomond *g);

/** Load the leap table (logging what happened) and start watching the
 *  file for changes. Never fatal: gnomon goes on without leap knowledge. */
void leapwatch_start(struct gnomond *g);

#endif
