/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of phc/: the tick/frequency split, the clock object over a fake
 * ops table, CMP_READ comparisons, the dry-run wrapper. Nothing here adjusts
 * the real clock: CLOCK_REALTIME is only opened and read.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phc/clock.h"
#include "phc/sysclk.h"

#include "tests/unit/fake_clock.h"

/* ---- sysclk_split / sysclk_join --------------------------------------- */

static const struct split_case {
	double ppb;
	long tick_us;
	double freq_ppb;
} split_cases[] = {
	{ 0, 10000, 0 },
	{ 499e3, 10005, -1000 },	/* 4.99 ticks -> 5, rest -1 ppm */
	{ -499e3, 9995, 1000 },
	{ 500e3, 10005, 0 },
	{ -500e3, 9995, 0 },
	{ 50e3, 10001, -50e3 },		/* exactly half a tick: away from zero */
	{ -50e3, 9999, 50e3 },
	{ 49999, 10000, 49999 },
	{ 12345e3, 10123, 45e3 },
	{ -12345e3, 9877, -45e3 },
	{ 100000e3, 11000, 0 },
	{ -100000e3, 9000, 0 },
};

START_TEST(test_split_table)
{
	const struct split_case *k = &split_cases[_i];
	long tick = -1;
	double freq = NAN;

	ck_assert_int_eq(sysclk_split(k->ppb, &tick, &freq), 0);
	ck_assert_int_eq(tick, k->tick_us);
	ck_assert_double_eq(freq, k->freq_ppb);
	ck_assert_double_eq(sysclk_join(tick, freq), k->ppb);
	ck_assert_int_ge(tick, 9000);
	ck_assert_int_le(tick, 11000);
}
END_TEST

START_TEST(test_split_range)
{
	const double bad[] = { 100000e3 + 1, -100000e3 - 1, 100000e3 + 0.001,
			       -100000e3 - 0.001, 1e12, NAN, INFINITY, -INFINITY };
	long tick = 4242;
	double freq = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(sysclk_split(bad[i], &tick, &freq), -ERANGE);
		ck_assert_int_eq(tick, 4242);		/* untouched */
		ck_assert_double_eq(freq, 42);
	}
}
END_TEST

/* join(split(x)) == x exactly, and the remainder never exceeds half a
 * tick (50 ppm), far inside the kernel's +/-500 ppm. Seeded. */
START_TEST(test_split_roundtrip)
{
	unsigned int seed = 12345;
	int i;

	for (i = 0; i < 100000; i++) {
		double x = ((double)rand_r(&seed) / RAND_MAX * 2 - 1) * 1e8;
		long tick;
		double freq;

		ck_assert_int_eq(sysclk_split(x, &tick, &freq), 0);
		ck_assert_msg(sysclk_join(tick, freq) == x,
			      "seed 12345 i %d: %.17g -> %ld %.17g", i, x, tick, freq);
		ck_assert(fabs(freq) <= 50e3);
	}
}
END_TEST

/* ---- the clock object over fake ops ------------------------------------ */

START_TEST(test_create_accessors)
{
	struct fake_world w = { .now_ns = 1000000000LL * 1700000000, .read_cost_ns = 0 };
	struct fake f;
	struct clock *c = fake_clock(&f, &w, "fakeA", 42);
	struct clock_leap_status st;
	int64_t ns;
	double ppb;

	ck_assert_str_eq(clock_name(c), "fakeA");
	ck_assert_int_eq(clock_kind(c), CLOCK_KIND_FAKE);
	ck_assert_double_eq(clock_max_adj_ppb(c), 1e6);
	ck_assert_int_eq(clock_phc_index(c), -1);
	ck_assert(!clock_is_dryrun(c));

	ck_assert_int_eq(clock_gettime_ns(c, &ns), 0);
	ck_assert_int_eq(ns, w.now_ns + 42);
	ck_assert_int_eq(clock_adj_freq(c, -1234.5), 0);
	ck_assert_int_eq(clock_get_freq(c, &ppb), 0);
	ck_assert_double_eq(ppb, -1234.5);
	ck_assert_int_eq(clock_step(c, -1000), 0);
	ck_assert_int_eq(clock_gettime_ns(c, &ns), 0);
	ck_assert_int_eq(ns, w.now_ns + 42 - 1000);

	ck_assert_int_eq(clock_set_leap(c, -1), 0);
	ck_assert_int_eq(clock_set_leap(c, 2), -EINVAL);
	ck_assert_int_eq(clock_set_tai(c, 37), 0);
	ck_assert_int_eq(clock_set_sync(c, true, 1000, 100), 0);
	ck_assert_int_eq(clock_get_leap(c, &st), 0);
	ck_assert_int_eq(st.pending, -1);
	ck_assert_int_eq(st.tai_s, 37);
	ck_assert(!st.unsync);

	clock_close(c);
	ck_assert_int_eq(f.n_destroy, 1);
}
END_TEST

