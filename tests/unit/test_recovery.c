/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the recovery tracker (daemon/record/recovery.c) on synthetic
 * offset series. Times are exact: no real clock is read. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/record/recovery.h"

Suite *unit_suite(void);

#define S	1000000000LL	/* ns per second */
#define MS	1000000LL
#define UTC0	1795482123456000000LL	/* 2026-11-24T01:02:03.456Z */

static struct recovery *mk(int64_t threshold_ns, double cap_ppb, int64_t max_gap_ns, size_t hist)
{
	struct recovery_params p = {
		.clock = "CLOCK_REALTIME",
		.threshold_ns = threshold_ns,
		.hold_s = RECOVERY_HOLD_S,
		.cap_ppb = cap_ppb,
		.max_gap_ns = max_gap_ns,
		.history = hist,
	};
	struct recovery *tr;
	int err = 1;

	tr = recovery_create(&p, &err);
	ck_assert_ptr_nonnull(tr);
	ck_assert_int_eq(err, 0);
	return tr;
}

static struct recovery *mk_sys(void)
{
	return mk(RECOVERY_THRESHOLD_SYSTEM_NS, 1e8, 0, 0);
}

/* Feed samples until one completes the event; returns its time or -1. */
static int64_t feed_until_done(struct recovery *tr, int64_t t0, int64_t t1, int64_t dt,
			       int64_t (*f)(int64_t t, const void *arg), const void *arg)
{
	int64_t t;
	int r;

	for (t = t0; t <= t1; t += dt) {
		r = recovery_sample(tr, t, f(t, arg));
		ck_assert_int_ge(r, 0);
		if (r == 1)
			return t;
	}
	return -1;
}

START_TEST(kind_names)
{
	int k;

	for (k = 0; k < RECOVERY_KIND_COUNT; k++)
		ck_assert_int_eq(recovery_kind_parse(recovery_kind_name(k)), k);
	ck_assert_str_eq(recovery_kind_name(RECOVERY_LEAP), "leap");
	ck_assert_str_eq(recovery_kind_name(RECOVERY_SOURCE_CHANGE), "source_change");
	ck_assert_str_eq(recovery_kind_name(RECOVERY_FAULT_CLEARED), "fault_cleared");
	ck_assert_str_eq(recovery_kind_name(RECOVERY_KIND_COUNT), "unknown");
	ck_assert_int_eq(recovery_kind_parse("Leap"), -EINVAL);
	ck_assert_int_eq(recovery_kind_parse(""), -EINVAL);
	ck_assert_int_eq(recovery_kind_parse(NULL), -EINVAL);
}
END_TEST

START_TEST(create_rejects_bad_params)
{
	char longname[RECOVERY_CLOCK_MAX + 1];
	struct recovery_params good = { .clock = "ptp0", .threshold_ns = 100,
					.hold_s = 10, .cap_ppb = 1e6 };
	struct recovery_params p;
	struct recovery *tr;
	int err;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	const struct recovery_params bad[] = {
		{ .clock = NULL, .threshold_ns = 100, .hold_s = 10 },
		{ .clock = "", .threshold_ns = 100, .hold_s = 10 },
		{ .clock = longname, .threshold_ns = 100, .hold_s = 10 },
		{ .clock = "c", .threshold_ns = 0, .hold_s = 10 },
		{ .clock = "c", .threshold_ns = -5, .hold_s = 10 },
		{ .clock = "c", .threshold_ns = 100, .hold_s = -1 },
		{ .clock = "c", .threshold_ns = 100, .hold_s = NAN },
		{ .clock = "c", .threshold_ns = 100, .hold_s = 10, .cap_ppb = -1 },
		{ .clock = "c", .threshold_ns = 100, .hold_s = 10, .cap_ppb = INFINITY },
		{ .clock = "c", .threshold_ns = 100, .hold_s = 10, .max_gap_ns = -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = 0;
		ck_assert_ptr_null(recovery_create(&bad[i], &err));
		ck_assert_int_eq(err, -EINVAL);
	}
	ck_assert_ptr_null(recovery_create(NULL, NULL));
	p = good;
	tr = recovery_create(&p, NULL);
	ck_assert_ptr_nonnull(tr);
	ck_assert_int_eq(recovery_set_cap(tr, -1), -EINVAL);
	ck_assert_int_eq(recovery_set_cap(tr, NAN), -EINVAL);
	ck_assert_int_eq(recovery_set_cap(tr, 5e5), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_KIND_COUNT, 0, UTC0, 0), -EINVAL);
	ck_assert_int_eq(recovery_event(tr, (enum recovery_kind)-1, 0, UTC0, 0), -EINVAL);
	recovery_destroy(tr);
	recovery_destroy(NULL);
}
END_TEST

