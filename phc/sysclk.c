/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file sysclk.c
 * The CLOCK_REALTIME driver, through clock_adjtime(CLOCK_REALTIME, ...).
 *
 * The kernel takes at most +/-500 ppm through ADJ_FREQUENCY, but also lets
 * the tick (the length of one 1/USER_HZ s period, nominally 10000 us) move
 * by 10 % (9000..11000 us); one us of tick is 1e5 ppb. Frequency
 * corrections are split over both (sysclk_split) so up to +/-10 % is
 * reachable, and read back joined (sysclk_join).
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timex.h>

#include "phc/adjtime_priv.h"
#include "phc/clock_priv.h"
#include "phc/sysclk.h"

#define SYSCLK_MAX_PPB 1e8		/* 10 %: tick 9000..11000 */
#define PPB_PER_TICK_US 1e5		/* 1 us per 10 ms tick = 100 ppm */
#define ADJ_FREQUENCY_MAX_PPB 5e5	/* the kernel clamps ADJ_FREQUENCY to 500 ppm */
#define NTP_PHASE_LIMIT_US 16000000L	/* kernel: maxerror >= 16 s sets STA_UNSYNC */
#define MAX_TAI_OFFSET_S 100000		/* kernel ignores ADJ_TAI outside 0..this */

/* Bits that would let the kernel's own PLL/FLL or PPS discipline steer
 * the clock alongside us. */
#define KERNEL_DISCIPLINE_BITS (STA_PLL | STA_FLL | STA_PPSFREQ | STA_PPSTIME)

int sysclk_split(double ppb, long *tick_us, double *freq_ppb)
{
	long steps;

	/* !(<=) so that NaN is rejected too. */
	if (!(fabs(ppb) <= SYSCLK_MAX_PPB))
		return -ERANGE;
	steps = lround(ppb / PPB_PER_TICK_US);	/* half away from zero */
	if (tick_us)
		*tick_us = SYSCLK_NOMINAL_TICK_US + steps;
	if (freq_ppb)
		*freq_ppb = ppb - steps * PPB_PER_TICK_US;
	return 0;
}

double sysclk_join(long tick_us, double freq_ppb)
{
	return (tick_us - SYSCLK_NOMINAL_TICK_US) * PPB_PER_TICK_US + freq_ppb;
}

static int sysclk_gettime(void *priv, struct timespec *ts)
{
	(void)priv;
	return clock_gettime(CLOCK_REALTIME, ts) < 0 ? -errno : 0;
}

/*
 * CLOCK_REALTIME against CLOCK_MONOTONIC: the kernel slews both with tick
 * and frequency and steps only CLOCK_REALTIME (settimeofday, ADJ_SETOFFSET,
 * leap seconds, resume), so their difference changes exactly by the steps.
 * monotonic, realtime, monotonic: a pair preempted in between is read again.
 */
#define WATCH_WIDTH_MAX_NS	20000
#define WATCH_TRIES		3

static int sysclk_watch(void *priv, int64_t *clock_ns, int64_t *twin_ns)
{
	struct timespec m0, rt, m1;
	int64_t a, b;

	(void)priv;
	for (int i = 0; i < WATCH_TRIES; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &m0) < 0 ||
		    clock_gettime(CLOCK_REALTIME, &rt) < 0 ||
		    clock_gettime(CLOCK_MONOTONIC, &m1) < 0)
			return -errno;
		a = clock_ts_to_ns(&m0);
		b = clock_ts_to_ns(&m1);
		*clock_ns = clock_ts_to_ns(&rt);
		*twin_ns = a + (b - a) / 2;
		if (b - a <= WATCH_WIDTH_MAX_NS)
			break;
	}
	return 0;
}

static int sysclk_get_freq(void *priv, double *ppb)
{
	struct timex tx;
	int r;

	(void)priv;
	r = adjtime_read(CLOCK_REALTIME, &tx);
	if (r < 0)
		return r;
	*ppb = sysclk_join(tx.tick, adjtime_scaled_ppm_to_ppb(tx.freq));
	return 0;
}

