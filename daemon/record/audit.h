/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file audit.h
 * The audit trail: every action on a clock, one line each, appended to a
 * file in a stable format an auditor can read and grep (MiFID II RTS 25
 * traceability). Format (doc/audit.md):
 *
 *   2026-11-24T01:02:03.456789Z CLOCK_REALTIME step delta_ns=-1000000000 reason=leap_policy_step
 *
 * UTC time with microseconds, the clock, the action word, then key=value
 * pairs. A value made only of [A-Za-z0-9_.:/+,@%-] is written as is; any
 * other value (empty, spaces, quotes, control or non-ASCII bytes) is
 * written in double quotes with \" \\ \n \r \t and \xHH escapes. The clock
 * is encoded the same way. The time is passed in by the caller: the writer
 * never reads a clock. Each line goes out with one write() on an O_APPEND
 * descriptor. Errors come back as negative errno; nothing here logs.
 */
#ifndef GNOMON_AUDIT_H
#define GNOMON_AUDIT_H

#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>

#include "daemon/record/recfile.h"

/* The actions, with the keys each carries by convention (doc/audit.md). */
#define AUDIT_START		"start"		/* source= policy= cap_ppb= */
#define AUDIT_STOP		"stop"		/* reason= */
#define AUDIT_STEP		"step"		/* delta_ns= reason= */
#define AUDIT_FREQ_SLEW_START	"freq_slew_start" /* offset_ns= cap_ppb= */
#define AUDIT_SLEW_DONE		"slew_done"	/* duration_s= offset_ns= */
#define AUDIT_CAP_REACHED	"cap_reached"	/* freq_ppb= cap_ppb= */
#define AUDIT_FREQ_FOREIGN	"freq_foreign"	/* freq_ppb= was_ppb= */
#define AUDIT_LEAP_ARMED	"leap_armed"	/* type=insert|delete date=YYYY-MM-DD */
#define AUDIT_LEAP_APPLIED	"leap_applied"	/* type= tai_utc_s= */
#define AUDIT_LEAP_POLICY	"leap_policy"	/* policy=accept|ignore|step|smear ... */
#define AUDIT_SOURCE_SWITCHED	"source_switched" /* from= to= reason= */
#define AUDIT_FAULT		"fault"		/* what= error= */
#define AUDIT_FAULT_CLEARED	"fault_cleared"	/* what= duration_s= */
#define AUDIT_RECOVERED		"recovered"	/* event= recovery_s= limit_s= ratio= */

/** Longest line written, bytes; audit_log() refuses longer ones (-E2BIG). */
#define AUDIT_LINE_MAX		65536

struct audit;

/**
 * Open (create 0644 if missing) an audit log for appending, through recfile
 * (safefile rules, rotation, lines kept while writes fail).
 * @param conf  NULL for defaults (no fdatasync: it may block the loop)
 * @param why   the reason on failure; may be NULL
 * @param err   set to a negative errno on failure (-EINVAL: empty path or
 *              not a regular file; -ELOOP a symbolic link; -EPERM another
 *              user's file or a hard link; -ENOENT, -EACCES, ...)
 * @return the writer, or NULL
 */
struct audit *audit_open(const char *path, const struct recfile_conf *conf, int *err,
			 char *why, size_t whylen);

/** Close; accepts NULL. */
void audit_close(struct audit *a);

/** The line file underneath (counters, reopen, flush). */
struct recfile *audit_file(const struct audit *a);

/**
 * Append one action line.
 * @param utc_ns  UTC time of the action, ns since 1970 (POSIX scale), >= 0
 * @param clock   the clock acted on ("CLOCK_REALTIME", "/dev/ptp0", ...)
 * @param action  the action word: [a-z0-9_]+, normally an AUDIT_* name
 * @param fmt_kv  printf-style "key=value key=value" part, or NULL/"" for
 *                none. Keys are literal [A-Za-z0-9_]+; a value runs to the
 *                next literal space of fmt_kv and is encoded as a whole
 *                after expansion (so "reason=%s" with "a b" gives
 *                reason="a b"). Conversions: d i u o x X c s f F e E g G
 *                a A p %% with flags, width, precision and hh h l ll j z t L
 *                (no '*', no %n).
 * @return 0; -EINVAL (bad action, clock, key, or conversion), -ERANGE
 *         (utc_ns < 0), -E2BIG (line over AUDIT_LINE_MAX), -ENOMEM, or the
 *         error of write()/fdatasync(). Nothing is written on error before
 *         the write.
 */
int audit_log(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
	      const char *fmt_kv, ...) __attribute__((format(printf, 5, 6)));

/** audit_log() with a va_list (for wrappers). */
int audit_vlog(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
	       const char *fmt_kv, va_list ap) __attribute__((format(printf, 5, 0)));

#endif
