// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream-socket server machinery (daemon/sockserv.c) under a toy line
 * protocol, over real Unix sockets in a temp dir while the test drives
 * the loop: echo, the input bound, the client limit, the deadline (idle,
 * restarted, stalled reader, lingering peer), close after flush with and
 * without linger, and clients closed from inside every callback.
 * Deadlines are shortened with sockserv_set_timeout(); tests wait for
 * things to happen (with a generous safety stop) and check that they are
 * not early, never how fast.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "daemon/sockserv.h"

Suite *unit_suite(void);

#define MS		1000000LL
#define SAFETY_NS	(20000 * MS)	/* only ever reached when a test fails */
#define IN_MAX		32
#define MAX_CLIENTS	3
#define MAX_CONNS	8
#define MAX_GONE	32

struct conn {
	int fd;
	bool eof;
	size_t len;		/* bytes read in all */
	char buf[256];		/* the first of them, NUL-terminated */
	char last;		/* the last of them */
};

struct gone_ev {
	enum sockserv_why why;
	char text[64];
	char peer[48];
	int tag;
	int64_t at_ns;
};

static struct env {
	char dir[64], path[96];
	struct loop *l;
	struct sockserv *s;
	struct sockserv_client *cls[MAX_CLIENTS];	/* by slot */
	int accepted, refused, flushed, n_gone;
	struct gone_ev gone[MAX_GONE];
	bool ignore_input, reject, greet;
	bool fkill[MAX_CLIENTS];
	int send_after_close;
	int64_t accepted_ns, touched_ns;
	struct conn c[MAX_CONNS];
	int n_conns;
	bool safety_hit;
} E;

static void poke(void);

/* ---- the toy protocol: one command or echo per line -------------------- */

static int reply(struct sockserv_client *cl, const char *s)
{
	size_t n = strlen(s);
	char *b = malloc(n);

	memcpy(b, s, n);
	return sockserv_client_send(cl, b, n);
}

/* n bytes of 'x' ending in a newline */
static void send_big(struct sockserv_client *cl, const char *num)
{
	size_t n = strtoul(num, NULL, 10);
	char *b = malloc(n);

	memset(b, 'x', n);
	b[n - 1] = '\n';
	ck_assert_int_eq(sockserv_client_send(cl, b, n), 0);
}

/* One request; false when the client is closing or gone. */
static bool line(struct sockserv_client *cl, const char *cmd)
{
	char buf[IN_MAX + 8];

	if (!strcmp(cmd, "quit") || !strcmp(cmd, "linger")) {
		bool linger = cmd[0] == 'l';

		reply(cl, "bye\n");
		sockserv_client_close_after_flush(cl, linger, linger ? "lingered" : "quit");
		E.send_after_close = reply(cl, "late\n");
		return false;
	}
	if (!strcmp(cmd, "kill")) {
		sockserv_client_close(cl, "killed");
		return false;
	}
	if (!strcmp(cmd, "killothers")) {
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (E.cls[i] && E.cls[i] != cl)
				sockserv_client_close(E.cls[i], "killed by another");
	} else if (!strcmp(cmd, "fkill")) {
		E.fkill[sockserv_client_slot(cl)] = true;
	} else if (!strcmp(cmd, "touch")) {
		sockserv_client_touch(cl);
		E.touched_ns = loop_now(E.l);
	} else if (!strcmp(cmd, "tag")) {
		snprintf(buf, sizeof(buf), "%d\n", sockserv_client_tag(cl));
		reply(cl, buf);
		return true;
	} else if (!strncmp(cmd, "big ", 4)) {
		send_big(cl, cmd + 4);
		return true;
	} else if (!strncmp(cmd, "bigquit ", 8)) {
		send_big(cl, cmd + 8);
		sockserv_client_close_after_flush(cl, false, "bigquit");
		return false;
	} else {
		snprintf(buf, sizeof(buf), "%s\n", cmd);
		reply(cl, buf);
		return true;
	}
	reply(cl, "ok\n");
	return true;
}

