/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of clock names: the pure classification and path building,
 * and clock_open() failing with the right errno for clocks that are not
 * there (this machine has no PHC; /dev/ptp99 and "nosuchif0" do not exist).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "phc/clock.h"
#include "phc/clockname.h"

static const struct name_case {
	const char *name;
	int kind;		/* clockname_kind or -errno */
	int index;
} name_cases[] = {
	{ "CLOCK_REALTIME", CLOCKNAME_SYSTEM, -1 },
	{ "realtime", CLOCKNAME_SYSTEM, -1 },
	{ "sys", CLOCKNAME_SYSTEM, -1 },
	{ "/dev/ptp3", CLOCKNAME_PHC, 3 },
	{ "ptp3", CLOCKNAME_PHC, 3 },
	{ "/dev/ptp0", CLOCKNAME_PHC, 0 },
	{ "ptp0", CLOCKNAME_PHC, 0 },
	{ "/dev/ptp127", CLOCKNAME_PHC, 127 },
	{ "ptp999999999", CLOCKNAME_PHC, 999999999 },
	{ "eth0", CLOCKNAME_IFACE, -1 },
	{ "enp3s0f1", CLOCKNAME_IFACE, -1 },
	{ "bond0.100", CLOCKNAME_IFACE, -1 },
	{ "ptpx", CLOCKNAME_IFACE, -1 },		/* not ptp<digits> */
	{ "ptp", CLOCKNAME_IFACE, -1 },
	{ "abcdefghijklmno", CLOCKNAME_IFACE, -1 },	/* 15 bytes: the most */
	{ "", -EINVAL, -1 },
	{ "/dev/ptpx", -EINVAL, -1 },
	{ "/dev/ptp", -EINVAL, -1 },
	{ "/dev/ptp-1", -EINVAL, -1 },
	{ "/dev/ptp3/", -EINVAL, -1 },
	{ "/dev/ptp01", -EINVAL, -1 },
	{ "ptp01", -EINVAL, -1 },
	{ "ptp1234567890", -EINVAL, -1 },		/* would overflow */
	{ "/dev/null", -EINVAL, -1 },
	{ "eth0:1", -EINVAL, -1 },
	{ "eth 0", -EINVAL, -1 },
	{ "sys ", -EINVAL, -1 },
	{ ".", -EINVAL, -1 },
	{ "..", -EINVAL, -1 },
	{ "/dev/ptp_kvm", -EINVAL, -1 },		/* a path, not /dev/ptpN */
	{ "CLOCK_MONOTONIC", -EINVAL, -1 },		/* a POSIX clock gnomon does not run */
	{ "clock_realtime", -EINVAL, -1 },
	{ "Clock_Tai", -EINVAL, -1 },
	{ "abcdefghijklmnop", -ENAMETOOLONG, -1 },	/* 16 bytes */
	{ "an-interface-name-far-too-long-for-the-kernel", -ENAMETOOLONG, -1 },
};

START_TEST(test_classify)
{
	const struct name_case *k = &name_cases[_i];
	int index = 4242;

	ck_assert_msg(clockname_classify(k->name, &index) == k->kind,
		      "\"%s\": %d, expected %d", k->name,
		      clockname_classify(k->name, NULL), k->kind);
	ck_assert_int_eq(index, k->index);
}
END_TEST

START_TEST(test_classify_null)
{
	int index = 7;

	ck_assert_int_eq(clockname_classify(NULL, &index), -EINVAL);
	ck_assert_int_eq(index, -1);
	ck_assert_int_eq(clockname_classify("ptp5", NULL), CLOCKNAME_PHC);
}
END_TEST

