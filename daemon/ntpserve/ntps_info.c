/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's self-description (ntps_info.h). Not LOCKED: LI 3, stratum
 * 16, reference id 0 (as chronyd while unsynchronised), unless
 * ntp_serve_unsynced. Otherwise the stratum is the reference's + 1 (a PHC
 * or PTP is stratum 0, so we are 1), the reference id its address or name,
 * the root delay the reference's plus the path to it, the root dispersion
 * the reference's plus our own error plus PHI times the age of the last
 * update. The leap indicator announces the next leap through its last UTC
 * day (LI 1 insert, 2 delete), except under the smear policy, which serves
 * the smeared clock with LI 0 and, while smearing, chronyd's smoothing
 * reference id 127.127.1.255.
 */
#include <string.h>

#include "daemon/ntpserve/ntps_info.h"
#include "util/util.h"

#define DAY_S	86400

static uint32_t code(const char *c)
{
	return (uint32_t)(uint8_t)c[0] << 24 | (uint32_t)(uint8_t)c[1] << 16 |
	       (uint32_t)(uint8_t)c[2] << 8 | (uint8_t)c[3];
}

static void reference(const struct ntps_input *in, struct ntp_server_info *out)
{
	switch (in->ref) {
	case NTPS_REF_NTP:
		if (in->up_known && in->up_stratum >= 1 && in->up_stratum < 15) {
			out->stratum = (uint8_t)(in->up_stratum + 1);
			out->refid = in->up_refid;
			out->root_delay_ns = in->up_root_delay_ns;
			out->root_disp_ns = in->up_root_disp_ns;
			return;
		}
		break;
	case NTPS_REF_PHC:
		out->stratum = 1;
		out->refid = code("PHC\0");
		return;
	case NTPS_REF_PTP:
		out->stratum = 1;
		out->refid = code("PTP\0");
		return;
	default:
		break;
	}
	out->stratum = NTPS_LOCAL_STRATUM;
	out->refid = code("LOCL");
}

static uint8_t leap_bits(const struct ntps_input *in)
{
	int64_t now_s = in->now_utc_ns / NS_PER_S;

	if (in->smear_policy || !in->leap_delta)
		return 0;
	if (now_s >= in->leap_utc_s || now_s < in->leap_utc_s - DAY_S)
		return 0;
	return in->leap_delta > 0 ? 1 : 2;
}

void ntps_info(const struct ntps_input *in, struct ntp_server_info *out)
{
	int64_t age_ns = in->age_s > 0 ? (int64_t)(in->age_s * NTPS_PHI_NS_PER_S) : 0;

	memset(out, 0, sizeof(*out));
	out->precision = NTPS_PRECISION;
	out->ref_ns = in->last_good_utc_ns;
	if (!in->locked && !in->unsynced_ok) {
		out->li = NTP_LI_UNSYNC;
		out->stratum = NTP_STRATUM_UNSPEC;
		return;
	}
	reference(in, out);
	out->root_disp_ns += (in->own_error_ns > 0 ? in->own_error_ns : 0) + age_ns;
	out->li = leap_bits(in);
	if (in->smearing)
		out->refid = NTPS_REFID_SMEAR;
}