START_TEST(test_close_null_and_bad_args)
{
	struct fake_world w = { 0, 0 };
	struct fake f;
	struct clock *c = fake_clock(&f, &w, NULL, 0);
	int64_t ns;

	clock_close(NULL);
	ck_assert_str_eq(clock_name(c), "fake");	/* kind_name by default */
	ck_assert_int_eq(clock_gettime_ns(NULL, &ns), -EINVAL);
	ck_assert_int_eq(clock_gettime_ns(c, NULL), -EINVAL);
	ck_assert_int_eq(clock_adj_freq(c, NAN), -EINVAL);
	ck_assert_ptr_null(clock_create(NULL, NULL, "x", 1));
	ck_assert_ptr_null(clock_dryrun(NULL));
	clock_close(c);
}
END_TEST

START_TEST(test_missing_ops)
{
	struct fake_world w = { 0, 0 };
	struct fake f = { .w = &w };
	struct clock *c = clock_create(&bare_ops, &f, "bare", 1e6);
	struct clock_leap_status st;
	struct clock_reading rd;
	enum compare_method m;
	int64_t ns;
	double ppb;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(clock_gettime_ns(c, &ns), 0);
	ck_assert_int_eq(clock_get_freq(c, &ppb), -EOPNOTSUPP);
	ck_assert_int_eq(clock_adj_freq(c, 1), -EOPNOTSUPP);
	ck_assert_int_eq(clock_step(c, 1), -EOPNOTSUPP);
	ck_assert_int_eq(clock_set_leap(c, 1), -EOPNOTSUPP);
	ck_assert_int_eq(clock_get_leap(c, &st), -EOPNOTSUPP);
	ck_assert_int_eq(clock_set_tai(c, 37), -EOPNOTSUPP);
	ck_assert_int_eq(clock_set_sync(c, true, 0, 0), -EOPNOTSUPP);
	/* Two fakes always compare by reading. */
	ck_assert_int_eq(clock_compare(c, c, 1, &rd, &m), 1);
	ck_assert_int_eq(m, CMP_READ);
	clock_close(c);
	ck_assert_int_eq(f.n_destroy, 1);
}
END_TEST

START_TEST(test_adj_freq_range)
{
	struct fake_world w = { 0, 0 };
	struct fake f;
	struct clock *c;
	double ppb;

	memset(&f, 0, sizeof(f));
	f.w = &w;
	c = clock_create(&fake_ops, &f, "small", 1000);
	ck_assert_int_eq(clock_adj_freq(c, 1000), 0);
	ck_assert_int_eq(clock_adj_freq(c, -1000), 0);
	ck_assert_int_eq(clock_adj_freq(c, 1000.001), -ERANGE);
	ck_assert_int_eq(clock_adj_freq(c, -2000), -ERANGE);
	ck_assert_int_eq(clock_adj_freq(c, INFINITY), -ERANGE);
	ck_assert_int_eq(f.n_adj, 2);			/* rejected: not passed on */
	ck_assert_int_eq(clock_get_freq(c, &ppb), 0);
	ck_assert_double_eq(ppb, -1000);
	clock_close(c);
}
END_TEST

/* ---- clock_compare, CMP_READ ------------------------------------------- */

START_TEST(test_compare_read_offset)
{
	struct fake_world w = { .now_ns = 5000000000LL, .read_cost_ns = 100 };
	struct fake fa, fb;
	struct clock *a = fake_clock(&fa, &w, "a", 0);
	struct clock *b = fake_clock(&fb, &w, "b", 5000);
	struct clock_reading rd[4];
	enum compare_method m = CMP_NONE;
	int i;

	ck_assert_int_eq(clock_compare(a, b, 4, rd, &m), 4);
	ck_assert_int_eq(m, CMP_READ);
	for (i = 0; i < 4; i++) {
		/* ref read at t, target at t+100, ref at t+200: exact. */
		ck_assert_int_eq(rd[i].offset_ns, 5000);
		ck_assert_int_eq(rd[i].delay_ns, 200);
		ck_assert_int_ge(rd[i].delay_ns, 0);
	}
	ck_assert_int_eq(rd[3].ref_ns, rd[0].ref_ns + 3 * 300);

	/* The other way round: offset = target - ref is negative. */
	ck_assert_int_eq(clock_compare(b, a, 2, rd, &m), 2);
	ck_assert_int_eq(rd[0].offset_ns, -5000);
	ck_assert_int_eq(rd[1].offset_ns, -5000);

	ck_assert_int_eq(clock_compare(a, b, 0, rd, &m), -EINVAL);
	ck_assert_int_eq(clock_compare(NULL, b, 1, rd, &m), -EINVAL);
	ck_assert_int_eq(clock_compare(a, b, 1, NULL, &m), -EINVAL);
	clock_close(a);
	clock_close(b);
}
END_TEST

