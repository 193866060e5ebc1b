/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file compare.c
 * Raw comparisons of two clocks: offset = target - reference. Picking the
 * best of the readings (minimum delay, medians) is left to the caller.
 */
#include <errno.h>

#include "phc/clock_priv.h"

/* Interleaved reads ref, target, ref, as phc2sys's read_phc: the target is
 * read inside the bracket [r1, r2] of the reference and compared with its
 * midpoint. */
static int compare_read(struct clock *ref, struct clock *target, int n,
			struct clock_reading *out)
{
	int64_t r1, t, r2;
	int i, r;

	for (i = 0; i < n; i++) {
		r = clock_gettime_ns(ref, &r1);
		if (r == 0)
			r = clock_gettime_ns(target, &t);
		if (r == 0)
			r = clock_gettime_ns(ref, &r2);
		if (r < 0)
			return r;
		out[i].delay_ns = r2 - r1;
		out[i].ref_ns = r1 + out[i].delay_ns / 2;
		out[i].offset_ns = t - out[i].ref_ns;
	}
	return n;
}

/* PHC reference, CLOCK_REALTIME target: the driver gives
 * offset = CLOCK_REALTIME - PHC = target - ref and ref_ns = PHC time,
 * which is already what we return. */
static int compare_phc_sys(struct clock *phc, int n, struct clock_reading *out,
			   enum compare_method *m)
{
	return clock_sys_offset(phc, n, out, m);
}

/* CLOCK_REALTIME reference, PHC target: flip the sign, and move ref_ns
 * from the PHC's time scale to CLOCK_REALTIME's (PHC + (sys - PHC)). */
static int compare_sys_phc(struct clock *phc, int n, struct clock_reading *out,
			   enum compare_method *m)
{
	int i, r = clock_sys_offset(phc, n, out, m);

	for (i = 0; i < r; i++) {
		out[i].ref_ns += out[i].offset_ns;
		out[i].offset_ns = -out[i].offset_ns;
	}
	return r;
}

int clock_compare(struct clock *ref, struct clock *target, int n,
		  struct clock_reading *out, enum compare_method *method)
{
	enum clock_kind rk = clock_kind(ref), tk = clock_kind(target);
	enum compare_method m = CMP_NONE;
	int r = -EOPNOTSUPP;

	if (method)
		*method = CMP_NONE;
	if (!ref || !target || n <= 0 || !out)
		return -EINVAL;
	if (rk == CLOCK_KIND_PHC && tk == CLOCK_KIND_SYSTEM)
		r = compare_phc_sys(ref, n, out, &m);
	else if (rk == CLOCK_KIND_SYSTEM && tk == CLOCK_KIND_PHC)
		r = compare_sys_phc(target, n, out, &m);
	/* A PHC that offers no PTP_SYS_OFFSET request at all is still a
	 * clock id: fall back to interleaved reads. */
	if (r == -EOPNOTSUPP || r == 0) {
		m = CMP_READ;
		r = compare_read(ref, target, n, out);
	}
	if (r > 0 && method)
		*method = m;
	return r;
}

const char *compare_method_name(enum compare_method m)
{
	switch (m) {
	case CMP_NONE:
		return "none";
	case CMP_PRECISE:
		return "precise";
	case CMP_EXTENDED:
		return "extended";
	case CMP_PLAIN:
		return "plain";
	case CMP_READ:
		return "read";
	}
	return "unknown";
}
