/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file recfile.h
 * A file of lines that gnomond appends to (the recovery history and the
 * audit trail): opened through safefile (no symbolic link, hard link,
 * FIFO or other user's file followed), each line written whole, a torn
 * last line ended on open, size-based rotation (NAME -> NAME.1 -> ... ->
 * NAME.keep), reopen for logrotate, and lines that cannot be written (a
 * full disk, an I/O error) counted and kept in memory, bounded, to be
 * written in order when writing works again.
 *
 * Nothing here logs; errors are negative errno.
 */
#ifndef GNOMON_RECFILE_H
#define GNOMON_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Lines kept in memory while writing fails, at most (oldest dropped). */
#define RECFILE_PENDING_LINES	1024
/** Bytes kept in memory while writing fails, at most. */
#define RECFILE_PENDING_BYTES	(1024 * 1024)

struct recfile_conf {
	uid_t owner;		/**< the daemon's user (safefile_open), SAFEFILE_SELF */
	bool sync;		/**< fdatasync() after every line */
	uint64_t max_bytes;	/**< rotate before a line would pass this size; 0: never */
	unsigned keep;		/**< rotated files kept (NAME.1 newest), >= 1 when rotating */
};

/** Counters, for metrics and status. */
struct recfile_stats {
	uint64_t lost;		/**< lines whose write failed (then kept in memory) */
	uint64_t dropped;	/**< lines dropped from memory (the bound was full) */
	uint64_t pending;	/**< lines in memory now, waiting to be written */
	uint64_t rotations;	/**< size rotations done */
	uint64_t size;		/**< bytes in the current file */
	int last_error;		/**< errno of the last failed write, 0 after a success */
};

struct recfile;

/**
 * Open (create 0644 if missing) path for appending; see safefile_open().
 * @param conf  NULL for defaults (owner SAFEFILE_SELF, no sync, no rotation)
 * @param why   the reason on failure ("is a symbolic link: refused ..."); may be NULL
 * @return the file, or NULL with *err a negative errno
 */
struct recfile *recfile_open(const char *path, const struct recfile_conf *conf, int *err,
			     char *why, size_t whylen);

/** Close (pending lines are lost); accepts NULL. */
void recfile_close(struct recfile *f);

/**
 * Append one line (buf ends with its newline). Pending lines go first; the
 * file is rotated first when the line would take it past max_bytes. A line
 * that cannot be written is counted (lost) and kept in memory; a line
 * written partly is cut off again (ftruncate), so the file stays whole.
 * @return 0 (written), or the negative errno of the failure (kept pending)
 */
int recfile_write(struct recfile *f, const char *buf, size_t len);

/** Write the pending lines (a timer calls this while any wait).
 *  @return 0 when none is left, or the negative errno that stopped it */
int recfile_flush(struct recfile *f);

/**
 * Close and open the path again (logrotate moved the file away: the next
 * line goes to a new file at the path). On failure the old descriptor is
 * kept, so nothing is lost. @return 0 or a negative errno, the reason in why
 */
int recfile_reopen(struct recfile *f, char *why, size_t whylen);

/** Change rotation (a reload); takes effect at the next line. */
void recfile_set_rotation(struct recfile *f, uint64_t max_bytes, unsigned keep);

void recfile_stats(const struct recfile *f, struct recfile_stats *out);

/** The path given to recfile_open(). */
const char *recfile_path(const struct recfile *f);

#endif
