/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP server's pure parts (daemon/ntpserve/): the ntp_serve and
 * ntp_allow syntax and matching (v4-mapped clients, host bits refused),
 * the per-client token bucket (burst, then one per interval, one KoD per
 * interval), the refusal log (once per network, rate limited), and what
 * the server says of itself (LI=3 until LOCKED, stratum and refid by
 * reference, root delay and dispersion, the leap's last day, the smear).
 * Plus the codec's server pieces: the transmit stamp written last, refids
 * of addresses.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/ntpserve/ntps_addr.h"
#include "daemon/ntpserve/ntps_info.h"
#include "daemon/ntpserve/ntps_limit.h"
#include "daemon/source/ntp_packet.h"

#define S 1000000000LL

static struct ntps_net addr(const char *s)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct ntps_net n;

	if (inet_pton(AF_INET, s, &s4.sin_addr) == 1)
		ntps_addr_of((struct sockaddr *)&s4, &n);
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, s, &s6.sin6_addr), 1);
		ntps_addr_of((struct sockaddr *)&s6, &n);
	}
	return n;
}

START_TEST(listen_syntax)
{
	struct ntps_listen l[NTPS_MAX_LISTEN];
	char msg[256];
	int n;

	ck_assert_int_eq(ntps_parse_listen("192.0.2.1 [2001:db8::1]:1123 0.0.0.0:124 ::", l,
					   NTPS_MAX_LISTEN, &n, msg, sizeof(msg)), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&l[0].ss)->sin_port), 123);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&l[1].ss)->sin6_port), 1123);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&l[2].ss)->sin_port), 124);
	ck_assert_int_eq(l[3].ss.ss_family, AF_INET6);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&l[3].ss)->sin6_port), 123);
	ck_assert_int_eq(ntps_parse_listen("", l, NTPS_MAX_LISTEN, &n, msg, sizeof(msg)), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(ntps_parse_listen("ntp.example.org:123", l, 4, &n, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "'ntp.example.org:123' is not ADDR:PORT"));
	ck_assert_int_eq(ntps_parse_listen("192.0.2.1:0", l, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ntps_parse_listen("192.0.2.1:70000", l, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ntps_parse_listen("[::1]x", l, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ntps_parse_listen("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5", l, 4, &n,
					   msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "more than 4 addresses");
}
END_TEST

START_TEST(allow_syntax_and_match)
{
	struct ntps_net a[NTPS_MAX_ALLOW], x;
	char msg[256], buf[64];
	int n;

	ck_assert_int_eq(ntps_parse_allow("203.0.113.0/24, 2001:db8::/32 192.0.2.7", a,
					  NTPS_MAX_ALLOW, &n, msg, sizeof(msg)), 0);
	ck_assert_int_eq(n, 3);
	x = addr("203.0.113.77");
	ck_assert(ntps_allowed(a, n, &x));
	x = addr("::ffff:203.0.113.77");	/* a dual-stack socket's view */
	ck_assert_int_eq(x.family, AF_INET);
	ck_assert(ntps_allowed(a, n, &x));
	x = addr("203.0.114.1");
	ck_assert(!ntps_allowed(a, n, &x));
	x = addr("2001:db8:ffff::9");
	ck_assert(ntps_allowed(a, n, &x));
	x = addr("2001:db9::9");
	ck_assert(!ntps_allowed(a, n, &x));
	x = addr("192.0.2.7");
	ck_assert(ntps_allowed(a, n, &x));
	x = addr("192.0.2.8");
	ck_assert(!ntps_allowed(a, n, &x));
	ck_assert(!ntps_allowed(a, 0, &x));	/* nothing allowed: nobody */
	ck_assert_int_eq(ntps_parse_allow("0.0.0.0/0", a, 4, &n, msg, sizeof(msg)), 0);
	ck_assert(ntps_allowed(a, n, &x));
	ck_assert_int_eq(ntps_parse_allow("203.0.113.7/24", a, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "'203.0.113.7/24' has bits set beyond its length (the network "
			 "is 203.0.113.0/24)");
	ck_assert_int_eq(ntps_parse_allow("10.0.0.0/33", a, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ntps_parse_allow("10.0.0.0/", a, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ntps_parse_allow("localnet", a, 4, &n, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "'localnet' is not NET/LEN"));
	x = addr("2001:db8::1");
	ntps_net_cut(&x, 64, &x);
	ntps_net_format(&x, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::/64");
}
END_TEST

START_TEST(rate_limit)
{
	static struct ntps_rate r;
	struct ntps_net c = addr("203.0.113.9"), o = addr("203.0.113.10");
	int answers = 0, kods = 0, drops = 0;

	ntps_rate_init(&r, S, 4);
	/* 10 a second for 10 s: a burst of 4, then about one a second */
	for (int64_t t = S; t < 11 * S; t += S / 10) {
		enum ntps_rate_verdict v = ntps_rate_check(&r, &c, t);

		answers += v == NTPS_ANSWER;
		kods += v == NTPS_KOD;
		drops += v == NTPS_DROP;
	}
	ck_assert_int_ge(answers, 13);
	ck_assert_int_le(answers, 14);
	ck_assert_int_ge(kods, 9);	/* one KoD a second at most */
	ck_assert_int_le(kods, 10);
	ck_assert_int_eq(answers + kods + drops, 100);
	/* another client is not touched, and a quiet client fills up again */
	ck_assert_int_eq(ntps_rate_check(&r, &o, 11 * S), NTPS_ANSWER);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ntps_rate_check(&r, &c, 100 * S + i), NTPS_ANSWER);
	ck_assert_int_eq(ntps_rate_check(&r, &c, 100 * S + 5), NTPS_KOD);
	/* no limit */
	ntps_rate_init(&r, 0, 1);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(ntps_rate_check(&r, &c, S + i), NTPS_ANSWER);
}
END_TEST

START_TEST(rate_table_full)
{
	static struct ntps_rate r;
	struct ntps_net c;

	ntps_rate_init(&r, S, 2);
	/* far more clients than slots: each still gets its first answer */
	for (int i = 0; i < 3 * NTPS_RATE_SLOTS; i++) {
		c = addr("10.0.0.0");
		c.a[1] = (uint8_t)(i >> 16);
		c.a[2] = (uint8_t)(i >> 8);
		c.a[3] = (uint8_t)i;
		ck_assert_int_eq(ntps_rate_check(&r, &c, S + i), NTPS_ANSWER);
	}
}
END_TEST

START_TEST(refusal_log)
{
	static struct ntps_refusals r;
	struct ntps_net a = addr("198.18.0.5"), b = addr("198.18.0.99"), net;
	char buf[64];
	long unsaid = -1;
	int said = 0;

	ck_assert(ntps_refusal_say(&r, &a, S, &net, &unsaid));
	ntps_net_format(&net, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.0.0/24");
	ck_assert_int_eq(unsaid, 0);
	ck_assert(!ntps_refusal_say(&r, &a, 2 * S, &net, &unsaid));	/* said already */
	ck_assert(!ntps_refusal_say(&r, &b, 2 * S, &net, &unsaid));	/* same /24 */
	/* 30 new networks within a minute: 10 lines, the rest counted */
	for (int i = 1; i <= 30; i++) {
		struct ntps_net x = a;

		x.a[2] = (uint8_t)i;
		said += ntps_refusal_say(&r, &x, 3 * S, &net, &unsaid);
	}
	ck_assert_int_eq(said, NTPS_REFUSAL_LINES - 1);
	b.a[1] = 77;
	ck_assert(ntps_refusal_say(&r, &b, 70 * S, &net, &unsaid));	/* a new minute */
	ck_assert_int_eq(unsaid, 30 - (NTPS_REFUSAL_LINES - 1));
}
END_TEST

static struct ntps_input locked_phc(void)
{
	return (struct ntps_input){ .ref = NTPS_REF_PHC, .locked = true, .age_s = 0.5,
				    .own_error_ns = 300, .now_utc_ns = 1735689600LL * S,
				    .last_good_utc_ns = 1735689600LL * S - S / 2 };
}

START_TEST(info_states)
{
	struct ntps_input in = locked_phc();
	struct ntp_server_info me;

	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 0);
	ck_assert_int_eq(me.stratum, 1);
	ck_assert_uint_eq(me.refid, 0x50484300u);	/* "PHC" */
	ck_assert_int_eq(me.root_delay_ns, 0);
	ck_assert_int_eq(me.root_disp_ns, 300 + 7500);	/* own error + PHI * 0.5 s */
	ck_assert_int_eq(me.ref_ns, in.last_good_utc_ns);
	in.ref = NTPS_REF_PTP;
	ntps_info(&in, &me);
	ck_assert_uint_eq(me.refid, 0x50545000u);	/* "PTP" */
	/* not LOCKED: unsynchronized, unless configured otherwise */
	in.locked = false;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, NTP_LI_UNSYNC);
	ck_assert_int_eq(me.stratum, 16);
	ck_assert_uint_eq(me.refid, 0);
	in.unsynced_ok = true;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 0);
	ck_assert_int_eq(me.stratum, 1);
	/* no discipline of CLOCK_REALTIME at all */
	in = (struct ntps_input){ .ref = NTPS_REF_NONE, .unsynced_ok = true, .age_s = -1 };
	ntps_info(&in, &me);
	ck_assert_int_eq(me.stratum, NTPS_LOCAL_STRATUM);
	ck_assert_uint_eq(me.refid, 0x4c4f434cu);	/* "LOCL" */
	in.unsynced_ok = false;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 3);
}
END_TEST

START_TEST(info_ntp_upstream)
{
	struct ntps_input in = locked_phc();
	struct ntp_server_info me;

	in.ref = NTPS_REF_NTP;
	in.up_known = true;
	in.up_stratum = 2;
	in.up_refid = 0xc0000201u;
	in.up_root_delay_ns = 1100000;
	in.up_root_disp_ns = 2000000;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.stratum, 3);
	ck_assert_uint_eq(me.refid, 0xc0000201u);
	ck_assert_int_eq(me.root_delay_ns, 1100000);
	ck_assert_int_eq(me.root_disp_ns, 2000000 + 300 + 7500);
	in.up_stratum = 15;	/* we would be 16: say so only as LOCL */
	ntps_info(&in, &me);
	ck_assert_int_eq(me.stratum, NTPS_LOCAL_STRATUM);
	in.up_known = false;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.stratum, NTPS_LOCAL_STRATUM);
}
END_TEST

START_TEST(info_leap)
{
	struct ntps_input in = locked_phc();
	struct ntp_server_info me;
	int64_t leap = 1483228800LL;	/* 2017-01-01 */

	in.leap_delta = 1;
	in.leap_utc_s = leap;
	in.now_utc_ns = (leap - 86401) * S;	/* the day before the last */
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 0);
	in.now_utc_ns = (leap - 86400) * S;	/* its last day */
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 1);
	in.now_utc_ns = leap * S - 1;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 1);
	in.now_utc_ns = leap * S;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 0);
	in.leap_delta = -1;
	in.now_utc_ns = (leap - 10) * S;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 2);
	/* smear: LI 0, the smoothing refid while inside the window */
	in.smear_policy = true;
	ntps_info(&in, &me);
	ck_assert_int_eq(me.li, 0);
	ck_assert_uint_eq(me.refid, 0x50484300u);
	in.smearing = true;
	ntps_info(&in, &me);
	ck_assert_uint_eq(me.refid, NTPS_REFID_SMEAR);
}
END_TEST