/* 1 s at 1e8 ppb (10 %) -> 10 s; sign does not matter; cap 0 -> no limit. */
START_TEST(limit_and_ratio_arithmetic)
{
	struct recovery_report r;
	struct recovery *tr = mk_sys();

	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 0, UTC0, S), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 1, UTC0, -S), 0);
	ck_assert_int_eq(recovery_set_cap(tr, 1e6), 0);	/* 1000 ppm */
	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 2, UTC0, S), 0);
	ck_assert_int_eq(recovery_set_cap(tr, 0), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 3, UTC0, S), 0);
	ck_assert_int_eq(recovery_abort(tr, 4), 1);

	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 10.0, 1e-12);
	ck_assert(r.superseded && !r.recovered);
	ck_assert(isnan(r.ratio) && isnan(r.recovery_s));
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 10.0, 1e-12);
	ck_assert_int_eq(r.offset_at_event_ns, -S);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 1000.0, 1e-9);
	ck_assert_double_eq(r.cap_ppb, 1e6);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert(isnan(r.limit_s));	/* no cap: no limit */
	ck_assert(!r.recovered && !r.superseded);	/* aborted */
	ck_assert(!recovery_poll_done(tr, &r));
	recovery_destroy(tr);
}
END_TEST

/* "ignore" leap: +1 s removed at the cap, then landing at zero. */
static int64_t slew_1s(int64_t t, const void *arg)
{
	(void)arg;
	return t >= 10 * S ? 0 : S - t / 10;	/* 1e8 ns per s */
}

START_TEST(linear_slew_then_landing)
{
	struct recovery *tr = mk_sys();
	struct recovery_report r;
	int64_t done;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 0, UTC0, S), 0);
	done = feed_until_done(tr, 100 * MS, 60 * S, 100 * MS, slew_1s, NULL);
	/* In threshold from 9.99999 s (interpolated); hold 10 s. */
	ck_assert_int_eq(done, 20 * S);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert(!recovery_poll_done(tr, &r));
	ck_assert(r.recovered && !r.superseded && r.offset_known);
	ck_assert_int_eq(r.kind, RECOVERY_LEAP);
	ck_assert_str_eq(r.clock, "CLOCK_REALTIME");
	ck_assert_int_eq(r.event_utc_ns, UTC0);
	ck_assert_int_eq(r.offset_at_event_ns, S);
	ck_assert_int_eq(r.peak_ns, S);
	ck_assert_int_eq(r.overshoot_ns, 0);
	ck_assert_double_eq_tol(r.recovery_s, 9.99999, 1e-9);
	ck_assert_double_eq_tol(r.limit_s, 10.0, 1e-12);
	ck_assert_double_eq_tol(r.ratio, 0.999999, 1e-9);
	ck_assert_double_eq_tol(r.elapsed_s, 20.0, 1e-12);
	ck_assert_int_eq(r.threshold_ns, 1000);
	ck_assert_double_eq(r.hold_s, 10.0);
	recovery_destroy(tr);
}
END_TEST

struct expo { double o, tau_s; };

static int64_t expo_f(int64_t t, const void *arg)
{
	const struct expo *e = arg;

	return llround(e->o * exp(-(double)t / S / e->tau_s));
}

