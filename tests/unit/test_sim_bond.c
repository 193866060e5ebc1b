// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's bonds without the preload: scenario lines and their
 * errors, the kernel's active-backup rules (failover, carrier loss, release,
 * enslave), the notifications logged for netlink, the rtnetlink message of
 * a bond and of a member, the reference behind the bond (slew, fault, step)
 * and a PHC reset.
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "tests/sim/nlmsg.h"
#include "tests/sim/world.h"

Suite *unit_suite(void);

#define S 1000000000LL

static struct scenario sc;

static const char base[] =
	"duration 100\n"
	"phc ptp0\n\toffset 500us\n\tfreq 30ppm\n"
	"phc ptp1\n\toffset -2ms\n"
	"interface eth0 ptp0\ninterface eth1 ptp1\ninterface eth2 ptp1\n"
	"bond bond0 eth0 eth1 eth2\n"
	"ptp4l_fault_s 5\nptp4l_step 1ms\n"
	"at 20 failover bond0 eth1\n"
	"at 30 carrier eth1 down\n"
	"at 40 release bond0 eth0\n"
	"at 50 phc_reset ptp0\n";

static struct world *make(const char *text)
{
	struct world_opts o = { 0 };
	char err[256];
	struct world *w;

	ck_assert_msg(scenario_parse(&sc, text, "t", err, sizeof(err)) == 0, "%s", err);
	w = world_create(&sc, &o, err, sizeof(err));
	ck_assert_msg(w != NULL, "%s", err);
	return w;
}

static void parse_fails(const char *text, const char *msg)
{
	char err[256];

	ck_assert_int_ne(scenario_parse(&sc, text, "t", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, msg) != NULL, "'%s' lacks '%s'", err, msg);
}

START_TEST(scenario_lines)
{
	struct world *w = make(base);

	ck_assert_int_eq(sc.nbonds, 1);
	ck_assert_int_eq(sc.nifaces, 4);
	ck_assert_int_eq(scenario_bond(&sc, "bond0"), 0);
	ck_assert_int_eq(sc.bonds[0].nmembers, 3);
	ck_assert_int_eq(sc.ptp4l.fault_ns, 5 * S);
	ck_assert_int_eq(sc.events[0].kind, SC_EV_FAILOVER);
	ck_assert_int_eq(sc.events[0].iface, 1);
	world_destroy(w);
	parse_fails("duration 9\nbond b eth0\n", "t:2: bond: member eth0 is not a declared");
	parse_fails("duration 9\ninterface e none\nbond b e\nbond c e\n", "already a member");
	parse_fails("duration 9\ninterface e none\nbond b e\nat 1 failover e e\n",
		    "'e' is not a declared bond");
	parse_fails("duration 9\ninterface e none\nat 1 carrier e sideways\n", "up|down");
	parse_fails("duration 9\nphc ptp0\n\treference\ninterface e ptp0\nbond b e\n",
		    "'reference'");
}
END_TEST

START_TEST(kernel_rules_and_notifications)
{
	struct world *w = make(base);
	uint32_t seq;

	ck_assert_int_eq(w->bond[0].active, 0);
	ck_assert_int_eq(bond_iface_phc(w, 3), 0);
	world_advance_to(w, w->t0 + 20 * S);
	ck_assert_int_eq(w->bond[0].active, 1);
	ck_assert_int_eq(bond_iface_phc(w, 3), 1);
	ck_assert_uint_eq(w->link_seq, 3);	/* old, new, the bond with the event */
	ck_assert(w->link_log[2].failover && w->link_log[2].iface == 3);
	seq = w->link_seq;
	world_advance_to(w, w->t0 + 30 * S);	/* carrier loss: to the next one up */
	ck_assert_int_eq(w->bond[0].active, 0);
	ck_assert_uint_eq(w->link_seq, seq + 4);
	world_advance_to(w, w->t0 + 40 * S);	/* the active one leaves */
	ck_assert_int_eq(w->bond[0].active, 2);
	ck_assert_int_eq(bond_master(w, 0), -1);
	ck_assert_int_eq(w->bond[0].failovers, 3);
	world_destroy(w);
}
END_TEST

