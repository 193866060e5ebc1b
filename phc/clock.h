/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clock.h
 * phc/ owns the kernel clock seam: CLOCK_REALTIME, PHCs, comparison, clock names, dry run.
 * It may call the kernel (and nothing else in gnomon); never logs.
 *
 * The one clock seam. Everything in gnomon that reads, compares or corrects
 * a clock goes through this interface. phc/ implements it for the kernel
 * (CLOCK_REALTIME and /dev/ptpN); clock_dryrun() wraps any clock so that
 * reads pass through and corrections are recorded but not applied; unit
 * tests build fake clocks with clock_create() and an ops table.
 *
 * phc/ translates, it does not decide: every call returns 0 or a negative
 * errno, and never logs. Units are in the names.
 *
 * Conventions: offset = target - reference (positive: target AHEAD);
 * freq_ppb positive makes the clock run FASTER; step_ns is ADDED to the clock.
 */
#ifndef GNOMON_CLOCK_H
#define GNOMON_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum clock_kind {
	CLOCK_KIND_SYSTEM,	/**< CLOCK_REALTIME */
	CLOCK_KIND_PHC,		/**< a PTP hardware clock, /dev/ptpN */
	CLOCK_KIND_FAKE,	/**< a test double */
};

/** How two clocks were compared. */
enum compare_method {
	CMP_NONE = 0,
	CMP_PRECISE,	/**< PTP_SYS_OFFSET_PRECISE: hardware cross-timestamp */
	CMP_EXTENDED,	/**< PTP_SYS_OFFSET_EXTENDED: sys-phc-sys per sample */
	CMP_PLAIN,	/**< PTP_SYS_OFFSET: interleaved sys/phc reads */
	CMP_READ,	/**< clock_gettime ref/target/ref interleaved */
};

/** One raw comparison of two clocks. */
struct clock_reading {
	int64_t offset_ns;	/**< target - reference at the reading's midpoint */
	int64_t delay_ns;	/**< width of the bracketing window (0 for PRECISE) */
	int64_t ref_ns;		/**< reference clock time of the reading, ns since its epoch */
};

/** Kernel leap state, as adjtimex returns it (TIME_OK ... TIME_ERROR). */
struct clock_leap_status {
	int state;		/**< TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT, TIME_ERROR */
	int pending;		/**< +1 STA_INS armed, -1 STA_DEL armed, 0 none */
	int tai_s;		/**< kernel TAI - UTC offset, seconds */
	bool unsync;		/**< STA_UNSYNC set */
};

/** Ops of one kind of clock. Every op returns 0 or -errno. NULL = -EOPNOTSUPP. */
struct clock_ops {
	const char *kind_name;
	enum clock_kind kind;
	int (*gettime)(void *priv, struct timespec *ts);
	int (*get_freq)(void *priv, double *ppb);
	int (*adj_freq)(void *priv, double ppb);
	int (*step)(void *priv, int64_t delta_ns);
	int (*set_leap)(void *priv, int leap);		/* +1 insert, -1 delete, 0 clear */
	int (*get_leap)(void *priv, struct clock_leap_status *st);
	int (*set_tai)(void *priv, int tai_s);
	int (*set_sync)(void *priv, bool synced, int64_t maxerror_ns, int64_t esterror_ns);
	/** PHC only: n readings of this PHC (reference) against CLOCK_REALTIME.
	 *  offset = CLOCK_REALTIME - PHC. Fills *method with what was used. */
	int (*sys_offset)(void *priv, int n, struct clock_reading *out,
			  enum compare_method *method);
	/** Kernel clockid for this clock (PHC: FD_TO_CLOCKID), or -1. */
	clockid_t (*clockid)(void *priv);
	/** Read this clock and a twin that no step moves but that runs at
	 *  the same rate (CLOCK_MONOTONIC for CLOCK_REALTIME), as close
	 *  together as possible: clock_watch() sees a step as a change of
	 *  their difference. NULL: the clock has no such twin. */
	int (*watch)(void *priv, int64_t *clock_ns, int64_t *twin_ns);
	/** PHC only: if the device's descriptor is dead (every call says
	 *  ENODEV: a hot-unplug, a NIC reset), open the device again.
	 *  0 reopened, 1 the descriptor works (nothing done), -errno. */
	int (*reopen)(void *priv);
	void (*destroy)(void *priv);
};

struct clock;

/**
 * Open a clock by name: "CLOCK_REALTIME" (or "sys"), "/dev/ptpN", "ptpN",
 * or a network interface name, resolved to its PHC with ETHTOOL_GET_TS_INFO.
 * @param err  set to a negative errno on failure (ENOENT no such clock,
 *             ENODEV interface without a PHC, EACCES, ...)
 * @return the clock or NULL.
 */
struct clock *clock_open(const char *name, int *err);

/** Wrap a clock: reads pass through, corrections are recorded, never applied.
 *  Takes ownership of inner. */
struct clock *clock_dryrun(struct clock *inner);

/** Build a clock from an ops table (tests, the dry-run wrapper). priv is
 *  passed to every op and freed by ops->destroy. max_adj_ppb is the largest
 *  |frequency| the clock accepts. Returns NULL on no memory. */
struct clock *clock_create(const struct clock_ops *ops, void *priv,
			   const char *name, double max_adj_ppb);

