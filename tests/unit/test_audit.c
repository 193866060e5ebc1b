/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the audit trail writer (daemon/record/audit.c): lines exactly as
 * documented in doc/audit.md, escaping, errors. Writes in a temp dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/record/audit.h"
#include "daemon/safefile.h"

Suite *unit_suite(void);

#define T0	1795482123456789000LL	/* 2026-11-24T01:02:03.456789Z */
#define TS	"2026-11-24T01:02:03.456789Z"

static char dir[64];
static char path[128];
static struct audit *a;

static void setup(void)
{
	int err = 1;

	strcpy(dir, "/tmp/gnomon-audit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	a = audit_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(err, 0);
}

static void teardown(void)
{
	audit_close(a);
	unlink(path);
	rmdir(dir);
}

/* The whole file. */
static char *slurp(void)
{
	static char buf[200000];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* audit_write() with the pairs given inline. */
#define W(clk, action, ...)							\
	({ const struct audit_kv kv_[] = { __VA_ARGS__ };			\
	   audit_write(a, T0, (clk), (action), kv_, sizeof(kv_) / sizeof(kv_[0])); })

START_TEST(documented_example)
{
	struct stat st;

	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_STEP, AKV_INT("delta_ns", -1000000000),
			   AKV_STR("reason", "leap_policy_step")), 0);
	ck_assert_str_eq(slurp(),
		TS " CLOCK_REALTIME step delta_ns=-1000000000 reason=leap_policy_step\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
}
END_TEST

START_TEST(every_action_line)
{
	const char *want =
		TS " CLOCK_REALTIME start source=/dev/ptp0 policy=smear cap_ppb=100000000\n"
		TS " CLOCK_REALTIME leap_policy policy=smear preset=google window_s=86400 shape=linear\n"
		TS " CLOCK_REALTIME leap_armed type=insert date=2026-12-31\n"
		TS " CLOCK_REALTIME leap_applied type=insert tai_utc_s=38\n"
		TS " CLOCK_REALTIME freq_slew_start offset_ns=1000000000 cap_ppb=100000000\n"
		TS " CLOCK_REALTIME cap_reached freq_ppb=-100000000 cap_ppb=100000000\n"
		TS " CLOCK_REALTIME slew_done duration_s=10.012 offset_ns=-12\n"
		TS " /dev/ptp1 source_switched from=/dev/ptp0 to=/dev/ptp2 reason=failover\n"
		TS " /dev/ptp1 fault what=read error=5\n"
		TS " /dev/ptp1 fault_cleared what=read duration_s=3.000\n"
		TS " CLOCK_REALTIME recovered event=leap recovery_s=10.081 limit_s=10.000 ratio=1.008\n"
		TS " CLOCK_REALTIME stop\n";

	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_START, AKV_STR("source", "/dev/ptp0"),
			   AKV_STR("policy", "smear"), AKV_NUM("cap_ppb", 1e8, 0)), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_LEAP_POLICY, AKV_STR("policy", "smear"),
			   AKV_STR("preset", "google"), AKV_INT("window_s", 86400),
			   AKV_STR("shape", "linear")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_LEAP_ARMED, AKV_STR("type", "insert"),
			   AKV_STR("date", "2026-12-31")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_LEAP_APPLIED, AKV_STR("type", "insert"),
			   AKV_INT("tai_utc_s", 38)), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FREQ_SLEW_START,
			   AKV_INT("offset_ns", 1000000000LL), AKV_NUM("cap_ppb", 1e8, 0)), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_CAP_REACHED, AKV_NUM("freq_ppb", -1e8, 0),
			   AKV_NUM("cap_ppb", 1e8, 0)), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_SLEW_DONE, AKV_NUM("duration_s", 10.0123, 3),
			   AKV_INT("offset_ns", -12)), 0);
	ck_assert_int_eq(W("/dev/ptp1", AUDIT_SOURCE_SWITCHED, AKV_STR("from", "/dev/ptp0"),
			   AKV_STR("to", "/dev/ptp2"), AKV_STR("reason", "failover")), 0);
	ck_assert_int_eq(W("/dev/ptp1", AUDIT_FAULT, AKV_STR("what", "read"), AKV_INT("error", 5)), 0);
	ck_assert_int_eq(W("/dev/ptp1", AUDIT_FAULT_CLEARED, AKV_STR("what", "read"),
			   AKV_NUM("duration_s", 3.0, 3)), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_RECOVERED, AKV_STR("event", "leap"),
			   AKV_NUM("recovery_s", 10.081, 3), AKV_NUM("limit_s", 10.0, 3),
			   AKV_NUM("ratio", 1.0081, 3)), 0);
	ck_assert_int_eq(audit_write(a, T0, "CLOCK_REALTIME", AUDIT_STOP, NULL, 0), 0);
	ck_assert_str_eq(slurp(), want);
}
END_TEST

