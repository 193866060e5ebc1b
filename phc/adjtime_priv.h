/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file adjtime_priv.h
 * Inside phc/ only: the clock_adjtime(2) calls shared by the CLOCK_REALTIME
 * and the PHC drivers. Each returns the kernel's clock state (>= 0, TIME_OK
 * ... TIME_ERROR) or -errno.
 */
#ifndef GNOMON_ADJTIME_PRIV_H
#define GNOMON_ADJTIME_PRIV_H

#include <stdint.h>
#include <sys/timex.h>
#include <time.h>

/** clock_adjtime(id, tx) with -errno on failure. */
int adjtime_call(clockid_t id, struct timex *tx);

/** Read the clock's timex (modes = 0: changes nothing). */
int adjtime_read(clockid_t id, struct timex *tx);

/** Step the clock: ADJ_SETOFFSET | ADJ_NANO, delta_ns ADDED to the clock. */
int adjtime_step(clockid_t id, int64_t delta_ns);

/** ppb -> the kernel's scaled ppm (ppm with a 16-bit fraction),
 *  rounded half away from zero. */
long adjtime_ppb_to_scaled_ppm(double ppb);

/** scaled ppm -> ppb. */
double adjtime_scaled_ppm_to_ppb(long scaled_ppm);

#endif
