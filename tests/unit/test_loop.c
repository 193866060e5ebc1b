// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event loop: timer order and "never early", re-arming by return
 * value, removal from inside callbacks, fd readiness, stop and quit, the
 * zero-delay guard, the iteration counter, sub-millisecond timers. Delays
 * are a few ms; tests assert order and lower bounds, and how late
 * something ran only as the best of many tries against a bound that
 * poll()'s millisecond timeouts could never meet (test_sub_ms_timers).
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/loop.h"

#define MS 1000000LL

Suite *unit_suite(void);

/* A safety net: no test may hang the suite. */
static int64_t guard_cb(struct loop *l, long id, void *arg)
{
	(void)id;
	*(int *)arg = 1;
	loop_stop(l);
	return 0;
}

static int guard_fired;

static void add_guard(struct loop *l)
{
	guard_fired = 0;
	ck_assert_int_gt(loop_add_timer(l, 3000 * MS, guard_cb, &guard_fired), 0);
}

/* ---- order and delays ---------------------------------------------------- */

struct rec {
	int n;
	int order[16];
	int64_t mono[16], now[16];
	uint64_t iter[16];
	int stop_after;
};

struct tag {
	struct rec *r;
	int id;
};

static int64_t record_cb(struct loop *l, long id, void *arg)
{
	struct tag *t = arg;
	struct rec *r = t->r;

	(void)id;
	r->order[r->n] = t->id;
	r->mono[r->n] = loop_mono_ns();
	r->now[r->n] = loop_now(l);
	r->iter[r->n] = loop_iterations(l);
	if (++r->n == r->stop_after)
		loop_stop(l);
	return 0;
}

START_TEST(test_timer_order_not_early)
{
	static const int delays[] = { 15, 3, 9, 1, 20 };
	struct loop *l = loop_create();
	struct rec r = { .stop_after = 5 };
	struct tag tags[5];
	int64_t start = loop_mono_ns();

	add_guard(l);
	for (int i = 0; i < 5; i++) {
		tags[i] = (struct tag){ &r, delays[i] };
		ck_assert_int_gt(loop_add_timer(l, delays[i] * MS, record_cb, &tags[i]), 0);
	}
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(guard_fired, 0);
	ck_assert_int_eq(r.n, 5);
	ck_assert_int_eq(r.order[0], 1);
	ck_assert_int_eq(r.order[1], 3);
	ck_assert_int_eq(r.order[2], 9);
	ck_assert_int_eq(r.order[3], 15);
	ck_assert_int_eq(r.order[4], 20);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_ge(r.mono[i] - start, r.order[i] * MS);
		ck_assert_int_ge(r.now[i] - start, r.order[i] * MS);
		ck_assert_int_le(r.now[i], r.mono[i]);
	}
	loop_destroy(l);
}
END_TEST

START_TEST(test_zero_delay_runs_next_iteration)
{
	struct loop *l = loop_create();
	struct rec r = { .stop_after = 1 };
	struct tag t = { &r, 0 };

	add_guard(l);
	ck_assert_int_gt(loop_add_timer(l, 0, record_cb, &t), 0);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_uint_eq(r.iter[0], 1);
	loop_destroy(l);
}
END_TEST

/* ---- re-arming ----------------------------------------------------------- */

struct periodic {
	int count, limit;
	int64_t t[8];
};

static int64_t periodic_cb(struct loop *l, long id, void *arg)
{
	struct periodic *p = arg;

	(void)id;
	p->t[p->count++] = loop_now(l);
	if (p->count == p->limit) {
		loop_stop(l);
		return 0;
	}
	return 2 * MS;
}

