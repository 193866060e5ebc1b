/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file cpucheck.h
 * What a cross-CPU probe (phc/cpuprobe.h) says: whether the CPUs' clocks
 * agree, and which CPU does not. Pure arithmetic on the readings.
 *
 * A CPU's reading was taken between two readings on the home CPU, so its
 * offset against home lies in [on - after, on - before]. Each CPU's offset
 * is compared with the median of all of them (home counts as 0), so the odd
 * CPU is named even when it is the home CPU itself; the disagreement is the
 * distance to the median CPU less both CPUs' bracket half widths (what the
 * readings prove, not what migration latency could explain). A reading that is smaller than
 * one taken before it, on another CPU, is time going backwards across a
 * migration, whatever its size.
 */
#ifndef GNOMON_CPUCHECK_H
#define GNOMON_CPUCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "phc/cpuprobe.h"

struct cpucheck_cpu {
	int cpu;
	int64_t skew_ns;	/**< offset against the others' median (+ = ahead), best estimate */
	int64_t proven_ns;	/**< |skew| less the bracket's half width, >= 0 */
	bool backwards;		/**< a clock went backwards moving to or from this CPU */
	bool bad;		/**< proven_ns above the tolerance */
};

struct cpucheck_result {
	int n;			/**< CPUs probed (failed moves left out) */
	struct cpucheck_cpu cpu[CPUPROBE_MAX_CPUS];
	int worst;		/**< index into cpu[] of the largest proven_ns, -1 if n == 0 */
	int64_t max_abs_skew_ns;	/**< largest |skew_ns| (the disagreement seen) */
	int64_t max_bracket_ns;	/**< widest home-CPU-home bracket: what latency allows */
	bool backwards;		/**< any clock went backwards across a migration */
	bool alarm;		/**< a CPU disagrees beyond the tolerance, or time went backwards */
};

/**
 * Judge one probe.
 * @param r, n          readings from cpuprobe_run() (r[0] the home CPU)
 * @param tolerance_ns  largest disagreement that is not an alarm
 */
void cpucheck_judge(const struct cpuprobe_reading *r, int n, int64_t tolerance_ns,
		    struct cpucheck_result *res);

#endif
