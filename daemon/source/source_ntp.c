/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "ntp" source (RFC 5905 client mode): one connected, non-blocking
 * UDP socket per server on the loop; a timer per server sends a request
 * with a random nonce; a reply is judged (ntp_packet.c), its sample goes
 * through the server's clock filter (ntp_filter.c), and every new
 * filtered sample re-runs the selection over all servers (ntp_select.c).
 * T1 is the kernel's transmit stamp (error queue) or a clock read right
 * before the send, T4 the kernel's receive stamp or a read on arrival.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/source/ntp_filter.h"
#include "daemon/source/ntp_select.h"
#include "daemon/source/source_ntp.h"
#include "phc/netstamp.h"
#include "phc/systime.h"
#include "util/util.h"

#define BURST_LEN	4	/* iburst: requests ... */
#define BURST_GAP_S	2	/* ... this many seconds apart */
#define PHI_PPB		15000	/* RFC 5905 PHI: dispersion growth, 15 ppm */
#define STREAK_UP	8	/* calm samples in a row before the poll grows */
#define DRIFT_LEN	64	/* samples of a server in its drift estimate */

enum peer_state { PEER_INIT, PEER_SELECTED, PEER_FALSE, PEER_UNREACH, PEER_KOD };

struct ntp_peer {
	struct source_ntp *src;
	char addr[64];
	int fd;
	long timer;
	int poll, minpoll, maxpoll;
	bool iburst, reburst;
	int burst;		/* requests left in the current burst */
	uint8_t reach;
	int sent;
	uint64_t nonce;		/* of the request outstanding; 0: none */
	int64_t t1_ns;
	struct ntp_filter filt;
	bool have;
	struct ntp_filter_out last;
	enum peer_state state;
	int streak;
	double drift_ppb;	/* our natural rate error against this server */
	int64_t dr_t[DRIFT_LEN], dr_v[DRIFT_LEN];
	int dr_n, dr_next;
};

struct source_ntp {
	struct source base;
	struct loop *loop;
	struct clock *clk;
	char name[64];
	int n;
	struct ntp_peer peer[SOURCE_NTP_MAX];
	bool fresh, ever;
	int64_t offset_ns, dist_ns;	/* combined, normalized (below) */
	int64_t comb_raw_ns;		/* when the combination was made */
	double corr_ns;			/* integral of our frequency corrections, ns */
	int64_t corr_raw_ns;		/* CLOCK_MONOTONIC_RAW of its last update */
	double freq_ppb;		/* our frequency then */
	double drift_ppb;		/* our natural rate error, from the truechimers */
	int survivors, last_err;
};

static int64_t now_ns(struct source_ntp *s)
{
	int64_t t = 0;

	clock_gettime_ns(s->clk, &t);
	return t;
}

/*
 * Samples are kept "normalized": offset minus C, the integral of the
 * frequency corrections made to our clock up to its arrival, with the
 * arrival on CLOCK_MONOTONIC_RAW. What is left of a normalized offset
 * moves only with our oscillator's natural error, which a least-squares
 * line through each server's last DRIFT_LEN samples (as measured, never
 * projected: no feedback) estimates, per server. A sample's
 * offset now is
 *   norm + C(now) + natural * (now - t4),
 * so an old sample (the filter may pick one 8 polls old) and samples of
 * servers polled at other times compare at one instant, even while the
 * servo slews at 500 ppm. The discipline changes the frequency right after
 * each measure(), and measure() integrates first, so the frequency read at
 * each point has been in effect since the one before (chrony corrects its
 * samples the same way, from its parameter change handlers, and finds
 * the drift by regression).
 */
static void corr_update(struct source_ntp *s)
{
	int64_t raw = systime_raw_ns();
	double ppb = 0;

	if (clock_get_freq(s->clk, &ppb) < 0)
		ppb = s->freq_ppb;
	if (s->corr_raw_ns)
		s->corr_ns += ppb * (double)(raw - s->corr_raw_ns) / 1e9;
	s->corr_raw_ns = raw;
	s->freq_ppb = ppb;
}

static int64_t project(const struct source_ntp *s, int64_t norm_ns, int64_t at_raw_ns,
		       double drift_ppb)
{
	return norm_ns + (int64_t)llround(s->corr_ns + drift_ppb *
					  (double)(s->corr_raw_ns - at_raw_ns) / 1e9);
}

