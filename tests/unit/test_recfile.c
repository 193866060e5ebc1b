// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recfile (daemon/record/recfile.c): a full disk, simulated with
 * RLIMIT_FSIZE (write(2): "EFBIG An attempt was made to write a file that
 * exceeds the ... maximum file size", the same short-then-failing write a
 * full file system gives, without mounting one; tests/secure fills a real
 * tmpfs), counts every line that could not be written, keeps it and
 * writes it, in order and whole, when writing works again; size-based
 * rotation keeps N files; reopen follows logrotate's rename. Check forks
 * every test, so the limit stays in the test's own process.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/record/recfile.h"
#include "daemon/safefile.h"

Suite *unit_suite(void);

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gnomon-test-recfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.log", dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *p)
{
	static char buf[65536];
	FILE *f = fopen(p, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void set_fsize(rlim_t lim)
{
	struct rlimit rl = { lim, RLIM_INFINITY };

	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

START_TEST(full_disk_counted_kept_written_later)
{
	struct recfile_stats st;
	struct recfile *f;
	int err;

	signal(SIGXFSZ, SIG_IGN);
	f = recfile_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(recfile_write(f, "line 1 ......\n", 14), 0);
	set_fsize(20);		/* the "disk" has 6 bytes left */
	ck_assert_int_eq(recfile_write(f, "line 2 ......\n", 14), -EFBIG);
	ck_assert_int_eq(recfile_write(f, "line 3 ......\n", 14), -EFBIG);
	recfile_stats(f, &st);
	ck_assert_uint_eq(st.lost, 2);
	ck_assert_uint_eq(st.pending, 2);
	ck_assert_int_eq(st.last_error, EFBIG);
	/* the part of line 2 that fitted was cut off again: only whole lines */
	ck_assert_str_eq(slurp(path), "line 1 ......\n");
	ck_assert_int_eq(recfile_flush(f), -EFBIG);
	set_fsize(RLIM_INFINITY);	/* space again */
	ck_assert_int_eq(recfile_flush(f), 0);
	ck_assert_str_eq(slurp(path), "line 1 ......\nline 2 ......\nline 3 ......\n");
	recfile_stats(f, &st);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.lost, 2);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_int_eq(st.last_error, 0);
	recfile_close(f);
}
END_TEST

START_TEST(pending_is_bounded)
{
	struct recfile_stats st;
	struct recfile *f;
	char line[32];
	int err;

	signal(SIGXFSZ, SIG_IGN);
	f = recfile_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(f);
	set_fsize(1);
	for (int i = 0; i < RECFILE_PENDING_LINES + 10; i++) {
		int n = snprintf(line, sizeof(line), "%d\n", i);

		ck_assert_int_lt(recfile_write(f, line, (size_t)n), 0);
	}
	recfile_stats(f, &st);
	ck_assert_uint_eq(st.lost, RECFILE_PENDING_LINES + 10);
	ck_assert_uint_eq(st.pending, RECFILE_PENDING_LINES);
	ck_assert_uint_eq(st.dropped, 10);
	set_fsize(RLIM_INFINITY);
	ck_assert_int_eq(recfile_flush(f), 0);
	ck_assert_int_eq(strncmp(slurp(path), "10\n11\n", 6), 0);	/* the oldest went */
	recfile_close(f);
}
END_TEST

START_TEST(rotation_keeps_n)
{
	const struct recfile_conf c = { .owner = SAFEFILE_SELF, .max_bytes = 30, .keep = 2 };
	struct recfile_stats st;
	struct recfile *f;
	char p[160];
	struct stat sb;
	int err;

	f = recfile_open(path, &c, &err, NULL, 0);
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(recfile_write(f, "0123456789\n", 11), 0);	/* 2 per file */
	recfile_stats(f, &st);
	ck_assert_uint_eq(st.rotations, 4);
	ck_assert_str_eq(slurp(path), "0123456789\n0123456789\n");
	for (int k = 1; k <= 2; k++) {
		snprintf(p, sizeof(p), "%s.%d", path, k);
		ck_assert_int_eq(stat(p, &sb), 0);
		ck_assert_int_eq(sb.st_size, 22);
	}
	snprintf(p, sizeof(p), "%s.3", path);
	ck_assert_int_eq(stat(p, &sb), -1);
	recfile_close(f);
}
END_TEST

START_TEST(reopen_after_logrotate)
{
	struct recfile *f;
	char p[160];
	int err;

	f = recfile_open(path, NULL, &err, NULL, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(recfile_write(f, "before\n", 7), 0);
	snprintf(p, sizeof(p), "%s.1", path);
	ck_assert_int_eq(rename(path, p), 0);		/* mv audit.log audit.log.1 */
	ck_assert_int_eq(recfile_write(f, "still old\n", 10), 0);
	ck_assert_int_eq(recfile_reopen(f, NULL, 0), 0);	/* SIGHUP, SIGUSR1 */
	ck_assert_int_eq(recfile_write(f, "after\n", 6), 0);
	ck_assert_str_eq(slurp(p), "before\nstill old\n");
	ck_assert_str_eq(slurp(path), "after\n");
	/* a symlink put at the path meanwhile: refused, the old file kept */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(p, path), 0);
	ck_assert_int_eq(recfile_reopen(f, NULL, 0), -ELOOP);
	recfile_close(f);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("recfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_disk_counted_kept_written_later);
	tcase_add_test(tc, pending_is_bounded);
	tcase_add_test(tc, rotation_keeps_n);
	tcase_add_test(tc, reopen_after_logrotate);
	suite_add_tcase(s, tc);
	return s;
}
