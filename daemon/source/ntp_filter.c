/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The clock filter of RFC 5905 section 10 (clock_filter()): a shift
 * register of 8 samples, the minimum-delay one wins because the least
 * delayed exchange is the least disturbed by queueing, and the sample is
 * used only if it is newer than the last one used ("popcorn" samples of
 * old are not replayed) when the filter is made with once = true. A user
 * that carries old offsets forward to now (source_ntp.c does: it corrects
 * them for every frequency change and the drift) takes the minimum every
 * time, as chrony takes every sample into its regression. No dispersion ageing here: the source adds the
 * age term when it builds the selection's correctness interval.
 */
#include <math.h>
#include <string.h>

#include "daemon/source/ntp_filter.h"

void ntp_filter_reset(struct ntp_filter *f)
{
	bool once = f->once;

	memset(f, 0, sizeof(*f));
	f->once = once;
}

void ntp_filter_shift(struct ntp_filter *f, int64_t delta_ns)
{
	for (int i = 0; i < f->n; i++)
		f->s[i].offset_ns += delta_ns;
}

bool ntp_filter_add(struct ntp_filter *f, const struct ntp_sample *s, struct ntp_filter_out *out)
{
	const struct ntp_sample *best = NULL;
	double sq = 0;

	f->s[f->next] = *s;
	f->next = (f->next + 1) % NTP_FILTER_LEN;
	if (f->n < NTP_FILTER_LEN)
		f->n++;
	for (int i = 0; i < f->n; i++)
		if (!best || f->s[i].delay_ns < best->delay_ns ||
		    (f->s[i].delay_ns == best->delay_ns && f->s[i].t4_ns > best->t4_ns))
			best = &f->s[i];
	if (f->once && best->t4_ns <= f->used_t4_ns)
		return false;
	f->used_t4_ns = best->t4_ns;
	for (int i = 0; i < f->n; i++) {
		double d = (double)(f->s[i].offset_ns - best->offset_ns);

		sq += d * d;
	}
	out->best = *best;
	out->n = f->n;
	out->jitter_ns = f->n > 1 ? (int64_t)llround(sqrt(sq / (f->n - 1))) : 0;
	return true;
}
