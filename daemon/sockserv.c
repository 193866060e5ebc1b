// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream-socket server machinery under ctl.c and metrics_http.c.
 *
 * A client is a small state machine driven by the loop: READ (watch
 * POLLIN, hand new bytes to the protocol), WRITE (output pending: watch
 * POLLOUT only, write as the socket takes it), and, once the protocol has
 * asked to close after the output, either close at once or LINGER (after
 * shutdown(SHUT_WR), read and discard until the peer closes). One loop
 * timer per client enforces its deadline over all of them: when it fires
 * early (the deadline was restarted), it re-arms for the rest.
 *
 * Output queued inside a callback for that client is written when the
 * callback returns (client_settle()), so a client's own callbacks never
 * nest; queued from anywhere else (another client's callback, a timer of
 * the protocol) it is written at once. A client closed inside a callback
 * is gone at once: the generation number (client_call()) lets the caller
 * notice before it touches the slot again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/sockserv.h"
#include "daemon/sockserv_priv.h"
#include "util/util.h"

/* Discarded per wake-up while lingering, so a flood cannot hold the loop. */
#define LINGER_READS	16
#define LINGER_CHUNK	4096

int sockserv_set_flags(int fd)
{
	int r = fd_nonblock(fd, 1);

	return r < 0 ? r : fd_cloexec(fd);
}

int sockserv_socket(int family)
{
	int fd = socket(family, SOCK_STREAM, 0), r;

	if (fd < 0)
		return -errno;
	r = sockserv_set_flags(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* ---- clients ---------------------------------------------------------- */

static bool alive(const struct sockserv_client *cl, unsigned int gen)
{
	return cl->fd >= 0 && cl->gen == gen && !cl->going;
}

/* Free the slot, keeping what belongs to it for good. */
static void client_clear(struct sockserv_client *cl)
{
	*cl = (struct sockserv_client){ .s = cl->s, .slot = cl->slot, .fd = -1,
					.gen = cl->gen + 1, .in = cl->in };
}

void sockserv_drop(struct sockserv_client *cl, enum sockserv_why why, const char *text)
{
	struct sockserv *s = cl->s;

	if (cl->fd < 0 || cl->going)
		return;
	cl->going = true;
	s->ops->gone(s->arg, cl, why, text);
	loop_del_fd(s->loop, cl->fd);
	if (cl->timer > 0)
		loop_del_timer(s->loop, cl->timer);
	close(cl->fd);
	free(cl->out);
	client_clear(cl);
}

/* Run a protocol callback for cl: false if cl went away inside it. */
static bool client_call(struct sockserv_client *cl,
			void (*fn)(void *arg, struct sockserv_client *cl))
{
	unsigned int gen = cl->gen;

	cl->in_cb = true;
	fn(cl->s->arg, cl);
	if (!alive(cl, gen))
		return false;
	cl->in_cb = false;
	return true;
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg);

/* Watch the client for events; false if it had to be dropped. */
static bool client_watch(struct sockserv_client *cl, short events)
{
	struct loop *l = cl->s->loop;

	if (cl->events == events)
		return true;
	loop_del_fd(l, cl->fd);
	if (loop_add_fd(l, cl->fd, events, on_client_io, cl) < 0) {
		sockserv_drop(cl, SOCKSERV_NOMEM, "out of memory");
		return false;
	}
	cl->events = events;
	return true;
}

/* Write what the socket takes: 0 all written, 1 more to write, -errno. */
static int client_write(struct sockserv_client *cl)
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
	return 0;
}

/*
 * After the protocol had its say: write what the socket takes, tell the
 * protocol when all is out (it may queue more), then close, linger, or
 * go back to reading.
 */
static void client_settle(struct sockserv_client *cl)
{
	struct sockserv *s = cl->s;
	int r;

	while (cl->out) {
		r = client_write(cl);
		if (r < 0) {
			sockserv_drop(cl, SOCKSERV_ERROR, strerror(-r));
			return;
		}
		if (r > 0) {
			client_watch(cl, POLLOUT);
			return;
		}
		if (s->ops->flushed && !client_call(cl, s->ops->flushed))
			return;
	}
	if (cl->closing && !cl->linger) {
		sockserv_drop(cl, SOCKSERV_CLOSED, cl->close_text);
		return;
	}
	if (cl->closing && !cl->lingering) {
		shutdown(cl->fd, SHUT_WR);
		cl->lingering = true;
	}
	client_watch(cl, POLLIN);
}

/* After shutdown(SHUT_WR): discard input until the peer closes. */
static void client_linger(struct sockserv_client *cl)
{
	char sink[LINGER_CHUNK];

	for (int i = 0; i < LINGER_READS; i++) {
		ssize_t n = recv(cl->fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n < 0)
			sockserv_drop(cl, SOCKSERV_ERROR, strerror(errno));
		else
			sockserv_drop(cl, SOCKSERV_CLOSED, cl->close_text);
		return;
	}
}

static void client_read(struct sockserv_client *cl)
{
	struct sockserv *s = cl->s;
	ssize_t n;

	if (cl->in_len == s->p.in_max) {
		/* The protocol left a full buffer unanswered: recv() of 0
		 * bytes would look like EOF. */
		sockserv_drop(cl, SOCKSERV_OVERFLOW, "input over the limit");
		return;
	}
	n = recv(cl->fd, cl->in + cl->in_len, s->p.in_max - cl->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			sockserv_drop(cl, SOCKSERV_ERROR, strerror(errno));
		return;
	}
	if (n == 0) {
		sockserv_drop(cl, SOCKSERV_EOF, cl->in_len ? "closed mid-request" : "closed");
		return;
	}
	cl->in_len += (size_t)n;
	if (client_call(cl, s->ops->input))
		client_settle(cl);
}

static void on_client_io(struct loop *l, int fd, short revents, void *arg)
{
	struct sockserv_client *cl = arg;

	(void)l;
	(void)fd;
	if (cl->out) {
		if (revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))
			client_settle(cl);
	} else if (cl->lingering) {
		client_linger(cl);
	} else {
		client_read(cl);
	}
}

