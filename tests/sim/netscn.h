/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file netscn.h
 * The network of a scenario (format: tests/sim/README.md, "The network"):
 * the simulated host's own addresses, and the remote hosts the program may
 * talk to over UDP, each with a path (one-way delay, jitter, loss,
 * reordering, per direction) and optionally an NTP server played by the
 * simulator. Pure data, filled by the scenario parser (netscn.c).
 *
 * Directions: SC_OUT is program -> host, SC_IN is host -> program.
 */
#ifndef GNOMON_SIM_NETSCN_H
#define GNOMON_SIM_NETSCN_H

#include <stdbool.h>
#include <stdint.h>

#define SC_MAX_HOSTS	16
#define SC_MAX_ADDRS	4
#define SC_HOST_NAME	32
#define SC_OUT		0	/**< program -> host */
#define SC_IN		1	/**< host -> program */
#define SC_HOST_ALL	(-2)	/**< an event's host: every host ("all") */

/** An IP address: family AF_INET (a[0..3]) or AF_INET6 (a[0..15]). */
struct sc_addr {
	int family;
	unsigned char a[16];
};

enum sc_jitter { SC_JIT_EXP, SC_JIT_NORMAL };

/** One direction of a path. */
struct sc_path_dir {
	double delay_ns;	/**< base one-way delay */
	double jitter_ns;	/**< exp: mean of the extra; normal: sigma */
	enum sc_jitter dist;
	double loss;		/**< probability a packet is lost, 0..1 */
	double reorder;		/**< probability of an extra reorder_ns, 0..1 */
	double reorder_ns;	/**< the extra delay of a reordered packet */
};

enum sc_leap_mode {
	SC_LEAP_AUTO,		/**< LI=1/2 on the last UTC day before a scenario leap */
	SC_LEAP_NONE,		/**< never announces (misses the leap) */
	SC_LEAP_INSERT,		/**< LI=1 all the time (wrong on purpose) */
	SC_LEAP_DELETE,		/**< LI=2 all the time (wrong on purpose) */
	SC_LEAP_ALARM,		/**< LI=3: not synchronised */
};

/** The NTP server a host plays (port 123). */
struct sc_ntp {
	bool on;
	double offset_ns;	/**< its clock against true UTC at the start */
	double freq_ppm;	/**< + = fast */
	double wander_ppb;	/**< random walk, ppb/sqrt(s) */
	int stratum;		/**< 1..15 */
	int precision;		/**< log2 s */
	unsigned char refid[4];	/**< as sent */
	double root_delay_ns, root_disp_ns;
	enum sc_leap_mode leap;
	bool smear;		/**< serves the 24 h linear smear (noon to noon), LI=0 */
	double proc_ns;		/**< receive to the transmit timestamp at the server */
	double tx_delay_ns;	/**< transmit timestamp to the answer leaving */
};

/** The NTP client a host plays (tests/sim/ntpclient.h): it queries the
 *  program's server. */
struct sc_client {
	bool on;
	double interval_ns;	/**< between requests */
	double start_ns;	/**< the first, from the start (default 1 s) */
	int port;		/**< the program's port (default 123) */
};

struct sc_host {
	char name[SC_HOST_NAME];
	int line;
	int naddr;
	struct sc_addr addr[SC_MAX_ADDRS];
	struct sc_path_dir dir[2];	/**< [SC_OUT], [SC_IN] */
	struct sc_ntp ntp;
	struct sc_client client;
};

struct sc_net {
	int nlocal;
	struct sc_addr local[SC_MAX_ADDRS];	/**< the simulated host's own */
	int nhosts;
	struct sc_host hosts[SC_MAX_HOSTS];
};

/** Parse "a.b.c.d" or an IPv6 literal. Returns 0 or -EINVAL. */
int sc_parse_addr(const char *s, struct sc_addr *a);
bool sc_addr_eq(const struct sc_addr *x, const struct sc_addr *y);
/** Host whose name or one of whose addresses is s, or -1. */
int sc_net_host(const struct sc_net *n, const char *s);

#endif
