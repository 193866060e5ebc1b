// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's truth statistics (tests/sim/truth.c) on hand-made
 * piecewise-linear offsets: exact RMS, interpolated recovery times, peaks,
 * overshoot, windows, and "inf" when a clock never settles; the sustained
 * peak (tests/sim/sustain.c) that leaves out excursions shorter than 1 ms.
 */
#include <check.h>
#include <math.h>

#include "tests/sim/sustain.h"
#include "tests/sim/truth.h"

Suite *unit_suite(void);

#define S 1000000000LL

START_TEST(constant_and_ramp_rms)
{
	struct truth *tr = truth_create(1, 1, 10 * S);
	struct truth_clock_res r;
	double o = 100;

	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, 10 * S, 100, 0);	/* step to 0 at 10 s */
	truth_record(tr, 0, 20 * S, 300, 300);	/* ramp 0 -> 300 over 10 s */
	o = 300;
	truth_finish(tr, 20 * S, &o);
	truth_clock(tr, 0, &r);
	/* the stats window [10, 20] s sees only the ramp: rms = 300 / sqrt(3) */
	ck_assert_double_eq_tol(r.rms_ns, 300 / sqrt(3), 1e-9);
	ck_assert_double_eq_tol(r.mean_ns, 150, 1e-9);
	ck_assert_double_eq_tol(r.max_ns, 300, 1e-9);
	ck_assert_double_eq_tol(r.window_s, 10, 1e-12);
	ck_assert_double_eq(r.final_ns, 300);
	truth_destroy(tr);
}
END_TEST

START_TEST(recovery_interpolated)
{
	struct truth *tr = truth_create(1, 1, 0);
	struct truth_event_res e;
	double o = 2e6;

	/* 2 ms falling linearly to -100 ns at 2 s, then back to 0 at 3 s */
	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, 2 * S, -100, -100);
	truth_record(tr, 0, 3 * S, 0, 0);
	o = 0;
	truth_finish(tr, 10 * S, &o);
	truth_window(tr, 0, 0, &e);
	/* 1 ms is crossed at (2e6 - 1e6) / (2e6 + 100) * 2 s */
	ck_assert_int_eq(e.recover_ns[0], (int64_t)ceil(2e9 * 1e6 / (2e6 + 100)));
	ck_assert_int_eq(e.recover_ns[1], (int64_t)ceil(2e9 * (2e6 - 1e3) / (2e6 + 100)));
	ck_assert_double_eq(e.peak_ns, 2e6);
	ck_assert_double_eq(e.overshoot_ns, 100);
	ck_assert_double_eq(e.offset_ns, 2e6);
	ck_assert_int_eq(e.t_close, 10 * S);
	truth_destroy(tr);
}
END_TEST

START_TEST(never_settles_and_windows)
{
	struct truth *tr = truth_create(2, 3, 0);
	struct truth_event_res e;
	double o[2] = { 5000, 0 };

	truth_open(tr, 0, o);
	truth_ref(tr, 0, o);
	/* window 1 opens at 5 s, the event happens at 6 s with a +1 s jump */
	o[0] = 0;
	truth_record(tr, 0, 5 * S, 0, 0);
	truth_open(tr, 5 * S, o);
	truth_record(tr, 1, 6 * S, 0, 1e9);
	o[1] = 1e9;
	truth_ref(tr, 6 * S, o);
	truth_finish(tr, 8 * S, o);
	ck_assert_int_eq(truth_nwindows(tr), 2);
	truth_window(tr, 0, 0, &e);
	ck_assert_int_eq(e.t_close, 5 * S);
	ck_assert_int_eq(e.recover_ns[0], 0);
	ck_assert_int_eq(e.recover_ns[1], (int64_t)ceil(5e9 * 4000 / 5000));
	truth_window(tr, 1, 1, &e);
	ck_assert_int_eq(e.t_open, 5 * S);
	ck_assert_int_eq(e.t_ref, 6 * S);
	ck_assert_double_eq(e.offset_ns, 1e9);
	ck_assert_int_eq(e.recover_ns[0], -1);	/* still 1 s off at the end */
	ck_assert_double_eq(e.peak_ns, 1e9);
	truth_destroy(tr);
}
END_TEST

START_TEST(spike_counts_in_peak)
{
	struct truth *tr = truth_create(1, 1, 0);
	struct truth_event_res e;
	double o = 0;

	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	truth_record(tr, 0, S, 0, -1e9);		/* a 1 s step back ... */
	truth_record(tr, 0, S + 50, -1e9, 10);	/* ... undone 50 ns later */
	o = 10;
	truth_finish(tr, 2 * S, &o);
	truth_window(tr, 0, 0, &e);
	ck_assert_double_eq(e.peak_ns, 1e9);
	ck_assert_double_eq(e.peak_excl_ns, 10);	/* the spike is left out */
	ck_assert_int_eq(e.recover_ns[0], S + 50);
	truth_destroy(tr);
}
END_TEST

