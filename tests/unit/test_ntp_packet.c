/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP packet codec (daemon/source/ntp_packet.c): timestamp
 * conversions across the 2036 era, the exact bytes of a request, a reply
 * built by the server side and judged by the client side (offset and
 * delay from four known timestamps), and every refusal: short, wrong mode
 * and version, another origin, KoD codes, unsynchronized, zero and
 * impossible timestamps, a negative delay, a root distance too large.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/source/ntp_packet.h"

#define S 1000000000LL
static const int64_t T0 = 1735689600LL * S;	/* 2025-01-01 */

START_TEST(timestamps)
{
	int64_t era1 = (2085978496LL + 100) * S + 250000000;	/* past 2036-02-07 */

	ck_assert_uint_eq(ntp_time_from_ns(0) >> 32, 2208988800u);
	ck_assert_uint_eq(ntp_time_from_ns(S / 2) & 0xffffffffu, 0x80000000u);
	for (int64_t v = T0 - 5 * S; v < T0 + 5 * S; v += 123456789)
		ck_assert_int_eq(ntp_time_to_ns(ntp_time_from_ns(v), T0), v);
	ck_assert_int_eq(ntp_time_to_ns(ntp_time_from_ns(era1), era1 - 3600 * S), era1);
	ck_assert_int_eq(ntp_time_to_ns(ntp_time_from_ns(-S / 4), 0), -S / 4);
	ck_assert_int_eq(ntp_short_to_ns(0x00010000u), S);
	ck_assert_int_eq(ntp_short_to_ns(0x00008000u), S / 2);
	ck_assert_uint_eq(ntp_short_from_ns(S / 2), 0x8000u);
	ck_assert_uint_eq(ntp_short_from_ns(-5), 0);
	ck_assert_uint_eq(ntp_short_from_ns(70000 * S), 0xffffffffu);
}
END_TEST

START_TEST(request_bytes)
{
	struct ntp_packet p, q;
	uint8_t b[NTP_PACKET_LEN];

	ntp_request_build(&p, 0x0102030405060708ull, 6);
	ntp_packet_encode(&p, b);
	ck_assert_int_eq(b[0], 0x23);		/* LI 0, version 4, mode 3 */
	ck_assert_int_eq(b[2], 6);
	for (int i = 4; i < 40; i++)
		ck_assert_int_eq(b[i], 0);	/* nothing of our time leaks */
	for (int i = 40; i < 48; i++)
		ck_assert_int_eq(b[i], i - 39);
	ck_assert_int_eq(ntp_packet_decode(b, 47, &q), -EMSGSIZE);
	ck_assert_int_eq(ntp_packet_decode(b, 48, &q), 0);
	ck_assert_int_eq(ntp_request_check(&q), 0);
	ck_assert_uint_eq(q.xmt, p.xmt);
	q.mode = 4;
	ck_assert_int_eq(ntp_request_check(&q), -EPROTO);
	q.mode = 3;
	q.version = 5;
	ck_assert_int_eq(ntp_request_check(&q), -EPROTO);
	q.version = 4;
	q.xmt = 0;
	ck_assert_int_eq(ntp_request_check(&q), -EPROTO);
}
END_TEST

/* a server 3 ms behind us, 100 us out, 140 us back, 20 us inside */
static const struct ntp_server_info srv = {
	.li = 0, .stratum = 1, .precision = -20, .refid = 0x47505300,
	.root_delay_ns = 0, .root_disp_ns = 100000, .ref_ns = 1,
};
static const uint64_t nonce = 0xdeadbeef12345678ull;
static const int64_t t1 = T0, off = 3000000;
#define T2 (t1 - off + 100000)
#define T3 (T2 + 20000)
#define T4 (T3 + off + 140000)

static void reply(struct ntp_packet *p)
{
	struct ntp_packet req, wire;
	uint8_t b[NTP_PACKET_LEN];

	ntp_request_build(&req, nonce, 4);
	ntp_reply_build(&req, &srv, T2, T3, &wire);
	ntp_packet_encode(&wire, b);
	ck_assert_int_eq(ntp_packet_decode(b, sizeof(b), p), 0);
}

START_TEST(good_reply)
{
	struct ntp_packet p;
	struct ntp_sample s;

	reply(&p);
	ck_assert_int_eq(p.mode, 4);
	ck_assert_int_eq(p.poll, 4);
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_OK);
	/* client - server = 3 ms, plus half of the 40 us more on the way back that no client can see we cannot see */
	ck_assert_int_le(llabs(s.offset_ns - (off + 20000)), 2);
	ck_assert_int_le(llabs(s.delay_ns - 240000), 2);
	ck_assert_int_le(llabs(s.root_dist_ns - (100000 + 120000)), 16000)	/* 15 us steps */;
	ck_assert_int_eq(s.stratum, 1);
	ck_assert_str_eq(ntp_verdict_name(NTP_OK), "ok");
}
END_TEST

START_TEST(refusals)
{
	struct ntp_packet p;
	struct ntp_sample s;

	reply(&p);
	ck_assert_int_eq(ntp_reply_check(&p, nonce + 1, t1, T4, &s), NTP_BAD_ORIGIN);
	ck_assert_int_eq(ntp_reply_check(&p, 0, t1, T4, &s), NTP_BAD_ORIGIN);
	reply(&p); p.mode = 3;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_MODE);
	reply(&p); p.version = 0;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_VERSION);
	reply(&p); p.li = 3;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_UNSYNC);
	reply(&p); p.stratum = 16;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_UNSYNC);
	reply(&p); p.rec = 0;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_TIME);
	reply(&p); p.xmt = 0;
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_TIME);
	reply(&p); p.xmt = p.rec - (1ull << 30);	/* sent before it was received */
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_TIME);
	reply(&p);	/* the server took longer than the whole round trip */
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, t1 + 10000, &s), NTP_BAD_DELAY);
	reply(&p); p.root_disp = 2u << 16;	/* 2 s */
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_DIST);
	reply(&p); p.root_delay = 3u << 16;	/* 3 s: 1.5 s of it */
	ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), NTP_BAD_DIST);
}
END_TEST

START_TEST(kiss_of_death)
{
	static const struct { const char *code; enum ntp_verdict v; } k[] = {
		{ "RATE", NTP_KOD_RATE }, { "DENY", NTP_KOD_DENY },
		{ "RSTR", NTP_KOD_RSTR }, { "XXXX", NTP_KOD_OTHER },
	};
	struct ntp_packet req, p;
	struct ntp_sample s;

	ntp_request_build(&req, nonce, 4);
	for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		ntp_kod_build(&req, k[i].code, &p);
		ck_assert_int_eq(p.li, 3);
		ck_assert_int_eq(ntp_kod(&p), k[i].v);
		ck_assert_int_eq(ntp_reply_check(&p, nonce, t1, T4, &s), k[i].v);
		/* a KoD whose origin is not ours is not believed */
		ck_assert_int_eq(ntp_reply_check(&p, nonce ^ 1, t1, T4, &s), NTP_BAD_ORIGIN);
	}
	ck_assert_str_eq(ntp_verdict_name(NTP_KOD_RATE), "KoD RATE");
	ck_assert_str_eq(ntp_verdict_name(NTP_VERDICT_MAX), "?");
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("ntp_packet");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, request_bytes);
	tcase_add_test(tc, good_reply);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, kiss_of_death);
	suite_add_tcase(s, tc);
	return s;
}
