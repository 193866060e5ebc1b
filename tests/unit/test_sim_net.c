// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated network without the preload: the scenario's network keys
 * and their errors, path statistics over 10^5 packets (base delay, exp and
 * normal jitter, loss, reordering, route changes, outages), and the played
 * NTP server's answers (timestamps, fields, leap indicator, smear, KoD).
 */
#include <check.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/sim/netpath.h"
#include "tests/sim/ntpserver.h"
#include "tests/sim/scenario.h"

Suite *unit_suite(void);

#define S 1000000000LL
#define N 100000

static struct scenario sc;

static void parse(const char *text)
{
	char err[256];

	ck_assert_msg(scenario_parse(&sc, text, "t", err, sizeof(err)) == 0, "%s", err);
}

static void parse_fails(const char *text, const char *msg)
{
	char err[256] = "";

	ck_assert_int_ne(scenario_parse(&sc, text, "t.scn", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, msg) != NULL, "'%s' lacks '%s'", err, msg);
}

START_TEST(network_keys)
{
	const struct sc_host *h;

	parse("duration 200\nlocal_address 10.0.0.5\n"
	      "host a\n\taddress 192.0.2.1\n\taddress 2001:db8::1:1\n\tdelay 1ms\n"
	      "\tdelay_in 3ms\n\tjitter_out 20us normal\n\tloss 1%\n\treorder_in 0.1 2ms\n"
	      "\tntp\n\tstratum 3\n\trefid 10.1.2.3\n\toffset -50ms\n\tfreq 2ppm\n"
	      "\tleap none\n\troot_delay 1ms\n"
	      "host b\n\taddress 192.0.2.2\n\tsmear\n"
	      "at 10 time_jump b 20ms\nat 20 route a out 2ms\nat 30 outage a 5\n"
	      "at 40 kod b rate 10\nat 50 unreachable a 1min\nat 60 announce a delete\n");
	ck_assert_int_eq(sc.net.nhosts, 2);
	ck_assert_int_eq(sc.net.nlocal, 1);
	h = &sc.net.hosts[0];
	ck_assert_int_eq(h->naddr, 2);
	ck_assert_int_eq(h->addr[1].family, AF_INET6);
	ck_assert(h->dir[SC_OUT].delay_ns == 1e6 && h->dir[SC_IN].delay_ns == 3e6);
	ck_assert(h->dir[SC_OUT].jitter_ns == 20e3 && h->dir[SC_OUT].dist == SC_JIT_NORMAL);
	ck_assert(h->dir[SC_IN].jitter_ns == 0);
	ck_assert(h->dir[SC_OUT].loss == 0.01 && h->dir[SC_IN].loss == 0.01);
	ck_assert(h->dir[SC_IN].reorder == 0.1 && h->dir[SC_IN].reorder_ns == 2e6);
	ck_assert(h->dir[SC_OUT].reorder == 0);
	ck_assert(h->ntp.on && h->ntp.stratum == 3 && h->ntp.refid[0] == 10);
	ck_assert(h->ntp.offset_ns == -50e6 && h->ntp.freq_ppm == 2 && h->ntp.leap == SC_LEAP_NONE);
	ck_assert(sc.net.hosts[1].ntp.on && sc.net.hosts[1].ntp.smear);
	/* 5 events and 3 generated ends, in time order */
	ck_assert_int_eq(sc.nevents, 9);
	ck_assert_int_eq(sc.events[0].kind, SC_EV_HOST_STEP);
	ck_assert_int_eq(sc.events[0].host, 1);
	ck_assert_int_eq(sc.events[1].kind, SC_EV_ROUTE);
	ck_assert_int_eq(sc.events[1].dir, SC_OUT);
	ck_assert_int_eq(sc.events[3].kind, SC_EV_OUTAGE_END);
	ck_assert_int_eq(sc.events[3].at_ns, 35 * S);
	ck_assert_str_eq(sc.events[4].code, "RATE");
	ck_assert_int_eq(sc.events[7].kind, SC_EV_ANNOUNCE);
	ck_assert(sc.events[7].value == SC_LEAP_DELETE);
	ck_assert_int_eq(sc.events[8].kind, SC_EV_UNREACH_END);
}
END_TEST