static void on_input(void *arg, struct sockserv_client *cl)
{
	const char *in, *nl;
	char cmd[IN_MAX + 1];
	size_t len, n;

	ck_assert_ptr_eq(arg, &E);
	if (E.ignore_input)
		return;
	for (;;) {
		in = sockserv_client_input(cl, &len);
		nl = memchr(in, '\n', len);
		if (!nl)
			break;
		n = (size_t)(nl - in);
		memcpy(cmd, in, n);
		cmd[n] = '\0';
		sockserv_client_consume(cl, n + 1);
		if (!line(cl, cmd))
			return;		/* cl may be gone */
	}
	if (len == IN_MAX) {
		reply(cl, "too long\n");
		sockserv_client_close_after_flush(cl, false, "too long");
	}
}

static void on_flushed(void *arg, struct sockserv_client *cl)
{
	int slot = sockserv_client_slot(cl);

	(void)arg;
	E.flushed++;
	if (E.fkill[slot]) {
		E.fkill[slot] = false;
		sockserv_client_close(cl, "killed when flushed");
	}
}

static void on_accepted(void *arg, struct sockserv_client *cl)
{
	int slot = sockserv_client_slot(cl);

	(void)arg;
	ck_assert(slot >= 0 && slot < MAX_CLIENTS);
	ck_assert_ptr_null(E.cls[slot]);
	E.cls[slot] = cl;
	E.accepted++;
	E.accepted_ns = loop_now(E.l);
	if (E.reject)
		sockserv_client_close(cl, "rejected");
	else if (E.greet)
		reply(cl, "hi\n");
	poke();
}

static void on_refused(void *arg)
{
	(void)arg;
	E.refused++;
	poke();
}

static void on_gone(void *arg, struct sockserv_client *cl, enum sockserv_why why,
		    const char *text)
{
	struct gone_ev *g = &E.gone[E.n_gone < MAX_GONE ? E.n_gone : MAX_GONE - 1];

	(void)arg;
	ck_assert_int_ge(sockserv_client_fd(cl), 0);
	/* nothing can be queued any more */
	ck_assert_int_eq(reply(cl, "x"), -EPIPE);
	*g = (struct gone_ev){ .why = why, .tag = sockserv_client_tag(cl),
			       .at_ns = loop_now(E.l) };
	snprintf(g->text, sizeof(g->text), "%s", text);
	snprintf(g->peer, sizeof(g->peer), "%s", sockserv_client_peer(cl));
	E.n_gone++;
	E.cls[sockserv_client_slot(cl)] = NULL;
	poke();
}

static const struct sockserv_ops ops = {
	.input = on_input,
	.flushed = on_flushed,
	.accepted = on_accepted,
	.refused = on_refused,
	.gone = on_gone,
};

static const struct sockserv_params params = {
	.name = "test",
	.max_clients = MAX_CLIENTS,
	.in_max = IN_MAX,
	.timeout_ns = SAFETY_NS,
	.busy = "busy\n",
	.busy_len = 5,
};

/* ---- fixture and loop driving ------------------------------------------ */

static void listen_unix(const char *path, int tag)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = sockserv_socket(AF_UNIX);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(sockserv_listen(E.s, fd, tag, path), 0);
}

