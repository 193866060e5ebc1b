/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file health.h
 * daemon/health/ owns the clock-health checks: CPUs that disagree on the time, timers that fire at the wrong moment, the kernel's clocksource.
 * It may call phc/ (cpuprobe, clocksource, systime), daemon/discipline/ (to report a rate change), daemon/record/ (audit), daemon/ (loop, log).
 *
 * Two field failures no time daemon watches for
 * (../shared/field-reports/000_* and 001_*): a KVM guest whose CPU 0 read
 * 85 s behind the others, and the leap seconds of 2012 and 2015 that left
 * CLOCK_REALTIME hrtimers a second ahead, so waits ended at once and CPUs
 * spun. gnomond owns the clock, so it checks, on its own loop:
 *  - cpu: at start, every cpu_check_interval and after a step or a leap,
 *    its clocks on every CPU (phc/cpuprobe.h, judged by cpucheck.h);
 *  - timer: every second (ten times a second within five minutes of a leap
 *    or after a step), how late its own tick fires and how often the loop
 *    wakes (timercheck.h); and, around each leap, that a CLOCK_REALTIME
 *    absolute timer armed for half a second after it does not fire early;
 *  - clocksource: the current one at start (a poor one is a warning) and
 *    every cpu_check_interval; a change is logged, audited, and a recovery
 *    event for the system clock whose servo re-learns the frequency.
 * An alarm is logged, audited and shown in status and metrics, and clears
 * (logged and audited too) when the check is good again. While some CPUs'
 * clocks disagree with the others, gnomond keeps its own loop off them.
 */
#ifndef GNOMON_HEALTH_H
#define GNOMON_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/discipline/discipline.h"
#include "daemon/health/cpucheck.h"
#include "daemon/health/timercheck.h"
#include "daemon/leap/leaptable.h"
#include "daemon/loop.h"
#include "daemon/record/audit.h"
#include "phc/clocksource.h"

enum health_check {
	HEALTH_CPU,		/**< CPUs agree on the time */
	HEALTH_TIMER,		/**< waits end on time, the loop does not spin */
	HEALTH_RT_TIMER,	/**< a REALTIME absolute timer around a leap */
	HEALTH_CLOCKSOURCE,	/**< a clocksource fit for timekeeping */
	HEALTH_CHECK_COUNT
};

struct health_conf {
	double cpu_interval_s;		/**< cpu and clocksource checks; 0 = start only */
	int64_t cpu_tolerance_ns;
	int64_t timer_tolerance_ns;
	double spin_limit_hz;
};

struct health_env {
	struct loop *loop;
	struct audit *audit;		/**< may be NULL */
	const struct leaptable *leaps;	/**< for the leaps ahead */
	struct discipline_set discs;	/**< the CLOCK_REALTIME one hears of clocksource changes */
};

struct health_status {
	bool alarm[HEALTH_CHECK_COUNT];
	char why[HEALTH_CHECK_COUNT][160];	/**< the alarm's reason, "" if none */
	uint64_t alarms_total[HEALTH_CHECK_COUNT];
	/* cpu */
	int cpus;			/**< probed in the last check */
	uint64_t cpu_checks;
	int64_t cpu_check_us;		/**< duration of the last probe */
	int n_skew;
	struct { int cpu; int64_t skew_ns; } skew[CPUPROBE_MAX_CPUS];	/**< last probe */
	/* timer */
	int64_t max_late_ns;
	double wakeups_hz, max_wakeups_hz;
	bool sharp;			/**< near a leap or a step */
	int64_t rt_early_ns;		/**< the last REALTIME probe: how early it fired */
	bool rt_probed;
	/* clocksource */
	char clocksource[CLOCKSOURCE_NAME_MAX];	/**< "" if unreadable */
	char available[CLOCKSOURCE_LIST_MAX];
	uint64_t clocksource_changes;
};

struct health;

/** Start the checks (the first cpu and clocksource checks run at once). */
struct health *health_create(const struct health_env *env, const struct health_conf *c);
/** Stop and free; accepts NULL. */
void health_destroy(struct health *h);
/** A step or a leap happened: check the CPUs again and sharpen the timer check. */
void health_kick(struct health *h);
void health_get_status(const struct health *h, struct health_status *st);
const char *health_check_name(enum health_check c);
/** True when any check is in alarm: the system clock's health is degraded. */
bool health_degraded(const struct health_status *st);

#endif
