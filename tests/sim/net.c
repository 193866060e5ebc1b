// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network in true time: packets in flight on a heap ordered by
 * arrival (then by sending order), delivered at their exact true time to
 * a scenario host (whose played NTP server answers after its processing
 * delay) or to the program's socket (stamped with CLOCK_REALTIME of that
 * instant). Every packet's fate and delay is counted per host and, with a
 * network CSV, written down.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/net_tstamp.h>

#include "tests/sim/net.h"
#include "tests/sim/world.h"

enum { STREAM_PATH = 0x40, STREAM_SRV = 0x41 };

int net_create(struct world *w, uint64_t seed)
{
	struct net *n = calloc(1, sizeof(*n));
	int h, d;

	if (!n)
		return -ENOMEM;
	n->w = w;
	n->nhosts = w->sc.net.nhosts;
	n->next_port = NET_PORT_BASE;
	for (h = 0; h < n->nhosts; h++) {
		uint64_t id = (uint64_t)(h + 1) << 16;

		for (d = 0; d < 2; d++)
			netpath_init(&n->host[h].path[d], &w->sc.net.hosts[h].dir[d], seed,
				     id | STREAM_PATH << 4 | (uint64_t)d);
		ntpsrv_init(&n->host[h].srv, &w->sc, h, w->t0, seed, id | STREAM_SRV << 4);
	}
	w->net = n;
	for (h = 0; h < n->nhosts; h++)
		ntpcli_init(w, h);
	return 0;
}

static void queue_free(struct net_queue *q)
{
	while (q->head) {
		struct net_pkt *p = q->head;

		q->head = p->next;
		free(p);
	}
	q->tail = NULL;
	q->n = 0;
}

void net_destroy(struct net *n)
{
	int i;

	if (!n)
		return;
	for (i = 0; i < NET_MAX_SOCKS; i++) {
		queue_free(&n->sock[i].rx);
		queue_free(&n->sock[i].err);
	}
	for (i = 0; i < n->nheap; i++)
		free(n->heap[i]);
	free(n->heap);
	free(n);
}

/* ---- the heap of packets in flight ---- */

static bool before(const struct net_pkt *a, const struct net_pkt *b)
{
	return a->t_arrive < b->t_arrive || (a->t_arrive == b->t_arrive && a->seq < b->seq);
}

static int heap_push(struct net *n, struct net_pkt *p)
{
	int i;

	if (n->nheap == n->capheap) {
		int cap = n->capheap ? 2 * n->capheap : 64;
		struct net_pkt **h = realloc(n->heap, (size_t)cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		n->heap = h;
		n->capheap = cap;
	}
	for (i = n->nheap++; i > 0 && before(p, n->heap[(i - 1) / 2]); i = (i - 1) / 2)
		n->heap[i] = n->heap[(i - 1) / 2];
	n->heap[i] = p;
	return 0;
}

static struct net_pkt *heap_pop(struct net *n)
{
	struct net_pkt *top = n->heap[0], *last = n->heap[--n->nheap];
	int i = 0, c;

	while ((c = 2 * i + 1) < n->nheap) {
		if (c + 1 < n->nheap && before(n->heap[c + 1], n->heap[c]))
			c++;
		if (!before(n->heap[c], last))
			break;
		n->heap[i] = n->heap[c];
		i = c;
	}
	if (n->nheap)
		n->heap[i] = last;
	return top;
}

int64_t net_next(const struct net *n)
{
	int64_t c = n ? ntpcli_next(n->w) : INT64_MAX;

	return n && n->nheap && n->heap[0]->t_arrive < c ? n->heap[0]->t_arrive : c;
}

/* ---- addresses and sockets ---- */

static size_t alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool addr_eq(const struct net_addr *x, const struct net_addr *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, alen(x->family));
}

bool net_addr_any(const struct net_addr *a)
{
	static const unsigned char zero[16];

	return !memcmp(a->a, zero, alen(a->family));
}

int net_host_of(const struct world *w, const struct net_addr *a)
{
	const struct sc_net *sn = &w->sc.net;
	int h, i;

	for (h = 0; h < sn->nhosts; h++)
		for (i = 0; i < sn->hosts[h].naddr; i++)
			if (sn->hosts[h].addr[i].family == a->family &&
			    !memcmp(sn->hosts[h].addr[i].a, a->a, alen(a->family)))
				return h;
	return -1;
}

