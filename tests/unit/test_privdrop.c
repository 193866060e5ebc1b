// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The privilege drop, for real: each drop runs in a forked child (a drop
 * cannot be undone), which then reads its own /proc/self/status and
 * reports what it found through a pipe. Needs root; without it every test
 * says so and passes. Nothing here touches a clock: CAP_SYS_TIME is only
 * kept, never used.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/lifecycle/privdrop.h"

Suite *unit_suite(void);

#define BIT(c)	(UINT64_C(1) << (c))

/* ---- reading /proc/self/status -------------------------------------------- */

/* The text after "Name:\t" (the rest of the line) or "" if missing. */
static void status_field(const char *name, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[512];
	size_t n = strlen(name);

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			snprintf(out, len, "%s", line + n + 1 + strspn(line + n + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static uint64_t status_hex(const char *name)
{
	char v[64];

	status_field(name, v, sizeof(v));
	return strtoull(v, NULL, 16);
}

/* ---- running a check in a child --------------------------------------------- */

static char child_err[512];

/* In the child: record the first failure; returns the condition. */
static bool expect(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool expect(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond || child_err[0])
		return cond;
	va_start(ap, fmt);
	vsnprintf(child_err, sizeof(child_err), fmt, ap);
	va_end(ap);
	return false;
}

/* Run fn in a child; fail the test with the child's message if it failed. */
static void in_child(void (*fn)(void))
{
	char buf[sizeof(child_err)];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		child_err[0] = '\0';
		fn();
		if (child_err[0] && write(p[1], child_err, strlen(child_err)) < 0)
			_exit(3);
		_exit(child_err[0] ? 1 : 0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %s (status 0x%x)",
		      buf[0] ? buf : "crashed", status);
}

static uid_t nobody_uid(gid_t *gid)
{
	struct passwd *pw = getpwnam("nobody");

	ck_assert_ptr_nonnull(pw);
	*gid = pw->pw_gid;
	return pw->pw_uid;
}

/* The ids and capability sets after a drop to uid:gid keeping mask. */
static void expect_state(uid_t uid, gid_t gid, uint64_t mask)
{
	char v[128], want[128];

	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	status_field("Uid", v, sizeof(v));
	expect(strcmp(v, want) == 0, "Uid: '%s', want '%s'", v, want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", gid, gid, gid, gid);
	status_field("Gid", v, sizeof(v));
	expect(strcmp(v, want) == 0, "Gid: '%s', want '%s'", v, want);
	snprintf(want, sizeof(want), "%u", gid);
	status_field("Groups", v, sizeof(v));
	v[strcspn(v, " ")] = '\0';
	expect(strcmp(v, want) == 0, "Groups: '%s', want '%s'", v, want);
	expect(status_hex("CapEff") == mask, "CapEff %016" PRIx64 ", want %016" PRIx64,
	       status_hex("CapEff"), mask);
	expect(status_hex("CapPrm") == mask, "CapPrm %016" PRIx64 ", want %016" PRIx64,
	       status_hex("CapPrm"), mask);
	expect(status_hex("CapBnd") == mask, "CapBnd %016" PRIx64 ", want %016" PRIx64,
	       status_hex("CapBnd"), mask);
	expect(status_hex("CapInh") == 0, "CapInh %016" PRIx64, status_hex("CapInh"));
	expect(status_hex("CapAmb") == 0, "CapAmb %016" PRIx64, status_hex("CapAmb"));
	status_field("NoNewPrivs", v, sizeof(v));
	expect(strcmp(v, "1") == 0, "NoNewPrivs: '%s'", v);
	expect(privdrop_check_root_all_caps() == 0, "still root with all caps");
}

/* ---- the drops ------------------------------------------------------------------ */

static void child_nobody_sys_time(void)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME };
	char err[256];
	uid_t uid;
	gid_t gid;
	int r;

	uid = nobody_uid(&gid);
	r = privdrop("nobody", NULL, keep, 1, err, sizeof(err));
	if (!expect(r == 0, "privdrop: %d %s", r, err))
		return;
	expect_state(uid, gid, BIT(CAP_SYS_TIME));
	expect(setuid(0) < 0 && seteuid(0) < 0, "setuid(0) worked after the drop");
	/* Dropping again to the user we are: only the capability steps, fine. */
	r = privdrop("nobody", NULL, keep, 1, err, sizeof(err));
	expect(r == 0, "second privdrop: %d %s", r, err);
	expect_state(uid, gid, BIT(CAP_SYS_TIME));
	/* What is gone cannot be kept. */
	{
		static const cap_value_t raw[] = { CAP_NET_RAW };

		r = privdrop("nobody", NULL, raw, 1, err, sizeof(err));
		expect(r == -EPERM && strstr(err, "cap_net_raw is not in the permitted set"),
		       "keeping a dropped cap: %d '%s'", r, err);
	}
	/* Nor can root come back through privdrop. */
	r = privdrop("root", NULL, keep, 1, err, sizeof(err));
	expect(r == -EPERM, "privdrop back to root: %d '%s'", r, err);
	expect(getuid() == uid && geteuid() == uid, "uid changed by the failed drop");
}

START_TEST(test_drop_to_nobody)
{
	in_child(child_nobody_sys_time);
}
END_TEST

static void child_keep_none(void)
{
	char err[256];
	uid_t uid;
	gid_t gid;
	int r;

	uid = nobody_uid(&gid);
	r = privdrop("nobody", "nogroup", NULL, 0, err, sizeof(err));
	if (expect(r == 0, "privdrop: %d %s", r, err))
		expect_state(uid, getgrnam("nogroup") ? getgrnam("nogroup")->gr_gid : gid, 0);
}

START_TEST(test_keep_none)
{
	in_child(child_keep_none);
}
END_TEST

static void child_net_caps(void)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME, CAP_NET_BIND_SERVICE, CAP_NET_RAW };
	char err[256], uid_s[16], gid_s[16];
	uid_t uid;
	gid_t gid;
	int r;

	uid = nobody_uid(&gid);
	/* Numeric ids work as well as names. */
	snprintf(uid_s, sizeof(uid_s), "%u", uid);
	snprintf(gid_s, sizeof(gid_s), "%u", gid);
	r = privdrop(uid_s, gid_s, keep, 3, err, sizeof(err));
	if (expect(r == 0, "privdrop: %d %s", r, err))
		expect_state(uid, gid, BIT(CAP_SYS_TIME) | BIT(CAP_NET_BIND_SERVICE) |
			     BIT(CAP_NET_RAW));
}

