/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file servo_priv.h
 * Inside the servo: the ops table every tracking algorithm (pi.c,
 * kalman.c) implements and the slew planner (planner.c). Nothing here is
 * seen outside servo/.
 *
 * "Servo space": the algorithms and the planner work with the frequency
 * correction WITHOUT the feed-forward (servo.c adds it), and with time in
 * seconds of the reference's timescale counted from the servo's first
 * sample (servo.c converts local_ns, see servo_params.local_follows_clock).
 *
 * A frequency correction scales the clock's oscillator: the kernel turns
 * ADJ_FREQUENCY and ADJ_TICK into the NTP tick length, which multiplies
 * the clocksource's rate, and a PHC's adjfine scales its counter's
 * increment. With natural error e, correction f (servo space) and
 * feed-forward ff (all as fractions), the clock runs at (1 + e)(1 + f + ff)
 * against the reference and the target at 1 + ff, so
 *
 *	d(offset)/dt = (1 + e)(f - hold),  hold = -e (1 + ff) / (1 + e)
 *
 * where hold is the (unknown, slowly wandering) correction that holds the
 * offset constant. The gain 1 + e = (1 + ff) / (1 + ff + hold)
 * (servo_gain()) is 1 within 500 ppm, and the tracking algorithms, which
 * keep f near hold, take it as 1: d(offset_ns)/dt_s = freq_ppb - hold_ppb,
 * 1 ppb being exactly 1 ns/s. The slew planner cannot: at a 10 % cap the
 * product e f is 2 ppm for a 20 ppm clock, 2000 ns per second of slew.
 */
#ifndef GNOMON_SERVO_PRIV_H
#define GNOMON_SERVO_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "servo/servo.h"

/** Frequency window of this sample, servo space: within slew_ppb of the
 *  hold estimate, and the clock's max_adj minus the feed-forward. */
struct servo_limits {
	double lo_ppb;		/**< the window (servo_limits_at()) */
	double hi_ppb;
	double abs_lo_ppb;	/**< -max_adj - ff */
	double abs_hi_ppb;	/**< max_adj - ff */
	double slew_ppb;	/**< the cap, around the hold */
	double interval_s;	/**< nominal interval between samples */
	double engage_ns;	/**< planner engages above this |offset| */
	double late_s;		/**< recent lateness of samples against their schedule */
	double ff_ppb;		/**< feed-forward in effect (outside servo space) */
};

/**
 * The exact gain of the offset's rate on the frequency (see above):
 * d(offset)/dt = servo_gain() * (freq - hold), all in servo space, ppb.
 */
static inline double servo_gain(double hold_ppb, double ff_ppb)
{
	return (1 + ff_ppb * 1e-9) / (1 + (ff_ppb + hold_ppb) * 1e-9);
}

/** Centre the window on a hold estimate (clamped to what a clock's
 *  natural error can be): [hold - slew, hold + slew] within max_adj. */
static inline void servo_limits_at(struct servo_limits *l, double hold_ppb)
{
	double h = hold_ppb > 5e5 ? 5e5 : hold_ppb < -5e5 ? -5e5 : hold_ppb;

	l->lo_ppb = h - l->slew_ppb > l->abs_lo_ppb ? h - l->slew_ppb : l->abs_lo_ppb;
	l->hi_ppb = h + l->slew_ppb < l->abs_hi_ppb ? h + l->slew_ppb : l->abs_hi_ppb;
	if (l->lo_ppb > l->hi_ppb)	/* the clock cannot even hold: all it takes */
		l->lo_ppb = l->hi_ppb = h > 0 ? l->abs_hi_ppb : l->abs_lo_ppb;
}

static inline double servo_clamp(double v, const struct servo_limits *l, bool *clamped)
{
	if (v > l->hi_ppb) {
		*clamped = true;
		return l->hi_ppb;
	}
	if (v < l->lo_ppb) {
		*clamped = true;
		return l->lo_ppb;
	}
	*clamped = false;
	return v;
}

