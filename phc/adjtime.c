/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file adjtime.c
 * The clock_adjtime(2) calls shared by CLOCK_REALTIME and PHCs.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "phc/adjtime_priv.h"
#include "phc/clock_priv.h"

/* The kernel's frequency unit: ppm with a 16-bit binary fraction, so
 * 1 ppb = 65536 / 1000 = 65.536 scaled ppm. */
#define SCALED_PPM_PER_PPB 65.536

int adjtime_call(clockid_t id, struct timex *tx)
{
	int r = clock_adjtime(id, tx);

	return r < 0 ? -errno : r;
}

int adjtime_read(clockid_t id, struct timex *tx)
{
	memset(tx, 0, sizeof(*tx));
	return adjtime_call(id, tx);
}

int adjtime_step(clockid_t id, int64_t delta_ns)
{
	struct timex tx;
	int64_t sec = delta_ns / NS_PER_S;
	int64_t nsec = delta_ns % NS_PER_S;

	/* The kernel reads the offset as tv_sec + tv_usec, where with ADJ_NANO
	 * tv_usec holds nanoseconds and must lie in [0, 1e9) (it answers
	 * -EINVAL otherwise): so -1.5 s is tv_sec = -2, tv_usec = 5e8. */
	if (nsec < 0) {
		sec -= 1;
		nsec += NS_PER_S;
	}
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = sec;
	tx.time.tv_usec = nsec;
	return adjtime_call(id, &tx);
}

long adjtime_ppb_to_scaled_ppm(double ppb)
{
	return lround(ppb * SCALED_PPM_PER_PPB);
}

double adjtime_scaled_ppm_to_ppb(long scaled_ppm)
{
	return scaled_ppm / SCALED_PPM_PER_PPB;
}
