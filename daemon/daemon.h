/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file daemon.h
 * daemon/ owns gnomond's main, the poll loop, logging, the socket-server core.
 * It may call every folder below it: the daemon/ sub-folders, servo/, phc/.
 *
 * This header: gnomond's process-wide objects, owned by its main
 * (gnomond.c) and read whole only by the control commands (ctl/status.c),
 * which report all of it. Everything else is handed the narrow part it
 * works on (a discipline_set, the loop, the configuration).
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
#include "daemon/leap/leapfile.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/metrics/metrics.h"
#include "daemon/source/source.h"

struct pidfile;
struct bondset;
struct ops_notify;
struct dmetrics;
struct health;
struct ntpserve;

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
	struct bondset *bonds;	/* the bonds clocks follow (daemon/bond/), NULL: none */
	struct leapwatch leapwatch;
	int n;
	struct source *sources[CONF_MAX_CLOCKS];
	struct discipline *disc[CONF_MAX_CLOCKS];
	struct discipline_set discs;	/* disc[0..n), once every clock is set up */
	struct health *health;		/* clock-health checks (daemon/health/) */
	struct ntpserve *ntpserve;	/* the NTP server (daemon/ntpserve/), NULL: off */
};

#endif
