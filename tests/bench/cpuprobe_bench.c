// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cross-CPU clock probe on this machine's own CPUs (read-only: it only
 * reads clocks and moves its own affinity). Runs the probe 200 times and
 * prints, as `make bench` lines: the CPUs seen, the largest disagreement
 * between CPUs that the readings prove (what is left of a CPU's distance
 * to the others once the home-CPU-home bracket is allowed for; 0 means
 * consistent), the best estimate of the skew from the tightest bracket
 * seen and that bracket, how many runs raised the alarm at the default
 * 100 us tolerance, and the median duration of one full probe.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/health/cpucheck.h"
#include "phc/cpuprobe.h"

#define RUNS 200
#define TOLERANCE_NS 100000

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	static struct cpuprobe_reading r[CPUPROBE_MAX_CPUS];
	static struct cpucheck_result res;
	int64_t dur[RUNS], max_proven = 0, tight = INT64_MAX, tight_skew = 0;
	int cpus[CPUPROBE_MAX_CPUS], ncpu = cpuprobe_allowed(cpus, CPUPROBE_MAX_CPUS);
	int i, n = 0, alarms = 0, back = 0;

	for (i = 0; i < RUNS; i++) {
		n = ncpu > 0 ? cpuprobe_run(cpus, ncpu, r, &dur[i]) : ncpu;
		if (n < 0) {
			fprintf(stderr, "cpuprobe_bench: probe failed: %d\n", n);
			return 1;
		}
		cpucheck_judge(r, n, TOLERANCE_NS, &res);
		if (res.worst >= 0 && res.cpu[res.worst].proven_ns > max_proven)
			max_proven = res.cpu[res.worst].proven_ns;
		if (n > 1 && res.max_bracket_ns < tight) {
			tight = res.max_bracket_ns;
			tight_skew = res.max_abs_skew_ns;
		}
		alarms += res.alarm;
		back += res.backwards;
	}
	qsort(dur, RUNS, sizeof(dur[0]), cmp64);
	printf("cpu_probe_cpus %d cpus\n", n);
	printf("cpu_probe_max_skew_ns %lld ns\n", (long long)max_proven);
	printf("cpu_probe_skew_estimate_ns %lld ns\n", (long long)(n > 1 ? tight_skew : 0));
	printf("cpu_probe_tightest_bracket_ns %lld ns\n", (long long)(n > 1 ? tight : 0));
	printf("cpu_probe_alarms %d of_%d\n", alarms, RUNS);
	printf("cpu_probe_backwards %d of_%d\n", back, RUNS);
	/* the target is per CPU (< 1000 us each); the whole probe too */
	printf("cpu_check_duration %.1f us\n", (double)dur[RUNS / 2] / 1e3 / n);
	printf("cpu_check_duration_total %.1f us\n", (double)dur[RUNS / 2] / 1e3);
	return alarms || back;
}