START_TEST(escaping_odd_values)
{
	const char *want =
		TS " CLOCK_REALTIME source_switched reason=\"operator request\"\n"
		TS " CLOCK_REALTIME fault what=\"a\\\"b\\\\c\"\n"
		TS " CLOCK_REALTIME fault what=\"x\\ny\\tz\\r\\x01\\x7f\"\n"
		TS " CLOCK_REALTIME fault what=\"\\xc3\\xa9t\\xc3\\xa9\"\n"
		TS " CLOCK_REALTIME fault what=\"\" error=\"a=b\" null=\"\"\n"
		TS " \"my clock\" step reason=\"leap_a b\" at=eth0:3\n"
		TS " CLOCK_REALTIME fault what=\"x error=5\"\n"
		TS " \"x\\ny\" stop\n";

	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_SOURCE_SWITCHED,
			   AKV_STR("reason", "operator request")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FAULT, AKV_STR("what", "a\"b\\c")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FAULT, AKV_STR("what", "x\ny\tz\r\x01\x7f")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FAULT, AKV_STR("what", "\xc3\xa9t\xc3\xa9")), 0);
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FAULT, AKV_STR("what", ""),
			   AKV_STR("error", "a=b"), AKV_STR("null", NULL)), 0);
	ck_assert_int_eq(W("my clock", AUDIT_STEP, AKV_STR("reason", "leap_a b"),
			   AKV_STR("at", "eth0:3")), 0);
	/* a value cannot forge a second pair */
	ck_assert_int_eq(W("CLOCK_REALTIME", AUDIT_FAULT, AKV_STR("what", "x error=5")), 0);
	ck_assert_int_eq(audit_write(a, T0, "x\ny", AUDIT_STOP, NULL, 0), 0);
	ck_assert_str_eq(slurp(), want);
}
END_TEST

START_TEST(numbers)
{
	const char *want =
		TS " c stop a=-7 b=4294967295 e=-9223372036854775807 g=3.142 h=1000000000 "
		"i=-1 z=0.000000 r=-0.50\n";

	ck_assert_int_eq(W("c", AUDIT_STOP, AKV_INT("a", -7), AKV_INT("b", 4294967295U),
			   AKV_INT("e", -9223372036854775807LL), AKV_NUM("g", 3.14159, 3),
			   AKV_NUM("h", 1e9, 0), AKV_INT("i", (signed char)-1),
			   AKV_NUM("z", 0.0, 6), AKV_NUM("r", -0.5, 2)), 0);
	ck_assert_str_eq(slurp(), want);
}
END_TEST

START_TEST(bad_input_writes_nothing)
{
	const char *keys[] = { "", "a b", "k-x", "k=", "%s", "é" };
	const struct audit_kv bad_kind = { .key = "k", .kind = (enum audit_kv_kind)42 };
	char *big;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(W("c", AUDIT_STEP, AKV_STR(keys[i], "1")) == -EINVAL,
			      "key '%s' accepted", keys[i]);
	ck_assert_int_eq(W("c", AUDIT_STEP, AKV_STR(NULL, "1")), -EINVAL);
	ck_assert_int_eq(W("c", AUDIT_STEP, AKV_NUM("k", 1.0, -1)), -EINVAL);
	ck_assert_int_eq(W("c", AUDIT_STEP, AKV_NUM("k", 1.0, 18)), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", AUDIT_STEP, &bad_kind, 1), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", AUDIT_STEP, NULL, 1), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", "Step", NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", "step now", NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", "", NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "c", NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, "", AUDIT_STEP, NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, T0, NULL, AUDIT_STEP, NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(NULL, T0, "c", AUDIT_STEP, NULL, 0), -EINVAL);
	ck_assert_int_eq(audit_write(a, -1, "c", AUDIT_STEP, NULL, 0), -ERANGE);
	big = malloc(AUDIT_LINE_MAX + 1);
	memset(big, 'x', AUDIT_LINE_MAX);
	big[AUDIT_LINE_MAX] = '\0';
	ck_assert_int_eq(W("c", AUDIT_FAULT, AKV_STR("what", big)), -E2BIG);
	ck_assert_str_eq(slurp(), "");	/* nothing of the refused lines */
	big[AUDIT_LINE_MAX - 100] = '\0';
	ck_assert_int_eq(W("c", AUDIT_FAULT, AKV_STR("what", big)), 0);
	free(big);
	ck_assert_uint_eq(strlen(slurp()), strlen(TS " c fault what=") + AUDIT_LINE_MAX - 100 + 1);
}
END_TEST

START_TEST(reopen_appends_and_sync)
{
	int err;

	const struct recfile_conf sync = { .owner = SAFEFILE_SELF, .sync = true };

	audit_close(a);
	a = audit_open(path, &sync, &err, NULL, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(audit_write(a, T0, "c", AUDIT_START, NULL, 0), 0);
	audit_close(a);
	a = audit_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(audit_write(a, T0 + 1000, "c", AUDIT_STOP, NULL, 0), 0);
	ck_assert_str_eq(slurp(), TS " c start\n2026-11-24T01:02:03.456790Z c stop\n");
	audit_close(NULL);
}
END_TEST

START_TEST(unwritable_paths)
{
	char p[256];
	int err = 0;

	snprintf(p, sizeof(p), "%s/missing/audit.log", dir);
	ck_assert_ptr_null(audit_open(p, NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_ptr_null(audit_open(dir, NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -EISDIR);
	ck_assert_ptr_null(audit_open("", NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(audit_open(NULL, NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_ptr_null(audit_open("/proc/self/status/x", NULL, &err, NULL, 0));
	ck_assert_int_eq(err, -ENOTDIR);
	if (geteuid() != 0) {	/* root is not stopped by file modes */
		snprintf(p, sizeof(p), "%s/ro.log", dir);
		ck_assert_int_eq(close(creat(p, 0444)), 0);
		ck_assert_ptr_null(audit_open(p, NULL, &err, NULL, 0));
		ck_assert_int_eq(err, -EACCES);
		unlink(p);
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, documented_example);
	tcase_add_test(tc, every_action_line);
	tcase_add_test(tc, escaping_odd_values);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, bad_input_writes_nothing);
	tcase_add_test(tc, reopen_appends_and_sync);
	tcase_add_test(tc, unwritable_paths);
	suite_add_tcase(s, tc);
	return s;
}
