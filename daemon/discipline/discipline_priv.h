/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside of a discipline: shared by discipline.c (the update pipeline),
 * disc_leap.c (leap policy actions) and disc_report.c (observers). */
#ifndef GNOMON_DISCIPLINE_PRIV_H
#define GNOMON_DISCIPLINE_PRIV_H

#include "daemon/discipline/discipline.h"
#include "util/util.h"


/* Foreign frequency changes that make a fight (disc_news.c). */
#define DISC_FIGHT_N	3

struct discipline {
	struct discipline_env env;
	struct clock_conf cc;
	struct clock *clk;
	struct source *src;
	struct servo *servo;
	struct recovery *rec;
	long timer;
	int64_t interval_ns;
	int64_t last_raw_ns, last_mono_ns;	/* servo time base (non-system clocks) */
	double mono_per_raw;		/* CLOCK_MONOTONIC rate against the raw clock */

	/* natural frequency (disc_natural.c) */
	double start_natural_ppb;	/* estimate at start, ppb */
	const char *start_natural_from;	/* where it came from, for the log */
	int64_t drift_written_ns;	/* last drift file write (monotonic), 0 = never */
	int drift_error;		/* last write's error (logged once) */

	/* last results */
	struct servo_out out;
	int64_t offset_ns;
	/* the last source offset the servo saw and when (loop time), for
	 * project_offset(); proj_ns 0: none to project from */
	int64_t proj_offset_ns, proj_ns;
	struct source_sample proj_sample;
	double freq_ppb;
	int64_t last_good_ns;	/* monotonic; 0 = never */
	int64_t slew_start_ns;
	enum disc_state state;
	bool started;		/* first good sample seen */
	bool leading;		/* the source's reference is this clock (a bond's active PHC) */

	/* faults: logged once per episode */
	int last_error;
	uint64_t fault_run;
	int64_t fault_start_ns;
	int64_t fault_last_raw_ns;	/* raw clock of the last failed update */
	int64_t recovering_log_ns;	/* last "recovering" log line */

	/* the kernel's sync state (CLOCK_REALTIME only; disc_sync.c) */
	bool kernel_synced;		/* STA_UNSYNC cleared by us */
	int64_t kernel_maxerror_ns, kernel_esterror_ns;	/* last told */
	double err_sq;			/* mean square of recent offsets, ns^2 */
	uint64_t err_sq_n;
	int sync_error;			/* last failure, logged once */
	/* what status and metrics show (every clock; disc_sync.c) */
	int64_t rms_ring[DISC_RMS_N];	/* the last offsets */
	unsigned rms_n, rms_i;
	int64_t err_bound_ns;		/* at the last update LOCKED */
	bool have_bound;		/* err_bound_ns holds one */

	/* counters */
	uint64_t updates, steps, faults;	/* faults: outages (episodes) */
	uint64_t update_failures;	/* updates that failed */
	uint64_t reopens;	/* devices opened again after their descriptor died */
	uint64_t slow_reads;	/* reads longer than slow_read_threshold */
	uint64_t slow_run;	/* of them in a row, this stall */
	int64_t slow_max_ns;	/* longest read of this stall */
	uint64_t foreign_steps, foreign_freqs;	/* changes made by someone else */
	int64_t foreign_t[DISC_FIGHT_N];	/* loop time of the last foreign frequency changes (disc_news.c) */
	bool foreign_alarm;	/* they keep coming: two time daemons fighting */
	bool stepping;		/* inside disc_step(): our own step, accounted inline */
	bool subscribed;	/* handlers on the clocks (disc_news.c) */
	bool news_seen;		/* this update found a step made by someone else */

	/* leap */
	bool leap_applies;	/* UTC clock from a TAI source */
	struct leap_policy_conf lpc;
	struct leap_view leap;
	bool have_view;
	int kernel_leap;	/* what we armed */
	int64_t rearm_not_before_ns;	/* after a step: re-arm once a second passed */
	int kernel_tai;		/* what we set with ADJ_TAI; 0 = not yet */
	int64_t leap_seen_utc;	/* leap whose event was recorded */
	int64_t leap_stepped_utc;	/* step policy: leap already stepped */
	bool leap_pending_step;	/* saw the leap before it happened */
	bool paused;
	bool smearing;
	int64_t smear_log_ns;

