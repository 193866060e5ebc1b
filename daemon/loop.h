/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file loop.h
 * The single-threaded event loop: one poll() call, timers kept against
 * CLOCK_MONOTONIC (never CLOCK_REALTIME, which is the clock being stepped
 * and leapt). Handlers may add or remove fds and timers, including their
 * own, from inside a callback.
 */
#ifndef GNOMON_LOOP_H
#define GNOMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

/** fd callback: revents as poll() gave them. */
typedef void (*loop_fd_cb)(struct loop *l, int fd, short revents, void *arg);
/** Timer callback: return the next interval in ns (> 0) to re-arm the
 *  timer, or 0 to remove it. */
typedef int64_t (*loop_timer_cb)(struct loop *l, long id, void *arg);

struct loop *loop_create(void);
/** Destroy; accepts NULL. Does not close fds. */
void loop_destroy(struct loop *l);

/** Watch fd for events (POLLIN etc.); one handler per fd. 0 or -errno. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg);
int loop_del_fd(struct loop *l, int fd);

/** Add a timer firing after delay_ns (>= 0). Returns an id > 0 or -errno. */
long loop_add_timer(struct loop *l, int64_t delay_ns, loop_timer_cb cb, void *arg);
/** Remove a timer by id (safe from inside callbacks, including its own). */
int loop_del_timer(struct loop *l, long id);

/** CLOCK_MONOTONIC time of the current wake-up, ns (one per iteration). */
int64_t loop_now(const struct loop *l);
/** Read CLOCK_MONOTONIC now, ns. */
int64_t loop_mono_ns(void);

/** Iterations done so far (the progress counter a watchdog looks at). */
uint64_t loop_iterations(const struct loop *l);

/** Ask loop_run() to return after the current iteration. */
void loop_stop(struct loop *l);

/**
 * Run until loop_stop() or until *quit becomes non-zero (a signal flag;
 * poll's EINTR wakes the loop). Returns 0, or -errno if poll fails hard.
 */
int loop_run(struct loop *l, volatile int *quit);

#endif
