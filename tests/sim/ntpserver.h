/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntpserver.h
 * The NTP servers the simulator plays (RFC 5905 server mode: a mode 4
 * answer to each mode 3 request): a clock of its own against true UTC
 * (offset, frequency, random walk, steps), stratum, reference id, root
 * delay and dispersion, a leap indicator from the scenario's leap seconds
 * (or wrong on purpose), the 24 h linear leap smear, Kiss-o'-Death and
 * silence on a schedule, and interleaved mode (RFC 9769) as chronyd serves
 * it: a client that names the receive timestamp of its previous request in
 * its origin field gets the true departure time of the previous answer.
 * Pure: true time in, packet out.
 */
#ifndef GNOMON_SIM_NTPSERVER_H
#define GNOMON_SIM_NTPSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "tests/sim/prng.h"
#include "tests/sim/scenario.h"

#define NTP_PACKET_LEN	48
#define NTP_PORT	123
#define NTP_UNIX_EPOCH	2208988800LL	/* 1970-01-01 in NTP era 0 seconds */

#define NTPSRV_CLIENTS	32	/**< clients remembered for interleaved mode */

/** What the server keeps of a client's last exchange (interleaved mode). */
struct ntpsrv_client {
	uint64_t key;		/**< the client's address, hashed; 0 unused */
	uint64_t rx, tx;	/**< receive timestamp, true departure of the answer */
};

/** A request as it reaches the server. */
struct ntpsrv_req {
	const uint8_t *data;
	size_t len;
	uint64_t client;	/**< the client (its address), non-zero */
	int64_t t_rx;		/**< true time it arrived */
	int64_t t_tx;		/**< the answer's transmit timestamp is taken (proc_delay later) */
	int64_t t_out;		/**< the answer leaves (tx_delay after that) */
};

struct ntpsrv {
	const struct sc_host *h;
	const struct scenario *sc;
	int64_t t0;		/**< true time of the scenario's start */
	int64_t t_a;		/**< clock error = err_a + (t - t_a) * rate */
	double err_a, rate;
	struct prng wander;
	bool unreachable;	/**< receives, never answers */
	char kod[5];		/**< "" or the Kiss-o'-Death code being sent */
	enum sc_leap_mode leap;	/**< what its leap indicator says (scenario, then events) */
	long requests, answers, kods, unanswered, bad;
	long interleaved;	/**< answers in interleaved mode */
	struct ntpsrv_client clients[NTPSRV_CLIENTS];
	int next_client;	/**< the one replaced next when all are taken */
};

void ntpsrv_init(struct ntpsrv *s, const struct scenario *sc, int host, int64_t t0,
		 uint64_t seed, uint64_t stream);
/** The server's clock minus its ideal (UTC, or the smear) at true time t, ns. */
double ntpsrv_error(const struct ntpsrv *s, int64_t t);
/** Its ideal at true time t: UTC (POSIX, repeating 23:59:59 at an inserted
 *  leap) or, for a smearing server, the smeared UTC; ns since 1970. */
int64_t ntpsrv_ideal(const struct ntpsrv *s, int64_t t);
/** What the server's clock reads at true time t, ns since 1970. */
int64_t ntpsrv_time(const struct ntpsrv *s, int64_t t);
/** The leap indicator it sends at true time t (0..3). */
int ntpsrv_li(const struct ntpsrv *s, int64_t t);
void ntpsrv_freq_jump(struct ntpsrv *s, int64_t t, double ppm);
void ntpsrv_step(struct ntpsrv *s, double ns);
/** One random-walk step of step_s seconds at true time t. */
void ntpsrv_wander(struct ntpsrv *s, int64_t t, double step_s);
/**
 * Answer request q: fills resp (NTP_PACKET_LEN bytes) and returns its
 * length, or 0 for no answer (not a mode 3 request of version 1..4, or the
 * server is unreachable). Counts.
 */
size_t ntpsrv_answer(struct ntpsrv *s, const struct ntpsrv_req *q, uint8_t *resp);
/** The big-endian 64-bit field at p (an NTP timestamp). */
uint64_t ntp_get64(const uint8_t *p);
/** ns since 1970 to the 64-bit NTP timestamp (era 0, rounded to nearest). */
uint64_t ntp_ts_from_ns(int64_t ns);
/** The 64-bit NTP timestamp to ns since 1970 (era 0 and 1 around 2036). */
int64_t ntp_ts_to_ns(uint64_t ts);

#endif
