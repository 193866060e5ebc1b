/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file smear.h
 * Leap smears: one leap second (delta = +1 inserted, -1 deleted) spread
 * over a window instead of applied at once. Pure arithmetic: no I/O, no
 * clock reads. Exact definitions and sources of the presets: doc/leap.md.
 *
 * Time axis. t_rel_s is elapsed (SI, TAI) seconds relative to the *leap
 * reference instant*: the moment the pre-leap UTC scale reaches the leap's
 * midnight. With a continuous TAI reference:
 *
 *     t_rel_s = (tai_s - tai_utc_before) - leap_utc_s
 *
 * where leap_utc_s is the POSIX time of 00:00:00 of the day after the leap
 * (leaptable_next_leap()) and tai_utc_before the TAI - UTC in force before
 * it. For an inserted second t_rel_s = 0 is the start of 23:59:60 and the
 * new day begins at t_rel_s = +1; for a deleted second the new day begins
 * at t_rel_s = -1 (23:59:59 never happens).
 *
 * Smear offset. The smeared clock reads
 *
 *     smeared_s = (tai_s - tai_utc_before) - smear_offset_ns() / 1e9
 *
 * so smear_offset_ns() is how far the smeared clock has already been moved
 * from the pre-leap UTC count toward the post-leap one: 0 before the window,
 * delta * 1e9 after it (then smeared_s = tai_s - tai_utc_after: plain UTC).
 * For an inserted leap (delta = +1) the offset grows: the smeared clock runs
 * slow, and ends 1 s behind a count that ignored the leap.
 *
 * Rate. smear_rate_ppb() is d(offset_ns)/d(t_rel_s), ns per s = ppb. The
 * smeared clock runs at -smear_rate_ppb() relative to TAI, so that is the
 * feed-forward a servo steering a clock onto the smear needs (positive
 * freq_ppb = clock runs faster; an insertion gives a negative feed-forward).
 */
#ifndef GNOMON_SMEAR_H
#define GNOMON_SMEAR_H

#include <stdbool.h>

enum smear_shape {
	SMEAR_LINEAR = 0,	/**< constant rate over the window */
	SMEAR_COSINE,		/**< (1 - cos(pi x)) / 2: rate zero at both ends */
};

/** Where a smear sits and how it is shaped. */
struct smear_params {
	/** Length of the window, seconds, finite, > 0. Counted in SI
	 *  seconds unless window_in_utc (below). */
	double window_s;
	/** Start of the window relative to the leap reference instant,
	 *  seconds (negative = before the leap). */
	double start_s;
	enum smear_shape shape;
	/** The window contains the leap and window_s counts seconds of UTC,
	 *  as read on a UTC clock face: its length in SI seconds is then
	 *  window_s + delta (noon to noon UTC around an inserted second lasts
	 *  86 401 s). Google's and PTPd's smears are defined this way; Meta's
	 *  fbclock counts TAI seconds (false). */
	bool window_in_utc;
};

/**
 * Check params: window_s finite and > 0 (and > 1 if window_in_utc, so that
 * a deleted second still leaves a window), start_s finite, shape known.
 * @return 0 or -EINVAL.
 */
int smear_validate(const struct smear_params *p);

/**
 * The window of a smear for one leap, in t_rel_s (see above).
 * @param p      validated params
 * @param delta  +1 inserted, -1 deleted second (0: no leap; gives an empty
 *               window at start_s)
 * @param start_rel_s, end_rel_s  out: window bounds, seconds; either may be
 *               NULL. end - start = window_s (+ delta if window_in_utc).
 * @return 0, or -EINVAL for invalid params or |delta| > 1.
 */
int smear_window(const struct smear_params *p, int delta,
		 double *start_rel_s, double *end_rel_s);

/**
 * How far the smeared clock has moved from the pre-leap UTC count toward
 * the post-leap one at t_rel_s, ns: 0 before the window, delta * 1e9 after
 * it, continuous and monotonic in between (sign as delta).
 * @param p      validated params
 * @param delta  +1 inserted, -1 deleted second, 0 no leap (gives 0)
 * @param t_rel_s time relative to the leap reference instant, SI seconds
 * @return offset, ns; NAN for invalid params, |delta| > 1 or a NAN t_rel_s.
 */
double smear_offset_ns(const struct smear_params *p, int delta, double t_rel_s);

/**
 * Derivative of smear_offset_ns() with respect to t_rel_s, ppb (ns/s):
 * 0 outside the window; linear: delta * 1e9 / W inside; cosine:
 * delta * 1e9 * (pi / 2W) * sin(pi x). W = window length in SI seconds.
 * The clock being smeared must run at -smear_rate_ppb() relative to TAI.
 * @return rate, ppb; NAN for invalid params, |delta| > 1 or a NAN t_rel_s.
 */
double smear_rate_ppb(const struct smear_params *p, int delta, double t_rel_s);

/**
 * Fill *out with a named published smear: "google" (alias "aws"), "meta",
 * "ptpd". Definitions and sources: doc/leap.md.
 * @return 0, or -EINVAL for an unknown name (out untouched).
 */
int smear_preset(const char *name, struct smear_params *out);

/** Parse "linear" / "cosine"; -EINVAL otherwise. */
int smear_shape_parse(const char *s, enum smear_shape *out);
/** "linear", "cosine", or "?" */
const char *smear_shape_name(enum smear_shape shape);

#endif