	/* the source's health and chain (disc_ptp.c) */
	char unfit[96];		/* why the source keeps the clock from LOCKED; "" fit */
	bool chain_applies;	/* the source has a chain (ptp4l) */
	bool chain_known;
	int64_t chain_ns;	/* reference - its master */
	struct leaptable *ptp_leaps;	/* the grandmaster's word (ptp4l source) */
	const struct leaptable *leaps;	/* the table in use: env.leaps or ptp_leaps */
	const char *leap_source;	/* "file", "ptp", "none" */
	int leap_verdict;	/* 0, or -EPROTO: file and grandmaster disagree (both-must-agree) */
	char leap_conflict[192];	/* last file/grandmaster disagreement logged */
	bool warned_expired;

	/* the reference jump guard (disc_refguard.c) */
	bool ref_known;			/* ref_last_* hold an accepted reading */
	int64_t ref_last_ns, ref_last_raw_ns;	/* its reference time, and the raw clock then */
	int64_t refjump_since_ns;	/* loop time the jump was first refused; 0: none */
	int64_t refjump_ns;		/* how far the reference jumped */
	bool refjump_told;		/* "not accepted" said */
	bool ref_refused;		/* this update's sample was refused */
	uint64_t refjumps;		/* reference jumps refused */

	/* periodic summary */
	double sum_sq;
	int64_t max_abs;
	unsigned n_sum;
	int64_t summary_start_ns;
};

/** Dry run: nothing reaches the clock, and the log says "would". */
static inline bool disc_dry(const struct discipline *d)
{
	return clock_is_dryrun(d->clk);
}

/* discipline.c */
struct servo *disc_make_servo(const struct clock_conf *cc, double freq, bool sysclk,
			      double max_adj_ppb);

/* disc_follow.c */
/** The first good sample starts the recovery tracker; after it, a PHC
 *  found beyond phc_jump_guard from its source is stepped back now.
 *  Returns true if it stepped (skip the servo this update). */
bool disc_start_or_guard(struct discipline *d, int64_t now);

/* disc_refguard.c */
/** After a good measurement: true if the sample is refused because the
 *  reference PHC jumped beyond reference_jump_guard from its prediction. */
bool disc_ref_guard(struct discipline *d, const struct source_sample *s, int64_t now);
/** The reference changed (a failover): nothing to predict from. */
void disc_ref_forget(struct discipline *d);
/** The reference was stepped by step_ns and we heard of it: move the prediction. */
void disc_ref_stepped(struct discipline *d, int64_t step_ns);
/** Why the clock holds, if the guard is refusing: into buf, else untouched. */
void disc_ref_reason(const struct discipline *d, char *buf, size_t len);

/* disc_leap.c */
/** Timescale shift to add to (target - reference) at reference time ref_ns,
 *  running the leap policy's actions (arm, smear feed-forward, pause, the
 *  step policy's step). *hold = true: skip the servo this update. */
int disc_leap_update(struct discipline *d, int64_t ref_ns, int64_t now,
		     int64_t *shift_ns, int64_t *stepped_ns, bool *hold);
void disc_leap_init(struct discipline *d);
/** Tell the leap actions that the clock was stepped (re-arms the kernel). */
void disc_leap_stepped(struct discipline *d, int64_t now);

/* disc_news.c: steps are news */
/** Register the handlers on the target and the source's reference clock. */
int disc_news_subscribe(struct discipline *d);
void disc_news_unsubscribe(struct discipline *d);
/** Look for changes someone else made to either clock (clock_watch()). */
int disc_news_watch(struct discipline *d);
/** Step the target as this discipline (its handler leaves it alone). */
int disc_step(struct discipline *d, int64_t delta_ns);