START_TEST(codec_server_side)
{
	struct ntp_packet req, out, back;
	struct ntp_server_info me = { .li = 1, .stratum = 2, .precision = -24, .refid = 7,
				      .root_delay_ns = S / 1000, .root_disp_ns = S / 500 };
	uint8_t b[NTP_PACKET_LEN];
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	int64_t rx = 1735689600LL * S + 123456789, tx = rx + 5000;

	ntp_request_build(&req, 0x1122334455667788ull, 6);
	ck_assert_int_eq(ntp_request_check(&req), 0);
	ntp_reply_build(&req, &me, rx, rx, &out);
	ntp_packet_encode(&out, b);
	ntp_packet_set_xmt(b, ntp_time_from_ns(tx));
	ck_assert_int_eq(ntp_packet_decode(b, sizeof(b), &back), 0);
	ck_assert_uint_eq(back.org, req.xmt);
	ck_assert_int_eq(ntp_time_to_ns(back.rec, rx), rx);
	ck_assert_int_eq(ntp_time_to_ns(back.xmt, rx), tx);
	ck_assert_int_eq(back.li, 1);
	ck_assert_int_eq(back.stratum, 2);
	ck_assert_int_eq(back.mode, NTP_MODE_SERVER);
	ck_assert_int_eq(back.poll, 6);
	inet_pton(AF_INET, "192.0.2.1", &s4.sin_addr);
	ck_assert_uint_eq(ntp_refid_of_addr((struct sockaddr *)&s4), 0xc0000201u);
	inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
	ck_assert_uint_ne(ntp_refid_of_addr((struct sockaddr *)&s6), 0);
	/* a mode 4 or a zero transmit timestamp is no request */
	req.mode = NTP_MODE_SERVER;
	ck_assert_int_eq(ntp_request_check(&req), -EPROTO);
	req.mode = NTP_MODE_CLIENT;
	req.xmt = 0;
	ck_assert_int_eq(ntp_request_check(&req), -EPROTO);
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("ntpserve");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, listen_syntax);
	tcase_add_test(tc, allow_syntax_and_match);
	tcase_add_test(tc, rate_limit);
	tcase_add_test(tc, rate_table_full);
	tcase_add_test(tc, refusal_log);
	tcase_add_test(tc, info_states);
	tcase_add_test(tc, info_ntp_upstream);
	tcase_add_test(tc, info_leap);
	tcase_add_test(tc, codec_server_side);
	suite_add_tcase(s, tc);
	return s;
}
