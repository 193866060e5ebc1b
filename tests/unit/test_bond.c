// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bonds without the kernel: rtnetlink messages built with libnl flattened
 * by iflink_parse() (bond kind, active slave, master, operstate, the
 * failover event, a deletion), and the link table's bond views and their
 * differences (order independent, a fresh dump sweeping what it did not
 * list, a failover, members leaving and joining, carrier changes).
 */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "daemon/bond/linktable.h"
#include "phc/iflink.h"

Suite *unit_suite(void);

static struct nl_msg *link_msg(int type, int index, const char *name, int master, bool bond,
			       int active, int oper, bool failover)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct nl_msg *m = nlmsg_alloc_simple(type, 0);
	struct nlattr *li, *data;

	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, name);
	nla_put_u8(m, IFLA_OPERSTATE, (uint8_t)oper);
	if (master)
		nla_put_u32(m, IFLA_MASTER, (uint32_t)master);
	if (bond) {
		li = nla_nest_start(m, IFLA_LINKINFO);
		nla_put_string(m, IFLA_INFO_KIND, "bond");
		data = nla_nest_start(m, IFLA_INFO_DATA);
		if (active)
			nla_put_u32(m, IFLA_BOND_ACTIVE_SLAVE, (uint32_t)active);
		nla_nest_end(m, data);
		nla_nest_end(m, li);
	}
	if (failover)
		nla_put_u32(m, IFLA_EVENT, IFLA_EVENT_BONDING_FAILOVER);
	return m;
}

static struct iflink_rec parse(int type, int index, const char *name, int master, bool bond,
			       int active, int oper, bool failover)
{
	struct nl_msg *m = link_msg(type, index, name, master, bond, active, oper, failover);
	struct iflink_rec r;

	ck_assert_int_eq(iflink_parse(nlmsg_hdr(m), &r), 0);
	nlmsg_free(m);
	return r;
}

START_TEST(parse_messages)
{
	struct iflink_rec r = parse(RTM_NEWLINK, 7, "bond0", 0, true, 5, 6, true);
	struct nl_msg *m;

	ck_assert_int_eq(r.index, 7);
	ck_assert_str_eq(r.name, "bond0");
	ck_assert(r.is_bond && r.up && r.failover && !r.deleted);
	ck_assert_int_eq(r.active_slave, 5);
	r = parse(RTM_NEWLINK, 5, "eth0", 7, false, 0, 2, false);
	ck_assert(!r.is_bond && !r.up && !r.failover);
	ck_assert_int_eq(r.master, 7);
	r = parse(RTM_DELLINK, 5, "eth0", 0, false, 0, 2, false);
	ck_assert(r.deleted);
	m = nlmsg_alloc_simple(RTM_NEWADDR, 0);
	ck_assert_int_eq(iflink_parse(nlmsg_hdr(m), &r), -ENOMSG);
	nlmsg_free(m);
}
END_TEST

static void feed(struct linktable *t, int index, const char *name, int master, bool bond,
		 int active, bool up)
{
	struct iflink_rec r = parse(RTM_NEWLINK, index, name, master, bond, active, up ? 6 : 2,
				    false);

	ck_assert_int_eq(linktable_update(t, &r), 0);
}

START_TEST(views_and_differences)
{
	struct linktable *t = linktable_create();
	struct bond_view a, b;
	struct bond_delta d;

	feed(t, 3, "eth1", 9, false, 0, true);	/* a member before its bond */
	feed(t, 2, "eth0", 9, false, 0, true);
	feed(t, 4, "eth2", 0, false, 0, true);
	linktable_bond(t, "bond0", &a);
	ck_assert(!a.found);
	feed(t, 9, "bond0", 0, true, 2, true);
	linktable_bond(t, "bond0", &b);
	ck_assert(b.found && b.n == 2 && b.active == 0);
	ck_assert_str_eq(b.m[0].name, "eth0");
	ck_assert(bond_diff(&a, &b, &d) && d.appeared && d.n_joined == 2);
	a = b;
	feed(t, 9, "bond0", 0, true, 3, true);	/* failover */
	feed(t, 2, "eth0", 9, false, 0, false);	/* its carrier went */
	linktable_bond(t, "bond0", &b);
	ck_assert(bond_diff(&a, &b, &d));
	ck_assert(d.active_changed && d.old_active == 2 && d.new_active == 3);
	ck_assert_int_eq(d.n_carrier, 1);
	a = b;
	feed(t, 2, "eth0", 0, false, 0, false);	/* released */
	feed(t, 4, "eth2", 9, false, 0, true);	/* enslaved */
	linktable_bond(t, "bond0", &b);
	ck_assert(bond_diff(&a, &b, &d) && d.n_left == 1 && d.left[0] == 2 && d.n_joined == 1);
	ck_assert(!bond_diff(&b, &b, &d));
	a = b;
	linktable_dump_begin(t);		/* a fresh dump without the bond */
	feed(t, 3, "eth1", 0, false, 0, true);
	linktable_dump_end(t);
	linktable_bond(t, "bond0", &b);
	ck_assert(bond_diff(&a, &b, &d) && d.vanished && d.new_active == 0);
	linktable_destroy(t);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("bond");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_messages);
	tcase_add_test(tc, views_and_differences);
	suite_add_tcase(s, tc);
	return s;
}
