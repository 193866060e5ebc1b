/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntps_info.h
 * What the NTP server says about itself in each answer, pure: from what
 * the discipline of CLOCK_REALTIME reports (state, reference kind, its
 * error, the leap in view) to the leap indicator, stratum, reference id,
 * root delay and root dispersion (RFC 5905 section 7.3). doc/ntp.md,
 * "Server", has the table.
 */
#ifndef GNOMON_NTPS_INFO_H
#define GNOMON_NTPS_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/source/ntp_packet.h"

/** Stratum served with ntp_serve_unsynced when no reference's is known
 *  (chronyd's `local stratum` default). */
#define NTPS_LOCAL_STRATUM	10
/** The precision served, log2 s (2^-24 s = 60 ns: a clock read on x86). */
#define NTPS_PRECISION		(-24)
/** chronyd's reference id of a server serving smoothed (smeared) time:
 *  127.127.1.255. */
#define NTPS_REFID_SMEAR	0x7f7f01ffu
/** RFC 5905 PHI: the dispersion grows 15 us a second from the last update. */
#define NTPS_PHI_NS_PER_S	15000

enum ntps_ref {
	NTPS_REF_NONE,		/**< no discipline of CLOCK_REALTIME */
	NTPS_REF_NTP,		/**< NTP servers: the upstream below */
	NTPS_REF_PHC,		/**< a local PHC (phc:, bond:): stratum 1, "PHC" */
	NTPS_REF_PTP,		/**< the PHC ptp4l disciplines: stratum 1, "PTP" */
	NTPS_REF_LOCAL,		/**< another local clock: "LOCL" */
};

struct ntps_input {
	enum ntps_ref ref;
	bool locked;		/**< the discipline is LOCKED */
	bool unsynced_ok;	/**< ntp_serve_unsynced: answer as synced anyway */
	bool smear_policy;	/**< leap_policy = smear (and it applies): LI stays 0 */
	bool smearing;		/**< inside the smear window: the smear refid */
	int leap_delta;		/**< the next leap: +1, -1, 0 none known */
	int64_t leap_utc_s;	/**< its 00:00:00 UTC of the day after */
	int64_t now_utc_ns;	/**< when the answer is built */
	/* NTP reference: the system peer */
	bool up_known;
	uint8_t up_stratum;
	uint32_t up_refid;
	int64_t up_root_delay_ns, up_root_disp_ns;
	/* the clock's own error */
	int64_t own_error_ns;	/**< RMS offset (NTP), or the error bound (PHC, PTP) */
	double age_s;		/**< since its last good update; < 0 none */
	int64_t last_good_utc_ns;	/**< UTC of its last good update; 0 none */
};

/** Fill *out (leap, stratum, refid, root delay/dispersion, reference time). */
void ntps_info(const struct ntps_input *in, struct ntp_server_info *out);

#endif
