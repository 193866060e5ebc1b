/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file pidfile.h
 * The pid/lock file that keeps two gnomond instances from disciplining the
 * same clocks. The lock is a POSIX record lock (fcntl F_SETLK, write lock
 * on the whole file), held as long as the descriptor is open: the kernel
 * releases it when the process dies, however it dies, so a file left
 * behind by a crash is stale, not a lock, and the next instance takes it
 * over. The file holds the holder's pid in decimal for people and scripts;
 * the lock, not the content, is what counts.
 *
 * POSIX locks belong to the process: they are not inherited by fork()
 * (create the pid file after any daemonizing fork: its pid is the one
 * written), a second pidfile_create() of the same path in the same process
 * does not conflict with the first, and closing ANY descriptor of the file
 * releases the lock, so nothing else in gnomond may open the pid file.
 * Nothing here logs.
 */
#ifndef GNOMON_PIDFILE_H
#define GNOMON_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

struct pidfile;

/**
 * Create or open path (mode 0644), take the lock and write our pid.
 * @param err  set to 0 on success, or a negative errno: -EEXIST when
 *             another process holds the lock (msg then names its pid),
 *             -EINVAL when path is not a regular file, -ELOOP when it is a
 *             symbolic link (never followed), otherwise the error of
 *             open/fcntl/write (-ENOENT for a missing directory, -EACCES ...)
 * @param msg  if not NULL, one line for the log on failure, naming the
 *             path (and the holder's pid for -EEXIST)
 * @return the lock, or NULL
 */
struct pidfile *pidfile_create(const char *path, int *err, char *msg, size_t msglen);

/**
 * Remove the file (if it is still ours: same inode at the path) and
 * release the lock; accepts NULL. Removal may fail after a privilege drop
 * (root-owned directory); that is harmless, the next instance takes over
 * the unlocked file.
 */
void pidfile_release(struct pidfile *p);

#endif
