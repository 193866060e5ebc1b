/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file util.h
 * util/ owns the few helpers every layer shares: units, close-on-exec, a growable array, FILE:LINE errors.
 * It may call libc only (no clock, no logging).
 *
 * One home each, so that phc/, servo/, daemon/ and the simulator do not
 * keep copies of their own.
 */
#ifndef GNOMON_UTIL_H
#define GNOMON_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/** Nanoseconds per second, as an integer (int64 arithmetic) ... */
#define NS_PER_S	1000000000LL
/** ... and as a double, for rates and ratios. */
#define NS_PER_S_F	1e9
/** Frequencies: configuration in ppm, the clock seam and the servo in ppb. */
#define PPB_PER_PPM	1e3

/**
 * Set FD_CLOEXEC on fd with fcntl(2): descriptors are created without
 * SOCK_CLOEXEC / O_CLOEXEC so that LD_PRELOAD simulators see the plain call.
 * @return 0 or -errno
 */
int fd_cloexec(int fd);

/** Set (on) or clear O_NONBLOCK with fcntl(2), same reason. @return 0 or -errno */
int fd_nonblock(int fd, int on);

/**
 * Grow *arr (items of elem bytes, capacity *cap) to hold at least need
 * items, doubling from 8. Nothing changes on failure.
 * @return 0 or -ENOMEM (also when the size would overflow)
 */
int util_grow(void **arr, size_t *cap, size_t need, size_t elem);

/**
 * The one formatter of parse errors: "NAME:LINE: message" (line > 0) or
 * "NAME: message" into err (truncated, NUL-terminated).
 * @return rc, so that a parser can write  return where_fail(...);
 */
int where_fail(char *err, size_t errlen, const char *name, int line, int rc,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/** where_fail() with a va_list. */
int where_vfail(char *err, size_t errlen, const char *name, int line, int rc,
		const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