START_TEST(network_errors)
{
	parse_fails("duration 10\nhost a\n\tdelay 1ms\n", "t.scn:2: host a: no address");
	parse_fails("duration 10\nhost a\n\taddress 1.2.3\n", "t.scn:3: address:");
	parse_fails("duration 10\nhost a\n\taddress 192.0.2.1\n\tnoise 1\n", "t.scn:4: noise: not a host key");
	parse_fails("duration 10\nhost a\n\taddress 192.0.2.1\n\tloss 120%\n", "t.scn:4:");
	parse_fails("duration 10\nhost a\n\taddress 192.0.2.1\n\tjitter 1ms pareto\n", "t.scn:4:");
	parse_fails("duration 10\nhost a\n\taddress 192.0.2.1\nhost b\n\taddress 192.0.2.1\n",
		    "address also of a");
	parse_fails("duration 10\nat 1 outage nohost 5\n", "t.scn:2: at: unknown host");
	parse_fails("duration 10\nhost all\n", "t.scn:2: host: 'all'");
	parse("duration 10\nhost a\n\taddress 192.0.2.1\nat 1 outage all 5\n");
	ck_assert_int_eq(sc.events[0].host, SC_HOST_ALL);
	parse_fails("duration 10\nhost a\n\taddress 192.0.2.1\n\tstratum 16\n", "t.scn:4:");
}
END_TEST

struct moments {
	double mean, sd, min, lost;
};

static struct moments draw(struct sc_path_dir *d, double route, bool outage)
{
	struct netpath p;
	struct moments m = { 0, 0, 1e18, 0 };
	double s = 0, s2 = 0;
	long ok = 0, i;

	netpath_init(&p, d, 7, 1);
	p.route_ns = route;
	p.outage = outage;
	for (i = 0; i < N; i++) {
		int64_t x;
		enum netpath_fate f = netpath_draw(&p, &x);

		if (f != NETPATH_OK) {
			m.lost++;
			continue;
		}
		ok++;
		s += (double)x;
		s2 += (double)x * (double)x;
		if (x < m.min)
			m.min = (double)x;
	}
	m.lost /= N;
	m.mean = ok ? s / (double)ok : 0;
	m.sd = ok ? sqrt(s2 / (double)ok - m.mean * m.mean) : 0;
	return m;
}

START_TEST(path_statistics)
{
	struct sc_path_dir d = { .delay_ns = 50e3, .jitter_ns = 20e3, .dist = SC_JIT_EXP };
	struct moments m = draw(&d, 0, false);

	/* exponential: mean base + J, sd J, 5 standard errors */
	ck_assert_msg(fabs(m.mean - 70e3) < 5 * 20e3 / sqrt(N), "mean %f", m.mean);
	ck_assert_msg(fabs(m.sd - 20e3) < 0.03 * 20e3, "sd %f", m.sd);
	ck_assert_msg(m.min >= 50e3 && m.min < 50e3 + 20, "min %f", m.min);
	ck_assert(m.lost == 0);
	d = (struct sc_path_dir){ .delay_ns = 10e6, .jitter_ns = 2e6, .dist = SC_JIT_NORMAL,
				  .loss = 0.01 };
	m = draw(&d, 0, false);
	ck_assert_msg(fabs(m.mean - 10e6) < 5 * 2e6 / sqrt(N), "mean %f", m.mean);
	ck_assert_msg(fabs(m.sd - 2e6) < 0.015 * 2e6, "sd %f", m.sd);
	ck_assert_msg(fabs(m.lost - 0.01) < 5 * sqrt(0.01 * 0.99 / N), "loss %f", m.lost);
	/* a route change adds to the base; an outage drops everything */
	m = draw(&d, 2e6, false);
	ck_assert_msg(fabs(m.mean - 12e6) < 5 * 2e6 / sqrt(N), "mean %f", m.mean);
	m = draw(&d, 0, true);
	ck_assert(m.lost == 1.0);
	/* reordering: 10 % get 1 ms more */
	d = (struct sc_path_dir){ .delay_ns = 1e6, .reorder = 0.1, .reorder_ns = 1e6 };
	m = draw(&d, 0, false);
	ck_assert_msg(fabs(m.mean - 1.1e6) < 5 * 1e6 * sqrt(0.09 / N), "mean %f", m.mean);
}
END_TEST

static size_t answer(struct ntpsrv *s, const uint8_t *req, int64_t t_rx, int64_t t_tx,
		     uint8_t *r)
{
	struct ntpsrv_req q = { req, 48, 42, t_rx, t_tx, t_tx + 20000 };

	return ntpsrv_answer(s, &q, r);
}

