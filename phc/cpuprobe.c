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

static int probe(const int *cpus, int ncpu, cpu_set_t *one, size_t size,
		 struct cpuprobe_reading *out)
{
	int home = -1, n = 0, i;

	for (i = 0; i < ncpu; i++) {
		struct cpuprobe_reading *r = &out[n];
		int c = cpus[i];

		memset(r, 0, sizeof(*r));
		r->cpu = c;
		if (home < 0) {		/* the first CPU that takes us is home */
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

static cpu_set_t *alloc_set(size_t *size)
{
	*size = CPU_ALLOC_SIZE(CPUPROBE_MAX_CPUS);
	return CPU_ALLOC(CPUPROBE_MAX_CPUS);
}

int cpuprobe_allowed(int *cpus, int max)
{
	size_t size;
	cpu_set_t *set = alloc_set(&size);
	int n = 0, c;

	if (!set)
		return -ENOMEM;
	if (sched_getaffinity(0, size, set)) {
		n = -errno;
	} else {
		for (c = 0; c < CPUPROBE_MAX_CPUS && n < max; c++)
			if (CPU_ISSET_S(c, size, set))
				cpus[n++] = c;
	}
	CPU_FREE(set);
	return n;
}

int cpuprobe_pin(const int *cpus, int n)
{
	size_t size;
	cpu_set_t *set = alloc_set(&size);
	int r = 0;

	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(size, set);
	for (int i = 0; i < n; i++)
		if (cpus[i] >= 0 && cpus[i] < CPUPROBE_MAX_CPUS)
			CPU_SET_S(cpus[i], size, set);
	if (n < 1 || sched_setaffinity(0, size, set))
		r = n < 1 ? -EINVAL : -errno;
	CPU_FREE(set);
	return r;
}

int cpuprobe_run(const int *cpus, int ncpu, struct cpuprobe_reading *out, int64_t *dur_ns)
{
	size_t size;
	cpu_set_t *entry = alloc_set(&size), *one = CPU_ALLOC(CPUPROBE_MAX_CPUS);
	struct timespec t0, t1;
	int n;

	if (!entry || !one) {
		n = -ENOMEM;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	if (sched_getaffinity(0, size, entry)) {
		n = -errno;
		goto out;
	}
	n = probe(cpus, ncpu, one, size, out);
	if (sched_setaffinity(0, size, entry) && n >= 0)
		n = -errno;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t1);
	if (dur_ns)
		*dur_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	if (n == 0)
		n = -EAGAIN;
out:
	CPU_FREE(entry);
	CPU_FREE(one);
	return n;
}
