/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sockserv.h
 * The machinery shared by the daemon's stream-socket servers (the control
 * socket, the /metrics listener), driven by the event loop (loop.h), so
 * that each server keeps only its protocol.
 *
 * A server owns listening sockets handed to it already bound, accepts a
 * bounded number of connections per wake-up, and keeps a table of at most
 * max_clients clients, which listeners may split into pools of their own
 * with a limit per peer (sockserv_set_pool()); a connection beyond that
 * is sent the "busy" text and closed, unless evict_idle lets it take the
 * place of the oldest idle client (sockserv_admit.c). Each client has:
 *  - an input buffer of in_max bytes; ops.input is called when bytes
 *    arrived, and the protocol consumes what it has understood;
 *  - one output queue, written without blocking as the socket allows;
 *    while output is pending the client is not read (a client must read
 *    its answers before it is heard again);
 *  - a deadline on the loop's CLOCK_MONOTONIC (timeout_ns from accept,
 *    restarted only by sockserv_client_touch()); a client past it is
 *    dropped, whatever it is doing (sending slowly, not reading, not
 *    closing).
 * Nothing a client does can block the loop. Sockets are made non-blocking
 * and close-on-exec with fcntl() after creation, never with SOCK_NONBLOCK
 * or SOCK_CLOEXEC (doc/architecture.md: LD_PRELOAD clock simulators follow fds).
 *
 * Callbacks may close any client, their own included, and may queue
 * output; the server checks after every callback whether the client is
 * still there. A client handle is valid until ops.gone returns for it.
 */
#ifndef GNOMON_SOCKSERV_H
#define GNOMON_SOCKSERV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct sockserv;
struct sockserv_client;

/** Most listening sockets per server. */
#define SOCKSERV_MAX_LISTENERS	4
/** Connections accepted per listener per wake-up, so a flood of
 *  connections cannot hold the loop. */
#define SOCKSERV_ACCEPTS_PER_WAKEUP	16

/** A client younger than this (loop time since its accept) is never
 *  dropped for a newer one: it may not have had time to send its request,
 *  and a flood of new connections must not churn real clients out. */
#define SOCKSERV_EVICT_AGE_NS	(250LL * 1000 * 1000)

/** Why a client went away (see sockserv_ops.gone). */
enum sockserv_why {
	SOCKSERV_EOF,		/**< the peer closed ("closed", or "closed
				 *   mid-request" with input left unconsumed) */
	SOCKSERV_ERROR,		/**< a socket error (text: strerror) */
	SOCKSERV_TIMEOUT_IN,	/**< deadline passed waiting for input */
	SOCKSERV_TIMEOUT_OUT,	/**< deadline passed with output not read */
	SOCKSERV_TIMEOUT_CLOSE,	/**< deadline passed lingering for the peer to
				 *   close after the output was written */
	SOCKSERV_CLOSED,	/**< closed by the protocol, or after flush as it
				 *   asked (text: the protocol's) */
	SOCKSERV_OVERFLOW,	/**< the input buffer filled and the protocol
				 *   neither consumed nor answered */
	SOCKSERV_NOMEM,		/**< out of memory */
	SOCKSERV_SHUTDOWN,	/**< the server is being destroyed */
	SOCKSERV_EVICTED,	/**< the oldest idle client, dropped to make
				 *   room for a new one (evict_idle) */
};

/** The protocol's side. input and gone are required. */
struct sockserv_ops {
	/** Bytes arrived: see sockserv_client_input(). Called only while no
	 *  output is pending. Consume, queue output, close as needed; input
	 *  left in the buffer stays for the next call. */
	void (*input)(void *arg, struct sockserv_client *cl);
	/** The queued output was written completely (optional), also when a
	 *  close after flush is pending (sockserv_client_closing()). More
	 *  output may be queued from here, unless closing. */
	void (*flushed)(void *arg, struct sockserv_client *cl);
	/** A client was accepted and is being watched (optional). */
	void (*accepted)(void *arg, struct sockserv_client *cl);
	/** A connection was refused: max_clients reached (optional). */
	void (*refused)(void *arg);
	/** The client is going away; its fd is still open, nothing may be
	 *  queued any more. text says why in words (for the log). */
	void (*gone)(void *arg, struct sockserv_client *cl, enum sockserv_why why,
		     const char *text);
};

/** Limits and settings. */
struct sockserv_params {
	const char *name;	/**< log prefix, e.g. "control" */
	int max_clients;	/**< clients at once (> 0); also the listen()
				 *   backlog */
	size_t in_max;		/**< input buffer per client, bytes (> 0) */
	int64_t timeout_ns;	/**< client deadline, ns (> 0) */
	const char *busy;	/**< sent, best effort, to a refused
				 *   connection; NULL = nothing */
	size_t busy_len;	/**< bytes of busy */
	bool evict_idle;	/**< a full pool (or a peer at its limit) drops
				 *   its oldest idle client for the new one
				 *   instead of refusing the new one: a slowloris
				 *   cannot keep a real client out */
	int sndbuf;		/**< SO_SNDBUF for clients, bytes (bounds the
				 *   memory a non-reading client pins);
				 *   0 = the kernel's default */
};

