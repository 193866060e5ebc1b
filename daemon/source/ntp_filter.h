/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntp_filter.h
 * The per-source clock filter (RFC 5905 section 10), pure: of the last
 * NTP_FILTER_LEN samples of one server, the one with the smallest delay
 * is the server's offset; with once set, only as long as it is newer than
 * the one used last (RFC 5905: an old sample is never used twice, nor
 * after a newer one). The jitter
 * is the RMS of the other samples' offsets against it.
 */
#ifndef GNOMON_NTP_FILTER_H
#define GNOMON_NTP_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/source/ntp_packet.h"

#define NTP_FILTER_LEN	8

struct ntp_filter {
	struct ntp_sample s[NTP_FILTER_LEN];
	int n, next;
	int64_t used_t4_ns;	/**< arrival of the sample used last (0: none yet) */
	bool once;		/**< RFC 5905's rule: a sample is used once (kept by reset) */
};

struct ntp_filter_out {
	struct ntp_sample best;	/**< the minimum-delay sample */
	int64_t jitter_ns;	/**< RMS of the others' offsets against best's */
	int n;			/**< samples held */
};

/** Empty the filter (keeps once). */
void ntp_filter_reset(struct ntp_filter *f);
/** Add a sample; true and *out when it yields a sample not used before. */
bool ntp_filter_add(struct ntp_filter *f, const struct ntp_sample *s, struct ntp_filter_out *out);
/** Shift every held offset by delta_ns (our clock was stepped by delta_ns). */
void ntp_filter_shift(struct ntp_filter *f, int64_t delta_ns);

#endif