static int64_t on_client_timer(struct loop *l, long id, void *arg)
{
	struct sockserv_client *cl = arg;
	int64_t now = loop_now(l);

	(void)id;
	if (now < cl->deadline_ns)
		return cl->deadline_ns - now;
	cl->timer = 0;		/* it ends with this callback */
	if (cl->lingering)
		sockserv_drop(cl, SOCKSERV_TIMEOUT_CLOSE, "did not close in time");
	else if (cl->out)
		sockserv_drop(cl, SOCKSERV_TIMEOUT_OUT, "output not read in time");
	else
		sockserv_drop(cl, SOCKSERV_TIMEOUT_IN, "no complete request in time");
	return 0;
}

/* Over max_clients: say so if the socket takes it at once, and close. */
static void refuse(struct sockserv *s, int fd)
{
	pr_debug("%s: refusing client: %d already connected", s->p.name, s->p.max_clients);
	if (s->ops->refused)
		s->ops->refused(s->arg);
	/* Best effort: the socket buffer of a fresh connection takes it. */
	if (s->p.busy && s->p.busy_len) {
		if (send(fd, s->p.busy, s->p.busy_len, MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
			shutdown(fd, SHUT_WR);
		else
			pr_debug("%s: refusing client: %m", s->p.name);
	}
	close(fd);
}

static void client_add(struct sockserv *s, int fd, const struct sockserv_listener *ls)
{
	char peer[SOCKSERV_PEER_MAX];
	struct sockserv_client *cl = sockserv_admit(s, ls, fd, peer, sizeof(peer));

	if (!cl) {
		refuse(s, fd);
		return;
	}
	cl->ls = ls;
	cl->seq = ++s->seq;
	cl->accepted_ns = loop_now(s->loop);
	snprintf(cl->peer, sizeof(cl->peer), "%s", peer);
	if (s->p.sndbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->p.sndbuf, sizeof(s->p.sndbuf)) < 0)
		pr_debug("%s: SO_SNDBUF: %m", s->p.name);
	cl->fd = fd;
	cl->tag = ls->tag;
	cl->events = POLLIN;
	cl->deadline_ns = loop_now(s->loop) + s->p.timeout_ns;
	if (loop_add_fd(s->loop, fd, POLLIN, on_client_io, cl) < 0) {
		close(fd);
		client_clear(cl);
		return;
	}
	if (s->ops->accepted && !client_call(cl, s->ops->accepted))
		return;
	cl->timer = loop_add_timer(s->loop, s->p.timeout_ns, on_client_timer, cl);
	if (cl->timer < 0) {
		cl->timer = 0;
		sockserv_drop(cl, SOCKSERV_NOMEM, "out of memory");
		return;
	}
	client_settle(cl);	/* the protocol may have greeted it */
}

static void on_accept(struct loop *l, int fd, short revents, void *arg)
{
	struct sockserv_listener *ls = arg;

	(void)l;
	(void)revents;
	for (int i = 0; i < SOCKSERV_ACCEPTS_PER_WAKEUP; i++) {
		int cfd = accept(fd, NULL, NULL);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				pr_warn("%s: accept on %s: %m", ls->s->p.name, ls->label);
			return;
		}
		if (sockserv_set_flags(cfd) < 0) {
			close(cfd);
			continue;
		}
		client_add(ls->s, cfd, ls);
	}
}

/* ---- the client API ---------------------------------------------------- */

const char *sockserv_client_input(const struct sockserv_client *cl, size_t *len)
{
	*len = cl->in_len;
	return cl->in;
}

void sockserv_client_consume(struct sockserv_client *cl, size_t n)
{
	if (n >= cl->in_len) {
		cl->in_len = 0;
		return;
	}
	cl->in_len -= n;
	memmove(cl->in, cl->in + n, cl->in_len);
}

/* Outside a callback nobody settles the client afterwards: do it now. */
static void client_kick(struct sockserv_client *cl)
{
	if (!cl->in_cb)
		client_settle(cl);
}