START_TEST(test_keep_net_caps)
{
	in_child(child_net_caps);
}
END_TEST

/* user = root: uid 0 stays, the capabilities still go. */
static void child_root_user(void)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME };
	char err[256];
	int r;

	r = privdrop("root", NULL, keep, 1, err, sizeof(err));
	if (expect(r == 0, "privdrop: %d %s", r, err))
		expect_state(0, 0, BIT(CAP_SYS_TIME));
}

START_TEST(test_root_user_loses_caps)
{
	in_child(child_root_user);
}
END_TEST

/*
 * Started the way systemd starts a unit with User=nobody,
 * AmbientCapabilities=CAP_SYS_TIME and CapabilityBoundingSet=CAP_SYS_TIME:
 * already the user, holding the capability (also in the inheritable and
 * ambient sets), no CAP_SETPCAP. privdrop() needs no privilege for that.
 */
static void child_like_systemd_user(void)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME };
	cap_value_t c;
	char err[256];
	cap_t caps;
	uid_t uid;
	gid_t gid;
	int r;

	uid = nobody_uid(&gid);
	for (c = 0; c < cap_max_bits(); c++)
		if (c != CAP_SYS_TIME && cap_drop_bound(c) < 0)
			expect(false, "cap_drop_bound(%d): %s", c, strerror(errno));
	expect(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0, "keepcaps");
	expect(setgroups(1, &gid) == 0 && setresgid(gid, gid, gid) == 0 &&
	       setresuid(uid, uid, uid) == 0, "becoming nobody: %s", strerror(errno));
	caps = cap_init();
	cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET);
	cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET);
	cap_set_flag(caps, CAP_INHERITABLE, 1, keep, CAP_SET);
	expect(cap_set_proc(caps) == 0, "cap_set_proc: %s", strerror(errno));
	cap_free(caps);
	expect(cap_set_ambient(CAP_SYS_TIME, CAP_SET) == 0, "ambient: %s", strerror(errno));
	expect(status_hex("CapAmb") == BIT(CAP_SYS_TIME), "setup: no ambient cap");
	if (child_err[0])
		return;

	r = privdrop("nobody", NULL, keep, 1, err, sizeof(err));
	if (expect(r == 0, "privdrop: %d %s", r, err))
		expect_state(uid, gid, BIT(CAP_SYS_TIME));
	/* A bounding set left wide needs CAP_SETPCAP, which nobody lacks. */
}

START_TEST(test_already_the_user)
{
	in_child(child_like_systemd_user);
}
END_TEST

/* Plain nobody, no capabilities at all, bounding set untouched. */
static void child_unprivileged(void)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME };
	char err[256];
	uid_t uid;
	gid_t gid;
	int r;

	uid = nobody_uid(&gid);
	expect(setgroups(1, &gid) == 0 && setresgid(gid, gid, gid) == 0 &&
	       setresuid(uid, uid, uid) == 0, "becoming nobody: %s", strerror(errno));
	r = privdrop("nobody", NULL, keep, 1, err, sizeof(err));
	expect(r == -EPERM && strstr(err, "cap_sys_time is not in the permitted set"),
	       "keep without having: %d '%s'", r, err);
	r = privdrop("nobody", NULL, NULL, 0, err, sizeof(err));
	expect(r == -EPERM && strstr(err, "from the bounding set") &&
	       strstr(err, "CapabilityBoundingSet="), "bounding set: %d '%s'", r, err);
}

START_TEST(test_unprivileged)
{
	in_child(child_unprivileged);
}
END_TEST

/* ---- errors: reported before anything is changed ----------------------------- */

