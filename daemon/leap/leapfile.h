/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file leapfile.h
 * Reading and parsing one leap-seconds.list file (IERS/IETF format, SHA-1
 * checked; private to leaptable.c, use the API in leaptable.h), and the
 * watcher that keeps a table loaded from it at run time (gnomond).
 * Format and hash: doc/leap.md.
 */
#ifndef GNOMON_LEAPFILE_H
#define GNOMON_LEAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"

/** One step of TAI - UTC. */
struct leap_entry {
	int64_t utc_s;		/**< POSIX time of the first second with tai_utc */
	int tai_utc;		/**< TAI - UTC, s (LEAP_TAI_UNKNOWN: not known) */
	int delta;		/**< tai_utc - the previous value (0 for the first) */
};

/** One parsed file: entries strictly increasing, each step +-1 s. */
struct leapfile {
	struct leap_entry *e;
	size_t n, cap;
	int64_t expiry_utc;	/**< #@, POSIX seconds */
	int64_t updated_utc;	/**< #$, POSIX seconds */
};

/**
 * Parse and verify len bytes of buf (need not be NUL-terminated) into *f,
 * which must be zeroed; on error *f may hold a partial table: free it.
 * @param name  for messages: "NAME:LINE: message" or "NAME: message"
 * @return 0, -EBADMSG (format, missing line, hash), -ENOMEM.
 */
int leapfile_parse(struct leapfile *f, const char *buf, size_t len,
		   const char *name, char *err, size_t errlen);

/**
 * Read the regular file path into a malloc'ed, NUL-terminated *buf.
 * *have_st tells whether *st holds the file's identity (from fstat(2) of
 * the descriptor read, or stat(2) when open failed).
 * @return 0 or -errno (-EFBIG past LEAP_FILE_MAX, -EINVAL not a regular
 *         file), with a message "PATH: ..." in err.
 */
int leapfile_read(const char *path, char **buf, size_t *len,
		  struct stat *st, bool *have_st, char *err, size_t errlen);

/** Free the entries; accepts a zeroed struct. */
void leapfile_free(struct leapfile *f);

/** "YYYY-MM-DD" of a POSIX time (or "@SECONDS" if out of range); buf. */
const char *leap_date_str(int64_t utc, char *buf, size_t len);

/** The leap file at run time: owned by the caller, which outlives the loop timer. */
struct leapwatch {
	struct leaptable *leaps;
	const char *path;	/**< not copied: must outlive the watcher */
	long timer;		/**< loop timer, < 0 if it could not be added */
	int64_t warn_s;		/**< last expiry warning, UTC s */
};

/**
 * Load the leap table t from path (logging what happened) and check the
 * file every minute on loop l: re-read when it changed, warn daily from 28
 * days before its expiry. Never fatal: gnomon goes on without leap knowledge.
 */
void leapwatch_start(struct leapwatch *w, struct loop *l, struct leaptable *t, const char *path);

#endif
