/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntps_addr.h
 * The NTP server's addresses, pure: the listen list of `ntp_serve`
 * (ADDR:PORT, [IPV6]:PORT, ADDR; port 123 when none), the networks of
 * `ntp_allow` (NET/LEN or ADDR), a client's address as a network of full
 * length (an IPv4-mapped IPv6 address is the IPv4 one), and matching.
 */
#ifndef GNOMON_NTPS_ADDR_H
#define GNOMON_NTPS_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NTPS_MAX_LISTEN	4	/**< addresses in ntp_serve */
#define NTPS_MAX_ALLOW	32	/**< networks in ntp_allow */

/** An address or a network: family AF_INET (a[0..3]) or AF_INET6. */
struct ntps_net {
	int family;
	uint8_t a[16];
	int len;		/**< prefix length: 0..32 or 0..128 */
};

/** One listen address. */
struct ntps_listen {
	struct sockaddr_storage ss;
	socklen_t sslen;
	char text[64];		/**< as written */
};

/**
 * Parse the blank-separated list of ntp_serve: 0 and *n set, or -EINVAL
 * with msg naming the word that is wrong (more than max words too).
 */
int ntps_parse_listen(const char *list, struct ntps_listen *out, int max, int *n,
		      char *msg, size_t len);
/** Parse the blank-separated networks of ntp_allow: as ntps_parse_listen();
 *  a network with bits set beyond its length is refused. */
int ntps_parse_allow(const char *list, struct ntps_net *out, int max, int *n,
		     char *msg, size_t len);
/** sa as a full-length network (v4-mapped IPv6 as IPv4); family 0 if
 *  sa is neither IPv4 nor IPv6. */
void ntps_addr_of(const struct sockaddr *sa, struct ntps_net *out);
/** addr (a full-length network) lies in net. */
bool ntps_net_contains(const struct ntps_net *net, const struct ntps_net *addr);
/** addr lies in one of allow[0..n). */
bool ntps_allowed(const struct ntps_net *allow, int n, const struct ntps_net *addr);
/** addr cut to len bits (the rest zeroed). */
void ntps_net_cut(const struct ntps_net *addr, int len, struct ntps_net *out);
/** "192.0.2.0/24", "2001:db8::/64"; a full-length one without "/LEN". */
void ntps_net_format(const struct ntps_net *n, char *buf, size_t len);

#endif
