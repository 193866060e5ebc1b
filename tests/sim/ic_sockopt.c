// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket options of the simulated UDP sockets: the timestamping ones
 * (SO_TIMESTAMP, SO_TIMESTAMPNS, SO_TIMESTAMPING with software RX/TX
 * stamps, SO_SELECT_ERR_QUEUE), IP_PKTINFO/IPV6_RECVPKTINFO, IP_TOS,
 * SO_REUSEADDR, SO_BINDTODEVICE (a scenario interface), SO_RCVTIMEO and
 * the harmless ones that change nothing in a simulated path (buffer
 * sizes, priority, IP_FREEBIND, IP_MTU_DISCOVER, TTLs, IP_RECVERR). Any
 * other option is refused loudly with ENOPROTOOPT.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/time.h>
#include <linux/net_tstamp.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

/* SO_TIMESTAMPING flags the simulator honours (software stamps only) */
#define TS_SUPPORTED (SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | \
		      SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | \
		      SOF_TIMESTAMPING_OPT_CMSG | SOF_TIMESTAMPING_OPT_TSONLY | \
		      SOF_TIMESTAMPING_OPT_PKTINFO | SOF_TIMESTAMPING_OPT_TX_SWHW)

/* an int option's slot, or NULL */
static int *int_slot(struct net_sock *k, int level, int name)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_RCVBUF: return &k->rcvbuf;
		case SO_SNDBUF: return &k->sndbuf;
		case SO_PRIORITY: return &k->priority;
		default: return NULL;
		}
	}
	if (level == IPPROTO_IP) {
		switch (name) {
		case IP_TOS: return &k->tos;
		case IP_MTU_DISCOVER: return &k->mtu_disc;
		case IP_TTL: return &k->ttl;
		default: return NULL;
		}
	}
	if (level == IPPROTO_IPV6) {
		switch (name) {
		case IPV6_TCLASS: return &k->tos;
		case IPV6_MTU_DISCOVER: return &k->mtu_disc;
		case IPV6_UNICAST_HOPS: return &k->ttl;
		default: return NULL;
		}
	}
	return NULL;
}

static bool *bool_slot(struct net_sock *k, int level, int name)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TIMESTAMP: return &k->ts_us;
		case SO_TIMESTAMPNS: return &k->ts_ns;
		case SO_REUSEADDR: return &k->reuseaddr;
		case SO_SELECT_ERR_QUEUE: return &k->select_err;
		case SO_BROADCAST: return &k->broadcast;
		default: return NULL;
		}
	}
	if (level == IPPROTO_IP) {
		switch (name) {
		case IP_PKTINFO: return &k->pktinfo;
		case IP_RECVERR: return &k->recverr;
		case IP_FREEBIND: return &k->freebind;
		default: return NULL;
		}
	}
	if (level == IPPROTO_IPV6) {
		switch (name) {
		case IPV6_RECVPKTINFO: return &k->pktinfo;
		case IPV6_RECVERR: return &k->recverr;
		case IPV6_V6ONLY: return &k->v6only;
		case IPV6_FREEBIND: return &k->freebind;
		default: return NULL;
		}
	}
	return NULL;
}

static int get_int(const void *v, socklen_t len, int *out)
{
	if (!v || len < (socklen_t)sizeof(int)) {
		if (v && len == 1) {	/* IP_TOS and friends accept a byte */
			*out = *(const unsigned char *)v;
			return 0;
		}
		return -EINVAL;
	}
	memcpy(out, v, sizeof(int));
	return 0;
}

static int set_timestamping(struct net_sock *k, const void *v, socklen_t len)
{
	struct so_timestamping st = { 0 };
	int flags;

	if (len >= (socklen_t)sizeof(st))
		memcpy(&st, v, sizeof(st));
	else if (get_int(v, len, &st.flags))
		return -EINVAL;
	flags = st.flags;
	if (flags & ~(int)SOF_TIMESTAMPING_MASK)
		return -EINVAL;
	if (flags & ~TS_SUPPORTED) {
		sim_unsupported("SO_TIMESTAMPING flags 0x%x: only software RX/TX stamps are "
				"simulated (a socket has no hardware stamps)", flags & ~TS_SUPPORTED);
		return -EINVAL;
	}
	if ((flags & SOF_TIMESTAMPING_OPT_ID) && !(k->ts_flags & SOF_TIMESTAMPING_OPT_ID))
		k->tskey = 0;
	k->ts_flags = flags;
	return 0;
}

static int set_device(struct sim *s, struct net_sock *k, const void *v, socklen_t len)
{
	char name[sizeof(k->dev)] = "";
	size_t n = len < sizeof(name) - 1 ? len : sizeof(name) - 1;

	if (v && n)
		memcpy(name, v, n);
	name[n] = '\0';
	if (name[0] && scenario_iface(&s->w->sc, name) < 0)
		return -ENODEV;
	memcpy(k->dev, name, sizeof(k->dev));
	return 0;
}

int setsockopt_udp(struct sim *s, struct net_sock *k, int level, int name, const void *v,
		   socklen_t len)
{
	int *ip = int_slot(k, level, name), x;
	bool *bp = bool_slot(k, level, name);

	if (level == SOL_SOCKET && name == SO_TIMESTAMPING)
		return set_timestamping(k, v, len);
	if (level == SOL_SOCKET && name == SO_BINDTODEVICE)
		return set_device(s, k, v, len);
	if (level == SOL_SOCKET && name == SO_RCVTIMEO) {
		struct timeval tv;

		if (!v || len < (socklen_t)sizeof(tv))
			return -EINVAL;
		memcpy(&tv, v, sizeof(tv));
		k->rcvtimeo_ns = (int64_t)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
		return 0;
	}
	if (!ip && !bp) {
		sim_unsupported("setsockopt(level %d, option %d) on a simulated UDP socket", level,
				name);
		return -ENOPROTOOPT;
	}
	if (get_int(v, len, &x))
		return -EINVAL;
	if (ip)
		*ip = x;
	else
		*bp = x != 0;
	return 0;
}

static int put_int(void *v, socklen_t *len, int x)
{
	if (!v || !len || *len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(v, &x, sizeof(int));
	*len = sizeof(int);
	return 0;
}

int getsockopt_udp(struct sim *s, struct net_sock *k, int level, int name, void *v,
		   socklen_t *len)
{
	int *ip = int_slot(k, level, name);
	bool *bp = bool_slot(k, level, name);

	(void)s;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR: return put_int(v, len, 0);
		case SO_TYPE: return put_int(v, len, SOCK_DGRAM);
		case SO_DOMAIN: return put_int(v, len, k->family);
		case SO_PROTOCOL: return put_int(v, len, IPPROTO_UDP);
		case SO_TIMESTAMPING: return put_int(v, len, k->ts_flags);
		case SO_BINDTODEVICE:
			if (!v || !len)
				return -EINVAL;
			*len = (socklen_t)strnlen(k->dev, sizeof(k->dev));
			memcpy(v, k->dev, *len);
			return 0;
		default: break;
		}
	}
	if (ip)
		return put_int(v, len, *ip);
	if (bp)
		return put_int(v, len, *bp);
	sim_unsupported("getsockopt(level %d, option %d) on a simulated UDP socket", level, name);
	return -ENOPROTOOPT;
}
