/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file safefile.h
 * Opening the files gnomond writes (audit trail, recovery history, metrics
 * textfile, drift file) and reads (configuration, leap file) so that
 * nothing another user planted is followed and nothing blocks.
 *
 * gnomond starts as root and hands its state directory to its own user;
 * that user (or whoever takes it over) can then put a symbolic link, a
 * hard link, a FIFO or a file of someone else's where gnomond will open
 * the next time it starts as root. Every writer therefore opens the last
 * path component relative to a descriptor of its directory (openat) with
 * O_NOFOLLOW and O_NONBLOCK, and refuses, saying which and why, anything
 * that is not a regular file with one link owned by the daemon's user (or
 * by root). A file created while running as root is given to the daemon's
 * user, so that the same file can be reopened after the privilege drop.
 *
 * Errors are negative errno; nothing here logs: the reason is written to
 * the caller's buffer ("is a symbolic link", "is a FIFO, not a regular
 * file", "is owned by uid 1000, not the daemon's user (uid 999)").
 */
#ifndef GNOMON_SAFEFILE_H
#define GNOMON_SAFEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/** Owner argument meaning "whoever this process runs as" (geteuid()). */
#define SAFEFILE_SELF	((uid_t)-1)

/**
 * Open a file for writing.
 * @param path   the file; its directory is opened first (symbolic links in
 *               the directory part are followed: they belong to whoever
 *               owns the parent, typically root)
 * @param flags  O_WRONLY or O_RDWR, with any of O_APPEND, O_CREAT, O_EXCL,
 *               O_TRUNC; O_NOFOLLOW, O_NOCTTY, O_NONBLOCK and O_CLOEXEC are
 *               added (O_NONBLOCK is cleared again once the file is known to
 *               be regular)
 * @param mode   mode of a created file, applied with fchmod (umask ignored)
 * @param owner  uid the file must belong to (root-owned files are accepted
 *               too), SAFEFILE_SELF for geteuid(); a file this call creates
 *               as root is chowned to it
 * @param why    filled with the reason on failure ("" on success); may be NULL
 * @return a descriptor (FD_CLOEXEC, blocking), or -ELOOP (a symbolic link),
 *         -EINVAL (not a regular file), -EPERM (wrong owner, or more than
 *         one hard link), or the error of open/fstat
 */
int safefile_open(const char *path, int flags, mode_t mode, uid_t owner,
		  char *why, size_t whylen);

/**
 * Replace path atomically with buf: write "NAME.tmp.PID" in the same
 * directory through safefile_open(O_CREAT|O_EXCL), fsync, renameat over
 * NAME. A reader sees the old content or the new, never half. A planted
 * file at the temporary name is unlinked first (the link, not its target).
 * @return 0 or a negative errno, the reason in why
 */
int safefile_replace(const char *path, const void *buf, size_t len, mode_t mode,
		     uid_t owner, char *why, size_t whylen);

/**
 * Open a file for reading (configuration, leap file) without blocking on a
 * FIFO or a device: O_RDONLY|O_NONBLOCK|O_NOCTTY, then refuse anything but a
 * regular file, or /dev/null (1,3) when allow_null (it reads as empty).
 * Symbolic links are followed (/etc/gnomon/leap-seconds.list -> tzdata's).
 * @return a descriptor (FD_CLOEXEC, blocking), -EINVAL (not a regular file,
 *         the type in why), or the error of open/fstat
 */
int safefile_open_read(const char *path, bool allow_null, char *why, size_t whylen);

/**
 * The uid behind a user name (or a number) from the configuration; "" is
 * geteuid(). @return 0 and *uid, or -ENOENT
 */
int safefile_user_uid(const char *user, uid_t *uid);

/** Name of a file type for messages: "a FIFO", "a directory", ... */
const char *safefile_type_name(mode_t mode);

#endif