/* the natural drift: slope of the normalized offsets, ppb */
static void drift_add(struct ntp_peer *s, int64_t raw_ns, int64_t norm_ns)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, x0, span;
	int n;

	s->dr_t[s->dr_next] = raw_ns;
	s->dr_v[s->dr_next] = norm_ns;
	s->dr_next = (s->dr_next + 1) % DRIFT_LEN;
	if (s->dr_n < DRIFT_LEN)
		s->dr_n++;
	n = s->dr_n;
	x0 = (double)s->dr_t[(s->dr_next - n + DRIFT_LEN) % DRIFT_LEN];
	span = ((double)raw_ns - x0) / 1e9;
	if (n < 4 || span < 4)
		return;
	for (int i = 0; i < n; i++) {
		double x = ((double)s->dr_t[i] - x0) / 1e9, y = (double)s->dr_v[i];

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	if (n * sxx - sx * sx > 0)
		s->drift_ppb = (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

static void select_all(struct source_ntp *s)
{
	struct ntp_cand c[SOURCE_NTP_MAX];
	int idx[SOURCE_NTP_MAX], m = 0, r;
	bool t[SOURCE_NTP_MAX];
	struct ntp_select_out o;
	int64_t now = now_ns(s);

	corr_update(s);
	for (int i = 0; i < s->n; i++) {
		struct ntp_peer *p = &s->peer[i];
		int64_t age = now - p->last.best.t4_ns;

		if (!p->have || !p->reach || p->state == PEER_KOD)
			continue;
		c[m].offset_ns = project(s, p->last.best.offset_ns, p->last.best.local_ns,
					 p->drift_ppb);
		c[m].dist_ns = p->last.best.root_dist_ns + p->last.jitter_ns +
			       (age > 0 ? age / 1000000000 * PHI_PPB : 0);
		idx[m++] = i;
	}
	if (m == 0)
		return;
	r = ntp_select(c, m, t, &o);
	s->last_err = r < 0 && s->ever ? -EHOSTUNREACH : 0;
	if (r < 0)
		for (int j = 0; j < m; j++)
			pr_debug("%s: NTP %s: no majority: %+" PRId64 " +- %" PRId64 " ns",
				 s->name, s->peer[idx[j]].addr, c[j].offset_ns, c[j].dist_ns);
	for (int j = 0; j < m; j++)
		s->peer[idx[j]].state = r >= 0 && t[j] ? PEER_SELECTED : PEER_FALSE;
	if (r < 0)
		return;
	s->drift_ppb = 0;
	for (int j = 0; j < m; j++)
		if (t[j])
			s->drift_ppb += s->peer[idx[j]].drift_ppb / o.survivors;
	s->fresh = true;
	s->ever = true;
	s->offset_ns = o.offset_ns - (int64_t)llround(s->corr_ns);	/* normalized */
	s->comb_raw_ns = s->corr_raw_ns;
	s->dist_ns = o.dist_ns;
	s->survivors = o.survivors;
}

/* poll adaptation: calm (|offset| within 4 jitters) grows it, a jump shrinks it */
static void adapt_poll(struct ntp_peer *p)
{
	int64_t j = p->last.jitter_ns > 1000 ? p->last.jitter_ns : 1000;
	int64_t off = llabs(project(p->src, p->src->offset_ns, p->src->comb_raw_ns,
				    p->src->drift_ppb));

	if (off < 4 * j) {
		if (++p->streak >= STREAK_UP && p->poll < p->maxpoll) {
			p->poll++;
			p->streak = 0;
		}
	} else if (off > 16 * j && p->poll > p->minpoll) {
		p->poll--;
		p->streak = 0;
	} else {
		p->streak = 0;
	}
}

static void kod(struct ntp_peer *p, enum ntp_verdict v)
{
	if (v == NTP_KOD_RATE) {
		if (p->poll < p->maxpoll + 2 && p->poll < 17)
			p->poll++;
		pr_notice("%s: NTP server %s sent KoD RATE: polling every %d s", p->src->name,
			  p->addr, 1 << (p->poll > 0 ? p->poll : 0));
		return;
	}
	if (v == NTP_KOD_OTHER)
		return;
	pr_warn("%s: NTP server %s sent %s: not using it any more", p->src->name, p->addr,
		ntp_verdict_name(v));
	p->state = PEER_KOD;
	p->have = false;
	if (p->timer > 0)
		loop_del_timer(p->src->loop, p->timer);
	p->timer = 0;
}

static void accept_reply(struct ntp_peer *p, const struct ntp_packet *pk, int64_t t4)
{
	struct ntp_sample smp;
	enum ntp_verdict v = ntp_reply_check(pk, p->nonce, p->t1_ns, t4, &smp);

	if (v == NTP_BAD_ORIGIN || v == NTP_BAD_MODE || v == NTP_BAD_VERSION) {
		pr_debug("%s: NTP %s: reply dropped: %s", p->src->name, p->addr,
			 ntp_verdict_name(v));
		return;
	}
	p->nonce = 0;	/* one reply per request: a duplicate is a bad origin */
	if (v >= NTP_KOD_RATE) {
		kod(p, v);
		return;
	}
	if (v != NTP_OK) {
		pr_debug("%s: NTP %s: reply refused: %s", p->src->name, p->addr,
			 ntp_verdict_name(v));
		return;
	}
	corr_update(p->src);
	smp.offset_ns -= (int64_t)llround(p->src->corr_ns);
	smp.local_ns = p->src->corr_raw_ns;
	/* the drift from the samples as measured: no projection in them */
	drift_add(p, smp.local_ns, smp.offset_ns);
	p->reach |= 1;
	if (p->state == PEER_UNREACH)
		pr_notice("%s: NTP server %s reachable again", p->src->name, p->addr);
	if (p->state == PEER_UNREACH || p->state == PEER_INIT)
		p->state = PEER_FALSE;	/* a candidate until selected */
	p->reburst = false;
	pr_debug("%s: NTP %s: offset %+" PRId64 " ns delay %" PRId64 " ns", p->src->name,
		 p->addr, smp.offset_ns, smp.delay_ns);
	if (!ntp_filter_add(&p->filt, &smp, &p->last))
		return;
	p->have = true;
	select_all(p->src);
	adapt_poll(p);
}

static void on_fd(struct loop *l, int fd, short revents, void *arg)
{
	struct ntp_peer *p = arg;
	uint8_t buf[1024];
	struct ntp_packet pk;
	int64_t t;
	ssize_t n;

	(void)l;
	if (revents & POLLERR)
		while (netstamp_tx(fd, &t) != -EAGAIN)
			if (t && p->nonce)
				p->t1_ns = t;	/* the kernel's stamp beats our read */
	while ((n = netstamp_recv(fd, buf, sizeof(buf), &t)) >= 0 || n == -ECONNREFUSED) {
		if (n < 0)
			continue;
		if (!t)
			t = now_ns(p->src);
		if (ntp_packet_decode(buf, (size_t)n, &pk) == 0 && p->nonce)
			accept_reply(p, &pk, t);
	}
}

static void went_unreachable(struct ntp_peer *p)
{
	if (p->state == PEER_UNREACH || p->sent < 8)
		return;
	pr_warn("%s: NTP server %s unreachable (no answer to its last 8 requests)",
		p->src->name, p->addr);
	p->state = PEER_UNREACH;
	p->have = false;
	ntp_filter_reset(&p->filt);
	if (p->iburst && !p->reburst) {
		p->burst = BURST_LEN;
		p->reburst = true;
	}
}

static int send_request(struct ntp_peer *p)
{
	struct ntp_packet req;
	uint8_t b[NTP_PACKET_LEN];
	uint64_t nonce = 0;

	while (!nonce)
		if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
			return -EIO;
	ntp_request_build(&req, nonce, (int8_t)p->poll);
	ntp_packet_encode(&req, b);
	p->nonce = nonce;
	p->t1_ns = now_ns(p->src);
	if (send(p->fd, b, sizeof(b), 0) < 0)
		return -errno;
	return 0;
}

static int64_t on_timer(struct loop *l, long id, void *arg)
{
	struct ntp_peer *p = arg;
	int r;

	(void)l;
	(void)id;
	p->reach <<= 1;
	p->sent++;
	if (!p->reach)
		went_unreachable(p);
	r = send_request(p);
	if (r < 0)
		pr_debug("%s: NTP %s: send: %s", p->src->name, p->addr, strerror(-r));
	if (p->burst > 0 && --p->burst > 0)
		return BURST_GAP_S * NS_PER_S;
	return p->poll >= 0 ? (NS_PER_S << p->poll) : (NS_PER_S >> -p->poll);
}

static int open_peer(struct source_ntp *s, struct ntp_peer *p)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL;
	int r;

	r = getaddrinfo(p->addr, "123", &hints, &ai);
	if (r)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	p->fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (p->fd < 0 || fd_cloexec(p->fd) < 0 || fd_nonblock(p->fd, 1) < 0 ||
	    connect(p->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		r = -errno;
		freeaddrinfo(ai);
		return r;
	}
	freeaddrinfo(ai);
	if (netstamp_enable(p->fd) < 0)
		pr_info("%s: NTP %s: no kernel time stamps, reading the clock instead",
			s->name, p->addr);
	r = loop_add_fd(s->loop, p->fd, POLLIN, on_fd, p);
	if (r < 0)
		return r;
	p->timer = loop_add_timer(s->loop, 1, on_timer, p);
	return p->timer > 0 ? 0 : -ENOMEM;
}

static void on_step(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct source_ntp *s = arg;

	(void)c;
	if (ch->kind == CLOCK_CHANGE_FREQ_RESET)
		return;
	for (int i = 0; i < s->n; i++) {
		ntp_filter_shift(&s->peer[i].filt, ch->step_ns);
		s->peer[i].last.best.offset_ns += ch->step_ns;
	}
	s->fresh = false;
}

static int ntp_measure(struct source *base, struct clock *target, struct source_sample *out)
{
	struct source_ntp *s = (struct source_ntp *)base;

	(void)target;
	corr_update(s);
	if (!s->fresh)
		return s->last_err ? s->last_err : s->ever ? -EAGAIN : -EINPROGRESS;
	s->fresh = false;
	out->offset_ns = project(s, s->offset_ns, s->comb_raw_ns, s->drift_ppb);
	out->delay_ns = s->dist_ns;
	out->readings = s->n;
	out->used = s->survivors;
	out->method = CMP_NONE;
	out->ref_utc = true;
	return 0;
}

static void ntp_destroy(struct source *base)
{
	struct source_ntp *s = (struct source_ntp *)base;

	clock_remove_change_handler(s->clk, on_step, s);
	for (int i = 0; i < s->n; i++) {
		if (s->peer[i].timer > 0)
			loop_del_timer(s->loop, s->peer[i].timer);
		if (s->peer[i].fd >= 0) {
			loop_del_fd(s->loop, s->peer[i].fd);
			close(s->peer[i].fd);
		}
	}
	free(s);
}

/* For the NTP server (daemon/ntpserve/): the selected server nearest in
 * root distance is the system peer whose stratum and refid are passed on. */
static void ntp_upstream(struct source *base, struct source_upstream *u)
{
	struct source_ntp *s = (struct source_ntp *)base;
	const struct ntp_peer *b = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	for (int i = 0; i < s->n; i++) {
		const struct ntp_peer *p = &s->peer[i];

		if (p->state == PEER_SELECTED && p->have &&
		    (!b || p->last.best.root_dist_ns < b->last.best.root_dist_ns))
			b = p;
	}
	if (!b)
		return;
	u->known = true;
	u->stratum = b->last.best.stratum;
	u->root_delay_ns = b->last.best.root_delay_ns + b->last.best.delay_ns;
	u->root_disp_ns = b->last.best.root_disp_ns + b->last.jitter_ns;
	if (getpeername(b->fd, (struct sockaddr *)&ss, &sl) == 0)
		u->refid = ntp_refid_of_addr((struct sockaddr *)&ss);
}

static const struct source_ops ntp_ops = {
	.kind = "ntp",
	.measure = ntp_measure,
	.destroy = ntp_destroy,
	.upstream = ntp_upstream,
};

struct source *source_ntp_create(struct loop *l, struct clock *target, const char *name,
				 const struct source_ntp_server *srv, int n, int *err)
{
	struct source_ntp *s;

	if (n < 1 || n > SOURCE_NTP_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->base.ops = &ntp_ops;
	snprintf(s->base.spec, sizeof(s->base.spec), "ntp");
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->loop = l;
	s->clk = target;
	for (int i = 0; i < n; i++) {
		struct ntp_peer *p = &s->peer[i];

		*p = (struct ntp_peer){ .src = s, .fd = -1, .poll = srv[i].minpoll,
					.minpoll = srv[i].minpoll, .maxpoll = srv[i].maxpoll,
					.iburst = srv[i].iburst,
					.burst = srv[i].iburst ? BURST_LEN : 0 };
		snprintf(p->addr, sizeof(p->addr), "%s", srv[i].addr);
		s->n = i + 1;
		*err = open_peer(s, p);
		if (*err < 0) {
			pr_err("%s: NTP server %s: %s", name, p->addr, strerror(-*err));
			ntp_destroy(&s->base);
			return NULL;
		}
	}
	clock_add_change_handler(target, on_step, s);
	return &s->base;
}
