/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file history.h
 * The recovery history file: one JSON object per line (JSON Lines) per
 * completed recovery report, schema "gnomon.recovery.v1" (doc/recovery.md).
 * Lines are appended with O_APPEND and one write() each, so a reader never
 * sees half a line unless the disk filled up or the writer died mid-line;
 * the reader skips such a torn last line.
 *
 * The writer never reads a clock: times come from the report, which the
 * daemon filled. Errors are returned as negative errno; nothing here logs.
 * Also home of the UTC formatter shared with the audit trail.
 */
#ifndef GNOMON_HISTORY_H
#define GNOMON_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/record/recfile.h"
#include "daemon/record/recovery.h"

struct json_object;

/** Value of the "schema" key of every history line. */
#define HISTORY_SCHEMA	"gnomon.recovery.v1"

/** Buffer size that fits any history_format_utc() result. */
#define HISTORY_UTC_MAX	40

/**
 * Format a UTC time as ISO 8601 / RFC 3339, "2026-11-24T01:02:03.456Z".
 * The fraction is truncated (never rounded up into the next second), so a
 * time just before midnight stays on its day.
 * @param utc_ns       ns since 1970-01-01T00:00:00Z on the POSIX scale (no
 *                     leap seconds: 23:59:60 cannot be expressed); >= 0
 * @param frac_digits  digits after the decimal point, 0..9 (0: no point)
 * @return the length written, -ERANGE for a time before 1970, -EINVAL for
 *         bad frac_digits, -ENOSPC if len is too small
 */
int history_format_utc(int64_t utc_ns, int frac_digits, char *buf, size_t len);

/**
 * The report as a JSON object with the history schema (keys in a fixed
 * order; NaN values are JSON null). Caller owns it (json_object_put).
 * @return the object, or NULL on allocation failure or event_utc_ns < 0
 */
struct json_object *history_report_to_json(const struct recovery_report *r);

/**
 * Fill a report from a history object (the inverse of the above; null
 * becomes NaN). The clock name is truncated to fit.
 * @return 0, or -EINVAL if a key is missing, has the wrong type, or the
 *         schema or event kind is not one this code knows
 */
int history_report_from_json(const struct json_object *o, struct recovery_report *r);

struct history;

/**
 * Open (create 0644 if missing) a history file for appending, through
 * recfile (safefile rules, rotation, lines kept while writes fail).
 * @param conf  NULL for defaults; @param why the reason on failure
 * @param err   set to a negative errno on failure (-EINVAL: not a regular
 *              file, -ELOOP: a symbolic link, -EPERM: another user's file)
 * @return the writer, or NULL
 */
struct history *history_open(const char *path, const struct recfile_conf *conf, int *err,
			     char *why, size_t whylen);

/** The line file underneath (counters, reopen, flush). */
struct recfile *history_file(const struct history *h);

/** Close; accepts NULL. */
void history_close(struct history *h);

/**
 * Append one report as one line.
 * @return 0, or a negative errno (-ENOMEM, -ERANGE for a pre-1970 time, or
 *         the error of write/fdatasync)
 */
int history_append(struct history *h, const struct recovery_report *r);

/**
 * Load the last n complete, valid lines of a history file.
 * @param out      set to a new JSON array of up to n objects, oldest first;
 *                 caller owns it
 * @param skipped  if not NULL, set to the number of lines skipped (torn
 *                 last line, not JSON, not the history schema) that are
 *                 newer than the oldest object returned, or in the whole
 *                 file when it holds fewer than n valid lines
 * @return 0, or a negative errno (-ENOENT ...)
 */
int history_read_last(const char *path, size_t n, struct json_object **out,
		      size_t *skipped);

#endif