/* Feed (t, before, after) triplets after a reset at (0, v0). */
static double sustained(double v0, const double (*pts)[3], int n)
{
	struct sustain *s = sustain_create(TRUTH_HOLD_NS);
	double r;
	int i;

	ck_assert_ptr_nonnull(s);
	sustain_reset(s, 0, v0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(sustain_add(s, (int64_t)pts[i][0], pts[i][1], pts[i][2]), 0);
	r = sustain_peak(s);
	sustain_destroy(s);
	return r;
}

START_TEST(sustained_long_excursion_counts)
{
	/* 2 ms at 5e5 ns counts; 0.5 ms at 9e5 does not */
	const double p[][3] = {
		{ 1e9, 0, 5e5 }, { 1e9 + 2e6, 5e5, 0 },
		{ 2e9, 0, 9e5 }, { 2e9 + 5e5, 9e5, 0 }, { 3e9, 0, 0 },
	};

	ck_assert_double_eq(sustained(0, p, 5), 5e5);
}
END_TEST

START_TEST(sustained_ramps_exact)
{
	/* ramp 0 -> 1000 over 1 s, step to 0: held 1 ms at 1000 * (1 - 1e-3) */
	const double ramp[][3] = { { 1e9, 1000, 0 }, { 2e9, 0, 0 } };
	/* triangle 0 -> 1000 -> 0 over 2 s: {|o| >= L} is 1 ms wide at 999.5 */
	const double tri[][3] = { { 1e9, 1000, 1000 }, { 2e9, 0, 0 } };
	/* +1000 -> -1000 through zero over 2 s: 999 at either end */
	const double vee[][3] = { { 2e9, -1000, -1000 } };

	ck_assert_double_eq_tol(sustained(0, ramp, 2), 999, 1e-6);
	ck_assert_double_eq_tol(sustained(0, tri, 2), 999.5, 1e-6);
	ck_assert_double_eq_tol(sustained(1000, vee, 1), 999, 1e-6);
}
END_TEST

START_TEST(sustained_many_points_and_short_span)
{
	double p[600][3];
	int i, n = 0;

	/* a sawtooth 100 -> 200 ns with a 10 us period for 5 ms (500 change
	 * points, more than 1 ms holds), then 50: the level held is 100 */
	p[n][0] = 1e6, p[n][1] = 0, p[n][2] = 100, n++;
	for (i = 1; i <= 500; i++, n++)
		p[n][0] = 1e6 + i * 1e4, p[n][1] = 200, p[n][2] = 100;
	p[n][0] = 6e6 + 1, p[n][1] = 100, p[n][2] = 50, n++;
	p[n][0] = 1e9, p[n][1] = 50, p[n][2] = 50, n++;
	ck_assert_double_eq_tol(sustained(0, p, n), 100, 1e-6);
	/* less than 1 ms fed: the smallest |offset| */
	p[0][0] = 1e5, p[0][1] = -300, p[0][2] = -400;
	p[1][0] = 2e5, p[1][1] = -500, p[1][2] = -500;
	ck_assert_double_eq(sustained(-700, p, 2), 300);
	ck_assert_ptr_null(sustain_create(0));
	sustain_destroy(NULL);
}
END_TEST

START_TEST(sustained_per_window)
{
	struct truth *tr = truth_create(1, 2, 0);
	struct truth_event_res e;
	double o = 5000;

	truth_open(tr, 0, &o);
	truth_ref(tr, 0, &o);
	o = 20;
	truth_record(tr, 0, 5 * S, 5000, 20);
	truth_open(tr, 5 * S, &o);
	truth_ref(tr, 5 * S, &o);
	truth_finish(tr, 6 * S, &o);
	truth_window(tr, 0, 0, &e);
	ck_assert_double_eq(e.peak_excl_ns, 5000);
	truth_window(tr, 1, 0, &e);
	ck_assert_double_eq(e.peak_excl_ns, 20);
	ck_assert_double_eq(e.peak_ns, 20);
	truth_destroy(tr);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_truth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, constant_and_ramp_rms);
	tcase_add_test(tc, recovery_interpolated);
	tcase_add_test(tc, never_settles_and_windows);
	tcase_add_test(tc, spike_counts_in_peak);
	tcase_add_test(tc, sustained_long_excursion_counts);
	tcase_add_test(tc, sustained_ramps_exact);
	tcase_add_test(tc, sustained_many_points_and_short_span);
	tcase_add_test(tc, sustained_per_window);
	suite_add_tcase(s, tc);
	return s;
}