START_TEST(test_rearm_by_return)
{
	struct loop *l = loop_create();
	struct periodic p = { .limit = 5 };
	int64_t start = loop_mono_ns();
	long id;

	add_guard(l);
	id = loop_add_timer(l, 2 * MS, periodic_cb, &p);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(p.count, 5);
	/* re-armed from the previous due time: the k-th run is not before
	 * start + 2k ms, and runs are apart */
	for (int k = 0; k < 5; k++) {
		ck_assert_int_ge(p.t[k] - start, 2 * (k + 1) * MS);
		if (k)
			ck_assert_int_gt(p.t[k], p.t[k - 1]);
	}
	/* returning 0 removed it */
	ck_assert_int_eq(loop_del_timer(l, id), -ENOENT);
	loop_destroy(l);
}
END_TEST

/* ---- removal from callbacks ---------------------------------------------- */

struct killer {
	long self, victim;
	int runs, victim_runs;
};

static int64_t self_remove_cb(struct loop *l, long id, void *arg)
{
	struct killer *k = arg;

	k->runs++;
	ck_assert_int_eq(loop_del_timer(l, id), 0);
	return 1 * MS;	/* ignored: the timer is gone */
}

static int64_t stop_cb(struct loop *l, long id, void *arg)
{
	(void)id;
	(void)arg;
	loop_stop(l);
	return 0;
}

START_TEST(test_remove_self)
{
	struct loop *l = loop_create();
	struct killer k = { 0 };

	add_guard(l);
	k.self = loop_add_timer(l, 1 * MS, self_remove_cb, &k);
	loop_add_timer(l, 15 * MS, stop_cb, NULL);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(k.runs, 1);
	ck_assert_int_eq(loop_del_timer(l, k.self), -ENOENT);
	loop_destroy(l);
}
END_TEST

static int64_t killer_cb(struct loop *l, long id, void *arg)
{
	struct killer *k = arg;

	(void)id;
	k->runs++;
	ck_assert_int_eq(loop_del_timer(l, k->victim), 0);
	loop_stop(l);
	return 0;
}

static int64_t victim_cb(struct loop *l, long id, void *arg)
{
	(void)l;
	(void)id;
	((struct killer *)arg)->victim_runs++;
	return 0;
}

START_TEST(test_remove_other_same_iteration)
{
	struct loop *l = loop_create();
	struct killer k = { 0 };

	add_guard(l);
	k.self = loop_add_timer(l, 1 * MS, killer_cb, &k);
	k.victim = loop_add_timer(l, 1 * MS, victim_cb, &k);
	/* both due before the first poll: one iteration runs them */
	while (loop_mono_ns() < loop_now(l) + 3 * MS)
		;
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(k.runs, 1);
	ck_assert_int_eq(k.victim_runs, 0);
	ck_assert_uint_eq(loop_iterations(l), 1);
	loop_destroy(l);
}
END_TEST

/* ---- fds ----------------------------------------------------------------- */

struct pipe_test {
	int p[2];
	int reads;
	char got;
	int64_t written_at, read_at;
};

static int64_t writer_cb(struct loop *l, long id, void *arg)
{
	struct pipe_test *pt = arg;

	(void)id;
	pt->written_at = loop_now(l);
	ck_assert_int_eq(write(pt->p[1], "x", 1), 1);
	return 0;
}

static void reader_cb(struct loop *l, int fd, short revents, void *arg)
{
	struct pipe_test *pt = arg;

	ck_assert(revents & POLLIN);
	ck_assert_int_eq(read(fd, &pt->got, 1), 1);
	pt->reads++;
	pt->read_at = loop_now(l);
	ck_assert_int_eq(loop_del_fd(l, fd), 0);
	loop_stop(l);
}

START_TEST(test_fd_ready)
{
	struct loop *l = loop_create();
	struct pipe_test pt = { 0 };

	add_guard(l);
	ck_assert_int_eq(pipe(pt.p), 0);
	ck_assert_int_eq(loop_add_fd(l, pt.p[0], POLLIN, reader_cb, &pt), 0);
	ck_assert_int_eq(loop_add_fd(l, pt.p[0], POLLIN, reader_cb, &pt), -EEXIST);
	loop_add_timer(l, 3 * MS, writer_cb, &pt);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(guard_fired, 0);
	ck_assert_int_eq(pt.reads, 1);
	ck_assert_int_eq(pt.got, 'x');
	ck_assert_int_gt(pt.read_at, pt.written_at);
	ck_assert_int_eq(loop_del_fd(l, pt.p[0]), -ENOENT);
	close(pt.p[0]);
	close(pt.p[1]);
	loop_destroy(l);
}
END_TEST

