// SPDX-License-Identifier: GPL-2.0-or-later
/* Judging a cross-CPU clock probe (cpucheck.h). */
#include <stdlib.h>
#include <string.h>

#include "daemon/health/cpucheck.h"

#define RAW 0	/* CLOCK_MONOTONIC_RAW: the one never stepped nor slewed */

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool went_back(const struct cpuprobe_reading *r)
{
	int k;

	for (k = 0; k < 2; k++)
		if (r->on[k] < r->before[k] || r->after[k] < r->on[k])
			return true;
	return false;
}

void cpucheck_judge(const struct cpuprobe_reading *r, int n, int64_t tolerance_ns,
		    struct cpucheck_result *res)
{
	int64_t est[CPUPROBE_MAX_CPUS], half[CPUPROBE_MAX_CPUS], sorted[CPUPROBE_MAX_CPUS];
	int i, m = 0, med = 0;

	memset(res, 0, sizeof(*res));
	res->worst = -1;
	for (i = 0; i < n && m < CPUPROBE_MAX_CPUS; i++) {
		const struct cpuprobe_reading *x = &r[i];
		int64_t width = x->after[RAW] - x->before[RAW];

		if (x->err)
			continue;
		res->cpu[m].cpu = x->cpu;
		res->cpu[m].backwards = went_back(x);
		res->backwards |= res->cpu[m].backwards;
		est[m] = x->on[RAW] - x->before[RAW] - width / 2;
		half[m] = llabs(width) / 2;
		if (llabs(width) > res->max_bracket_ns)
			res->max_bracket_ns = llabs(width);
		m++;
	}
	res->n = m;
	if (m == 0)
		return;
	memcpy(sorted, est, (size_t)m * sizeof(est[0]));
	qsort(sorted, (size_t)m, sizeof(sorted[0]), cmp64);
	while (est[med] != sorted[(m - 1) / 2])
		med++;		/* the CPU holding the median */
	for (i = 0; i < m; i++) {
		struct cpucheck_cpu *c = &res->cpu[i];
		/* both readings are uncertain: this CPU's and the median CPU's */
		int64_t d = llabs(est[i] - est[med]) - half[i] - (i == med ? 0 : half[med]);

		c->skew_ns = est[i] - est[med];
		c->proven_ns = d > 0 ? d : 0;
		c->bad = c->proven_ns > tolerance_ns;
		if (llabs(c->skew_ns) > res->max_abs_skew_ns)
			res->max_abs_skew_ns = llabs(c->skew_ns);
		if (res->worst < 0 || c->proven_ns > res->cpu[res->worst].proven_ns)
			res->worst = i;
		res->alarm |= c->bad;
	}
	res->alarm |= res->backwards;
}
