// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's NTP state machine, written from the behaviour documented
 * in adjtimex(2) and kernel/time/ntp.c (Linux 6.x), for a caller that has
 * CAP_SYS_TIME (the simulated program; its real capability is dropped).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/sim/kntp.h"

#define USER_HZ		100
#define SECS_PER_DAY	86400
#define NSEC_PER_SEC	1000000000LL
#define PPM_SCALE	65536000LL	/* NSEC_PER_USEC << (NTP_SCALE_SHIFT - SHIFT_USEC) */
#define PPM_SCALE_INV	34359739LL	/* (1 << (19 + 32)) / PPM_SCALE + 1 */
#define KNTP_MAXTC	10
#define ADJ_ADJTIME	0x8000	/* kernel-internal bit of ADJ_OFFSET_SINGLESHOT */

void kntp_init(struct kntp *k)
{
	k->state = TIME_OK;
	k->status = STA_UNSYNC;
	k->freq = 0;
	k->tick = 10000;
	k->maxerror = KNTP_PHASE_LIMIT;
	k->esterror = KNTP_PHASE_LIMIT;
	k->constant = 2;
	k->tai = 0;
	k->next_leap_sec = INT64_MAX;
}

int kntp_validate(const struct timex *tx)
{
	if (tx->modes & ADJ_ADJTIME) {
		/* single-shot must not be combined with other mode bits */
		if (!(tx->modes & ADJ_OFFSET_SINGLESHOT))
			return -EINVAL;
	} else if ((tx->modes & ADJ_TICK) &&
		   (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ)) {
		return -EINVAL;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		if (tx->time.tv_usec < 0)
			return -EINVAL;
		if (tx->modes & ADJ_NANO) {
			if (tx->time.tv_usec >= NSEC_PER_SEC)
				return -EINVAL;
		} else if (tx->time.tv_usec >= 1000000) {
			return -EINVAL;
		}
	}
	if ((tx->modes & ADJ_FREQUENCY) &&
	    (LLONG_MIN / PPM_SCALE > tx->freq || LLONG_MAX / PPM_SCALE < tx->freq))
		return -EINVAL;
	return 0;
}

int64_t kntp_setoffset_ns(const struct timex *tx)
{
	int64_t frac = tx->time.tv_usec, ns;

	if (!(tx->modes & ADJ_NANO))
		frac *= 1000;
	/* saturates, as timespec64_add() does: the step is then refused */
	if (__builtin_mul_overflow((int64_t)tx->time.tv_sec, NSEC_PER_SEC, &ns) ||
	    __builtin_add_overflow(ns, frac, &ns))
		return tx->time.tv_sec < 0 ? INT64_MIN : INT64_MAX;
	return ns;
}

const char *kntp_unsupported(const struct kntp *k, const struct timex *tx)
{
	int status = k->status;

	/* A single-shot offset of 0 cancels a slew; none is ever running here. */
	if ((tx->modes & ADJ_ADJTIME) && tx->modes != ADJ_OFFSET_SS_READ && tx->offset != 0)
		return "adjtime()-style single-shot slew (ADJ_OFFSET_SINGLESHOT)";
	if (tx->modes & ADJ_ADJTIME)
		return NULL;
	if (tx->modes & ADJ_STATUS)
		status = tx->status;
	/* Without STA_PLL the kernel ignores ADJ_OFFSET; with it, its PLL runs. */
	if ((tx->modes & ADJ_OFFSET) && (status & STA_PLL) && tx->offset != 0)
		return "kernel PLL (ADJ_OFFSET with STA_PLL)";
	if ((tx->modes & ADJ_STATUS) && (tx->status & (STA_PPSFREQ | STA_PPSTIME)))
		return "kernel PPS discipline (STA_PPSFREQ, STA_PPSTIME)";
	return NULL;
}

void kntp_clear(struct kntp *k)
{
	/*
	 * The kernel's ntp_clear() also zeroes time_adjust (an adjtime()
	 * slew), time_offset (the PLL's remaining phase) and the PPS state:
	 * none of them is modelled (the callers refuse what would set them),
	 * so they are always 0 here. It leaves time_state alone, and
	 * second_overflow() applies a leap only when the second equals
	 * ntp_next_leap_sec, which it sets to TIME64_MAX: a step while in
	 * TIME_INS/TIME_DEL silently drops the leap (ntp_get_next_leap() then
	 * gives KTIME_MAX too), until the flag is cleared (TIME_OK) and set
	 * again (TIME_INS, with a fresh next_leap_sec, at the next second).
	 */
	k->status |= STA_UNSYNC;
	k->maxerror = KNTP_PHASE_LIMIT;
	k->esterror = KNTP_PHASE_LIMIT;
	k->next_leap_sec = INT64_MAX;
}

static void apply_status(struct kntp *k, int status)
{
	/* Turning STA_PLL off resets the state machine, as the kernel does. */
	if ((k->status & STA_PLL) && !(status & STA_PLL)) {
		k->state = TIME_OK;
		k->status = STA_UNSYNC;
		k->next_leap_sec = INT64_MAX;
	}
	k->status &= STA_RONLY;
	k->status |= status & ~STA_RONLY;
}

