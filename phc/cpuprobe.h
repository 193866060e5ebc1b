/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file cpuprobe.h
 * Reading the system clocks on every CPU: the process moves itself to each
 * allowed CPU in turn (sched_setaffinity) and reads CLOCK_MONOTONIC_RAW and
 * CLOCK_REALTIME there, bracketed by reads on its home CPU before and after
 * (home, CPU, home), then gets its affinity back. Only reads clocks and
 * moves the calling process: safe on any machine. Returns raw readings;
 * what they mean is daemon/health/cpucheck.h's business.
 */
#ifndef GNOMON_CPUPROBE_H
#define GNOMON_CPUPROBE_H

#include <stdint.h>

#define CPUPROBE_MAX_CPUS 1024

/** One CPU's readings: [0] CLOCK_MONOTONIC_RAW, [1] CLOCK_REALTIME, ns. */
struct cpuprobe_reading {
	int cpu;		/**< CPU number */
	int err;		/**< 0, or -errno: the move failed (CPU went offline) */
	int64_t before[2];	/**< on the home CPU, just before */
	int64_t on[2];		/**< on this CPU */
	int64_t after[2];	/**< on the home CPU, just after */
};

/**
 * The CPUs the process may run on now (sched_getaffinity).
 * @return how many were written to cpus (<= max), or -errno
 */
int cpuprobe_allowed(int *cpus, int max);

/**
 * Probe the given CPUs (the first is home); the affinity the process had
 * on entry is restored afterwards, whatever it was.
 * @param cpus, n  the CPUs to probe (cpuprobe_allowed() at start)
 * @param out      room for n readings
 * @param dur_ns   set to the probe's duration on CLOCK_MONOTONIC_RAW (may be NULL)
 * @return the number of readings (>= 1), or -errno
 */
int cpuprobe_run(const int *cpus, int n, struct cpuprobe_reading *out, int64_t *dur_ns);

/** Let the process run on these CPUs only (n >= 1). 0 or -errno. */
int cpuprobe_pin(const int *cpus, int n);

#endif
