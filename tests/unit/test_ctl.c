// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket server, talked to over real Unix sockets in a temp
 * dir while the test drives the loop: good and bad requests, the read-only
 * socket, the bounds (size, time, clients, unread replies), stale socket
 * files; then gnomonctl end to end against the same server.
 * Timeouts are shortened with ctl_set_timeout(); tests assert that things
 * happen and that they are not early, never how fast.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl.h"
#include "daemon/ctl/ctlproto.h"
#include "daemon/loop.h"
#include "tests/unit/ctl_fixture.h"

Suite *unit_suite(void);

#define MS 1000000LL

static struct env {
	char dir[64], rw[96], ro[96];
	struct loop *l;
	struct ctl *c;
	int set_calls;
} E;

/* ---- fake daemon handlers ------------------------------------------------ */

static int h_status(void *arg, struct json_object *args, struct json_object **data,
		    char *err, size_t errlen)
{
	(void)arg;
	(void)args;
	(void)err;
	(void)errlen;
	*data = json_tokener_parse(FIXTURE_STATUS);
	return *data ? 0 : -ENOMEM;
}

static int h_echo(void *arg, struct json_object *args, struct json_object **data,
		  char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	*data = args ? json_object_get(args) : NULL;
	return 0;
}

static int h_set(void *arg, struct json_object *args, struct json_object **data,
		 char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	(*(int *)arg)++;
	*data = json_tokener_parse("{\"done\":true}");
	return 0;
}

static int h_fail(void *arg, struct json_object *args, struct json_object **data,
		  char *err, size_t errlen)
{
	(void)args;
	(void)data;
	if (arg)
		snprintf(err, errlen, "%s", (const char *)arg);
	return -EIO;
}

/* 600 KB: more than a Unix socket buffer holds */
static int h_big(void *arg, struct json_object *args, struct json_object **data,
		 char *err, size_t errlen)
{
	char *s = malloc(600 * 1000 + 1);

	(void)arg;
	(void)args;
	(void)err;
	(void)errlen;
	memset(s, 'x', 600 * 1000);
	s[600 * 1000] = '\0';
	*data = json_object_new_object();
	json_object_object_add(*data, "blob", json_object_new_string(s));
	free(s);
	return 0;
}

static void setup(void)
{
	int err = 0;

	snprintf(E.dir, sizeof(E.dir), "/tmp/gnomon-ctl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(E.dir));
	snprintf(E.rw, sizeof(E.rw), "%s/g.sock", E.dir);
	snprintf(E.ro, sizeof(E.ro), "%s/g.sock.ro", E.dir);
	E.l = loop_create();
	E.c = ctl_create(E.l, E.rw, NULL, &err);
	ck_assert_msg(E.c != NULL, "ctl_create: %s", strerror(-err));
	E.set_calls = 0;
	ck_assert_int_eq(ctl_register(E.c, "status", false, h_status, NULL), 0);
	ck_assert_int_eq(ctl_register(E.c, "echo", false, h_echo, NULL), 0);
	ck_assert_int_eq(ctl_register(E.c, "set", true, h_set, &E.set_calls), 0);
	ck_assert_int_eq(ctl_register(E.c, "leap", false, h_fail, "leap table not loaded yet"), 0);
	ck_assert_int_eq(ctl_register(E.c, "fail", false, h_fail, NULL), 0);
	ck_assert_int_eq(ctl_register(E.c, "big", false, h_big, NULL), 0);
}

static void teardown(void)
{
	ctl_destroy(E.c);
	loop_destroy(E.l);
	rmdir(E.dir);
}

/* ---- driving the loop from the test -------------------------------------- */

static int64_t stop_cb(struct loop *l, long id, void *arg)
{
	(void)id;
	if (arg)
		*(int *)arg = 1;
	loop_stop(l);
	return 0;
}

static void run_for(int64_t ns)
{
	long t = loop_add_timer(E.l, ns, stop_cb, NULL);

	loop_run(E.l, NULL);
	loop_del_timer(E.l, t);
}

struct reader {
	char buf[1 << 16];
	size_t len;
	bool eof, want_eof;
	int want_lines;		/* stop after this many lines (0 = 1) */
	int err;
};

static int count_lines(const struct reader *r)
{
	int n = 0;

	for (size_t i = 0; i < r->len; i++)
		n += r->buf[i] == '\n';
	return n;
}

static void reader_cb(struct loop *l, int fd, short revents, void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	(void)revents;
	n = read(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		if (!r->want_eof && count_lines(r) >= (r->want_lines ? r->want_lines : 1))
			loop_stop(l);
		return;
	}
	r->eof = true;
	r->err = n < 0 ? errno : 0;
	loop_stop(l);
}

/* Drive the loop until fd has a reply line (or EOF if want_eof); 3 s max. */
static void pump(int fd, struct reader *r, bool want_eof)
{
	int timed_out = 0;
	long t;

	r->want_eof = want_eof;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ck_assert_int_eq(loop_add_fd(E.l, fd, POLLIN, reader_cb, r), 0);
	t = loop_add_timer(E.l, 3000 * MS, stop_cb, &timed_out);
	loop_run(E.l, NULL);
	loop_del_fd(E.l, fd);
	loop_del_timer(E.l, t);
	ck_assert_msg(!timed_out, "no %s from the server; got '%s'", want_eof ? "EOF" : "reply",
		      r->buf);
}

static void fill_sun(struct sockaddr_un *sa, const char *path)
{
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	ck_assert_uint_lt(strlen(path), sizeof(sa->sun_path));
	memcpy(sa->sun_path, path, strlen(path));
}

static int cl_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	fill_sun(&sa, path);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s: %s",
		      path, strerror(errno));
	return fd;
}