struct two_pipes {
	int a[2], b[2];
	int calls;
};

static void remove_other_fd_cb(struct loop *l, int fd, short revents, void *arg)
{
	struct two_pipes *tp = arg;

	(void)revents;
	tp->calls++;
	ck_assert_int_eq(loop_del_fd(l, fd == tp->a[0] ? tp->b[0] : tp->a[0]), 0);
	ck_assert_int_eq(loop_del_fd(l, fd), 0);
	loop_stop(l);
}

START_TEST(test_fd_remove_other)
{
	struct loop *l = loop_create();
	struct two_pipes tp = { .calls = 0 };

	add_guard(l);
	ck_assert_int_eq(pipe(tp.a), 0);
	ck_assert_int_eq(pipe(tp.b), 0);
	ck_assert_int_eq(write(tp.a[1], "a", 1), 1);
	ck_assert_int_eq(write(tp.b[1], "b", 1), 1);
	loop_add_fd(l, tp.a[0], POLLIN, remove_other_fd_cb, &tp);
	loop_add_fd(l, tp.b[0], POLLIN, remove_other_fd_cb, &tp);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	/* both were ready in the same poll(); the second never ran */
	ck_assert_int_eq(tp.calls, 1);
	ck_assert_uint_eq(loop_iterations(l), 1);
	for (int i = 0; i < 2; i++) {
		close(tp.a[i]);
		close(tp.b[i]);
	}
	loop_destroy(l);
}
END_TEST

static void nval_cb(struct loop *l, int fd, short revents, void *arg)
{
	(void)l;
	(void)fd;
	*(short *)arg |= revents;
}

START_TEST(test_fd_closed_is_dropped)
{
	struct loop *l = loop_create();
	short seen = 0;
	int p[2];

	add_guard(l);
	ck_assert_int_eq(pipe(p), 0);
	close(p[1]);
	ck_assert_int_eq(loop_add_fd(l, p[0], POLLIN, nval_cb, &seen), 0);
	close(p[0]);
	loop_add_timer(l, 5 * MS, stop_cb, NULL);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert(seen & POLLNVAL);
	/* the loop stopped watching it instead of spinning */
	ck_assert_int_eq(loop_del_fd(l, p[0]), -ENOENT);
	loop_destroy(l);
}
END_TEST

/* ---- stop, quit, signals ------------------------------------------------- */

static volatile int quit;

static int64_t quit_cb(struct loop *l, long id, void *arg)
{
	(void)l;
	(void)id;
	(void)arg;
	quit = 1;
	return 1 * MS;	/* would run again if the loop did not quit */
}

START_TEST(test_stop_and_quit)
{
	struct loop *l = loop_create();
	uint64_t it;

	quit = 0;
	add_guard(l);
	loop_add_timer(l, 1 * MS, stop_cb, NULL);
	ck_assert_int_eq(loop_run(l, &quit), 0);
	it = loop_iterations(l);
	ck_assert_uint_ge(it, 1);
	/* stop is one-shot: the loop runs again */
	loop_add_timer(l, 1 * MS, quit_cb, NULL);
	ck_assert_int_eq(loop_run(l, &quit), 0);
	ck_assert_int_eq(quit, 1);
	ck_assert_uint_gt(loop_iterations(l), it);
	/* a set quit flag returns at once */
	it = loop_iterations(l);
	ck_assert_int_eq(loop_run(l, &quit), 0);
	ck_assert_uint_eq(loop_iterations(l), it);
	ck_assert_int_eq(guard_fired, 0);
	loop_destroy(l);
}
END_TEST

static volatile int sig_quit;

static void on_usr1(int sig)
{
	(void)sig;
	sig_quit = 1;
}

