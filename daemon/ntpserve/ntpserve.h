/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntpserve.h
 * daemon/ntpserve/ owns the NTP server: ntp_serve sockets on the loop, ntp_allow, rate limiting, what it says of itself.
 * It may call daemon/source/ (packet codec, upstream), daemon/discipline/ (queries), daemon/leap/, phc/ (netstamp, systime), daemon/ (loop, log).
 *
 * RFC 5905 server mode for CLOCK_REALTIME: a mode 3 request from an
 * allowed network gets a mode 4 answer whose receive timestamp is the
 * kernel's (SO_TIMESTAMPING) and whose transmit timestamp is read last,
 * right before the send; the leap indicator, stratum, reference id and
 * root distance come from the discipline of CLOCK_REALTIME (ntps_info.h).
 * Requests from elsewhere get nothing (said once per network in the log);
 * a client over its rate gets KoD RATE. Every socket is non-blocking and
 * each wake-up reads a bounded number of datagrams: no client can hold
 * the loop. doc/ntp.md, "Server".
 */
#ifndef GNOMON_NTPSERVE_H
#define GNOMON_NTPSERVE_H

#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/discipline/discipline.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/source/source.h"

struct ntpserve;

struct ntpserve_env {
	struct loop *loop;
	const struct gnomon_config *conf;
	struct discipline *disc;	/**< CLOCK_REALTIME's discipline; NULL: none */
	struct source *src;		/**< its source; NULL: none */
	const struct leaptable *leaps;	/**< may hold no table */
};

struct ntpserve_stats {
	uint64_t requests;	/**< datagrams received */
	uint64_t answers;	/**< mode 4 answers sent */
	uint64_t kods;		/**< KoD RATE sent */
	uint64_t refused;	/**< from a network not in ntp_allow: nothing sent */
	uint64_t limited;	/**< over the rate, dropped without a KoD */
	uint64_t bad;		/**< not a mode 3 request we answer */
	uint64_t send_errors;
};

/**
 * Open the sockets of conf->ntp_serve and answer on the loop. Returns NULL
 * with *err = 0 when ntp_serve is not set, NULL with *err < 0 (logged,
 * naming the address) when a socket cannot be opened.
 */
struct ntpserve *ntpserve_start(const struct ntpserve_env *env, int *err);
/** Close; accepts NULL. */
void ntpserve_stop(struct ntpserve *s);
void ntpserve_get_stats(const struct ntpserve *s, struct ntpserve_stats *st);

#endif