static bool is_local(const struct world *w, const struct net_addr *a)
{
	const struct sc_net *sn = &w->sc.net;
	int i;

	for (i = 0; i < sn->nlocal; i++)
		if (sn->local[i].family == a->family &&
		    !memcmp(sn->local[i].a, a->a, alen(a->family)))
			return true;
	return false;
}

struct net_sock *net_sock(struct world *w, int id)
{
	return id >= 0 && id < NET_MAX_SOCKS && w->net->sock[id].used ? &w->net->sock[id] : NULL;
}

int net_socket(struct world *w, int family)
{
	int i;

	for (i = 0; i < NET_MAX_SOCKS; i++) {
		struct net_sock *s = &w->net->sock[i];

		if (s->used)
			continue;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->family = family;
		s->local.family = family;
		s->rcvbuf = s->sndbuf = 212992;
		s->ttl = 64;
		return i;
	}
	return -EMFILE;
}

void net_close(struct world *w, int id)
{
	struct net_sock *s = net_sock(w, id);

	if (!s)
		return;
	queue_free(&s->rx);
	queue_free(&s->err);
	s->used = false;
}

static bool port_taken(struct world *w, int self, const struct net_addr *a, bool reuse)
{
	int i;

	for (i = 0; i < NET_MAX_SOCKS; i++) {
		const struct net_sock *o = &w->net->sock[i];

		if (i == self || !o->used || o->family != a->family || o->local.port != a->port)
			continue;
		if (net_addr_any(&o->local) || net_addr_any(a) || addr_eq(&o->local, a))
			if (!(reuse && o->reuseaddr))
				return true;
	}
	return false;
}

int net_bind(struct world *w, int id, const struct net_addr *a)
{
	struct net_sock *s = net_sock(w, id);
	struct net_addr b = *a;

	if (!s)
		return -EBADF;
	if (s->local.port)
		return -EINVAL;	/* already bound */
	if (a->family != s->family)
		return -EAFNOSUPPORT;
	if (!net_addr_any(a) && !is_local(w, a) && !s->freebind)
		return -EADDRNOTAVAIL;
	if (!b.port) {
		do
			b.port = w->net->next_port++;
		while (port_taken(w, id, &b, false) && w->net->next_port);
	}
	if (port_taken(w, id, &b, s->reuseaddr))
		return -EADDRINUSE;
	s->local = b;
	return 0;
}

/* The source address of packets to dst: the bound one, else the first
 * local address of the family (the kernel's route lookup). */
static int source_of(struct world *w, struct net_sock *s, struct net_addr *src)
{
	const struct sc_net *sn = &w->sc.net;
	int i;

	if (!s->local.port) {
		struct net_addr any = { .family = s->family };
		int r = net_bind(w, (int)(s - w->net->sock), &any);

		if (r)
			return r;
	}
	*src = s->local;
	if (!net_addr_any(src))
		return 0;
	for (i = 0; i < sn->nlocal; i++)
		if (sn->local[i].family == s->family) {
			memcpy(src->a, sn->local[i].a, 16);
			return 0;
		}
	return -ENETUNREACH;
}

int net_connect(struct world *w, int id, const struct net_addr *a)
{
	struct net_sock *s = net_sock(w, id);
	struct net_addr src;
	int r;

	if (!s)
		return -EBADF;
	if (a->family == AF_UNSPEC) {
		s->connected = false;
		memset(&s->peer, 0, sizeof(s->peer));
		return 0;
	}
	if (a->family != s->family)
		return -EAFNOSUPPORT;
	if (net_host_of(w, a) < 0)
		return -ENETUNREACH;
	if ((r = source_of(w, s, &src)))
		return r;
	if (net_addr_any(&s->local))
		memcpy(s->local.a, src.a, 16);	/* connect() fixes the source, as the kernel */
	s->peer = *a;
	s->connected = true;
	return 0;
}

/* ---- packets ---- */

struct net_pkt *net_pkt_new(const void *data, size_t len)
{
	struct net_pkt *p = calloc(1, sizeof(*p) + len);

	if (p && len)
		memcpy(p->data, data, len);
	if (p)
		p->len = len;
	return p;
}

