// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The faked NETLINK_ROUTE socket through an unchanged libnl-3 (bond.scn):
 * an RTM_GETLINK dump (members, master, the bond's active slave), one link
 * by name, RTNLGRP_LINK notifications at the scenario's times (a failover
 * with IFLA_EVENT_BONDING_FAILOVER, carrier loss, a member released and
 * one enslaved), ENOBUFS at a netlink_overrun, ETHTOOL_GET_TS_INFO on the
 * bond following its active member, and the reference behind the bond.
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/rtnetlink.h>

#include "tap.h"

#define NS 1000000000LL

struct link {
	int index, master, active, oper;
	bool failover;
	char name[IFNAMSIZ];
};

static struct link last;	/* the last link message parsed */
static int nlinks, nfailover;
static struct link links[16];

static int on_link(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *bd[IFLA_BOND_MAX + 1];
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg *ifi = nlmsg_data(h);

	(void)arg;
	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_SKIP;
	memset(&last, 0, sizeof(last));
	last.index = ifi->ifi_index;
	if (tb[IFLA_IFNAME])
		snprintf(last.name, sizeof(last.name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	last.master = tb[IFLA_MASTER] ? (int)nla_get_u32(tb[IFLA_MASTER]) : 0;
	last.oper = tb[IFLA_OPERSTATE] ? nla_get_u8(tb[IFLA_OPERSTATE]) : -1;
	last.failover = tb[IFLA_EVENT] && nla_get_u32(tb[IFLA_EVENT]) == IFLA_EVENT_BONDING_FAILOVER;
	if (tb[IFLA_LINKINFO] && nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    li[IFLA_INFO_KIND] && !strcmp(nla_get_string(li[IFLA_INFO_KIND]), "bond") &&
	    li[IFLA_INFO_DATA] && nla_parse_nested(bd, IFLA_BOND_MAX, li[IFLA_INFO_DATA], NULL) == 0)
		last.active = bd[IFLA_BOND_ACTIVE_SLAVE] ? (int)nla_get_u32(bd[IFLA_BOND_ACTIVE_SLAVE]) : 0;
	if (nlinks < 16)
		links[nlinks++] = last;
	nfailover += last.failover;
	return NL_OK;
}

static struct link *find(const char *name)
{
	for (int i = nlinks - 1; i >= 0; i--)
		if (!strcmp(links[i].name, name))
			return &links[i];
	return NULL;
}

static int ts_phc(const char *ifname)
{
	struct ethtool_ts_info info = { .cmd = ETHTOOL_GET_TS_INFO };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	r = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return r < 0 ? -2 : info.phc_index;
}

static void test_dump(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link *b, *e0, *e1;
	int r;

	check(nl_connect(sk, NETLINK_ROUTE) == 0, "nl_connect", "-");
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_link, NULL);
	r = nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	check(r >= 0, "dump_sent", "%d", r);
	r = nl_recvmsgs_default(sk);
	check(r == 0 && nlinks == 4, "dump_links", "r %d links %d", r, nlinks);
	b = find("bond0");
	e0 = find("eth0");
	e1 = find("eth1");
	check(b && e0 && e1 && b->active == e0->index && e0->master == b->index &&
	      e1->master == b->index && !find("eth2")->master, "dump_bond",
	      "active %d", b ? b->active : -1);
	check(e0 && e0->oper == IF_OPER_UP && b->oper == IF_OPER_UP, "dump_operstate", "-");
	check(b && (int)if_nametoindex("bond0") == b->index, "bond_ifindex", "-");
	check(ts_phc("bond0") == 0 && ts_phc("eth1") == 1, "ethtool_bond_active",
	      "%d", ts_phc("bond0"));
	nl_socket_free(sk);
}

/* Wait for notifications until virtual monotonic time `until`. */
static int listen_until(struct nl_sock *sk, int64_t until, int *enobufs)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
	int64_t now;
	int n = 0, r;

	while ((now = now_ns(CLOCK_MONOTONIC)) < until) {
		if (poll(&p, 1, (int)((until - now + 999999) / 1000000)) <= 0)
			continue;
		r = nl_recvmsgs_default(sk);
		if (r == -NLE_NOMEM || r == -NLE_DUMP_INTR || r == -NLE_BUSY)
			(*enobufs)++;
		n++;
	}
	return n;
}

static void test_events(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct link *b;
	int enobufs = 0;

	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_link, NULL);
	nl_connect(sk, NETLINK_ROUTE);
	nl_socket_add_membership(sk, RTNLGRP_LINK);
	nl_socket_set_nonblocking(sk);
	nlinks = nfailover = 0;
	listen_until(sk, t0 + 4 * NS, &enobufs);
	check(nlinks == 0, "quiet_before_failover", "%d", nlinks);
	listen_until(sk, t0 + 5 * NS + 1000, &enobufs);
	b = find("bond0");
	check(b && b->failover && b->active == (int)if_nametoindex("eth1") && nfailover == 1,
	      "failover_notified", "links %d failovers %d", nlinks, nfailover);
	check(ts_phc("bond0") == 1, "ethtool_follows_failover", "%d", ts_phc("bond0"));
	listen_until(sk, t0 + 8 * NS + 1000, &enobufs);
	check(find("eth1") && find("eth1")->oper == IF_OPER_DOWN && find("bond0")->failover &&
	      find("bond0")->active == (int)if_nametoindex("eth0"), "carrier_loss_fails_over", "-");
	listen_until(sk, t0 + 10 * NS + 1000, &enobufs);
	check(find("eth0") && find("eth0")->master == 0 && find("bond0")->active == 0 &&
	      find("bond0")->oper == IF_OPER_DOWN, "release_leaves_no_active", "-");
	nlinks = 0;
	listen_until(sk, t0 + 12 * NS + 1000, &enobufs);
	check(enobufs == 1, "overrun_enobufs", "%d", enobufs);
	listen_until(sk, t0 + 14 * NS + 1000, &enobufs);
	check(find("eth2") && find("eth2")->master == (int)if_nametoindex("bond0") &&
	      find("bond0")->active == (int)if_nametoindex("eth2"), "enslave_becomes_active", "-");
	nl_socket_free(sk);
}

int main(void)
{
	test_dump();
	test_events();
	return tap_failed ? 1 : 0;
}
