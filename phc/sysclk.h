/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sysclk.h
 * CLOCK_REALTIME specifics beyond the clock seam: preparing the kernel for
 * our discipline, and saving/restoring the raw tick and frequency (so that
 * every exit path can leave the clock as it was found).
 *
 * None of these is ever called on the dry-run path; for safety each one
 * returns 0 without touching the kernel when given a dry-run clock.
 */
#ifndef GNOMON_SYSCLK_H
#define GNOMON_SYSCLK_H

#include "phc/clock.h"

/** The nominal tick, us: USER_HZ = 100 ticks of 10000 us per second. */
#define SYSCLK_NOMINAL_TICK_US 10000L

/**
 * Stop the kernel's own NTP PLL from fighting our frequency corrections,
 * as chronyd does at start: cancel any adjtime(3) slew, zero the PLL's
 * phase offset (ADJ_OFFSET = 0 with STA_PLL set), then clear STA_PLL,
 * STA_FLL, STA_PPSFREQ and STA_PPSTIME. The other status bits (STA_INS,
 * STA_DEL, STA_UNSYNC) are written back as read; clearing STA_PLL makes
 * the kernel restart its leap state machine at TIME_OK. Tick and
 * frequency are kept.
 * @param c  an open CLOCK_REALTIME clock (-EINVAL for any other kind)
 * @return 0 or -errno (EPERM without CAP_SYS_TIME).
 */
int sysclk_init_for_discipline(struct clock *c);

/** Read the raw tick (us per 1/USER_HZ s) and ADJ_FREQUENCY value (scaled
 *  ppm: ppm << 16) of CLOCK_REALTIME. Changes nothing. 0 or -errno. */
int sysclk_read_raw(struct clock *c, long *tick_us, long *freq_scaled_ppm);

/** Write a raw tick and ADJ_FREQUENCY back in one clock_adjtime call, e.g.
 *  what sysclk_read_raw() saved. 0 or -errno (EINVAL: tick outside
 *  9000..11000, EPERM: no CAP_SYS_TIME). */
int sysclk_write_raw(struct clock *c, long tick_us, long freq_scaled_ppm);

/**
 * Leave CLOCK_REALTIME at a total frequency correction of ppb for nobody
 * to steer (an exit): the tick back at its nominal 10000 us with all of
 * ppb in ADJ_FREQUENCY when it fits there (|ppb| <= 500 ppm), so that a
 * program that only sets the frequency (ntpd, chronyd) starts right;
 * otherwise the usual split. *tick_us and *rest_ppb say what was (for a
 * dry-run clock: would be) written.
 * @return 0 or -errno (ERANGE beyond 10 %).
 */
int sysclk_park(struct clock *c, double ppb, long *tick_us, double *rest_ppb);

#endif
