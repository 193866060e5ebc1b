/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sample_filter.h
 * The measurement side of a clock comparison: n raw readings (from
 * clock_compare() or a clock's sys_offset op) become one offset sample.
 * Pure arithmetic, no state, no system calls.
 *
 * Method (after chrony's hwclock.c): a reading's delay is the width of the
 * window that brackets it, so its offset is uncertain by up to delay / 2
 * and a reading that was interrupted (larger delay) is the one to distrust.
 *  1. Keep the readings whose delay is within max(50 ns, min_delay / 8) of
 *     the smallest (chrony: within the clocks' precision), but at least
 *     the 3 narrowest (all of them when n <= 3), ties broken by order.
 *     Extra delay d can move a reading's midpoint at most d / 2 from its
 *     latch, while each reading kept divides the noise variance further:
 *     with equal delays all are kept (25 readings of 100 ns noise: 20 ns;
 *     9 readings: 33 ns, where the best half, the rule before, gave 45 ns).
 *  2. Among those, drop offsets further from their median than
 *     max(4 x 1.4826 x MAD, min_delay / 2, 1 ns): one wild reading cannot
 *     move the result even when its delay looks normal (PRECISE readings
 *     all have delay 0).
 *  3. Average the survivors' offsets and reference times: the mean offset
 *     belongs to the mean time (at a 10 % slew the offset moves 1 us per
 *     10 us of reading spread). Sums run over int64 differences, so
 *     offsets of 1.7e18 ns (a PHC still at 1970 against CLOCK_REALTIME)
 *     keep every nanosecond.
 */
#ifndef GNOMON_SAMPLE_FILTER_H
#define GNOMON_SAMPLE_FILTER_H

#include <stdint.h>

#include "phc/clock.h"

/** Most readings one call considers; more are an error. */
#define SAMPLE_FILTER_MAX_READINGS 64
/** |offset|, |delay| and |ref| must stay below 2^62 ns (146 years). */
#define SAMPLE_FILTER_LIMIT_NS (INT64_C(1) << 62)

/** One filtered sample. */
struct sample_filter_out {
	int64_t offset_ns;	/**< mean offset of the readings used (target - reference) */
	int64_t delay_ns;	/**< smallest delay among the readings used */
	int64_t ref_ns;		/**< mean reference time of the readings used */
	int n_used;		/**< readings averaged (>= 1) */
};

/**
 * Filter n readings of one comparison into one sample.
 * @param r    readings, offset = target - reference, delay >= 0
 * @param n    1 .. SAMPLE_FILTER_MAX_READINGS
 * @param out  the sample
 * @return n_used (> 0), or -EINVAL for a NULL pointer, n out of range or
 *         a negative delay, -ERANGE for a value past SAMPLE_FILTER_LIMIT_NS.
 */
int sample_filter(const struct clock_reading *r, int n, struct sample_filter_out *out);

#endif
