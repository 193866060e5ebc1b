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

#include "daemon/record/audit.h"
#include "daemon/discipline/clockreg.h"
#include "daemon/config/config.h"
#include "daemon/ctl/ctl.h"
#include "daemon/discipline/discipline.h"
#include "daemon/record/history.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/metrics/metrics.h"
#include "daemon/source/source.h"

/** gnomon's version, for --version and the gnomon_build_info metric. */
#ifndef GNOMON_VERSION
#define GNOMON_VERSION "0.1.0"
#endif

struct pidfile;
struct ops_notify;
struct dmetrics;

struct gnomond {
	struct gnomon_config conf;
	bool dry_run;
	bool foreground;	/* -d: log to stderr whatever log_target says */
	int log_level_cli;	/* -l LEVEL, or -1: the config's (kept over reloads) */
	int64_t start_mono_ns;
	int64_t start_utc_ns;	/* for process_start_time_seconds */
	struct pidfile *pidfile;
	struct ops_notify *notify;	/* sd_notify and the progress watchdog */
	struct dmetrics *metrics;	/* HTTP listener and textfile */
	uint64_t reloads;	/* SIGHUPs handled */
	char reload_error[CONF_PATH_MAX + 256];	/* last failed reload, "" if none */
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

/* metrics_fill.c: the daemon's state as Prometheus metrics (doc/metrics.md). */

/** Start what the configuration asks for: the HTTP listener
 *  (metrics_listen) and the textfile timer (metrics_textfile). Logs
 *  failures naming the key. 0 or -errno. */
int daemon_metrics_start(struct gnomond *g);
/** Stop both and free; accepts g->metrics == NULL. */
void daemon_metrics_stop(struct gnomond *g);
/** Fill m (reset, nothing declared) with the catalogue's families that
 *  have samples. A metrics_render_fn: arg is the struct gnomond. 0 or -errno. */
int daemon_metrics_fill(void *arg, struct metrics *m);

/* reload.c: SIGHUP. */

/**
 * Reopen the log and re-read the configuration file. An invalid file
 * changes nothing (the error, FILE:LINE, is logged and kept in
 * g->reload_error); a valid one is applied where that is safe at run time
 * (log_level, log_target, max_slew_ppm, metrics_*), and every other change
 * is logged as needing a restart. Runs outside any loop callback.
 * @return 0 when the file was valid, -errno otherwise
 */
int daemon_reload(struct gnomond *g);

/** Load the leap table (logging what happened) and start watching the
 *  file for changes. Never fatal: gnomon goes on without leap knowledge. */
void leapwatch_start(struct gnomond *g);

#endif
