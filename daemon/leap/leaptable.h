/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file leaptable.h
 * The leap table: TAI - UTC over time and the next leap second, from the
 * IERS/IETF leap-seconds.list file (as shipped by tzdata) merged with leap
 * announcements from other sources (PTP Announce leap61/leap59 and
 * currentUtcOffset, NTP LI bits, the config). No logging and no clock
 * reads: the caller passes "now" and logs the messages returned. The only
 * system calls are the ones that read the file in leaptable_load_file();
 * the parser itself is daemon/leap/leapfile.c (private). Format, hash,
 * precedence and policies: doc/leap.md.
 *
 * Times are POSIX seconds (UTC, no leap seconds counted); a leap at
 * leap_utc_s means TAI - UTC changes at 00:00:00 UTC of that day, i.e.
 * leap_utc_s is the first second of the new day. NTP-era seconds of the
 * file convert as POSIX = NTP - 2208988800.
 */
#ifndef GNOMON_LEAPTABLE_H
#define GNOMON_LEAPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/** Seconds between the NTP era-0 epoch (1900) and the POSIX epoch (1970). */
#define LEAP_NTP_POSIX_DELTA	2208988800LL
/** Warning period before the file's expiry, seconds (28 days). */
#define LEAP_EXPIRY_WARN_S	(28LL * 86400)
/** "No such time": returned by leaptable_expiry_utc() without a file. */
#define LEAP_NO_TIME		INT64_MIN
/** Pass as tai_utc_after when a source does not say it (NTP LI bits). */
#define LEAP_TAI_UNKNOWN	INT32_MIN
/** Largest file leaptable_load_file() reads, bytes. */
#define LEAP_FILE_MAX		(1024 * 1024)

/** Where a piece of leap knowledge came from; precedence in doc/leap.md. */
enum leap_origin {
	LEAP_ORIGIN_FILE = 0,	/**< leap-seconds.list, hash verified */
	LEAP_ORIGIN_CONFIG,	/**< set by the operator */
	LEAP_ORIGIN_PTP,	/**< PTP Announce: leap61/leap59 + currentUtcOffset */
	LEAP_ORIGIN_NTP,	/**< NTP leap indicator bits */
	LEAP_ORIGIN_COUNT
};

enum leap_expiry {
	LEAP_EXPIRY_NONE = 0,	/**< no file loaded */
	LEAP_EXPIRY_OK,		/**< more than 28 days before the #@ date */
	LEAP_EXPIRY_SOON,	/**< within 28 days of it: warn */
	LEAP_EXPIRED,		/**< past it: still used, reported */
};

struct leaptable;

/** An empty table (no leap knowledge). NULL on allocation failure. */
struct leaptable *leaptable_create(void);
/** Free; accepts NULL. */
void leaptable_destroy(struct leaptable *t);

/**
 * Read and verify a leap-seconds.list file (format and SHA-1 hash checked,
 * doc/leap.md). The file is parsed into a temporary table and swapped in
 * only on success: on any error the table keeps its previous content.
 * The file's identity (device, inode, size, mtime) is remembered whether
 * the load succeeds or not, for leaptable_file_changed().
 * @param err  message on error: "PATH:LINE: message" or "PATH: message"
 * @return 0, or -errno: -ENOENT/-EACCES/... (cannot read), -EINVAL (not a
 *         regular file), -EFBIG (larger than LEAP_FILE_MAX), -EBADMSG
 *         (malformed, a line missing, hash missing or wrong), -ENOMEM.
 */
int leaptable_load_file(struct leaptable *t, const char *path,
			char *err, size_t errlen);

/**
 * As leaptable_load_file() but from a NUL-terminated string; name stands
 * for the path in messages and status (tests, fuzzing). Resets the
 * remembered file identity. Strings longer than LEAP_FILE_MAX: -EFBIG.
 */
int leaptable_load_string(struct leaptable *t, const char *text,
			  const char *name, char *err, size_t errlen);

/**
 * Has the file changed since the last load attempt? st is the caller's
 * stat(2) of the path, or NULL if stat failed (file gone). Compares device,
 * inode, size and mtime; true if nothing was attempted yet. A file that
 * failed to load is not reported again until it changes.
 */
bool leaptable_file_changed(const struct leaptable *t, const struct stat *st);

/**
 * TAI - UTC in force at POSIX time utc_s, seconds.
 * A leap at L applies from utc_s >= L. Times past the file's expiry get the
 * last known value (plus announced leaps): expiry is reported, not fatal.
 * @return 0, -ENODATA (no leap knowledge) or -ERANGE (before 1972-01-01,
 *         the table's first entry).
 */
