/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file world.h
 * The simulated world: true time, the system clock (CLOCK_REALTIME and its
 * kin, with the kernel's NTP state) and the PHCs, the scenario's events,
 * the truth recorder and the outputs. Time only moves through
 * world_advance_to(); everything that happens on the way (events, random
 * walk steps, second boundaries of CLOCK_REALTIME, CSV samples, the end)
 * happens at its exact true time.
 *
 * True time t: ns of TAI since the POSIX epoch. Offsets: clock - ideal,
 * positive = clock AHEAD. Steps are ADDED to the clock.
 */
#ifndef GNOMON_SIM_WORLD_H
#define GNOMON_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/timex.h>

#include "tests/sim/kntp.h"
#include "tests/sim/lclock.h"
#include "tests/sim/prng.h"
#include "tests/sim/scenario.h"
#include "tests/sim/truth.h"
#include "util/util.h"


struct world_opts {
	bool seed_set;
	uint64_t seed;			/**< overrides the scenario's */
	int64_t duration_ns;		/**< > 0 overrides the scenario's */
	int64_t csv_interval_ns;	/**< > 0 overrides the scenario's */
	const char *csv_path;		/**< NULL: no CSV (unless csv_fd) */
	const char *summary_path;	/**< NULL: no summary file (unless summary_fd) */
	const char *kcsv_path;		/**< NULL: no kernel CSV (unless kcsv_fd) */
	int csv_fd, summary_fd, kcsv_fd;	/**< > 0: already open (the runner's), used instead */
	const char *netcsv_path;	/**< per-packet truth CSV, NULL: none (unless netcsv_fd) */
	int netcsv_fd;
	int64_t progress_ns;		/**< > 0: a progress line this often */
};

struct simsys {
	struct lclock raw;	/**< CLOCK_MONOTONIC_RAW: natural rate */
	struct lclock mono;	/**< CLOCK_MONOTONIC: natural rate x NTP rate */
	int64_t wall_off;	/**< CLOCK_REALTIME = CLOCK_MONOTONIC + wall_off */
	double e;		/**< natural frequency error, relative */
	struct kntp k;
	int64_t sec;		/**< last CLOCK_REALTIME second processed */
};

struct simphc {
	struct lclock lc;
	double e;		/**< natural frequency error, relative */
	long dialed;		/**< last ADJ_FREQUENCY, scaled ppm */
	int64_t eio_until;	/**< reads fail with err before this true time */
	int err;		/**< the fault's errno: EIO, ENODEV, EBUSY */
	unsigned gen;		/**< descriptors opened before the last unplug are dead */
	int64_t absent_until;	/**< unplugged: open() says ENOENT before this */
	int64_t hang_from, hang_until;
	bool warned_ref;
};

struct net;
/** CPUs, clocksource and wait faults (health.c). */
struct simhealth {
	int cur_cpu;			/**< where the program runs */
	uint64_t affinity;		/**< its CPU mask */
	int64_t cpu_off[SC_MAX_CPUS];	/**< clocks read on that CPU are this far off, ns */
	char current[SC_NAME_LEN];	/**< current clocksource */
	int64_t early_ns;		/**< waits end this early (< 0: late) ... */
	int64_t early_until;		/**< ... before this true time */
	bool early_rt_only;		/**< ... only REALTIME absolute ones */
	long early_wakes;		/**< waits that ended early (counted) */
};

/** A bond as the kernel keeps it, and the reference (ptp4l) behind it. */
struct simbond {
	int nmembers;
	int member[SC_MAX_IFACES];	/**< interfaces, in order of preference */
	int active;			/**< interface, -1: none */
	long failovers;
	int ref_clock;			/**< PHC the reference disciplines, -1: none */
	bool ref_fresh;			/**< its servo just started (may step) */
	int64_t ref_resume;		/**< port fault ends (true time), INT64_MAX: none */
	int64_t ref_next;		/**< next servo tick */
};

#define SIM_LINK_LOG	256	/**< link changes kept for netlink listeners */

/** One RTM_NEWLINK notification the kernel would multicast. */
struct link_change {
	int iface;
	bool failover;			/**< IFLA_EVENT_BONDING_FAILOVER */
};

struct clock_count {
	long reads, steps, freq_sets, status_sets, errors;
	long zero_steps;	/**< steps of 0 ns (not in steps: they move nothing) */
	long foreign_steps;	/**< 'step' events: steps by another process */
};

struct world {
	struct scenario sc;
	uint64_t seed;
	int nclocks;			/**< sc.nclocks: 0 system, 1.. PHCs */
	int64_t t, t0, t_end, t_stats;
	int tai_utc;			/**< true TAI - UTC now */
	struct simsys sys;
	struct simhealth hl;
	struct simphc phc[SC_MAX_CLOCKS];	/**< [c] for c >= 1 */
	struct prng wander[SC_MAX_CLOCKS], noise[SC_MAX_CLOCKS], lat;
	struct clock_count cnt[SC_MAX_CLOCKS];
	int64_t open_at[SC_MAX_EVENTS];	/**< true time each event window opens */
	int next_open, next_apply;
	int64_t next_wander, next_csv, next_progress;
	int64_t csv_interval, progress_interval;
	struct truth *tr;
	FILE *csv;
	FILE *summary;
	FILE *kcsv;			/**< the kernel's NTP state over time (--kernel-csv) */
	int out_fd[4];			/**< fds of csv, summary, kernel CSV, network CSV (-1: none) */
	FILE *netcsv;			/**< per-packet truth (--net-csv) */
	struct net *net;		/**< the network (net.h) */
	bool ended;			/**< t_end passed and outputs written */
	struct simbond bond[SC_MAX_BONDS];
	bool carrier[SC_MAX_IFACES];
	bool released[SC_MAX_IFACES];	/**< left its bond (bond.c) */
	uint32_t link_seq;		/**< link changes so far */
	struct link_change link_log[SIM_LINK_LOG];	/**< [seq % SIM_LINK_LOG] */
	uint32_t nl_overruns;		/**< netlink_overrun events so far */
	struct prng refnoise;
	const char *end_reason;
};

/** Build the world at the scenario's start. Returns NULL with a message in err. */
struct world *world_create(const struct scenario *sc, const struct world_opts *o,
			   char *err, size_t errlen);
/** Free; accepts NULL. Does not write outputs. */
void world_destroy(struct world *w);

/** Advance true time to t (no-op if t <= now), processing all on the way. */
void world_advance_to(struct world *w, int64_t t);
/** Advance by dt ns. */
void world_advance(struct world *w, int64_t dt);
/** True time of the next thing the world itself has scheduled. */
int64_t world_next_change(const struct world *w);
/** Finish early (the program exited): close statistics at now, write outputs. */
void world_finish(struct world *w, const char *reason);

/** True offset of clock c against its ideal, ns. */
double world_offset(const struct world *w, int c);
/** Ideal time (UTC or TAI per the clock's timescale) now, ns. */
int64_t world_ideal(const struct world *w, int c);
/** Tell the truth recorder that clock c changed now; before = world_offset() before. */
void world_changed(struct world *w, int c, double before);
/** Count a step of clock c by the program: steps, or zero_steps if delta_ns is 0. */
void world_count_step(struct world *w, int c, int64_t delta_ns);
/** A gaussian read noise for clock c (its scenario sigma). */
double world_noise(struct world *w, int c);

/* ---- system clock (sysclk.c) ---- */
void sys_init(struct world *w);
/** Exact value of a system clock id (REALTIME, MONOTONIC, MONOTONIC_RAW,
 *  TAI, BOOTTIME, the _COARSE/_ALARM variants) now, plus extra_ns. */
int64_t sys_value(const struct world *w, clockid_t clk, double extra_ns);
/** What a program's read returns (REALTIME with read noise), read cost paid. */
int sys_gettime(struct world *w, clockid_t clk, struct timespec *ts);
/** adjtimex()/clock_adjtime(CLOCK_REALTIME). Returns the state or -errno. */
int sys_adjtimex(struct world *w, struct timex *tx);
/** clock_settime(CLOCK_REALTIME). Returns 0 or -errno. */
int sys_settime(struct world *w, const struct timespec *ts);
/** True time at which system clock clk reaches value (INT64_MAX: never). */
int64_t sys_when(const struct world *w, clockid_t clk, int64_t value);
int64_t sys_next_second(const struct world *w);
void sys_tick(struct world *w);
void sys_set_natural(struct world *w, double e);
void sys_jump(struct world *w, int64_t delta_ns);
double sys_offset(const struct world *w);

/* ---- PHCs (phcsim.c); c is the clock index (>= 1) ---- */
void phc_init(struct world *w, int c);
int phc_gettime(struct world *w, int c, struct timespec *ts);
int phc_settime(struct world *w, int c, const struct timespec *ts);
int phc_adjtime(struct world *w, int c, struct timex *tx);
/** ioctl on /dev/ptpN. Returns 0 or -errno. */
int phc_ioctl(struct world *w, int c, unsigned long req, void *arg);
/* internal to phcsim.c and phcioctl.c */
int phc_device_access(struct world *w, int c);
void phc_read_window(struct world *w, int c, int64_t *d1, int64_t *d2);
int64_t phc_latch(struct world *w, int c);
struct ptp_clock_time;
void phc_ns_to_ptp(int64_t ns, struct ptp_clock_time *pt);
void phc_set_natural(struct world *w, int c, double e);
void phc_jump(struct world *w, int c, int64_t delta_ns);
double phc_offset(const struct world *w, int c);

/* ---- CPUs, clocksource, wait faults (health.c) ---- */
void health_init(struct world *w);
void health_apply(struct world *w, const struct sc_event *e);
/** Offset of clock reads on the program's CPU now, ns. */
int64_t health_cpu_offset(const struct world *w);
/** How much earlier than asked a wait on clock clk (abs: absolute) ends now,
 *  ns: a wait fault's, plus the offset of the CPU the program runs on (its
 *  deadlines are on that CPU's clock). */
int64_t health_wait_skew(const struct world *w, clockid_t clk, bool abs);
/** End of the current wait-fault window (INT64_MAX: none). */
int64_t health_next_change(const struct world *w);
/** Set the PHC's dialed frequency (scaled ppm) as the reference does:
 *  not counted as the program's. */
void phc_dial(struct world *w, int c, long scaled_ppm);
/** A NIC reset: the PHC reads 1970 and runs at frequency 0. */
void phc_reset(struct world *w, int c);
/** Hot-unplug (a NIC reset): every open descriptor of PHC c dies (ENODEV),
 *  and opening it says ENOENT for length_ns. */
void phc_unplug(struct world *w, int c, int64_t length_ns);
/** Another process dials PHC c to ppm (ADJ_FREQUENCY). */
void phc_foreign_freq(struct world *w, int c, double ppm);
/** Another process sets CLOCK_REALTIME's ADJ_FREQUENCY (ppm) or ADJ_TICK. */
void sys_foreign_adjust(struct world *w, int modes, double ppm, long tick);
long phc_dialed_for_rate(const struct world *w, int c, double rate);

/* ---- bonds and their reference (bond.c) ---- */
void bond_init(struct world *w);
int64_t bond_next_change(const struct world *w);
void bond_process(struct world *w);
/** A bond event (failover, carrier, release, enslave, phc_reset, netlink_overrun). */
void bond_apply_event(struct world *w, const struct sc_event *e);
/** Bond whose member iface is, -1 if none. */
int bond_master(const struct world *w, int iface);
/** PHC index an interface reports (a bond: its active member's), -1: none. */
int bond_iface_phc(const struct world *w, int iface);

/* ---- outputs (world_out.c) ---- */
int world_out_open(struct world *w, const struct world_opts *o, char *err, size_t errlen);
void world_out_csv_row(struct world *w);
void world_out_progress(struct world *w);
void world_fmt_offset(char *buf, size_t len, double ns);
/** Write the summary to f. */
void world_out_summary(const struct world *w, FILE *f);
/** Close the CSV and write the summary file (kept open for the exit lines). */
void world_out_close(struct world *w);
/** One row of the kernel CSV (t_s,state,unsync,maxerror_us,esterror_us,tick,freq_ppb). */
void world_out_kernel_row(struct world *w);
/** The program exits (its destructors run; not after SIGKILL): append each
 *  clock's true rate and the kernel's tick and frequency to the summary
 *  and close it; a last kernel row (what it left), then close that file. */
void world_out_exit(struct world *w);

#endif