/* Servo-like exponential decay, both signs. */
START_TEST(exponential_decay)
{
	const double o[] = { 5e5, -5e5 };
	struct recovery_report r;
	struct recovery *tr;
	struct expo e;
	int i;

	for (i = 0; i < 2; i++) {
		tr = mk_sys();
		e.o = o[i];
		e.tau_s = 2.0;
		ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 0, UTC0, (int64_t)o[i]), 0);
		/* |x| = 1000 at 2 ln 500 = 12.43 s; samples at 1 Hz, linear
		 * interpolation between 12 s and 13 s gives 12.49 s. */
		ck_assert_int_eq(feed_until_done(tr, S, 60 * S, S, expo_f, &e), 23 * S);
		ck_assert(recovery_poll_done(tr, &r));
		ck_assert(r.recovered);
		ck_assert_double_eq_tol(r.recovery_s, 2 * log(500), 0.07);
		ck_assert_int_eq(r.peak_ns, 500000);
		ck_assert_int_eq(r.overshoot_ns, 0);
		ck_assert_double_eq_tol(r.limit_s, 0.005, 1e-12);
		/* a limit under 10 ms is no real slew: no ratio */
		ck_assert(isnan(r.ratio));
		recovery_destroy(tr);
	}
}
END_TEST

static int64_t ring_f(int64_t t, const void *arg)
{
	double o = *(const double *)arg, ts = (double)t / S;

	return llround(o * exp(-ts / 3) * cos(ts));
}

/* A damped oscillation: overshoot is the largest excursion of the
 * opposite sign; the recovery starts after the last excursion out. */
START_TEST(overshoot_then_settle)
{
	const double os[] = { 1e6, -1e6 };
	struct recovery_report r;
	int64_t t, x, last_out = 0, want_os = 0;
	struct recovery *tr;
	int i;

	for (i = 0; i < 2; i++) {
		tr = mk_sys();
		last_out = 0;
		want_os = 0;
		for (t = 0; t <= 60 * S; t += 100 * MS) {
			x = ring_f(t, &os[i]);
			if ((x > 0) != (os[i] > 0) && x != 0 && llabs(x) > want_os)
				want_os = llabs(x);
			if (llabs(x) > 1000)
				last_out = t;
		}
		ck_assert_int_gt(want_os, 300000);
		ck_assert_int_eq(recovery_event(tr, RECOVERY_FAILOVER, 0, UTC0,
						ring_f(0, &os[i])), 0);
		ck_assert_int_gt(feed_until_done(tr, 100 * MS, 60 * S, 100 * MS, ring_f, &os[i]), 0);
		ck_assert(recovery_poll_done(tr, &r));
		ck_assert(r.recovered);
		ck_assert_int_eq(r.overshoot_ns, want_os);
		ck_assert_int_eq(r.peak_ns, 1000000);
		ck_assert_double_ge(r.recovery_s, (double)last_out / S);
		ck_assert_double_le(r.recovery_s, (double)(last_out + 100 * MS) / S);
		recovery_destroy(tr);
	}
}
END_TEST

