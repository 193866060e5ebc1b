/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to daemon/health/ (health.c, health_cpu.c). */
#ifndef GNOMON_HEALTH_PRIV_H
#define GNOMON_HEALTH_PRIV_H

#include "daemon/health/health.h"

#define NS_PER_SEC		1000000000LL
#define HEALTH_TICK_NS		NS_PER_SEC		/* timer check, normally */
#define HEALTH_SHARP_TICK_NS	(NS_PER_SEC / 10)	/* ... near a leap or a step */
#define HEALTH_SHARP_WINDOW_S	300			/* "near": five minutes */
#define HEALTH_CLEAR_AFTER	10			/* good timer ticks that clear its alarm */
#define HEALTH_RT_AFTER_NS	(NS_PER_SEC / 2)	/* REALTIME probe: leap + 0.5 s */
#define HEALTH_RT_ARM_S		600			/* armed this long before the leap */
#define HEALTH_FREQ_JUMP_PPB	5000.0			/* a frequency jump worth a clocksource look */

struct health {
	struct health_env env;
	struct health_conf conf;
	struct health_status st;
	struct timercheck tc;
	long cpu_timer, tick_timer;
	int64_t tick_due_ns;		/* CLOCK_MONOTONIC */
	int good_ticks;
	int64_t sharp_until_raw;	/* sharpened after a step until then */
	int rt_fd;			/* REALTIME absolute probe, -1 if none */
	int64_t rt_target_ns;		/* its CLOCK_REALTIME target */
	int64_t rt_leap_s;		/* the leap it guards (POSIX s of the midnight) */
	uint64_t last_steps;		/* steps of all disciplined clocks, last tick */
	int64_t leap_checked_s;		/* the last leap the CPUs were checked after */
	double sys_freq_ppb;		/* the system clock's frequency, last tick */
	bool sys_freq_known;
	int cpus[CPUPROBE_MAX_CPUS];	/* the CPUs allowed at start: probed every time */
	int ncpus;
	bool pinned;			/* kept off CPUs whose clocks disagree */
	struct cpuprobe_reading rd[CPUPROBE_MAX_CPUS];
	struct cpucheck_result res;
};

/** Raise (why != NULL) or clear an alarm: logged and audited on change. */
void health_alarm(struct health *h, enum health_check c, const char *why);
/** Run the cpu and clocksource checks now. */
void health_check_cpus(struct health *h);
void health_check_clocksource(struct health *h, bool first);

#endif
