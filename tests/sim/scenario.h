/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file scenario.h
 * The simulator's scenario files (format: tests/sim/README.md). Pure: no
 * clock is read or changed here, so the parser is unit-tested directly.
 *
 * Times of the run are "true" times: nanoseconds of TAI elapsed since the
 * start. Conventions: offset = clock - ideal (positive: clock AHEAD);
 * freq positive: clock runs FAST.
 */
#ifndef GNOMON_SIM_SCENARIO_H
#define GNOMON_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/sim/netscn.h"

#define SC_MAX_PHC	16
#define SC_MAX_CLOCKS	(1 + SC_MAX_PHC)
#define SC_MAX_IFACES	32
#define SC_MAX_EVENTS	256
#define SC_NAME_LEN	32
#define SC_SYS		0	/**< clocks[0] is always the system clock */
#define SC_MAX_CPUS	64
#define SC_CS_LEN	128
#define SC_MAX_BONDS	4
#define SC_MAX_MEMBERS	4

enum sc_timescale {
	SC_TS_UTC,	/**< ideal = UTC (POSIX, 23:59:59 repeated at a leap) */
	SC_TS_TAI,	/**< ideal = TAI */
};

struct sc_clock {
	char name[SC_NAME_LEN];	/**< "CLOCK_REALTIME" or "ptpN" */
	int phc_index;		/**< N of /dev/ptpN, -1 for the system clock */
	int line;		/**< where it was declared (0: implicit) */
	bool reference;		/**< PHC that follows true TAI */
	enum sc_timescale timescale;
	double offset_ns;	/**< initial offset against the ideal */
	double freq_ppm;	/**< natural frequency error */
	double wander_ppb;	/**< random walk of frequency, ppb/sqrt(s) */
	double noise_ns;	/**< sigma of gaussian read noise */
	double read_delay_ns;	/**< PHC: sys-phc-sys window; system: read cost */
	double read_jitter_ns;	/**< PHC: mean of the exponential extra delay */
	double read_asym;	/**< PHC: latch point within the window, 0..1 */
	long max_adj_ppb;	/**< PHC: caps.max_adj */
	bool cross_ts;		/**< PHC: PTP_SYS_OFFSET_PRECISE works */
	bool extended;		/**< PHC: PTP_SYS_OFFSET_EXTENDED works */
	long tick_us;		/**< system: initial ADJ_TICK */
	long freq_scaled;	/**< system: initial ADJ_FREQUENCY, scaled ppm */
};

struct sc_iface {
	char name[16];
	int phc_index;		/**< -1: interface without a PHC */
};

enum sc_event_kind {
	SC_EV_LEAP_INS,
	SC_EV_LEAP_DEL,
	SC_EV_FREQ_JUMP,	/**< value: ppm added to the natural error */
	SC_EV_TIME_JUMP,	/**< value: ns added to the clock */
	SC_EV_STEP,		/**< value: ns added to the clock by another process */
	SC_EV_FAULT_EIO,	/**< reads and ioctls fail with EIO for length */
	SC_EV_FAULT_HANG,	/**< first call in the window returns at its end */
	SC_EV_FAULT_END,	/**< generated: end of a fault window */
	SC_EV_FAULT_ENODEV,	/**< reads and corrections fail with ENODEV for length */
	SC_EV_FAULT_EBUSY,	/**< reads and corrections fail with EBUSY for length */
	SC_EV_UNPLUG,		/**< every open descriptor of the PHC dies (ENODEV);
				     the device is absent (ENOENT) for length */
	SC_EV_FREQ_RESET,	/**< the driver forgets the dialed frequency: 0 */
	SC_EV_FOREIGN_FREQ,	/**< another process sets ADJ_FREQUENCY to value ppm */
	SC_EV_FOREIGN_TICK,	/**< another process sets ADJ_TICK to value (system) */
	/* the network: host is set, clock is -1 */
	SC_EV_HOST_FREQ,	/**< value: ppm added to the host's NTP clock */
	SC_EV_HOST_STEP,	/**< value: ns added to the host's NTP clock */
	SC_EV_ROUTE,		/**< value: ns added to the delay of direction dir (-1: both) */
	SC_EV_OUTAGE,		/**< the path drops every packet for length */
	SC_EV_OUTAGE_END,
	SC_EV_UNREACH,		/**< the server receives but does not answer for length */
	SC_EV_UNREACH_END,
	SC_EV_KOD,		/**< the server answers Kiss-o'-Death (code) for length */
	SC_EV_KOD_END,
	SC_EV_CPU_OFFSET,	/**< cpu's clocks read value ns off (0: agree again) */
	SC_EV_CLOCKSOURCE,	/**< name becomes the clocksource; value ppm added to
				     the system clock's natural error */
	SC_EV_TIMER_EARLY,	/**< waits end value ns early (negative: late) for
				     length; cpu 1: only REALTIME absolute ones */
	SC_EV_ANNOUNCE,		/**< value: the host's leap mode (enum sc_leap_mode) from now on */
	/* bonds (scenario_bond.c): bond and iface are set */
	SC_EV_FAILOVER,		/**< the bond's active member becomes iface */
	SC_EV_CARRIER,		/**< iface's carrier: value 1 up, 0 down */
	SC_EV_RELEASE,		/**< iface leaves the bond */
	SC_EV_ENSLAVE,		/**< iface joins the bond */
	SC_EV_PHC_RESET,	/**< clock (a PHC) goes to 1970 with frequency 0 */
	SC_EV_NL_OVERRUN,	/**< netlink notifications dropped: ENOBUFS */
};