static struct rtattr *find(struct rtattr *a, int len, int type)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if ((a->rta_type & ~NLA_F_NESTED) == type)
			return a;
	return NULL;
}

START_TEST(link_messages)
{
	struct world *w = make(base);
	unsigned char buf[1024];
	struct nlmsghdr *h = (void *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a0, *li, *data, *act;
	size_t n;
	int len;

	world_advance_to(w, w->t0 + 20 * S);
	n = nlmsg_link(w, 3, true, NLM_F_MULTI, 7, 42, buf, sizeof(buf));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(h->nlmsg_len, n);
	ck_assert_int_eq(h->nlmsg_type, RTM_NEWLINK);
	ck_assert_int_eq(h->nlmsg_seq, 7);
	ck_assert_int_eq(ifi->ifi_index, SIM_IFINDEX_BASE + 3);
	ck_assert(ifi->ifi_flags & IFF_MASTER);
	a0 = IFLA_RTA(ifi);
	len = (int)IFLA_PAYLOAD(h);
	ck_assert_str_eq(RTA_DATA(find(a0, len, IFLA_IFNAME)), "bond0");
	ck_assert_uint_eq(*(uint32_t *)RTA_DATA(find(a0, len, IFLA_EVENT)),
			  IFLA_EVENT_BONDING_FAILOVER);
	li = find(a0, len, IFLA_LINKINFO);
	ck_assert_str_eq(RTA_DATA(find(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_KIND)), "bond");
	data = find(RTA_DATA(li), (int)RTA_PAYLOAD(li), IFLA_INFO_DATA);
	act = find(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_BOND_ACTIVE_SLAVE);
	ck_assert_uint_eq(*(uint32_t *)RTA_DATA(act), SIM_IFINDEX_BASE + 1);
	n = nlmsg_link(w, 0, false, 0, 0, 0, buf, sizeof(buf));
	a0 = IFLA_RTA(ifi);
	len = (int)IFLA_PAYLOAD(h);
	ck_assert(ifi->ifi_flags & IFF_SLAVE);
	ck_assert_uint_eq(*(uint32_t *)RTA_DATA(find(a0, len, IFLA_MASTER)), SIM_IFINDEX_BASE + 3);
	ck_assert_uint_eq(nlmsg_link(w, 0, false, 0, 0, 0, buf, 40), 0);	/* too small */
	world_destroy(w);
}
END_TEST

START_TEST(reference_slews_faults_steps)
{
	struct world *w = make(base);

	world_advance_to(w, w->t0 + 19 * S);	/* slewed in: below the 1 ms step */
	ck_assert_double_lt(fabs(phc_offset(w, 1)), 100);
	ck_assert_double_gt(fabs(phc_offset(w, 2)), 1e6);
	world_advance_to(w, w->t0 + 24 * S);	/* faulted: nobody on ptp1 yet */
	ck_assert_double_gt(fabs(phc_offset(w, 2)), 1e6);
	world_advance_to(w, w->t0 + 26 * S);	/* stepped in at 25 s */
	ck_assert_double_lt(fabs(phc_offset(w, 2)), 1);
	world_advance_to(w, w->t0 + 50 * S);	/* reset: 1970 */
	ck_assert_double_lt(phc_offset(w, 1), -1e18);
	ck_assert_int_eq(w->phc[1].dialed, 0);
	world_destroy(w);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_bond");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, scenario_lines);
	tcase_add_test(tc, kernel_rules_and_notifications);
	tcase_add_test(tc, link_messages);
	tcase_add_test(tc, reference_slews_faults_steps);
	suite_add_tcase(s, tc);
	return s;
}
