/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the recovery history file (daemon/record/history.c): UTC
 * formatting, the JSON schema, writing and reading back in a temp dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/record/history.h"
#include "daemon/safefile.h"

static const struct recfile_conf hsync = { .owner = SAFEFILE_SELF, .sync = true };

Suite *unit_suite(void);

#define S	1000000000LL

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/gnomon-hist-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/recovery.jsonl", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void sample_report(struct recovery_report *r, int i)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECOVERY_LEAP;
	strcpy(r->clock, "CLOCK_REALTIME");
	r->event_mono_ns = 1000 * S + i;
	r->event_utc_ns = 1795482123456789000LL + i * S;	/* 2026-11-24T01:02:03.456789Z */
	r->offset_at_event_ns = 1000000000;
	r->offset_known = true;
	r->peak_ns = 1000000000;
	r->overshoot_ns = 12 + i;
	r->cap_ppb = 1e8;
	r->limit_s = 10.0;
	r->recovery_s = 10.8;
	r->ratio = 1.08;
	r->elapsed_s = 20.8;
	r->threshold_ns = 1000;
	r->hold_s = 10;
	r->recovered = true;
}

static void expect_utc(int64_t ns, int digits, const char *want)
{
	char buf[HISTORY_UTC_MAX];
	int n = history_format_utc(ns, digits, buf, sizeof(buf));

	ck_assert_int_eq(n, (int)strlen(want));
	ck_assert_str_eq(buf, want);
}

START_TEST(utc_known_values)
{
	expect_utc(0, 3, "1970-01-01T00:00:00.000Z");
	expect_utc(1795482123456789012LL, 3, "2026-11-24T01:02:03.456Z");
	expect_utc(1795482123456789012LL, 6, "2026-11-24T01:02:03.456789Z");
	expect_utc(1795482123456789012LL, 9, "2026-11-24T01:02:03.456789012Z");
	expect_utc(1795482123456789012LL, 0, "2026-11-24T01:02:03Z");
	/* Around the leap second at the end of 2016: truncated, never
	 * rounded into the next day. */
	expect_utc(1483228799 * S + 999999999, 3, "2016-12-31T23:59:59.999Z");
	expect_utc(1483228799 * S + 999999999, 9, "2016-12-31T23:59:59.999999999Z");
	expect_utc(1483228800 * S, 3, "2017-01-01T00:00:00.000Z");
	expect_utc(1435708799 * S + 500000000, 3, "2015-06-30T23:59:59.500Z");
	expect_utc(1435708800 * S, 0, "2015-07-01T00:00:00Z");
	/* Leap years: 2024 and 2000 are, 2100 is not. */
	expect_utc(1709208000 * S, 0, "2024-02-29T12:00:00Z");
	expect_utc(951868799 * S, 0, "2000-02-29T23:59:59Z");
	expect_utc(4107542400 * S, 0, "2100-03-01T00:00:00Z");
	expect_utc(4107542400 * S - 1, 0, "2100-02-28T23:59:59Z");
	expect_utc(INT64_MAX, 9, "2262-04-11T23:47:16.854775807Z");
}
END_TEST

