// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util/: the one FILE:LINE formatter (line or not, truncation, the return
 * code), the growable array (doubling, nothing changed on failure,
 * overflow refused) and the descriptor flags.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

Suite *unit_suite(void);

START_TEST(test_where)
{
	char err[64], tiny[12];

	ck_assert_int_eq(where_fail(err, sizeof(err), "a.conf", 7, -EINVAL, "bad %s", "key"),
			 -EINVAL);
	ck_assert_str_eq(err, "a.conf:7: bad key");
	ck_assert_int_eq(where_fail(err, sizeof(err), "a.conf", 0, -EBADMSG, "empty"), -EBADMSG);
	ck_assert_str_eq(err, "a.conf: empty");
	where_fail(tiny, sizeof(tiny), "long.name", 12345, -1, "message");
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
	ck_assert_str_eq(tiny, "long.name:1");
}
END_TEST

START_TEST(test_grow)
{
	int *a = NULL;
	size_t cap = 0;

	ck_assert_int_eq(util_grow((void **)&a, &cap, 1, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 8);
	for (int i = 0; i < 8; i++)
		a[i] = i;
	ck_assert_int_eq(util_grow((void **)&a, &cap, 8, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 8);	/* enough already: unchanged */
	ck_assert_int_eq(util_grow((void **)&a, &cap, 100, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 128);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(a[i], i);	/* kept across the realloc */
	ck_assert_int_eq(util_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM);
	ck_assert_int_eq(util_grow((void **)&a, &cap, SIZE_MAX, 1), -ENOMEM);
	ck_assert_uint_eq(cap, 128);	/* a failure changes nothing */
	ck_assert_int_eq(a[7], 7);
	free(a);
}
END_TEST

START_TEST(test_fd_flags)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert(!(fcntl(p[0], F_GETFD) & FD_CLOEXEC));
	ck_assert_int_eq(fd_cloexec(p[0]), 0);
	ck_assert(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(fd_nonblock(p[0], 1), 0);
	ck_assert(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	ck_assert_int_eq(fd_nonblock(p[0], 0), 0);
	ck_assert(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(fd_cloexec(p[0]), -EBADF);
	ck_assert_int_eq(fd_nonblock(p[0], 1), -EBADF);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_fd_flags);
	suite_add_tcase(s, tc);
	return s;
}