static void enqueue(struct net_queue *q, struct net_pkt *p)
{
	p->next = NULL;
	if (q->tail)
		q->tail->next = p;
	else
		q->head = p;
	q->tail = p;
	q->n++;
}

struct net_pkt *net_pop(struct world *w, int id, bool err, bool peek)
{
	struct net_sock *s = net_sock(w, id);
	struct net_queue *q;
	struct net_pkt *p;

	if (!s)
		return NULL;
	q = err ? &s->err : &s->rx;
	if (!(p = q->head) || peek)
		return p;
	q->head = p->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	p->next = NULL;
	return p;
}

static void stat_add(struct net_stat *st, double x)
{
	if (!st->n || x < st->min)
		st->min = x;
	if (!st->n || x > st->max)
		st->max = x;
	st->n++;
	st->sum += x;
	st->sumsq += x * x;
}

/* Draw the path of packet p (t_sent, host, dir set) and put it in flight. */
void net_launch(struct world *w, struct net_pkt *p)
{
	struct net *n = w->net;
	struct net_host *h = &n->host[p->host];
	int64_t d;
	enum netpath_fate f = netpath_draw(&h->path[p->dir], &d);

	h->sent[p->dir]++;
	p->t_arrive = p->t_sent + d;
	p->seq = n->seq++;
	if (n->csv && !w->ended)
		net_csv_row(w, p, f, d);
	if (f == NETPATH_LOST)
		h->lost[p->dir]++;
	else if (f == NETPATH_OUTAGE)
		h->outage[p->dir]++;
	if (f != NETPATH_OK || heap_push(n, p)) {
		free(p);
		return;
	}
	stat_add(&h->delay[p->dir], (double)d);
}

static void error_queue(struct world *w, struct net_sock *s, const struct net_pkt *p,
			int ts_flags)
{
	struct net_pkt *e;

	if (!(ts_flags & SOF_TIMESTAMPING_TX_SOFTWARE))
		return;
	if (s->err.n >= NET_QUEUE_MAX) {
		s->drops++;
		return;
	}
	if (!(e = net_pkt_new(p->data, (s->ts_flags & SOF_TIMESTAMPING_OPT_TSONLY) ? 0 : p->len)))
		return;
	e->src = p->src;
	e->dst = p->dst;
	e->tos = p->tos;
	e->host = p->host;
	e->ts_flags = ts_flags;
	e->stamp = sys_value(w, CLOCK_REALTIME, 0.0);
	e->tskey = (s->ts_flags & SOF_TIMESTAMPING_OPT_ID) ? s->tskey++ : 0;
	enqueue(&s->err, e);
}

long net_send(struct world *w, int id, const struct net_addr *dst, const void *data,
	      size_t len, int ts_flags)
{
	struct net_sock *s = net_sock(w, id);
	struct net_pkt *p;
	int h, r;

	if (!s)
		return -EBADF;
	if (!dst && !s->connected)
		return -EDESTADDRREQ;
	if (!dst)
		dst = &s->peer;
	if (dst->family != s->family)
		return -EAFNOSUPPORT;
	if (len > NET_MAX_PAYLOAD)
		return -EMSGSIZE;
	if ((h = net_host_of(w, dst)) < 0)
		return -ENETUNREACH;
	if (!(p = net_pkt_new(data, len)))
		return -ENOMEM;
	if ((r = source_of(w, s, &p->src))) {
		free(p);
		return r;
	}
	p->dst = *dst;
	p->tos = s->tos;
	p->host = h;
	p->dir = SC_OUT;
	p->t_sent = w->t;
	error_queue(w, s, p, ts_flags);
	net_launch(w, p);
	return (long)len;
}

/* A client as the played server tells them apart: by address, as chronyd
 * does (clients open a new socket, so a new port, for every request). */
static uint64_t client_key(const struct net_addr *a)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ a->a[i]) * 1099511628211ULL;
	h = (h ^ (uint64_t)a->family) * 1099511628211ULL;
	return h ? h : 1;
}