START_TEST(test_signal_wakes_poll)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct loop *l = loop_create();
	pid_t parent = getpid(), child;
	int st;

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	add_guard(l);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct timespec ts = { 0, 20 * MS };

		nanosleep(&ts, NULL);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	sig_quit = 0;
	/* no fd, only the far guard timer: the loop sits in poll() */
	ck_assert_int_eq(loop_run(l, &sig_quit), 0);
	ck_assert_int_eq(sig_quit, 1);
	ck_assert_int_eq(guard_fired, 0);
	waitpid(child, &st, 0);
	loop_destroy(l);
}
END_TEST

/* ---- zero-delay guard ---------------------------------------------------- */

struct spin {
	int runs;
	uint64_t last_iter;
	bool twice_in_one;
};

static int64_t spin_cb(struct loop *l, long id, void *arg)
{
	struct spin *s = arg;

	(void)id;
	if (s->runs && loop_iterations(l) == s->last_iter)
		s->twice_in_one = true;
	s->runs++;
	s->last_iter = loop_iterations(l);
	return 1;	/* 1 ns: due again at once */
}

static int64_t chain_cb(struct loop *l, long id, void *arg)
{
	struct spin *s = arg;

	(void)id;
	if (s->runs && loop_iterations(l) == s->last_iter)
		s->twice_in_one = true;
	s->runs++;
	s->last_iter = loop_iterations(l);
	ck_assert_int_gt(loop_add_timer(l, 0, chain_cb, s), 0);
	return 0;
}

static void count_fd_cb(struct loop *l, int fd, short revents, void *arg)
{
	(void)l;
	(void)fd;
	(void)revents;
	(*(int *)arg)++;
}

START_TEST(test_zero_delay_guard)
{
	struct loop *l = loop_create();
	struct spin rearm = { 0 }, chain = { 0 };
	int fd_runs = 0, p[2];
	uint64_t it0 = loop_iterations(l);

	add_guard(l);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);	/* stays readable */
	loop_add_fd(l, p[0], POLLIN, count_fd_cb, &fd_runs);
	loop_add_timer(l, 0, spin_cb, &rearm);
	loop_add_timer(l, 0, chain_cb, &chain);
	loop_add_timer(l, 10 * MS, stop_cb, NULL);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(guard_fired, 0);
	ck_assert(!rearm.twice_in_one);
	ck_assert(!chain.twice_in_one);
	ck_assert_int_ge(rearm.runs, 2);
	ck_assert_int_ge(chain.runs, 2);
	ck_assert_uint_le((uint64_t)rearm.runs, loop_iterations(l) - it0);
	/* the fd was served between the spinning timers, every iteration */
	ck_assert_uint_eq((uint64_t)fd_runs, loop_iterations(l) - it0);
	close(p[0]);
	close(p[1]);
	loop_destroy(l);
}
END_TEST

/* ---- misc ---------------------------------------------------------------- */

static int64_t nested_cb(struct loop *l, long id, void *arg)
{
	(void)id;
	*(int *)arg = loop_run(l, NULL);
	loop_stop(l);
	return 0;
}