/* Negative O with an overshoot above zero, then settled. */
START_TEST(negative_offset_overshoot)
{
	const int64_t xs[] = { -600000, -200000, -5000, 3000, 2500, 800, 10, -10, 0 };
	struct recovery *tr = mk_sys();
	struct recovery_report r;
	size_t i;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_SOURCE_CHANGE, 0, UTC0, -1000000), 0);
	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		ck_assert_int_eq(recovery_sample(tr, (int64_t)(i + 1) * S, xs[i]), 0);
	ck_assert_int_eq(recovery_sample(tr, 20 * S, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_int_eq(r.overshoot_ns, 3000);
	ck_assert_int_eq(r.peak_ns, 1000000);
	/* Last out at 5 s (2500), in at 6 s (800): crossing of +1000 at
	 * 5 + (2500 - 1000) / (2500 - 800) s. */
	ck_assert_double_eq_tol(r.recovery_s, 5 + 1500.0 / 1700.0, 1e-9);
	recovery_destroy(tr);
}
END_TEST

/* In threshold for 4 s, out again before the hold: does not count. */
START_TEST(dip_before_hold_does_not_count)
{
	struct recovery *tr = mk_sys();
	struct recovery_report r;
	int64_t t;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 0, UTC0, 1000000), 0);
	for (t = 1; t <= 4; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 500), 0);
	ck_assert_int_eq(recovery_sample(tr, 5 * S, 5000), 0);
	for (t = 6; t <= 15; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 0), 0);
	ck_assert(!recovery_poll_done(tr, &r));
	ck_assert_int_eq(recovery_sample(tr, 15 * S + 800 * MS, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert(r.recovered);
	/* Crossing between 5 s (5000) and 6 s (0): 5 + 4000/5000. */
	ck_assert_double_eq_tol(r.recovery_s, 5.8, 1e-9);
	ck_assert_int_eq(r.peak_ns, 1000000);
	recovery_destroy(tr);
}
END_TEST

/* Time in fault never counts as in threshold; no interpolation across. */
START_TEST(fault_breaks_stretch)
{
	struct recovery *tr = mk_sys();
	struct recovery_status st;
	struct recovery_report r;
	int64_t t;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_FAULT_CLEARED, 0, UTC0, 1000000), 0);
	for (t = 1; t <= 4; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 0), 0);
	ck_assert_int_eq(recovery_sample_unknown(tr, 5 * S), 0);
	recovery_status(tr, &st);
	ck_assert(st.active && !st.offset_known && !st.in_threshold);
	ck_assert(isnan(st.expected_left_s));
	ck_assert_int_eq(recovery_sample(tr, 6 * S, RECOVERY_OFFSET_UNKNOWN), 0);
	for (t = 7; t < 17; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 0), 0);
	ck_assert_int_eq(recovery_sample(tr, 17 * S, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.recovery_s, 7.0, 1e-12);
	recovery_destroy(tr);
}
END_TEST

/* A long silence between samples breaks the stretch when max_gap is set. */
START_TEST(gap_between_samples)
{
	struct recovery_report r;
	struct recovery *tr;
	int64_t t;

	tr = mk(1000, 1e8, 2 * S, 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 0, UTC0, 1000000), 0);
	ck_assert_int_eq(recovery_sample(tr, 1 * S, 0), 0);
	ck_assert_int_eq(recovery_sample(tr, 2 * S, 0), 0);
	for (t = 10; t < 20; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 0), 0);
	ck_assert_int_eq(recovery_sample(tr, 20 * S, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.recovery_s, 10.0, 1e-12);
	recovery_destroy(tr);

	/* No limit: sparse samples (e.g. a slow NTP poll) still count. */
	tr = mk(1000, 1e8, 0, 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 0, UTC0, 1000000), 0);
	ck_assert_int_eq(recovery_sample(tr, 1 * S, 0), 0);
	ck_assert_int_eq(recovery_sample(tr, 17 * S, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	/* Crossing of 1000 between (0, 1e6) and (1 s, 0). */
	ck_assert_double_eq_tol(r.recovery_s, 0.999, 1e-9);
	recovery_destroy(tr);
}
END_TEST

START_TEST(superseding_events)
{
	struct recovery *tr = mk_sys();
	struct recovery_report r;
	int64_t t;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 0, UTC0, S), 0);
	for (t = 1; t <= 3; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, S - t * S / 10), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 3 * S, UTC0 + 3 * S, -2000), 0);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_int_eq(r.kind, RECOVERY_LEAP);
	ck_assert(r.superseded && !r.recovered);
	ck_assert(isnan(r.recovery_s) && isnan(r.ratio));
	ck_assert_double_eq_tol(r.elapsed_s, 3.0, 1e-12);
	ck_assert_int_eq(r.peak_ns, S);
	ck_assert(!recovery_poll_done(tr, &r));

	for (t = 4; t < 14; t++)
		ck_assert_int_eq(recovery_sample(tr, t * S, 0), 0);
	ck_assert_int_eq(recovery_sample(tr, 14 * S, 0), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_int_eq(r.kind, RECOVERY_STEP);
	ck_assert(r.recovered && !r.superseded);
	ck_assert_int_eq(r.event_utc_ns, UTC0 + 3 * S);
	/* (3 s, -2000) -> (4 s, 0): -1000 crossed half way. */
	ck_assert_double_eq_tol(r.recovery_s, 0.5, 1e-9);

	/* A new event after completion supersedes nothing. */
	ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 15 * S, UTC0, 0), 0);
	ck_assert(!recovery_poll_done(tr, &r));
	recovery_destroy(tr);
}
END_TEST

