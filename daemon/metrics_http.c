// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /metrics HTTP listener: one request per connection, HTTP/1.0 style.
 *
 * Why this is not libmicrohttpd (DESIGN.md suggests it in external-poll
 * mode). libmicrohttpd 0.9.75 (Debian 12), probed with strace and an
 * LD_PRELOAD shim in its no-thread external mode:
 *  - it hands its sockets out only as fd_sets (MHD_get_fdset) to be
 *    re-read before every select(), while our loop registers fds one by
 *    one: we would diff that set against the loop after every MHD_run()
 *    and re-register, bookkeeping the loop exists to hide;
 *  - it creates its sockets with SOCK_CLOEXEC and accepts with
 *    accept4(SOCK_CLOEXEC | SOCK_NONBLOCK), the creation flags DESIGN.md
 *    bans so that LD_PRELOAD clock simulators can follow every fd;
 *  - it times connections out on CLOCK_MONOTONIC_COARSE, which no
 *    simulator fakes: under simulation the timeouts would run in real time
 *    while the daemon lives in virtual time;
 *  - its per-connection limit is a memory pool, not "8 KiB of headers,
 *    then 431".
 * No threads are needed in that mode, but it does not fit the loop
 * cleanly, and the protocol subset a scrape needs (one GET, one response,
 * close) is a few hundred lines. Written here, every fd is in our poll
 * set and every timeout a timer of our loop.
 *
 * A client is a small state machine: READ (until the blank line ending
 * the headers, or the buffer is full), WRITE (the whole response,
 * non-blocking), LINGER (after shutdown(SHUT_WR), read and discard until
 * the peer closes: closing with unread input would make the kernel send
 * RST and could destroy the response in flight, RFC 9112 section 9.6).
 * One timer per client enforces the deadline over all three. The request
 * and address parsers are pure functions in metrics_http_parse.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/metrics.h"
#include "daemon/metrics_http.h"

#define ACCEPTS_PER_WAKEUP	16
/* Kernel send buffer per client: bounds the memory a client that does not
 * read can pin; a typical scrape (tens of KiB) still goes in one send(). */
#define CLIENT_SNDBUF		65536
/* Discarded per wake-up while lingering, so a flood cannot hold the loop. */
#define LINGER_READS		16

enum phase { PH_FREE, PH_READ, PH_WRITE, PH_LINGER };

struct client {
	struct metrics_http *h;
	int fd;
	enum phase phase;
	short events;		/* what the loop watches now */
	long timer;
	int status;		/* of the response being written */
	size_t in_len;
	char in[METRICS_HTTP_MAX_HEADER];
	char *out;
	size_t out_len, out_off;
};

struct metrics_http {
	struct loop *loop;
	int fd;
	int64_t timeout_ns;
	metrics_render_fn fn;
	void *arg;
	struct metrics *m;
	struct metrics_http_stats st;
	char addr[64];
	struct client clients[METRICS_HTTP_MAX_CLIENTS];
};

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* ---- responses -------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* The metrics text, or NULL with *status set to 500. */
static const char *render(struct metrics_http *h, size_t *len, int *status)
{
	const char *text;
	int r;

	metrics_reset(h->m);
	r = h->fn(h->arg, h->m);
	if (r < 0) {
		pr_warn("metrics: rendering failed: %s", strerror(-r));
		*status = 500;
		return NULL;
	}
	text = metrics_text(h->m, len);
	if (!text) {
		pr_warn("metrics: rendering failed: out of memory");
		*status = 500;
	} else if (*len > METRICS_HTTP_MAX_BODY) {
		pr_warn("metrics: response of %zu bytes is over the limit of %d",
			*len, METRICS_HTTP_MAX_BODY);
		*status = 500;
		text = NULL;
	}
	return text;
}

/* Build the whole response; NULL on allocation failure. */
static char *build_response(struct metrics_http *h, int *status, bool head, size_t *out_len)
{
	char hdr[256], err_body[64];
	const char *body = NULL, *type = METRICS_CONTENT_TYPE;
	size_t blen = 0, hlen;
	char *out;
	int n;

	if (*status == 200)
		body = render(h, &blen, status);
	if (*status != 200) {
		snprintf(err_body, sizeof(err_body), "%d %s\n", *status, reason(*status));
		body = err_body;
		blen = strlen(body);
		type = "text/plain; charset=utf-8";
	}
	n = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     *status, reason(*status), type, blen,
		     *status == 405 ? "Allow: GET, HEAD\r\n" : "");
	hlen = (size_t)n;
	if (head)
		blen = 0;
	out = malloc(hlen + blen);
	if (!out)
		return NULL;
	memcpy(out, hdr, hlen);
	memcpy(out + hlen, body, blen);
	*out_len = hlen + blen;
	return out;
}