static void cl_send(int fd, const char *s)
{
	ck_assert_int_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* One request, one reply line, parsed; returns the reply object. */
static struct json_object *ask(int fd, const char *req)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct json_object *o;
	char *nl;

	cl_send(fd, req);
	pump(fd, r, false);
	nl = strchr(r->buf, '\n');
	ck_assert_msg(nl != NULL, "no reply line: '%s' (%s)", r->buf, r->eof ? strerror(r->err) : "");
	ck_assert_ptr_eq(nl, r->buf + r->len - 1);	/* one line, nothing after */
	o = json_tokener_parse(r->buf);
	ck_assert_msg(o != NULL, "reply is not JSON: '%s'", r->buf);
	free(r);
	return o;
}

static bool reply_ok(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "ok", &v) && json_object_get_boolean(v);
}

static const char *reply_error(struct json_object *o)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, "error", &v))
		return "";
	return json_object_get_string(v);
}

/* Read until the server closes: EOF or ECONNRESET (it closed with our
 * unread bytes in its queue). */
static void expect_closed(int fd)
{
	struct reader *r = calloc(1, sizeof(*r));

	pump(fd, r, true);
	ck_assert(r->eof);
	ck_assert_msg(r->err == 0 || r->err == ECONNRESET, "read: %s", strerror(r->err));
	free(r);
}

/* ---- requests ------------------------------------------------------------ */

