/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ops_notify.h
 * gnomond and the service manager (ops_notify.c, doc/operations.md): the
 * notifications READY, STATUS, WATCHDOG, RELOADING and STOPPING, and the
 * progress watchdog's timer.
 */
#ifndef GNOMON_OPS_NOTIFY_H
#define GNOMON_OPS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"
#include "daemon/discipline/discipline.h"
#include "daemon/loop.h"

/** Longest wait for every clock's first update before READY=1 is sent
 *  anyway (with a STATUS naming the clocks not updating), ns. */
#define OPS_READY_TIMEOUT_NS	(30LL * NS_PER_S)

struct ops_notify;

/** What the notifier reads (not owned; outlive it). */
struct ops_notify_env {
	struct loop *loop;
	struct discipline_set discs;
	bool dry_run;		/**< STATUS= starts with "dry run: " */
	int64_t start_mono_ns;	/**< READY=1 at the latest OPS_READY_TIMEOUT_NS after */
};

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
 * @param out  NULL when off; set as soon as it exists (free it with
 *             ops_notify_stop() even when this fails)
 * @return 0 or -errno (logged)
 */
int ops_notify_start(const struct ops_notify_env *env, struct ops_notify **out);

/** Stop the timers and free; accepts NULL. */
void ops_notify_stop(struct ops_notify *o);

/** RELOADING=1 with MONOTONIC_USEC, before a configuration reload. NULL: nothing. */
void ops_notify_reloading(struct ops_notify *o);

/** READY=1 after a reload, and STATUS= with error (a failed reload, the
 *  old configuration kept) or the clocks' summary. error may be NULL. */
void ops_notify_reloaded(struct ops_notify *o, const char *error);

/** STOPPING=1 and a last STATUS=, on SIGTERM. NULL: nothing. */
void ops_notify_stopping(struct ops_notify *o);

/** The current state for gnomonctl; all false for NULL (not under systemd). */
void ops_notify_get(const struct ops_notify *o, struct ops_notify_state *st);

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

#endif
