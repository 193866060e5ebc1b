/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the clock's observers (phc/clock.h, "steps are news"):
 * handlers hear this process's steps with their size, clock_watch() finds
 * steps and frequency changes made by someone else against a fake clock
 * whose unstepped twin is a variable, own steps and the kernel's armed
 * leap are not taken for foreign ones, and handlers may come and go while
 * they are being called.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "phc/clock.h"

#define NS	1000000000LL

/* A clock = twin + off; "someone else" changes off or freq directly. */
struct fake {
	int64_t twin_ns;
	int64_t off_ns;
	double freq_ppb;
	int watch_err;
};

static int fake_gettime(void *priv, struct timespec *ts)
{
	struct fake *f = priv;
	int64_t t = f->twin_ns + f->off_ns;

	ts->tv_sec = t / NS;
	ts->tv_nsec = t % NS;
	return 0;
}

static int fake_get_freq(void *priv, double *ppb)
{
	*ppb = ((struct fake *)priv)->freq_ppb;
	return 0;
}

static int fake_adj_freq(void *priv, double ppb)
{
	((struct fake *)priv)->freq_ppb = ppb;
	return 0;
}

static int fake_step(void *priv, int64_t delta_ns)
{
	((struct fake *)priv)->off_ns += delta_ns;
	return 0;
}

static int fake_set_leap(void *priv, int leap)
{
	(void)priv;
	(void)leap;
	return 0;
}

static int fake_watch(void *priv, int64_t *clock_ns, int64_t *twin_ns)
{
	struct fake *f = priv;

	if (f->watch_err)
		return f->watch_err;
	*twin_ns = f->twin_ns;
	*clock_ns = f->twin_ns + f->off_ns;
	return 0;
}

static const struct clock_ops fake_ops = {
	.kind_name = "fake",
	.kind = CLOCK_KIND_FAKE,
	.gettime = fake_gettime,
	.get_freq = fake_get_freq,
	.adj_freq = fake_adj_freq,
	.step = fake_step,
	.set_leap = fake_set_leap,
	.watch = fake_watch,
};

/* What one handler heard. */
struct ear {
	int n;
	struct clock_change last;
	int64_t sum_ns;
	struct clock *c;	/* for handlers that (un)register others */
	struct ear *other;
};

static void hear(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct ear *e = arg;

	(void)c;
	e->n++;
	e->last = *ch;
	e->sum_ns += ch->step_ns;
}

static struct clock *fake_clock(struct fake *f)
{
	struct clock *c = clock_create(&fake_ops, f, "fake", 1e8);

	ck_assert_ptr_nonnull(c);
	return c;
}

START_TEST(test_own_step_heard)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear a = { 0 }, b = { 0 };

	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), 0);
	ck_assert_int_eq(clock_add_change_handler(c, hear, &b), 0);
	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), -EEXIST);
	ck_assert_int_eq(clock_add_change_handler(c, NULL, &a), -EINVAL);
	ck_assert_int_eq(clock_step(c, -250000), 0);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(b.n, 1);
	ck_assert_int_eq(a.last.kind, CLOCK_CHANGE_STEP);
	ck_assert_int_eq(a.last.step_ns, -250000);
	/* a frequency set through the seam is not news */
	ck_assert_int_eq(clock_adj_freq(c, 1234), 0);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(clock_remove_change_handler(c, hear, &b), 0);
	ck_assert_int_eq(clock_remove_change_handler(c, hear, &b), -ENOENT);
	ck_assert_int_eq(clock_step(c, 7), 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_int_eq(b.n, 1);
	clock_close(c);
}
END_TEST