/* ---- clients ---------------------------------------------------------- */

static void client_drop(struct client *cl, const char *why)
{
	struct metrics_http *h = cl->h;

	if (cl->phase == PH_FREE)
		return;
	pr_debug("metrics: client fd %d closed: %s", cl->fd, why);
	loop_del_fd(h->loop, cl->fd);
	if (cl->timer > 0)
		loop_del_timer(h->loop, cl->timer);
	close(cl->fd);
	free(cl->out);
	*cl = (struct client){ .h = h, .fd = -1, .phase = PH_FREE };
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg);

static void client_watch(struct client *cl, short events)
{
	struct loop *l = cl->h->loop;

	if (cl->events == events)
		return;
	loop_del_fd(l, cl->fd);
	if (loop_add_fd(l, cl->fd, events, on_client_io, cl) < 0) {
		client_drop(cl, "out of memory");
		return;
	}
	cl->events = events;
}

static void client_linger(struct client *cl)
{
	char sink[4096];

	for (int i = 0; i < LINGER_READS; i++) {
		ssize_t n = recv(cl->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		client_drop(cl, n ? strerror(errno) : "done");
		return;
	}
}

static void client_flush(struct client *cl)
{
	struct metrics_http *h = cl->h;

	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				client_watch(cl, POLLOUT);
			else
				client_drop(cl, strerror(errno));
			return;
		}
		cl->out_off += (size_t)n;
	}
	h->st.responses++;
	h->st.ok += cl->status == 200;
	free(cl->out);
	cl->out = NULL;
	shutdown(cl->fd, SHUT_WR);
	cl->phase = PH_LINGER;
	client_watch(cl, POLLIN);
}

static void client_respond(struct client *cl, int status, bool head)
{
	cl->status = status;
	cl->out = build_response(cl->h, &cl->status, head, &cl->out_len);
	if (!cl->out) {
		client_drop(cl, "out of memory");
		return;
	}
	cl->out_off = 0;
	cl->phase = PH_WRITE;
	client_flush(cl);
}

static void client_read(struct client *cl)
{
	size_t end;
	ssize_t n;
	bool head = false;

	n = recv(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			client_drop(cl, strerror(errno));
		return;
	}
	if (n == 0) {
		client_drop(cl, cl->in_len ? "closed mid-request" : "closed");
		return;
	}
	cl->in_len += (size_t)n;
	end = metrics_http_header_end(cl->in, cl->in_len);
	if (end) {
		int status = metrics_http_parse_request(cl->in, end, &head);

		client_respond(cl, status, head);
	} else if (cl->in_len == sizeof(cl->in)) {
		client_respond(cl, 431, false);
	}
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg)
{
	struct client *cl = arg;

	(void)l;
	(void)fd;
	switch (cl->phase) {
	case PH_READ:
		client_read(cl);
		break;
	case PH_WRITE:
		if (revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))
			client_flush(cl);
		break;
	case PH_LINGER:
		client_linger(cl);
		break;
	case PH_FREE:
		break;
	}
}

static int64_t on_client_timer(struct loop *l, long id, void *arg)
{
	struct client *cl = arg;

	(void)l;
	(void)id;
	cl->timer = 0;		/* it ends with this callback */
	if (cl->phase != PH_LINGER) {
		cl->h->st.timeouts++;
		client_drop(cl, cl->phase == PH_READ ? "no complete request in time" :
			    "response not read in time");
	} else {
		client_drop(cl, "did not close in time");
	}
	return 0;
}

static void refuse(struct metrics_http *h, int fd)
{
	static const char busy[] = "HTTP/1.0 503 Service Unavailable\r\n"
				   "Content-Type: text/plain; charset=utf-8\r\n"
				   "Content-Length: 24\r\nConnection: close\r\n\r\n"
				   "503 Service Unavailable\n";

	h->st.refused++;
	pr_debug("metrics: refusing client: %d connected", METRICS_HTTP_MAX_CLIENTS);
	/* Best effort: the socket buffer of a fresh connection takes it. */
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
		shutdown(fd, SHUT_WR);
	close(fd);
}

