/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file watchdog.h
 * The progress watchdog: decides whether gnomond may send WATCHDOG=1.
 * Pure: no I/O, no clock reads; every time is passed in (CLOCK_MONOTONIC
 * ns, as loop_now() gives it).
 *
 * Healthy means that the poll loop made progress since the previous check
 * (loop_iterations() grew) AND every watched clock had a successful read or
 * adjustment recently: within max(stale_factor x its update interval,
 * stale_floor_ns). A clock whose read or adjust call keeps failing, or
 * stops returning, makes the check unhealthy, WATCHDOG=1 stops, and the
 * service manager restarts gnomond after WatchdogSec.
 *
 * The check runs from a timer of the one poll loop, on purpose: if an ioctl
 * hangs, the loop hangs, the timer never fires and no WATCHDOG=1 is sent at
 * all. There is no watchdog thread that could keep pinging for a daemon
 * whose work has stopped (doc/operations.md). The progress counter is still
 * checked, so the verdict stays right if the check is ever driven from
 * elsewhere.
 */
#ifndef GNOMON_WATCHDOG_H
#define GNOMON_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Default multiple of a clock's update interval after which it is stale. */
#define WATCHDOG_STALE_FACTOR_DEFAULT	3.0
/** Default lower bound of the staleness limit, ns (2 s): absorbs scheduling
 *  and the one-sample-in-flight delay of fast-updating clocks. */
#define WATCHDOG_STALE_FLOOR_DEFAULT_NS	2000000000LL
/** Longest clock name kept (longer names are truncated). */
#define WATCHDOG_NAME_MAX	64

struct watchdog_params {
	/** A clock is stale when its last success is older than
	 *  max(stale_factor * interval_ns, stale_floor_ns). >= 1; 0 = default. */
	double stale_factor;
	/** Lower bound of that limit, ns. >= 0; 0 = default (2 s). */
	int64_t stale_floor_ns;
};

struct watchdog;

/**
 * Create a watchdog with no clocks.
 * @param p  parameters; NULL = all defaults
 * @return the watchdog, or NULL (bad parameters: stale_factor < 1 or not
 *         finite, stale_floor_ns < 0; or out of memory)
 */
struct watchdog *watchdog_create(const struct watchdog_params *p);

/** Destroy; accepts NULL. */
void watchdog_destroy(struct watchdog *w);

/**
 * Watch a clock.
 * @param name         for the verdict text ("eth0", "CLOCK_REALTIME")
 * @param interval_ns  its expected update interval (1 / update rate), > 0
 * @return the clock's index (>= 0, consecutive from 0), or -EINVAL for a
 *         bad interval or NULL name, -ENOMEM
 *
 * Until its first watchdog_clock_ok(), a clock is measured from the first
 * watchdog_check() that sees it: a clock that never succeeds turns the
 * verdict unhealthy one staleness limit after start-up.
 */
int watchdog_add_clock(struct watchdog *w, const char *name, int64_t interval_ns);

/**
 * Record a successful read or adjustment of clock idx.
 * @param mono_ns  CLOCK_MONOTONIC time of the success, ns
 * @return 0, or -EINVAL for a bad index
 */
int watchdog_clock_ok(struct watchdog *w, int idx, int64_t mono_ns);

/**
 * Stop or resume watching clock idx (a clock removed by a reload or a bond
 * that lost the slave). Resuming restarts its grace period at the next
 * check, as for a new clock.
 * @return 0, or -EINVAL for a bad index
 */
int watchdog_clock_watch(struct watchdog *w, int idx, bool watch);

/** Staleness limit of clock idx, ns, or -EINVAL for a bad index. */
int64_t watchdog_clock_limit_ns(const struct watchdog *w, int idx);

/**
 * The verdict: may WATCHDOG=1 be sent now?
 * @param loop_iterations  loop_iterations() of the poll loop now
 * @param now_ns           CLOCK_MONOTONIC now, ns
 * @param why              if not NULL, filled with a one-line reason: which
 *                         clocks are stale and since when, or that the loop
 *                         made no progress; "ok (N clocks fresh)" when
 *                         healthy. Truncated to len, always NUL-terminated.
 * @return true when healthy
 *
 * The first check compares the counter with 0. A counter that went
 * backwards (a new loop) is reported unhealthy once, then followed.
 */
bool watchdog_check(struct watchdog *w, uint64_t loop_iterations, int64_t now_ns,
		    char *why, size_t len);

#endif