START_TEST(test_good_request)
{
	struct json_object *rep, *data, *want = json_tokener_parse(FIXTURE_STATUS), *v;
	int fd = cl_connect(E.rw);
	struct reader *r;

	rep = ask(fd, "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	ck_assert(json_object_object_get_ex(rep, "command", &v));
	ck_assert_str_eq(json_object_get_string(v), "status");
	ck_assert(json_object_object_get_ex(rep, "data", &data));
	ck_assert(json_object_equal(data, want));
	json_object_put(rep);

	/* same connection, args, CRLF line end, two requests in one write */
	r = calloc(1, sizeof(*r));
	r->want_lines = 2;
	cl_send(fd, "{\"command\":\"echo\",\"args\":{\"x\":[1,2]}}\r\n{\"command\":\"echo\"}\n");
	pump(fd, r, false);
	ck_assert_str_eq(r->buf, "{\"ok\":true,\"command\":\"echo\",\"data\":{\"x\":[1,2]}}\n"
			 "{\"ok\":true,\"command\":\"echo\",\"data\":{}}\n");
	free(r);
	ck_assert_int_eq(ctl_client_count(E.c), 1);
	close(fd);
	run_for(5 * MS);
	ck_assert_int_eq(ctl_client_count(E.c), 0);
	json_object_put(want);
}
END_TEST

START_TEST(test_malformed_json)
{
	static const char *const bad[] = {
		"{\"command\":\"status\"\n", "not json\n", "[1,2]\n", "{\"command\":3}\n",
		"{\"command\":\"status\",\"extra\":1}\n", "{\"command\":\"status\",\"args\":[]}\n",
		"{\"command\":\"Status!\"}\n", "\n", "{\"command\":\"status\"} x\n",
	};
	int fd = cl_connect(E.rw);
	struct json_object *rep;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rep = ask(fd, bad[i]);
		ck_assert_msg(!reply_ok(rep), "accepted '%s'", bad[i]);
		ck_assert_str_ne(reply_error(rep), "");
		json_object_put(rep);
	}
	rep = ask(fd, "{\"command\":\"status\"\n");
	ck_assert_ptr_nonnull(strstr(reply_error(rep), "malformed JSON"));
	json_object_put(rep);
	/* the connection survives bad requests */
	rep = ask(fd, "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	close(fd);
}
END_TEST

START_TEST(test_oversized_line)
{
	char *big = malloc(8192 + 1);
	int fd = cl_connect(E.rw);
	struct json_object *rep;
	static const char head[] = "{\"command\":\"status\",\"args\":{\"pad\":\"";

	memset(big, ' ', 8192);
	memcpy(big, head, strlen(head));
	big[8192] = '\0';
	rep = ask(fd, big);
	ck_assert(!reply_ok(rep));
	ck_assert_ptr_nonnull(strstr(reply_error(rep), "longer than 4096"));
	json_object_put(rep);
	expect_closed(fd);
	close(fd);
	ck_assert_int_eq(ctl_client_count(E.c), 0);
	free(big);
}
END_TEST

START_TEST(test_unknown_command)
{
	int fd = cl_connect(E.ro);
	struct json_object *rep = ask(fd, "{\"command\":\"nope\"}\n");
	const char *e = reply_error(rep);

	ck_assert(!reply_ok(rep));
	ck_assert_ptr_nonnull(strstr(e, "unknown command \"nope\""));
	ck_assert_ptr_nonnull(strstr(e, "status"));
	ck_assert_ptr_nonnull(strstr(e, "set"));
	ck_assert_ptr_nonnull(strstr(e, "big"));
	json_object_put(rep);
	close(fd);
}
END_TEST

START_TEST(test_ro_socket_refuses_changes)
{
	int ro = cl_connect(E.ro), rw = cl_connect(E.rw);
	struct json_object *rep;

	rep = ask(ro, "{\"command\":\"set\"}\n");
	ck_assert(!reply_ok(rep));
	ck_assert_ptr_nonnull(strstr(reply_error(rep), "read-only"));
	ck_assert_ptr_nonnull(strstr(reply_error(rep), E.rw));
	json_object_put(rep);
	ck_assert_int_eq(E.set_calls, 0);
	rep = ask(ro, "{\"command\":\"status\"}\n");	/* reads are fine */
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	rep = ask(rw, "{\"command\":\"set\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	ck_assert_int_eq(E.set_calls, 1);
	close(ro);
	close(rw);
}
END_TEST

START_TEST(test_handler_errors)
{
	int fd = cl_connect(E.rw);
	struct json_object *rep;

	rep = ask(fd, "{\"command\":\"leap\"}\n");
	ck_assert(!reply_ok(rep));
	ck_assert_str_eq(reply_error(rep), "leap table not loaded yet");
	json_object_put(rep);
	rep = ask(fd, "{\"command\":\"fail\"}\n");	/* no message: strerror */
	ck_assert_str_eq(reply_error(rep), strerror(EIO));
	json_object_put(rep);
	close(fd);
}
END_TEST

/* ---- bounds in time and number ------------------------------------------- */

START_TEST(test_slow_client_dropped)
{
	int partial, silent;
	int64_t t0;

	ctl_set_timeout(E.c, 200 * MS);
	t0 = loop_mono_ns();
	partial = cl_connect(E.rw);
	silent = cl_connect(E.ro);
	cl_send(partial, "{\"comm");
	expect_closed(partial);
	ck_assert_int_ge(loop_mono_ns() - t0, 200 * MS);	/* not early */
	expect_closed(silent);
	ck_assert_int_eq(ctl_client_count(E.c), 0);
	close(partial);
	close(silent);
}
END_TEST

START_TEST(test_seventeen_clients)
{
	int fds[CTL_MAX_CLIENTS], extra;
	struct json_object *rep;

	ctl_set_timeout(E.c, 30000 * MS);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = cl_connect(E.rw);
		for (int k = 0; k < 100 && ctl_client_count(E.c) < i + 1; k++)
			run_for(1 * MS);
	}
	ck_assert_int_eq(ctl_client_count(E.c), CTL_MAX_CLIENTS);
	extra = cl_connect(E.rw);
	rep = ask(extra, "{\"command\":\"status\"}\n");
	ck_assert(!reply_ok(rep));
	ck_assert_ptr_nonnull(strstr(reply_error(rep), "too many"));
	json_object_put(rep);
	expect_closed(extra);
	close(extra);
	/* the read-only socket has a pool of its own */
	extra = cl_connect(E.ro);
	rep = ask(extra, "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	close(extra);
	/* the 16 are still served */
	rep = ask(fds[15], "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	/* one leaves, a new one gets in */
	close(fds[0]);
	for (int k = 0; k < 100 && ctl_client_count(E.c) == CTL_MAX_CLIENTS; k++)
		run_for(1 * MS);
	fds[0] = cl_connect(E.rw);
	rep = ask(fds[0], "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
}
END_TEST

START_TEST(test_client_closes_early)
{
	int a = cl_connect(E.rw), b = cl_connect(E.rw), c;
	struct json_object *rep;

	cl_send(a, "{\"command\":\"status\"}\n");
	close(a);			/* never reads its reply */
	cl_send(b, "{\"command\":\"sta");
	close(b);			/* leaves mid-request */
	run_for(20 * MS);
	ck_assert_int_eq(ctl_client_count(E.c), 0);
	c = cl_connect(E.rw);
	rep = ask(c, "{\"command\":\"status\"}\n");
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	close(c);
}
END_TEST

START_TEST(test_unread_reply_does_not_stall)
{
	int lazy = cl_connect(E.rw), other;
	struct json_object *rep;
	int64_t t0 = loop_mono_ns();

	ctl_set_timeout(E.c, 300 * MS);
	cl_send(lazy, "{\"command\":\"big\"}\n");	/* 600 KB reply, never read */
	run_for(20 * MS);
	ck_assert_int_eq(ctl_client_count(E.c), 1);
	other = cl_connect(E.ro);
	rep = ask(other, "{\"command\":\"status\"}\n");	/* the loop still serves */
	ck_assert(reply_ok(rep));
	json_object_put(rep);
	close(other);
	for (int k = 0; k < 200 && ctl_client_count(E.c) > 0; k++)
		run_for(5 * MS);
	ck_assert_int_eq(ctl_client_count(E.c), 0);
	ck_assert_int_ge(loop_mono_ns() - t0, 300 * MS);
	close(lazy);
}
END_TEST

/* ---- socket files -------------------------------------------------------- */

START_TEST(test_socket_files)
{
	struct stat st;
	char path[128];
	int err = 0, fd;
	struct ctl *c2;
	struct sockaddr_un sa;

	ck_assert_int_eq(stat(E.rw, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	ck_assert_int_eq(stat(E.ro, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0666);
	ck_assert_int_eq(ctl_set_group(E.c, getgid()), 0);

	/* a live server is not displaced */
	ck_assert_ptr_null(ctl_create(E.l, E.rw, "", &err));
	ck_assert_int_eq(err, -EADDRINUSE);
	ck_assert_int_eq(stat(E.rw, &st), 0);

	/* a stale socket file (bound, nobody listening) is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", E.dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	fill_sun(&sa, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	c2 = ctl_create(E.l, path, "", &err);
	ck_assert_msg(c2 != NULL, "stale: %s", strerror(-err));
	fd = cl_connect(path);
	close(fd);
	ctl_destroy(c2);
	ck_assert_int_eq(stat(path, &st), -1);		/* unlinked on destroy */

	/* a regular file is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_ptr_null(ctl_create(E.l, path, "", &err));
	ck_assert_int_eq(err, -EEXIST);
	ck_assert_int_eq(stat(path, &st), 0);
	unlink(path);

	/* bad paths */
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	path[0] = '/';
	ck_assert_ptr_null(ctl_create(E.l, path, "", &err));
	ck_assert_int_eq(err, -ENAMETOOLONG);
	ck_assert_ptr_null(ctl_create(E.l, E.rw, E.rw, &err));
	ck_assert_int_eq(err, -EINVAL);
	ctl_destroy(NULL);
}
END_TEST

START_TEST(test_register_errors)
{
	ck_assert_int_eq(ctl_register(E.c, "status", false, h_status, NULL), -EEXIST);
	ck_assert_int_eq(ctl_register(E.c, "", false, h_status, NULL), -EINVAL);
	ck_assert_int_eq(ctl_register(E.c, "Bad", false, h_status, NULL), -EINVAL);
	ck_assert_int_eq(ctl_register(E.c, "x", false, NULL, NULL), -EINVAL);
	for (int i = 0; i < CTL_MAX_COMMANDS; i++) {
		char name[16];
		int r;

		snprintf(name, sizeof(name), "c%d", i);
		r = ctl_register(E.c, name, false, h_status, NULL);
		ck_assert(r == 0 || r == -ENOSPC);
	}
	ck_assert_int_eq(ctl_register(E.c, "onemore", false, h_status, NULL), -ENOSPC);
}
END_TEST

/* ---- gnomonctl end to end ------------------------------------------------ */

struct child_io {
	struct reader out, err;
	pid_t pid;
	int status;
	bool exited;
};

static int64_t reap_cb(struct loop *l, long id, void *arg)
{
	struct child_io *c = arg;

	(void)id;
	if (waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
		c->exited = true;
		loop_stop(l);
		return 0;
	}
	return 2 * MS;
}

static void drain_cb(struct loop *l, int fd, short revents, void *arg)
{
	struct reader *r = arg;
	ssize_t n = read(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);

	(void)revents;
	if (n > 0) {
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	} else if (n == 0 || errno != EAGAIN) {
		loop_del_fd(l, fd);
	}
}

static const char *gnomonctl_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX - 16];
	ssize_t n;

	if (getenv("GNOMONCTL"))
		return getenv("GNOMONCTL");
	/* BUILD/tests/unit/test_ctl -> BUILD/gnomonctl */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	for (int i = 0; i < 3; i++)
		*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/gnomonctl", exe);
	ck_assert_msg(access(path, X_OK) == 0, "%s not built (make %s)", path, path);
	return path;
}

/* Run gnomonctl with args while driving the server's loop; exit code. */
static int run_ctl(struct child_io *c, const char *const *args)
{
	const char *argv[12] = { gnomonctl_path() };
	int po[2], pe[2], timed_out = 0, n = 1;
	long t;

	for (; args[n - 1] && n < 11; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(pipe(po), 0);
	ck_assert_int_eq(pipe(pe), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	loop_add_fd(E.l, po[0], POLLIN, drain_cb, &c->out);
	loop_add_fd(E.l, pe[0], POLLIN, drain_cb, &c->err);
	loop_add_timer(E.l, 1 * MS, reap_cb, c);
	t = loop_add_timer(E.l, 10000 * MS, stop_cb, &timed_out);
	loop_run(E.l, NULL);
	loop_del_timer(E.l, t);
	ck_assert_msg(!timed_out && c->exited, "gnomonctl did not finish");
	/* what is left in the pipes */
	drain_cb(E.l, po[0], POLLIN, &c->out);
	drain_cb(E.l, pe[0], POLLIN, &c->err);
	loop_del_fd(E.l, po[0]);
	loop_del_fd(E.l, pe[0]);
	close(po[0]);
	close(pe[0]);
	ck_assert(WIFEXITED(c->status));
	return WEXITSTATUS(c->status);
}

START_TEST(test_gnomonctl_json_and_human)
{
	struct child_io *c = calloc(1, sizeof(*c));
	struct json_object *got, *want = json_tokener_parse(FIXTURE_STATUS);

	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", E.rw, "--json", "status", NULL }), 0);
	got = json_tokener_parse(c->out.buf);
	ck_assert_msg(got && json_object_equal(got, want), "--json output: '%s'", c->out.buf);
	ck_assert_ptr_nonnull(strchr(c->out.buf, '\n'));	/* pretty: several lines */
	json_object_put(got);

	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", E.ro, "status", NULL }), 0);
	ck_assert_msg(strstr(c->out.buf, "Clock           : CLOCK_REALTIME\n") &&
		      strstr(c->out.buf, "Offset          : +12.345 us\n") &&
		      strstr(c->out.buf, "Frequency       : -3.217 ppm\n"),
		      "human status: '%s'", c->out.buf);
	ck_assert_str_eq(c->err.buf, "");
	json_object_put(want);
	free(c);
}
END_TEST

START_TEST(test_gnomonctl_errors)
{
	struct child_io *c = calloc(1, sizeof(*c));
	char missing[128];
	int fd;
	struct sockaddr_un sa;

	/* the daemon's error: exit 1, message and socket named */
	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", E.rw, "leap", NULL }), 1);
	ck_assert_ptr_nonnull(strstr(c->err.buf, "leap table not loaded yet"));
	ck_assert_ptr_nonnull(strstr(c->err.buf, E.rw));
	ck_assert_str_eq(c->out.buf, "");
	/* nobody there: exit 3, path named */
	snprintf(missing, sizeof(missing), "%s/none.sock", E.dir);
	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", missing, "status", NULL }), 3);
	ck_assert_ptr_nonnull(strstr(c->err.buf, missing));
	/* usage: exit 2 */
	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", E.rw, "bogus", NULL }), 2);
	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-t", "0", "status", NULL }), 2);
	ck_assert_int_eq(run_ctl(c, (const char *[]){ NULL }), 2);
	/* a server that accepts and never answers: timeout, exit 3 */
	snprintf(missing, sizeof(missing), "%s/mute.sock", E.dir);
	fill_sun(&sa, missing);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(run_ctl(c, (const char *[]){ "-s", missing, "-t", "0.2", "status",
						      NULL }), 3);
	ck_assert_ptr_nonnull(strstr(c->err.buf, "no reply within 0.2 s"));
	ck_assert_ptr_nonnull(strstr(c->err.buf, missing));
	close(fd);
	unlink(missing);
	free(c);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("server");
	TCase *tg = tcase_create("gnomonctl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_good_request);
	tcase_add_test(tc, test_malformed_json);
	tcase_add_test(tc, test_oversized_line);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_ro_socket_refuses_changes);
	tcase_add_test(tc, test_handler_errors);
	tcase_add_test(tc, test_slow_client_dropped);
	tcase_add_test(tc, test_seventeen_clients);
	tcase_add_test(tc, test_client_closes_early);
	tcase_add_test(tc, test_unread_reply_does_not_stall);
	tcase_add_test(tc, test_socket_files);
	tcase_add_test(tc, test_register_errors);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tg, setup, teardown);
	tcase_set_timeout(tg, 30);
	tcase_add_test(tg, test_gnomonctl_json_and_human);
	tcase_add_test(tg, test_gnomonctl_errors);
	suite_add_tcase(s, tg);
	return s;
}
