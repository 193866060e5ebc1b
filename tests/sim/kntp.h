/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file kntp.h
 * A model of the Linux kernel's NTP state (kernel/time/ntp.c) for the
 * simulated CLOCK_REALTIME: adjtimex validation, mode processing, the read
 * back, the leap-second state machine run at each second boundary, and the
 * rate that tick and frequency give. Pure: the caller supplies the time.
 *
 * Not modelled (callers report them as unsupported): the kernel PLL/FLL
 * (ADJ_OFFSET with STA_PLL), adjtime()-style single-shot slewing, PPS.
 */
#ifndef GNOMON_SIM_KNTP_H
#define GNOMON_SIM_KNTP_H

#include <stdint.h>
#include <sys/timex.h>

#define KNTP_MAXFREQ_SCALED	32768000L	/* 500 ppm << 16 */
#define KNTP_PHASE_LIMIT	16000000L	/* us: maxerror ceiling (16 s) */
#define KNTP_MAX_TAI		100000

struct kntp {
	int state;		/**< TIME_OK, TIME_INS, ... (never TIME_ERROR) */
	int status;		/**< STA_* */
	long freq;		/**< scaled ppm, within +-KNTP_MAXFREQ_SCALED */
	long tick;		/**< us per USER_HZ tick, 9000..11000 */
	long maxerror;		/**< us */
	long esterror;		/**< us */
	long constant;
	int tai;		/**< TAI - UTC, s */
	int64_t next_leap_sec;	/**< CLOCK_REALTIME second of the leap, or INT64_MAX */
};

/** Boot state: TIME_OK, STA_UNSYNC, tick 10000, freq 0, errors at 16 s. */
void kntp_init(struct kntp *k);

/**
 * timekeeping_validate_timex() for a caller with CAP_SYS_TIME.
 * @return 0, or -EINVAL (tick outside 9000..11000, bad ADJ_SETOFFSET
 *         fraction, freq that would overflow, malformed single-shot).
 */
int kntp_validate(const struct timex *tx);

/** Step in ns that ADJ_SETOFFSET asks for (tx->time, us or ns by ADJ_NANO);
 *  INT64_MIN/INT64_MAX when it does not fit. */
int64_t kntp_setoffset_ns(const struct timex *tx);

/**
 * Whether applying tx would need something not modelled; returns a short
 * description, or NULL when the call is fully supported.
 */
const char *kntp_unsupported(const struct kntp *k, const struct timex *tx);

/**
 * ntp_clear(), which the kernel runs on every step of CLOCK_REALTIME
 * (timekeeping_inject_offset() for ADJ_SETOFFSET, do_settimeofday64() for
 * clock_settime/settimeofday; TK_CLEAR_NTP), before any other mode bit of
 * the same adjtimex() call: STA_UNSYNC set, maxerror and esterror at
 * NTP_PHASE_LIMIT (16 s), and no pending leap (next_leap_sec cleared).
 * The state (TIME_INS, ...), STA_INS/STA_DEL, freq, tick, constant and
 * TAI are kept, so a leap armed before the step reads as armed but never
 * happens until STA_INS/STA_DEL is cleared and set again.
 */
void kntp_clear(struct kntp *k);

/** process_adjtimex_modes(): every mode bit except ADJ_SETOFFSET. */
void kntp_apply(struct kntp *k, const struct timex *tx);

/**
 * Fill the read-back fields of tx as the kernel does.
 * @param realtime_ns CLOCK_REALTIME now (after any ADJ_SETOFFSET)
 * @return adjtimex()'s return value: the clock state, or TIME_ERROR.
 */
int kntp_fill(const struct kntp *k, struct timex *tx, int64_t realtime_ns);

/**
 * second_overflow(): called when CLOCK_REALTIME crosses into second secs.
 * Runs the leap state machine and grows maxerror by 500 us.
 * @return the leap to apply to CLOCK_REALTIME in seconds: -1 at an
 *         inserted leap (23:59:59 repeats), +1 at a deleted leap, else 0.
 *         k->tai has already been updated.
 */
int kntp_second_overflow(struct kntp *k, int64_t secs);

/** Relative rate correction of tick and freq: (tick*1e5 + freq*1000/65536 - 1e9) / 1e9. */
double kntp_rate(const struct kntp *k);

/** adjtimex()'s name for a state: "TIME_OK", ... */
const char *kntp_state_name(int state);

#endif
