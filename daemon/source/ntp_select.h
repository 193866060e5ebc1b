/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntp_select.h
 * Source selection across NTP servers (RFC 5905 section 11.2.1, the
 * intersection algorithm), pure. Each candidate is a correctness interval
 * [offset - dist, offset + dist]; the smallest interval that holds at
 * least n - f candidates' intervals, f falsetickers being fewer than half,
 * is where the true time lies. Candidates whose intervals meet it are the
 * truechimers, the others falsetickers; the combined offset is the
 * truechimers' offsets weighted by 1 / root distance (RFC 5905 11.2.3).
 */
#ifndef GNOMON_NTP_SELECT_H
#define GNOMON_NTP_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#define NTP_SELECT_MAX	16

struct ntp_cand {
	int64_t offset_ns;	/**< our clock - the server's, ns */
	int64_t dist_ns;	/**< root distance: half-width of its correctness interval, ns (> 0) */
};

struct ntp_select_out {
	int64_t offset_ns;	/**< combined offset of the truechimers, ns */
	int64_t dist_ns;	/**< their weighted root distance, ns */
	int64_t low_ns, high_ns;/**< the intersection interval */
	int survivors;		/**< truechimers */
};

/**
 * Select among n (1..NTP_SELECT_MAX) candidates. truechimer[i] says which
 * survived. Returns the number of truechimers, -EINVAL for a bad n, or
 * -EDOM when no majority agrees (then no truechimer: nothing to follow).
 */
int ntp_select(const struct ntp_cand *c, int n, bool *truechimer, struct ntp_select_out *out);

#endif
