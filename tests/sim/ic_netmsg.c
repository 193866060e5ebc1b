// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What recvmsg() returns for a simulated packet, as the kernel builds it:
 * the source address, the data, and the control messages the socket asked
 * for: SCM_TIMESTAMP / SCM_TIMESTAMPNS / SCM_TIMESTAMPING (software stamp
 * in ts[0]) and IP_PKTINFO / IPV6_PKTINFO. From the error queue: the
 * packet as it left, from the Ethernet header on (the kernel loops back
 * the whole frame; none with SOF_TIMESTAMPING_OPT_TSONLY), its transmit
 * stamp, the IP_RECVERR / IPV6_RECVERR extended error (ENOMSG,
 * SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND, the OPT_ID key) and, with
 * SOF_TIMESTAMPING_OPT_CMSG, IP_PKTINFO.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/time.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"

#define IFINDEX_BASE 1000
#define ETH_HLEN_ 14

struct cbuf {
	struct msghdr *m;
	size_t used;
	bool trunc;
};

static void put_cmsg(struct cbuf *b, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *c;
	size_t space = CMSG_SPACE(len);

	if (!b->m->msg_control || b->used + CMSG_LEN(len) > b->m->msg_controllen) {
		b->trunc = true;
		return;
	}
	c = (struct cmsghdr *)(void *)((char *)b->m->msg_control + b->used);
	memset(c, 0, b->used + space <= b->m->msg_controllen ? space : CMSG_LEN(len));
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	b->used += space < b->m->msg_controllen - b->used ? space : b->m->msg_controllen - b->used;
}

static int ifindex(struct sim *s)
{
	return s->w->sc.nifaces > 0 ? IFINDEX_BASE : 0;
}

static void put_pktinfo(struct cbuf *b, struct sim *s, const struct net_pkt *p,
			const struct net_addr *local)
{
	if (p->dst.family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = ifindex(s);
		memcpy(&pi.ipi_spec_dst, local->a, 4);
		memcpy(&pi.ipi_addr, local->a, 4);
		put_cmsg(b, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_ifindex = (unsigned int)ifindex(s);
		memcpy(&pi.ipi6_addr, local->a, 16);
		put_cmsg(b, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
}

static void put_stamps(struct cbuf *b, const struct net_sock *k, const struct net_pkt *p,
		       bool errq)
{
	int64_t ns = p->stamp;

	if (!errq && k->ts_us) {
		struct timeval tv = { ns / 1000000000, ns % 1000000000 / 1000 };

		put_cmsg(b, SOL_SOCKET, SCM_TIMESTAMP, &tv, sizeof(tv));
	}
	if (!errq && k->ts_ns) {
		struct timespec ts = { ns / 1000000000, ns % 1000000000 };

		put_cmsg(b, SOL_SOCKET, SCM_TIMESTAMPNS, &ts, sizeof(ts));
	}
	if ((k->ts_flags & SOF_TIMESTAMPING_SOFTWARE) &&
	    (errq || (k->ts_flags & SOF_TIMESTAMPING_RX_SOFTWARE))) {
		struct scm_timestamping st;

		memset(&st, 0, sizeof(st));
		st.ts[0].tv_sec = ns / 1000000000;
		st.ts[0].tv_nsec = ns % 1000000000;
		put_cmsg(b, SOL_SOCKET, SCM_TIMESTAMPING, &st, sizeof(st));
	}
}

static void put_exterr(struct cbuf *b, const struct net_pkt *p)
{
	struct {
		struct sock_extended_err ee;
		struct sockaddr_in6 offender;	/* none: AF_UNSPEC */
	} e;
	bool v4 = p->src.family == AF_INET;

	memset(&e, 0, sizeof(e));
	e.ee.ee_errno = ENOMSG;
	e.ee.ee_origin = SO_EE_ORIGIN_TIMESTAMPING;
	e.ee.ee_info = SCM_TSTAMP_SND;
	e.ee.ee_data = p->tskey;
	put_cmsg(b, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_RECVERR : IPV6_RECVERR, &e,
		 sizeof(e.ee) + (v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
}

static void be16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* The frame as it left: Ethernet (no MACs), IPv4 or IPv6, UDP, payload. */
static size_t frame(const struct net_pkt *p, unsigned char *f, size_t cap)
{
	bool v4 = p->src.family == AF_INET;
	size_t ip = v4 ? 20 : 40, n = ETH_HLEN_ + ip + 8 + p->len;
	unsigned char *h = f + ETH_HLEN_, *u = h + ip;

	if (n > cap)
		return 0;
	memset(f, 0, ETH_HLEN_ + ip + 8);
	be16(f + 12, v4 ? 0x0800 : 0x86dd);
	if (v4) {
		h[0] = 0x45;
		h[1] = (unsigned char)p->tos;
		be16(h + 2, (unsigned)(ip + 8 + p->len));
		h[6] = 0x40;	/* DF */
		h[8] = 64;
		h[9] = IPPROTO_UDP;
		memcpy(h + 12, p->src.a, 4);
		memcpy(h + 16, p->dst.a, 4);
	} else {
		h[0] = 0x60;
		be16(h + 4, (unsigned)(8 + p->len));
		h[6] = IPPROTO_UDP;
		h[7] = 64;
		memcpy(h + 8, p->src.a, 16);
		memcpy(h + 24, p->dst.a, 16);
	}
	be16(u, p->src.port);
	be16(u + 2, p->dst.port);
	be16(u + 4, (unsigned)(8 + p->len));
	memcpy(u + 8, p->data, p->len);
	return n;
}

static size_t scatter(struct msghdr *m, const unsigned char *d, size_t n)
{
	size_t off = 0, i;

	for (i = 0; i < m->msg_iovlen && off < n; i++) {
		size_t c = m->msg_iov[i].iov_len < n - off ? m->msg_iov[i].iov_len : n - off;

		memcpy(m->msg_iov[i].iov_base, d + off, c);
		off += c;
	}
	return off;
}

ssize_t sim_udp_fill(struct sim *s, const struct net_sock *k, const struct net_pkt *p,
		     bool errq, struct msghdr *m)
{
	static unsigned char buf[ETH_HLEN_ + 40 + 8 + NET_MAX_PAYLOAD];	/* no threads */
	struct cbuf b = { .m = m };
	const unsigned char *data = p->data;
	size_t n = p->len, got;

	if (errq && p->len) {
		n = frame(p, buf, sizeof(buf));
		data = buf;
	}
	got = scatter(m, data, n);
	m->msg_flags = (errq ? MSG_ERRQUEUE : 0) | (got < n ? MSG_TRUNC : 0);
	if (m->msg_name) {
		socklen_t len = m->msg_namelen;

		sim_to_sockaddr(errq ? &p->dst : &p->src, m->msg_name, &len);
		m->msg_namelen = len;
	}
	put_stamps(&b, k, p, errq);
	if (!errq && k->pktinfo)
		put_pktinfo(&b, s, p, &p->dst);
	if (errq) {
		put_exterr(&b, p);
		if ((k->ts_flags & SOF_TIMESTAMPING_OPT_CMSG) && k->pktinfo)
			put_pktinfo(&b, s, p, &p->src);
	}
	m->msg_controllen = b.used;
	if (b.trunc)
		m->msg_flags |= MSG_CTRUNC;
	return (ssize_t)got;
}
