/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file truth.h
 * Statistics of the true offsets of the simulated clocks. Each clock's
 * offset against its ideal is piecewise linear in true time (it only
 * changes slope or jumps where something happens), so the world reports
 * every change point and everything here is exact: RMS is the integral,
 * threshold crossings are interpolated, no sampling.
 *
 * Offsets are clock - ideal in ns (positive: clock AHEAD); times are true
 * ns. Pure: no I/O.
 */
#ifndef GNOMON_SIM_TRUTH_H
#define GNOMON_SIM_TRUTH_H

#include <stdbool.h>
#include <stdint.h>

#define TRUTH_NTHR 2	/**< recovery thresholds: [0] 1 ms, [1] 1 us */
#define TRUTH_HOLD_NS 1000000	/**< peak_excl_ns ignores excursions shorter than this */

struct truth;

struct truth_clock_res {
	double rms_ns;		/**< over [stats_from, end], time-weighted */
	double mean_ns;
	double max_ns;		/**< largest |offset| over that window */
	double final_ns;	/**< offset at the end */
	double window_s;	/**< length of the stats window */
};

struct truth_event_res {
	int64_t t_open;		/**< window accounted from here ... */
	int64_t t_ref;		/**< ... the event itself ... */
	int64_t t_close;	/**< ... to the next window (or the end) */
	double offset_ns;	/**< right after the event */
	/** time from the event until |offset| stays below 1 ms / 1 us up to
	 *  t_close, ns; -1 if it is still above at t_close */
	int64_t recover_ns[TRUTH_NTHR];
	double peak_ns;		/**< largest |offset| in [t_open, t_close] */
	/** largest level |offset| holds for TRUTH_HOLD_NS without a break in
	 *  the window (sustain.h): shorter excursions, such as the 1 s spike of
	 *  a kernel-applied leap, do not count. A window shorter than that: its
	 *  smallest |offset|. NaN if memory ran out. */
	double peak_excl_ns;
	double overshoot_ns;	/**< largest excursion of opposite sign to
				 *  offset_ns after the event, >= 0 */
};

/** nclocks clocks, stats window from true time t_stats; max_windows events. */
struct truth *truth_create(int nclocks, int max_windows, int64_t t_stats);
void truth_destroy(struct truth *tr);

/**
 * Clock c has a change point at t: its offset reached @p before (the value
 * of the segment that ends) and continues from @p after (differs for a
 * step). t never decreases.
 */
void truth_record(struct truth *tr, int c, int64_t t, double before, double after);

/** Open the next event window at t for every clock (closing the previous);
 *  offsets[c] are the current offsets. Returns its index or -1 if full. */
int truth_open(struct truth *tr, int64_t t, const double *offsets);
/** Mark the event instant of the open window; offsets right after it. */
void truth_ref(struct truth *tr, int64_t t, const double *offsets);
/** Close everything at t (the end of the run). */
void truth_finish(struct truth *tr, int64_t t, const double *offsets);

int truth_nwindows(const struct truth *tr);
void truth_clock(const struct truth *tr, int c, struct truth_clock_res *out);
void truth_window(const struct truth *tr, int k, int c, struct truth_event_res *out);

#endif