START_TEST(test_api_errors)
{
	struct loop *l = loop_create();
	int nested = 0;
	long a, b;

	loop_destroy(NULL);
	ck_assert_int_eq(loop_add_timer(l, -1, stop_cb, NULL), -EINVAL);
	ck_assert_int_eq(loop_add_timer(l, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(loop_add_fd(l, -1, POLLIN, count_fd_cb, NULL), -EINVAL);
	ck_assert_int_eq(loop_del_fd(l, 1234), -ENOENT);
	ck_assert_int_eq(loop_del_timer(l, 1234), -ENOENT);
	a = loop_add_timer(l, INT64_MAX, stop_cb, NULL);	/* saturates, no overflow */
	b = loop_add_timer(l, INT64_MAX, stop_cb, NULL);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, a);
	ck_assert_int_eq(loop_del_timer(l, a), 0);
	ck_assert_int_eq(loop_del_timer(l, a), -ENOENT);
	loop_add_timer(l, 0, nested_cb, &nested);
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(nested, -EBUSY);
	ck_assert_int_ge(loop_mono_ns(), loop_now(l));
	loop_destroy(l);
}
END_TEST

struct same_now {
	int64_t now[2];
	uint64_t iter[2];
	int n;
};

static int64_t now_cb(struct loop *l, long id, void *arg)
{
	struct same_now *s = arg;
	struct timespec ts = { 0, 2 * MS };

	(void)id;
	s->now[s->n] = loop_now(l);
	s->iter[s->n++] = loop_iterations(l);
	nanosleep(&ts, NULL);	/* time passes inside the iteration */
	if (s->n == 2)
		loop_stop(l);
	return 0;
}

START_TEST(test_one_timestamp_per_iteration)
{
	struct loop *l = loop_create();
	struct same_now s = { .n = 0 };

	add_guard(l);
	loop_add_timer(l, 1 * MS, now_cb, &s);
	loop_add_timer(l, 1 * MS, now_cb, &s);
	while (loop_mono_ns() < loop_now(l) + 2 * MS)
		;
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_uint_eq(s.iter[0], s.iter[1]);
	ck_assert_int_eq(s.now[0], s.now[1]);
	loop_destroy(l);
}
END_TEST

/* ---- nanosecond timers -------------------------------------------------- */

/* Timers 200, 450 and 700 us away run in that order, never early; and a
 * 300 us timer runs well before the 1 ms that poll()'s rounded-up timeout
 * would take: the best of 20 tries is under 500 us late (poll() could not
 * do better than 700 us; a loaded machine may make some tries late, not
 * all of them). */
START_TEST(test_sub_ms_timers)
{
	static const int us[] = { 450, 200, 700 };
	struct loop *l = loop_create();
	struct rec r = { .stop_after = 3 };
	struct tag tags[3];
	int64_t start = loop_mono_ns(), best = INT64_MAX;

	add_guard(l);
	for (int i = 0; i < 3; i++) {
		tags[i] = (struct tag){ &r, us[i] };
		ck_assert_int_gt(loop_add_timer(l, us[i] * 1000LL, record_cb, &tags[i]), 0);
	}
	ck_assert_int_eq(loop_run(l, NULL), 0);
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(r.order[0], 200);
	ck_assert_int_eq(r.order[1], 450);
	ck_assert_int_eq(r.order[2], 700);
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(r.now[i] - start, r.order[i] * 1000LL);
	for (int k = 0; k < 20; k++) {
		struct rec one = { .stop_after = 1 };
		struct tag t = { &one, 300 };

		start = loop_mono_ns();
		ck_assert_int_gt(loop_add_timer(l, 300000, record_cb, &t), 0);
		ck_assert_int_eq(loop_run(l, NULL), 0);
		ck_assert_int_ge(one.now[0] - start, 300000);
		if (one.now[0] - start - 300000 < best)
			best = one.now[0] - start - 300000;
	}
	ck_assert_msg(best < 500000, "best of 20: %lld ns late", (long long)best);
	loop_destroy(l);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_timer_order_not_early);
	tcase_add_test(tc, test_zero_delay_runs_next_iteration);
	tcase_add_test(tc, test_rearm_by_return);
	tcase_add_test(tc, test_remove_self);
	tcase_add_test(tc, test_remove_other_same_iteration);
	tcase_add_test(tc, test_fd_ready);
	tcase_add_test(tc, test_fd_remove_other);
	tcase_add_test(tc, test_fd_closed_is_dropped);
	tcase_add_test(tc, test_stop_and_quit);
	tcase_add_test(tc, test_signal_wakes_poll);
	tcase_add_test(tc, test_zero_delay_guard);
	tcase_add_test(tc, test_api_errors);
	tcase_add_test(tc, test_one_timestamp_per_iteration);
	tcase_add_test(tc, test_sub_ms_timers);
	suite_add_tcase(s, tc);
	return s;
}
