/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file reload.h
 * SIGHUP (reload.c, doc/operations.md): which keys differ between the
 * running and the new configuration, and applying those that may change
 * while the clocks run.
 */
#ifndef GNOMON_RELOAD_H
#define GNOMON_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/discipline/discipline.h"
#include "daemon/lifecycle/ops_notify.h"

/** Longest key value compared by reload_diff(). */
#define RELOAD_VALUE_MAX	CONF_PATH_MAX

/** One difference between the running and the new configuration. */
struct reload_change {
	char section[CONF_NAME_MAX];	/**< "global" or the clock's name */
	char key[40];			/**< the key; "" for a section added/removed */
	char old_value[RELOAD_VALUE_MAX];	/**< "" when absent */
	char new_value[RELOAD_VALUE_MAX];
	bool runtime;			/**< applied without a restart */
	char where[CONF_PATH_MAX + 32];	/**< "FILE:LINE" in the new file */
};

/**
 * The keys whose value differs between a (running) and b (new), in file
 * order, every key with its effective value (defaults included). A clock
 * section present in only one of them is one change with key "".
 * runtime is set for what reload_run() applies at run time: log_level,
 * log_target, metrics_listen, metrics_allow_remote, metrics_textfile,
 * metrics_interval and a clock's max_slew_ppm.
 * @param out  array of max entries (may be NULL with max 0 to count)
 * @return the number of changes (may exceed max), or -ENOMEM
 */
int reload_diff(const struct gnomon_config *a, const struct gnomon_config *b,
		struct reload_change *out, int max);

/** What a reload works on (owned by gnomond). */
struct reload_env {
	struct gnomon_config *conf;	/**< running: the run-time keys are updated in place */
	struct discipline_set discs;
	struct ops_notify *notify;	/**< may be NULL */
	int log_level_cli;		/**< -l LEVEL, or -1: the configuration's */
	bool foreground;		/**< -d: log to stderr whatever log_target says */
	/** Restart the metrics from conf after a metrics_* change: 0 or -errno. */
	int (*restart_metrics)(void *arg);
	void *arg;
};

/**
 * Reopen the log and re-read conf->file. An invalid file changes nothing
 * (the error, FILE:LINE, is logged and kept in error); a valid one is
 * applied where that is safe at run time (log_level, log_target,
 * max_slew_ppm, metrics_*), and every other change is logged as needing a
 * restart. Runs outside any loop callback.
 * @param error  the failure kept for gnomonctl, "" after a good reload
 * @return 0 when the file was valid, -errno otherwise
 */
int reload_run(const struct reload_env *env, char *error, size_t errlen);

#endif
