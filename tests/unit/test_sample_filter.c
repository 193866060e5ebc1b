/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for servo/sample_filter.c: min-delay selection and its
 * tolerance, averaging, outlier robustness, edge cases. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "servo/sample_filter.h"

#define RD(o, d, r) { .offset_ns = (o), .delay_ns = (d), .ref_ns = (r) }

START_TEST(test_min_delay_selection)
{
	/* Three fast readings agree; three slow ones (interrupted) do not. */
	const struct clock_reading r[] = {
		RD(1000, 900, 10), RD(100, 50, 20), RD(5000, 800, 30),
		RD(100, 52, 40), RD(-3000, 700, 50), RD(100, 51, 60),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(r, 6, &o), 3);
	ck_assert_int_eq(o.offset_ns, 100);
	ck_assert_int_eq(o.delay_ns, 50);
	ck_assert_int_eq(o.n_used, 3);
	ck_assert_int_eq(o.ref_ns, 40);	/* mean of 20, 40, 60 */
}
END_TEST

START_TEST(test_averaging)
{
	/* Equal delays: every reading is as good as the next, all are averaged. */
	const struct clock_reading r[] = {
		RD(100, 10, 1000), RD(102, 10, 2000), RD(104, 10, 3000), RD(106, 10, 4000),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(r, 4, &o), 4);
	ck_assert_int_eq(o.offset_ns, 103);
	ck_assert_int_eq(o.ref_ns, 2500);
	ck_assert_int_eq(o.delay_ns, 10);
}
END_TEST

START_TEST(test_delay_tolerance)
{
	/* Delays within max(50 ns, min / 8) of the smallest count as equal:
	 * 62.5 ns for a 500 ns minimum, 50 ns for a 40 ns one. */
	const struct clock_reading a[] = {
		RD(10, 500, 0), RD(20, 562, 0), RD(30, 540, 0), RD(900, 563, 0), RD(-900, 2000, 0),
	};
	const struct clock_reading b[] = {
		RD(10, 40, 0), RD(20, 90, 0), RD(30, 60, 0), RD(40, 91, 0), RD(-90, 400, 0),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(a, 5, &o), 3);
	ck_assert_int_eq(o.offset_ns, 20);
	ck_assert_int_eq(o.delay_ns, 500);
	ck_assert_int_eq(sample_filter(b, 5, &o), 3);
	ck_assert_int_eq(o.offset_ns, 20);
	ck_assert_int_eq(o.delay_ns, 40);
}
END_TEST

START_TEST(test_keeps_three)
{
	/* One narrow window and slow ones: the two next narrowest join it,
	 * so that the median can still vote a wild reading out. */
	const struct clock_reading r[] = {
		RD(5000000, 300, 0), RD(104, 2000, 0), RD(100, 900, 0), RD(-7000, 5000, 0),
		RD(102, 1000, 0),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(r, 5, &o), 2);
	ck_assert_int_eq(o.offset_ns, 101);
	ck_assert_int_eq(o.delay_ns, 900);
}
END_TEST

static double gauss(unsigned int *seed)
{
	double u1 = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);
	double u2 = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/*
 * Seeded: 9 readings of equal delay with 100 ns of gaussian noise (the
 * simulator's PHC read model). All of them averaged scatter by
 * 100 / 3 = 33 ns; the best half by order (the rule before) scattered by
 * 100 / sqrt(5) = 45 ns.
 */
START_TEST(test_noise_reduction)
{
	struct clock_reading r[9];
	struct sample_filter_out o;
	unsigned int seed = 42;
	double sum2 = 0;
	int i, it, n = 4000, used = 0;

	for (it = 0; it < n; it++) {
		for (i = 0; i < 9; i++)
			r[i] = (struct clock_reading)RD(llround(1e6 + 100 * gauss(&seed)), 500,
							(int64_t)it * 1000000000 + i * 500);
		used += sample_filter(r, 9, &o);
		sum2 += ((double)o.offset_ns - 1e6) * ((double)o.offset_ns - 1e6);
	}
	/* The MAD test rejects a good reading now and then (4 sigma of a
	 * 9-point MAD): 8.97 of 9 used on average with this seed. */
	ck_assert_double_gt((double)used / n, 8.9);
	ck_assert_double_lt(sqrt(sum2 / n), 36);
	ck_assert_double_gt(sqrt(sum2 / n), 30);
}
END_TEST

START_TEST(test_outlier_with_small_delay)
{
	/* The wild reading has the smallest delay, so delay selection keeps
	 * it; the median/MAD test must throw it out. */
	const struct clock_reading r[] = {
		RD(1000000, 5, 0), RD(100, 10, 0), RD(102, 10, 0), RD(99, 10, 0), RD(101, 10, 0),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(r, 5, &o), 4);
	ck_assert_int_eq(o.offset_ns, 100);	/* 100.5, rounded from the median 101 */
	ck_assert_int_eq(o.delay_ns, 10);	/* delay among the readings used */
}
END_TEST

START_TEST(test_outlier_precise)
{
	/* PRECISE readings: all delays 0; one wild one among nine. */
	struct clock_reading r[9];
	struct sample_filter_out o;
	int i;

	for (i = 0; i < 9; i++)
		r[i] = (struct clock_reading)RD(-500 + (i % 3) - 1, 0, 1000 * i);
	r[1].offset_ns = -80000000;
	ck_assert_int_eq(sample_filter(r, 9, &o), 8);
	ck_assert_int_eq(o.offset_ns, -500);
	ck_assert_int_eq(o.delay_ns, 0);
}
END_TEST

