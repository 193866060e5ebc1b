// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The discipline pipeline (daemon/discipline/) against live fake clocks
 * (tests/unit/fake_clock.h) on the real loop at 100 Hz: it locks a clock
 * that answers its corrections, a failing source takes it LOCKED ->
 * HOLDOVER -> FREERUN and back, a failing adjustment is a fault that
 * names itself, and at exit the clock is left at the servo's estimate of
 * its natural frequency. Runs in real time (about 8 s in all); the bounds
 * leave room for a loaded machine's pauses (the holdover is 2 s).
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config/config.h"
#include "daemon/discipline/discipline.h"
#include "daemon/leap/leaptable.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/source/source.h"
#include "tests/unit/fake_clock.h"

Suite *unit_suite(void);

struct rig {
	struct loop *loop;
	struct leaptable *leaps;
	struct gnomon_config conf;
	struct fake fr, ft;		/* reference, target */
	struct clock *ref, *target;
	struct source *src;
	struct discipline *d;
	char state_dir[64];
};

static void rig_open(struct rig *r, int64_t offset_ns, double natural_ppb)
{
	struct clock_conf *cc;
	struct discipline_env env;
	char err[512];

	memset(r, 0, sizeof(*r));
	log_setup("test_discipline", 3, false);	/* errors only */
	r->loop = loop_create();
	r->leaps = leaptable_create();
	ck_assert(r->loop && r->leaps);
	config_defaults(&r->conf);
	r->conf.n_clocks = 1;
	cc = &r->conf.clocks[0];
	config_clock_defaults(cc, "fakeT");
	snprintf(cc->source, sizeof(cc->source), "phc:fakeR");
	cc->update_rate_hz = 100;
	cc->samples = 1;
	cc->holdover_timeout_s = 2;	/* long beside a loaded machine's pauses */
	cc->source_timescale = TS_TAI;	/* both TAI: no leap applies */
	snprintf(r->state_dir, sizeof(r->state_dir), "/tmp/gnomon-test-disc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(r->state_dir));
	snprintf(r->conf.state_dir, sizeof(r->conf.state_dir), "%s", r->state_dir);
	r->ref = fake_clock(&r->fr, NULL, "fakeR", 0);
	r->target = fake_clock(&r->ft, NULL, "fakeT", offset_ns);
	r->ft.natural_ppb = natural_ppb;
	r->src = source_phc_create(cc->source, r->ref, cc->samples);
	ck_assert_ptr_nonnull(r->src);
	env = (struct discipline_env){ .loop = r->loop, .conf = &r->conf, .leaps = r->leaps };
	r->d = discipline_create(&env, cc, r->target, r->src, err, sizeof(err));
	ck_assert_msg(r->d != NULL, "%s", err);
}

static void rig_close(struct rig *r)
{
	char path[128];

	discipline_destroy(r->d);
	source_destroy(r->src);
	clock_close(r->target);
	clock_close(r->ref);
	leaptable_destroy(r->leaps);
	loop_destroy(r->loop);
	snprintf(path, sizeof(path), "%s/drift.fakeT", r->state_dir);
	unlink(path);
	ck_assert_int_eq(rmdir(r->state_dir), 0);
}

static volatile int quit_flag;

static int64_t stop_cb(struct loop *l, long id, void *arg)
{
	(void)l;
	(void)id;
	(void)arg;
	quit_flag = 1;
	return 0;
}

/* Run the loop for about ms milliseconds. */
static void run_ms(struct rig *r, int ms)
{
	quit_flag = 0;
	ck_assert_int_gt(loop_add_timer(r->loop, (int64_t)ms * 1000000, stop_cb, NULL), 0);
	while (!quit_flag)
		ck_assert_int_ge(loop_run(r->loop, &quit_flag), 0);
}

static struct discipline_status status(const struct rig *r)
{
	struct discipline_status st;

	discipline_get_status(r->d, &st);
	return st;
}

/* Run until the state is want, at most ms; the state reached. */
static enum disc_state run_until(struct rig *r, enum disc_state want, int ms)
{
	for (int t = 0; t < ms && status(r).state != want; t += 50)
		run_ms(r, 50);
	return status(r).state;
}

START_TEST(test_locks_then_holdover_freerun_and_back)
{
	struct rig r;
	struct discipline_status st;
	uint64_t faults, updates;

	rig_open(&r, 3000, 0);
	ck_assert_int_eq(status(&r).state, DISC_FREERUN);
	ck_assert_int_eq(run_until(&r, DISC_LOCKED, 10000), DISC_LOCKED);
	st = status(&r);
	ck_assert_int_gt(st.updates, 0);
	ck_assert_int_eq(st.faults, 0);
	ck_assert_msg(llabs(st.offset_ns) < 1000, "offset %lld", (long long)st.offset_ns);

	r.fr.fail = -EIO;		/* the source fails */
	run_ms(&r, 100);
	st = status(&r);
	ck_assert_int_eq(st.state, DISC_HOLDOVER);
	ck_assert_int_gt(st.faults, 0);
	ck_assert_int_eq(st.last_error, -EIO);
	ck_assert_int_eq(run_until(&r, DISC_FREERUN, 10000), DISC_FREERUN);	/* after 2 s */
	st = status(&r);
	ck_assert_int_eq(st.faults, 1);		/* one outage ... */
	ck_assert_int_gt(st.update_failures, 5);	/* ... of many failed updates */
	ck_assert(!st.have_bound);		/* no bound to stand behind */
	faults = status(&r).faults;
	updates = status(&r).updates;

	r.fr.fail = 0;			/* it comes back */
	ck_assert_int_eq(run_until(&r, DISC_LOCKED, 10000), DISC_LOCKED);
	st = status(&r);
	ck_assert_int_eq(st.last_error, 0);
	ck_assert_int_gt(st.updates, updates);
	ck_assert_int_eq(st.faults, faults);	/* no new fault once it read again */
	rig_close(&r);
}
END_TEST

/* RMS offset over the last DISC_RMS_N updates, and the error bound */
START_TEST(test_rms_and_bound)
{
	struct rig r;
	struct discipline_status st;
	int64_t seen[DISC_RMS_N];
	uint64_t last;
	unsigned run = 0;
	double sum = 0;

	rig_open(&r, 3000, 0);
	ck_assert(!status(&r).have_rms);
	ck_assert_int_eq(run_until(&r, DISC_LOCKED, 3000), DISC_LOCKED);
	last = status(&r).updates;
	/* the offset of each update, 16 in a row (poll faster than 100 Hz) */
	for (int i = 0; i < 2000 && run < DISC_RMS_N; i++) {
		run_ms(&r, 1);
		st = status(&r);
		if (st.updates == last)
			continue;
		run = st.updates == last + 1 ? run + 1 : 0;
		last = st.updates;
		if (run)
			seen[run - 1] = st.offset_ns;
	}
	ck_assert_uint_eq(run, DISC_RMS_N);
	st = status(&r);
	ck_assert_uint_eq(st.updates, last);
	for (unsigned i = 0; i < DISC_RMS_N; i++)
		sum += (double)seen[i] * (double)seen[i];
	ck_assert(st.have_rms);
	ck_assert_uint_eq(st.rms_n, DISC_RMS_N);
	ck_assert_int_eq(st.rms_offset_ns, llround(sqrt(sum / DISC_RMS_N)));
	ck_assert(st.have_bound);
	ck_assert_int_ge(st.error_bound_ns, llabs(st.offset_ns) + 2 * st.rms_offset_ns);
	ck_assert_int_eq(st.last_good_utc_ns != 0, 1);
	ck_assert(!st.has_kernel_sync);		/* a PHC has none */
	rig_close(&r);
}
END_TEST

START_TEST(test_adjust_fault)
{
	struct rig r;
	struct discipline_status st;

	rig_open(&r, 20000, 0);
	r.ft.fail_adj = -EPERM;		/* the target refuses corrections */
	run_ms(&r, 200);
	st = status(&r);
	ck_assert_int_gt(st.update_failures, 5);	/* each update failed ... */
	ck_assert_int_eq(st.faults, 1);		/* ... in one outage */
	ck_assert_int_eq(st.updates, 0);
	ck_assert_int_eq(st.last_error, -EPERM);
	ck_assert_int_ne(st.state, DISC_LOCKED);
	r.ft.fail_adj = 0;		/* corrections work again */
	run_ms(&r, 300);
	st = status(&r);
	/* and it locks again: the servo knows its outputs were refused */
	ck_assert_int_eq(run_until(&r, DISC_LOCKED, 10000), DISC_LOCKED);
	ck_assert_int_eq(st.last_error, 0);
	ck_assert_int_gt(st.updates, 10);
	ck_assert_msg(llabs(st.offset_ns) < 20000, "offset %lld ns", (long long)st.offset_ns);
	rig_close(&r);
}
END_TEST

/* A clock 5 ppm fast by nature: the servo learns -5000 ppb, and that is
 * where the clock is left at exit (not a slew, not a stale value; within
 * 1.5 ppm: 100 Hz samples in real time on a shared machine). */
START_TEST(test_frequency_left_at_exit)
{
	struct rig r;

	rig_open(&r, 0, 5000);
	ck_assert_int_eq(run_until(&r, DISC_LOCKED, 10000), DISC_LOCKED);
	/* learn it: on a loaded machine (sanitizers, other builds) the real-time
	 * samples come late and the estimate takes longer than 1 s */
	for (int t = 0; t < 20000 && fabs(status(&r).freq_ppb + 5000) >= 500; t += 200)
		run_ms(&r, 200);
	run_ms(&r, 1000);
	discipline_destroy(r.d);
	r.d = NULL;
	ck_assert_msg(fabs(r.ft.freq_ppb + 5000) < 1500, "left at %.1f ppb, natural -5000",
		      r.ft.freq_ppb);
	rig_close(&r);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("discipline");
	TCase *tc = tcase_create("pipeline");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_locks_then_holdover_freerun_and_back);
	tcase_add_test(tc, test_adjust_fault);
	tcase_add_test(tc, test_rms_and_bound);
	tcase_add_test(tc, test_frequency_left_at_exit);
	suite_add_tcase(s, tc);
	return s;
}