static void setup(void)
{
	memset(&E, 0, sizeof(E));
	snprintf(E.dir, sizeof(E.dir), "/tmp/gnomon-sockserv-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(E.dir));
	snprintf(E.path, sizeof(E.path), "%s/s", E.dir);
	E.l = loop_create();
	ck_assert_ptr_nonnull(E.l);
	E.s = sockserv_create(E.l, &params, &ops, &E);
	ck_assert_ptr_nonnull(E.s);
	listen_unix(E.path, 7);
}

static void teardown(void)
{
	char p2[128];

	for (int i = 0; i < E.n_conns; i++)
		if (E.c[i].fd >= 0)
			close(E.c[i].fd);
	sockserv_destroy(E.s);
	loop_destroy(E.l);
	unlink(E.path);
	snprintf(p2, sizeof(p2), "%s/s2", E.dir);
	unlink(p2);
	rmdir(E.dir);
}

/* What the test waits for; callbacks stop the loop once it holds. */
enum wait_kind { W_LEN, W_GONE, W_PLACED };

static struct waiting {
	enum wait_kind kind;
	struct conn *c;
	size_t n;
	bool on;
} W;

static bool waited(void)
{
	switch (W.kind) {
	case W_LEN:
		return W.c->len >= W.n || W.c->eof;
	case W_GONE:
		return E.n_gone >= (int)W.n;
	default:
		return E.accepted + E.refused >= (int)W.n;
	}
}

static void poke(void)
{
	if (W.on && waited())
		loop_stop(E.l);
}

static int64_t safety_timer(struct loop *l, long id, void *arg)
{
	(void)id;
	(void)arg;
	E.safety_hit = true;
	loop_stop(l);
	return 0;
}

static void wait_for(enum wait_kind kind, struct conn *c, size_t n)
{
	long t;

	W = (struct waiting){ .kind = kind, .c = c, .n = n, .on = true };
	if (!waited()) {
		t = loop_add_timer(E.l, SAFETY_NS, safety_timer, NULL);
		ck_assert_int_gt(t, 0);
		ck_assert_int_eq(loop_run(E.l, NULL), 0);
		loop_del_timer(E.l, t);
	}
	W.on = false;
	ck_assert_msg(!E.safety_hit, "the loop ran into the safety stop");
}

#define wait_len(c, n)	wait_for(W_LEN, (c), (n))
#define wait_eof(c)	wait_for(W_LEN, (c), SIZE_MAX)
#define wait_gone(n)	wait_for(W_GONE, NULL, (n))
#define wait_placed(n)	wait_for(W_PLACED, NULL, (n))

/* Keeps the first bytes read, counts them all. */
static void on_conn(struct loop *l, int fd, short revents, void *arg)
{
	struct conn *c = arg;
	char tmp[1 << 16];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t keep;

	(void)revents;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->eof = true;
		loop_del_fd(l, fd);
	} else {
		keep = c->len < sizeof(c->buf) - 1 ? sizeof(c->buf) - 1 - c->len : 0;
		memcpy(c->buf + c->len, tmp, keep < (size_t)n ? keep : (size_t)n);
		c->len += (size_t)n;
		c->last = tmp[n - 1];
	}
	poke();
}

/* A client connected to path; watch = read it from the loop. */
static struct conn *conn_to(const char *path, bool watch)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct conn *c;

	ck_assert_int_lt(E.n_conns, MAX_CONNS);
	c = &E.c[E.n_conns++];
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
	if (watch)
		ck_assert_int_eq(loop_add_fd(E.l, c->fd, POLLIN, on_conn, c), 0);
	return c;
}

static struct conn *conn_open(void)
{
	return conn_to(E.path, true);
}

