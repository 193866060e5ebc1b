/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Line files with rotation, reopen and a bounded memory of lines that
 * could not be written (recfile.h). write(2) on a full file system: "ENOSPC
 * The device containing the file referred to by fd has no room for the
 * data"; it may first write part of the buffer, so a failed line is cut
 * back to the size before it (ftruncate) and written again later, whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/record/recfile.h"
#include "daemon/safefile.h"

struct line {
	char *p;
	size_t n;
};

struct recfile {
	struct recfile_conf c;
	int fd;
	uint64_t size;
	struct recfile_stats st;
	struct line q[RECFILE_PENDING_LINES];	/* ring of pending lines */
	size_t head, count, bytes;
	char path[];
};

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* If the file ends in a torn line (a crash mid-write), end it, so that the
 * next line starts clean and only the torn one is lost. */
static int terminate_torn(int fd, uint64_t *size)
{
	char c;
	ssize_t r;
	int e;

	if (*size == 0)
		return 0;
	r = pread(fd, &c, 1, (off_t)*size - 1);
	if (r < 0)
		return -errno;
	if (r == 1 && c != '\n') {
		e = write_all(fd, "\n", 1);
		if (e)
			return e;
		(*size)++;
	}
	return 0;
}

/* O_RDWR only so that terminate_torn() can look at the last byte. */
static int open_fd(const char *path, uid_t owner, uint64_t *size, char *why, size_t whylen)
{
	struct stat st;
	int fd, e;

	fd = safefile_open(path, O_RDWR | O_APPEND | O_CREAT, 0644, owner, why, whylen);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		goto fail;
	}
	*size = (uint64_t)st.st_size;
	e = terminate_torn(fd, size);
	if (e)
		goto fail;
	return fd;
fail:
	if (why && whylen)
		snprintf(why, whylen, "%s", strerror(-e));
	close(fd);
	return e;
}

struct recfile *recfile_open(const char *path, const struct recfile_conf *conf, int *err,
			     char *why, size_t whylen)
{
	const struct recfile_conf def = { .owner = SAFEFILE_SELF };
	struct recfile *f;
	uint64_t size = 0;
	int fd, e;

	if (why && whylen)
		why[0] = '\0';
	fd = open_fd(path, (conf ? conf : &def)->owner, &size, why, whylen);
	if (fd < 0) {
		e = fd;
		goto fail;
	}
	f = calloc(1, sizeof(*f) + strlen(path) + 1);
	if (!f) {
		close(fd);
		e = -ENOMEM;
		goto fail;
	}
	strcpy(f->path, path);
	f->c = conf ? *conf : def;
	f->fd = fd;
	f->size = size;
	if (err)
		*err = 0;
	return f;
fail:
	if (err)
		*err = e;
	return NULL;
}

static void drop_head(struct recfile *f)
{
	struct line *l = &f->q[f->head];

	f->bytes -= l->n;
	free(l->p);
	l->p = NULL;
	f->head = (f->head + 1) % RECFILE_PENDING_LINES;
	f->count--;
}

void recfile_close(struct recfile *f)
{
	if (!f)
		return;
	while (f->count)
		drop_head(f);
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

/* NAME.(k-1) -> NAME.k down to NAME -> NAME.1, then a new NAME. A missing
 * older file is no error. The old descriptor stays in use if the new
 * file cannot be opened. */
static int rotate(struct recfile *f)
{
	size_t n = strlen(f->path) + 16;
	char *from = malloc(n), *to = malloc(n);
	uint64_t size = 0;
	int fd, e = 0;

	if (!from || !to) {
		e = -ENOMEM;
		goto out;
	}
	for (unsigned k = f->c.keep; k >= 1 && !e; k--) {
		if (k == 1)
			snprintf(from, n, "%s", f->path);
		else
			snprintf(from, n, "%s.%u", f->path, k - 1);
		snprintf(to, n, "%s.%u", f->path, k);
		if (rename(from, to) < 0 && errno != ENOENT)
			e = -errno;
	}
	if (e)
		goto out;
	fd = open_fd(f->path, f->c.owner, &size, NULL, 0);
	if (fd < 0) {
		e = fd;
		goto out;
	}
	close(f->fd);
	f->fd = fd;
	f->size = size;
	f->st.rotations++;
out:
	free(from);
	free(to);
	return e;
}

/* One line to the file, or nothing of it; 0 or -errno. */
static int put(struct recfile *f, const char *buf, size_t len)
{
	int e;

	if (f->c.max_bytes && f->c.keep && f->size > 0 && f->size + len > f->c.max_bytes) {
		e = rotate(f);
		if (e)
			return e;
	}
	e = write_all(f->fd, buf, len);
	if (!e && f->c.sync && fdatasync(f->fd) < 0)
		e = -errno;
	if (e) {
		/* cut a partly written line off again; if that fails too,
		 * the write's error is still the one to report */
		if (ftruncate(f->fd, (off_t)f->size) < 0)
			return e;
		return e;
	}
	f->size += len;
	return 0;
}

static void keep_pending(struct recfile *f, const char *buf, size_t len)
{
	struct line *l;
	char *p;

	while (f->count && (f->count == RECFILE_PENDING_LINES ||
			    f->bytes + len > RECFILE_PENDING_BYTES)) {
		drop_head(f);
		f->st.dropped++;
	}
	p = len <= RECFILE_PENDING_BYTES ? malloc(len) : NULL;
	if (!p) {
		f->st.dropped++;
		return;
	}
	memcpy(p, buf, len);
	l = &f->q[(f->head + f->count) % RECFILE_PENDING_LINES];
	l->p = p;
	l->n = len;
	f->count++;
	f->bytes += len;
}

int recfile_flush(struct recfile *f)
{
	struct line *l;
	int e;

	while (f->count) {
		l = &f->q[f->head];
		e = put(f, l->p, l->n);
		if (e) {
			f->st.last_error = -e;
			return e;
		}
		drop_head(f);
	}
	f->st.last_error = 0;
	return 0;
}

int recfile_write(struct recfile *f, const char *buf, size_t len)
{
	int e = recfile_flush(f);

	if (!e)
		e = put(f, buf, len);
	if (e) {
		f->st.lost++;
		f->st.last_error = -e;
		keep_pending(f, buf, len);
	}
	return e;
}

int recfile_reopen(struct recfile *f, char *why, size_t whylen)
{
	uint64_t size = 0;
	int fd;

	fd = open_fd(f->path, f->c.owner, &size, why, whylen);
	if (fd < 0)
		return fd;
	close(f->fd);
	f->fd = fd;
	f->size = size;
	(void)recfile_flush(f);
	return 0;
}

void recfile_set_rotation(struct recfile *f, uint64_t max_bytes, unsigned keep)
{
	f->c.max_bytes = max_bytes;
	f->c.keep = keep;
}

void recfile_stats(const struct recfile *f, struct recfile_stats *out)
{
	*out = f->st;
	out->pending = f->count;
	out->size = f->size;
}

const char *recfile_path(const struct recfile *f)
{
	return f->path;
}
