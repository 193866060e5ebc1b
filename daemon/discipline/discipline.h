/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file discipline.h
 * daemon/discipline/ owns one discipline per clock (measure, leap shift, servo, apply, account), its state machine, the clock registry.
 * It may call servo/, phc/, daemon/source/, daemon/leap/, daemon/record/, daemon/ (loop, log).
 *
 * A discipline binds one source to one clock through a leap policy and a
 * servo: each update it measures target - reference, converts timescales
 * (a UTC clock from a TAI reference, shaped by the leap policy), feeds the
 * servo and applies its frequency or step; observers (the recovery
 * tracker, the audit trail, the history file) are told what happened.
 * Runtime faults become state (counted, logged once, retried), never exits.
 */
#ifndef GNOMON_DISCIPLINE_H
#define GNOMON_DISCIPLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/record/audit.h"
#include "daemon/config/config.h"
#include "daemon/record/history.h"
#include "daemon/leap/leap.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/record/recovery.h"
#include "daemon/source/source.h"
#include "phc/clock.h"
#include "servo/servo.h"

/** Operator-facing state, in the vocabulary of ptp4l/pmc. */
enum disc_state {
	DISC_FREERUN,	/**< not yet synchronised */
	DISC_LOCKED,	/**< servo locked to a working source */
	DISC_HOLDOVER,	/**< was locked, source failing: frequency kept */
};

/** What every discipline shares (owned by the daemon, outlives them). */
struct discipline_env {
	struct loop *loop;
	const struct gnomon_config *conf;
	const struct leaptable *leaps;	/**< may hold no table */
	struct audit *audit;		/**< may be NULL */
	struct history *history;	/**< may be NULL */
};

struct discipline;

/** The daemon's disciplines as the operations side (notify, metrics,
 *  reload, control commands) sees them: d[0..n), an entry may be NULL. */
struct discipline_set {
	struct discipline *const *d;
	int n;
};

/** What a ptp4l source says, for status and metrics (present false otherwise). */
struct disc_ptp_status {
	bool present;			/**< the source is ptp4l */
	bool up;			/**< ptp4l answers */
	int port;			/**< port number of the port followed; 0 none */
	const char *port_state;		/**< "SLAVE", ...; "" if none */
	int port_state_num;		/**< enum ptp_port_state; 0 none */
	char iface[64];
	char reference[64];		/**< the clock followed ("" none yet) */
	bool have_status;
	bool gm_present;
	char gm_identity[24];
	int64_t master_offset_ns;
	bool have_tprops;
	int utc_offset_s;		/**< currentUtcOffset */
	bool utc_valid, ptp_timescale, time_traceable, freq_traceable, leap61, leap59;
	const char *leap_source;	/**< the table in use: "file", "ptp", "none" */
	int ptp_leap;			/**< the grandmaster's pending leap: +1, -1, 0 */
	int64_t ptp_leap_utc_s;		/**< its date (first second after it) */
	int file_leap;			/**< the file's leap within a day: +1, -1, 0 */
	char conflict[192];		/**< last file/grandmaster disagreement; "" none */
	uint64_t malformed, reconnects;
};

/** Updates in the RMS offset of status and metrics. */
#define DISC_RMS_N	16

