/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sustain.h
 * The sustained peak of a piecewise-linear offset: the largest level that
 * |offset| stays at or above without a break for at least a hold time H,
 *
 *     sustained = sup over t of ( min over [t, t + H] of |offset| ),
 *
 * with [t, t + H] inside the span fed so far. An excursion shorter than H
 * does not count: the 1 s spike a kernel-applied leap makes for as many ns
 * as the clock is off midnight, a step undone at once. A jump counts with
 * both its values (the one before and the one after).
 *
 * Exact and streaming: the minimum of a piecewise-linear function over an
 * interval is at one of its ends or at a change point inside, so while the
 * interval slides across one segment the value is min(|L|, |R|, C) with L,
 * R linear (the two ends) and C a constant (the change points inside); its
 * supremum is at the ends of the slide or where |L| = |R|. Only the change
 * points of the last H are kept.
 *
 * Times are true ns, offsets ns. Pure: no I/O.
 */
#ifndef GNOMON_SIM_SUSTAIN_H
#define GNOMON_SIM_SUSTAIN_H

#include <stdint.h>

struct sustain;

/** A tracker with hold time hold_ns (> 0). NULL if out of memory. */
struct sustain *sustain_create(int64_t hold_ns);
/** Free; accepts NULL. */
void sustain_destroy(struct sustain *s);

/** Forget everything; the offset is v (ns) at true time t (ns). */
void sustain_reset(struct sustain *s, int64_t t, double v);

/**
 * A change point at t: the offset reached @p before along the segment that
 * ends here and continues from @p after (they differ for a jump). t never
 * decreases; an earlier t is ignored. Returns 0, or -ENOMEM (the result
 * then becomes NaN).
 */
int sustain_add(struct sustain *s, int64_t t, double before, double after);

/**
 * The sustained peak (ns, >= 0) since the last reset. If less than the hold
 * time has been fed, the smallest |offset| seen (the level held throughout).
 */
double sustain_peak(const struct sustain *s);

#endif
