/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file nlmsg.h
 * rtnetlink messages about the scenario's interfaces and bonds (nlmsg.c),
 * for the faked NETLINK_ROUTE sockets (netlink.c) and their unit test.
 * Each builder writes one message into buf and returns its length, or 0 if
 * cap is too small.
 */
#ifndef GNOMON_SIM_NLMSG_H
#define GNOMON_SIM_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "tests/sim/world.h"

#define SIM_IFINDEX_BASE 1000	/* simulated interfaces are 1000, 1001, ... */

/** RTM_NEWLINK for interface iface (a member, a bond or neither). */
size_t nlmsg_link(const struct world *w, int iface, bool failover, uint16_t flags,
		  uint32_t seq, uint32_t pid, void *buf, size_t cap);
/** NLMSG_DONE closing a dump. */
size_t nlmsg_done(uint32_t seq, uint32_t pid, void *buf, size_t cap);
/** NLMSG_ERROR answering req with err (-errno; 0 is an ACK). */
size_t nlmsg_error(const struct nlmsghdr *req, int err, uint32_t pid, void *buf, size_t cap);

#endif
