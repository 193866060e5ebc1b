/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file iflink.h
 * Network interfaces as rtnetlink tells them (libnl-3): an RTM_GETLINK dump
 * on request, then RTNLGRP_LINK notifications, each turned into a flat link
 * record. Translates, does not decide: what a record means for a bond is
 * daemon/bond/'s business. No polling: the caller polls iflink_fd().
 */
#ifndef GNOMON_IFLINK_H
#define GNOMON_IFLINK_H

#include <stdbool.h>
#include <net/if.h>

struct nlmsghdr;

/** One RTM_NEWLINK / RTM_DELLINK, flattened. Indexes are ifindexes, 0 = none. */
struct iflink_rec {
	int index;
	char name[IF_NAMESIZE];
	int master;		/**< IFLA_MASTER: the bond (or bridge) it is enslaved to */
	bool is_bond;		/**< IFLA_LINKINFO / IFLA_INFO_KIND "bond" */
	int active_slave;	/**< bond: IFLA_BOND_ACTIVE_SLAVE, 0 = none */
	bool up;		/**< IFLA_OPERSTATE up (or unknown with IFF_LOWER_UP) */
	bool failover;		/**< IFLA_EVENT = IFLA_EVENT_BONDING_FAILOVER */
	bool deleted;		/**< RTM_DELLINK */
};

/**
 * Flatten one netlink message. Pure (unit-tested on built messages).
 * @return 0, -ENOMSG (not a link message), -EINVAL (malformed).
 */
int iflink_parse(const struct nlmsghdr *h, struct iflink_rec *out);

struct iflink;

/** Called for every link record; rec NULL: a dump just ended. */
typedef void (*iflink_cb)(void *arg, const struct iflink_rec *rec);

/** Open a NETLINK_ROUTE socket in RTNLGRP_LINK, non-blocking. NULL and *err = -errno. */
struct iflink *iflink_open(iflink_cb cb, void *arg, int *err);
/** Accepts NULL. */
void iflink_close(struct iflink *l);
/** The descriptor to poll for POLLIN. */
int iflink_fd(const struct iflink *l);
/** Ask for a dump of every link (answers arrive through iflink_receive). */
int iflink_request_dump(struct iflink *l);
/** Wait (blocking in poll) until the dump asked for has ended, at most timeout_ms. */
int iflink_wait_dump(struct iflink *l, int timeout_ms);
/**
 * Read everything queued, calling cb per record.
 * @return 0, -ENOBUFS (notifications were lost: ask for a fresh dump), -errno.
 */
int iflink_receive(struct iflink *l);

#endif