/* Unpolled completions beyond the ring are lost oldest first. */
START_TEST(poll_and_history_ring)
{
	struct recovery_report r, h[8];
	struct recovery *tr = mk(1000, 1e8, 0, 4);
	int i;

	for (i = 0; i < 7; i++)
		ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, i * S, UTC0, 5000 + i), 0);
	/* 6 superseded so far; ring of 4 keeps events 2..5. */
	for (i = 2; i < 6; i++) {
		ck_assert(recovery_poll_done(tr, &r));
		ck_assert_int_eq(r.offset_at_event_ns, 5000 + i);
	}
	ck_assert(!recovery_poll_done(tr, &r));
	ck_assert_uint_eq(recovery_history(tr, h, 8), 4);
	ck_assert_int_eq(h[0].offset_at_event_ns, 5002);
	ck_assert_int_eq(h[3].offset_at_event_ns, 5005);
	ck_assert_uint_eq(recovery_history(tr, h, 2), 2);
	ck_assert_int_eq(h[0].offset_at_event_ns, 5004);
	ck_assert_int_eq(h[1].offset_at_event_ns, 5005);
	recovery_destroy(tr);
}
END_TEST

/* Same series, PHC default threshold (100 ns) vs system (1 us). */
START_TEST(phc_vs_system_threshold)
{
	struct recovery_params p = { .clock = "/dev/ptp0", .hold_s = RECOVERY_HOLD_S,
				     .cap_ppb = 5e5 };
	struct recovery *sys = mk_sys(), *phc;
	struct recovery_report r;
	int64_t t;

	p.threshold_ns = RECOVERY_THRESHOLD_PHC_NS;
	phc = recovery_create(&p, NULL);
	ck_assert_ptr_nonnull(phc);
	ck_assert_int_eq(recovery_event(sys, RECOVERY_START, 0, UTC0, 50000), 0);
	ck_assert_int_eq(recovery_event(phc, RECOVERY_START, 0, UTC0, 50000), 0);
	for (t = 1; t <= 30; t++) {
		recovery_sample(sys, t * S, 500);
		recovery_sample(phc, t * S, 500);
	}
	ck_assert(recovery_poll_done(sys, &r) && r.recovered);
	ck_assert_str_eq(r.clock, "CLOCK_REALTIME");
	ck_assert(!recovery_poll_done(phc, &r));
	for (t = 31; t <= 45; t++)
		recovery_sample(phc, t * S, -60);
	ck_assert(recovery_poll_done(phc, &r) && r.recovered);
	ck_assert_str_eq(r.clock, "/dev/ptp0");
	ck_assert_int_eq(r.threshold_ns, 100);
	/* (30 s, 500) -> (31 s, -60): +100 crossed at 30 + 400/560 s. */
	ck_assert_double_eq_tol(r.recovery_s, 30 + 400.0 / 560.0, 1e-9);
	ck_assert_int_eq(r.overshoot_ns, 60);
	ck_assert_double_eq_tol(r.limit_s, 50000 / 5e5, 1e-12);
	recovery_destroy(sys);
	recovery_destroy(phc);
}
END_TEST

