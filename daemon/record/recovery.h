/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file recovery.h
 * daemon/record/ owns recovery tracker, JSON Lines history, audit trail, their line file (recfile).
 * It may call libc, json-c, daemon/ (safefile).
 *
 * The recovery tracker: how long a clock takes to come back after an event
 * (start, leap, step, source change, failover, fault cleared). One tracker
 * per disciplined clock. Pure: no system calls, no clock reads, no logging;
 * the caller passes every time stamp. Definitions: doc/recovery.md.
 *
 * Conventions: offset = clock - reference (positive: clock AHEAD), int64 ns.
 * Times passed as mono_ns are CLOCK_MONOTONIC ns; utc_ns are UTC ns since
 * 1970 (POSIX scale) and only carried for people to read.
 *
 * In short: at an event the tracker records the offset O, the cap C (ppb)
 * and so the physical limit |O| / C seconds (C being a rate on top of the
 * clock's natural frequency, less where the clock's max_adj leaves less;
 * absent when |O| is within the threshold: nothing to remove). Samples then follow; the event
 * has recovered once |offset| <= threshold has held for hold seconds without
 * a break; its recovery time is the start of that final stretch minus the
 * event time. A new event while one is in progress supersedes it.
 */
#ifndef GNOMON_RECOVERY_H
#define GNOMON_RECOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Default recovery_threshold of CLOCK_REALTIME, ns (1 us). */
#define RECOVERY_THRESHOLD_SYSTEM_NS	1000
/** Default recovery_threshold of a PHC, ns. */
#define RECOVERY_THRESHOLD_PHC_NS	100
/** Default recovery_hold, seconds. */
#define RECOVERY_HOLD_S			10.0
/** Completed reports kept when params.history is 0. */
#define RECOVERY_HISTORY_DEFAULT	64
/** Longest clock name kept (including the NUL); longer names are refused. */
#define RECOVERY_CLOCK_MAX		128
/** Pass as offset_ns to recovery_event() when the offset at the event is
 *  not known yet: the first known sample after the event then becomes O. */
#define RECOVERY_OFFSET_UNKNOWN		INT64_MIN

enum recovery_kind {
	RECOVERY_START = 0,	/**< the discipline started */
	RECOVERY_LEAP,		/**< a leap second reached the clock */
	RECOVERY_STEP,		/**< the clock was stepped */
	RECOVERY_SOURCE_CHANGE,	/**< the discipline switched source */
	RECOVERY_FAILOVER,	/**< bond failover: the reference PHC changed */
	RECOVERY_FAULT_CLEARED,	/**< a clock or source fault ended */
	RECOVERY_CLOCKSOURCE,	/**< the kernel's clocksource changed (and the rate with it) */
	RECOVERY_KIND_COUNT
};

/** Parameters of one tracker (one clock). */
struct recovery_params {
	const char *clock;	/**< clock name, copied; 1..RECOVERY_CLOCK_MAX-1 chars */
	int64_t threshold_ns;	/**< recovery_threshold, ns, > 0 */
	double hold_s;		/**< recovery_hold, seconds, >= 0 */
	double cap_ppb;		/**< slew cap, ppb, >= 0 (0: limit unknown): a rate
				 *  on top of the natural frequency */
	double max_adj_ppb;	/**< the clock's largest |frequency|, ppb; 0: no bound */
	/** A gap between two known samples longer than this breaks the
	 *  in-threshold stretch as a fault would, ns; 0 = no limit. */
	int64_t max_gap_ns;
	size_t history;		/**< completed reports kept; 0 = default */
};

/** One completed event. Magnitudes are >= 0; NaN marks "absent". */
struct recovery_report {
	enum recovery_kind kind;
	char clock[RECOVERY_CLOCK_MAX];
	int64_t event_mono_ns;	/**< CLOCK_MONOTONIC time of the event, ns */
	int64_t event_utc_ns;	/**< UTC time of the event, ns since 1970 */
	int64_t offset_at_event_ns;	/**< O, signed; 0 if never known */
	bool offset_known;	/**< false: O never became known */
	int64_t peak_ns;	/**< max |offset| from the event on, incl. |O| */
	int64_t overshoot_ns;	/**< max |offset| of the sign opposite to O */
	double cap_ppb;		/**< C at the event */
	double limit_s;		/**< |O| / speed, seconds (speed: C, or what max_adj
				 *  leaves beside the natural frequency); NaN when
				 *  C = 0 or |O| <= threshold (nothing to slew) */
	double recovery_s;	/**< seconds; NaN unless recovered */
	double ratio;		/**< recovery_s / limit_s; NaN if no limit or not recovered */
	double elapsed_s;	/**< event to completion (declared/superseded/aborted) */
	int64_t threshold_ns;
	double hold_s;
	bool recovered;		/**< stayed within threshold for hold */
	bool superseded;	/**< closed by a newer event before recovering */
};