START_TEST(test_compare_method_names)
{
	ck_assert_str_eq(compare_method_name(CMP_NONE), "none");
	ck_assert_str_eq(compare_method_name(CMP_PRECISE), "precise");
	ck_assert_str_eq(compare_method_name(CMP_EXTENDED), "extended");
	ck_assert_str_eq(compare_method_name(CMP_PLAIN), "plain");
	ck_assert_str_eq(compare_method_name(CMP_READ), "read");
	ck_assert_str_eq(compare_method_name((enum compare_method)99), "unknown");
}
END_TEST

/* ---- the dry-run wrapper ------------------------------------------------ */

START_TEST(test_dryrun_records)
{
	struct fake_world w = { .now_ns = 7000000000LL, .read_cost_ns = 0 };
	struct fake f;
	struct clock *d = clock_dryrun(fake_clock(&f, &w, "inner", 77));
	struct clock_leap_status st;
	int64_t ns;
	double ppb;

	f.freq_ppb = 300;
	ck_assert_ptr_nonnull(d);
	ck_assert(clock_is_dryrun(d));
	ck_assert_str_eq(clock_name(d), "inner");
	ck_assert_int_eq(clock_kind(d), CLOCK_KIND_FAKE);
	ck_assert_double_eq(clock_max_adj_ppb(d), 1e6);

	/* Reads pass through. */
	ck_assert_int_eq(clock_get_freq(d, &ppb), 0);
	ck_assert_double_eq(ppb, 300);
	ck_assert_int_eq(clock_gettime_ns(d, &ns), 0);
	ck_assert_int_eq(ns, 7000000077LL);

	/* Corrections are recorded, the inner clock is untouched. */
	ck_assert_int_eq(clock_adj_freq(d, -4567), 0);
	ck_assert_int_eq(clock_get_freq(d, &ppb), 0);
	ck_assert_double_eq(ppb, -4567);
	ck_assert_int_eq(clock_adj_freq(d, 2e6), -ERANGE);	/* inner's max_adj */
	ck_assert_int_eq(clock_step(d, 1000000000), 0);
	ck_assert_int_eq(clock_set_leap(d, 1), 0);
	ck_assert_int_eq(clock_set_tai(d, 37), 0);
	ck_assert_int_eq(clock_set_sync(d, true, 1000, 10), 0);
	ck_assert_int_eq(f.n_adj, 0);
	ck_assert_int_eq(f.n_step, 0);
	ck_assert_double_eq(f.freq_ppb, 300);
	ck_assert_int_eq(f.leap, 0);
	ck_assert_int_eq(f.tai_s, 0);
	ck_assert(!f.synced);
	ck_assert_int_eq(clock_gettime_ns(d, &ns), 0);
	ck_assert_int_eq(ns, 7000000077LL);			/* not stepped */

	/* The leap/sync state reads back what was recorded. */
	ck_assert_int_eq(clock_get_leap(d, &st), 0);
	ck_assert_int_eq(st.pending, 1);
	ck_assert_int_eq(st.tai_s, 37);
	ck_assert(!st.unsync);

	clock_close(d);
	ck_assert_int_eq(f.n_destroy, 1);	/* the wrapper owns the inner */
}
END_TEST

