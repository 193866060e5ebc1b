/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file systime.h
 * Reading the kernel's clocks for time-keeping of our own (not through a
 * struct clock): UTC for reports and the audit trail, and
 * CLOCK_MONOTONIC_RAW for measuring durations. CLOCK_MONOTONIC is slewed
 * together with CLOCK_REALTIME (by up to 10 % while gnomon slews it), so
 * durations that must be true (recovery times) are taken on the raw clock,
 * which runs at the hardware's rate whatever anyone does to the time.
 */
#ifndef GNOMON_SYSTIME_H
#define GNOMON_SYSTIME_H

#include <stdint.h>

/** CLOCK_REALTIME now, ns since 1970. */
int64_t systime_realtime_ns(void);
/** CLOCK_MONOTONIC_RAW now, ns. */
int64_t systime_raw_ns(void);

#endif