START_TEST(test_single_and_pair)
{
	const struct clock_reading one[] = { RD(-1234, 77, 555) };
	const struct clock_reading two[] = { RD(10, 20, 100), RD(20, 30, 200) };
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(one, 1, &o), 1);
	ck_assert_int_eq(o.offset_ns, -1234);
	ck_assert_int_eq(o.delay_ns, 77);
	ck_assert_int_eq(o.ref_ns, 555);
	ck_assert_int_eq(sample_filter(two, 2, &o), 2);
	ck_assert_int_eq(o.offset_ns, 15);
	ck_assert_int_eq(o.ref_ns, 150);
	ck_assert_int_eq(o.delay_ns, 20);
}
END_TEST

START_TEST(test_huge_offsets)
{
	/* A PHC at 1970 against CLOCK_REALTIME: offsets near -1.7e18 ns keep
	 * nanosecond precision; values past 2^62 ns are refused. */
	const int64_t base = -1700000000123456789LL;
	const struct clock_reading r[] = {
		RD(base + 1, 10, 0), RD(base + 3, 10, 0), RD(base + 2, 10, 0),
	};
	const struct clock_reading x[] = {
		RD(INT64_MAX, 10, 0), RD(INT64_MIN, 10, 0), RD(7, 10, 0),
	};
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(r, 3, &o), 3);
	ck_assert_int_eq(o.offset_ns, base + 2);
	ck_assert_int_eq(sample_filter(x, 3, &o), -ERANGE);
	ck_assert_int_eq(sample_filter(x + 1, 2, &o), -ERANGE);
}
END_TEST

START_TEST(test_bad_input)
{
	struct clock_reading r[SAMPLE_FILTER_MAX_READINGS + 1] = { RD(0, 0, 0) };
	struct sample_filter_out o;

	ck_assert_int_eq(sample_filter(NULL, 1, &o), -EINVAL);
	ck_assert_int_eq(sample_filter(r, 1, NULL), -EINVAL);
	ck_assert_int_eq(sample_filter(r, 0, &o), -EINVAL);
	ck_assert_int_eq(sample_filter(r, -3, &o), -EINVAL);
	ck_assert_int_eq(sample_filter(r, SAMPLE_FILTER_MAX_READINGS + 1, &o), -EINVAL);
	ck_assert_int_eq(sample_filter(r, SAMPLE_FILTER_MAX_READINGS, &o),
			 SAMPLE_FILTER_MAX_READINGS);
	r[0].delay_ns = -1;
	ck_assert_int_eq(sample_filter(r, 2, &o), -EINVAL);
}
END_TEST

/* Seeded property: whatever the readings, the result lies within the
 * range of the readings' offsets and uses between 1 and n of them; with
 * one wild reading among >= 5 tight ones it stays near the tight ones. */
START_TEST(test_property_random)
{
	struct clock_reading r[SAMPLE_FILTER_MAX_READINGS];
	struct sample_filter_out o;
	unsigned int seed;
	int i, n, it, used, wild;
	int64_t lo, hi;

	for (it = 0; it < 2000; it++) {
		seed = 1000u + (unsigned int)it;
		srandom(seed);
		n = 1 + (int)(random() % SAMPLE_FILTER_MAX_READINGS);
		lo = INT64_MAX;
		hi = INT64_MIN;
		for (i = 0; i < n; i++) {
			r[i].offset_ns = 5000 + random() % 200 - 100;
			r[i].delay_ns = 300 + random() % 500;
			r[i].ref_ns = 1000000 + i * 100;
		}
		wild = n >= 5 ? (int)(random() % n) : -1;
		if (wild >= 0)
			r[wild].offset_ns = random() % 2 ? 900000000 : -900000000;
		for (i = 0; i < n; i++) {
			lo = r[i].offset_ns < lo ? r[i].offset_ns : lo;
			hi = r[i].offset_ns > hi ? r[i].offset_ns : hi;
		}
		used = sample_filter(r, n, &o);
		ck_assert_msg(used >= 1 && used <= n, "seed %u: used %d of %d", seed, used, n);
		ck_assert_msg(o.offset_ns >= lo && o.offset_ns <= hi, "seed %u: out of range", seed);
		if (wild >= 0)
			ck_assert_msg(o.offset_ns >= 4900 && o.offset_ns <= 5100,
				      "seed %u: wild reading moved the result to %lld", seed,
				      (long long)o.offset_ns);
	}
}
END_TEST

Suite *unit_suite(void);

Suite *unit_suite(void)
{
	Suite *s = suite_create("sample_filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_min_delay_selection);
	tcase_add_test(tc, test_averaging);
	tcase_add_test(tc, test_delay_tolerance);
	tcase_add_test(tc, test_keeps_three);
	tcase_add_test(tc, test_noise_reduction);
	tcase_add_test(tc, test_outlier_with_small_delay);
	tcase_add_test(tc, test_outlier_precise);
	tcase_add_test(tc, test_single_and_pair);
	tcase_add_test(tc, test_huge_offsets);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_property_random);
	suite_add_tcase(s, tc);
	return s;
}
