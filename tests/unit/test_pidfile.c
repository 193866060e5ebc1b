// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pid/lock file: a second instance (a forked child: POSIX locks belong
 * to the process) is refused and told the holder's pid, in both
 * directions; a stale file without a lock is taken over; a holder that dies
 * frees the file; release removes only our own file; errors name the path.
 * Parent and child synchronise through pipes, never through delays.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/lifecycle/pidfile.h"

Suite *unit_suite(void);

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gnomon-test-pidfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gnomond.pid", dir);
}

static void teardown(void)
{
	static const char *const names[] = { "gnomond.pid", "fifo", "other" };
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	if (rmdir(dir) < 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static long pid_in(const char *p)
{
	char buf[64] = "";
	FILE *f = fopen(p, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	ck_assert_msg(strchr(buf, '\n') != NULL, "no newline in '%s'", buf);
	return strtol(buf, NULL, 10);
}

static void assert_first_line(const char *p, const char *want)
{
	FILE *f = fopen(p, "r");
	char buf[32] = "";

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, want);
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_create_and_release)
{
	struct pidfile *p;
	char msg[256];
	int err = 1;

	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(pid_in(path), getpid());
	pidfile_release(p);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* And again, with no err or message buffer. */
	p = pidfile_create(path, NULL, NULL, 0);
	ck_assert_ptr_nonnull(p);
	pidfile_release(p);
	pidfile_release(NULL);
}
END_TEST

/* The child tries the parent's lock and reports err and message. */
START_TEST(test_second_instance_refused)
{
	struct pidfile *p;
	char msg[256], want[300], buf[300];
	int fds[2], status, err;
	ssize_t n;
	pid_t child;

	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct pidfile *q = pidfile_create(path, &err, msg, sizeof(msg));

		snprintf(buf, sizeof(buf), "%d|%s", err, msg);
		if (write(fds[1], buf, strlen(buf)) < 0)
			_exit(2);
		_exit(q ? 1 : 0);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "second instance got the lock: %s", buf);
	snprintf(want, sizeof(want), "%d|pid file %s is locked by pid %ld: another gnomond is running",
		 -EEXIST, path, (long)getpid());
	ck_assert_str_eq(buf, want);
	/* The refused attempt left our file and pid alone. */
	ck_assert_int_eq(pid_in(path), getpid());
	pidfile_release(p);
}
END_TEST

/* The child holds the lock; we are refused, then take over once it died. */
START_TEST(test_holder_dies)
{
	int ready[2], go[2], status, err;
	struct pidfile *p;
	char msg[256], want[128], c;
	pid_t child;

	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct pidfile *q = pidfile_create(path, NULL, NULL, 0);

		c = q ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(2);
		_exit(0);	/* dies holding it: no release, the kernel unlocks */
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EEXIST);
	snprintf(want, sizeof(want), "locked by pid %ld", (long)child);
	ck_assert_msg(strstr(msg, want) != NULL, "'%s' lacks '%s'", msg, want);

	ck_assert_int_eq(write(go[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(pid_in(path), child);	/* left behind by the dead */
	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_msg(p != NULL, "%s", msg);
	ck_assert_int_eq(pid_in(path), getpid());
	pidfile_release(p);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

START_TEST(test_stale_file_taken_over)
{
	struct pidfile *p;
	int err;

	/* A longer, bogus content than ours: truncated, not overwritten in part. */
	write_file(path, "1234567890\n");
	p = pidfile_create(path, &err, NULL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pid_in(path), getpid());
	pidfile_release(p);

	write_file(path, "garbage");
	p = pidfile_create(path, &err, NULL, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(pid_in(path), getpid());
	pidfile_release(p);
}
END_TEST

START_TEST(test_release_leaves_a_replaced_file)
{
	char other[160];
	struct pidfile *p;

	p = pidfile_create(path, NULL, NULL, 0);
	ck_assert_ptr_nonnull(p);
	snprintf(other, sizeof(other), "%s/other", dir);
	write_file(other, "42\n");
	ck_assert_int_eq(rename(other, path), 0);
	pidfile_release(p);
	ck_assert_int_eq(pid_in(path), 42);
}
END_TEST

START_TEST(test_errors_name_the_path)
{
	char msg[256], p2[160];
	struct pidfile *p;
	int err = 0;

	snprintf(p2, sizeof(p2), "%s/no/such/dir/gnomond.pid", dir);
	p = pidfile_create(p2, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_ptr_nonnull(strstr(msg, p2));

	p = pidfile_create(dir, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EISDIR);
	ck_assert_ptr_nonnull(strstr(msg, dir));

	snprintf(p2, sizeof(p2), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(p2, 0600), 0);
	p = pidfile_create(p2, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_str_eq(strstr(msg, "not a regular file"), "not a regular file");

	/* A planted symlink is not followed: the target stays untouched. */
	snprintf(p2, sizeof(p2), "%s/other", dir);
	write_file(p2, "precious\n");
	ck_assert_int_eq(symlink(p2, path), 0);
	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -ELOOP);
	ck_assert_ptr_nonnull(strstr(msg, path));
	assert_first_line(p2, "precious\n");
	/* Nor a planted hard link: refused before anything is truncated. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(link(p2, path), 0);
	p = pidfile_create(path, &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EPERM);
	ck_assert_ptr_nonnull(strstr(msg, "hard links"));
	assert_first_line(p2, "precious\n");

	p = pidfile_create("", &err, msg, sizeof(msg));
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EINVAL);
	p = pidfile_create(NULL, &err, NULL, 0);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err, -EINVAL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("pidfile");
	TCase *tc = tcase_create("pidfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_and_release);
	tcase_add_test(tc, test_second_instance_refused);
	tcase_add_test(tc, test_holder_dies);
	tcase_add_test(tc, test_stale_file_taken_over);
	tcase_add_test(tc, test_release_leaves_a_replaced_file);
	tcase_add_test(tc, test_errors_name_the_path);
	suite_add_tcase(s, tc);
	return s;
}