START_TEST(test_canonical_same)
{
	char buf[32], tiny[6];

	ck_assert_int_eq(clockname_canonical("sys", buf, sizeof(buf)), CLOCKNAME_SYSTEM);
	ck_assert_str_eq(buf, "CLOCK_REALTIME");
	ck_assert_int_eq(clockname_canonical("ptp7", buf, sizeof(buf)), CLOCKNAME_PHC);
	ck_assert_str_eq(buf, "/dev/ptp7");
	ck_assert_int_eq(clockname_canonical("eth0", buf, sizeof(buf)), CLOCKNAME_IFACE);
	ck_assert_str_eq(buf, "eth0");
	ck_assert_int_eq(clockname_canonical("ptp01", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(clockname_canonical("ptp7", tiny, sizeof(tiny)), -ENAMETOOLONG);
	ck_assert(clockname_is_system("realtime"));
	ck_assert(!clockname_is_system("CLOCK_TAI"));
	ck_assert(clockname_same("sys", "CLOCK_REALTIME"));
	ck_assert(clockname_same("realtime", "sys"));
	ck_assert(clockname_same("ptp1", "/dev/ptp1"));
	ck_assert(!clockname_same("ptp1", "/dev/ptp12"));
	ck_assert(!clockname_same("ptp01", "/dev/ptp1"));	/* ptp01 is no clock */
	ck_assert(clockname_same("eth0", "eth0"));
	ck_assert(!clockname_same("eth0", "/dev/ptp0"));	/* unknown without the kernel */
	ck_assert(clockname_same("/dev/ptp_kvm", "/dev/ptp_kvm"));	/* as spelt */
}
END_TEST

START_TEST(test_phc_path)
{
	char buf[32], tiny[6];

	ck_assert_int_eq(clockname_phc_path(3, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/dev/ptp3");
	ck_assert_int_eq(clockname_phc_path(2147483647, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/dev/ptp2147483647");
	ck_assert_int_eq(clockname_phc_path(-1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(clockname_phc_path(3, tiny, sizeof(tiny)), -ENAMETOOLONG);
	ck_assert_int_eq(clockname_phc_path(3, NULL, 0), -EINVAL);
}
END_TEST

static void expect_open_fails(const char *name, int want)
{
	int err = 0;
	struct clock *c = clock_open(name, &err);

	ck_assert_msg(c == NULL, "clock_open(\"%s\") succeeded", name);
	ck_assert_msg(err == want, "clock_open(\"%s\"): %d (%s), expected %d (%s)",
		      name, err, strerror(-err), want, strerror(-want));
}

START_TEST(test_open_missing)
{
	/* The device node is not there. */
	expect_open_fails("/dev/ptp99", -ENOENT);
	expect_open_fails("ptp99", -ENOENT);
	/* No such interface: the kernel's ENODEV is reported as ENOENT. */
	expect_open_fails("nosuchif0", -ENOENT);
	/* An interface that exists but has no PHC. */
	expect_open_fails("lo", -ENODEV);
	/* Names that cannot be a clock. */
	expect_open_fails("/dev/ptpx", -EINVAL);
	expect_open_fails("", -EINVAL);
	expect_open_fails(NULL, -EINVAL);
	expect_open_fails("abcdefghijklmnopqrstuvwxyz", -ENAMETOOLONG);
	/* err may be NULL. */
	ck_assert_ptr_null(clock_open("/dev/ptp99", NULL));
}
END_TEST

START_TEST(test_iface_phc)
{
	int index = 5;

	ck_assert_int_eq(clockname_iface_phc("nosuchif0", &index), -ENOENT);
	ck_assert_int_eq(index, -1);
	ck_assert_int_eq(clockname_iface_phc("lo", &index), -ENODEV);
	ck_assert_int_eq(clockname_iface_phc("", &index), -EINVAL);
	ck_assert_int_eq(clockname_iface_phc("a/b", &index), -EINVAL);
	ck_assert_int_eq(clockname_resolve("nosuchif0", &index), -ENOENT);
	ck_assert_int_eq(clockname_resolve("ptp7", &index), CLOCKNAME_PHC);
	ck_assert_int_eq(index, 7);
	ck_assert_int_eq(clockname_resolve("sys", &index), CLOCKNAME_SYSTEM);
	ck_assert_int_eq(index, -1);
}
END_TEST

START_TEST(test_open_system_names)
{
	const char *names[] = { "CLOCK_REALTIME", "realtime", "sys" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int err = 1;
		struct clock *c = clock_open(names[i], &err);

		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(err, 0);
		ck_assert_str_eq(clock_name(c), names[i]);
		ck_assert_int_eq(clock_kind(c), CLOCK_KIND_SYSTEM);
		clock_close(c);
	}
}
END_TEST

Suite *unit_suite(void);

Suite *unit_suite(void)
{
	Suite *s = suite_create("clockname");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_classify, 0,
			    sizeof(name_cases) / sizeof(name_cases[0]));
	tcase_add_test(tc, test_classify_null);
	tcase_add_test(tc, test_phc_path);
	tcase_add_test(tc, test_canonical_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("kernel");
	tcase_add_test(tc, test_open_missing);
	tcase_add_test(tc, test_iface_phc);
	tcase_add_test(tc, test_open_system_names);
	suite_add_tcase(s, tc);
	return s;
}
