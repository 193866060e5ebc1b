// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink messages about the scenario's interfaces, laid out as the
 * kernel's rtnl_fill_ifinfo() does for the attributes a bond watcher reads:
 * IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE, IFLA_CARRIER, IFLA_MASTER,
 * IFLA_LINKINFO (IFLA_INFO_KIND "bond" with IFLA_BOND_MODE and
 * IFLA_BOND_ACTIVE_SLAVE; on a member IFLA_INFO_SLAVE_KIND "bond" with
 * IFLA_BOND_SLAVE_STATE) and IFLA_EVENT on a failover.
 */
#include <string.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "tests/sim/nlmsg.h"

struct nlbuf {
	unsigned char *p;
	size_t len, cap;
	bool full;
};

static void *put(struct nlbuf *b, size_t n)
{
	size_t a = NLMSG_ALIGN(n);
	void *r;

	if (b->full || b->len + a > b->cap) {
		b->full = true;
		return NULL;
	}
	r = b->p + b->len;
	memset(r, 0, a);
	b->len += a;
	return r;
}

static size_t attr(struct nlbuf *b, unsigned short type, const void *data, size_t n)
{
	size_t at = b->len;
	struct rtattr *a = put(b, RTA_LENGTH(n));

	if (!a)
		return at;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(n);
	if (n)
		memcpy(RTA_DATA(a), data, n);
	return at;
}

static void attr_u32(struct nlbuf *b, unsigned short type, uint32_t v)
{
	attr(b, type, &v, sizeof(v));
}

static void attr_u8(struct nlbuf *b, unsigned short type, uint8_t v)
{
	attr(b, type, &v, sizeof(v));
}

static size_t nest_start(struct nlbuf *b, unsigned short type)
{
	return attr(b, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct nlbuf *b, size_t at)
{
	if (!b->full)
		((struct rtattr *)(b->p + at))->rta_len = (unsigned short)(b->len - at);
}

static void linkinfo(struct nlbuf *b, const struct world *w, int iface, int bond)
{
	int master = bond_master(w, iface);
	size_t li, data;

	if (bond >= 0) {
		li = nest_start(b, IFLA_LINKINFO);
		attr(b, IFLA_INFO_KIND, "bond", 5);
		data = nest_start(b, IFLA_INFO_DATA);
		attr_u8(b, IFLA_BOND_MODE, 1);	/* BOND_MODE_ACTIVEBACKUP */
		if (w->bond[bond].active >= 0)
			attr_u32(b, IFLA_BOND_ACTIVE_SLAVE,
				 (uint32_t)(SIM_IFINDEX_BASE + w->bond[bond].active));
		nest_end(b, data);
		nest_end(b, li);
	} else if (master >= 0) {
		li = nest_start(b, IFLA_LINKINFO);
		attr(b, IFLA_INFO_SLAVE_KIND, "bond", 5);
		data = nest_start(b, IFLA_INFO_SLAVE_DATA);
		attr_u8(b, IFLA_BOND_SLAVE_STATE, w->bond[master].active == iface ? 0 : 1);
		attr_u8(b, IFLA_BOND_SLAVE_MII_STATUS, w->carrier[iface] ? 0 : 2);
		nest_end(b, data);
		nest_end(b, li);
	}
}

static bool link_up(const struct world *w, int iface, int bond)
{
	return bond >= 0 ? w->bond[bond].active >= 0 : w->carrier[iface];
}

size_t nlmsg_link(const struct world *w, int iface, bool failover, uint16_t flags,
		  uint32_t seq, uint32_t pid, void *buf, size_t cap)
{
	struct nlbuf b = { .p = buf, .cap = cap };
	int bond = scenario_bond_of(&w->sc, iface), master = bond_master(w, iface);
	bool up = link_up(w, iface, bond);
	struct nlmsghdr *h = put(&b, sizeof(*h));
	struct ifinfomsg *ifi = put(&b, sizeof(*ifi));
	const char *name = w->sc.ifaces[iface].name;

	if (!h || !ifi)
		return 0;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = SIM_IFINDEX_BASE + iface;
	ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST |
			 (up ? IFF_RUNNING | IFF_LOWER_UP : 0) |
			 (bond >= 0 ? IFF_MASTER : 0) | (master >= 0 ? IFF_SLAVE : 0);
	attr(&b, IFLA_IFNAME, name, strlen(name) + 1);
	attr_u32(&b, IFLA_MTU, 1500);
	attr_u8(&b, IFLA_OPERSTATE, up ? IF_OPER_UP : IF_OPER_DOWN);
	attr_u8(&b, IFLA_CARRIER, up);
	if (master >= 0)
		attr_u32(&b, IFLA_MASTER, (uint32_t)(SIM_IFINDEX_BASE + w->sc.bonds[master].iface));
	linkinfo(&b, w, iface, bond);
	if (failover)
		attr_u32(&b, IFLA_EVENT, IFLA_EVENT_BONDING_FAILOVER);
	if (b.full)
		return 0;
	h->nlmsg_len = (uint32_t)b.len;
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = pid;
	return b.len;
}

size_t nlmsg_done(uint32_t seq, uint32_t pid, void *buf, size_t cap)
{
	struct nlmsghdr *h = buf;
	size_t n = NLMSG_LENGTH(sizeof(int));

	if (cap < n)
		return 0;
	memset(buf, 0, n);
	h->nlmsg_len = (uint32_t)n;
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = pid;
	return n;
}

size_t nlmsg_error(const struct nlmsghdr *req, int err, uint32_t pid, void *buf, size_t cap)
{
	struct nlmsghdr *h = buf;
	struct nlmsgerr *e;
	size_t n = NLMSG_LENGTH(sizeof(*e));

	if (cap < n)
		return 0;
	memset(buf, 0, n);
	h->nlmsg_len = (uint32_t)n;
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = err ? 0 : NLM_F_CAPPED;
	h->nlmsg_seq = req->nlmsg_seq;
	h->nlmsg_pid = pid;
	e = NLMSG_DATA(h);
	e->error = err;
	e->msg = *req;
	e->msg.nlmsg_len = sizeof(*req);
	return n;
}
