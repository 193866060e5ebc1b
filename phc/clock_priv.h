/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clock_priv.h
 * Inside phc/ only: the drivers' constructors and the few accessors the
 * comparison code and the dry-run wrapper need beyond phc/clock.h.
 */
#ifndef GNOMON_CLOCK_PRIV_H
#define GNOMON_CLOCK_PRIV_H

#include "phc/clock.h"
#include "util/util.h"


/** Mark a clock's identity after clock_create(): its kind, PHC index (-1 if
 *  none) and whether its corrections are only recorded (dry run). */
void clock_set_identity(struct clock *c, enum clock_kind kind, int phc_index,
			bool dryrun);

/** The clock's ops->sys_offset, or -EOPNOTSUPP if it has none. n readings
 *  of this PHC against CLOCK_REALTIME, offset = CLOCK_REALTIME - PHC. */
int clock_sys_offset(struct clock *c, int n, struct clock_reading *out,
		     enum compare_method *method);

/** The clock's ops table (never NULL). */
const struct clock_ops *clock_ops_of(const struct clock *c);

/** The clock's kernel clockid (ops->clockid), or -1 if it has none. */
clockid_t clock_clockid(const struct clock *c);

/** The clock's ops->watch (the clock and its unstepped twin), or
 *  -EOPNOTSUPP if it has none. */
int clock_watch_pair(struct clock *c, int64_t *clock_ns, int64_t *twin_ns);

/** struct timespec -> ns since the clock's epoch. */
int64_t clock_ts_to_ns(const struct timespec *ts);

/** Open CLOCK_REALTIME (phc/sysclk.c). Touches nothing: no adjtimex modes.
 *  @return the clock, or NULL with *err = -errno. */
struct clock *sysclk_create(const char *name, int *err);

/** Open /dev/ptp<index> (phc/phc.c): plain open(O_RDWR), FD_CLOEXEC, caps.
 *  @return the clock, or NULL with *err = -errno (ENOENT: no such PHC). */
struct clock *phc_create(int index, const char *name, int *err);

#endif