static void client_add(struct metrics_http *h, int fd)
{
	struct client *cl = NULL;
	int sndbuf = CLIENT_SNDBUF;

	for (int i = 0; i < METRICS_HTTP_MAX_CLIENTS && !cl; i++)
		if (h->clients[i].phase == PH_FREE)
			cl = &h->clients[i];
	if (!cl) {
		refuse(h, fd);
		return;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		pr_debug("metrics: SO_SNDBUF: %m");
	*cl = (struct client){ .h = h, .fd = fd, .phase = PH_READ, .events = POLLIN };
	if (loop_add_fd(h->loop, fd, POLLIN, on_client_io, cl) < 0) {
		close(fd);
		*cl = (struct client){ .h = h, .fd = -1, .phase = PH_FREE };
		return;
	}
	h->st.accepted++;
	cl->timer = loop_add_timer(h->loop, h->timeout_ns, on_client_timer, cl);
	if (cl->timer < 0) {
		cl->timer = 0;
		client_drop(cl, "out of memory");
	}
}

static void on_accept(struct loop *l, int fd, short revents, void *arg)
{
	struct metrics_http *h = arg;

	(void)l;
	(void)revents;
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				pr_warn("metrics: accept on %s: %m", h->addr);
			return;
		}
		if (set_flags(cfd) < 0) {
			close(cfd);
			continue;
		}
		client_add(h, cfd);
	}
}

static int listen_on(struct metrics_http *h, const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1;

	h->fd = socket(ss->ss_family, SOCK_STREAM, 0);
	if (h->fd < 0)
		return -errno;
	if (set_flags(h->fd) < 0)
		return -errno;
	/* Restart without waiting for TIME_WAIT connections to expire. */
	if (setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	/* "[::]" means IPv6 only, as written; no silent IPv4 too. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(h->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(h->fd, (const struct sockaddr *)ss, len) < 0 ||
	    listen(h->fd, METRICS_HTTP_MAX_CLIENTS) < 0)
		return -errno;
	return loop_add_fd(h->loop, h->fd, POLLIN, on_accept, h);
}

static const char *create_error(int r)
{
	switch (r) {
	case -EINVAL: return "not a numeric address[:port] (e.g. 127.0.0.1:9475, [::1]:9475)";
	case -EPERM: return "not a loopback address; allow remote scrapes explicitly to listen there";
	default: return strerror(-r);
	}
}

struct metrics_http *metrics_http_create(struct loop *l, const char *addr, bool allow_remote,
					 metrics_render_fn fn, void *arg, int *err)
{
	struct sockaddr_storage ss;
	struct metrics_http *h = NULL;
	socklen_t len;
	bool lo;
	int r;

	if (!addr)
		addr = METRICS_HTTP_DEFAULT_ADDR;
	r = metrics_http_parse_addr(addr, &ss, &len, &lo);
	if (r == 0 && (!l || !fn))
		r = -EINVAL;
	if (r == 0 && !lo && !allow_remote)
		r = -EPERM;
	if (r == 0) {
		h = calloc(1, sizeof(*h));
		r = h ? 0 : -ENOMEM;
	}
	if (r == 0) {
		h->loop = l;
		h->fd = -1;
		h->fn = fn;
		h->arg = arg;
		h->timeout_ns = METRICS_HTTP_TIMEOUT_NS;
		snprintf(h->addr, sizeof(h->addr), "%s", addr);
		for (int i = 0; i < METRICS_HTTP_MAX_CLIENTS; i++)
			h->clients[i] = (struct client){ .h = h, .fd = -1 };
		h->m = metrics_create();
		r = h->m ? listen_on(h, &ss, len) : -ENOMEM;
	}
	if (err)
		*err = r;
	if (r == 0)
		return h;
	pr_err("metrics listener %s: %s", addr, create_error(r));
	metrics_http_destroy(h);
	return NULL;
}

void metrics_http_destroy(struct metrics_http *h)
{
	if (!h)
		return;
	for (int i = 0; i < METRICS_HTTP_MAX_CLIENTS; i++)
		client_drop(&h->clients[i], "server shut down");
	if (h->fd >= 0) {
		loop_del_fd(h->loop, h->fd);
		close(h->fd);
	}
	metrics_destroy(h->m);
	free(h);
}

int metrics_http_port(const struct metrics_http *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!h || h->fd < 0)
		return -EINVAL;
	if (getsockname(h->fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void metrics_http_set_timeout(struct metrics_http *h, int64_t timeout_ns)
{
	if (h && timeout_ns > 0)
		h->timeout_ns = timeout_ns;
}

int metrics_http_client_count(const struct metrics_http *h)
{
	int n = 0;

	for (int i = 0; h && i < METRICS_HTTP_MAX_CLIENTS; i++)
		n += h->clients[i].phase != PH_FREE;
	return n;
}

void metrics_http_get_stats(const struct metrics_http *h, struct metrics_http_stats *st)
{
	if (h && st)
		*st = h->st;
}
