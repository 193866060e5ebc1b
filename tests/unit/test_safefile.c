// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * safefile (daemon/safefile.c) and its writers: what the daemon's user can
 * plant in the state directory it owns (a symbolic link to a root-only
 * file, a hard link, a FIFO, a file of another user) is refused with the
 * reason, and the file behind it is left untouched; the audit trail and
 * the recovery history go through it; a FIFO never blocks a reader.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/record/audit.h"
#include "daemon/record/history.h"
#include "daemon/safefile.h"

Suite *unit_suite(void);

static char dir[64], path[128], secret[128];

static void setup(void)
{
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/gnomon-test-safefile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "root only\n", 10), 10);
	close(fd);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static off_t size_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) < 0 ? -1 : st.st_size;
}

START_TEST(symlink_refused)
{
	char why[256];
	int err = 0;

	ck_assert_int_eq(symlink(secret, path), 0);
	ck_assert_int_eq(safefile_open(path, O_RDWR | O_APPEND | O_CREAT, 0644, SAFEFILE_SELF,
				       why, sizeof(why)), -ELOOP);
	ck_assert_ptr_nonnull(strstr(why, "symbolic link"));
	/* the writers that root opens at start-up */
	ck_assert_ptr_null(audit_open(path, NULL, &err, why, sizeof(why)));
	ck_assert_int_eq(err, -ELOOP);
	ck_assert_ptr_null(history_open(path, NULL, &err, why, sizeof(why)));
	ck_assert_int_eq(err, -ELOOP);
	ck_assert_int_eq(size_of(secret), 10);
}
END_TEST

START_TEST(hardlink_refused)
{
	char why[256];
	int err = 0;

	ck_assert_int_eq(link(secret, path), 0);
	ck_assert_ptr_null(audit_open(path, NULL, &err, why, sizeof(why)));
	ck_assert_int_eq(err, -EPERM);
	ck_assert_ptr_nonnull(strstr(why, "hard links"));
	ck_assert_int_eq(size_of(secret), 10);
}
END_TEST

START_TEST(fifo_refused_without_blocking)
{
	char why[256];

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(safefile_open(path, O_WRONLY | O_APPEND | O_CREAT, 0644, SAFEFILE_SELF,
				       why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "a FIFO, not a regular file"));
	/* a reader (config, leap file) neither: open(O_RDONLY) would wait
	 * for a writer forever */
	ck_assert_int_eq(safefile_open_read(path, false, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "a FIFO"));
	ck_assert_int_eq(safefile_open_read(dir, false, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "a directory"));
	ck_assert_int_eq(safefile_open_read("/dev/null", false, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "character device"));
}
END_TEST

START_TEST(reader_accepts_file_and_null)
{
	char why[256], c;
	int fd;

	fd = safefile_open_read(secret, false, why, sizeof(why));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	close(fd);
	fd = safefile_open_read("/dev/null", true, why, sizeof(why));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, &c, 1), 0);
	close(fd);
	ck_assert_int_eq(safefile_open_read("", false, why, sizeof(why)), -EINVAL);
}
END_TEST

START_TEST(owner_rules)
{
	struct stat st;
	char why[256];
	mode_t old;
	int fd;

	/* chown needs root: registered only then (unit_suite) */
	/* another user's file at the name: refused, saying whose */
	ck_assert_int_eq(chown(secret, 12345, 12345), 0);
	ck_assert_int_eq(safefile_open(secret, O_WRONLY | O_APPEND, 0644, 4242, why,
				       sizeof(why)), -EPERM);
	ck_assert_ptr_nonnull(strstr(why, "owned by uid 12345, not the daemon's user (uid 4242)"));
	/* the daemon's own: fine */
	fd = safefile_open(secret, O_WRONLY | O_APPEND, 0644, 12345, why, sizeof(why));
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* created by root: given to the daemon's user, 0644 whatever the umask */
	old = umask(077);
	fd = safefile_open(path, O_WRONLY | O_APPEND | O_CREAT, 0644, 4242, why, sizeof(why));
	umask(old);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq(st.st_uid, 4242);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	close(fd);
}
END_TEST

START_TEST(replace_never_writes_through_a_link)
{
	char tmp[192], target[160], why[256], buf[16] = "";
	int fd;

	snprintf(target, sizeof(target), "%s/gnomon.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", target, (long)getpid());
	ck_assert_int_eq(symlink(secret, tmp), 0);
	ck_assert_int_eq(safefile_replace(target, "x 1\n", 4, 0644, SAFEFILE_SELF, why,
					  sizeof(why)), 0);
	ck_assert_int_eq(size_of(secret), 10);
	fd = open(target, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf) - 1), 4);
	close(fd);
	ck_assert_str_eq(buf, "x 1\n");
	ck_assert_int_eq(size_of(tmp), -1);
}
END_TEST

START_TEST(user_uid)
{
	uid_t u = 1;

	ck_assert_int_eq(safefile_user_uid("", &u), 0);
	ck_assert_uint_eq(u, geteuid());
	ck_assert_int_eq(safefile_user_uid("root", &u), 0);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(safefile_user_uid("4242", &u), 0);
	ck_assert_uint_eq(u, 4242);
	ck_assert_int_eq(safefile_user_uid("no-such-user-gnomon", &u), -ENOENT);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("safefile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, symlink_refused);
	tcase_add_test(tc, hardlink_refused);
	tcase_add_test(tc, fifo_refused_without_blocking);
	tcase_add_test(tc, reader_accepts_file_and_null);
	if (geteuid() == 0)
		tcase_add_test(tc, owner_rules);
	else
		printf("SKIP test_safefile: owner_rules needs root (chown)\n");
	tcase_add_test(tc, replace_never_writes_through_a_link);
	tcase_add_test(tc, user_uid);
	suite_add_tcase(s, tc);
	return s;
}
