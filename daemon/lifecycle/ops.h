/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ops.h
 * gnomond's lifecycle around the clock work (doc/operations.md): the root
 * refusal, the runtime and state directories, the pid/lock file and the
 * privilege drop (ops.c); the service manager's notifications READY,
 * STATUS, WATCHDOG, RELOADING and STOPPING, and the progress watchdog's
 * timer (ops_notify.c). Everything logs once, naming the configuration
 * key at fault; functions return 0 or a negative errno.
 *
 * Start-up order (gnomond.c): configuration, log, ops_check_config(),
 * ops_root_check(), ops_prepare_dirs(), ops_pidfile(), open clocks,
 * sockets and state files, ops_drop_privileges(), ops_notify_start(),
 * the loop. At exit: ops_notify_stopping(), tear down, ops_release().
 */
#ifndef GNOMON_OPS_H
#define GNOMON_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/discipline/discipline.h"

struct gnomond;
struct gnomon_config;

/* ---- ops.c: privileges and the pid file ------------------------------- */

/**
 * Checks of the configuration that the key table cannot make alone, run
 * by --check-config too: user and group exist, a non-loopback
 * metrics_listen needs metrics_allow_remote.
 * @param err  "FILE:LINE: message" on failure
 * @return 0, -ENOENT (no such user or group), -EPERM (remote metrics)
 */
int ops_check_config(const struct gnomon_config *c, char *err, size_t errlen);

/**
 * The root refusal: started as root holding every capability
 * (privdrop_check_root_all_caps()) with neither user nor allow_root set,
 * gnomond refuses to start. Logs why and what to set.
 * @return 0 (go on) or -EPERM
 */
int ops_root_check(const struct gnomond *g);

/**
 * Create the directories of the pid file, the control sockets and
 * state_dir when missing (one level, mode 0755) and, when running as root
 * with a user to drop to, hand to that user the directories gnomond must
 * still write in after the drop: state_dir and the directory of the pid
 * file and sockets, but only a directory gnomond created or one named
 * ".../gnomon" (never /tmp or another shared directory).
 * @return 0 or -errno (logged)
 */
int ops_prepare_dirs(struct gnomond *g);

/**
 * Take the pid/lock file (conf.pidfile; nothing when empty). A second
 * gnomond gets -EEXIST and the log names the pid holding the lock.
 */
int ops_pidfile(struct gnomond *g);

/**
 * Drop privileges after everything is open: to conf.user/conf.group when
 * set, else stay the same user; either way keep only CAP_SYS_TIME in the
 * permitted and effective sets (none in a dry run), inheritable and ambient
 * empty, no_new_privs set. A process that holds no capability at all and
 * has no user to switch to has nothing to drop and is left as it is.
 * @return 0 or -errno (logged; the process may be half-dropped: exit)
 */
int ops_drop_privileges(struct gnomond *g);

/** Release the pid file (removing it when still ours); idempotent. */
void ops_release(struct gnomond *g);

/** The process's capabilities as text ("cap_sys_time=ep", "=" for none). */
void ops_caps_text(char *buf, size_t len);

/** The effective user as "name (uid N)" or "uid N". */
void ops_user_text(char *buf, size_t len);

/* ---- ops_notify.c: the service manager -------------------------------- */

/** Longest wait for every clock's first update before READY=1 is sent
 *  anyway (with a STATUS naming the clocks not updating), ns. */
#define OPS_READY_TIMEOUT_NS	(30LL * 1000000000LL)

/** What gnomonctl status shows of the service-manager side. */
struct ops_notify_state {
	bool notify;		/**< $NOTIFY_SOCKET is set */
	bool ready;		/**< READY=1 sent */
	bool watchdog;		/**< $WATCHDOG_USEC names us: pings are due */
	double watchdog_interval_s;	/**< between checks (WATCHDOG_USEC / 2) */
	bool healthy;		/**< the last verdict (true before the first) */
	const char *reason;	/**< its one-line reason; "" before the first */
};

/**
 * Start the service-manager side: without $NOTIFY_SOCKET nothing is
 * started and nothing is ever sent (silently off). With it: READY=1 once
 * every clock has updated successfully (or after OPS_READY_TIMEOUT_NS,
 * with STATUS naming the clocks that did not), STATUS= on state changes,
 * and, when $WATCHDOG_USEC is set for this process, a loop timer every
 * WATCHDOG_USEC / 2 that sends WATCHDOG=1 only while the loop progresses
 * and every clock's last successful read is recent (watchdog.h).
 * @return 0 or -errno (logged); g->notify is set either way when 0
 */
int ops_notify_start(struct gnomond *g);

/** Stop the timers and free; accepts g->notify == NULL. */
void ops_notify_stop(struct gnomond *g);

/** RELOADING=1 with MONOTONIC_USEC, before a configuration reload. */
void ops_notify_reloading(struct gnomond *g);

/** READY=1 after a reload, and STATUS= with error (a failed reload, the
 *  old configuration kept) or the clocks' summary. error may be NULL. */
void ops_notify_reloaded(struct gnomond *g, const char *error);

/** STOPPING=1 and a last STATUS=, on SIGTERM. */
void ops_notify_stopping(struct gnomond *g);

/** The current state for gnomonctl; all false without g->notify. */
void ops_notify_get(const struct gnomond *g, struct ops_notify_state *st);

/**
 * The STATUS= summary of the clocks, one line, e.g.
 * "CLOCK_REALTIME LOCKED +12 ns; /dev/ptp1 SLEWING -300.000 ms, 3.0 s left".
 * Per clock: its state (FREERUN, LOCKED, HOLDOVER), or SLEWING while the
 * slew planner works, with "smearing" or "leap pause" when the leap policy
 * acts, the last offset, and the last error while one persists.
 * Pure: formats what it is given. Truncated to len, NUL-terminated.
 * @return the length it wanted (as snprintf)
 */
size_t ops_format_status(const struct discipline_status *st, int n, char *buf, size_t len);

/* ---- reload.c: what a SIGHUP changes ----------------------------------- */

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
 * runtime is set for what daemon_reload() applies at run time: log_level,
 * log_target, metrics_listen, metrics_allow_remote, metrics_textfile,
 * metrics_interval and a clock's max_slew_ppm.
 * @param out  array of max entries (may be NULL with max 0 to count)
 * @return the number of changes (may exceed max), or -ENOMEM
 */
int reload_diff(const struct gnomon_config *a, const struct gnomon_config *b,
		struct reload_change *out, int max);

#endif
