/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for servo/: parameters, steps, cap, feed-forward, reset and
 * stepped, states, names, and convergence of PI and linreg on a simple
 * synthetic clock. Closed-loop recovery figures are in test_servo_loop.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "servo/servo.h"

#define NS 1000000000LL

static struct servo_params params(enum servo_type t)
{
	return (struct servo_params){
		.type = t,
		.max_freq_ppb = 1e8,
		.interval_s = 1.0,
	};
}

/* A noiseless clock: offset moves at (nat + freq) ppb between samples. */
struct clk {
	double off_ns, nat_ppb, freq_ppb;
	int64_t local_ns;
	enum servo_state state;		/* of the last output */
};

static void feed(struct servo *s, struct clk *c, struct servo_out *o)
{
	double dt;

	servo_sample(s, llround(c->off_ns), c->local_ns, o);
	if (o->action == SERVO_STEP)
		c->off_ns += (double)o->step_ns;
	if (o->action != SERVO_NONE)
		c->freq_ppb = o->freq_ppb;
	c->state = o->state;
	dt = o->next_interval_s > 0 ? o->next_interval_s : 1.0;
	c->off_ns += (c->nat_ppb + c->freq_ppb) * dt;
	c->local_ns += llround(dt * 1e9);
}

START_TEST(test_bad_params)
{
	struct servo_params p = params(SERVO_PI);
	struct servo *s;

	ck_assert_ptr_null(servo_create(NULL, 0));
	p.type = (enum servo_type)7;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.max_freq_ppb = 0;
	ck_assert_ptr_null(servo_create(&p, 0));
	p.max_freq_ppb = -5;
	ck_assert_ptr_null(servo_create(&p, 0));
	p.max_freq_ppb = NAN;
	ck_assert_ptr_null(servo_create(&p, 0));
	p.max_freq_ppb = 2e9;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_KALMAN);
	p.interval_s = 0;
	ck_assert_ptr_null(servo_create(&p, 0));
	p.interval_s = NAN;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.step_threshold_ns = -1;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.first_step_threshold_ns = -1;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.lock_threshold_ns = -1;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.pi_kp = -0.1;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	p.pi_ki = NAN;
	ck_assert_ptr_null(servo_create(&p, 0));
	p = params(SERVO_PI);
	ck_assert_ptr_null(servo_create(&p, NAN));
	s = servo_create(&p, 0);
	ck_assert_ptr_nonnull(s);
	servo_destroy(s);
	servo_destroy(NULL);
}
END_TEST

