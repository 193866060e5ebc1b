/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP-style checks for the simulator's test programs: each check
 * prints "ok NAME" or "not ok NAME: details"; run-tests.sh counts them. */
#ifndef GNOMON_SIM_TAP_H
#define GNOMON_SIM_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int tap_failed;

static inline void check(int cond, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void check(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		printf("ok %s\n", name);
	} else {
		printf("not ok %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		tap_failed++;
	}
	fflush(stdout);
}

static inline int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return -1;
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
