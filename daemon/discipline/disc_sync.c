/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Telling the kernel how good CLOCK_REALTIME is: STA_UNSYNC, maxerror and
 * esterror of adjtimex(2), which ntp_gettime(3), adjtimex readers and the
 * kernel's 11-minute RTC update go by. Only the system clock has this
 * state; for a PHC nothing happens.
 *
 * LOCKED: STA_UNSYNC clear, esterror = RMS of the recent offsets + half
 * the comparison's delay + the reference's own error, maxerror = that +
 * |last offset| + 2 RMS; refreshed every update. The kernel adds 500 us to
 * maxerror every second (second_overflow(), MAXFREQ) and sets STA_UNSYNC
 * past 16 s: HOLDOVER leaves it to do so. FREERUN sets STA_UNSYNC again.
 * Every step of CLOCK_REALTIME (ours, a leap step, someone else's) runs the
 * kernel's ntp_clear(): STA_UNSYNC and 16 s bounds until told again.
 * At exit a synchronised clock gets its bounds once more, for the kernel
 * to grow from there.
 *
 * For every clock (status, metrics): the RMS of the last DISC_RMS_N
 * offsets, and an error bound at each LOCKED update, |offset| + 2 RMS +
 * half the comparison's delay + reference_max_error + |the source's chain
 * offset| (ptp4l's master offset): what the reading cannot see (half its
 * window), what the servo left (the offset and its recent spread), and
 * how far the reference itself is from its master. Not LOCKED: no bound.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"

#define UNSYNC_ERROR_NS	(16 * NS_PER_S)	/* the kernel's NTP_PHASE_LIMIT */
#define ERR_EWMA_WEIGHT	0.125		/* of the newest offset in the mean square */

static bool has_sync_state(const struct discipline *d)
{
	return clock_kind(d->clk) == CLOCK_KIND_SYSTEM;
}

static void tell(struct discipline *d, bool synced, int64_t maxerror_ns, int64_t esterror_ns)
{
	int r = clock_set_sync(d->clk, synced, maxerror_ns, esterror_ns);

	if (r < 0) {
		if (!d->sync_error)
			pr_err("%s: cannot tell the kernel the clock is %s: %s", d->cc.name,
			       synced ? "synchronised" : "unsynchronised", strerror(-r));
		d->sync_error = r;
		return;
	}
	if (d->sync_error)
		pr_notice("%s: the kernel's sync state can be set again", d->cc.name);
	d->sync_error = 0;
	if (synced != d->kernel_synced)
		pr_info("%s: %s %s (maxerror %" PRId64 " us, esterror %" PRId64 " us)",
			d->cc.name, clock_is_dryrun(d->clk) ? "would tell the kernel" :
			"kernel told", synced ? "synchronised" : "unsynchronised",
			(maxerror_ns + 999) / 1000, (esterror_ns + 999) / 1000);
	d->kernel_synced = synced;
	d->kernel_maxerror_ns = maxerror_ns;
	d->kernel_esterror_ns = esterror_ns;
}

bool disc_rms_offset(const struct discipline *d, int64_t *rms_ns, unsigned *n)
{
	double sum = 0;

	for (unsigned i = 0; i < d->rms_n; i++)
		sum += (double)d->rms_ring[i] * (double)d->rms_ring[i];
	*n = d->rms_n;
	*rms_ns = d->rms_n ? (int64_t)llround(sqrt(sum / d->rms_n)) : 0;
	return d->rms_n > 0;
}

static void quality_sample(struct discipline *d, int64_t offset_ns, int64_t delay_ns)
{
	int64_t rms_ns;
	unsigned n;

	d->rms_ring[d->rms_i] = offset_ns;
	d->rms_i = (d->rms_i + 1) % DISC_RMS_N;
	if (d->rms_n < DISC_RMS_N)
		d->rms_n++;
	d->have_bound = d->state == DISC_LOCKED;
	if (!d->have_bound)
		return;
	disc_rms_offset(d, &rms_ns, &n);
	d->err_bound_ns = llabs(offset_ns) + 2 * rms_ns + (delay_ns > 0 ? delay_ns / 2 : 0) +
		(int64_t)llround(d->cc.reference_max_error_s * NS_PER_S) +
		(d->chain_applies && d->chain_known ? llabs(d->chain_ns) : 0);
}

void disc_sync_sample(struct discipline *d, int64_t offset_ns, int64_t delay_ns)
{
	double sq = (double)offset_ns * (double)offset_ns;
	int64_t ref_ns, est_ns, rms_ns;

	quality_sample(d, offset_ns, delay_ns);
	if (!has_sync_state(d))
		return;
	d->err_sq = d->err_sq_n ? d->err_sq + ERR_EWMA_WEIGHT * (sq - d->err_sq) : sq;
	d->err_sq_n++;
	if (d->state != DISC_LOCKED) {
		if (d->state == DISC_FREERUN)
			disc_sync_lost(d);
		return;
	}
	/* LOCKED means |offset| stayed under lock_threshold lately: what the
	 * clock did while it slewed there says nothing of its error now */
	if (!d->kernel_synced) {
		double lim = d->cc.lock_threshold_s * NS_PER_S;

		d->err_sq = fmin(d->err_sq, lim * lim);
	}
	ref_ns = (int64_t)llround(d->cc.reference_max_error_s * NS_PER_S);
	rms_ns = (int64_t)llround(sqrt(d->err_sq));
	est_ns = rms_ns + (delay_ns > 0 ? delay_ns / 2 : 0) + ref_ns;
	tell(d, true, est_ns + llabs(offset_ns) + 2 * rms_ns, est_ns);
}

void disc_sync_lost(struct discipline *d)
{
	if (!has_sync_state(d) || !d->kernel_synced || d->state != DISC_FREERUN)
		return;
	tell(d, false, UNSYNC_ERROR_NS, UNSYNC_ERROR_NS);
}

void disc_sync_stepped(struct discipline *d)
{
	if (!has_sync_state(d) || !d->kernel_synced)
		return;
	d->kernel_synced = false;
	d->kernel_maxerror_ns = d->kernel_esterror_ns = UNSYNC_ERROR_NS;
	pr_info("%s: the step left the kernel unsynchronised (ntp_clear); told again once "
		"LOCKED", d->cc.name);
}

void disc_sync_exit(struct discipline *d)
{
	if (!has_sync_state(d) || !d->kernel_synced)
		return;
	if (clock_is_dryrun(d->clk))
		return;		/* nothing was told: nothing is left */
	if (d->state != DISC_LOCKED) {
		pr_info("%s: leaving the kernel's maxerror growing since the last good update "
			"(HOLDOVER; the kernel adds 500 us a second, unsynchronised past 16 s)",
			d->cc.name);
		return;
	}
	tell(d, true, d->kernel_maxerror_ns, d->kernel_esterror_ns);
	pr_info("%s: leaving the kernel synchronised, maxerror %" PRId64 " us (the kernel "
		"adds 500 us a second, unsynchronised past 16 s)", d->cc.name,
		(d->kernel_maxerror_ns + 999) / 1000);
}
