// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /metrics HTTP listener: one request per connection, HTTP/1.0 style.
 *
 * Why this is not libmicrohttpd (the first design sketch suggested it in external-poll
 * mode). libmicrohttpd 0.9.75 (Debian 12), probed with strace and an
 * LD_PRELOAD shim in its no-thread external mode:
 *  - it hands its sockets out only as fd_sets (MHD_get_fdset) to be
 *    re-read before every select(), while our loop registers fds one by
 *    one: we would diff that set against the loop after every MHD_run()
 *    and re-register, bookkeeping the loop exists to hide;
 *  - it creates its sockets with SOCK_CLOEXEC and accepts with
 *    accept4(SOCK_CLOEXEC | SOCK_NONBLOCK), the creation flags
 *    doc/architecture.md bans so that LD_PRELOAD clock simulators can follow every fd;
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
 * The sockets, the client table, the buffers and the deadline are
 * daemon/sockserv.c's; this file keeps the protocol. A client is read
 * until the blank line ending the headers (or until the buffer is full:
 * 431), then gets the whole response, written without blocking, then
 * lingers (after shutdown(SHUT_WR), read and discard until the peer
 * closes: closing with unread input would make the kernel send RST and
 * could destroy the response in flight, RFC 9112 section 9.6). One
 * deadline from accept, never restarted, covers all three. The request
 * and address parsers are pure functions in metrics_http_parse.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/metrics/metrics.h"
#include "daemon/metrics/metrics_http.h"
#include "daemon/sockserv.h"

/* Kernel send buffer per client: bounds the memory a client that does not
 * read can pin; a typical scrape (tens of KiB) still goes in one send(). */
#define CLIENT_SNDBUF		65536

struct metrics_http {
	struct sockserv *ss;
	int fd;			/* the listening socket (owned by ss) */
	metrics_render_fn fn;
	void *arg;
	struct metrics *m;
	struct metrics_http_stats st;
	char addr[64];
	int status[METRICS_HTTP_MAX_CLIENTS];	/* of the response being written,
						 * by client slot */
};

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

/* ---- the server's callbacks ------------------------------------------ */

static void respond(struct metrics_http *h, struct sockserv_client *cl, int status, bool head)
{
	int *st = &h->status[sockserv_client_slot(cl)];
	size_t len = 0;
	char *out;

	*st = status;
	out = build_response(h, st, head, &len);
	if (!out || sockserv_client_send(cl, out, len) < 0) {
		sockserv_client_close(cl, "out of memory");
		return;
	}
	sockserv_client_close_after_flush(cl, true, "done");
}

static void on_input(void *arg, struct sockserv_client *cl)
{
	struct metrics_http *h = arg;
	size_t len, end;
	const char *in = sockserv_client_input(cl, &len);
	bool head = false;
	int status;

	end = metrics_http_header_end(in, len);
	if (end) {
		status = metrics_http_parse_request(in, end, &head);
		respond(h, cl, status, head);
	} else if (len == METRICS_HTTP_MAX_HEADER)
		respond(h, cl, 431, false);
}

/* The whole response is out. */
static void on_flushed(void *arg, struct sockserv_client *cl)
{
	struct metrics_http *h = arg;

	h->st.responses++;
	h->st.ok += h->status[sockserv_client_slot(cl)] == 200;
}

static void on_accepted(void *arg, struct sockserv_client *cl)
{
	struct metrics_http *h = arg;

	(void)cl;
	h->st.accepted++;
}

static void on_refused(void *arg)
{
	struct metrics_http *h = arg;

	h->st.refused++;
}

static void on_gone(void *arg, struct sockserv_client *cl, enum sockserv_why why,
		    const char *text)
{
	struct metrics_http *h = arg;

	if (why == SOCKSERV_TIMEOUT_IN || why == SOCKSERV_TIMEOUT_OUT)
		h->st.timeouts++;
	if (why == SOCKSERV_TIMEOUT_OUT)
		text = "response not read in time";
	pr_debug("metrics: client fd %d closed: %s", sockserv_client_fd(cl), text);
}

static const struct sockserv_ops http_ops = {
	.input = on_input,
	.flushed = on_flushed,
	.accepted = on_accepted,
	.refused = on_refused,
	.gone = on_gone,
};

static const char http_busy[] = "HTTP/1.0 503 Service Unavailable\r\n"
				"Content-Type: text/plain; charset=utf-8\r\n"
				"Content-Length: 24\r\nConnection: close\r\n\r\n"
				"503 Service Unavailable\n";

static const struct sockserv_params http_params = {
	.name = "metrics",
	.max_clients = METRICS_HTTP_MAX_CLIENTS,
	.in_max = METRICS_HTTP_MAX_HEADER,
	.timeout_ns = METRICS_HTTP_TIMEOUT_NS,
	.busy = http_busy,
	.busy_len = sizeof(http_busy) - 1,
	.sndbuf = CLIENT_SNDBUF,
	.evict_idle = true,
};

/* ---- the listener ------------------------------------------------------ */

static int listen_on(struct metrics_http *h, const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, fd, r;

	fd = sockserv_socket(ss->ss_family);
	if (fd < 0)
		return fd;
	/* Restart without waiting for TIME_WAIT connections to expire. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/* "[::]" means IPv6 only, as written; no silent IPv4 too. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (const struct sockaddr *)ss, len) < 0)
		goto fail;
	r = sockserv_listen(h->ss, fd, 0, h->addr);
	if (r == 0)
		h->fd = fd;
	return r;
fail:
	r = -errno;
	close(fd);
	return r;
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
		h->fd = -1;
		h->fn = fn;
		h->arg = arg;
		snprintf(h->addr, sizeof(h->addr), "%s", addr);
		h->ss = sockserv_create(l, &http_params, &http_ops, h);
		h->m = metrics_create();
		r = h->m && h->ss ? listen_on(h, &ss, len) : -ENOMEM;
	}
	/* Served to other hosts: one address gets half the slots. On
	 * loopback every scraper is 127.0.0.1 and a limit would only bite
	 * the real one; the oldest idle connection makes room instead. */
	if (r == 0 && !lo)
		r = sockserv_set_pool(h->ss, 0, METRICS_HTTP_MAX_CLIENTS,
				      METRICS_HTTP_MAX_CLIENTS / 2);
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
	sockserv_destroy(h->ss);
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
	if (h)
		sockserv_set_timeout(h->ss, timeout_ns);
}

int metrics_http_client_count(const struct metrics_http *h)
{
	return h ? sockserv_client_count(h->ss) : 0;
}

void metrics_http_get_stats(const struct metrics_http *h, struct metrics_http_stats *st)
{
	if (h && st)
		*st = h->st;
}
