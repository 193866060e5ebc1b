/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file metrics_fill.h
 * gnomond's state as Prometheus metrics (metrics_fill.c): the daemon-facing
 * entry points daemon_metrics_start/stop/fill, and the pieces that work on
 * plain values, for the unit tests. Families, labels and units:
 * doc/metrics.md.
 */
#ifndef GNOMON_METRICS_FILL_H
#define GNOMON_METRICS_FILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/discipline/discipline.h"
#include "daemon/config/config.h"
#include "daemon/health/health.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/metrics/metrics.h"
#include "daemon/record/recovery.h"

/**
 * Per-clock recovery counts by event kind, kept across scrapes so that
 * gnomon_clock_recovery_events_total only grows although the tracker keeps
 * a bounded history. An event counts from the moment it is seen in
 * progress (or completed, if it started and ended between two updates).
 */
struct recovery_tally {
	uint64_t completed_seen;	/**< recovery_status.completed last time */
	bool active_counted;		/**< the event in progress is counted */
	int64_t active_mono_ns;		/**< ... and started then */
	enum recovery_kind active_kind;
	uint64_t events[RECOVERY_KIND_COUNT];
	bool has_last[RECOVERY_KIND_COUNT];	/**< an event of the kind completed */
	double last_s[RECOVERY_KIND_COUNT];	/**< its recovery time; NaN: did not recover */
	double last_limit_s[RECOVERY_KIND_COUNT];	/**< its |O| / C */
};

/**
 * Bring a tally up to date.
 * @param hist  the clock's most recent completed reports, oldest first
 *              (discipline_recovery_history())
 * @param n     how many
 * @param rs    the tracker's status now (completed count, event in progress)
 */
void recovery_tally_update(struct recovery_tally *t, const struct recovery_report *hist,
			   size_t n, const struct recovery_status *rs);

/**
 * Add one clock's samples to m, declaring each family of the catalogue
 * (metrics_gnomon_defs()) on its first sample.
 * @param tick_s  the kernel tick in seconds for CLOCK_REALTIME; NaN for a
 *                PHC (no tick series)
 * @param t       its recovery tally, or NULL (no recovery series)
 * @return 0 or the first metrics_sample() error
 */
int metrics_fill_clock(struct metrics *m, const struct discipline_status *st, double tick_s,
		       const struct recovery_tally *t);

/**
 * Add the process-wide samples: leap file expiry and status, loop
 * iterations, build info, start time.
 * @param leaps        the leap table (may hold no file)
 * @param now_utc_s    UTC now, s (for the expiry state)
 * @param iterations   loop_iterations()
 * @param start_utc_s  when the process started, s since 1970
 */
/** A bond's families: failovers, and which of the n members is active
 *  (active: index into members, -1 none). 0 or -errno. */
int metrics_fill_bond(struct metrics *m, const char *bond, uint64_t failovers,
		      const char *const *members, int n, int active);
int metrics_fill_process(struct metrics *m, const struct leaptable *leaps, int64_t now_utc_s,
			 uint64_t iterations, double start_utc_s);

/* ---- the daemon's metrics: HTTP listener and textfile ---- */

struct dmetrics;
struct recfile;

/** What the metrics read (not owned; outlive them). */
struct dmetrics_env {
	struct loop *loop;
	struct discipline_set discs;
	const struct leaptable *leaps;
	int64_t start_utc_ns;		/**< for process_start_time_seconds */
	const struct health *health;	/**< may be NULL */
	/** More families (the bonds'), or NULL; called after the clocks'. */
	int (*fill_more)(void *arg, struct metrics *m);
	void *more_arg;
	const struct recfile *history;	/**< the state files, may be NULL */
	const struct recfile *audit;
};

/** One sample of a catalogue family, declared on its first sample. */
int metrics_fill_sample(struct metrics *m, const char *name, const char *const kv[], double v);
/** The clock-health families (metrics_health.c). 0 or the first error. */
int metrics_fill_health(struct metrics *m, const struct health_status *st);

/** Start what c asks for: the HTTP listener (metrics_listen) and the
 *  textfile timer (metrics_textfile), replacing *dm (a reload: the
 *  recovery counts are kept). Logs failures naming the key. *dm is NULL
 *  when neither is set. 0 or -errno (*dm then still needs stopping). */
int daemon_metrics_start(const struct dmetrics_env *env, const struct gnomon_config *c,
			 struct dmetrics **dm);
/** Stop both and free; *dm becomes NULL; accepts *dm == NULL. */
void daemon_metrics_stop(struct dmetrics **dm);
/** Fill m (reset, nothing declared) with the catalogue's families that
 *  have samples. A metrics_render_fn: arg is the struct dmetrics. 0 or -errno. */
int daemon_metrics_fill(void *arg, struct metrics *m);

#endif
