// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket server. Each client is a small state machine driven
 * by the loop: read into a fixed CTL_MAX_REQUEST buffer until a newline,
 * answer the line, write the reply without blocking (stop reading while a
 * reply is pending), repeat. A per-client loop timer drops a client that
 * makes no progress for the timeout: no complete request since it
 * connected or since its last reply, or a reply it does not read.
 * Progress means whole requests and whole replies, so a client trickling
 * one byte at a time is dropped all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/ctl.h"
#include "daemon/ctlproto.h"
#include "daemon/log.h"
#include "daemon/loop.h"

#define ACCEPTS_PER_WAKEUP	16
#define STR(x)			#x
#define XSTR(x)			STR(x)
#define ERR_MAX			256

struct ctl_command {
	char name[CTL_MAX_COMMAND + 1];
	bool changes_state;
	ctl_handler fn;
	void *arg;
};

struct ctl_listener {
	struct ctl *ctl;
	int fd;				/* -1: not open */
	bool ro;
	bool bound;			/* the file at path is ours */
	dev_t dev;
	ino_t ino;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct ctl_client {
	struct ctl *ctl;
	int fd;				/* -1: free slot */
	bool ro;
	bool closing;			/* close once the reply is written */
	short events;			/* what the loop watches now */
	long timer;
	int64_t deadline_ns;
	size_t in_len;
	char in[CTL_MAX_REQUEST];
	char *out;			/* pending reply, NULL if none */
	size_t out_len, out_off;
};

struct ctl {
	struct loop *loop;
	int64_t timeout_ns;
	struct ctl_listener ls[2];	/* [0] read-write, [1] read-only */
	int n_commands;
	struct ctl_command commands[CTL_MAX_COMMANDS];
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* ---- clients ---------------------------------------------------------- */

static void client_drop(struct ctl_client *cl, const char *why)
{
	struct ctl *c = cl->ctl;

	if (cl->fd < 0)
		return;
	pr_debug("control: client fd %d%s closed: %s", cl->fd, cl->ro ? " (ro)" : "", why);
	loop_del_fd(c->loop, cl->fd);
	if (cl->timer > 0)
		loop_del_timer(c->loop, cl->timer);
	close(cl->fd);
	free(cl->out);
	*cl = (struct ctl_client){ .ctl = c, .fd = -1 };
}

static const struct ctl_command *find_command(const struct ctl *c, const char *name)
{
	for (int i = 0; i < c->n_commands; i++)
		if (!strcmp(c->commands[i].name, name))
			return &c->commands[i];
	return NULL;
}

static void unknown_command(const struct ctl *c, const char *name, char *err, size_t errlen)
{
	size_t n = (size_t)snprintf(err, errlen, "unknown command \"%s\"; commands:", name);

	for (int i = 0; i < c->n_commands && n < errlen; i++)
		n += (size_t)snprintf(err + n, errlen - n, "%s %s", i ? "," : "",
				      c->commands[i].name);
}

/* Run one request line; returns the reply line (malloc'd) or NULL (ENOMEM). */
static char *answer(struct ctl_client *cl, const char *line, size_t len, size_t *out_len)
{
	char cmd[CTL_MAX_COMMAND + 1], err[ERR_MAX + 2 * CTL_MAX_COMMAND * CTL_MAX_COMMANDS];
	const struct ctl_command *k;
	struct json_object *args = NULL, *data = NULL;
	char *reply;
	int r;

	err[0] = '\0';
	if (ctlproto_parse_request(line, len, cmd, &args, err, sizeof(err)) < 0)
		return ctlproto_format_error(NULL, err, out_len);
	k = find_command(cl->ctl, cmd);
	if (!k) {
		unknown_command(cl->ctl, cmd, err, sizeof(err));
		reply = ctlproto_format_error(cmd, err, out_len);
		goto out;
	}
	if (k->changes_state && cl->ro) {
		snprintf(err, sizeof(err), "command \"%s\" changes state: not allowed on the "
			 "read-only socket; use %s", cmd, cl->ctl->ls[0].path);
		reply = ctlproto_format_error(cmd, err, out_len);
		goto out;
	}
	r = k->fn(k->arg, args, &data, err, ERR_MAX);
	if (r < 0) {
		if (!err[0])
			snprintf(err, ERR_MAX, "%s", strerror(-r));
		reply = ctlproto_format_error(cmd, err, out_len);
	} else {
		reply = ctlproto_format_ok(cmd, data, out_len);
		if (reply && *out_len > CTL_MAX_REPLY) {
			pr_err("control: reply to \"%s\" is %zu bytes, over the limit %d",
			       cmd, *out_len, CTL_MAX_REPLY);
			free(reply);
			snprintf(err, sizeof(err), "reply too large (over %d bytes)", CTL_MAX_REPLY);
			reply = ctlproto_format_error(cmd, err, out_len);
		}
	}
out:
	json_object_put(data);
	json_object_put(args);
	return reply;
}

/* Write what we can of the pending reply: 0 done, 1 more to write, -errno. */
static int client_flush(struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -errno;
		}
		cl->out_off += (size_t)n;
	}
	free(cl->out);
	cl->out = NULL;
	cl->out_len = cl->out_off = 0;
	cl->deadline_ns = loop_now(cl->ctl->loop) + cl->ctl->timeout_ns;
	return 0;
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg);