static int sysclk_adj_freq(void *priv, double ppb)
{
	struct timex tx;
	double rest_ppb;
	long tick_us;
	int r;

	(void)priv;
	r = sysclk_split(ppb, &tick_us, &rest_ppb);
	if (r < 0)
		return r;
	/* One call, so the rate never passes through a mixed state. */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK | ADJ_FREQUENCY;
	tx.tick = tick_us;
	tx.freq = adjtime_ppb_to_scaled_ppm(rest_ppb);
	r = adjtime_call(CLOCK_REALTIME, &tx);
	return r < 0 ? r : 0;
}

static int sysclk_step(void *priv, int64_t delta_ns)
{
	int r;

	(void)priv;
	r = adjtime_step(CLOCK_REALTIME, delta_ns);
	return r < 0 ? r : 0;
}

/* Read-modify-write of the status word: the kernel replaces every
 * writable bit on ADJ_STATUS, so the ones we do not mean to change are
 * passed back as read. */
static int write_status(struct timex *tx, int set, int clear, int modes)
{
	struct timex now;
	int r;

	r = adjtime_read(CLOCK_REALTIME, &now);
	if (r < 0)
		return r;
	tx->modes = ADJ_STATUS | modes;
	tx->status = (now.status & ~clear) | set;
	r = adjtime_call(CLOCK_REALTIME, tx);
	return r < 0 ? r : 0;
}

static int sysclk_set_leap(void *priv, int leap)
{
	struct timex tx;
	int set = leap > 0 ? STA_INS : leap < 0 ? STA_DEL : 0;

	(void)priv;
	memset(&tx, 0, sizeof(tx));
	return write_status(&tx, set, STA_INS | STA_DEL, 0);
}

static int sysclk_get_leap(void *priv, struct clock_leap_status *st)
{
	struct timex tx;
	int state;

	(void)priv;
	state = adjtime_read(CLOCK_REALTIME, &tx);
	if (state < 0)
		return state;
	st->state = state;
	st->pending = tx.status & STA_INS ? 1 : tx.status & STA_DEL ? -1 : 0;
	st->tai_s = tx.tai;
	st->unsync = tx.status & STA_UNSYNC;
	return 0;
}

static int sysclk_set_tai(void *priv, int tai_s)
{
	struct timex tx;
	int r;

	(void)priv;
	/* The kernel silently ignores values outside 0..MAX_TAI_OFFSET. */
	if (tai_s < 0 || tai_s > MAX_TAI_OFFSET_S)
		return -EINVAL;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TAI;
	tx.constant = tai_s;
	r = adjtime_call(CLOCK_REALTIME, &tx);
	return r < 0 ? r : 0;
}

/* ns -> us rounded up, within what the kernel keeps (0..16 s). */
static long error_ns_to_us(int64_t ns)
{
	if (ns <= 0)
		return 0;
	if (ns / 1000 >= NTP_PHASE_LIMIT_US)
		return NTP_PHASE_LIMIT_US;
	return (long)((ns + 999) / 1000);
}

static int sysclk_set_sync(void *priv, bool synced, int64_t maxerror_ns,
			   int64_t esterror_ns)
{
	struct timex tx;

	(void)priv;
	memset(&tx, 0, sizeof(tx));
	tx.maxerror = error_ns_to_us(maxerror_ns);
	tx.esterror = error_ns_to_us(esterror_ns);
	return write_status(&tx, synced ? 0 : STA_UNSYNC,
			    synced ? STA_UNSYNC : 0,
			    ADJ_MAXERROR | ADJ_ESTERROR);
}

static clockid_t sysclk_clockid(void *priv)
{
	(void)priv;
	return CLOCK_REALTIME;
}