START_TEST(test_foreign_step_found)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear a = { 0 };

	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), 0);
	f.off_ns = 5 * NS;		/* before the baseline: not news */
	ck_assert_int_eq(clock_watch(c), 0);
	f.twin_ns += NS;
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(a.n, 0);
	/* someone else sets the clock 0.5 s ahead */
	f.twin_ns += NS;
	f.off_ns += NS / 2;
	ck_assert_int_eq(clock_watch(c), 1);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(a.last.kind, CLOCK_CHANGE_FOREIGN_STEP);
	ck_assert_int_eq(a.last.step_ns, NS / 2);
	/* reported once */
	f.twin_ns += NS;
	ck_assert_int_eq(clock_watch(c), 0);
	/* read jitter under 10 us is not a step; a 20 us step is */
	f.off_ns += 3000;
	ck_assert_int_eq(clock_watch(c), 0);
	f.off_ns -= 20000;
	ck_assert_int_eq(clock_watch(c), 1);
	ck_assert_int_eq(a.last.step_ns, -20000);
	ck_assert_int_eq(a.n, 2);
	clock_close(c);
}
END_TEST

/* Our steps and someone else's between two watches: only theirs is news. */
START_TEST(test_own_and_foreign)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear a = { 0 };

	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), 0);
	ck_assert_int_eq(clock_step(c, 2 * NS), 0);
	ck_assert_int_eq(clock_step(c, -NS / 4), 0);
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(a.n, 2);		/* the two own steps */
	ck_assert_int_eq(clock_step(c, NS), 0);
	f.off_ns -= 3 * NS;			/* someone else */
	ck_assert_int_eq(clock_watch(c), 1);
	ck_assert_int_eq(a.n, 4);
	ck_assert_int_eq(a.last.kind, CLOCK_CHANGE_FOREIGN_STEP);
	ck_assert_int_eq(a.last.step_ns, -3 * NS);
	clock_close(c);
}
END_TEST

/* The kernel's leap second, armed by us, moves the clock 1 s against its
 * twin; not a foreign step. A 1 s step without an armed leap is one. */
START_TEST(test_armed_leap_not_foreign)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear a = { 0 };

	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), 0);
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(clock_set_leap(c, 1), 0);
	f.off_ns -= NS;				/* 23:59:60 */
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(clock_set_leap(c, 0), 0);
	f.off_ns -= NS;
	ck_assert_int_eq(clock_watch(c), 1);
	ck_assert_int_eq(a.last.step_ns, -NS);
	ck_assert_int_eq(clock_set_leap(c, -1), 0);
	f.off_ns += NS;				/* a deletion */
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(a.n, 1);
	clock_close(c);
}
END_TEST

START_TEST(test_foreign_freq)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear a = { 0 };

	ck_assert_int_eq(clock_add_change_handler(c, hear, &a), 0);
	/* never set by us: any frequency is the clock's own */
	f.freq_ppb = 777;
	ck_assert_int_eq(clock_watch(c), 0);
	ck_assert_int_eq(clock_adj_freq(c, -20000), 0);
	f.freq_ppb += 0.5;			/* readback rounding */
	ck_assert_int_eq(clock_watch(c), 0);
	f.freq_ppb = 0;				/* another daemon resets it */
	ck_assert_int_eq(clock_watch(c), 1);
	ck_assert_int_eq(a.n, 1);
	ck_assert_int_eq(a.last.kind, CLOCK_CHANGE_FREQ_RESET);
	ck_assert(a.last.freq_ppb == 0);
	ck_assert(a.last.was_ppb == -20000);
	ck_assert_int_eq(clock_watch(c), 0);	/* once */
	/* a step and a frequency together */
	f.freq_ppb = 5;
	f.off_ns += NS;
	ck_assert_int_eq(clock_watch(c), 2);
	ck_assert_int_eq(a.n, 3);
	clock_close(c);
}
END_TEST