static void conn_send(struct conn *c, const char *s)
{
	ck_assert_int_eq(send(c->fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static void conn_close(struct conn *c)
{
	if (!c->eof)
		loop_del_fd(E.l, c->fd);
	close(c->fd);
	c->fd = -1;
}

static void assert_gone(int i, enum sockserv_why why, const char *text)
{
	ck_assert_int_gt(E.n_gone, i);
	ck_assert_msg(E.gone[i].why == why, "gone %d: why %d, want %d (%s)", i,
		      E.gone[i].why, why, E.gone[i].text);
	ck_assert_str_eq(E.gone[i].text, text);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_echo)
{
	struct conn *c = conn_open();

	conn_send(c, "hello\nworld\n");		/* two replies, one queue */
	wait_len(c, 12);
	ck_assert_str_eq(c->buf, "hello\nworld\n");
	ck_assert_int_eq(sockserv_client_count(E.s), 1);
	conn_send(c, "tag\n");
	wait_len(c, 14);
	ck_assert_str_eq(c->buf + 12, "7\n");
	conn_close(c);
	wait_gone(1);
	assert_gone(0, SOCKSERV_EOF, "closed");
	ck_assert_int_eq(E.gone[0].tag, 7);
	ck_assert_int_eq(sockserv_client_count(E.s), 0);
	ck_assert_int_eq(E.accepted, 1);
	ck_assert_int_eq(E.flushed, 2);
	/* the peer leaves half a request behind */
	c = conn_open();
	conn_send(c, "abc");
	shutdown(c->fd, SHUT_WR);
	wait_gone(2);
	assert_gone(1, SOCKSERV_EOF, "closed mid-request");
	wait_eof(c);
	ck_assert_uint_eq(c->len, 0);
}
END_TEST

START_TEST(test_input_limit)
{
	char req[IN_MAX + 1];
	struct conn *c = conn_open();

	/* exactly IN_MAX bytes with the newline: fine */
	memset(req, 'a', IN_MAX - 1);
	req[IN_MAX - 1] = '\n';
	req[IN_MAX] = '\0';
	conn_send(c, req);
	wait_len(c, IN_MAX);
	ck_assert_str_eq(c->buf, req);
	/* IN_MAX bytes without one: the protocol answers and closes */
	req[IN_MAX - 1] = 'a';
	conn_send(c, req);
	wait_eof(c);
	ck_assert_str_eq(c->buf + IN_MAX, "too long\n");
	wait_gone(1);
	assert_gone(0, SOCKSERV_CLOSED, "too long");
	ck_assert_int_eq(sockserv_client_count(E.s), 0);
	/* a protocol that leaves a full buffer unanswered: dropped, not
	 * spun on */
	E.ignore_input = true;
	c = conn_open();
	conn_send(c, req);
	conn_send(c, "more");
	wait_gone(2);
	assert_gone(1, SOCKSERV_OVERFLOW, "input over the limit");
	wait_eof(c);
}
END_TEST

START_TEST(test_client_limit)
{
	struct conn *c[MAX_CLIENTS + 1], *last;

	for (int i = 0; i <= MAX_CLIENTS; i++) {
		c[i] = conn_open();
		wait_placed(i + 1);
	}
	ck_assert_int_eq(E.accepted, MAX_CLIENTS);
	ck_assert_int_eq(E.refused, 1);
	ck_assert_int_eq(sockserv_client_count(E.s), MAX_CLIENTS);
	wait_eof(c[MAX_CLIENTS]);
	ck_assert_str_eq(c[MAX_CLIENTS]->buf, "busy\n");
	ck_assert_int_eq(E.n_gone, 0);		/* never a client */
	/* a slot frees when a client leaves */
	conn_close(c[1]);
	wait_gone(1);
	last = conn_open();
	wait_placed(MAX_CLIENTS + 2);
	ck_assert_int_eq(E.accepted, MAX_CLIENTS + 1);
	conn_send(last, "ping\n");
	wait_len(last, 5);
	ck_assert_str_eq(last->buf, "ping\n");
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct conn *c;

	sockserv_set_timeout(E.s, 100 * MS);
	sockserv_set_timeout(E.s, 0);		/* ignored */
	c = conn_open();
	conn_send(c, "abc");
	wait_gone(1);
	assert_gone(0, SOCKSERV_TIMEOUT_IN, "no complete request in time");
	ck_assert_int_ge(E.gone[0].at_ns - E.accepted_ns, 100 * MS);	/* not early */
	wait_eof(c);
	ck_assert_uint_eq(c->len, 0);
}
END_TEST

static int64_t send_touch(struct loop *l, long id, void *arg)
{
	(void)l;
	(void)id;
	conn_send(arg, "touch\n");
	return 0;
}

/* The deadline restarts from the touch, not from accept. */
START_TEST(test_touch_restarts_deadline)
{
	struct conn *c;

	sockserv_set_timeout(E.s, 300 * MS);
	c = conn_open();
	ck_assert_int_gt(loop_add_timer(E.l, 100 * MS, send_touch, c), 0);
	wait_gone(1);
	assert_gone(0, SOCKSERV_TIMEOUT_IN, "no complete request in time");
	ck_assert_str_eq(c->buf, "ok\n");
	ck_assert_int_gt(E.touched_ns, E.accepted_ns);
	ck_assert_int_ge(E.gone[0].at_ns - E.touched_ns, 300 * MS);	/* not early */
}
END_TEST

/* A client that asks for a lot and never reads stalls nobody, and goes at
 * its deadline. */
START_TEST(test_stalled_reader)
{
	struct conn *stalled, *other;
	int64_t t0;

	sockserv_set_timeout(E.s, 500 * MS);
	stalled = conn_to(E.path, false);
	conn_send(stalled, "big 8000000\n");
	wait_placed(1);
	t0 = E.accepted_ns;
	other = conn_open();
	conn_send(other, "still here\n");
	wait_len(other, 11);
	ck_assert_str_eq(other->buf, "still here\n");
	ck_assert_int_eq(sockserv_client_count(E.s), 2);
	wait_gone(1);
	assert_gone(0, SOCKSERV_TIMEOUT_OUT, "output not read in time");
	ck_assert_int_ge(E.gone[0].at_ns - t0, 500 * MS);
}
END_TEST

START_TEST(test_close_after_flush)
{
	struct conn *c = conn_open();

	/* without linger: closed as soon as the reply is out; the line after
	 * "quit" is never answered, nothing queues after it */
	conn_send(c, "quit\nhello\n");
	wait_eof(c);
	ck_assert_str_eq(c->buf, "bye\n");
	ck_assert_int_eq(E.send_after_close, -EPIPE);
	wait_gone(1);
	assert_gone(0, SOCKSERV_CLOSED, "quit");
	/* a reply far larger than the socket buffer is written whole first */
	c = conn_open();
	conn_send(c, "bigquit 3000000\n");
	wait_eof(c);
	ck_assert_uint_eq(c->len, 3000000);
	ck_assert_int_eq(c->last, '\n');
	wait_gone(2);
	assert_gone(1, SOCKSERV_CLOSED, "bigquit");
}
END_TEST

START_TEST(test_linger)
{
	struct conn *c = conn_open();

	sockserv_set_timeout(E.s, 10000 * MS);
	conn_send(c, "linger\n");
	wait_eof(c);			/* shutdown(SHUT_WR): EOF, still connected */
	ck_assert_str_eq(c->buf, "bye\n");
	ck_assert_int_eq(sockserv_client_count(E.s), 1);
	ck_assert_int_eq(send(c->fd, "ignored\n", 8, MSG_NOSIGNAL), 8);	/* discarded */
	close(c->fd);
	c->fd = -1;
	wait_gone(1);
	assert_gone(0, SOCKSERV_CLOSED, "lingered");
	/* a peer that never closes goes at the deadline */
	sockserv_set_timeout(E.s, 100 * MS);
	c = conn_open();
	conn_send(c, "linger\n");
	wait_gone(2);
	assert_gone(1, SOCKSERV_TIMEOUT_CLOSE, "did not close in time");
}
END_TEST

START_TEST(test_close_inside_callbacks)
{
	struct conn *a, *b, *c;

	/* its own input callback: the rest of the input is not looked at */
	a = conn_open();
	conn_send(a, "kill\nhello\n");
	wait_eof(a);
	ck_assert_uint_eq(a->len, 0);
	assert_gone(0, SOCKSERV_CLOSED, "killed");
	/* another client's input callback */
	a = conn_open();
	b = conn_open();
	c = conn_open();
	wait_placed(4);
	conn_send(c, "killothers\n");
	wait_len(c, 3);
	ck_assert_str_eq(c->buf, "ok\n");
	wait_eof(a);
	wait_eof(b);
	ck_assert_int_eq(E.n_gone, 3);
	assert_gone(1, SOCKSERV_CLOSED, "killed by another");
	assert_gone(2, SOCKSERV_CLOSED, "killed by another");
	/* its flushed callback, after the reply went out */
	conn_send(c, "fkill\n");
	wait_eof(c);
	ck_assert_str_eq(c->buf, "ok\nok\n");
	assert_gone(3, SOCKSERV_CLOSED, "killed when flushed");
	/* its accepted callback */
	E.reject = true;
	a = conn_open();
	wait_eof(a);
	assert_gone(4, SOCKSERV_CLOSED, "rejected");
	ck_assert_int_eq(sockserv_client_count(E.s), 0);
}
END_TEST

START_TEST(test_greet_and_tags)
{
	char p2[128];
	struct conn *a, *b;

	snprintf(p2, sizeof(p2), "%s/s2", E.dir);
	listen_unix(p2, 9);
	E.greet = true;
	a = conn_open();
	b = conn_to(p2, true);
	conn_send(a, "tag\n");
	conn_send(b, "tag\n");
	wait_len(a, 5);
	wait_len(b, 5);
	ck_assert_str_eq(a->buf, "hi\n7\n");
	ck_assert_str_eq(b->buf, "hi\n9\n");
}
END_TEST

static int64_t stop_timer(struct loop *l, long id, void *arg)
{
	(void)id;
	(void)arg;
	loop_stop(l);
	return 0;
}

/* Run the loop for ns of its time. */
static void run_ns(int64_t ns)
{
	ck_assert_int_gt(loop_add_timer(E.l, ns, stop_timer, NULL), 0);
	ck_assert_int_eq(loop_run(E.l, NULL), 0);
}

/* The server again with evict_idle, and a second listener (tag 9). */
static void evicting_server(void)
{
	struct sockserv_params p = params;
	char p2[128];

	sockserv_destroy(E.s);
	unlink(E.path);
	p.evict_idle = true;
	E.s = sockserv_create(E.l, &p, &ops, &E);
	ck_assert_ptr_nonnull(E.s);
	listen_unix(E.path, 7);
	snprintf(p2, sizeof(p2), "%s/s2", E.dir);
	listen_unix(p2, 9);
}

/* Full: the oldest idle client makes room for the new one, which is
 * served; a client younger than SOCKSERV_EVICT_AGE_NS is never dropped. */
START_TEST(test_evict_oldest_idle)
{
	struct conn *c[MAX_CLIENTS + 2];

	evicting_server();
	for (int i = 0; i < MAX_CLIENTS; i++) {
		c[i] = conn_open();
		wait_placed(i + 1);
	}
	c[MAX_CLIENTS] = conn_open();		/* all young: refused */
	wait_placed(MAX_CLIENTS + 1);
	ck_assert_int_eq(E.refused, 1);
	run_ns(SOCKSERV_EVICT_AGE_NS + 10 * MS);
	c[MAX_CLIENTS + 1] = conn_open();
	wait_placed(MAX_CLIENTS + 2);
	ck_assert_int_eq(E.refused, 1);
	ck_assert_int_eq(E.accepted, MAX_CLIENTS + 1);
	assert_gone(0, SOCKSERV_EVICTED, "every slot of its socket is taken");
	wait_eof(c[0]);
	conn_send(c[MAX_CLIENTS + 1], "ping\n");
	wait_len(c[MAX_CLIENTS + 1], 5);
	ck_assert_str_eq(c[MAX_CLIENTS + 1]->buf, "ping\n");
}
END_TEST

/* A pool per listener: filling one never refuses the other; a peer
 * limit (here every client is the same uid) drops that peer's oldest. */
START_TEST(test_pools_and_peers)
{
	char p2[128], me[32];
	struct conn *a, *b;

	evicting_server();
	snprintf(p2, sizeof(p2), "%s/s2", E.dir);
	ck_assert_int_eq(sockserv_set_pool(E.s, 7, MAX_CLIENTS - 1, 0), 0);
	ck_assert_int_eq(sockserv_set_pool(E.s, 9, 1, 1), 0);
	ck_assert_int_eq(sockserv_set_pool(E.s, 5, 1, 1), -ENOENT);
	ck_assert_int_eq(sockserv_set_pool(E.s, 7, MAX_CLIENTS + 1, 0), -EINVAL);
	for (int i = 0; i < MAX_CLIENTS - 1; i++) {
		conn_open();
		wait_placed(i + 1);
	}
	conn_open();				/* tag 7 full, all young */
	wait_placed(MAX_CLIENTS);
	ck_assert_int_eq(E.refused, 1);
	a = conn_to(p2, true);			/* its own pool */
	wait_placed(MAX_CLIENTS + 1);
	ck_assert_int_eq(E.refused, 1);
	run_ns(SOCKSERV_EVICT_AGE_NS + 10 * MS);
	b = conn_to(p2, true);			/* same uid, limit 1: a goes */
	wait_placed(MAX_CLIENTS + 2);
	assert_gone(0, SOCKSERV_EVICTED, "its peer is at its connection limit");
	wait_eof(a);
	snprintf(me, sizeof(me), "uid %u", (unsigned)geteuid());
	conn_send(b, "ping\n");
	wait_len(b, 5);
	ck_assert_str_eq(b->buf, "ping\n");
	ck_assert_str_eq(E.gone[0].peer, me);
}
END_TEST

/* Clients mid-request when the server goes away: all told, all freed
 * (the sanitizer build checks), the peers see the close. */
START_TEST(test_destroy_with_clients)
{
	struct conn *a = conn_open(), *b = conn_open();

	conn_send(a, "abc");
	conn_send(b, "big 8000000\n");
	wait_placed(2);
	wait_len(b, 1);
	sockserv_destroy(E.s);
	E.s = NULL;
	ck_assert_int_eq(E.n_gone, 2);
	assert_gone(0, SOCKSERV_SHUTDOWN, "server shut down");
	assert_gone(1, SOCKSERV_SHUTDOWN, "server shut down");
	wait_eof(a);
}
END_TEST

START_TEST(test_api_errors)
{
	struct sockserv_params p[4] = { params, params, params, params };
	struct sockserv_ops o[2] = { ops, ops };
	int fd;

	p[0].max_clients = 0;
	p[1].in_max = 0;
	p[2].timeout_ns = 0;
	p[3].busy = NULL;	/* with busy_len 5 */
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_null(sockserv_create(E.l, &p[i], &ops, NULL));
	o[0].gone = NULL;
	o[1].input = NULL;
	for (int i = 0; i < 2; i++)
		ck_assert_ptr_null(sockserv_create(E.l, &params, &o[i], NULL));
	ck_assert_ptr_null(sockserv_create(NULL, &params, &ops, NULL));
	ck_assert_ptr_null(sockserv_create(E.l, NULL, &ops, NULL));
	ck_assert_ptr_null(sockserv_create(E.l, &params, NULL, NULL));
	sockserv_destroy(NULL);
	ck_assert_int_eq(sockserv_client_count(NULL), 0);
	/* sockets come non-blocking and close-on-exec */
	fd = sockserv_socket(AF_UNIX);
	ck_assert_int_ge(fd, 0);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* listen() on an unbound Unix socket fails; the fd is closed */
	ck_assert_int_eq(sockserv_listen(E.s, fd, 0, "unbound"), -EINVAL);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(sockserv_set_flags(-1), -EBADF);
	ck_assert_int_eq(sockserv_socket(-1), -EAFNOSUPPORT);
	/* at most SOCKSERV_MAX_LISTENERS (one is in use already) */
	for (int i = 1; i < SOCKSERV_MAX_LISTENERS; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/l%d", E.dir, i);
		listen_unix(path, i);
		unlink(path);
	}
	fd = sockserv_socket(AF_UNIX);
	ck_assert_int_eq(sockserv_listen(E.s, fd, 0, "one too many"), -ENOSPC);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
}
END_TEST

Suite *unit_suite(void)
{
	const TTest *tests[] = {
		test_echo, test_input_limit, test_client_limit, test_idle_timeout,
		test_touch_restarts_deadline, test_stalled_reader, test_close_after_flush,
		test_linger, test_close_inside_callbacks, test_greet_and_tags,
		test_destroy_with_clients, test_api_errors, test_evict_oldest_idle,
		test_pools_and_peers,
	};
	Suite *s = suite_create("sockserv");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}