START_TEST(status_while_recovering)
{
	struct recovery *tr = mk_sys();
	struct recovery_status st;
	int64_t t;

	recovery_status(tr, &st);
	ck_assert(!st.active);
	ck_assert_uint_eq(st.completed, 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 0, UTC0, S), 0);
	for (t = 1; t <= 50; t++)
		recovery_sample(tr, t * 100 * MS, slew_1s(t * 100 * MS, NULL));
	recovery_status(tr, &st);
	ck_assert(st.active && st.offset_known && !st.in_threshold);
	ck_assert_int_eq(st.kind, RECOVERY_LEAP);
	ck_assert_int_eq(st.offset_ns, S / 2);
	ck_assert_double_eq_tol(st.elapsed_s, 5.0, 1e-12);
	ck_assert_double_eq_tol(st.limit_s, 10.0, 1e-12);
	/* (5e8 - 1000) ns at 1e8 ns/s, plus the 10 s hold. */
	ck_assert_double_eq_tol(st.expected_left_s, 5.0 - 1e-5 + 10.0, 1e-9);

	/* Slower than the cap: the recent rate (1e7 ns/s) sets the estimate. */
	recovery_sample(tr, 6 * S, S / 2 - S / 100);
	recovery_status(tr, &st);
	ck_assert_double_eq_tol(st.expected_left_s, (4.9e8 - 1000) / 1e7 + 10.0, 1e-6);

	/* Growing offset (nothing applied, a dry run): no estimate, rather
	 * than a floor that would be repeated for ever. */
	recovery_sample(tr, 7 * S, S / 2);
	recovery_status(tr, &st);
	ck_assert(isnan(st.expected_left_s));

	for (t = 8; t <= 11; t++)
		recovery_sample(tr, t * S, 10);
	recovery_status(tr, &st);
	ck_assert(st.in_threshold);
	ck_assert_int_eq(st.peak_ns, S);
	/* The stretch began between (7 s, 5e8) and (8 s, 10). */
	ck_assert_double_eq_tol(st.in_threshold_s, 4.0 - (5e8 - 1000) / (5e8 - 10), 1e-6);
	ck_assert_double_eq_tol(st.expected_left_s, 10.0 - st.in_threshold_s, 1e-12);
	recovery_destroy(tr);
}
END_TEST

START_TEST(unknown_offset_at_event)
{
	struct recovery *tr = mk_sys();
	struct recovery_report r = { 0 };
	int64_t t;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_LEAP, 0, UTC0, RECOVERY_OFFSET_UNKNOWN), 0);
	ck_assert_int_eq(recovery_sample_unknown(tr, 500 * MS), 0);
	ck_assert_int_eq(recovery_sample(tr, 1 * S, -S), 0);
	for (t = 2; t <= 30 && !recovery_poll_done(tr, &r); t++)
		recovery_sample(tr, t * S, t >= 12 ? 0 : -S + (t - 1) * S / 10);
	ck_assert(r.recovered && r.offset_known);
	ck_assert_int_eq(r.offset_at_event_ns, -S);
	ck_assert_double_eq_tol(r.limit_s, 10.0, 1e-12);
	/* Measured from the event (0), not from the first sample. */
	ck_assert_double_eq_tol(r.recovery_s, 11.0 - 1000.0 / 1e8, 1e-9);

	/* Never known: reported as such. */
	ck_assert_int_eq(recovery_event(tr, RECOVERY_FAULT_CLEARED, 40 * S, UTC0,
					RECOVERY_OFFSET_UNKNOWN), 0);
	ck_assert_int_eq(recovery_abort(tr, 41 * S), 1);
	ck_assert_int_eq(recovery_abort(tr, 42 * S), 0);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert(!r.offset_known && !r.recovered && !r.superseded);
	ck_assert(isnan(r.limit_s));
	recovery_destroy(tr);
}
END_TEST

START_TEST(time_backwards_rejected)
{
	struct recovery *tr = mk_sys();
	struct recovery_report r;

	ck_assert_int_eq(recovery_sample(tr, 10 * S, 5), 0);	/* idle: accepted */
	ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 9 * S, UTC0, 0), -EINVAL);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_STEP, 10 * S, UTC0, 5000), 0);
	ck_assert_int_eq(recovery_sample(tr, 9 * S, 0), -EINVAL);
	ck_assert_int_eq(recovery_sample_unknown(tr, 9 * S), -EINVAL);
	ck_assert_int_eq(recovery_abort(tr, 9 * S), -EINVAL);
	ck_assert(!recovery_poll_done(tr, &r));
	recovery_destroy(tr);
}
END_TEST

/* Hold 0: recovered at the first observation inside the threshold,
 * which may be the event itself. */
