/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pid/lock file (pidfile.h). fcntl(2): "If a conflicting lock is held
 * by another process, this call returns -1 and sets errno to EACCES or
 * EAGAIN"; F_GETLK then names a process holding it (l_pid; 0 when that
 * process is in another pid namespace, so the file's content is the
 * fall-back for the message).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/lifecycle/pidfile.h"
#include "util/util.h"

/* Attempts when the file is replaced or released while we look at it. */
#define PIDFILE_TRIES	5

struct pidfile {
	int fd;
	dev_t dev;
	ino_t ino;
	char path[];
};

static void whole_file(struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 0;		/* to the end, however long the file grows */
}

/* The pid written in the file, 0 if unreadable. */
static pid_t pid_in_file(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

/* Who holds the lock: > 0 a pid, 0 nobody any more, -1 unknown holder. */
static pid_t lock_holder(int fd)
{
	struct flock fl;
	pid_t p;

	whole_file(&fl);
	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	if (fl.l_pid > 0)
		return fl.l_pid;
	p = pid_in_file(fd);
	return p > 0 ? p : -1;
}

static int write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0)
		return -errno;
	errno = 0;
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return errno ? -errno : -EIO;
	return 0;
}

/*
 * One attempt. Returns 1 with the lock taken, 0 to try again (the file was
 * replaced, or its holder went away, while we looked), or a negative errno.
 */
static int try_lock(struct pidfile *p, char *msg, size_t msglen)
{
	struct stat fst, pst;
	struct flock fl;
	pid_t holder;

	if (fstat(p->fd, &fst) < 0)
		return -errno;
	if (!S_ISREG(fst.st_mode)) {
		snprintf(msg, msglen, "pid file %s: not a regular file", p->path);
		return -EINVAL;
	}
	/* A hard link planted at the path is a regular file too: truncating
	 * it would truncate whatever it links to (safefile.c's rule). */
	if (fst.st_nlink > 1) {
		snprintf(msg, msglen, "pid file %s: has %lu hard links (a link to another "
			 "file?): refused", p->path, (unsigned long)fst.st_nlink);
		return -EPERM;
	}
	whole_file(&fl);
	if (fcntl(p->fd, F_SETLK, &fl) < 0) {
		if (errno != EAGAIN && errno != EACCES)
			return -errno;
		holder = lock_holder(p->fd);
		if (holder == 0)
			return 0;
		if (holder > 0)
			snprintf(msg, msglen, "pid file %s is locked by pid %ld: another gnomond "
				 "is running", p->path, (long)holder);
		else
			snprintf(msg, msglen, "pid file %s is locked by another process: another "
				 "gnomond is running", p->path);
		return -EEXIST;
	}
	/* The holder before us may have unlinked the file between our open()
	 * and our lock; a lock on an unlinked inode protects nothing. */
	if (stat(p->path, &pst) < 0 || pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino)
		return 0;
	p->dev = fst.st_dev;
	p->ino = fst.st_ino;
	return 1;
}

struct pidfile *pidfile_create(const char *path, int *err, char *msg, size_t msglen)
{
	struct pidfile *p = NULL;
	char dummy[1];
	int r = -EBUSY, i;

	if (!msg || !msglen) {
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (!path || !*path) {
		r = -EINVAL;
		snprintf(msg, msglen, "pid file: empty path");
		goto fail;
	}
	p = calloc(1, sizeof(*p) + strlen(path) + 1);
	if (!p) {
		r = -ENOMEM;
		goto fail;
	}
	strcpy(p->path, path);
	p->fd = -1;
	for (i = 0; i < PIDFILE_TRIES; i++) {
		/* O_NOFOLLOW: we may be root and the directory need not be
		 * root's; a planted symlink must not make us truncate another
		 * file. */
		p->fd = open(path, O_RDWR | O_CREAT | O_NOCTTY | O_NOFOLLOW, 0644);
		if (p->fd < 0) {
			r = -errno;
			break;
		}
		r = fd_cloexec(p->fd);
		if (r < 0)
			break;
		r = try_lock(p, msg, msglen);
		if (r != 0)
			break;
		close(p->fd);
		p->fd = -1;
		r = -EBUSY;
	}
	if (r == 1)
		r = write_pid(p->fd);
	if (r == 0) {
		if (err)
			*err = 0;
		return p;
	}
	if (!msg[0])
		snprintf(msg, msglen, "pid file %s: %s", path, strerror(-r));
fail:
	if (p && p->fd >= 0)
		close(p->fd);
	free(p);
	if (err)
		*err = r;
	return NULL;
}

void pidfile_release(struct pidfile *p)
{
	struct stat st;

	if (!p)
		return;
	/* Unlink before close: while we still hold the lock nobody else can
	 * have taken over the file, so the inode at the path is ours. */
	if (stat(p->path, &st) == 0 && st.st_dev == p->dev && st.st_ino == p->ino)
		(void)unlink(p->path);
	close(p->fd);
	free(p);
}
