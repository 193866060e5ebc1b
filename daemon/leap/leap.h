/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file leap.h
 * daemon/leap/ owns leap table, leap-seconds.list parser and watcher, policy engine, smear curves.
 * It may call libc, nettle, phc/ (UTC now), daemon/ (loop and log, for the watcher only).
 *
 * Leap policy engine: what one UTC clock following a continuous (TAI)
 * reference should do at a given instant under its leap policy. Pure: it
 * reads the leap table and the smear curves, never a clock.
 *
 * The target of a UTC clock is  target = TAI - tai_utc_eff,  where:
 *  - accept, ignore, step: tai_utc_eff is the table's TAI - UTC in the
 *    kernel's convention (the new value from the start of 23:59:60 for an
 *    insertion; from where 23:59:59 would begin for a deletion). accept
 *    arms the kernel (STA_INS/STA_DEL) so the clock follows; ignore leaves
 *    the clock 1 s off for the servo's slew planner; step steps by the
 *    leap at its instant (the discipline samples right then) and holds
 *    the servo for leap_pause either side.
 *  - smear: tai_utc_eff = before + smear_offset (continuous), and the
 *    smear's rate is fed forward to the servo.
 */
#ifndef GNOMON_LEAP_H
#define GNOMON_LEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/leap/leaptable.h"
#include "daemon/leap/smear.h"

enum leap_policy {
	LEAP_POLICY_ACCEPT = 0,
	LEAP_POLICY_IGNORE,
	LEAP_POLICY_STEP,
	LEAP_POLICY_SMEAR,
};

struct leap_policy_conf {
	enum leap_policy policy;
	double pause_s;			/**< accept/step: no servo updates this long either side */
	struct smear_params smear;	/**< smear only */
};

/** What the engine says for one clock at one instant. */
struct leap_view {
	int64_t tai_utc_ns;	/**< TAI - target to use now, ns (the timescale shift) */
	double feedforward_ppb;	/**< smear: rate the target moves at vs TAI (else 0) */
	bool pause;		/**< hold the servo (keep frequency), take no step */
	int arm;		/**< kernel leap flag wanted now: +1 STA_INS, -1 STA_DEL, 0 none */
	bool step_due;		/**< step policy: the leap is past (step once, at once) */
	bool smearing;		/**< inside the smear window */
	double smear_offset_ns;	/**< smear: how far the clock has been moved so far */
	/** Seconds (reference time) until the next instant the discipline
	 *  must sample right after: the leap's (accept, ignore, step: the
	 *  recovery is timed from it, step steps then); for a smear, where
	 *  its rate jumps (the window opens or closes); 0 if none ahead. */
	double next_change_s;
	/* the leap in view (the next one, or one that just happened) */
	int delta;		/**< +1 inserted, -1 deleted, 0 none in view */
	int64_t leap_utc_s;	/**< 00:00:00 UTC of the day after the leap */
	double t_rel_s;		/**< seconds since the leap reference instant (smear.h) */
	bool past;		/**< the leap has taken effect */
	double since_s;		/**< past: seconds (reference) since it took effect */
};

/**
 * The view at TAI time tai_ns.
 * @return 0, or -ENODATA (no leap knowledge), -ERANGE (before 1972).
 */
int leap_view_at(const struct leaptable *t, const struct leap_policy_conf *c,
		 int64_t tai_ns, struct leap_view *v);

const char *leap_policy_name(enum leap_policy p);
/** Parse "accept", "ignore", "step", "smear"; -EINVAL otherwise. */
int leap_policy_parse(const char *s, enum leap_policy *p);

#endif
