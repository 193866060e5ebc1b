/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file discipline_query.h
 * What the operations side (watchdog, metrics, SIGHUP reload) needs from a
 * discipline beyond discipline_get_status(): read-only accessors, and the
 * one setting that may change at run time, the slew cap. Kept apart from
 * the update pipeline (discipline*.c), which it does not change.
 */
#ifndef GNOMON_DISCIPLINE_QUERY_H
#define GNOMON_DISCIPLINE_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/discipline/discipline.h"

/** CLOCK_MONOTONIC time (ns, as loop_now() gives it) of the last
 *  successful read of the clock against its source; 0 = never. */
int64_t discipline_last_good_ns(const struct discipline *d);

/** The configured update interval, ns (1 / update_rate). */
int64_t discipline_interval_ns(const struct discipline *d);

/** The clock being disciplined (for read-only queries such as the tick). */
struct clock *discipline_clock(const struct discipline *d);

/**
 * Change the slew cap at run time (configuration reload): the servo's
 * frequency clamp and the recovery tracker's cap for events from now on.
 * The current frequency, if above the new cap, is clamped at the next
 * update by the servo.
 * @param max_slew_ppm  new cap, ppm, > 0
 * @param err           one line on failure, naming the clock
 * @return 0, -EINVAL (not > 0) or -ERANGE (above what the clock accepts:
 *         the driver's max_adj for a PHC, 10 % for CLOCK_REALTIME)
 */
int discipline_set_cap(struct discipline *d, double max_slew_ppm, char *err, size_t errlen);

#endif