int leaptable_tai_offset(const struct leaptable *t, int64_t utc_s, int *tai_utc);

/**
 * TAI - UTC in force at TAI time tai_s (seconds, TAI scale with the POSIX
 * epoch: tai_s = utc_s + TAI - UTC), in the kernel's convention: during an
 * inserted second POSIX time repeats 23:59:59, so the new value applies
 * from the start of 23:59:60 (tai_s >= L + old); a deletion applies from
 * the moment 23:59:59 would have begun (tai_s >= L - 1 + old). Then
 * tai_s - tai_utc is what a leaping CLOCK_REALTIME reads.
 * @return as leaptable_tai_offset().
 */
int leaptable_tai_offset_tai(const struct leaptable *t, int64_t tai_s, int *tai_utc);

/**
 * The next leap strictly after utc_s.
 * @param leap_utc_s  out: POSIX time of 00:00:00 UTC of the day after the
 *                    leap (the first second with the new TAI - UTC)
 * @param delta       out: +1 inserted (23:59:60 exists), -1 deleted
 *                    (23:59:59 skipped)
 * @return 0, -ENOENT (none known), -ENODATA (no leap knowledge).
 */
int leaptable_next_leap(const struct leaptable *t, int64_t utc_s,
			int64_t *leap_utc_s, int *delta);

/** The file's #@ expiry as POSIX time, or LEAP_NO_TIME without a file. */
int64_t leaptable_expiry_utc(const struct leaptable *t);

/** The file's #$ last-update time as POSIX time, or LEAP_NO_TIME. */
int64_t leaptable_updated_utc(const struct leaptable *t);

/**
 * Expiry state at now_utc_s: OK, SOON (now >= expiry - 28 days), EXPIRED
 * (now >= expiry), NONE without a file. An expired table is still used.
 */
enum leap_expiry leaptable_expiry_state(const struct leaptable *t, int64_t now_utc_s);

/** True once a file (or string) has been loaded successfully. */
bool leaptable_loaded(const struct leaptable *t);

/** True when the table can answer TAI - UTC: a file, an announcement, or
 *  a base value. */
bool leaptable_known(const struct leaptable *t);

/**
 * A TAI - UTC known without a file (a PTP grandmaster's currentUtcOffset):
 * used only while the table holds neither a file nor an announcement (an
 * announcement carries its own before and after values). valid false
 * forgets it.
 */
void leaptable_set_base(struct leaptable *t, bool valid, int tai_utc);

/** Data lines of the loaded file (0 if none). */
size_t leaptable_entries(const struct leaptable *t);

/**
 * One line for status and logs, e.g. "loaded from PATH, 28 entries,
 * expires 2027-06-28, hash OK", then the expiry state at now_utc_s and any
 * announcement in use ("; PTP announces +1 leap at 2027-01-01 (TAI-UTC 38)").
 * Without a file: "no leap table" (plus the last load error, if any).
 * @return the length snprintf would have written.
 */
int leaptable_status(const struct leaptable *t, int64_t now_utc_s,
		     char *buf, size_t len);

/**
 * Merge a leap announced by another source (each origin announces at most
 * one pending leap; a new announcement from the same origin replaces its
 * previous one).
 * @param origin        CONFIG, PTP or NTP (FILE: -EINVAL; files are loaded)
 * @param leap_utc_s    first second of the new day (a multiple of 86400)
 * @param delta         +1 or -1
 * @param tai_utc_after TAI - UTC from leap_utc_s on, or LEAP_TAI_UNKNOWN
 *                      (then taken from the table: value before + delta)
 * @param msg           on conflict: what disagrees with what, and who wins
 * @return 1 new knowledge stored; 0 agrees with what is known (stored);
 *         -EEXIST conflict (the file covers that date and disagrees: the
 *         announcement is dropped; or another announcement disagrees: both
 *         kept, precedence decides); -EINVAL bad arguments.
 */
int leaptable_add_announcement(struct leaptable *t, enum leap_origin origin,
			       int64_t leap_utc_s, int delta, int tai_utc_after,
			       char *msg, size_t msglen);

/**
 * A source stopped announcing its leap before it happened: forget it.
 * (After the leap has passed keep it: it is then history.)
 */
void leaptable_withdraw_announcement(struct leaptable *t, enum leap_origin origin);

/** Conflicts seen so far (announcements vs file or each other). */
unsigned leaptable_conflicts(const struct leaptable *t);

/** "file", "config", "ptp", "ntp". */
const char *leap_origin_name(enum leap_origin origin);
/** "none", "ok", "expires-soon", "expired". */
const char *leap_expiry_name(enum leap_expiry state);

#endif