/** Status of the event in progress (for status and the log). */
struct recovery_status {
	bool active;		/**< an event is in progress; other fields below
				 *  except completed are valid only when true */
	enum recovery_kind kind;
	int64_t event_mono_ns, event_utc_ns;
	int64_t offset_at_event_ns;
	bool offset_at_event_known;
	bool offset_known;	/**< the latest observation was a known offset */
	int64_t offset_ns;	/**< latest known offset (remaining offset), ns */
	int64_t peak_ns, overshoot_ns;
	double elapsed_s;	/**< event to the latest observation, s */
	bool in_threshold;	/**< inside the current in-threshold stretch */
	double in_threshold_s;	/**< length of that stretch so far, s */
	double limit_s;
	double expected_left_s;	/**< estimated time to recovery, s; NaN unknown */
	int64_t threshold_ns;
	double hold_s;
	double cap_ppb;
	uint64_t completed;	/**< events completed since creation */
};

struct recovery;

/** Name of an event kind ("start", "leap", "step", "source_change",
 *  "failover", "fault_cleared"), or "unknown". */
const char *recovery_kind_name(enum recovery_kind kind);

/** Parse a kind name; returns the kind or -EINVAL. */
int recovery_kind_parse(const char *name);

/**
 * Create a tracker for one clock.
 * @param err  set to -EINVAL (bad parameter) or -ENOMEM on failure
 * @return the tracker, or NULL
 */
struct recovery *recovery_create(const struct recovery_params *p, int *err);

/** Destroy; accepts NULL. */
void recovery_destroy(struct recovery *tr);

/** Change the cap (ppb, >= 0) used for events from now on. 0 or -EINVAL. */
int recovery_set_cap(struct recovery *tr, double cap_ppb);

/**
 * The clock's natural frequency correction as now estimated, ppb (the
 * servo's hold): with max_adj it bounds the speed toward zero. The limit
 * of the event in progress follows the latest estimate. 0 or -EINVAL.
 */
int recovery_set_natural(struct recovery *tr, double natural_ppb);

/**
 * An event begins. An event still in progress is closed as superseded.
 * @param mono_ns    CLOCK_MONOTONIC time of the event, ns; not before the
 *                   previous event or sample
 * @param utc_ns     UTC time of the event, ns since 1970 (for reports only)
 * @param offset_ns  offset at the event O (clock - reference, ns), or
 *                   RECOVERY_OFFSET_UNKNOWN to take the first known sample
 * @return 0, or -EINVAL (bad kind, time going backwards)
 */
int recovery_event(struct recovery *tr, enum recovery_kind kind,
		   int64_t mono_ns, int64_t utc_ns, int64_t offset_ns);

/**
 * A known offset sample.
 * @param mono_ns    CLOCK_MONOTONIC time of the sample, ns (non-decreasing)
 * @param offset_ns  clock - reference, ns (RECOVERY_OFFSET_UNKNOWN is taken
 *                   as recovery_sample_unknown())
 * @return 1 if this sample completed the event (recovery_poll_done() will
 *         return it), 0 otherwise, -EINVAL if time went backwards
 */
int recovery_sample(struct recovery *tr, int64_t mono_ns, int64_t offset_ns);

/**
 * The offset is unknown at mono_ns (a failed read, a source or clock
 * fault). Breaks the in-threshold stretch: time in fault never counts.
 * @return 0, or -EINVAL if time went backwards
 */
int recovery_sample_unknown(struct recovery *tr, int64_t mono_ns);

/**
 * Close the event in progress without a verdict (the clock is no longer
 * disciplined, the daemon stops): reported with recovered = superseded =
 * false. No-op when idle.
 * @return 1 if an event was closed, 0 if idle, -EINVAL if time went back
 */
int recovery_abort(struct recovery *tr, int64_t mono_ns);

/**
 * Fetch the next completed event not yet fetched, oldest first, so the
 * caller logs each exactly once. If more than params.history completions
 * pile up unfetched, the oldest are lost.
 * @return true and fills *out if there was one
 */
bool recovery_poll_done(struct recovery *tr, struct recovery_report *out);

/** Time of the last observation (event or sample), mono_ns; 0 if none:
 *  an event may not be placed before it. */
int64_t recovery_last_ns(const struct recovery *tr);

/** Status of the event in progress (st->active false when idle). */
void recovery_status(const struct recovery *tr, struct recovery_status *st);

/**
 * Copy up to max of the most recent completed reports into out, oldest
 * first (for gnomonctl recovery).
 * @return the number copied
 */
size_t recovery_history(const struct recovery *tr, struct recovery_report *out, size_t max);

#endif
