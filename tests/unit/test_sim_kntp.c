// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulator's model of the kernel NTP state (tests/sim/kntp.c):
 * validation, clamping, read-back, the leap-second state machine driven
 * second by second, maxerror, the rate of tick and frequency, and
 * ntp_clear() at a step.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "tests/sim/kntp.h"

Suite *unit_suite(void);

#define MIDNIGHT 1483228800LL	/* 2017-01-01T00:00:00Z */

static struct timex tx_of(int modes)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	tx.modes = modes;
	return tx;
}

START_TEST(validate)
{
	struct timex tx = tx_of(ADJ_TICK);

	tx.tick = 8999;
	ck_assert_int_eq(kntp_validate(&tx), -EINVAL);
	tx.tick = 11001;
	ck_assert_int_eq(kntp_validate(&tx), -EINVAL);
	tx.tick = 9000;
	ck_assert_int_eq(kntp_validate(&tx), 0);
	tx = tx_of(ADJ_SETOFFSET);
	tx.time.tv_usec = 1000000;
	ck_assert_int_eq(kntp_validate(&tx), -EINVAL);
	tx.modes |= ADJ_NANO;
	ck_assert_int_eq(kntp_validate(&tx), 0);
	tx.time.tv_usec = -1;
	ck_assert_int_eq(kntp_validate(&tx), -EINVAL);
	tx = tx_of(ADJ_SETOFFSET | ADJ_NANO);
	tx.time.tv_sec = -2;
	tx.time.tv_usec = 250000000;
	ck_assert_int_eq(kntp_setoffset_ns(&tx), -1750000000LL);
	tx = tx_of(ADJ_OFFSET_SS_READ);
	ck_assert_int_eq(kntp_validate(&tx), 0);
}
END_TEST

START_TEST(apply_and_read_back)
{
	struct kntp k;
	struct timex tx = tx_of(ADJ_FREQUENCY | ADJ_TICK | ADJ_TAI | ADJ_MAXERROR | ADJ_ESTERROR);
	long f;

	kntp_init(&k);
	tx.freq = 600L << 16;
	tx.tick = 10100;
	tx.constant = 37;
	tx.maxerror = 20000000;
	tx.esterror = -5;
	kntp_apply(&k, &tx);
	ck_assert_int_eq(kntp_fill(&k, &tx, 1500000000123456789LL), TIME_ERROR);	/* STA_UNSYNC */
	ck_assert_int_eq(tx.freq, 500L << 16);
	ck_assert_int_eq(tx.tick, 10100);
	ck_assert_int_eq(tx.tai, 37);
	ck_assert_int_eq(tx.maxerror, KNTP_PHASE_LIMIT);
	ck_assert_int_eq(tx.esterror, 0);
	ck_assert_int_eq(tx.time.tv_sec, 1500000000);
	ck_assert_int_eq(tx.time.tv_usec, 123456);
	ck_assert_double_eq_tol(kntp_rate(&k), 0.01 + 500e-6, 1e-15);
	for (f = -32768000; f <= 32768000; f += 4096001) {	/* exact round trip */
		tx = tx_of(ADJ_FREQUENCY);
		tx.freq = f;
		kntp_apply(&k, &tx);
		kntp_fill(&k, &tx, 0);
		ck_assert_int_eq(tx.freq, f);
	}
	tx = tx_of(ADJ_TAI);
	tx.constant = 100001;	/* out of range: ignored */
	kntp_apply(&k, &tx);
	ck_assert_int_eq(k.tai, 37);
	tx = tx_of(ADJ_STATUS | ADJ_NANO);
	tx.status = 0;
	kntp_apply(&k, &tx);
	ck_assert_int_eq(kntp_fill(&k, &tx, 1500000000123456789LL), TIME_OK);
	ck_assert_int_eq(tx.time.tv_usec, 123456789);
}
END_TEST

START_TEST(unsupported)
{
	struct kntp k;
	struct timex tx = tx_of(ADJ_OFFSET_SINGLESHOT);

	kntp_init(&k);
	ck_assert_ptr_null(kntp_unsupported(&k, &tx));	/* cancelling: fine */
	tx.offset = 100;
	ck_assert_ptr_nonnull(kntp_unsupported(&k, &tx));
	tx = tx_of(ADJ_OFFSET | ADJ_STATUS);
	tx.status = STA_PLL;
	ck_assert_ptr_null(kntp_unsupported(&k, &tx));	/* zeroing the PLL offset */
	tx.offset = 5;
	ck_assert_ptr_nonnull(kntp_unsupported(&k, &tx));
	tx.status = 0;
	ck_assert_ptr_null(kntp_unsupported(&k, &tx));	/* ignored without STA_PLL */
}
END_TEST

static void set_status(struct kntp *k, int status)
{
	struct timex tx = tx_of(ADJ_STATUS | ADJ_MAXERROR);

	tx.status = status;
	kntp_apply(k, &tx);
}

START_TEST(leap_insert)
{
	struct kntp k;
	int64_t s = MIDNIGHT - 100;

	kntp_init(&k);
	k.tai = 36;
	set_status(&k, STA_INS);
	ck_assert_int_eq(k.state, TIME_OK);	/* until the next second */
	ck_assert_int_eq(kntp_second_overflow(&k, s), 0);
	ck_assert_int_eq(k.state, TIME_INS);
	ck_assert_int_eq(k.next_leap_sec, MIDNIGHT);
	for (s++; s < MIDNIGHT; s++)
		ck_assert_int_eq(kntp_second_overflow(&k, s), 0);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT), -1);
	ck_assert_int_eq(k.state, TIME_OOP);
	ck_assert_int_eq(k.tai, 37);
	/* 23:59:59 again, then midnight for the second time */
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT), 0);
	ck_assert_int_eq(k.state, TIME_WAIT);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT + 1), 0);
	ck_assert_int_eq(k.state, TIME_WAIT);	/* STA_INS still set */
	set_status(&k, 0);
	kntp_second_overflow(&k, MIDNIGHT + 2);
	ck_assert_int_eq(k.state, TIME_OK);
}
END_TEST

