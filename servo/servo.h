/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file servo.h
 * servo/ owns servo algorithms (PI, Kalman line-fit bank), slew planner, step decisions, reading filter.
 * It may call libc math only (and use phc/clock.h's reading type): no system calls, no logging.
 *
 * The servo: turns offset samples of one clock into frequency corrections
 * and (rarely) steps. Pure arithmetic: no system calls, no logging, no
 * global state. One instance per disciplined clock.
 *
 * Sign conventions (used everywhere in gnomon):
 *  - offset_ns  = clock - reference; positive means the clock is AHEAD.
 *  - freq_ppb   = rate correction applied to the clock; positive makes the
 *                 clock run FASTER. To remove a positive offset the servo
 *                 returns a frequency below the clock's natural correction.
 *  - step_ns    = amount to ADD to the clock (so step_ns = -offset).
 */
#ifndef GNOMON_SERVO_H
#define GNOMON_SERVO_H

#include <stdbool.h>
#include <stdint.h>

enum servo_type {
	SERVO_PI,	/**< proportional-integral, like phc2sys's default */
	SERVO_KALMAN,	/**< a bank of Kalman-weighted line fits ("kalman"; "linreg" in a config) */
};

enum servo_state {
	SERVO_UNLOCKED,	/**< no estimate yet, or reset */
	SERVO_LOCKING,	/**< slewing a large offset or converging */
	SERVO_LOCKED,	/**< tracking; offset within the lock window */
};

struct servo_params {
	enum servo_type type;
	/**
	 * Slew cap, ppb, > 0: the correction stays within this of the
	 * estimated natural frequency (the hold), so the clock's rate error
	 * against the time it is steered to never exceeds it (chronyd's
	 * maxslewrate). 1 s at 1e6 (1000 ppm) takes 1000 s however fast the
	 * clock runs naturally.
	 */
	double max_freq_ppb;
	/** What the clock accepts: |freq_ppb| (feed-forward included) never
	 *  exceeds this (1e8 for CLOCK_REALTIME, a PHC's max_adj). 0: the
	 *  cap itself, so the total is bounded by max_freq_ppb too. */
	double max_adj_ppb;
	/** Step when |offset| exceeds this after the first update; 0 = never. */
	int64_t step_threshold_ns;
	/** Step on the first sample when |offset| exceeds this; 0 = never. */
	int64_t first_step_threshold_ns;
	/** Nominal interval between samples, seconds (1 / update_rate). */
	double interval_s;
	/** Offset under which the servo counts as locked (ns); 0 = default. */
	int64_t lock_threshold_ns;
	/** PI gains (dimensionless, per second of interval); 0 = defaults. */
	double pi_kp, pi_ki;
	/**
	 * local_ns comes from a time base that runs at the rate of the
	 * clock this servo steers: CLOCK_MONOTONIC when the disciplined
	 * clock is CLOCK_REALTIME (the kernel slews both with tick and
	 * frequency, by up to 10 %). The servo then measures its intervals
	 * in reference time (d_local - d_offset) and gives next_interval_s
	 * in local time. false: local_ns runs at the reference's rate to
	 * within ppm (CLOCK_MONOTONIC while disciplining a PHC).
	 */
	bool local_follows_clock;
};

enum servo_action {
	SERVO_NONE,	/**< nothing to apply (sample rejected or ignored) */
	SERVO_ADJ_FREQ,	/**< set the clock's frequency to out.freq_ppb */
	SERVO_STEP,	/**< step the clock by out.step_ns, then set out.freq_ppb */
};

struct servo_out {
	enum servo_action action;
	double freq_ppb;	/**< absolute frequency correction to apply */
	int64_t step_ns;	/**< only for SERVO_STEP: add this to the clock */
	enum servo_state state;
	bool slewing;		/**< the slew planner is removing a large offset at the cap */
	bool at_cap;		/**< freq_ppb was clamped to +/- max_freq_ppb */
	double slew_left_s;	/**< planner's estimate of time to finish; 0 if not slewing */
	/** If > 0: take the next sample after this many seconds instead of
	 *  the nominal interval (lets the planner hand over on time).
	 *  Seconds of the time base of local_ns (see local_follows_clock). */
	double next_interval_s;
};

struct servo;

/**
 * Create a servo.
 * @param p              parameters (copied)
 * @param initial_ppb    the clock's current frequency correction, ppb (so a
 *                       restart does not disturb a clock that was locked)
 * @return the servo, or NULL on bad parameters / no memory.
 */
struct servo *servo_create(const struct servo_params *p, double initial_ppb);

/** Destroy a servo. Accepts NULL. */
void servo_destroy(struct servo *s);

/**
 * Feed one offset sample.
 * @param offset_ns  clock - reference at local_ns, nanoseconds
 * @param local_ns   monotonic time of the sample, nanoseconds
 * @param out        what to do now
 */
void servo_sample(struct servo *s, int64_t offset_ns, int64_t local_ns,
		  struct servo_out *out);

/**
 * Tell the servo that offset_ns moved by step_ns at once, by a step the
 * servo did not ask for (someone else stepped the clock: +step; its
 * reference: -step): stored offsets are re-based by step_ns, so the next
 * sample reads the jump as an offset, not as a slope. Not for the servo's
 * own SERVO_STEP, which it has accounted already.
 */
void servo_stepped(struct servo *s, int64_t step_ns);

/**
 * The clock's natural rate changed under the servo (the kernel switched
 * clocksource): its history is of the old rate, so it is forgotten and the
 * servo restarts from its hold frequency, learning the new one from the
 * next samples instead of fighting the jump with the old fit.
 */
void servo_rate_changed(struct servo *s);

/**
 * The servo's last output could not be applied (the clock refused the
 * correction): the clock still runs at applied_ppb, the frequency last
 * applied. Whatever the servo inferred from its own output (a slew in
 * progress, a fit of offsets it thought it was correcting) is void: it
 * restarts from applied_ppb.
 */
void servo_not_applied(struct servo *s, double applied_ppb);

/**
 * Feed-forward rate, ppb, added to the output frequency: the target is
 * known to move at this rate relative to the reference (e.g. a leap smear).
 * The feed-forward is included in freq_ppb and counts against the cap.
 */
void servo_set_feedforward(struct servo *s, double ppb);

/** Change the cap at run time (config reload). */
void servo_set_max_freq(struct servo *s, double max_freq_ppb);

/**
 * The servo's best estimate of the clock's natural frequency correction,
 * ppb: the frequency that holds the offset constant, without the slew
 * planner's part and without the feed-forward. What a clock should be
 * left at when nobody steers it any more.
 * @return true if the estimate comes from measurements, false if it is
 *         still the frequency the servo was created with.
 */
bool servo_natural_freq(const struct servo *s, double *ppb);

/** Name of a servo type ("pi", "kalman"); name of a state. */
const char *servo_type_name(enum servo_type t);
const char *servo_state_name(enum servo_state st);

#endif
