/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening files without following what another user planted (safefile.h).
 * open(2): "O_NOFOLLOW: If the trailing component (i.e., basename) of
 * pathname is a symbolic link, then the open fails, with the error ELOOP";
 * "O_NONBLOCK: ... When possible, the file is opened in nonblocking mode"
 * (a FIFO with no writer then opens at once instead of waiting for one).
 * A hard link to another user's file is a regular file and needs no
 * symlink: st_nlink > 1 gives it away.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon/safefile.h"
#include "util/util.h"

static int why_set(int r, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int why_set(int r, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return r;
}

const char *safefile_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFLNK: return "a symbolic link";
	default: return "of an unknown type";
	}
}

/* Split path into a directory descriptor and the last component. */
static int open_dir(const char *path, const char **base, char *why, size_t whylen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash) {
		*base = path;
		snprintf(dir, sizeof(dir), ".");
	} else {
		*base = slash + 1;
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return why_set(-ENAMETOOLONG, why, whylen, "path too long");
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (!**base)
		return why_set(-EINVAL, why, whylen, "no file name (ends in '/')");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return why_set(-errno, why, whylen, "directory %s: %s", dir, strerror(errno));
	return fd;
}

/* The checks every writer's file passes once open. */
static int check_file(int fd, const struct stat *st, uid_t owner, bool created,
		      char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		return why_set(-EINVAL, why, whylen, "is %s, not a regular file",
			       safefile_type_name(st->st_mode));
	if (st->st_nlink > 1)
		return why_set(-EPERM, why, whylen, "has %lu hard links (a link to another "
			       "file?): refused", (unsigned long)st->st_nlink);
	if (st->st_uid != owner && st->st_uid != 0)
		return why_set(-EPERM, why, whylen, "is owned by uid %u, not the daemon's user "
			       "(uid %u) or root: refused", (unsigned)st->st_uid, (unsigned)owner);
	/* Created by root for the user who will write it after the drop. */
	if (created && geteuid() == 0 && owner != 0 && fchown(fd, owner, (gid_t)-1) < 0)
		return why_set(-errno, why, whylen, "cannot give it to uid %u: %s",
			       (unsigned)owner, strerror(errno));
	return 0;
}

static int make_blocking(int fd, char *why, size_t whylen)
{
	int r = fd_nonblock(fd, 0);

	return r < 0 ? why_set(r, why, whylen, "fcntl: %s", strerror(-r)) : 0;
}

int safefile_open(const char *path, int flags, mode_t mode, uid_t owner,
		  char *why, size_t whylen)
{
	const int add = O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	const char *base;
	bool created = false;
	struct stat st;
	int dfd, fd = -1, r, tries;

	if (why && whylen)
		why[0] = '\0';
	if (!path || !*path)
		return why_set(-EINVAL, why, whylen, "empty path");
	if (owner == SAFEFILE_SELF)
		owner = geteuid();
	dfd = open_dir(path, &base, why, whylen);
	if (dfd < 0)
		return dfd;
	/* Tell a file we create (to chown it) from one that was there. */
	for (tries = 0; fd < 0 && tries < 3; tries++) {
		if (flags & O_CREAT) {
			fd = openat(dfd, base, (flags | O_EXCL | add), mode);
			if (fd >= 0) {
				created = true;
				break;
			}
			if (errno != EEXIST || (flags & O_EXCL))
				break;
		}
		fd = openat(dfd, base, (flags & ~O_CREAT) | add);
		if (fd >= 0 || errno != ENOENT || !(flags & O_CREAT))
			break;
	}
	if (fd < 0) {
		r = -errno;
		/* O_WRONLY|O_NONBLOCK on a FIFO without a reader: ENXIO */
		if (r == -ENXIO && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISREG(st.st_mode))
			r = why_set(-EINVAL, why, whylen, "is %s, not a regular file",
				    safefile_type_name(st.st_mode));
		close(dfd);
		if (r == -EINVAL)
			return r;
		if (r == -ELOOP)
			return why_set(r, why, whylen, "is a symbolic link: refused (O_NOFOLLOW)");
		return why_set(r, why, whylen, "%s", strerror(-r));
	}
	close(dfd);
	if (fstat(fd, &st) < 0)
		r = why_set(-errno, why, whylen, "fstat: %s", strerror(errno));
	else
		r = check_file(fd, &st, owner, created, why, whylen);
	if (!r && created && fchmod(fd, mode) < 0)
		r = why_set(-errno, why, whylen, "fchmod: %s", strerror(errno));
	if (!r)
		r = make_blocking(fd, why, whylen);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write, sync and close the temporary file; 0 or -errno. */
static int fill_tmp(int fd, const void *buf, size_t len, char *why, size_t whylen)
{
	int r = write_all(fd, buf, len);

	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r ? why_set(r, why, whylen, "writing: %s", strerror(-r)) : 0;
}

int safefile_replace(const char *path, const void *buf, size_t len, mode_t mode,
		     uid_t owner, char *why, size_t whylen)
{
	char tmp[4096];
	const char *base;
	int dfd, fd, n, r;

	if (!path || !*path || (!buf && len))
		return why_set(-EINVAL, why, whylen, "bad arguments");
	dfd = open_dir(path, &base, why, whylen);
	if (dfd < 0)
		return dfd;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		close(dfd);
		return why_set(-ENAMETOOLONG, why, whylen, "path too long");
	}
	/* A leftover from an earlier process that had our pid, or a planted
	 * link: unlinking removes the name only. */
	if (unlinkat(dfd, tmp + (base - path), 0) < 0 && errno != ENOENT) {
		r = why_set(-errno, why, whylen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = safefile_open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode, owner, why, whylen);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	r = fill_tmp(fd, buf, len, why, whylen);
	if (!r && renameat(dfd, tmp + (base - path), dfd, base) < 0)
		r = why_set(-errno, why, whylen, "rename: %s", strerror(errno));
	if (r)
		(void)unlinkat(dfd, tmp + (base - path), 0);
out:
	close(dfd);
	return r;
}

int safefile_open_read(const char *path, bool allow_null, char *why, size_t whylen)
{
	struct stat st;
	int fd, r = 0;

	if (why && whylen)
		why[0] = '\0';
	if (!path || !*path)
		return why_set(-EINVAL, why, whylen, "empty path");
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return why_set(-errno, why, whylen, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		r = why_set(-errno, why, whylen, "fstat: %s", strerror(errno));
	else if (allow_null && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
		r = 0;	/* /dev/null: empty */
	else if (!S_ISREG(st.st_mode))
		r = why_set(-EINVAL, why, whylen, "is %s, not a regular file",
			    safefile_type_name(st.st_mode));
	if (!r)
		r = make_blocking(fd, why, whylen);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int safefile_user_uid(const char *user, uid_t *uid)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	if (!user || !*user) {
		*uid = geteuid();
		return 0;
	}
	pw = getpwnam(user);
	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	if (*user < '0' || *user > '9')
		return -ENOENT;
	errno = 0;
	v = strtoul(user, &end, 10);
	if (errno || *end || v >= (unsigned long)(uid_t)-1)
		return -ENOENT;
	*uid = (uid_t)v;
	return 0;
}
