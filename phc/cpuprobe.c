// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cross-CPU clock probe (cpuprobe.h). A migration is
 * sched_setaffinity() to a one-CPU mask: the kernel moves the caller
 * before the call returns, and sched_getcpu() says where it landed. The
 * original mask is restored on every path.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phc/cpuprobe.h"

static const clockid_t ids[2] = { CLOCK_MONOTONIC_RAW, CLOCK_REALTIME };

static void read_both(int64_t v[2])
{
	struct timespec ts;
	int i;

	for (i = 0; i < 2; i++) {
		clock_gettime(ids[i], &ts);
		v[i] = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
}

static int move_to(int cpu, cpu_set_t *one, size_t size)
{
	CPU_ZERO_S(size, one);
	CPU_SET_S(cpu, size, one);
	if (sched_setaffinity(0, size, one))
		return -errno;
	return sched_getcpu() == cpu ? 0 : -EAGAIN;
}

static int probe(const cpu_set_t *all, size_t size, cpu_set_t *one,
		 struct cpuprobe_reading *out, int max)
{
	int home = -1, n = 0, c;

	for (c = 0; c < CPUPROBE_MAX_CPUS && n < max; c++) {
		struct cpuprobe_reading *r = &out[n];

		if (!CPU_ISSET_S(c, size, all))
			continue;
		memset(r, 0, sizeof(*r));
		r->cpu = c;
		if (home < 0) {		/* the first allowed CPU is home */
			if ((r->err = move_to(c, one, size)) < 0)
				continue;
			home = c;
			read_both(r->before);
			memcpy(r->on, r->before, sizeof(r->on));
			read_both(r->after);
			n++;
			continue;
		}
		read_both(r->before);
		if ((r->err = move_to(c, one, size)) == 0)
			read_both(r->on);
		if (move_to(home, one, size) < 0)
			r->err = r->err ? r->err : -EAGAIN;
		read_both(r->after);
		n++;
	}
	return n;
}

int cpuprobe_run(struct cpuprobe_reading *out, int max, int64_t *dur_ns)
{
	size_t size = CPU_ALLOC_SIZE(CPUPROBE_MAX_CPUS);
	cpu_set_t *all = CPU_ALLOC(CPUPROBE_MAX_CPUS), *one = CPU_ALLOC(CPUPROBE_MAX_CPUS);
	struct timespec t0, t1;
	int n;

	if (!all || !one) {
		n = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	if (sched_getaffinity(0, size, all)) {
		n = -errno;
		goto out;
	}
	n = probe(all, size, one, out, max);
	if (sched_setaffinity(0, size, all) && n >= 0)
		n = -errno;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
	if (dur_ns)
		*dur_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	if (n == 0)
		n = -EAGAIN;
out:
	CPU_FREE(all);
	CPU_FREE(one);
	return n;
}
