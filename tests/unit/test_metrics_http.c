// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /metrics listener (daemon/metrics/metrics_http.c), talked to over real TCP
 * sockets on 127.0.0.1 (port 0, learnt with metrics_http_port()) while the
 * test drives the loop: the test's client sockets are watched by the same
 * loop, which stops when the exchange is over. Good and bad requests, the
 * bounds (header size, deadline, stalled reader, client count), address
 * checks, and the pure request parser.
 * Deadlines are shortened with metrics_http_set_timeout(); tests wait for
 * things to happen (with a generous safety stop), never time them.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "daemon/metrics/metrics.h"
#include "daemon/metrics/metrics_http.h"

Suite *unit_suite(void);

#define MS		1000000LL
#define SAFETY_NS	(20000 * MS)	/* only ever reached when a test fails */
#define MAX_CONNS	(METRICS_HTTP_MAX_CLIENTS + 2)

struct conn {
	int fd;
	bool done;		/* EOF or error seen */
	char *buf;
	size_t len, cap;
};

static struct env {
	struct loop *l;
	struct metrics_http *h;
	int port;
	int renders;
	int fail;		/* render returns this if < 0 */
	size_t big;		/* render one label value this long */
	struct conn c[MAX_CONNS];
	int n_conns;
	bool safety_hit;
} E;

static int render(void *arg, struct metrics *m)
{
	static const char *kv[] = { "clock", "CLOCK_REALTIME", "source", "phc:/dev/ptp0", NULL };
	struct env *e = arg;
	int r;

	e->renders++;
	if (e->fail < 0)
		return e->fail;
	r = metrics_family(m, METRIC_CLOCK_OFFSET, "gauge", "Offset.");
	r = r ? r : metrics_sample(m, METRIC_CLOCK_OFFSET, kv, -2.5e-8);
	r = r ? r : metrics_family(m, METRIC_LOOP_ITERATIONS, "counter", "Iterations.");
	r = r ? r : metrics_sample(m, METRIC_LOOP_ITERATIONS, NULL,
				   (double)loop_iterations(e->l));
	if (!r && e->big) {
		char *v = malloc(e->big + 1);

		memset(v, 'x', e->big);
		v[e->big] = '\0';
		r = metrics_family(m, "big", "gauge", "Big.");
		r = r ? r : metrics_sample(m, "big", (const char *[]){ "v", v, NULL }, 1);
		free(v);
	}
	return r;
}

static void setup(void)
{
	int err = 1;

	memset(&E, 0, sizeof(E));
	E.l = loop_create();
	ck_assert_ptr_nonnull(E.l);
	E.h = metrics_http_create(E.l, "127.0.0.1:0", false, render, &E, &err);
	ck_assert_ptr_nonnull(E.h);
	ck_assert_int_eq(err, 0);
	E.port = metrics_http_port(E.h);
	ck_assert_int_gt(E.port, 0);
}

static void teardown(void)
{
	for (int i = 0; i < E.n_conns; i++) {
		if (E.c[i].fd >= 0)
			close(E.c[i].fd);
		free(E.c[i].buf);
	}
	metrics_http_destroy(E.h);
	loop_destroy(E.l);
}

/* ---- driving the loop ------------------------------------------------- */

typedef bool (*pred_fn)(void);

static pred_fn until;

static int64_t check_timer(struct loop *l, long id, void *arg)
{
	(void)id;
	(void)arg;
	if (until()) {
		loop_stop(l);
		return 0;
	}
	return MS;
}

static int64_t safety_timer(struct loop *l, long id, void *arg)
{
	(void)id;
	(void)arg;
	E.safety_hit = true;
	loop_stop(l);
	return 0;
}

/* Run the loop until p() holds (checked every 1 ms). */
static void run_until(pred_fn p)
{
	long t1, t2;

	until = p;
	t1 = loop_add_timer(E.l, 0, check_timer, NULL);
	t2 = loop_add_timer(E.l, SAFETY_NS, safety_timer, NULL);
	ck_assert_int_gt(t1, 0);
	ck_assert_int_gt(t2, 0);
	ck_assert_int_eq(loop_run(E.l, NULL), 0);
	loop_del_timer(E.l, t1);
	loop_del_timer(E.l, t2);
	ck_assert_msg(!E.safety_hit, "the loop ran into the safety stop");
}