START_TEST(test_first_step)
{
	struct servo_params p = params(SERVO_PI);
	struct servo_out o;
	struct servo *s;

	p.first_step_threshold_ns = 1000000;
	s = servo_create(&p, 0);
	servo_sample(s, 2000000, 0, &o);
	ck_assert_int_eq(o.action, SERVO_STEP);
	ck_assert_int_eq(o.step_ns, -2000000);
	/* Later samples never step: step_threshold is 0. */
	servo_sample(s, 5 * NS, NS, &o);
	ck_assert_int_ne(o.action, SERVO_STEP);
	ck_assert(o.slewing);
	servo_destroy(s);

	/* Under the threshold: no step, and only the first sample counts. */
	s = servo_create(&p, 0);
	servo_sample(s, 999999, 0, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_sample(s, 2000000, NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_destroy(s);

	/* Negative offsets step too, by +|offset|. */
	s = servo_create(&p, 0);
	servo_sample(s, -3000000, 0, &o);
	ck_assert_int_eq(o.action, SERVO_STEP);
	ck_assert_int_eq(o.step_ns, 3000000);
	servo_destroy(s);
}
END_TEST

START_TEST(test_later_step)
{
	struct servo_params p = params(SERVO_KALMAN);
	struct servo_out o;
	struct servo *s;

	p.step_threshold_ns = 1000000;
	s = servo_create(&p, 0);
	/* The first sample is judged by first_step_threshold (0: never). */
	servo_sample(s, 5000000, 0, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_sample(s, 10, NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_sample(s, -5000000, 2 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_STEP);
	ck_assert_int_eq(o.step_ns, 5000000);
	ck_assert_int_ne(o.state, SERVO_LOCKED);
	servo_sample(s, 1000000, 3 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_destroy(s);
}
END_TEST

START_TEST(test_never_step)
{
	struct servo_params p = params(SERVO_PI);
	struct servo_out o;
	struct servo *s = servo_create(&p, 0);
	int i;

	for (i = 0; i < 5; i++) {
		servo_sample(s, 100 * NS, i * NS, &o);
		ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
		ck_assert(o.slewing);
		ck_assert_int_eq(o.state, SERVO_LOCKING);
	}
	servo_destroy(s);
}
END_TEST

START_TEST(test_cap)
{
	struct servo_params p = params(SERVO_PI);
	struct servo_out o;
	struct servo *s;

	p.max_freq_ppb = 1e5;
	s = servo_create(&p, 0);
	servo_sample(s, NS, 0, &o);
	ck_assert(o.at_cap);
	ck_assert(o.freq_ppb == -1e5);
	ck_assert(o.slew_left_s > 9000);
	servo_destroy(s);

	s = servo_create(&p, 0);
	servo_sample(s, -NS, 0, &o);
	ck_assert(o.at_cap);
	ck_assert(o.freq_ppb == 1e5);
	servo_set_max_freq(s, 5e4);
	servo_set_max_freq(s, -1);	/* ignored */
	servo_set_max_freq(s, NAN);	/* ignored */
	servo_set_max_freq(s, 2e5);	/* ignored: beyond max_adj */
	servo_destroy(s);
	s = servo_create(&p, 0);
	servo_set_max_freq(s, 5e4);
	servo_sample(s, -NS, 0, &o);
	ck_assert(o.freq_ppb == 5e4);
	servo_destroy(s);

	/* The cap is around the natural frequency: a clock known 20 ppm
	 * fast slews at 20 ppm below +-cap, the total within max_adj. */
	p.max_adj_ppb = 1e8;
	s = servo_create(&p, -20000);
	servo_sample(s, 0, 0, &o);
	servo_sample(s, 0, NS, &o);	/* PI: hold measured (offset steady) */
	servo_sample(s, NS, 2 * NS, &o);
	ck_assert(o.at_cap);
	ck_assert_msg(fabs(o.freq_ppb - (-20000 - 1e5)) < 1, "freq %.3f", o.freq_ppb);
	servo_destroy(s);
	p.max_adj_ppb = 0;

	/* A small offset is not at the cap. */
	s = servo_create(&p, 0);
	servo_sample(s, 100, 0, &o);
	ck_assert(!o.at_cap);
	ck_assert(!o.slewing);
	servo_destroy(s);

	/* The initial frequency is clamped to the cap and held at first. */
	s = servo_create(&p, 3e5);
	servo_sample(s, 0, 0, &o);
	ck_assert(o.freq_ppb == 1e5);
	servo_destroy(s);
	s = servo_create(&p, -12345);
	servo_sample(s, 0, 0, &o);
	ck_assert(o.freq_ppb == -12345);
	servo_destroy(s);
}
END_TEST

START_TEST(test_feedforward)
{
	struct servo_params p = params(SERVO_PI);
	struct servo *a = servo_create(&p, 0), *b = servo_create(&p, 0);
	struct servo_out oa, ob;
	int i;

	servo_set_feedforward(b, 11574.0);
	servo_set_feedforward(b, NAN);	/* ignored */
	for (i = 0; i < 20; i++) {
		int64_t off = 300 - 17 * i;

		servo_sample(a, off, i * NS, &oa);
		servo_sample(b, off, i * NS, &ob);
		ck_assert_double_eq_tol(ob.freq_ppb - oa.freq_ppb, 11574.0, 1e-6);
	}
	servo_destroy(a);
	servo_destroy(b);

	/* The cap is a rate against the target, which moves at the
	 * feed-forward: slewing at the cap, the total is ff - cap; the
	 * clock's own limit (max_adj, here the cap) bounds the total. */
	p.max_freq_ppb = 1e5;
	a = servo_create(&p, 0);
	servo_set_feedforward(a, 4e4);
	servo_sample(a, NS, 0, &oa);
	ck_assert(oa.freq_ppb == -6e4);
	servo_destroy(a);
	a = servo_create(&p, 0);
	servo_set_feedforward(a, 4e4);
	servo_sample(a, -NS, 0, &oa);
	ck_assert(oa.freq_ppb == 1e5);
	servo_destroy(a);
}
END_TEST

/* Converge on a 20 ppm clock; returns the servo for more checks. */
static struct servo *converge(enum servo_type t, double nat, struct clk *c, int n)
{
	struct servo_params p = params(t);
	struct servo *s = servo_create(&p, 0);
	struct servo_out o;
	int i;

	*c = (struct clk){ .off_ns = 3000, .nat_ppb = nat };
	for (i = 0; i < n; i++)
		feed(s, c, &o);
	return s;
}

START_TEST(test_converge)
{
	enum servo_type t = _i ? SERVO_KALMAN : SERVO_PI;
	struct clk c;
	struct servo *s = converge(t, 20000, &c, 200);

	ck_assert_msg(fabs(c.off_ns) < 5, "%s: offset %.1f ns", servo_type_name(t), c.off_ns);
	ck_assert_msg(fabs(c.freq_ppb + 20000) < 1, "%s: freq %.3f ppb",
		      servo_type_name(t), c.freq_ppb);
	ck_assert_int_eq(c.state, SERVO_LOCKED);
	servo_destroy(s);

	s = converge(t, -35000, &c, 200);
	ck_assert(fabs(c.off_ns) < 5);
	ck_assert(fabs(c.freq_ppb - 35000) < 1);
	servo_destroy(s);
}
END_TEST

START_TEST(test_states)
{
	struct servo_params p = params(_i ? SERVO_KALMAN : SERVO_PI);
	struct servo *s = servo_create(&p, 0);
	struct clk c = { .off_ns = 200, .nat_ppb = 20000 };
	struct servo_out o;
	int i;

	feed(s, &c, &o);
	ck_assert_int_eq(o.state, SERVO_UNLOCKED);
	for (i = 0; i < 60 && o.state != SERVO_LOCKED; i++) {
		feed(s, &c, &o);
		ck_assert_int_ne(o.state, SERVO_UNLOCKED);
	}
	ck_assert_int_eq(o.state, SERVO_LOCKED);
	/* A 1 ms jump: the planner takes it, LOCKING at once. */
	c.off_ns += 1e6;
	feed(s, &c, &o);
	ck_assert_int_eq(o.state, SERVO_LOCKING);
	ck_assert(o.slewing);
	ck_assert(o.next_interval_s > 0);
	for (i = 0; i < 30 && o.state != SERVO_LOCKED; i++)
		feed(s, &c, &o);
	ck_assert_int_eq(o.state, SERVO_LOCKED);
	ck_assert(fabs(c.off_ns) < 10);
	servo_destroy(s);
}
END_TEST

/* A foreign step between two samples must not fool the two-point
 * frequency estimate. */
START_TEST(test_stepped_foreign)
{
	struct servo_params p = params(_i ? SERVO_KALMAN : SERVO_PI);
	struct servo *s = servo_create(&p, 0);
	struct servo_out o;

	servo_sample(s, 10000, 0, &o);
	/* Someone steps the clock by -10 us; no natural error: offset 0. */
	servo_stepped(s, -10000);
	servo_sample(s, 0, NS, &o);
	ck_assert_msg(fabs(o.freq_ppb) < 1, "freq %.1f", o.freq_ppb);
	servo_stepped(NULL, 5);
	servo_destroy(s);
}
END_TEST

/* The servo's own step is accounted by the servo: nobody reports it back. */
START_TEST(test_stepped_own)
{
	struct servo_params p = params(_i ? SERVO_KALMAN : SERVO_PI);
	struct servo *s;
	struct servo_out o;

	p.first_step_threshold_ns = 1000000;
	s = servo_create(&p, 0);
	servo_sample(s, 2000000, 0, &o);
	ck_assert_int_eq(o.action, SERVO_STEP);
	/* Natural error +2 ppm: 2 us later the two-point estimate says
	 * hold = -2000, and both servos remove the 2 us within the next
	 * interval: -4000. (A step re-based twice would make it -2e6.) */
	servo_sample(s, 2000, NS, &o);
	ck_assert(!o.slewing);
	ck_assert_msg(fabs(o.freq_ppb + 4000) < 1, "freq %.1f", o.freq_ppb);
	servo_destroy(s);
}
END_TEST

START_TEST(test_time_must_advance)
{
	struct servo_params p = params(SERVO_PI);
	struct servo *s = servo_create(&p, 500);
	struct servo_out o;

	servo_sample(s, 100, 5 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_sample(s, 100, 5 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_NONE);
	ck_assert(o.freq_ppb == 500);
	servo_sample(s, 100, 4 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_NONE);
	servo_sample(NULL, 100, 6 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_NONE);
	servo_sample(s, 100, 6 * NS, NULL);
	servo_destroy(s);
}
END_TEST

/* local_follows_clock: a reference that jumps (no rate can explain the
 * offset change) must not stall the time base; the planner takes it. */
START_TEST(test_follows_jump)
{
	struct servo_params p = params(_i ? SERVO_KALMAN : SERVO_PI);
	struct servo *s;
	struct servo_out o;
	int i;

	p.local_follows_clock = true;
	s = servo_create(&p, 0);
	for (i = 0; i < 5; i++)
		servo_sample(s, 0, i * NS, &o);
	servo_sample(s, 5 * NS, 5 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	ck_assert(o.slewing);
	servo_sample(s, -5 * NS, 6 * NS, &o);
	ck_assert_int_eq(o.action, SERVO_ADJ_FREQ);
	servo_destroy(s);
}
END_TEST

/* A locked clock is set 1 s off at once (someone called settimeofday): the
 * servo steps it back and keeps its frequency; re-basing its history would
 * read the jump as a slope and swing the clock by a large part of it. */
START_TEST(test_step_after_jump)
{
	enum servo_type t = _i ? SERVO_KALMAN : SERVO_PI;
	struct servo_params p = params(t);
	struct servo_out o;
	struct servo *s;
	struct clk c = { .off_ns = 3000, .nat_ppb = 20000 };
	double worst = 0;
	int i;

	p.step_threshold_ns = 500000000;
	s = servo_create(&p, 0);
	for (i = 0; i < 100; i++)
		feed(s, &c, &o);
	ck_assert_int_eq(o.state, SERVO_LOCKED);
	c.off_ns += 1e9;
	feed(s, &c, &o);
	ck_assert_int_eq(o.action, SERVO_STEP);
	ck_assert_msg(fabs(o.freq_ppb + 20000) < 10, "%s: freq after the step %.1f ppb",
		      servo_type_name(t), o.freq_ppb);
	for (i = 0; i < 30; i++) {
		feed(s, &c, &o);
		if (fabs(c.off_ns) > worst)
			worst = fabs(c.off_ns);
	}
	ck_assert_msg(worst < 100, "%s: %.1f ns off after the step", servo_type_name(t), worst);
	servo_destroy(s);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(servo_type_name(SERVO_PI), "pi");
	ck_assert_str_eq(servo_type_name(SERVO_KALMAN), "kalman");
	ck_assert_str_eq(servo_type_name((enum servo_type)9), "unknown");
	ck_assert_str_eq(servo_state_name(SERVO_UNLOCKED), "unlocked");
	ck_assert_str_eq(servo_state_name(SERVO_LOCKING), "locking");
	ck_assert_str_eq(servo_state_name(SERVO_LOCKED), "locked");
	ck_assert_str_eq(servo_state_name((enum servo_state)9), "unknown");
}
END_TEST

/* Slew bookkeeping: slew_left_s shrinks; the planner asks for samples. */
START_TEST(test_slew_outputs)
{
	struct servo_params p = params(SERVO_PI);
	struct servo *s = servo_create(&p, 0);
	struct clk c = { .off_ns = 5e8 };
	struct servo_out o;
	double left = 1e9;
	int i, asked = 0;

	for (i = 0; i < 12; i++) {
		feed(s, &c, &o);
		if (!o.slewing)
			break;
		ck_assert(o.slew_left_s < left);
		ck_assert(o.next_interval_s > 0 && o.next_interval_s <= 1.0);
		asked += o.next_interval_s < 1.0;
		left = o.slew_left_s;
	}
	ck_assert(!o.slewing);
	ck_assert(asked >= 2);
	ck_assert(o.slew_left_s == 0);
	ck_assert(fabs(c.off_ns) < 10);
	servo_destroy(s);
}
END_TEST

/* Mid-slew, the natural-frequency estimate is the hold, not the cap. */
START_TEST(test_natural_midslew)
{
	/* 1000 ppm: the clock model here adds rates, the planner's multiplies
	 * them (servo_priv.h), 0.1 % apart at this cap */
	struct servo_params p = { .type = _i ? SERVO_KALMAN : SERVO_PI,
				  .max_freq_ppb = 1e6, .interval_s = 1.0 };
	struct servo *s = servo_create(&p, 1234);
	struct clk c = { .off_ns = 1e9, .nat_ppb = 20000 };
	struct servo_out o;
	double nat;
	int i;

	ck_assert(!servo_natural_freq(s, &nat));
	ck_assert(nat == 1234);
	for (i = 0; i < 4; i++)
		feed(s, &c, &o);
	ck_assert(o.slewing && o.at_cap);
	ck_assert(servo_natural_freq(s, &nat));
	ck_assert_msg(fabs(nat + 20000) < 50, "natural %.3f ppb", nat);
	/* a smear's feed-forward is no part of it */
	servo_set_feedforward(s, 11574);
	feed(s, &c, &o);
	ck_assert(servo_natural_freq(s, &nat));
	ck_assert_msg(fabs(nat + 20000) < 50, "natural %.3f ppb with ff", nat);
	servo_destroy(s);
}
END_TEST

Suite *unit_suite(void);

Suite *unit_suite(void)
{
	Suite *s = suite_create("servo");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bad_params);
	tcase_add_test(tc, test_first_step);
	tcase_add_test(tc, test_later_step);
	tcase_add_test(tc, test_never_step);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_feedforward);
	tcase_add_loop_test(tc, test_converge, 0, 2);
	tcase_add_loop_test(tc, test_states, 0, 2);
	tcase_add_loop_test(tc, test_stepped_foreign, 0, 2);
	tcase_add_loop_test(tc, test_stepped_own, 0, 2);
	tcase_add_test(tc, test_time_must_advance);
	tcase_add_loop_test(tc, test_follows_jump, 0, 2);
	tcase_add_loop_test(tc, test_step_after_jump, 0, 2);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_slew_outputs);
	tcase_add_loop_test(tc, test_natural_midslew, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
