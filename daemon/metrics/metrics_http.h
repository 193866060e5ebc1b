/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file metrics_http.h
 * A minimal HTTP/1.0 server for Prometheus scrapes, driven by the event
 * loop (daemon/loop.h): GET or HEAD /metrics answers 200 with the text
 * format; any other path 404; any other method 405; a malformed request
 * 400; headers over METRICS_HTTP_MAX_HEADER bytes 431; every response
 * closes the connection. Loopback only unless allow_remote.
 *
 * Bounds, so that no client can stall or starve the clock loop: at most
 * METRICS_HTTP_MAX_CLIENTS connections (more get 503 and are closed), one
 * request per connection, METRICS_HTTP_MAX_HEADER bytes of request, and a
 * deadline (default METRICS_HTTP_TIMEOUT_NS from accept, on the loop's
 * CLOCK_MONOTONIC) for the whole exchange: a client that sends slowly or
 * stops reading its response is dropped when it passes.
 *
 * Why not libmicrohttpd: see the top of metrics_http.c and doc/metrics.md.
 */
#ifndef GNOMON_METRICS_HTTP_H
#define GNOMON_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct metrics;
struct metrics_http;

/** Listen address when none is configured. */
#define METRICS_HTTP_DEFAULT_ADDR	"127.0.0.1:9475"
/** Port used when the address has none. */
#define METRICS_HTTP_DEFAULT_PORT	9475
/** Most clients connected at once. */
#define METRICS_HTTP_MAX_CLIENTS	8
/** Most bytes of request line + headers. */
#define METRICS_HTTP_MAX_HEADER		8192
/** Largest response body served; a larger rendering gets 500. */
#define METRICS_HTTP_MAX_BODY		(16 << 20)
/** Default deadline for a whole exchange, from accept, ns. */
#define METRICS_HTTP_TIMEOUT_NS		2000000000LL

/**
 * Fill m (already reset by the server) with the current metrics, with
 * metrics_family()/metrics_sample() or metrics_declare_gnomon().
 * Called once per GET/HEAD /metrics, from the loop.
 * @return 0, or -errno to answer 500
 */
typedef int (*metrics_render_fn)(void *arg, struct metrics *m);

/** Counters since creation. */
struct metrics_http_stats {
	uint64_t accepted;	/**< connections taken as clients */
	uint64_t refused;	/**< connections over the limit (503) */
	uint64_t responses;	/**< responses written completely, any status */
	uint64_t ok;		/**< of which 200 */
	uint64_t timeouts;	/**< clients dropped at the deadline before
				 *   their response was written */
};

/**
 * Parse a listen address: "A.B.C.D[:PORT]", "[IPV6][:PORT]" or a bare
 * IPv6 address; numeric only (no name lookup); PORT 0..65535, 0 meaning
 * any free port; without a port, METRICS_HTTP_DEFAULT_PORT. For config
 * checks at start-up as well as for metrics_http_create().
 * @param loopback  set to whether the address is loopback (127.0.0.0/8,
 *                  ::1, ::ffff:127.0.0.0/104); may be NULL
 * @return 0 or -EINVAL
 */
int metrics_http_parse_addr(const char *addr, struct sockaddr_storage *ss,
			    socklen_t *len, bool *loopback);

/**
 * Where the request head ends: the length up to and including the empty
 * line after the header fields (CRLF CRLF, or bare LF LF, which RFC 9112
 * section 2.2 allows a recipient to accept); empty lines before the
 * request line are skipped. 0 while that line has not arrived.
 * Exposed for tests and fuzzing; the server calls it on its buffer.
 */
size_t metrics_http_header_end(const char *buf, size_t len);

/**
 * The HTTP status for a complete request head (len from
 * metrics_http_header_end()): 200 for GET or HEAD of /metrics (query
 * ignored; *head set for HEAD), 404 for another path, 405 for another
 * method, 505 for an HTTP major version other than 1, 400 for anything
 * malformed: request line not "method SP origin-form SP HTTP/d.d", a
 * method or field name that is not a token, a field line without a colon,
 * obsolete line folding. Reads exactly len bytes (no NUL needed).
 */
int metrics_http_parse_request(const char *buf, size_t len, bool *head);

/**
 * Create the server and start listening.
 * @param l             loop that drives it (must outlive the server)
 * @param addr          listen address (see metrics_http_parse_addr());
 *                      NULL = METRICS_HTTP_DEFAULT_ADDR
 * @param allow_remote  allow an address that is not loopback (0.0.0.0,
 *                      an interface address); refused otherwise
 * @param fn, arg       the renderer
 * @param err           set to -errno on failure (may be NULL): -EINVAL
 *                      (bad address or fn), -EPERM (not loopback and not
 *                      allow_remote), -EADDRINUSE, ... Failures are
 *                      logged naming the address.
 * @return the server, or NULL.
 */
struct metrics_http *metrics_http_create(struct loop *l, const char *addr, bool allow_remote,
					 metrics_render_fn fn, void *arg, int *err);

/** Drop every client, close the listening socket; accepts NULL. */
void metrics_http_destroy(struct metrics_http *h);

/** The port actually bound (useful after port 0), or -errno. */
int metrics_http_port(const struct metrics_http *h);

/** Set the per-client deadline (> 0 ns); applies to clients accepted
 *  from now on. */
void metrics_http_set_timeout(struct metrics_http *h, int64_t timeout_ns);

/** Clients connected now. */
int metrics_http_client_count(const struct metrics_http *h);

/** Copy the counters. */
void metrics_http_get_stats(const struct metrics_http *h, struct metrics_http_stats *st);

#endif
