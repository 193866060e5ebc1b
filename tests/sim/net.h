/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file net.h
 * The simulated network, world side: UDP sockets of the program, packets
 * in flight in true time, the scenario's hosts (their paths and played NTP
 * servers) and the truth about every packet. A packet leaves when the
 * program sends it and arrives after the delay its path drew; arrivals are
 * change points of the world, delivered at their exact true time, with the
 * receive timestamp the simulated kernel clock shows at that instant.
 * Nothing here touches a real socket: the program's only way out is to the
 * scenario's hosts, and anything else is refused.
 */
#ifndef GNOMON_SIM_NET_H
#define GNOMON_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/sim/netpath.h"
#include "tests/sim/ntpclient.h"
#include "tests/sim/ntpserver.h"

#define NET_MAX_SOCKS	256
#define NET_QUEUE_MAX	256	/**< packets a socket queue holds; more are dropped */
#define NET_MAX_PAYLOAD	65507
#define NET_PORT_BASE	40000	/**< first ephemeral port (deterministic) */

struct world;

struct net_addr {
	int family;		/**< AF_INET, AF_INET6, 0 none */
	unsigned char a[16];
	uint16_t port;		/**< host byte order */
};

struct net_pkt {
	struct net_pkt *next;
	int64_t t_sent, t_arrive;	/**< true times */
	int64_t t_rx;			/**< an answer: when its request reached the server */
	uint64_t seq;
	int host, dir;			/**< the remote host; SC_OUT or SC_IN */
	struct net_addr src, dst;
	int tos;
	int64_t stamp;		/**< CLOCK_REALTIME at arrival (receive queue) or at
				 *   departure (error queue), ns */
	uint32_t tskey;		/**< error queue: the SOF_TIMESTAMPING_OPT_ID key */
	int ts_flags;		/**< error queue: the timestamping flags of the send */
	size_t len;
	unsigned char data[];
};

struct net_queue {
	struct net_pkt *head, *tail;
	int n;
};

/** A UDP socket; its options are set by the preload (ic_sockopt.c). */
struct net_sock {
	bool used;
	int family;
	struct net_addr local, peer;	/**< local.port 0: not bound */
	bool connected;
	int ts_flags;			/**< SO_TIMESTAMPING */
	bool ts_us, ts_ns;		/**< SO_TIMESTAMP, SO_TIMESTAMPNS */
	bool pktinfo, recverr, select_err, reuseaddr, v6only, freebind, broadcast;
	int tos, rcvbuf, sndbuf, priority, mtu_disc, ttl;
	char dev[16];			/**< SO_BINDTODEVICE */
	int64_t rcvtimeo_ns;		/**< SO_RCVTIMEO, 0 none */
	uint32_t tskey;
	struct net_queue rx, err;
	long drops;			/**< arrivals dropped on a full queue */
};

struct net_stat {
	long n;
	double sum, sumsq, min, max;
};

/** A scenario host at run time. */
struct net_host {
	struct netpath path[2];		/**< [SC_OUT], [SC_IN] */
	struct ntpsrv srv;
	struct ntpcli cli;		/**< its played NTP client (ntpclient.h) */
	long sent[2], lost[2], outage[2];
	long refused;			/**< to a port nothing listens on */
	long closed;			/**< answers for a socket that is gone */
	struct net_stat delay[2];	/**< delays of the packets delivered */
};

struct net {
	struct world *w;
	int nhosts;
	struct net_host host[SC_MAX_HOSTS];
	struct net_sock sock[NET_MAX_SOCKS];
	struct net_pkt **heap;		/**< in flight, by (t_arrive, seq) */
	int nheap, capheap;
	uint64_t seq;
	uint16_t next_port;
	FILE *csv;			/**< per-packet truth, or NULL */
};

/** The world's network (w->net), its hosts seeded from seed. */
int net_create(struct world *w, uint64_t seed);
void net_destroy(struct net *n);
/** Start the per-packet CSV on f (header written). */
void net_csv_start(struct net *n, FILE *f);
/** True time of the next arrival, INT64_MAX if none. */
int64_t net_next(const struct net *n);
/** Deliver everything due at the world's current time. */
void net_process(struct world *w);
/** A network event of the scenario (route, outage, server clock...). */
void net_event(struct world *w, const struct sc_event *e);
/** A random-walk step of the servers' clocks. */
void net_wander(struct world *w, double step_s);
void net_summary(const struct net *n, FILE *f);
/** One row of the per-packet CSV (net_out.c). */
void net_csv_row(struct world *w, const struct net_pkt *p, enum netpath_fate f, int64_t d);

/* ---- sockets (ids 0..NET_MAX_SOCKS-1) ---- */
int net_socket(struct world *w, int family);
void net_close(struct world *w, int id);
struct net_sock *net_sock(struct world *w, int id);
/** Host of address a (its port ignored), or -1. */
int net_host_of(const struct world *w, const struct net_addr *a);
bool net_addr_any(const struct net_addr *a);
int net_bind(struct world *w, int id, const struct net_addr *a);
/** AF_UNSPEC disconnects. Returns 0 or -errno (-ENETUNREACH off the scenario). */
int net_connect(struct world *w, int id, const struct net_addr *a);
/**
 * Send len bytes to dst (NULL: the connected peer) now. ts_flags: the
 * timestamping flags of this send (the socket's, or a control message's).
 * Returns len or -errno.
 */
long net_send(struct world *w, int id, const struct net_addr *dst, const void *data,
	      size_t len, int ts_flags);
/** A packet of len bytes (NULL: no memory), and putting one in flight
 *  (t_sent, host, dir, addresses set): its path is drawn, it is counted. */
struct net_pkt *net_pkt_new(const void *data, size_t len);
void net_launch(struct world *w, struct net_pkt *p);
/** Take (or with peek, look at) the head of the receive or error queue. */
struct net_pkt *net_pop(struct world *w, int id, bool err, bool peek);

#endif
