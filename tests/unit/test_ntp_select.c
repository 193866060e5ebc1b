/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP clock filter (daemon/source/ntp_filter.c) and selection
 * (ntp_select.c): the minimum-delay sample of the last 8 wins, never an
 * old one twice; the jitter; a shift after a step. The intersection
 * algorithm: agreeing servers all survive and combine weighted by 1 /
 * root distance; one falseticker of 5 (50 ms off) and one of 4 are
 * rejected; two camps of two have no majority; seeded random worlds of
 * 3..9 servers with fewer than half false are always rejected right.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/source/ntp_filter.h"
#include "daemon/source/ntp_select.h"

static struct ntp_sample smp(int64_t t4, int64_t off, int64_t delay)
{
	return (struct ntp_sample){ .t4_ns = t4, .offset_ns = off, .delay_ns = delay };
}

START_TEST(filter_min_delay)
{
	struct ntp_filter f;
	struct ntp_filter_out o;
	struct ntp_sample s;

	memset(&f, 0, sizeof(f));
	f.once = true;
	ntp_filter_reset(&f);
	s = smp(1, 100, 500);
	ck_assert(ntp_filter_add(&f, &s, &o));
	ck_assert_int_eq(o.best.offset_ns, 100);
	ck_assert_int_eq(o.jitter_ns, 0);
	s = smp(2, 300, 900);	/* slower: the first is still best, used already */
	ck_assert(!ntp_filter_add(&f, &s, &o));
	s = smp(3, 120, 400);	/* faster: used */
	ck_assert(ntp_filter_add(&f, &s, &o));
	ck_assert_int_eq(o.best.offset_ns, 120);
	ck_assert_int_eq(o.n, 3);
	/* jitter: RMS of (-20, 180) over n - 1 */
	ck_assert_int_eq(o.jitter_ns, 128);
	/* 8 slower samples push the fast one out: the newest minimum wins */
	for (int i = 0; i < 7; i++) {
		s = smp(10 + i, 1000 + i, 2000 - i);
		ntp_filter_add(&f, &s, &o);
	}
	s = smp(20, 50, 3000);
	ck_assert(ntp_filter_add(&f, &s, &o));
	ck_assert_int_eq(o.best.t4_ns, 16);
	ck_assert_int_eq(o.best.offset_ns, 1006);
	ntp_filter_shift(&f, -1000);
	s = smp(21, 0, 1);
	ck_assert(ntp_filter_add(&f, &s, &o));
	ck_assert_int_eq(o.best.offset_ns, 0);
	ck_assert_int_eq(o.n, 8);
	ck_assert(f.once);
	/* without once: the minimum every time */
	f.once = false;
	s = smp(22, 5, 900);
	ck_assert(ntp_filter_add(&f, &s, &o));
	ck_assert_int_eq(o.best.t4_ns, 21);
}
END_TEST

START_TEST(select_agree)
{
	struct ntp_cand c[4] = { { 100, 1000 }, { 200, 1000 }, { -100, 2000 }, { 0, 500 } };
	bool t[4];
	struct ntp_select_out o;

	ck_assert_int_eq(ntp_select(c, 4, t, &o), 4);
	for (int i = 0; i < 4; i++)
		ck_assert(t[i]);
	/* (100 / 1000 + 200 / 1000 - 100 / 2000 + 0) / (1/1000 + 1/1000 + 1/2000 + 1/500) */
	ck_assert_int_eq(o.offset_ns, 56);
	ck_assert_int_le(o.low_ns, o.high_ns);
	ck_assert_int_eq(ntp_select(c, 1, t, &o), 1);
	ck_assert_int_eq(o.offset_ns, 100);
	ck_assert_int_eq(ntp_select(c, 0, t, &o), -EINVAL);
	ck_assert_int_eq(ntp_select(c, NTP_SELECT_MAX + 1, t, &o), -EINVAL);
}
END_TEST

START_TEST(select_falseticker)
{
	/* ntp_falseticker.scn's shape: one server 50 ms off among five */
	struct ntp_cand c[5] = { { 10000, 80000 }, { -20000, 80000 }, { 50000000, 80000 },
				 { 5000, 80000 }, { 0, 80000 } };
	bool t[5];
	struct ntp_select_out o;

	ck_assert_int_eq(ntp_select(c, 5, t, &o), 4);
	ck_assert(!t[2]);
	ck_assert_int_lt(llabs(o.offset_ns), 10000);
	/* one of four */
	ck_assert_int_eq(ntp_select(c + 1, 4, t, &o), 3);
	ck_assert(!t[1]);
	/* two camps of two: no majority */
	c[0].offset_ns = c[1].offset_ns = 50000000;
	ck_assert_int_eq(ntp_select(c + 1, 4, t, &o), -EDOM);
	/* two against one: the one goes */
	ck_assert_int_eq(ntp_select(c + 2, 3, t, &o), 2);
	ck_assert(!t[0]);
}
END_TEST

START_TEST(select_random)
{
	srand(11);
	for (int run = 0; run < 2000; run++) {
		int n = 3 + rand() % 7, bad = rand() % ((n + 1) / 2);
		struct ntp_cand c[9];
		bool t[9];
		struct ntp_select_out o;

		for (int i = 0; i < n; i++) {
			int64_t d = 50000 + rand() % 100000;

			c[i].dist_ns = d;
			c[i].offset_ns = (rand() % 2001 - 1000) * d / 1000;	/* true 0 inside */
			if (i < bad)	/* far off, on either side */
				c[i].offset_ns = (rand() % 2 ? 1 : -1) * (5000000 + rand() % 5000000);
		}
		if (2 * bad >= n)
			continue;
		ck_assert_int_eq(ntp_select(c, n, t, &o), n - bad);
		for (int i = 0; i < n; i++)
			ck_assert(t[i] == (i >= bad));
		ck_assert_int_le(llabs(o.offset_ns), 150000);
		ck_assert_int_le(o.low_ns, 0);
		ck_assert_int_ge(o.high_ns, 0);
	}
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("ntp_select");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, filter_min_delay);
	tcase_add_test(tc, select_agree);
	tcase_add_test(tc, select_falseticker);
	tcase_add_test(tc, select_random);
	suite_add_tcase(s, tc);
	return s;
}
