// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink links through libnl-3: one NETLINK_ROUTE socket in RTNLGRP_LINK
 * (sequence checks off: notifications carry sequence 0), RTM_GETLINK dumps
 * on request, messages flattened by iflink_parse(). libnl reports a
 * receive buffer overrun (ENOBUFS) as NLE_NOMEM: that is -ENOBUFS here.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "phc/iflink.h"

/* linux/if.h, which clashes with the net/if.h of iflink.h */
#define OPER_UNKNOWN	0	/* IF_OPER_UNKNOWN */
#define OPER_UP		6	/* IF_OPER_UP */
#define LOWER_UP	0x10000	/* IFF_LOWER_UP */

struct iflink {
	struct nl_sock *sk;
	iflink_cb cb;
	void *arg;
	bool dumping;
};

static void parse_linkinfo(struct nlattr *li_attr, struct iflink_rec *r)
{
	struct nlattr *li[IFLA_INFO_MAX + 1], *bd[IFLA_BOND_MAX + 1];

	if (nla_parse_nested(li, IFLA_INFO_MAX, li_attr, NULL) < 0 || !li[IFLA_INFO_KIND])
		return;
	if (strncmp(nla_data(li[IFLA_INFO_KIND]), "bond", (size_t)nla_len(li[IFLA_INFO_KIND])))
		return;
	r->is_bond = true;
	if (li[IFLA_INFO_DATA] &&
	    nla_parse_nested(bd, IFLA_BOND_MAX, li[IFLA_INFO_DATA], NULL) == 0 &&
	    bd[IFLA_BOND_ACTIVE_SLAVE] && nla_len(bd[IFLA_BOND_ACTIVE_SLAVE]) >= 4)
		r->active_slave = (int)nla_get_u32(bd[IFLA_BOND_ACTIVE_SLAVE]);
}

static uint32_t u32_or(struct nlattr *a, uint32_t def)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : def;
}

int iflink_parse(const struct nlmsghdr *h, struct iflink_rec *r)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	int oper = OPER_UNKNOWN;

	if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
		return -ENOMSG;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	if (nlmsg_parse((struct nlmsghdr *)(uintptr_t)h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	ifi = nlmsg_data(h);
	memset(r, 0, sizeof(*r));
	r->index = ifi->ifi_index;
	r->deleted = h->nlmsg_type == RTM_DELLINK;
	if (tb[IFLA_IFNAME])
		snprintf(r->name, sizeof(r->name), "%.*s", nla_len(tb[IFLA_IFNAME]),
			 (const char *)nla_data(tb[IFLA_IFNAME]));
	r->master = (int)u32_or(tb[IFLA_MASTER], 0);
	if (tb[IFLA_OPERSTATE] && nla_len(tb[IFLA_OPERSTATE]) >= 1)
		oper = nla_get_u8(tb[IFLA_OPERSTATE]);
	r->up = oper == OPER_UP || (oper == OPER_UNKNOWN && (ifi->ifi_flags & LOWER_UP));
	r->failover = u32_or(tb[IFLA_EVENT], 0) == IFLA_EVENT_BONDING_FAILOVER;
	if (tb[IFLA_LINKINFO])
		parse_linkinfo(tb[IFLA_LINKINFO], r);
	return 0;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct iflink *l = arg;
	struct iflink_rec r;

	if (iflink_parse(nlmsg_hdr(msg), &r) == 0)
		l->cb(l->arg, &r);
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct iflink *l = arg;

	(void)msg;
	if (l->dumping) {
		l->dumping = false;
		l->cb(l->arg, NULL);
	}
	return NL_OK;
}

static int nlerr(int e)
{
	switch (-e) {
	case NLE_NOMEM: return -ENOBUFS;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_BAD_SOCK: return -EBADF;
	default: return -EIO;
	}
}

struct iflink *iflink_open(iflink_cb cb, void *arg, int *err)
{
	struct iflink *l = calloc(1, sizeof(*l));
	int r;

	if (!l || !(l->sk = nl_socket_alloc())) {
		free(l);
		*err = -ENOMEM;
		return NULL;
	}
	l->cb = cb;
	l->arg = arg;
	nl_socket_disable_seq_check(l->sk);
	nl_socket_disable_auto_ack(l->sk);
	nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, l);
	nl_socket_modify_cb(l->sk, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, l);
	if ((r = nl_connect(l->sk, NETLINK_ROUTE)) < 0 ||
	    (r = nl_socket_add_membership(l->sk, RTNLGRP_LINK)) < 0 ||
	    (r = nl_socket_set_nonblocking(l->sk)) < 0) {
		*err = nlerr(r);
		iflink_close(l);
		return NULL;
	}
	return l;
}

void iflink_close(struct iflink *l)
{
	if (!l)
		return;
	nl_socket_free(l->sk);
	free(l);
}

int iflink_fd(const struct iflink *l)
{
	return nl_socket_get_fd(l->sk);
}

int iflink_request_dump(struct iflink *l)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int r = nl_send_simple(l->sk, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));

	if (r < 0)
		return nlerr(r);
	l->dumping = true;
	return 0;
}

int iflink_receive(struct iflink *l)
{
	int r;

	do {
		r = nl_recvmsgs_report(l->sk, nl_socket_get_cb(l->sk));
	} while (r > 0);
	if (r == 0 || r == -NLE_AGAIN)
		return 0;
	if (r == -NLE_NOMEM)
		l->dumping = false;	/* the dump itself may have been cut */
	return nlerr(r);
}

int iflink_wait_dump(struct iflink *l, int timeout_ms)
{
	struct pollfd p = { .fd = iflink_fd(l), .events = POLLIN };
	int r;

	while (l->dumping) {
		r = poll(&p, 1, timeout_ms);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if ((r = iflink_receive(l)) < 0)
			return r;
	}
	return 0;
}
