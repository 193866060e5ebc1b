/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <time.h>

#include "util/util.h"
#include "phc/systime.h"

static int64_t read_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int64_t systime_realtime_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

int64_t systime_raw_ns(void)
{
	return read_ns(CLOCK_MONOTONIC_RAW);
}
