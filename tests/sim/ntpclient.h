/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntpclient.h
 * NTP clients the simulator plays: a scenario host with `client INTERVAL`
 * sends a mode 3 request to the program's NTP server (its local address,
 * port 123 or client_port) every INTERVAL of true time, from its own
 * address and port, and judges each answer against the truth: its clock
 * is true UTC, so the offset the four timestamps give is compared with
 * the program's true CLOCK_REALTIME error when the request reached it.
 * What it saw (answers, KoDs, silence, leap indicators, stratum, refid,
 * root delay and dispersion, the offset error) goes to the summary.
 */
#ifndef GNOMON_SIM_NTPCLIENT_H
#define GNOMON_SIM_NTPCLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct world;
struct net_pkt;

#define NTPCLI_PORT_BASE	50000	/**< host h sends from port 50000 + h */

struct ntpcli {
	bool on;
	int64_t next_ns;	/**< true time of the next request */
	uint16_t sport;
	uint64_t xmt;		/**< transmit timestamp of the request outstanding; 0 none */
	int64_t t_prog_rx;	/**< true time it reached the program; 0 not yet */
	double prog_err_rx;	/**< the program's CLOCK_REALTIME - UTC then, ns */
	long sent, answers, kods, unanswered, bad, unsync;
	long li[4];
	int stratum, precision;		/**< of the last synchronized answer (LI != 3) */
	uint8_t refid[4];		/**< ditto */
	double root_delay_ns, root_disp_ns;	/**< ditto */
	char kod[5];		/**< last KoD code */
	long n_err;		/**< answers with LI != 3 whose offset error is counted */
	double err_sum, err_max;	/**< offset measured - truth, ns: sum, max |.| */
	double off_last, err_last;
};

/** Start the played client of host h, if the scenario gives it one. */
void ntpcli_init(struct world *w, int h);
/** True time of the next request of any client, INT64_MAX none. */
int64_t ntpcli_next(const struct world *w);
/** Send every request due now. */
void ntpcli_process(struct world *w);
/** A packet for host p->host: true when it was an answer to its client (taken). */
bool ntpcli_reply(struct world *w, const struct net_pkt *p);
/** A packet reaches the program: if it is a client's request, note the truth. */
void ntpcli_arrived(struct world *w, const struct net_pkt *p);
/** The summary line of each client host. */
void ntpcli_summary(const struct world *w, FILE *f);

#endif