static const struct clock_ops sysclk_ops = {
	.kind_name = "system",
	.kind = CLOCK_KIND_SYSTEM,
	.gettime = sysclk_gettime,
	.get_freq = sysclk_get_freq,
	.adj_freq = sysclk_adj_freq,
	.step = sysclk_step,
	.set_leap = sysclk_set_leap,
	.get_leap = sysclk_get_leap,
	.set_tai = sysclk_set_tai,
	.set_sync = sysclk_set_sync,
	.clockid = sysclk_clockid,
	.watch = sysclk_watch,
};

struct clock *sysclk_create(const char *name, int *err)
{
	struct timex tx;
	struct clock *c;
	int r;

	/* A read-only call, to fail here if clock_adjtime is unavailable. */
	r = adjtime_read(CLOCK_REALTIME, &tx);
	if (r < 0) {
		*err = r;
		return NULL;
	}
	c = clock_create(&sysclk_ops, NULL, name, SYSCLK_MAX_PPB);
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	clock_set_identity(c, CLOCK_KIND_SYSTEM, -1, false);
	*err = 0;
	return c;
}

static int check_real_sysclk(struct clock *c)
{
	if (!c || clock_kind(c) != CLOCK_KIND_SYSTEM)
		return -EINVAL;
	return clock_is_dryrun(c) ? 1 : 0;
}

int sysclk_init_for_discipline(struct clock *c)
{
	struct timex tx;
	int r = check_real_sysclk(c);

	if (r != 0)
		return r < 0 ? r : 0;
	/* 1. Cancel a slew left by adjtime(3): it adds to our frequency. */
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_OFFSET_SINGLESHOT;
	tx.offset = 0;
	r = adjtime_call(CLOCK_REALTIME, &tx);
	if (r < 0)
		return r;
	/* 2. The kernel keeps applying a PLL phase offset (time_offset) even
	 * with STA_PLL clear, and accepts ADJ_OFFSET only with STA_PLL set:
	 * so set STA_PLL and zero the offset in one call (chrony does this). */
	memset(&tx, 0, sizeof(tx));
	tx.offset = 0;
	r = write_status(&tx, STA_PLL, KERNEL_DISCIPLINE_BITS, ADJ_OFFSET);
	if (r < 0)
		return r;
	/* 3. PLL, FLL and PPS discipline off. */
	memset(&tx, 0, sizeof(tx));
	return write_status(&tx, 0, KERNEL_DISCIPLINE_BITS, 0);
}

int sysclk_read_raw(struct clock *c, long *tick_us, long *freq_scaled_ppm)
{
	struct timex tx;
	int r;

	if (check_real_sysclk(c) < 0 || !tick_us || !freq_scaled_ppm)
		return -EINVAL;
	r = adjtime_read(CLOCK_REALTIME, &tx);
	if (r < 0)
		return r;
	*tick_us = tx.tick;
	*freq_scaled_ppm = tx.freq;
	return 0;
}

int sysclk_write_raw(struct clock *c, long tick_us, long freq_scaled_ppm)
{
	struct timex tx;
	int r = check_real_sysclk(c);

	if (r != 0)
		return r < 0 ? r : 0;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK | ADJ_FREQUENCY;
	tx.tick = tick_us;
	tx.freq = freq_scaled_ppm;
	r = adjtime_call(CLOCK_REALTIME, &tx);
	return r < 0 ? r : 0;
}

int sysclk_park(struct clock *c, double ppb, long *tick_us, double *rest_ppb)
{
	long tick = SYSCLK_NOMINAL_TICK_US;
	double rest = ppb;
	int r;

	if (!(fabs(ppb) <= ADJ_FREQUENCY_MAX_PPB)) {
		r = sysclk_split(ppb, &tick, &rest);
		if (r < 0)
			return r;
	}
	*tick_us = tick;
	*rest_ppb = rest;
	return sysclk_write_raw(c, tick, adjtime_ppb_to_scaled_ppm(rest));
}