int sockserv_client_send(struct sockserv_client *cl, char *buf, size_t len)
{
	char *p;

	if (cl->fd < 0 || cl->going || cl->closing) {
		free(buf);
		return -EPIPE;
	}
	if (!len) {
		free(buf);
		return 0;
	}
	if (!cl->out) {
		cl->out = buf;
		cl->out_len = len;
		cl->out_off = 0;
	} else {
		p = cl->out_len + len < len ? NULL : realloc(cl->out, cl->out_len + len);
		if (!p) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(p + cl->out_len, buf, len);
		free(buf);
		cl->out = p;
		cl->out_len += len;
	}
	client_kick(cl);
	return 0;
}

void sockserv_client_close_after_flush(struct sockserv_client *cl, bool linger,
				       const char *text)
{
	if (cl->fd < 0 || cl->going || cl->closing)
		return;
	cl->closing = true;
	cl->linger = linger;
	snprintf(cl->close_text, sizeof(cl->close_text), "%s", text ? text : "closed");
	client_kick(cl);
}

void sockserv_client_close(struct sockserv_client *cl, const char *text)
{
	sockserv_drop(cl, SOCKSERV_CLOSED, text ? text : "closed");
}

bool sockserv_client_closing(const struct sockserv_client *cl)
{
	return cl->closing;
}

void sockserv_client_touch(struct sockserv_client *cl)
{
	cl->deadline_ns = loop_now(cl->s->loop) + cl->s->p.timeout_ns;
}

int sockserv_client_slot(const struct sockserv_client *cl)
{
	return cl->slot;
}

int sockserv_client_tag(const struct sockserv_client *cl)
{
	return cl->tag;
}

int sockserv_client_fd(const struct sockserv_client *cl)
{
	return cl->fd;
}

/* ---- the server -------------------------------------------------------- */

static bool params_ok(const struct sockserv_params *p, const struct sockserv_ops *ops)
{
	return p && ops && ops->input && ops->gone && p->max_clients > 0 &&
	       p->in_max > 0 && p->in_max <= SIZE_MAX / (size_t)p->max_clients &&
	       p->timeout_ns > 0 && p->sndbuf >= 0 && (p->busy || !p->busy_len);
}

struct sockserv *sockserv_create(struct loop *l, const struct sockserv_params *p,
				 const struct sockserv_ops *ops, void *arg)
{
	struct sockserv *s;
	size_t n;

	if (!l || !params_ok(p, ops))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = l;
	s->p = *p;
	if (!s->p.name)
		s->p.name = "server";
	s->ops = ops;
	s->arg = arg;
	n = (size_t)p->max_clients;
	s->clients = calloc(n, sizeof(*s->clients));
	s->inbuf = malloc(n * p->in_max);
	if (!s->clients || !s->inbuf) {
		free(s->clients);
		free(s->inbuf);
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		s->clients[i] = (struct sockserv_client){ .s = s, .slot = (int)i, .fd = -1,
							  .in = s->inbuf + i * p->in_max };
	return s;
}

void sockserv_destroy(struct sockserv *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->p.max_clients; i++)
		sockserv_drop(&s->clients[i], SOCKSERV_SHUTDOWN, "server shut down");
	for (int i = 0; i < s->n_listeners; i++) {
		loop_del_fd(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
	}
	free(s->clients);
	free(s->inbuf);
	free(s);
}

int sockserv_listen(struct sockserv *s, int fd, int tag, const char *label)
{
	struct sockserv_listener *ls;
	int r;

	if (!s || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	if (s->n_listeners == SOCKSERV_MAX_LISTENERS) {
		close(fd);
		return -ENOSPC;
	}
	ls = &s->ls[s->n_listeners];
	*ls = (struct sockserv_listener){ .s = s, .fd = fd, .tag = tag };
	snprintf(ls->label, sizeof(ls->label), "%s", label ? label : "?");
	r = listen(fd, s->p.max_clients) < 0 ? -errno : 0;
	if (r == 0)
		r = loop_add_fd(s->loop, fd, POLLIN, on_accept, ls);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->n_listeners++;
	return 0;
}

int sockserv_set_pool(struct sockserv *s, int tag, int max, int per_peer)
{
	int found = 0;

	if (!s || max < 0 || max > s->p.max_clients || per_peer < 0)
		return -EINVAL;
	for (int i = 0; i < s->n_listeners; i++) {
		if (s->ls[i].tag != tag)
			continue;
		s->ls[i].max = max;
		s->ls[i].per_peer = per_peer;
		found++;
	}
	return found ? 0 : -ENOENT;
}

const char *sockserv_client_peer(const struct sockserv_client *cl)
{
	return cl->peer;
}

void sockserv_set_timeout(struct sockserv *s, int64_t timeout_ns)
{
	if (s && timeout_ns > 0)
		s->p.timeout_ns = timeout_ns;
}

int sockserv_client_count(const struct sockserv *s)
{
	int n = 0;

	for (int i = 0; s && i < s->p.max_clients; i++)
		n += s->clients[i].fd >= 0;
	return n;
}
