// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the NTP packet codec (daemon/source/ntp_packet.c):
 * what comes off the network as a client's reply or a server's request.
 * Properties checked besides "no crash, no leak, no UB":
 *  - decode refuses only short input, and encode(decode(x)) gives back
 *    the first 48 bytes exactly;
 *  - a reply judged NTP_OK (against its own origin as the nonce, with T1
 *    and T4 taken from the input) has a delay >= 0 and a root distance
 *    within NTP_MAX_DIST_NS, and is mode 4, version 1..4, not LI 3;
 *  - a request that passes ntp_request_check() gets a reply whose origin
 *    is the request's transmit timestamp, and that reply passes the
 *    client's check or is refused for a reason of its own.
 *   make fuzz FUZZ_TIME=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/source/ntp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void as_reply(const struct ntp_packet *p, const uint8_t *data, size_t size)
{
	int64_t t1 = 1735689600LL * 1000000000LL, t4;
	struct ntp_sample s;
	enum ntp_verdict v;

	if (size >= 56)
		memcpy(&t1, data + 48, sizeof(t1));
	t1 = t1 / 4;	/* keep t4 - t1 from overflowing */
	t4 = t1 + (size >= 60 ? (int64_t)data[56] << 16 : 1000000);
	v = ntp_reply_check(p, p->org, t1, t4, &s);
	if ((unsigned)v >= NTP_VERDICT_MAX)
		abort();
	if (v != NTP_OK)
		return;
	if (s.delay_ns < 0 || s.root_dist_ns > NTP_MAX_DIST_NS || p->mode != NTP_MODE_SERVER ||
	    p->version < 1 || p->version > 4 || p->li == NTP_LI_UNSYNC || p->org == 0)
		abort();
}

static void as_request(const struct ntp_packet *p)
{
	static const struct ntp_server_info me = { .stratum = 2, .precision = -20 };
	struct ntp_packet out;

	if (ntp_request_check(p) < 0)
		return;
	ntp_reply_build(p, &me, 1735689600LL * 1000000000LL, 1735689600LL * 1000000000LL + 5000,
			&out);
	if (out.org != p->xmt || out.mode != NTP_MODE_SERVER || out.version != p->version)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntp_packet p;
	uint8_t back[NTP_PACKET_LEN];

	if (ntp_packet_decode(data, size, &p) < 0) {
		if (size >= NTP_PACKET_LEN)
			abort();
		return 0;
	}
	ntp_packet_encode(&p, back);
	if (memcmp(back, data, NTP_PACKET_LEN))
		abort();
	as_reply(&p, data, size);
	as_request(&p);
	return 0;
}
