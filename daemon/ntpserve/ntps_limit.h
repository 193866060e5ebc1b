/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntps_limit.h
 * The NTP server's limits, pure (times are passed in, CLOCK_MONOTONIC ns):
 *  - per-client rate limiting, a token bucket per address (as chronyd's
 *    ratelimit and ntpd's discard): `burst` requests at once, then one per
 *    `interval` on average; a client over it gets a Kiss-o'-Death RATE at
 *    most once per interval, and nothing else (no amplification);
 *  - what the log says of refused clients: each network (/24 for IPv4,
 *    /64 for IPv6) once, and at most NTPS_REFUSAL_LINES lines a minute in
 *    all; the networks not named are counted into the next line.
 */
#ifndef GNOMON_NTPS_LIMIT_H
#define GNOMON_NTPS_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ntpserve/ntps_addr.h"

#define NTPS_RATE_SLOTS		4096	/**< clients remembered (least recent replaced) */
#define NTPS_RATE_WAYS		8	/**< slots a client may take (set-associative) */
#define NTPS_REFUSED_NETS	256	/**< networks remembered as said */
#define NTPS_REFUSAL_LINES	10	/**< log lines a minute about refusals */

struct ntps_rate_slot {
	struct ntps_net who;	/**< family 0: free */
	int64_t last_ns;	/**< last request */
	int64_t last_kod_ns;	/**< last KoD sent; 0 none */
	double tokens;
};

struct ntps_rate {
	int64_t interval_ns;	/**< 0: no limit */
	int burst;
	struct ntps_rate_slot slot[NTPS_RATE_SLOTS];
};

enum ntps_rate_verdict { NTPS_ANSWER, NTPS_KOD, NTPS_DROP };

void ntps_rate_init(struct ntps_rate *r, int64_t interval_ns, int burst);
/** A request from who at now_ns: answer it, send KoD RATE, or drop it. */
enum ntps_rate_verdict ntps_rate_check(struct ntps_rate *r, const struct ntps_net *who,
				       int64_t now_ns);

struct ntps_refusals {
	struct ntps_net said[NTPS_REFUSED_NETS];
	int n, next;
	int64_t window_ns;	/**< start of the current minute of lines */
	int lines;		/**< lines in it */
	long unsaid;		/**< requests of networks not said (over the budget) */
};

/**
 * A request from who was refused at now_ns: true when the log should say
 * so now, with *net its network and *unsaid the requests from networks
 * left unnamed since the last line (then reset).
 */
bool ntps_refusal_say(struct ntps_refusals *r, const struct ntps_net *who, int64_t now_ns,
		      struct ntps_net *net, long *unsaid);

#endif