struct discipline_status {
	const char *name;
	const char *source;
	enum clock_kind kind;
	enum disc_state state;
	enum servo_state servo_state;
	enum servo_type servo;
	int64_t offset_ns;		/**< last measured offset (after timescale conversion) */
	double freq_ppb;		/**< last frequency applied */
	double max_slew_ppm;
	bool slewing, at_cap;
	double slew_left_s;
	double last_update_age_s;	/**< since the last good sample; -1 if none */
	bool holding;			/**< the source is failing: the servo holds its last
					 *   frequency, offset_ns is last_update_age_s old */
	uint64_t updates, steps;
	uint64_t faults;		/**< outages: fault episodes begun (into HOLDOVER) */
	uint64_t update_failures;	/**< updates that failed (each read/adjust) */
	/* what chronyc tracking shows */
	bool have_rms;
	int64_t rms_offset_ns;		/**< RMS of the last rms_n offsets (<= DISC_RMS_N) */
	unsigned rms_n;
	bool have_bound;		/**< LOCKED and a bound known */
	int64_t error_bound_ns;		/**< bound on |offset| at the last update (disc_sync.c) */
	int64_t last_good_utc_ns;	/**< UTC of the last good sample; 0 none */
	bool has_kernel_sync;		/**< CLOCK_REALTIME: the kernel's state below applies */
	bool kernel_synced;		/**< STA_UNSYNC cleared by gnomond */
	int64_t kernel_maxerror_ns, kernel_esterror_ns;	/**< as last told */
	int leap_pending;		/**< +1/-1: a leap announced, not yet past (the table in use) */
	bool have_tai;
	int tai_offset_s;		/**< TAI - UTC: what gnomond set in the kernel (ADJ_TAI),
					 *   else the grandmaster's currentUtcOffset if valid */
	uint64_t slow_reads;		/**< source reads longer than slow_read_threshold */
	uint64_t foreign_steps;		/**< steps of the clock someone else made */
	uint64_t foreign_freqs;		/**< frequency changes someone else made */
	uint64_t reference_jumps;	/**< reference jumps refused (reference_jump_guard) */
	uint64_t reopens;		/**< devices opened again after their descriptor died */
	bool foreign_alarm;		/**< they keep coming (3 in 10 min): another time
					 *   daemon fights over the clock; cleared after 10
					 *   quiet minutes */
	int last_error;			/**< -errno of the last failure, 0 if none */
	bool dry_run;
	/* leap */
	bool leap_applies;		/**< UTC clock from a TAI source */
	enum leap_policy leap_policy;
	struct leap_view leap;		/**< the last view (valid if leap_applies) */
	int kernel_leap;		/**< what we armed: +1, -1, 0 */
	/* recovery */
	struct recovery_status recovery;
	char state_reason[96];		/**< why not LOCKED, from the source; "" if none */
	struct disc_ptp_status ptp;
};

/**
 * Create and start a discipline: reads the clock's current frequency,
 * creates the servo and the recovery tracker, schedules the first update.
 * @param err  message on failure ("FILE:LINE: ..." for config problems)
 */
struct discipline *discipline_create(const struct discipline_env *env,
				     const struct clock_conf *cc, struct clock *target,
				     struct source *src, char *err, size_t errlen);
/** Stop and free: leaves the clock at the servo's estimate of its natural
 *  frequency (no slew, no feed-forward; CLOCK_REALTIME with its tick back
 *  at nominal where that fits) and logs it. Accepts NULL. */
void discipline_destroy(struct discipline *d);

void discipline_get_status(const struct discipline *d, struct discipline_status *st);
/** Completed recovery reports, oldest first; returns how many were written. */
size_t discipline_recovery_history(const struct discipline *d,
				   struct recovery_report *out, size_t max);
const char *disc_state_name(enum disc_state s);

/**
 * The source's reference clock changes (a bond failed over): the servo
 * keeps its state and frequency (the new reference runs with the old one),
 * step news are followed on the new reference, and the change is logged,
 * audited (source_switched) and a recovery event (failover).
 * @param ref  the new reference, NULL: none (the source fails meanwhile)
 */
void discipline_set_reference(struct discipline *d, struct clock *ref, const char *reason);
/** True while the clock is the reference of its own source (it leads a bond). */
bool discipline_leading(const struct discipline *d);


/* What the operations side (watchdog, metrics, SIGHUP reload) needs beyond
 * discipline_get_status(): read-only accessors and the slew cap. */

/** CLOCK_MONOTONIC time (ns, as loop_now() gives it) of the last
 *  successful read of the clock against its source; 0 = never. */
int64_t discipline_last_good_ns(const struct discipline *d);

/** The configured update interval, ns (1 / update_rate). */
int64_t discipline_interval_ns(const struct discipline *d);

/** The clock being disciplined (for read-only queries such as the tick). */
struct clock *discipline_clock(const struct discipline *d);

/**
 * Change the slew cap at run time (configuration reload): the servo's
 * frequency clamp and the recovery tracker's cap for events from now on.
 * The current frequency, if above the new cap, is clamped at the next
 * update by the servo.
 * @param max_slew_ppb  new cap, ppb, > 0 (clock_conf.max_slew_ppb)
 * @param err           one line on failure, naming the clock
 * @return 0, -EINVAL (not > 0) or -ERANGE (above what the clock accepts:
 *         the driver's max_adj for a PHC, 10 % for CLOCK_REALTIME)
 */
int discipline_set_cap(struct discipline *d, double max_slew_ppb, char *err, size_t errlen);

/**
 * Something outside changed the clock's natural rate (the kernel's
 * clocksource): start a recovery event of kind, and let the servo re-learn
 * the frequency (its history is of the old rate) instead of fighting it.
 * @param why  for the log, e.g. "clocksource tsc -> hpet"
 */
void discipline_rate_changed(struct discipline *d, enum recovery_kind kind, const char *why);

#endif
