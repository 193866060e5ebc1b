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

START_TEST(documented_example)
{
	struct stat st;

	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_STEP,
				   "delta_ns=%" PRId64 " reason=%s",
				   (int64_t)-1000000000, "leap_policy_step"), 0);
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
		TS " /dev/ptp1 fault what=read error=EIO\n"
		TS " /dev/ptp1 fault_cleared what=read duration_s=3.000\n"
		TS " CLOCK_REALTIME recovered event=leap recovery_s=10.081 limit_s=10.000 ratio=1.008\n"
		TS " CLOCK_REALTIME stop\n"
		TS " CLOCK_REALTIME stop\n";
	const char *empty = "";

	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_START,
				   "source=%s policy=%s cap_ppb=%.0f", "/dev/ptp0", "smear", 1e8), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_LEAP_POLICY,
				   "policy=smear preset=google window_s=%d shape=linear", 86400), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_LEAP_ARMED,
				   "type=insert date=%04d-%02d-%02d", 2026, 12, 31), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_LEAP_APPLIED,
				   "type=insert tai_utc_s=%d", 38), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_FREQ_SLEW_START,
				   "offset_ns=%lld cap_ppb=%.0f", 1000000000LL, 1e8), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_CAP_REACHED,
				   "freq_ppb=%.0f cap_ppb=%.0f", -1e8, 1e8), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_SLEW_DONE,
				   "duration_s=%.3f offset_ns=%d", 10.0123, -12), 0);
	ck_assert_int_eq(audit_log(a, T0, "/dev/ptp1", AUDIT_SOURCE_SWITCHED,
				   "from=%s to=%s reason=failover", "/dev/ptp0", "/dev/ptp2"), 0);
	ck_assert_int_eq(audit_log(a, T0, "/dev/ptp1", AUDIT_FAULT, "what=read error=%s", "EIO"), 0);
	ck_assert_int_eq(audit_log(a, T0, "/dev/ptp1", AUDIT_FAULT_CLEARED,
				   "what=read  duration_s=%.3f ", 3.0), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_RECOVERED,
				   "event=%s recovery_s=%.3f limit_s=%.3f ratio=%.3f",
				   "leap", 10.081, 10.0, 1.0081), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_STOP, NULL), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_STOP, empty, 0), 0);
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
		TS " CLOCK_REALTIME fault what=\"\" error=\"a=b\"\n"
		TS " \"my clock\" step reason=\"leap_a b\" at=eth0:3\n"
		TS " \"x\\ny\" stop\n";

	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_SOURCE_SWITCHED,
				   "reason=%s", "operator request"), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_FAULT, "what=%s", "a\"b\\c"), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_FAULT, "what=%s", "x\ny\tz\r\x01\x7f"), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_FAULT, "what=%s", "\xc3\xa9t\xc3\xa9"), 0);
	ck_assert_int_eq(audit_log(a, T0, "CLOCK_REALTIME", AUDIT_FAULT, "what=%s error=%s", "", "a=b"), 0);
	ck_assert_int_eq(audit_log(a, T0, "my clock", AUDIT_STEP, "reason=leap_%s at=%s:%d",
				   "a b", "eth0", 3), 0);
	ck_assert_int_eq(audit_log(a, T0, "x\ny", AUDIT_STOP, NULL), 0);
	ck_assert_str_eq(slurp(), want);
}
END_TEST

START_TEST(conversions)
{
	const char *want =
		TS " c stop a=-7 b=4294967295 c=ff d=0x00ff e=-9223372036854775807 f=18446744073709551615"
		" g=3.142 h=1e+09 i=-1 j=Z k=50% l=\"  7\" m=-3 n=\"(null)\"\n";
	const char *volatile nul = NULL;	/* hidden from -Wformat-overflow */

	ck_assert_int_eq(audit_log(a, T0, "c", AUDIT_STOP,
		"a=%d b=%u c=%x d=%#06x e=%lld f=%zu g=%.3f h=%g i=%hhd j=%c k=50%% l=%3d m=%ld n=%s",
		-7, 4294967295U, 255, 255, -9223372036854775807LL, (size_t)UINT64_MAX,
		3.14159, 1e9, (signed char)-1, 'Z', 7, -3L, nul), 0);
	ck_assert_str_eq(slurp(), want);
}
END_TEST

START_TEST(bad_input_writes_nothing)
{
	const char *fmts[] = { "=5", "key", "%s=1", "a b=1", "k=%", "k=%*d", "k=%n",
			       "k=%ls", "k=%Ld", "k-x=1" };
	char *big;
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		ck_assert_msg(audit_log(a, T0, "c", AUDIT_STEP, fmts[i], 1, 2) == -EINVAL,
			      "fmt '%s' accepted", fmts[i]);
	ck_assert_int_eq(audit_log(a, T0, "c", "Step", NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, T0, "c", "step now", NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, T0, "c", "", NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, T0, "c", NULL, NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, T0, "", AUDIT_STEP, NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, T0, NULL, AUDIT_STEP, NULL), -EINVAL);
	ck_assert_int_eq(audit_log(NULL, T0, "c", AUDIT_STEP, NULL), -EINVAL);
	ck_assert_int_eq(audit_log(a, -1, "c", AUDIT_STEP, NULL), -ERANGE);
	big = malloc(AUDIT_LINE_MAX + 1);
	memset(big, 'x', AUDIT_LINE_MAX);
	big[AUDIT_LINE_MAX] = '\0';
	ck_assert_int_eq(audit_log(a, T0, "c", AUDIT_FAULT, "what=%s", big), -E2BIG);
	big[AUDIT_LINE_MAX - 100] = '\0';
	ck_assert_int_eq(audit_log(a, T0, "c", AUDIT_FAULT, "what=%s", big), 0);
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
	ck_assert_int_eq(audit_log(a, T0, "c", AUDIT_START, NULL), 0);
	audit_close(a);
	a = audit_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(audit_log(a, T0 + 1000, "c", AUDIT_STOP, NULL), 0);
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
	tcase_add_test(tc, conversions);
	tcase_add_test(tc, bad_input_writes_nothing);
	tcase_add_test(tc, reopen_appends_and_sync);
	tcase_add_test(tc, unwritable_paths);
	suite_add_tcase(s, tc);
	return s;
}