START_TEST(leap_delete_and_cancel)
{
	struct kntp k;

	kntp_init(&k);
	k.tai = 36;
	set_status(&k, STA_DEL);
	kntp_second_overflow(&k, MIDNIGHT - 50);
	ck_assert_int_eq(k.state, TIME_DEL);
	ck_assert_int_eq(k.next_leap_sec, MIDNIGHT - 1);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT - 2), 0);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT - 1), 1);
	ck_assert_int_eq(k.state, TIME_WAIT);
	ck_assert_int_eq(k.tai, 35);
	/* armed, then cleared before midnight: back to TIME_OK, no leap */
	kntp_init(&k);
	set_status(&k, STA_INS);
	kntp_second_overflow(&k, MIDNIGHT - 10);
	set_status(&k, 0);
	kntp_second_overflow(&k, MIDNIGHT - 9);
	ck_assert_int_eq(k.state, TIME_OK);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT), 0);
	/* turning STA_PLL off resets the machine (the new status then applies) */
	set_status(&k, STA_PLL | STA_INS);
	kntp_second_overflow(&k, MIDNIGHT + 5);
	ck_assert_int_eq(k.state, TIME_INS);
	set_status(&k, STA_INS);
	ck_assert_int_eq(k.state, TIME_OK);
	ck_assert_int_eq(k.next_leap_sec, INT64_MAX);
}
END_TEST

/* ntp_clear(): what a step of CLOCK_REALTIME does to the NTP state. */
START_TEST(clear_at_step)
{
	struct kntp k;
	struct timex tx = tx_of(ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_FREQUENCY |
				ADJ_TICK | ADJ_TAI);

	kntp_init(&k);
	tx.status = STA_INS | STA_PLL;
	tx.maxerror = 100;
	tx.esterror = 10;
	tx.freq = -7 * 65536;
	tx.tick = 9990;
	tx.constant = 36;	/* ADJ_TAI */
	kntp_apply(&k, &tx);
	kntp_second_overflow(&k, MIDNIGHT - 10);
	ck_assert_int_eq(k.state, TIME_INS);
	kntp_clear(&k);
	ck_assert_int_eq(k.status, STA_INS | STA_PLL | STA_UNSYNC);
	ck_assert_int_eq(k.maxerror, KNTP_PHASE_LIMIT);
	ck_assert_int_eq(k.esterror, KNTP_PHASE_LIMIT);
	ck_assert_int_eq(k.freq, -7 * 65536);
	ck_assert_int_eq(k.tick, 9990);
	ck_assert_int_eq(k.tai, 36);
	/* the state stays, the leap's second is forgotten: no leap at midnight */
	ck_assert_int_eq(k.state, TIME_INS);
	ck_assert_int_eq(k.next_leap_sec, INT64_MAX);
	tx = tx_of(0);
	ck_assert_int_eq(kntp_fill(&k, &tx, MIDNIGHT * 1000000000LL), TIME_ERROR);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT), 0);
	ck_assert_int_eq(k.state, TIME_INS);
	ck_assert_int_eq(k.tai, 36);
	/* cleared over a second boundary and set again: armed for next midnight */
	set_status(&k, STA_PLL);
	kntp_second_overflow(&k, MIDNIGHT + 1);
	ck_assert_int_eq(k.state, TIME_OK);
	set_status(&k, STA_PLL | STA_INS);
	kntp_second_overflow(&k, MIDNIGHT + 2);
	ck_assert_int_eq(k.state, TIME_INS);
	ck_assert_int_eq(k.next_leap_sec, MIDNIGHT + 86400);
	/* deleted leap: the same */
	kntp_init(&k);
	set_status(&k, STA_DEL);
	kntp_second_overflow(&k, MIDNIGHT - 10);
	kntp_clear(&k);
	ck_assert_int_eq(kntp_second_overflow(&k, MIDNIGHT - 1), 0);
	ck_assert_int_eq(k.state, TIME_DEL);
}
END_TEST

START_TEST(maxerror_grows)
{
	struct kntp k;
	int i;

	kntp_init(&k);
	k.status = 0;
	k.maxerror = 15998000;
	for (i = 1; i <= 4; i++)
		kntp_second_overflow(&k, 1000 + i);
	ck_assert_int_eq(k.maxerror, 16000000);
	ck_assert_int_eq(k.status, 0);
	kntp_second_overflow(&k, 1005);
	ck_assert_int_eq(k.maxerror, KNTP_PHASE_LIMIT);
	ck_assert(k.status & STA_UNSYNC);
	ck_assert_str_eq(kntp_state_name(TIME_OOP), "TIME_OOP");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sim_kntp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, validate);
	tcase_add_test(tc, apply_and_read_back);
	tcase_add_test(tc, unsupported);
	tcase_add_test(tc, leap_insert);
	tcase_add_test(tc, leap_delete_and_cancel);
	tcase_add_test(tc, maxerror_grows);
	tcase_add_test(tc, clear_at_step);
	suite_add_tcase(s, tc);
	return s;
}