START_TEST(test_watch_errors)
{
	struct fake f = { .twin_ns = 1000 * NS, .watch_err = -EIO };
	struct clock *c = fake_clock(&f);
	struct clock_ops no_twin = fake_ops;
	struct clock *d;

	ck_assert_int_eq(clock_watch(NULL), -EINVAL);
	ck_assert_int_eq(clock_watch(c), -EIO);
	clock_close(c);
	/* no twin: only the frequency is watched */
	no_twin.watch = NULL;
	d = clock_create(&no_twin, &f, "notwin", 1e8);
	f.watch_err = 0;
	ck_assert_int_eq(clock_watch(d), 0);
	f.off_ns += NS;
	ck_assert_int_eq(clock_watch(d), 0);
	clock_close(d);
}
END_TEST

/* Removing oneself and another, adding a third, all while notified. */
static void leave(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct ear *e = arg;

	hear(c, ch, arg);
	ck_assert_int_eq(clock_remove_change_handler(c, leave, e), 0);
	if (e->other)
		ck_assert_int_eq(clock_remove_change_handler(c, hear, e->other), 0);
}

static void join(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct ear *e = arg;

	hear(c, ch, arg);
	if (e->other && e->n == 1)
		ck_assert_int_eq(clock_add_change_handler(c, hear, e->other), 0);
}

START_TEST(test_change_while_notifying)
{
	struct fake f = { .twin_ns = 1000 * NS };
	struct clock *c = fake_clock(&f);
	struct ear late = { 0 }, removed = { 0 };
	struct ear quitter = { .other = &removed }, joiner = { .other = &late };

	ck_assert_int_eq(clock_add_change_handler(c, leave, &quitter), 0);
	ck_assert_int_eq(clock_add_change_handler(c, hear, &removed), 0);
	ck_assert_int_eq(clock_add_change_handler(c, join, &joiner), 0);
	ck_assert_int_eq(clock_step(c, 100), 0);
	ck_assert_int_eq(quitter.n, 1);
	ck_assert_int_eq(removed.n, 0);		/* removed before its turn */
	ck_assert_int_eq(joiner.n, 1);
	ck_assert_int_eq(late.n, 0);		/* added during: hears the next */
	ck_assert_int_eq(clock_step(c, 200), 0);
	ck_assert_int_eq(quitter.n, 1);
	ck_assert_int_eq(joiner.n, 2);
	ck_assert_int_eq(late.n, 1);
	ck_assert_int_eq(late.sum_ns, 200);
	ck_assert_int_eq(clock_remove_change_handler(c, leave, &quitter), -ENOENT);
	clock_close(c);
}
END_TEST

/* A dry run records steps without making them: nobody hears of them, and
 * a real step by someone else under it is still found. */
START_TEST(test_dryrun_news)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct clock *inner, *d;
	struct ear a = { 0 };

	f->twin_ns = 1000 * NS;
	inner = fake_clock(f);
	d = clock_dryrun(inner);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(clock_add_change_handler(d, hear, &a), 0);
	ck_assert_int_eq(clock_watch(d), 0);
	ck_assert_int_eq(clock_step(d, NS), 0);
	ck_assert_int_eq(a.n, 0);
	ck_assert_int_eq(clock_watch(d), 0);
	f->off_ns += NS / 10;
	ck_assert_int_eq(clock_watch(d), 1);
	ck_assert_int_eq(a.last.step_ns, NS / 10);
	clock_close(d);
	free(f);
}
END_TEST

Suite *unit_suite(void);

Suite *unit_suite(void)
{
	Suite *s = suite_create("clock_news");
	TCase *tc = tcase_create("observers");

	tcase_add_test(tc, test_own_step_heard);
	tcase_add_test(tc, test_foreign_step_found);
	tcase_add_test(tc, test_own_and_foreign);
	tcase_add_test(tc, test_armed_leap_not_foreign);
	tcase_add_test(tc, test_foreign_freq);
	tcase_add_test(tc, test_watch_errors);
	tcase_add_test(tc, test_change_while_notifying);
	tcase_add_test(tc, test_dryrun_news);
	suite_add_tcase(s, tc);
	return s;
}