/* Watch the client for events; false if it had to be dropped. */
static bool client_watch(struct ctl_client *cl, short events)
{
	struct loop *l = cl->ctl->loop;

	if (cl->events == events)
		return true;
	loop_del_fd(l, cl->fd);
	if (loop_add_fd(l, cl->fd, events, on_client_io, cl) < 0) {
		client_drop(cl, "out of memory");
		return false;
	}
	cl->events = events;
	return true;
}

static void queue(struct ctl_client *cl, char *reply, size_t len)
{
	cl->out = reply;
	cl->out_len = len;
	cl->out_off = 0;
}

/* Answer every complete line buffered, as long as replies go out at once. */
static void client_pump(struct ctl_client *cl)
{
	char *nl;
	size_t n, len = 0;
	char *reply;
	int r;

	while (!cl->out && !cl->closing) {
		nl = memchr(cl->in, '\n', cl->in_len);
		if (!nl) {
			if (cl->in_len < sizeof(cl->in))
				break;
			reply = ctlproto_format_error(NULL, "request longer than "
						      XSTR(CTL_MAX_REQUEST) " bytes without a newline", &len);
			cl->closing = true;
		} else {
			n = (size_t)(nl - cl->in);
			reply = answer(cl, cl->in, n, &len);
			cl->in_len -= n + 1;
			memmove(cl->in, nl + 1, cl->in_len);
			cl->deadline_ns = loop_now(cl->ctl->loop) + cl->ctl->timeout_ns;
		}
		if (!reply) {
			client_drop(cl, "out of memory");
			return;
		}
		queue(cl, reply, len);
		r = client_flush(cl);
		if (r < 0) {
			client_drop(cl, strerror(-r));
			return;
		}
	}
	if (!cl->out && cl->closing) {
		client_drop(cl, "request too long");
		return;
	}
	client_watch(cl, cl->out ? POLLOUT : POLLIN);
}

static void client_read(struct ctl_client *cl)
{
	ssize_t n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_drop(cl, strerror(errno));
		return;
	}
	if (n == 0) {
		/* Complete lines were answered before reading more: what is
		 * left is at most part of a request. */
		client_drop(cl, cl->in_len ? "closed mid-request" : "closed");
		return;
	}
	cl->in_len += (size_t)n;
	client_pump(cl);
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg)
{
	struct ctl_client *cl = arg;
	int r;

	(void)l;
	(void)fd;
	if (cl->out && (revents & POLLOUT)) {
		r = client_flush(cl);
		if (r < 0)
			client_drop(cl, strerror(-r));
		else if (r == 0)
			client_pump(cl);
		return;
	}
	if (revents & POLLIN) {
		client_read(cl);
		return;
	}
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		client_drop(cl, "hung up");
}