/** One tracking algorithm. priv is the algorithm's own state. */
struct servo_algo_ops {
	const char *name;
	/** New state holding freq_ppb as its frequency; NULL on no memory. */
	void *(*create)(const struct servo_params *p, double freq_ppb);
	void (*destroy)(void *priv);
	/**
	 * One sample: offset_ns at t_s. Returns the frequency (servo space,
	 * already inside lim) to apply until the next sample; *clamped says
	 * whether the algorithm wanted more than lim allows.
	 */
	double (*sample)(void *priv, double offset_ns, double t_s,
			 const struct servo_limits *lim, bool *clamped);
	/** Forget the history, keep the frequency. */
	void (*reset)(void *priv);
	/** The clock was stepped by step_ns: re-base stored offsets. */
	void (*stepped)(void *priv, double step_ns);
	/** Start tracking from a known hold frequency (planner handover). */
	void (*start)(void *priv, double hold_ppb);
	/** Current hold-frequency estimate; true if it comes from measurements. */
	bool (*hold)(const void *priv, double *hold_ppb);
};

extern const struct servo_algo_ops servo_pi_ops;
extern const struct servo_algo_ops servo_kalman_ops;

/* ---- planner.c: the slew planner for large offsets ---- */

#define PLANNER_POINTS 32

/** Planner state; embedded in struct servo, zero-initialised = idle. */
struct planner {
	bool active;
	bool landing;		/**< the last plan ends at the next sample */
	bool prior_good;	/**< hold prior came from a tracking servo */
	double prior_ppb;	/**< hold-frequency prior */
	double acc_ns;		/**< integral of applied freq since start, ns */
	double last_t_s;
	double last_freq_ppb;	/**< servo-space freq applied since last_t_s */
	double x_s;		/**< integral of the clock's nominal rate 1 + f + ff, s */
	double t[PLANNER_POINTS];
	double x[PLANNER_POINTS];	/**< x_s at the point */
	double u[PLANNER_POINTS];	/**< offset minus acc_ns: e x + const (e natural error) */
	double g[PLANNER_POINTS];	/**< start freq - freq applied before the point */
	int n, head;
	double start_freq_ppb;	/**< freq in effect before the planner started */
	double lat_s;		/**< estimated sample-to-frequency latency */
	bool lat_known;		/**< lat_s was fitted */
	bool have_hold;		/**< hold_ppb is set (a sample was planned) */
	bool hold_good;		/**< ... and good enough to land on */
	double hold_ppb;	/**< the last sample's hold estimate, servo space */
};

/** What the planner wants now. */
struct planner_out {
	double freq_ppb;	/**< servo space, inside the limits */
	bool clamped;		/**< freq_ppb is at a limit */
	double next_s;		/**< > 0: next sample after this long (reference s) */
	double left_s;		/**< estimated time to finish */
	bool done;		/**< landed: hand over to tracking at hold_ppb */
	double handover_offset_ns;	/**< offset the tracking starts from */
	double hold_ppb;	/**< current hold-frequency estimate */
	double lat_s;		/**< estimated sample-to-frequency latency */
};

/**
 * Start slewing; prior_good says the prior is a measured hold frequency;
 * cur_freq_ppb is the frequency in effect now (servo space).
 */
void planner_start(struct planner *pl, double prior_ppb, bool prior_good, double cur_freq_ppb);
/**
 * Give a just started planner the sample before the one that engaged it:
 * offset_ns at t_s, followed by the frequency in effect now.
 */
void planner_seed(struct planner *pl, double offset_ns, double t_s);
/** Stop (handover, step, reset). */
void planner_stop(struct planner *pl);
/** One sample while active. */
void planner_sample(struct planner *pl, double offset_ns, double t_s,
		    const struct servo_limits *lim, struct planner_out *po);
/** Re-base stored offsets after a step of step_ns. */
void planner_stepped(struct planner *pl, double step_ns);

#endif
