// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for what the NTP server (daemon/ntpserve/) does with
 * a datagram from anyone: the first byte picks the client's address family
 * and the next 16 bytes its address; the rest is the datagram. It goes
 * through the same steps as ntpserve.c's handle(): ntp_allow, decode,
 * ntp_request_check(), the client's rate, the answer built from a
 * self-description (ntps_info(), itself from fuzzed input) and encoded
 * with the transmit stamp written last. Properties besides "no crash, no
 * leak, no UB":
 *  - a refused address never gets past ntp_allow;
 *  - every answer is 48 bytes of mode 4 whose origin is the request's
 *    transmit timestamp, of the request's version, and the client's own
 *    check of it (ntp_reply_check with that nonce) never says bad origin,
 *    bad mode or bad version;
 *  - a KoD RATE is stratum 0 with the code RATE.
 * The tail of the input is also fed to the ntp_serve / ntp_allow parsers
 * (their results must be within bounds).
 *   make fuzz FUZZ_TIME=60
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/ntpserve/ntps_addr.h"
#include "daemon/ntpserve/ntps_info.h"
#include "daemon/ntpserve/ntps_limit.h"
#include "daemon/source/ntp_packet.h"

#define S 1000000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ntps_rate rate;
static int64_t now_ns = S;

static void client_of(const uint8_t *data, struct ntps_net *who)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (data[0] & 1) {
		memcpy(&s6.sin6_addr, data + 1, 16);
		ntps_addr_of((struct sockaddr *)&s6, who);
	} else {
		memcpy(&s4.sin_addr, data + 1, 4);
		ntps_addr_of((struct sockaddr *)&s4, who);
	}
}

static void self_of(const uint8_t *d, size_t n, struct ntp_server_info *me)
{
	struct ntps_input in = { .ref = NTPS_REF_PHC, .locked = true, .age_s = 1,
				 .now_utc_ns = 1735689600LL * S };

	if (n >= 8) {
		in.ref = (enum ntps_ref)(d[0] % 5);
		in.locked = d[1] & 1;
		in.unsynced_ok = d[1] & 2;
		in.smear_policy = d[1] & 4;
		in.smearing = d[1] & 8;
		in.leap_delta = (d[1] >> 4) % 3 - 1;
		in.up_known = d[2] & 1;
		in.up_stratum = d[3];
		in.up_refid = (uint32_t)d[4] << 24 | d[5];
		in.up_root_delay_ns = (int64_t)d[6] << 20;
		in.up_root_disp_ns = (int64_t)d[7] << 20;
		in.leap_utc_s = in.now_utc_ns / S + d[2] * 1000;
	}
	ntps_info(&in, me);
	if (me->li > 3 || (me->stratum == 0) || me->stratum > 16)
		abort();
}

static void answer(const struct ntp_packet *req, const struct ntp_server_info *me)
{
	struct ntp_packet out, back;
	uint8_t b[NTP_PACKET_LEN];
	int64_t rx = 1735689600LL * S + 1000, tx = rx + 5000;
	struct ntp_sample smp;
	enum ntp_verdict v;

	ntp_reply_build(req, me, rx, rx, &out);
	ntp_packet_encode(&out, b);
	ntp_packet_set_xmt(b, ntp_time_from_ns(tx));
	if (ntp_packet_decode(b, sizeof(b), &back) < 0 || back.org != req->xmt ||
	    back.mode != NTP_MODE_SERVER || back.version != req->version)
		abort();
	v = ntp_reply_check(&back, req->xmt, rx - 100000, tx + 100000, &smp);
	if (v == NTP_BAD_ORIGIN || v == NTP_BAD_MODE || v == NTP_BAD_VERSION ||
	    (v == NTP_OK && smp.delay_ns < 0))
		abort();
}

static void parsers(const uint8_t *data, size_t size)
{
	char text[256];
	struct ntps_listen l[NTPS_MAX_LISTEN];
	struct ntps_net a[NTPS_MAX_ALLOW];
	char msg[256];
	int n = -1;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ntps_parse_listen(text, l, NTPS_MAX_LISTEN, &n, msg, sizeof(msg)) == 0 &&
	    (n < 0 || n > NTPS_MAX_LISTEN))
		abort();
	if (ntps_parse_allow(text, a, NTPS_MAX_ALLOW, &n, msg, sizeof(msg)) == 0 &&
	    (n < 0 || n > NTPS_MAX_ALLOW))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ntps_net allow[] = {
		{ .family = AF_INET, .a = { 203, 0, 113, 0 }, .len = 24 },
		{ .family = AF_INET6, .a = { 0x20, 0x01, 0x0d, 0xb8 }, .len = 32 },
	};
	struct ntp_server_info me;
	struct ntp_packet req, kod;
	struct ntps_net who;

	if (!rate.burst)
		ntps_rate_init(&rate, S, 4);
	if (size < 17)
		return 0;
	parsers(data + 17, size - 17);
	client_of(data, &who);
	now_ns += (data[0] >> 1) * 10000000LL;
	if (!ntps_allowed(allow, 2, &who))
		return 0;
	if (!ntps_net_contains(&allow[0], &who) && !ntps_net_contains(&allow[1], &who))
		abort();
	if (ntp_packet_decode(data + 17, size - 17, &req) < 0 || ntp_request_check(&req) < 0)
		return 0;
	self_of(data + 17 + NTP_PACKET_LEN, size > 17 + NTP_PACKET_LEN ?
		size - 17 - NTP_PACKET_LEN : 0, &me);
	switch (ntps_rate_check(&rate, &who, now_ns)) {
	case NTPS_DROP:
		return 0;
	case NTPS_KOD:
		ntp_kod_build(&req, "RATE", &kod);
		if (kod.stratum != 0 || ntp_kod(&kod) != NTP_KOD_RATE || kod.org != req.xmt)
			abort();
		return 0;
	case NTPS_ANSWER:
		break;
	}
	answer(&req, &me);
	return 0;
}