/* A request arrives at its host: the played server answers (or not). */
static void at_host(struct world *w, struct net_pkt *p)
{
	struct net_host *h = &w->net->host[p->host];
	const struct sc_host *sh = &w->sc.net.hosts[p->host];
	uint8_t resp[NTP_PACKET_LEN];
	struct net_pkt *r;
	struct ntpsrv_req q = { .data = p->data, .len = p->len, .client = client_key(&p->src),
				.t_rx = w->t, .t_tx = w->t + llround(sh->ntp.proc_ns) };
	size_t len;

	q.t_out = q.t_tx + llround(sh->ntp.tx_delay_ns);
	if (ntpcli_reply(w, p))
		return;		/* the program answered the host's client */
	if (!sh->ntp.on || p->dst.port != NTP_PORT) {
		h->refused++;
		return;
	}
	if (!(len = ntpsrv_answer(&h->srv, &q, resp)))
		return;
	if (!(r = net_pkt_new(resp, len)))
		return;
	r->src = p->dst;
	r->dst = p->src;
	r->tos = p->tos;
	r->host = p->host;
	r->dir = SC_IN;
	r->t_rx = w->t;
	r->t_sent = q.t_out;
	net_launch(w, r);
}

/* The socket an arriving packet is for, as the kernel's UDP lookup:
 * a connected match first, else a bound one. */
static struct net_sock *lookup(struct world *w, const struct net_pkt *p)
{
	struct net_sock *best = NULL;
	int i;

	for (i = 0; i < NET_MAX_SOCKS; i++) {
		struct net_sock *s = &w->net->sock[i];

		if (!s->used || s->family != p->dst.family || s->local.port != p->dst.port ||
		    (!net_addr_any(&s->local) && !addr_eq(&s->local, &p->dst)))
			continue;
		if (s->connected && (!addr_eq(&s->peer, &p->src) || s->peer.port != p->src.port))
			continue;
		if (s->connected)
			return s;
		if (!best)
			best = s;
	}
	return best;
}

static void at_program(struct world *w, struct net_pkt *p)
{
	struct net_sock *s = lookup(w, p);

	if (!s) {
		w->net->host[p->host].closed++;
		free(p);
		return;
	}
	if (s->rx.n >= NET_QUEUE_MAX) {
		s->drops++;
		free(p);
		return;
	}
	p->stamp = sys_value(w, CLOCK_REALTIME, 0.0);
	ntpcli_arrived(w, p);
	enqueue(&s->rx, p);
}

void net_process(struct world *w)
{
	struct net *n = w->net;

	ntpcli_process(w);
	while (n->nheap && n->heap[0]->t_arrive <= w->t) {
		struct net_pkt *p = heap_pop(n);

		if (p->dir == SC_OUT) {
			at_host(w, p);
			free(p);
		} else {
			at_program(w, p);
		}
	}
}

static void host_event(struct net_host *h, struct world *w, const struct sc_event *e)
{
	int d;

	switch (e->kind) {
	case SC_EV_HOST_FREQ:
		ntpsrv_freq_jump(&h->srv, w->t, e->value);
		break;
	case SC_EV_HOST_STEP:
		ntpsrv_step(&h->srv, e->value);
		break;
	case SC_EV_ROUTE:
		for (d = 0; d < 2; d++)
			if (e->dir < 0 || e->dir == d)
				h->path[d].route_ns += e->value;
		break;
	case SC_EV_OUTAGE:
	case SC_EV_OUTAGE_END:
		h->path[SC_OUT].outage = h->path[SC_IN].outage = e->kind == SC_EV_OUTAGE;
		break;
	case SC_EV_UNREACH:
	case SC_EV_UNREACH_END:
		h->srv.unreachable = e->kind == SC_EV_UNREACH;
		break;
	case SC_EV_KOD:
		memcpy(h->srv.kod, e->code, sizeof(h->srv.kod));
		break;
	case SC_EV_KOD_END:
		h->srv.kod[0] = '\0';
		break;
	case SC_EV_ANNOUNCE:
		h->srv.leap = (enum sc_leap_mode)e->value;
		break;
	default:
		break;
	}
}

void net_event(struct world *w, const struct sc_event *e)
{
	int h;

	for (h = 0; h < w->net->nhosts; h++)
		if (e->host == h || e->host == SC_HOST_ALL)
			host_event(&w->net->host[h], w, e);
}

void net_wander(struct world *w, double step_s)
{
	int h;

	for (h = 0; h < w->net->nhosts; h++)
		ntpsrv_wander(&w->net->host[h].srv, w->t, step_s);
}