struct sc_event {
	int64_t at_ns;		/**< true time since the start */
	enum sc_event_kind kind;
	int clock;		/**< index into clocks[], -1 for leaps */
	double value;
	int64_t length_ns;
	int line;
	int64_t date_s;		/**< absolute UTC date (POSIX s), or INT64_MIN */
	int64_t date_ns;	/**< fraction of that date */
	int host;		/**< network events: index into net.hosts, else -1 */
	int dir;		/**< SC_EV_ROUTE: SC_OUT, SC_IN or -1 (both) */
	char code[5];		/**< SC_EV_KOD: "RATE" or "DENY" */
	int cpu;		/**< cpu_offset: the CPU; timer_early: 1 = realtime only */
	char name[SC_NAME_LEN];	/**< clocksource: its name */
	int bond;		/**< bond events: index into bonds[], else -1 */
	int iface;		/**< bond and carrier events: index into ifaces[], else -1 */
};

/** An active-backup bond: its own entry in ifaces[] (no PHC) and members. */
struct sc_bond {
	int iface;		/**< the bond's own interface */
	int nmembers;
	int member[SC_MAX_MEMBERS];	/**< interfaces, in order of preference */
	int line;
};

/** The reference behind a bond, played the way ptp4l would: it disciplines
 *  the active member's PHC to true TAI; after a failover it faults the port
 *  for fault_ns, then starts afresh on the new active member's PHC. */
struct sc_ptp4l {
	int64_t fault_ns;	/**< port faulted after a failover (default 16 s) */
	int64_t step_ns;	/**< first step beyond this on a servo start (0: never) */
	double slew_ppb;	/**< largest correction rate */
	double tau_s;		/**< time constant of the offset correction */
	double noise_ns;	/**< sigma of its offset measurement */
};

struct scenario {
	char name[256];		/**< file name, for messages */
	int64_t start_utc_s;	/**< POSIX seconds, UTC */
	int64_t duration_ns;
	uint64_t seed;
	int tai_utc_s;		/**< TAI - UTC at the start */
	int64_t csv_interval_ns;
	int64_t stats_from_ns;	/**< -1: half the duration */
	int64_t wander_step_ns;
	int64_t uptime_ns;	/**< CLOCK_MONOTONIC at the start */
	int kernel_tai_s;	/**< kernel TAI offset at the start */
	bool kernel_unsync;	/**< STA_UNSYNC at the start (fresh boot) */
	int nclocks;
	struct sc_clock clocks[SC_MAX_CLOCKS];
	int nifaces;
	struct sc_iface ifaces[SC_MAX_IFACES];
	int nevents;
	struct sc_event events[SC_MAX_EVENTS];
	struct sc_net net;
	int ncpus;		/**< online CPUs (sched_*affinity, sched_getcpu) */
	char clocksources[SC_CS_LEN];	/**< available, space separated; first = current */
	int nbonds;
	struct sc_bond bonds[SC_MAX_BONDS];
	struct sc_ptp4l ptp4l;
};

/**
 * Parse scenario text. @p name names the text in messages.
 * @return 0, or -EINVAL with "NAME:LINE: reason" in @p err.
 */
int scenario_parse(struct scenario *sc, const char *text, const char *name,
		   char *err, size_t errlen);
/** Resolve dates, sort events, check references (called by scenario_parse). */
int scenario_resolve(struct scenario *sc, char *err, size_t errlen);
/** Read and parse a file. Returns 0 or -errno (message in @p err). */
int scenario_load(struct scenario *sc, const char *path, char *err, size_t errlen);

/** Clock index by name ("system", "CLOCK_REALTIME", "ptpN", "/dev/ptpN"), or -1. */
int scenario_clock(const struct scenario *sc, const char *name);
/** Clock index of PHC N, or -1. */
int scenario_phc(const struct scenario *sc, int phc_index);
/** Interface index by name, or -1. */
int scenario_iface(const struct scenario *sc, const char *name);
/** Bond whose own interface is iface, or -1. */
int scenario_bond_of(const struct scenario *sc, int iface);
/** Bond by name, or -1. */
int scenario_bond(const struct scenario *sc, const char *name);
/** Stats window start, ns since the start (resolves the default). */
int64_t scenario_stats_from(const struct scenario *sc);
/** Short name of an event kind ("leap_insert", "freq_jump", ...). */
const char *sc_event_kind_name(enum sc_event_kind k);

/** Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t sc_days_from_civil(int64_t y, unsigned m, unsigned d);
/** Parse "YYYY-MM-DDTHH:MM:SS[.frac]Z" to POSIX s + ns. Returns 0 or -EINVAL. */
int sc_parse_date(const char *s, int64_t *sec, int64_t *nsec);
/** Format POSIX seconds as "YYYY-MM-DDTHH:MM:SSZ" (buf >= 24 bytes). */
void sc_format_date(int64_t sec, char *buf, size_t len);

#endif