START_TEST(interleaved_answers)
{
	struct ntpsrv s;
	uint8_t req[48] = { 0x23 }, r1[48], r2[48], r3[48];
	int64_t t0, t;

	parse("duration 100\nhost a\n\taddress 192.0.2.1\n\ttx_delay 20us\n");
	t0 = (sc.start_utc_s + 37) * S;
	ntpsrv_init(&s, &sc, 0, t0, 1, 1);
	t = t0 + 10 * S;
	req[47] = 1;	/* basic: origin 0 */
	ck_assert_int_eq(answer(&s, req, t, t + 5000, r1), 48);
	ck_assert_int_eq(ntp_get64(r1 + 24), ntp_get64(req + 40));
	/* interleaved: origin = the previous receive, receive != transmit */
	memcpy(req + 24, r1 + 32, 8);
	req[39] = 7;	/* the client's receive of r1 */
	req[47] = 2;
	ck_assert_int_eq(answer(&s, req, t + S, t + S + 5000, r2), 48);
	ck_assert_int_eq(ntp_get64(r2 + 24), ntp_get64(req + 32));	/* origin = its receive field */
	ck_assert_int_eq(ntp_ts_to_ns(ntp_get64(r2 + 32)), t + S - 37 * S);
	/* transmit = r1's true departure: 20 us after r1's own transmit stamp */
	ck_assert_int_eq(ntp_ts_to_ns(ntp_get64(r2 + 40)) - ntp_ts_to_ns(ntp_get64(r1 + 40)), 20000);
	ck_assert_int_eq(s.interleaved, 1);
	/* an origin that is not the previous receive: basic */
	req[24] ^= 1;
	ck_assert_int_eq(answer(&s, req, t + 2 * S, t + 2 * S, r3), 48);
	ck_assert_int_eq(ntp_get64(r3 + 24), ntp_get64(req + 40));
	ck_assert_int_eq(s.interleaved, 1);
}
END_TEST

START_TEST(ntp_server_answers)
{
	struct ntpsrv s;
	uint8_t req[48] = { 0x23, 0, 6 }, r[48];
	int64_t t0, t;

	parse("start 2016-12-30T00:00:00Z\nduration 3d\ntai_utc 36\n"
	      "host a\n\taddress 192.0.2.1\n\toffset 1ms\n\tfreq 1ppm\n\tstratum 2\n\trefid GPS\n"
	      "host b\n\taddress 192.0.2.2\n\tsmear\n"
	      "at 2017-01-01T00:00:00Z leap insert\nat 10 kod a deny 10\n");
	t0 = (sc.start_utc_s + 36) * S;
	ntpsrv_init(&s, &sc, 0, t0, 1, 1);
	req[40] = 0xab;
	t = t0 + 1000 * S;
	ck_assert_int_eq(answer(&s, req, t, t + 5000, r), 48);
	ck_assert_int_eq(r[0], 0x24);	/* LI 0 VN 4 mode 4 */
	ck_assert_int_eq(r[1], 2);
	ck_assert_int_eq(r[2], 6);
	ck_assert_int_eq(r[24], 0xab);	/* origin = the request's transmit */
	/* receive = UTC + 1 ms + 1 ppm * 1000 s, to the ns */
	ck_assert_int_eq(ntp_ts_to_ns(ntp_get64(r + 32)), t - 36 * S + 1000000 + 1000000);
	ck_assert_int_eq(ntp_ts_to_ns(ntp_get64(r + 40)) - ntp_ts_to_ns(ntp_get64(r + 32)), 5000);
	ck_assert_int_eq(ntp_ts_to_ns(ntp_ts_from_ns(123456789)), 123456789);
	/* LI=1 through the last day only */
	ck_assert_int_eq(ntpsrv_li(&s, t0 + 86399 * S), 0);
	ck_assert_int_eq(ntpsrv_li(&s, t0 + 86401 * S), 1);
	ck_assert_int_eq(ntpsrv_li(&s, t0 + (2 * 86400 + 10) * S), 0);
	/* KoD: stratum 0, LI 3, the code as refid */
	memcpy(s.kod, "DENY", 5);
	ck_assert_int_eq(answer(&s, req, t, t, r), 48);
	ck_assert_int_eq(r[0] >> 6, 3);
	ck_assert_int_eq(r[1], 0);
	ck_assert(!memcmp(r + 12, "DENY", 4));
	ck_assert_int_eq(s.kods, 1);
	/* not a mode 3 request: no answer */
	req[0] = 0x24;
	ck_assert_int_eq(answer(&s, req, t, t, r), 0);
	ck_assert_int_eq(s.bad, 1);
	/* announce: wrong on purpose from an event on */
	s.leap = SC_LEAP_INSERT;
	ck_assert_int_eq(ntpsrv_li(&s, t0 + 10 * S), 1);
	/* the smear: half a second behind UTC (old scale) at the leap, LI 0 */
	ntpsrv_init(&s, &sc, 1, t0, 1, 2);
	ck_assert_int_eq(sc.events[2].kind, SC_EV_LEAP_INS);
	t = t0 + sc.events[2].at_ns;
	ck_assert_int_eq(ntpsrv_time(&s, t), t - 36 * S - S / 2);
	ck_assert_int_eq(ntpsrv_time(&s, t + 12 * 3600 * S), t + 12 * 3600 * S - 37 * S);
	ck_assert_int_eq(ntpsrv_li(&s, t - 10 * S), 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_net");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, network_keys);
	tcase_add_test(tc, network_errors);
	tcase_add_test(tc, path_statistics);
	tcase_add_test(tc, ntp_server_answers);
	tcase_add_test(tc, interleaved_answers);
	suite_add_tcase(s, tc);
	return s;
}