START_TEST(utc_refusals)
{
	char buf[HISTORY_UTC_MAX];

	ck_assert_int_eq(history_format_utc(-1, 3, buf, sizeof(buf)), -ERANGE);
	ck_assert_int_eq(history_format_utc(INT64_MIN, 3, buf, sizeof(buf)), -ERANGE);
	ck_assert_int_eq(history_format_utc(-86400 * S, 0, buf, sizeof(buf)), -ERANGE);
	ck_assert_int_eq(history_format_utc(0, -1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(history_format_utc(0, 10, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(history_format_utc(0, 3, buf, 24), -ENOSPC);
	ck_assert_int_eq(history_format_utc(0, 3, buf, 25), 24);
}
END_TEST

/* Property: agrees with gmtime_r on seeded random times up to 2200. */
START_TEST(utc_matches_gmtime)
{
	char buf[HISTORY_UTC_MAX], want[64];
	unsigned seed = 12345;
	struct tm tm;
	time_t secs;
	int64_t ns;
	int i;

	for (i = 0; i < 20000; i++) {
		secs = (time_t)(((uint64_t)rand_r(&seed) << 16 ^ (uint64_t)rand_r(&seed)) %
				7258118400ULL);
		ns = (int64_t)secs * S + rand_r(&seed) % S;
		ck_assert_ptr_nonnull(gmtime_r(&secs, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, (long long)(ns % S));
		ck_assert_int_gt(history_format_utc(ns, 9, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, want);
	}
}
END_TEST

START_TEST(json_schema_exact)
{
	struct recovery_report r;
	struct json_object *o;
	const char *want =
		"{\"schema\":\"gnomon.recovery.v1\",\"time_utc\":\"2026-11-24T01:02:03.456Z\","
		"\"clock\":\"CLOCK_REALTIME\",\"event\":\"leap\",\"offset_at_event_ns\":1000000000,"
		"\"peak_ns\":1000000000,\"overshoot_ns\":12,\"limit_s\":10.0,\"recovery_s\":10.8,"
		"\"ratio\":1.08,\"threshold_ns\":1000,\"hold_s\":10.0,\"recovered\":true,"
		"\"superseded\":false,\"cap_ppb\":100000000.0,\"elapsed_s\":20.8,"
		"\"event_utc_ns\":1795482123456789000,\"event_mono_ns\":1000000000000}";

	sample_report(&r, 0);
	o = history_report_to_json(&r);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), want);
	json_object_put(o);

	/* Absent values are null. */
	r.recovered = false;
	r.superseded = true;
	r.recovery_s = NAN;
	r.ratio = NAN;
	r.offset_known = false;
	o = history_report_to_json(&r);
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		"\"offset_at_event_ns\":null,"));
	ck_assert_ptr_nonnull(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		"\"recovery_s\":null,\"ratio\":null,"));
	json_object_put(o);

	r.event_utc_ns = -1;
	ck_assert_ptr_null(history_report_to_json(&r));
}
END_TEST

START_TEST(json_round_trip_and_rejects)
{
	struct recovery_report r, back;
	struct json_object *o, *bad;

	sample_report(&r, 3);
	r.kind = RECOVERY_FAULT_CLEARED;
	r.recovery_s = 0.123456;
	o = history_report_to_json(&r);
	ck_assert_int_eq(history_report_from_json(o, &back), 0);
	ck_assert_int_eq(back.kind, RECOVERY_FAULT_CLEARED);
	ck_assert_str_eq(back.clock, r.clock);
	ck_assert_int_eq(back.event_utc_ns, r.event_utc_ns);
	ck_assert_int_eq(back.event_mono_ns, r.event_mono_ns);
	ck_assert_int_eq(back.offset_at_event_ns, r.offset_at_event_ns);
	ck_assert(back.offset_known && back.recovered && !back.superseded);
	ck_assert_int_eq(back.overshoot_ns, 15);
	ck_assert_double_eq_tol(back.recovery_s, 0.123456, 1e-12);
	ck_assert_double_eq_tol(back.ratio, 1.08, 1e-12);
	ck_assert_double_eq(back.cap_ppb, 1e8);

	bad = json_tokener_parse(json_object_to_json_string(o));
	json_object_object_add(bad, "schema", json_object_new_string("gnomon.recovery.v2"));
	ck_assert_int_eq(history_report_from_json(bad, &back), -EINVAL);
	json_object_put(bad);
	bad = json_tokener_parse(json_object_to_json_string(o));
	json_object_object_del(bad, "peak_ns");
	ck_assert_int_eq(history_report_from_json(bad, &back), -EINVAL);
	json_object_put(bad);
	bad = json_tokener_parse(json_object_to_json_string(o));
	json_object_object_add(bad, "recovered", json_object_new_string("yes"));
	ck_assert_int_eq(history_report_from_json(bad, &back), -EINVAL);
	json_object_put(bad);
	bad = json_tokener_parse(json_object_to_json_string(o));
	json_object_object_add(bad, "event", json_object_new_string("earthquake"));
	ck_assert_int_eq(history_report_from_json(bad, &back), -EINVAL);
	json_object_put(bad);
	ck_assert_int_eq(history_report_from_json(NULL, &back), -EINVAL);
	json_object_put(o);
}
END_TEST

static void append_n(int from, int to)
{
	struct recovery_report r;
	struct history *h;
	int err = 1, i;

	h = history_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(err, 0);
	for (i = from; i < to; i++) {
		sample_report(&r, i);
		ck_assert_int_eq(history_append(h, &r), 0);
	}
	history_close(h);
}

static int64_t overshoot_at(struct json_object *arr, size_t i)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(json_object_array_get_idx(arr, i),
					    "overshoot_ns", &v));
	return json_object_get_int64(v);
}

