// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket server: the JSON-lines protocol and the read-only /
 * read-write split over daemon/sockserv.c, which owns the sockets, the
 * client table, the buffers and the timers. Each client: read into a
 * fixed CTL_MAX_REQUEST buffer until a newline, answer the line, write
 * the reply without blocking (sockserv stops reading while a reply is
 * pending), repeat. The client's deadline restarts on progress only
 * (sockserv_client_touch()): no complete request since it connected or
 * since its last reply, or a reply it does not read, drops it at the
 * timeout. Progress means whole requests and whole replies, so a client
 * trickling one byte at a time is dropped all the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl.h"
#include "daemon/ctl/ctlproto.h"
#include "daemon/log.h"
#include "daemon/sockserv.h"

#define STR(x)			#x
#define XSTR(x)			STR(x)
#define ERR_MAX			256
#define TAG_RW			0
#define TAG_RO			1

struct ctl_command {
	char name[CTL_MAX_COMMAND + 1];
	bool changes_state;
	ctl_handler fn;
	void *arg;
};

struct ctl_listener {
	bool bound;			/* the file at path is ours */
	dev_t dev;
	ino_t ino;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct ctl {
	struct sockserv *ss;
	struct ctl_listener ls[2];	/* [TAG_RW] read-write, [TAG_RO] read-only */
	int n_commands;
	struct ctl_command commands[CTL_MAX_COMMANDS];
};

/* ---- requests --------------------------------------------------------- */

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
static char *answer(struct ctl *c, bool ro, const char *line, size_t len, size_t *out_len)
{
	char cmd[CTL_MAX_COMMAND + 1], err[ERR_MAX + 2 * CTL_MAX_COMMAND * CTL_MAX_COMMANDS];
	const struct ctl_command *k;
	struct json_object *args = NULL, *data = NULL;
	char *reply;
	int r;

	err[0] = '\0';
	if (ctlproto_parse_request(line, len, cmd, &args, err, sizeof(err)) < 0)
		return ctlproto_format_error(NULL, err, out_len);
	k = find_command(c, cmd);
	if (!k) {
		unknown_command(c, cmd, err, sizeof(err));
		reply = ctlproto_format_error(cmd, err, out_len);
		goto out;
	}
	if (k->changes_state && ro) {
		snprintf(err, sizeof(err), "command \"%s\" changes state: not allowed on the "
			 "read-only socket; use %s", cmd, c->ls[TAG_RW].path);
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

/*
 * Answer the first complete line buffered, if any. The server calls this
 * only while no reply is pending, and again each time a reply has been
 * written, so lines are answered one after the other as replies go out.
 */
static void pump(struct ctl *c, struct sockserv_client *cl)
{
	const char *in, *nl;
	size_t in_len, n, len = 0;
	bool too_long = false;
	char *reply;

	if (sockserv_client_closing(cl))
		return;
	in = sockserv_client_input(cl, &in_len);
	nl = memchr(in, '\n', in_len);
	if (!nl) {
		if (in_len < CTL_MAX_REQUEST)
			return;
		reply = ctlproto_format_error(NULL, "request longer than "
					      XSTR(CTL_MAX_REQUEST) " bytes without a newline", &len);
		too_long = true;
	} else {
		n = (size_t)(nl - in);
		reply = answer(c, sockserv_client_tag(cl) == TAG_RO, in, n, &len);
		sockserv_client_consume(cl, n + 1);
		sockserv_client_touch(cl);
	}
	if (!reply || sockserv_client_send(cl, reply, len) < 0) {
		sockserv_client_close(cl, "out of memory");
		return;
	}
	if (too_long)
		sockserv_client_close_after_flush(cl, false, "request too long");
}

/* ---- the server's callbacks ------------------------------------------- */

static void on_input(void *arg, struct sockserv_client *cl)
{
	pump(arg, cl);
}

/* A reply went out: the client has made progress. */
static void on_flushed(void *arg, struct sockserv_client *cl)
{
	sockserv_client_touch(cl);
	pump(arg, cl);
}

static void on_gone(void *arg, struct sockserv_client *cl, enum sockserv_why why,
		    const char *text)
{
	(void)arg;
	if (why == SOCKSERV_TIMEOUT_OUT)
		text = "reply not read in time";
	pr_debug("control: client fd %d%s closed: %s", sockserv_client_fd(cl),
		 sockserv_client_tag(cl) == TAG_RO ? " (ro)" : "", text);
}

static const struct sockserv_ops ctl_ops = {
	.input = on_input,
	.flushed = on_flushed,
	.gone = on_gone,
};

static const char ctl_busy[] = "{\"ok\":false,\"error\":\"too many control clients ("
			       XSTR(CTL_MAX_CLIENTS) " connected); try again later\"}\n";

static const struct sockserv_params ctl_params = {
	.name = "control",
	.max_clients = 2 * CTL_MAX_CLIENTS,	/* a pool per socket */
	.in_max = CTL_MAX_REQUEST,
	.timeout_ns = CTL_DEFAULT_TIMEOUT_NS,
	.busy = ctl_busy,
	.busy_len = sizeof(ctl_busy) - 1,
	.evict_idle = true,
};

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
	fd = sockserv_socket(AF_UNIX);
	if (fd < 0)
		return fd;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		r = -EADDRINUSE;
	else
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

static int listener_bind(struct ctl *c, int tag, mode_t mode)
{
	struct ctl_listener *ls = &c->ls[tag];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	memcpy(sa.sun_path, ls->path, sizeof(sa.sun_path));
	r = clear_stale(ls->path, &sa);
	if (r < 0)
		return r;
	fd = sockserv_socket(AF_UNIX);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	ls->bound = true;
	/* The mode of a socket file is set by umask at bind(); chmod before
	 * listen(), so nobody can connect while it is wrong. */
	if (chmod(ls->path, mode) < 0 || stat(ls->path, &st) < 0)
		goto fail;
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	r = sockserv_listen(c->ss, fd, tag, ls->path);
	/* each socket its own pool: the world-writable read-only one can
	 * never take the operators' slots; there one uid gets half */
	if (r == 0)
		r = sockserv_set_pool(c->ss, tag, CTL_MAX_CLIENTS,
				      tag == TAG_RO ? CTL_MAX_CLIENTS / 2 : 0);
	return r;
fail:
	r = -errno;
	close(fd);
	return r;
}

static int listener_open(struct ctl *c, int tag, const char *path, mode_t mode)
{
	struct ctl_listener *ls = &c->ls[tag];
	int r;

	if (strlen(path) >= sizeof(ls->path)) {
		pr_err("control socket %s: %s", path, open_error(-ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	snprintf(ls->path, sizeof(ls->path), "%s", path);
	r = listener_bind(c, tag, mode);
	if (r < 0)
		pr_err("control socket %s: %s", path, open_error(r));
	return r;
}

/* After the socket is closed: unlink only our own file, a successor may
 * have replaced it. */
static void listener_unlink(struct ctl_listener *ls)
{
	struct stat st;

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
	c->ss = sockserv_create(l, &ctl_params, &ctl_ops, c);
	if (!c->ss) {
		free(c);
		goto fail;
	}
	r = listener_open(c, TAG_RW, rw_path, 0660);
	if (r == 0 && *ro_path)
		r = listener_open(c, TAG_RO, ro_path, 0666);
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
	sockserv_destroy(c->ss);
	listener_unlink(&c->ls[TAG_RW]);
	listener_unlink(&c->ls[TAG_RO]);
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
	if (c)
		sockserv_set_timeout(c->ss, timeout_ns);
}

int ctl_set_group(struct ctl *c, gid_t gid)
{
	if (!c || !c->ls[TAG_RW].bound)
		return -EINVAL;
	return chown(c->ls[TAG_RW].path, (uid_t)-1, gid) < 0 ? -errno : 0;
}

int ctl_client_count(const struct ctl *c)
{
	return c ? sockserv_client_count(c->ss) : 0;
}