START_TEST(test_errors_change_nothing)
{
	static const cap_value_t keep[] = { CAP_SYS_TIME };
	const cap_value_t bad[] = { (cap_value_t)999 };
	uint64_t eff = status_hex("CapEff"), bnd = status_hex("CapBnd");
	char err[256], nn[16], nnp[8];
	uid_t uid = getuid();

	status_field("NoNewPrivs", nnp, sizeof(nnp));

	ck_assert_int_eq(privdrop("gnomon-no-such-user", NULL, keep, 1, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "privdrop: user 'gnomon-no-such-user' not found: No such file or directory");
	ck_assert_int_eq(privdrop("nobody", "gnomon-no-such-group", keep, 1, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "group 'gnomon-no-such-group' not found"));
	ck_assert_int_eq(privdrop("nobody", NULL, bad, 1, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "capability 999 unknown"));
	ck_assert_int_eq(privdrop(NULL, NULL, keep, 1, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(privdrop("", NULL, keep, 1, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(privdrop("nobody", "", keep, 1, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(privdrop("nobody", NULL, keep, -1, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(privdrop("nobody", NULL, NULL, 1, NULL, 0), -EINVAL);
	/* A numeric uid without a passwd entry needs its group spelt out. */
	snprintf(nn, sizeof(nn), "%u", 4000000000u);
	ck_assert_int_eq(privdrop(nn, NULL, keep, 1, err, sizeof(err)), -ENOENT);
	ck_assert_uint_eq(status_hex("CapEff"), eff);
	ck_assert_uint_eq(status_hex("CapBnd"), bnd);
	ck_assert_uint_eq(getuid(), uid);
	status_field("NoNewPrivs", err, sizeof(err));
	ck_assert_str_eq(err, nnp);
}
END_TEST

/* ---- preparing a directory for after the drop ------------------------------ */

START_TEST(test_prepare_dir)
{
	char base[64], d[128], link[128], file[128], err[256];
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd;

	uid = nobody_uid(&gid);
	snprintf(base, sizeof(base), "/tmp/gnomon-test-privdrop-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(d, sizeof(d), "%s/run", base);
	snprintf(link, sizeof(link), "%s/link", base);
	snprintf(file, sizeof(file), "%s/file", base);

	/* Created, then given away; again on an existing directory. */
	ck_assert_msg(privdrop_prepare_dir(d, "nobody", NULL, 0750, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert_uint_eq(st.st_gid, gid);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(chown(d, 0, 0), 0);
	ck_assert_msg(privdrop_prepare_dir(d, "nobody", "root", 0755, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert_uint_eq(st.st_gid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);

	/* A symlink is refused and its target left alone. */
	ck_assert_int_eq(chown(d, 0, 0), 0);
	ck_assert_int_eq(symlink(d, link), 0);
	ck_assert_int_eq(privdrop_prepare_dir(link, "nobody", NULL, 0755, err, sizeof(err)), -ELOOP);
	ck_assert_ptr_nonnull(strstr(err, link));
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);

	fd = open(file, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(privdrop_prepare_dir(file, "nobody", NULL, 0755, err, sizeof(err)), -ENOTDIR);
	ck_assert_int_eq(privdrop_prepare_dir(d, "gnomon-no-such-user", NULL, 0755, err, sizeof(err)),
			 -ENOENT);
	ck_assert_int_eq(privdrop_prepare_dir("run/gnomon", "nobody", NULL, 0755, err, sizeof(err)),
			 -EINVAL);
	snprintf(file, sizeof(file), "%s/no/parent", base);
	ck_assert_int_eq(privdrop_prepare_dir(file, "nobody", NULL, 0755, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "mkdir"));

	unlink(link);
	snprintf(file, sizeof(file), "%s/file", base);
	unlink(file);
	rmdir(d);
	ck_assert_int_eq(rmdir(base), 0);
}
END_TEST

START_TEST(test_root_all_caps)
{
	uint64_t eff = status_hex("CapEff"), bnd = status_hex("CapBnd");
	int want = geteuid() == 0 && (eff & bnd) == bnd && (eff & BIT(CAP_SYS_ADMIN));

	ck_assert_int_eq(privdrop_check_root_all_caps(), want);
	if (geteuid() == 0)
		printf("test_privdrop: root with all caps here: %d (CapEff %016" PRIx64
		       ", CapBnd %016" PRIx64 ")\n", want, eff, bnd);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("privdrop");
	TCase *tc = tcase_create("privdrop");

	/* the drops need root: without it they are not run, and said to be */
	if (geteuid() == 0) {
		tcase_add_test(tc, test_drop_to_nobody);
		tcase_add_test(tc, test_keep_none);
		tcase_add_test(tc, test_keep_net_caps);
		tcase_add_test(tc, test_root_user_loses_caps);
		tcase_add_test(tc, test_already_the_user);
		tcase_add_test(tc, test_unprivileged);
		tcase_add_test(tc, test_prepare_dir);
	} else {
		printf("SKIP test_privdrop: 7 drop tests need root\n");
	}
	tcase_add_test(tc, test_errors_change_nothing);
	tcase_add_test(tc, test_root_all_caps);
	suite_add_tcase(s, tc);
	return s;
}