/**
 * A new stream socket of the given family, made O_NONBLOCK and FD_CLOEXEC
 * with fcntl() after socket(2).
 * @return the fd, or -errno
 */
int sockserv_socket(int family);

/** Make fd O_NONBLOCK and FD_CLOEXEC with fcntl(). @return 0 or -errno. */
int sockserv_set_flags(int fd);

/**
 * Create a server with no listener yet.
 * @param l    loop that drives it (must outlive the server)
 * @param p    limits (copied; name must outlive the server)
 * @param ops  callbacks (must outlive the server)
 * @param arg  passed to every callback
 * @return the server, or NULL (bad parameters or out of memory).
 */
struct sockserv *sockserv_create(struct loop *l, const struct sockserv_params *p,
				 const struct sockserv_ops *ops, void *arg);

/** Drop every client (ops.gone with SOCKSERV_SHUTDOWN), close every
 *  listening socket; accepts NULL. Not from inside a callback. */
void sockserv_destroy(struct sockserv *s);

/**
 * Listen on fd (a bound stream socket, non-blocking, e.g. from
 * sockserv_socket()) with a backlog of max_clients and accept from it.
 * The server owns fd from here on, failure included: it is closed by
 * sockserv_destroy() (or here on failure).
 * @param tag    given back by sockserv_client_tag() for its clients
 * @param label  for the log (a path, an address)
 * @return 0, -ENOSPC (SOCKSERV_MAX_LISTENERS), or -errno from listen()
 */
int sockserv_listen(struct sockserv *s, int fd, int tag, const char *label);

/**
 * Give the listeners with this tag a pool of their own: at most max
 * clients from them (0: the whole table, shared) and at most per_peer
 * from one peer (0: no limit). A peer is the uid of a Unix socket's
 * client (SO_PEERCRED) or the address of a TCP one. Pools of different
 * tags should add up to no more than max_clients, so that one listener's
 * clients can never take another's slots.
 * @return 0, -EINVAL, -ENOENT (no listener with that tag yet)
 */
int sockserv_set_pool(struct sockserv *s, int tag, int max, int per_peer);

/** The peer of cl as a string, "uid 1000" or "127.0.0.1" ("?" unknown). */
const char *sockserv_client_peer(const struct sockserv_client *cl);

/** Set the client timeout (> 0 ns) for deadlines set from now on. */
void sockserv_set_timeout(struct sockserv *s, int64_t timeout_ns);

/** Clients connected now (0 for NULL). */
int sockserv_client_count(const struct sockserv *s);

/** The buffered input of cl and its length in *len (<= in_max). */
const char *sockserv_client_input(const struct sockserv_client *cl, size_t *len);

/** Discard the first n bytes of input (n beyond the buffered length
 *  empties it). */
void sockserv_client_consume(struct sockserv_client *cl, size_t n);

/**
 * Queue buf (malloc'd; ownership passes, failure included) for writing,
 * after any output still pending. Queued from a callback for cl, it is
 * written once that callback returns; from anywhere else at once (and cl
 * may then be gone when this returns, ops.gone called). Written as far as
 * the socket takes it, the rest as the socket allows.
 * @return 0, -ENOMEM, or -EPIPE if the client is closing
 */
int sockserv_client_send(struct sockserv_client *cl, char *buf, size_t len);

/**
 * Close once the queued output is written (at once if none is pending);
 * the client is not read any more. With linger, shut down the writing side
 * first (shutdown(SHUT_WR)) and read and discard until the peer closes,
 * because closing with unread input makes the kernel send RST, which can
 * destroy the output in flight (RFC 9112 section 9.6). The deadline still
 * applies. ops.gone gets SOCKSERV_CLOSED and text (copied, 63 bytes at
 * most) when that is done.
 */
void sockserv_client_close_after_flush(struct sockserv_client *cl, bool linger,
				       const char *text);

/** Close now: ops.gone with SOCKSERV_CLOSED and text, then the fd. */
void sockserv_client_close(struct sockserv_client *cl, const char *text);

/** Whether sockserv_client_close_after_flush() was called for cl. */
bool sockserv_client_closing(const struct sockserv_client *cl);

/** Restart cl's deadline: timeout_ns from the current loop wake-up. */
void sockserv_client_touch(struct sockserv_client *cl);

/** Slot of cl in the client table, 0 .. max_clients - 1 (stable while it
 *  is connected; for the protocol's own per-client arrays). */
int sockserv_client_slot(const struct sockserv_client *cl);

/** The tag of the listener cl came from. */
int sockserv_client_tag(const struct sockserv_client *cl);

/** The client's socket (for log messages). */
int sockserv_client_fd(const struct sockserv_client *cl);

#endif
