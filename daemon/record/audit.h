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
#include <stddef.h>
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
#define AUDIT_REF_JUMP		"reference_jump"	/* reference= jump_ns= (samples refused) */
#define AUDIT_REF_JUMP_ACCEPTED	"reference_jump_accepted" /* jump_ns= lasted_s= */
#define AUDIT_REOPENED		"reopened"	/* device= reason= */
#define AUDIT_FOREIGN_ALARM	"foreign_alarm"	/* changes= window_s= (two daemons fighting) */
#define AUDIT_FOREIGN_CLEAR	"foreign_clear"	/* quiet_s= */
#define AUDIT_RECOVERED		"recovered"	/* event= recovery_s= limit_s= ratio= */
#define AUDIT_HEALTH_ALARM	"health_alarm"	/* check=cpu|timer|realtime_timer|clocksource reason= */
#define AUDIT_HEALTH_CLEAR	"health_clear"	/* check= */
#define AUDIT_CLOCKSOURCE	"clocksource_changed" /* from= to= */

/** Longest line written, bytes; audit_write() refuses longer ones (-E2BIG). */
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

/** What a value is: written as text (encoded as a whole, see above). */
enum audit_kv_kind {
	AUDIT_KV_STR,	/**< s, as given (NULL: empty) */
	AUDIT_KV_INT,	/**< i, in decimal */
	AUDIT_KV_NUM,	/**< d with prec digits after the point (0 ... 17) */
};

/** One key=value pair; build them with AKV_STR, AKV_INT, AKV_NUM. */
struct audit_kv {
	const char *key;	/**< [A-Za-z0-9_]+ */
	enum audit_kv_kind kind;
	const char *s;
	int64_t i;
	double d;
	int prec;
};

#define AKV_STR(k, v)		{ .key = (k), .kind = AUDIT_KV_STR, .s = (v) }
#define AKV_INT(k, v)		{ .key = (k), .kind = AUDIT_KV_INT, .i = (int64_t)(v) }
#define AKV_NUM(k, v, p)	{ .key = (k), .kind = AUDIT_KV_NUM, .d = (v), .prec = (p) }

/**
 * Append one action line: the time, the clock, the action, then " key=value"
 * for each of the n pairs in order.
 * @param utc_ns  UTC time of the action, ns since 1970 (POSIX scale), >= 0
 * @param clock   the clock acted on ("CLOCK_REALTIME", "/dev/ptp0", ...)
 * @param action  the action word: [a-z0-9_]+, normally an AUDIT_* name
 * @param kv      n pairs (may be NULL when n is 0)
 * @return 0; -EINVAL (bad action, clock, key, kind or precision), -ERANGE
 *         (utc_ns < 0), -E2BIG (line over AUDIT_LINE_MAX), -ENOMEM, or the
 *         error of the write. Nothing is written on error before the write.
 */
int audit_write(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
		const struct audit_kv *kv, size_t n);

#endif