/* disc_natural.c */
/** Leave the clock at its natural frequency (exit), log what was left,
 *  keep it in the drift file. */
void disc_natural_leave(struct discipline *d);
/** The frequency to start from, given the kernel's: the drift file's when
 *  the kernel's is far from it, 0 when the kernel's is suspect (a slew
 *  left behind) and there is no drift file; sets start_natural_*. */
double disc_natural_start(struct discipline *d, double kernel_ppb);
/** After an update: the recovery limit follows the natural-frequency
 *  estimate; the drift file is written every few minutes. */
void disc_natural_tick(struct discipline *d, int64_t now);

/* disc_ptp.c: a source's health, chain and events; the grandmaster's leap word */
/** After a good measurement: events to the recovery tracker, fitness,
 *  and d->leaps for this update (leap_authority; d->leap_verdict). */
void disc_ptp_update(struct discipline *d, int64_t now, const struct source_sample *s);
int disc_ptp_init(struct discipline *d);
void disc_ptp_status(const struct discipline *d, struct disc_ptp_status *p);
void disc_ptp_destroy(struct discipline *d);

/* disc_report.c */
/** What failed in an update: the log names the step, the audit its word. */
enum disc_fault {
	DISC_FAULT_READ,	/**< measuring against the source: what=read */
	DISC_FAULT_TIMESCALE,	/**< converting TAI/UTC: what=timescale */
	DISC_FAULT_ADJUST,	/**< applying the servo's output: what=adjust */
	DISC_FAULT_REF_JUMP,	/**< the reference jumped: disc_refguard.c says it */
};
void disc_report_fault(struct discipline *d, enum disc_fault what, int err, int64_t now);
void disc_report_good(struct discipline *d, int64_t now);
/** How long the source read took (CLOCK_MONOTONIC_RAW ns): a stall past
 *  slow_read_threshold is logged once and counted. */
void disc_report_read_time(struct discipline *d, int64_t dur_ns);
/** An event for the recovery tracker, ago_ns (raw clock) before now: its
 *  own instant (the leap, the fault's end), not the update that saw it. */
void disc_report_event(struct discipline *d, enum recovery_kind kind, int64_t ago_ns,
		       int64_t offset_ns);
void disc_report_sample(struct discipline *d, int64_t now, int64_t offset_ns);
void disc_report_state(struct discipline *d, const struct servo_out *o, int64_t now);
/** Write one audit line of key/value pairs (AKV_STR, AKV_INT, AKV_NUM) for
 *  this clock; a failure is logged. Use disc_audit(d, ACTION, pairs...). */
void disc_audit_kv(struct discipline *d, const char *action, const struct audit_kv *kv,
		   size_t n);
#define disc_audit(d, action, ...)						\
	do {									\
		const struct audit_kv kv_[] = { __VA_ARGS__ };			\
		disc_audit_kv((d), (action), kv_, sizeof(kv_) / sizeof(kv_[0]));	\
	} while (0)
int disc_recovery_create(struct discipline *d);

/* disc_sync.c: the kernel's STA_UNSYNC, maxerror, esterror */
/** After a good update (state already decided): refresh the bounds while
 *  LOCKED, set STA_UNSYNC in FREERUN. */
void disc_sync_sample(struct discipline *d, int64_t offset_ns, int64_t delay_ns);
/** RMS of the last DISC_RMS_N offsets, ns; false if none yet. */
bool disc_rms_offset(const struct discipline *d, int64_t *rms_ns, unsigned *n);
/** The discipline may have entered FREERUN: set STA_UNSYNC if we had cleared it. */
void disc_sync_lost(struct discipline *d);
/** The clock was stepped (by anyone): the kernel's ntp_clear() set STA_UNSYNC
 *  and 16 s bounds; the next LOCKED update tells it again. */
void disc_sync_stepped(struct discipline *d);
/** Exit: leave a synchronised clock's bounds honest for the kernel to grow. */
void disc_sync_exit(struct discipline *d);

#endif