static void on_conn(struct loop *l, int fd, short revents, void *arg)
{
	struct conn *c = arg;
	ssize_t n;

	(void)revents;
	if (c->cap - c->len < 65536) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		c->buf = realloc(c->buf, c->cap + 1);
	}
	n = recv(fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
	if (n > 0) {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	c->done = true;
	loop_del_fd(l, fd);
}

/* A client connected to the server, not watched by the loop yet. */
static struct conn *conn_open(bool nonblock)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)E.port) };
	struct conn *c;
	int r;

	ck_assert_int_lt(E.n_conns, MAX_CONNS);
	c = &E.c[E.n_conns++];
	*c = (struct conn){ .fd = socket(AF_INET, SOCK_STREAM, 0) };
	ck_assert_int_ge(c->fd, 0);
	if (nonblock)
		ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = connect(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	ck_assert_msg(r == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
	return c;
}

static void conn_send(struct conn *c, const char *s, size_t n)
{
	ck_assert_int_eq(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void conn_watch(struct conn *c)
{
	ck_assert_int_eq(loop_add_fd(E.l, c->fd, POLLIN, on_conn, c), 0);
}

static bool all_done(void)
{
	for (int i = 0; i < E.n_conns; i++)
		if (!E.c[i].done)
			return false;
	return true;
}

/* Send a request, read the response until the server closes. */
static const char *exchange(const char *req, size_t n)
{
	struct conn *c = conn_open(false);

	conn_send(c, req, n);
	conn_watch(c);
	run_until(all_done);
	close(c->fd);		/* ends the server's lingering */
	c->fd = -1;
	return c->buf ? c->buf : "";
}

static const char *get(const char *req)
{
	return exchange(req, strlen(req));
}

static int status_of(const char *resp)
{
	int st = 0;

	if (sscanf(resp, "HTTP/1.0 %d ", &st) != 1)
		return -1;
	return st;
}

static bool no_clients(void)
{
	return metrics_http_client_count(E.h) == 0;
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(test_get_metrics)
{
	const char *resp = get("GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
			       "Accept: text/plain\r\n\r\n");
	const char *body = strstr(resp, "\r\n\r\n");
	struct metrics_http_stats st;
	size_t clen = 0;
	const char *p;

	ck_assert_int_eq(status_of(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, "\r\nContent-Type: text/plain; version=0.0.4; "
				     "charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(resp, "\r\nConnection: close\r\n"));
	p = strstr(resp, "\r\nContent-Length: ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "\r\nContent-Length: %zu", &clen), 1);
	ck_assert_ptr_nonnull(body);
	body += 4;
	ck_assert_uint_eq(strlen(body), clen);
	ck_assert_ptr_eq(strstr(body, "# HELP gnomon_clock_offset_seconds Offset.\n"
				"# TYPE gnomon_clock_offset_seconds gauge\n"
				"gnomon_clock_offset_seconds{clock=\"CLOCK_REALTIME\","
				"source=\"phc:/dev/ptp0\"} -2.5e-08\n"
				"# HELP gnomon_loop_iterations_total Iterations.\n"
				"# TYPE gnomon_loop_iterations_total counter\n"
				"gnomon_loop_iterations_total "), body);
	ck_assert_int_eq(E.renders, 1);
	run_until(no_clients);
	metrics_http_get_stats(E.h, &st);
	ck_assert_uint_eq(st.accepted, 1);
	ck_assert_uint_eq(st.responses, 1);
	ck_assert_uint_eq(st.ok, 1);
	ck_assert_uint_eq(st.timeouts, 0);
}
END_TEST

START_TEST(test_head_query_lf)
{
	const char *resp = get("HEAD /metrics HTTP/1.0\r\n\r\n");

	ck_assert_int_eq(status_of(resp), 200);
	ck_assert_ptr_nonnull(strstr(resp, "Content-Length: "));
	ck_assert_str_eq(strstr(resp, "\r\n\r\n"), "\r\n\r\n");		/* no body */
	ck_assert_int_eq(status_of(get("GET /metrics?name[]=x HTTP/1.0\r\n\r\n")), 200);
	/* bare LF line ends and a leading empty line */
	ck_assert_int_eq(status_of(get("\r\nGET /metrics HTTP/1.0\nX: y\n\n")), 200);
	ck_assert_int_eq(E.renders, 3);
}
END_TEST

START_TEST(test_errors)
{
	const char *resp;

	ck_assert_int_eq(status_of(get("GET / HTTP/1.1\r\n\r\n")), 404);
	ck_assert_int_eq(status_of(get("GET /metricsx HTTP/1.0\r\n\r\n")), 404);
	resp = get("POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
	ck_assert_int_eq(status_of(resp), 405);
	ck_assert_ptr_nonnull(strstr(resp, "\r\nAllow: GET, HEAD\r\n"));
	ck_assert_int_eq(status_of(get("garbage\r\n\r\n")), 400);
	ck_assert_int_eq(status_of(get("GET /metrics\r\n\r\n")), 400);
	ck_assert_int_eq(status_of(get("GET /metrics HTTP/2.0\r\n\r\n")), 505);
	{
		static const char nul[] = "GET /metrics HTTP/1.0\r\n\0\r\n\r\n";

		ck_assert_int_eq(status_of(exchange(nul, sizeof(nul) - 1)), 400);
	}
	ck_assert_int_eq(E.renders, 0);
	E.fail = -EIO;
	ck_assert_int_eq(status_of(get("GET /metrics HTTP/1.0\r\n\r\n")), 500);
}
END_TEST

START_TEST(test_oversized_header)
{
	char req[METRICS_HTTP_MAX_HEADER + 1000];
	size_t n = (size_t)snprintf(req, sizeof(req), "GET /metrics HTTP/1.0\r\nX-Pad: ");

	memset(req + n, 'a', sizeof(req) - n);
	ck_assert_int_eq(status_of(exchange(req, sizeof(req))), 431);
	/* just under the limit is fine */
	n = METRICS_HTTP_MAX_HEADER - 4;
	memcpy(req + n, "\r\n\r\n", 4);
	ck_assert_int_eq(status_of(exchange(req, METRICS_HTTP_MAX_HEADER)), 200);
	ck_assert_int_eq(E.renders, 1);
}
END_TEST

/* A request arriving in pieces over several loop iterations. */
static struct conn *split_conn;

static int64_t send_rest(struct loop *l, long id, void *arg)
{
	(void)l;
	(void)id;
	(void)arg;
	conn_send(split_conn, "rics HTTP/1.0\r\n\r\n", 17);
	return 0;
}

START_TEST(test_split_request)
{
	split_conn = conn_open(false);
	conn_send(split_conn, "GET /met", 8);
	conn_watch(split_conn);
	ck_assert_int_gt(loop_add_timer(E.l, 20 * MS, send_rest, NULL), 0);
	run_until(all_done);
	ck_assert_int_eq(status_of(split_conn->buf), 200);
}
END_TEST

/* A client that sends part of a request and then nothing is dropped at
 * the deadline, without a response. */
START_TEST(test_slow_client_dropped)
{
	struct metrics_http_stats st;
	struct conn *c;

	metrics_http_set_timeout(E.h, 50 * MS);
	c = conn_open(false);
	conn_send(c, "GET /met", 8);
	conn_watch(c);
	run_until(all_done);
	ck_assert_uint_eq(c->len, 0);
	metrics_http_get_stats(E.h, &st);
	ck_assert_uint_eq(st.timeouts, 1);
	ck_assert_uint_eq(st.responses, 0);
	ck_assert_int_eq(metrics_http_client_count(E.h), 0);
	ck_assert_int_eq(E.renders, 0);
}
END_TEST

static bool accepted_and_gone(void)
{
	struct metrics_http_stats st;

	metrics_http_get_stats(E.h, &st);
	return st.accepted == 1 && metrics_http_client_count(E.h) == 0;
}

/* A client that asks for a large response and never reads it is dropped
 * at the deadline; the loop never blocks on it. */
START_TEST(test_stalled_reader_dropped)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct metrics_http_stats st;
	int small = 4096;
	struct conn *c;

	metrics_http_set_timeout(E.h, 100 * MS);
	E.big = 4 << 20;
	c = conn_open(false);
	ck_assert_int_eq(setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	conn_send(c, req, sizeof(req) - 1);
	run_until(accepted_and_gone);
	metrics_http_get_stats(E.h, &st);
	ck_assert_int_eq(E.renders, 1);
	ck_assert_uint_eq(st.responses, 0);
	ck_assert_uint_eq(st.timeouts, 1);
}
END_TEST

static bool one_slot_free(void)
{
	return metrics_http_client_count(E.h) == METRICS_HTTP_MAX_CLIENTS - 1;
}

static bool one_more_accepted(void)
{
	struct metrics_http_stats st;

	metrics_http_get_stats(E.h, &st);
	return st.accepted == METRICS_HTTP_MAX_CLIENTS + 1;
}

static bool all_placed(void)
{
	struct metrics_http_stats st;

	metrics_http_get_stats(E.h, &st);
	return st.accepted + st.refused == METRICS_HTTP_MAX_CLIENTS + 1;
}

START_TEST(test_client_limit)
{
	struct metrics_http_stats st;
	int refused = -1;

	metrics_http_set_timeout(E.h, SAFETY_NS);
	for (int i = 0; i <= METRICS_HTTP_MAX_CLIENTS; i++)
		conn_open(true);
	run_until(all_placed);
	metrics_http_get_stats(E.h, &st);
	ck_assert_uint_eq(st.accepted, METRICS_HTTP_MAX_CLIENTS);
	ck_assert_uint_eq(st.refused, 1);
	ck_assert_int_eq(metrics_http_client_count(E.h), METRICS_HTTP_MAX_CLIENTS);
	/* the refused one was told so; the others wait for a request */
	for (int i = 0; i <= METRICS_HTTP_MAX_CLIENTS; i++) {
		char buf[256];
		ssize_t n = recv(E.c[i].fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

		if (n <= 0)
			continue;
		buf[n] = '\0';
		ck_assert_int_eq(refused, -1);
		ck_assert_int_eq(status_of(buf), 503);
		refused = i;
	}
	ck_assert_int_ge(refused, 0);
	/* a slot frees when a client leaves */
	close(E.c[refused ? 0 : 1].fd);
	E.c[refused ? 0 : 1].fd = -1;
	run_until(one_slot_free);
	conn_open(true);
	run_until(one_more_accepted);
	ck_assert_int_eq(metrics_http_client_count(E.h), METRICS_HTTP_MAX_CLIENTS);
}
END_TEST

static bool two_accepted(void)
{
	struct metrics_http_stats st;

	metrics_http_get_stats(E.h, &st);
	return st.accepted == 2;
}

/* Clients in the middle of a request when the server goes away: all
 * freed (the sanitizer build checks), nothing left in the loop. */
START_TEST(test_destroy_with_clients)
{
	struct conn *c = conn_open(false);
	char buf[8];
	ssize_t n;

	conn_send(c, "GET /met", 8);
	conn_open(false);
	run_until(two_accepted);
	ck_assert_int_eq(metrics_http_client_count(E.h), 2);
	metrics_http_destroy(E.h);
	E.h = NULL;
	/* closed: FIN, or RST if the server had not read the request yet */
	n = recv(c->fd, buf, sizeof(buf), 0);
	ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET), "recv: %zd", n);
}
END_TEST

START_TEST(test_addresses)
{
	struct metrics_http *h;
	int err = 0;

	h = metrics_http_create(E.l, "0.0.0.0:0", false, render, &E, &err);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(err, -EPERM);
	h = metrics_http_create(E.l, "192.0.2.1:9475", false, render, &E, &err);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(err, -EPERM);
	h = metrics_http_create(E.l, "[::]:0", false, render, &E, &err);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(err, -EPERM);
	/* allowed explicitly */
	h = metrics_http_create(E.l, "0.0.0.0:0", true, render, &E, &err);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_gt(metrics_http_port(h), 0);
	metrics_http_destroy(h);
	/* another loopback address of 127/8 */
	h = metrics_http_create(E.l, "127.0.0.2:0", false, render, &E, &err);
	ck_assert_ptr_nonnull(h);
	metrics_http_destroy(h);
	/* the port in use */
	{
		char addr[32];

		snprintf(addr, sizeof(addr), "127.0.0.1:%d", E.port);
		ck_assert_ptr_null(metrics_http_create(E.l, addr, false, render, &E, &err));
		ck_assert_int_eq(err, -EADDRINUSE);
	}
	ck_assert_ptr_null(metrics_http_create(E.l, "localhost:9475", false, render, &E, &err));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(metrics_http_create(E.l, "127.0.0.1:0", false, NULL, &E, &err));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(metrics_http_create(NULL, "127.0.0.1:0", false, render, &E, &err));
	ck_assert_int_eq(err, -EINVAL);
	metrics_http_destroy(NULL);
}
END_TEST

#define E_INVAL	-EINVAL, false, 0

START_TEST(test_parse_addr)
{
	static const struct { const char *a; int r; bool lo; int port; } cases[] = {
		{ "127.0.0.1:9475", 0, true, 9475 }, { "127.9.8.7", 0, true, 9475 },
		{ "10.0.0.1:80", 0, false, 80 }, { "0.0.0.0:0", 0, false, 0 },
		{ "[::1]:9100", 0, true, 9100 }, { "::1", 0, true, 9475 },
		{ "[::ffff:127.0.0.1]:1", 0, true, 1 }, { "[::ffff:10.0.0.1]:1", 0, false, 1 },
		{ "[::]", 0, false, 9475 }, { "[2001:db8::1]:65535", 0, false, 65535 },
		{ "", E_INVAL }, { "localhost", E_INVAL }, { "127.0.0.1:", E_INVAL },
		{ "127.0.0.1:65536", E_INVAL }, { "127.0.0.1:-1", E_INVAL }, { "127.0.0.1:12a", E_INVAL },
		{ "127.1:80", E_INVAL }, { "[::1", E_INVAL }, { "[::1]x", E_INVAL },
		{ "[]:80", E_INVAL }, { "1.2.3.4:5:6", E_INVAL }, { "fe80::1%eth0", E_INVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		bool lo = !cases[i].lo;
		int r = metrics_http_parse_addr(cases[i].a, &ss, &len, &lo), port;

		ck_assert_msg(r == cases[i].r, "%s: %d", cases[i].a, r);
		if (r)
			continue;
		ck_assert_msg(lo == cases[i].lo, "%s: loopback %d", cases[i].a, lo);
		port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
					       : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		ck_assert_int_eq(port, cases[i].port);
	}
	ck_assert_int_eq(metrics_http_parse_addr(NULL, NULL, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_parse_request)
{
	static const struct { const char *req; int status; bool head; } cases[] = {
		{ "GET /metrics HTTP/1.0\r\n\r\n", 200, false },
		{ "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, true },
		{ "GET /metrics?a=b HTTP/1.1\n\n", 200, false },
		{ "\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n", 200, false },
		{ "GET /metrics/ HTTP/1.1\r\n\r\n", 404, false },
		{ "GET /METRICS HTTP/1.1\r\n\r\n", 404, false },
		{ "PUT /metrics HTTP/1.1\r\n\r\n", 405, false },
		{ "get /metrics HTTP/1.1\r\n\r\n", 405, false },	/* methods are case-sensitive */
		{ "PUT /other HTTP/1.1\r\n\r\n", 404, false },
		{ "GET /metrics HTTP/3.0\r\n\r\n", 505, false },
		{ "GET /metrics HTTP/1.10\r\n\r\n", 400, false },
		{ "GET /metrics http/1.1\r\n\r\n", 400, false },
		{ "GET  /metrics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET /metrics  HTTP/1.1\r\n\r\n", 400, false },
		{ "GET http://h/metrics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET * HTTP/1.1\r\n\r\n", 400, false },
		{ "G(T /metrics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET /met\trics HTTP/1.1\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nNoColon\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\n: empty\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, false },
		{ "GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *q = cases[i].req;
		size_t end = metrics_http_header_end(q, strlen(q));
		bool head = !cases[i].head;

		ck_assert_msg(end == strlen(q), "case %zu: end %zu", i, end);
		ck_assert_msg(metrics_http_parse_request(q, end, &head) == cases[i].status,
			      "case %zu: %s", i, q);
		if (cases[i].status == 200)
			ck_assert_int_eq(head, cases[i].head);
	}
	ck_assert_uint_eq(metrics_http_header_end("GET / HTTP/1.1\r\n", 16), 0);
	ck_assert_uint_eq(metrics_http_header_end("GET / HTTP/1.1\r\n\r", 17), 0);
	ck_assert_uint_eq(metrics_http_header_end("\r\n\r\n", 4), 0);
	ck_assert_uint_eq(metrics_http_header_end("", 0), 0);
}
END_TEST

/* The parser is total: any buffer, however short or newline-less, gets a
 * status; a zero-length one used to read past its end (next_line()
 * assumed a newline: a crash under ASan). Each case is copied to a heap
 * buffer of exactly its length so that ASan sees a read past it. */
START_TEST(test_parse_total)
{
	static const char *const cases[] = {
		"", "\r\n", "\n\n", "GET", "GET /metrics HTTP/1.1",
		"GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\nHost: x",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n", "\r", " ",
	};
	bool head;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i]);
		char *b = malloc(n ? n : 1);

		ck_assert_ptr_nonnull(b);
		memcpy(b, cases[i], n);
		ck_assert_msg(metrics_http_parse_request(b, n, &head) == 400, "case %zu", i);
		free(b);
	}
	ck_assert_int_eq(metrics_http_parse_request(NULL, 0, &head), 400);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("metrics_http");
	TCase *tc = tcase_create("server");
	TCase *tp = tcase_create("parsers");

	tcase_add_test(tp, test_parse_total);

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get_metrics);
	tcase_add_test(tc, test_head_query_lf);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_oversized_header);
	tcase_add_test(tc, test_split_request);
	tcase_add_test(tc, test_slow_client_dropped);
	tcase_add_test(tc, test_stalled_reader_dropped);
	tcase_add_test(tc, test_client_limit);
	tcase_add_test(tc, test_destroy_with_clients);
	tcase_add_test(tc, test_addresses);
	suite_add_tcase(s, tc);
	tcase_add_test(tp, test_parse_request);
	tcase_add_test(tp, test_parse_addr);
	suite_add_tcase(s, tp);
	return s;
}