START_TEST(test_dryrun_missing_ops_and_compare)
{
	struct fake_world w = { .now_ns = 0, .read_cost_ns = 10 };
	struct fake fb, fr;
	struct clock *bare, *ref, *d;
	struct clock_reading rd;
	enum compare_method m;

	memset(&fb, 0, sizeof(fb));
	fb.w = &w;
	fb.offset_ns = -300;
	bare = clock_create(&bare_ops, &fb, "bare", 1e6);
	d = clock_dryrun(bare);
	ck_assert_ptr_nonnull(d);
	/* The wrapper refuses what the inner clock cannot do. */
	ck_assert_int_eq(clock_adj_freq(d, 1), -EOPNOTSUPP);
	ck_assert_int_eq(clock_step(d, 1), -EOPNOTSUPP);
	ck_assert_int_eq(clock_set_leap(d, 1), -EOPNOTSUPP);

	ref = fake_clock(&fr, &w, "ref", 0);
	ck_assert_int_eq(clock_compare(ref, d, 1, &rd, &m), 1);
	ck_assert_int_eq(m, CMP_READ);
	ck_assert_int_eq(rd.offset_ns, -300);
	ck_assert_int_eq(rd.delay_ns, 20);
	clock_close(d);
	clock_close(ref);
	ck_assert_int_eq(fb.n_destroy, 1);
	ck_assert_int_eq(fr.n_destroy, 1);
}
END_TEST

/* ---- CLOCK_REALTIME, read only ----------------------------------------- */

START_TEST(test_sysclk_read_only)
{
	struct clock *c, *fake;
	struct clock_leap_status st;
	struct clock_reading rd[3];
	struct fake_world w = { 0, 0 };
	struct fake f;
	enum compare_method m;
	int64_t ns;
	double ppb;
	long tick, freq;
	int err = 1, i;

	c = clock_open("CLOCK_REALTIME", &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(clock_kind(c), CLOCK_KIND_SYSTEM);
	ck_assert_double_eq(clock_max_adj_ppb(c), 1e8);
	ck_assert_int_eq(clock_phc_index(c), -1);
	ck_assert(!clock_is_dryrun(c));

	ck_assert_int_eq(clock_gettime_ns(c, &ns), 0);
	ck_assert(llabs(ns / 1000000000 - (int64_t)time(NULL)) <= 2);
	ck_assert_int_eq(clock_get_freq(c, &ppb), 0);
	ck_assert(fabs(ppb) <= 1e8);
	ck_assert_int_eq(sysclk_read_raw(c, &tick, &freq), 0);
	ck_assert_double_eq_tol(ppb, sysclk_join(tick, freq / 65.536), 1e-6);
	ck_assert_int_eq(clock_get_leap(c, &st), 0);
	ck_assert_int_ge(st.state, 0);
	ck_assert_int_ge(st.tai_s, 0);

	ck_assert_int_eq(clock_compare(c, c, 3, rd, &m), 3);
	ck_assert_int_eq(m, CMP_READ);
	for (i = 0; i < 3; i++)
		ck_assert(llabs(rd[i].offset_ns) < 1000000000);

	/* Range checks happen before the kernel is asked. */
	ck_assert_int_eq(clock_adj_freq(c, 1e8 + 1), -ERANGE);
	ck_assert_int_eq(clock_adj_freq(c, NAN), -EINVAL);
	ck_assert_int_eq(clock_set_leap(c, 5), -EINVAL);

	/* The sysclk helpers refuse clocks that are not CLOCK_REALTIME. */
	fake = fake_clock(&f, &w, "f", 0);
	ck_assert_int_eq(sysclk_init_for_discipline(fake), -EINVAL);
	ck_assert_int_eq(sysclk_write_raw(fake, 10000, 0), -EINVAL);
	ck_assert_int_eq(sysclk_read_raw(fake, &tick, &freq), -EINVAL);
	ck_assert_int_eq(sysclk_init_for_discipline(NULL), -EINVAL);
	clock_close(fake);
	clock_close(c);
}
END_TEST

Suite *unit_suite(void);

Suite *unit_suite(void)
{
	Suite *s = suite_create("phc");
	TCase *tc = tcase_create("split");

	tcase_add_loop_test(tc, test_split_table, 0,
			    sizeof(split_cases) / sizeof(split_cases[0]));
	tcase_add_test(tc, test_split_range);
	tcase_add_test(tc, test_split_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("clock");
	tcase_add_test(tc, test_create_accessors);
	tcase_add_test(tc, test_close_null_and_bad_args);
	tcase_add_test(tc, test_missing_ops);
	tcase_add_test(tc, test_adj_freq_range);
	tcase_add_test(tc, test_compare_read_offset);
	tcase_add_test(tc, test_compare_method_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("dryrun");
	tcase_add_test(tc, test_dryrun_records);
	tcase_add_test(tc, test_dryrun_missing_ops_and_compare);
	suite_add_tcase(s, tc);

	tc = tcase_create("sysclk");
	tcase_add_test(tc, test_sysclk_read_only);
	suite_add_tcase(s, tc);
	return s;
}