START_TEST(zero_hold)
{
	struct recovery_params p = { .clock = "c", .threshold_ns = 1000, .hold_s = 0,
				     .cap_ppb = 1e8 };
	struct recovery *tr = recovery_create(&p, NULL);
	struct recovery_report r;

	ck_assert_int_eq(recovery_event(tr, RECOVERY_SOURCE_CHANGE, 0, UTC0, 20), 0);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert(r.recovered);
	ck_assert_double_eq(r.recovery_s, 0);
	/* 20 ns is within the threshold: nothing to slew, no limit, no
	 * ratio (not 0 / 2e-7 s, nor a huge one for a late sample) */
	ck_assert(isnan(r.ratio));
	ck_assert(isnan(r.limit_s));
	recovery_destroy(tr);
}
END_TEST

/* The cap is a rate on top of the natural frequency; max_adj bounds the
 * total. A start within the threshold has no overshoot: the clock's
 * drift to the other side is not one. */
START_TEST(natural_and_max_adj)
{
	struct recovery_params p = { .clock = "c", .threshold_ns = 1000, .hold_s = 1,
				     .cap_ppb = 1e6, .max_adj_ppb = 1e8 };
	struct recovery *tr = recovery_create(&p, NULL);
	struct recovery_report r;

	/* 1 s at 1000 ppm on a clock 20 ppm fast: 1000 s, not 1020 s */
	ck_assert_int_eq(recovery_set_natural(tr, -20000), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 0, UTC0, S), 0);
	ck_assert_int_eq(recovery_abort(tr, S), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 1000.0, 1e-9);
	/* at 10 % the clock's max_adj leaves 99980 ppm beside -20 ppm */
	ck_assert_int_eq(recovery_set_cap(tr, 1e8), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 2 * S, UTC0, S), 0);
	ck_assert_int_eq(recovery_abort(tr, 3 * S), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 1e9 / 99980e3, 1e-12);
	/* the estimate of the event in progress follows the natural one */
	ck_assert_int_eq(recovery_set_natural(tr, 0), 0);
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 4 * S, UTC0, -S), 0);
	ck_assert_int_eq(recovery_set_natural(tr, 20000), 0);
	ck_assert_int_eq(recovery_abort(tr, 5 * S), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_double_eq_tol(r.limit_s, 1e9 / 99980e3, 1e-12);
	ck_assert_int_eq(recovery_set_natural(tr, NAN), -EINVAL);

	/* 5 ns off, then 20 us the other way by drift: no overshoot */
	ck_assert_int_eq(recovery_event(tr, RECOVERY_START, 6 * S, UTC0, 5), 0);
	ck_assert_int_eq(recovery_sample(tr, 7 * S, -20000), 0);
	ck_assert_int_eq(recovery_abort(tr, 8 * S), 1);
	ck_assert(recovery_poll_done(tr, &r));
	ck_assert_int_eq(r.overshoot_ns, 0);
	ck_assert(isnan(r.limit_s));
	recovery_destroy(tr);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("recovery");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, kind_names);
	tcase_add_test(tc, create_rejects_bad_params);
	tcase_add_test(tc, limit_and_ratio_arithmetic);
	tcase_add_test(tc, linear_slew_then_landing);
	tcase_add_test(tc, exponential_decay);
	tcase_add_test(tc, overshoot_then_settle);
	tcase_add_test(tc, negative_offset_overshoot);
	tcase_add_test(tc, dip_before_hold_does_not_count);
	tcase_add_test(tc, fault_breaks_stretch);
	tcase_add_test(tc, gap_between_samples);
	tcase_add_test(tc, superseding_events);
	tcase_add_test(tc, poll_and_history_ring);
	tcase_add_test(tc, phc_vs_system_threshold);
	tcase_add_test(tc, status_while_recovering);
	tcase_add_test(tc, unknown_offset_at_event);
	tcase_add_test(tc, time_backwards_rejected);
	tcase_add_test(tc, zero_hold);
	tcase_add_test(tc, natural_and_max_adj);
	suite_add_tcase(s, tc);
	return s;
}