static int64_t on_client_timer(struct loop *l, long id, void *arg)
{
	struct ctl_client *cl = arg;
	int64_t now = loop_now(l);

	(void)id;
	if (now < cl->deadline_ns)
		return cl->deadline_ns - now;
	client_drop(cl, cl->out ? "reply not read in time" : "no complete request in time");
	return 0;
}

static void client_add(struct ctl *c, int fd, bool ro)
{
	static const char busy[] = "{\"ok\":false,\"error\":\"too many control clients ("
				   XSTR(CTL_MAX_CLIENTS) " connected); try again later\"}\n";
	struct ctl_client *cl = NULL;

	for (int i = 0; i < CTL_MAX_CLIENTS && !cl; i++)
		if (c->clients[i].fd < 0)
			cl = &c->clients[i];
	if (!cl) {
		pr_debug("control: refusing client: %d already connected", CTL_MAX_CLIENTS);
		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			pr_debug("control: refusing client: %m");
		close(fd);
		return;
	}
	*cl = (struct ctl_client){ .ctl = c, .fd = fd, .ro = ro, .events = POLLIN,
				   .deadline_ns = loop_now(c->loop) + c->timeout_ns };
	if (loop_add_fd(c->loop, fd, POLLIN, on_client_io, cl) < 0) {
		close(fd);
		cl->fd = -1;
		return;
	}
	cl->timer = loop_add_timer(c->loop, c->timeout_ns, on_client_timer, cl);
	if (cl->timer < 0)
		client_drop(cl, "out of memory");
}

static void on_accept(struct loop *l, int fd, short revents, void *arg)
{
	struct ctl_listener *ls = arg;

	(void)l;
	(void)revents;
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				pr_warn("control: accept on %s: %m", ls->path);
			return;
		}
		if (set_flags(cfd) < 0) {
			close(cfd);
			continue;
		}
		client_add(ls->ctl, cfd, ls->ro);
	}
}

/* ---- listening sockets ------------------------------------------------ */

/*
 * Make way for bind(): a socket file nobody answers on is a leftover of a
 * daemon that died, remove it; refuse a live one and anything not a socket.
 */
static int clear_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	r = set_flags(fd);
	if (r == 0 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		r = -EADDRINUSE;
	else if (r == 0)
		r = errno == EAGAIN ? -EADDRINUSE : errno == ECONNREFUSED ? 1 : -errno;
	close(fd);
	if (r == 1)
		r = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	return r;
}

static const char *open_error(int r)
{
	switch (r) {
	case -EADDRINUSE: return "another daemon is listening on it";
	case -EEXIST: return "the path exists and is not a socket";
	case -ENAMETOOLONG: return "path too long for a Unix socket";
	default: return strerror(-r);
	}
}