static long clampl(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void kntp_apply(struct kntp *k, const struct timex *tx)
{
	if (tx->modes & ADJ_ADJTIME)
		return;
	if (tx->modes & ADJ_STATUS)
		apply_status(k, tx->status);
	if (tx->modes & ADJ_NANO)
		k->status |= STA_NANO;
	if (tx->modes & ADJ_MICRO)
		k->status &= ~STA_NANO;
	if (tx->modes & ADJ_FREQUENCY)
		k->freq = clampl(tx->freq, -KNTP_MAXFREQ_SCALED, KNTP_MAXFREQ_SCALED);
	if (tx->modes & ADJ_MAXERROR)
		k->maxerror = clampl(tx->maxerror, 0, KNTP_PHASE_LIMIT);
	if (tx->modes & ADJ_ESTERROR)
		k->esterror = clampl(tx->esterror, 0, KNTP_PHASE_LIMIT);
	if (tx->modes & ADJ_TIMECONST)
		k->constant = clampl(tx->constant + (k->status & STA_NANO ? 0 : 4), 0, KNTP_MAXTC);
	if ((tx->modes & ADJ_TAI) && tx->constant >= 0 && tx->constant <= KNTP_MAX_TAI)
		k->tai = (int)tx->constant;
	if (tx->modes & ADJ_TICK)
		k->tick = tx->tick;
}

static bool is_error_status(int status)
{
	return (status & (STA_UNSYNC | STA_CLOCKERR)) ||
	       ((status & (STA_PPSFREQ | STA_PPSTIME)) && !(status & STA_PPSSIGNAL)) ||
	       ((status & (STA_PPSTIME | STA_PPSJITTER)) == (STA_PPSTIME | STA_PPSJITTER)) ||
	       ((status & STA_PPSFREQ) && (status & (STA_PPSWANDER | STA_CLOCKERR)));
}

/* The kernel's round trip of freq through time_freq: exact for |freq| <= 500 ppm. */
static long freq_readback(long freq)
{
	long long tf = (long long)freq * PPM_SCALE;
	long long v = (tf < 0 ? -(-tf >> 19) : tf >> 19) * PPM_SCALE_INV;

	return (long)(v < 0 ? -(-v >> 32) : v >> 32);
}

int kntp_fill(const struct kntp *k, struct timex *tx, int64_t realtime_ns)
{
	int64_t sec = realtime_ns / NSEC_PER_SEC, nsec = realtime_ns % NSEC_PER_SEC;

	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	}
	tx->offset = 0;
	tx->freq = freq_readback(k->freq);
	tx->maxerror = k->maxerror;
	tx->esterror = k->esterror;
	tx->status = k->status;
	tx->constant = k->constant;
	tx->precision = 1;
	tx->tolerance = KNTP_MAXFREQ_SCALED;
	tx->tick = k->tick;
	tx->tai = k->tai;
	tx->ppsfreq = tx->jitter = tx->stabil = 0;
	tx->shift = 0;
	tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
	tx->time.tv_sec = sec;
	tx->time.tv_usec = k->status & STA_NANO ? nsec : nsec / 1000;
	return is_error_status(k->status) ? TIME_ERROR : k->state;
}

int kntp_second_overflow(struct kntp *k, int64_t secs)
{
	int leap = 0;

	switch (k->state) {
	case TIME_OK:
		if (k->status & STA_INS) {
			k->state = TIME_INS;
			k->next_leap_sec = secs + SECS_PER_DAY - (secs % SECS_PER_DAY);
		} else if (k->status & STA_DEL) {
			k->state = TIME_DEL;
			k->next_leap_sec = secs + SECS_PER_DAY - ((secs + 1) % SECS_PER_DAY);
		}
		break;
	case TIME_INS:
		if (!(k->status & STA_INS)) {
			k->next_leap_sec = INT64_MAX;
			k->state = TIME_OK;
		} else if (secs == k->next_leap_sec) {
			leap = -1;
			k->state = TIME_OOP;
		}
		break;
	case TIME_DEL:
		if (!(k->status & STA_DEL)) {
			k->next_leap_sec = INT64_MAX;
			k->state = TIME_OK;
		} else if (secs == k->next_leap_sec) {
			leap = 1;
			k->next_leap_sec = INT64_MAX;
			k->state = TIME_WAIT;
		}
		break;
	case TIME_OOP:
		k->next_leap_sec = INT64_MAX;
		k->state = TIME_WAIT;
		break;
	case TIME_WAIT:
		if (!(k->status & (STA_INS | STA_DEL)))
			k->state = TIME_OK;
		break;
	}
	k->tai -= leap;
	k->maxerror += 500;	/* MAXFREQ / NSEC_PER_USEC */
	if (k->maxerror > KNTP_PHASE_LIMIT) {
		k->maxerror = KNTP_PHASE_LIMIT;
		k->status |= STA_UNSYNC;
	}
	return leap;
}

double kntp_rate(const struct kntp *k)
{
	return ((double)k->tick * 1e5 + (double)k->freq * 1000.0 / 65536.0 - 1e9) / 1e9;
}

const char *kntp_state_name(int state)
{
	static const char *const names[] = {
		"TIME_OK", "TIME_INS", "TIME_DEL", "TIME_OOP", "TIME_WAIT", "TIME_ERROR",
	};

	return state >= 0 && state <= 5 ? names[state] : "?";
}