/** Close a clock. Accepts NULL. */
void clock_close(struct clock *c);

const char *clock_name(const struct clock *c);
enum clock_kind clock_kind(const struct clock *c);
/** Largest |frequency| correction accepted, ppb: 1e8 (10 %) for
 *  CLOCK_REALTIME via tick+frequency, the driver's max_adj for a PHC. */
double clock_max_adj_ppb(const struct clock *c);
/** PHC index (N of /dev/ptpN), -1 for other clocks. */
int clock_phc_index(const struct clock *c);
/** True if this clock's adjustments are not applied (dry run). */
bool clock_is_dryrun(const struct clock *c);

int clock_gettime_ns(struct clock *c, int64_t *ns);
int clock_get_freq(struct clock *c, double *ppb);
/** Set the absolute frequency correction. CLOCK_REALTIME: split into
 *  ADJ_TICK (10000 + round(ppb / 1e5) us) plus ADJ_FREQUENCY for the
 *  remainder; |ppb| > max_adj gives -ERANGE and changes nothing. */
int clock_adj_freq(struct clock *c, double ppb);
/** Step the clock by delta_ns (ADJ_SETOFFSET). */
int clock_step(struct clock *c, int64_t delta_ns);
int clock_set_leap(struct clock *c, int leap);
int clock_get_leap(struct clock *c, struct clock_leap_status *st);
int clock_set_tai(struct clock *c, int tai_s);
int clock_set_sync(struct clock *c, bool synced, int64_t maxerror_ns, int64_t esterror_ns);
/**
 * After -ENODEV: a PHC whose descriptor died (the device was unplugged or
 * its driver reset the NIC; the kernel then fails every call on the old
 * descriptor with ENODEV) is opened again by its path, keeping this clock
 * object, its name, handlers and watch baseline.
 * @return 0 reopened, 1 the descriptor still works (nothing done),
 *         -EOPNOTSUPP not a PHC, or -errno of the open (ENOENT: not back yet).
 */
int clock_reopen(struct clock *c);

/**
 * Compare target against reference: up to n readings, offset = target - ref.
 * Chooses PTP_SYS_OFFSET_PRECISE, then _EXTENDED, then plain PTP_SYS_OFFSET
 * when one clock is a PHC and the other CLOCK_REALTIME (remembering what
 * works); interleaved clock_gettime reads otherwise.
 * @return number of readings (> 0) or -errno.
 */
int clock_compare(struct clock *ref, struct clock *target, int n,
		  struct clock_reading *out, enum compare_method *method);

const char *compare_method_name(enum compare_method m);

/*
 * Steps are news. Whatever keeps time stamps of a clock (a discipline's
 * servo, its recovery tracker, a source comparing against it) registers a
 * handler on the clock and hears of every change of its timeline or rate
 * that a sample-by-sample view would misread. Handlers run after the
 * change, in the order they were added, and may add or remove handlers
 * (their own included) while they run: one removed is not called again,
 * one added hears the next change, not this one.
 */
enum clock_change_kind {
	CLOCK_CHANGE_STEP,		/**< stepped through clock_step() (this process) */
	CLOCK_CHANGE_FOREIGN_STEP,	/**< stepped by someone else (clock_watch()) */
	CLOCK_CHANGE_FREQ_RESET,	/**< frequency set by someone else (clock_watch()) */
};

struct clock_change {
	enum clock_change_kind kind;
	int64_t step_ns;	/**< steps: amount ADDED to the clock, ns */
	double freq_ppb;	/**< FREQ_RESET: frequency now in effect, ppb */
	double was_ppb;		/**< FREQ_RESET: frequency this process had set */
};

typedef void (*clock_change_cb)(struct clock *c, const struct clock_change *ch, void *arg);

/** Register cb(arg) for c's changes. 0, -EEXIST (same pair twice), -ENOMEM. */
int clock_add_change_handler(struct clock *c, clock_change_cb cb, void *arg);
/** Unregister; 0 or -ENOENT. Safe from inside a handler. */
int clock_remove_change_handler(struct clock *c, clock_change_cb cb, void *arg);

/**
 * Look for changes made by someone else since the last call (call at each
 * wake-up, before measuring): a step, as a change of (clock - twin) beyond
 * what this process stepped (CLOCK_REALTIME against CLOCK_MONOTONIC, which
 * the kernel slews with it and never steps; the kernel's own leap second,
 * armed through clock_set_leap(), is not news), and a frequency other than
 * the one last set through clock_adj_freq(). Each is told to the handlers.
 * The first call only takes the baseline. A clock without a twin is
 * checked for its frequency only.
 * @return the number of changes found (0, 1, 2) or -errno (read failed).
 */
int clock_watch(struct clock *c);

/** The tick/frequency split for CLOCK_REALTIME, exposed for tests.
 *  tick_us = 10000 + round(ppb / 1e5); freq_ppb = ppb - (tick_us - 10000) * 1e5.
 *  @return 0, or -ERANGE if |ppb| > 1e8 (tick would leave 9000..11000). */
int sysclk_split(double ppb, long *tick_us, double *freq_ppb);
/** Inverse: the total rate correction of a tick and a frequency. */
double sysclk_join(long tick_us, double freq_ppb);

#endif