static int listener_bind(struct ctl_listener *ls, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int r;

	memcpy(sa.sun_path, ls->path, sizeof(sa.sun_path));
	r = clear_stale(ls->path, &sa);
	if (r < 0)
		return r;
	ls->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls->fd < 0)
		return -errno;
	r = set_flags(ls->fd);
	if (r < 0)
		return r;
	if (bind(ls->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	ls->bound = true;
	/* The mode of a socket file is set by umask at bind(); chmod before
	 * listen(), so nobody can connect while it is wrong. */
	if (chmod(ls->path, mode) < 0 || stat(ls->path, &st) < 0)
		return -errno;
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	if (listen(ls->fd, CTL_MAX_CLIENTS) < 0)
		return -errno;
	return loop_add_fd(ls->ctl->loop, ls->fd, POLLIN, on_accept, ls);
}

static int listener_open(struct ctl *c, struct ctl_listener *ls, const char *path,
			 bool ro, mode_t mode)
{
	int r;

	ls->ctl = c;
	ls->ro = ro;
	if (strlen(path) >= sizeof(ls->path)) {
		pr_err("control socket %s: %s", path, open_error(-ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	snprintf(ls->path, sizeof(ls->path), "%s", path);
	r = listener_bind(ls, mode);
	if (r < 0)
		pr_err("control socket %s: %s", path, open_error(r));
	return r;
}

static void listener_close(struct ctl_listener *ls)
{
	struct stat st;

	if (ls->fd >= 0) {
		loop_del_fd(ls->ctl->loop, ls->fd);
		close(ls->fd);
		ls->fd = -1;
	}
	/* Unlink only our own file: a successor may have replaced it. */
	if (ls->bound && lstat(ls->path, &st) == 0 && st.st_dev == ls->dev &&
	    st.st_ino == ls->ino)
		unlink(ls->path);
	ls->bound = false;
}

struct ctl *ctl_create(struct loop *l, const char *rw_path, const char *ro_path, int *err)
{
	char ro_buf[sizeof(((struct sockaddr_un *)0)->sun_path) + sizeof(CTL_RO_SUFFIX)];
	struct ctl *c;
	int r = -EINVAL;

	if (!l || !rw_path || !*rw_path)
		goto fail;
	if (!ro_path) {
		snprintf(ro_buf, sizeof(ro_buf), "%.*s" CTL_RO_SUFFIX,
			 (int)(sizeof(ro_buf) - sizeof(CTL_RO_SUFFIX)), rw_path);
		ro_path = ro_buf;
	}
	if (!strcmp(rw_path, ro_path))
		goto fail;
	r = -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto fail;
	c->loop = l;
	c->timeout_ns = CTL_DEFAULT_TIMEOUT_NS;
	c->ls[0].fd = c->ls[1].fd = -1;
	c->ls[0].ctl = c->ls[1].ctl = c;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		c->clients[i] = (struct ctl_client){ .ctl = c, .fd = -1 };
	r = listener_open(c, &c->ls[0], rw_path, false, 0660);
	if (r == 0 && *ro_path)
		r = listener_open(c, &c->ls[1], ro_path, true, 0666);
	if (r == 0) {
		if (err)
			*err = 0;
		return c;
	}
	ctl_destroy(c);
fail:
	if (err)
		*err = r;
	return NULL;
}

void ctl_destroy(struct ctl *c)
{
	if (!c)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_drop(&c->clients[i], "server shut down");
	listener_close(&c->ls[0]);
	listener_close(&c->ls[1]);
	free(c);
}

int ctl_register(struct ctl *c, const char *command, bool changes_state,
		 ctl_handler fn, void *arg)
{
	struct ctl_command *k;
	size_t n;

	if (!c || !command || !fn)
		return -EINVAL;
	n = strlen(command);
	if (n == 0 || n > CTL_MAX_COMMAND || strspn(command,
	    "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return -EINVAL;
	if (find_command(c, command))
		return -EEXIST;
	if (c->n_commands == CTL_MAX_COMMANDS)
		return -ENOSPC;
	k = &c->commands[c->n_commands++];
	memcpy(k->name, command, n + 1);
	k->changes_state = changes_state;
	k->fn = fn;
	k->arg = arg;
	return 0;
}

void ctl_set_timeout(struct ctl *c, int64_t timeout_ns)
{
	if (c && timeout_ns > 0)
		c->timeout_ns = timeout_ns;
}

int ctl_set_group(struct ctl *c, gid_t gid)
{
	if (!c || !c->ls[0].bound)
		return -EINVAL;
	return chown(c->ls[0].path, (uid_t)-1, gid) < 0 ? -errno : 0;
}

int ctl_client_count(const struct ctl *c)
{
	int n = 0;

	for (int i = 0; c && i < CTL_MAX_CLIENTS; i++)
		n += c->clients[i].fd >= 0;
	return n;
}