START_TEST(write_and_read_back)
{
	struct json_object *arr;
	struct stat st;
	size_t skipped = 99;
	mode_t old = umask(077);

	append_n(0, 3);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	append_n(3, 5);	/* reopen appends */

	ck_assert_int_eq(history_read_last(path, 2, &arr, &skipped), 0);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_uint_eq(json_object_array_length(arr), 2);
	ck_assert_int_eq(overshoot_at(arr, 0), 15);
	ck_assert_int_eq(overshoot_at(arr, 1), 16);
	json_object_put(arr);
	ck_assert_int_eq(history_read_last(path, 100, &arr, NULL), 0);
	ck_assert_uint_eq(json_object_array_length(arr), 5);
	ck_assert_int_eq(overshoot_at(arr, 0), 12);
	json_object_put(arr);
	ck_assert_int_eq(history_read_last(path, 0, &arr, NULL), 0);
	ck_assert_uint_eq(json_object_array_length(arr), 0);
	json_object_put(arr);
}
END_TEST

static void append_raw(const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

START_TEST(torn_and_garbage_lines)
{
	struct json_object *arr;
	size_t skipped;

	append_n(0, 2);
	append_raw("not json at all\n\n{\"schema\":\"other\"}\n");
	append_n(2, 3);
	append_raw("{\"schema\":\"gnomon.recovery.v1\",\"time_utc\":\"2026-");
	ck_assert_int_eq(history_read_last(path, 10, &arr, &skipped), 0);
	ck_assert_uint_eq(json_object_array_length(arr), 3);
	ck_assert_uint_eq(skipped, 3);	/* garbage, other schema, torn tail */
	ck_assert_int_eq(overshoot_at(arr, 2), 14);
	json_object_put(arr);

	/* The next writer ends the torn line first: only it is lost. */
	append_n(3, 4);
	ck_assert_int_eq(history_read_last(path, 2, &arr, &skipped), 0);
	ck_assert_uint_eq(json_object_array_length(arr), 2);
	ck_assert_int_eq(overshoot_at(arr, 0), 14);
	ck_assert_int_eq(overshoot_at(arr, 1), 15);
	ck_assert_uint_eq(skipped, 1);
	json_object_put(arr);
}
END_TEST

/* More than one read chunk (64 KiB): the tail reader grows its window. */
START_TEST(read_tail_of_large_file)
{
	struct json_object *arr;

	append_n(0, 400);
	ck_assert_int_eq(history_read_last(path, 300, &arr, NULL), 0);
	ck_assert_uint_eq(json_object_array_length(arr), 300);
	ck_assert_int_eq(overshoot_at(arr, 0), 12 + 100);
	ck_assert_int_eq(overshoot_at(arr, 299), 12 + 399);
	json_object_put(arr);
}
END_TEST

START_TEST(open_errors)
{
	struct recovery_report r;
	struct json_object *arr;
	struct history *h;
	char p[256];
	int err = 0;

	snprintf(p, sizeof(p), "%s/no/such/dir/h.jsonl", dir);
	ck_assert_ptr_null(history_open(p, NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_ptr_null(history_open(dir, NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -EISDIR);
	ck_assert_ptr_null(history_open("", NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -EINVAL);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	ck_assert_ptr_null(history_open(p, &hsync, &err, NULL, 0));
	ck_assert_int_eq(err, -EINVAL);
	unlink(p);
	ck_assert_int_eq(history_read_last(path, 5, &arr, NULL), -ENOENT);
	ck_assert_ptr_null(arr);
	ck_assert_int_eq(history_read_last(dir, 5, &arr, NULL), -EINVAL);

	h = history_open(path, &hsync, &err, NULL, 0);
	ck_assert_ptr_nonnull(h);
	sample_report(&r, 0);
	r.event_utc_ns = -5;
	ck_assert_int_eq(history_append(h, &r), -ERANGE);
	history_close(h);
	history_close(NULL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, utc_known_values);
	tcase_add_test(tc, utc_refusals);
	tcase_add_test(tc, utc_matches_gmtime);
	tcase_add_test(tc, json_schema_exact);
	tcase_add_test(tc, json_round_trip_and_rejects);
	tcase_add_test(tc, write_and_read_back);
	tcase_add_test(tc, torn_and_garbage_lines);
	tcase_add_test(tc, read_tail_of_large_file);
	tcase_add_test(tc, open_errors);
	suite_add_tcase(s, tc);
	return s;
}
