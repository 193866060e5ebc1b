// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sd_notify against a real AF_UNIX datagram socket the test binds, both a
 * path and an abstract name, the way systemd's manager receives: exact
 * payloads, the sender's credentials, silence without NOTIFY_SOCKET, the
 * address errors, and the WATCHDOG_USEC/WATCHDOG_PID rules. Delivery on a
 * Unix datagram socket is complete when sendto() returns, so every receive
 * is non-blocking: no timing anywhere.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/lifecycle/sdnotify.h"

Suite *unit_suite(void);

struct rx {
	int fd;
	char path[108];		/* "" for an abstract socket */
	char env[112];		/* the NOTIFY_SOCKET value */
};

/* Bind a receiver at a fresh path (abstract: a fresh "@name"). */
static void rx_open(struct rx *r, int abstract)
{
	static int seq;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_int_eq(setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	if (abstract) {
		snprintf(r->env, sizeof(r->env), "@gnomon-test-notify-%ld-%d", (long)getpid(), seq++);
		memcpy(sa.sun_path, r->env, strlen(r->env));
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(r->env));
	} else {
		snprintf(r->path, sizeof(r->path), "/tmp/gnomon-test-notify-%ld-%d",
			 (long)getpid(), seq++);
		unlink(r->path);
		snprintf(r->env, sizeof(r->env), "%s", r->path);
		strcpy(sa.sun_path, r->path);
		len = sizeof(sa);
	}
	ck_assert_msg(bind(r->fd, (struct sockaddr *)&sa, len) == 0, "bind %s: %s",
		      r->env, strerror(errno));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", r->env, 1), 0);
}

static void rx_close(struct rx *r)
{
	close(r->fd);
	if (r->path[0])
		unlink(r->path);
	unsetenv("NOTIFY_SOCKET");
}

/* Receive one waiting datagram; returns its length, -1 if none waits. */
static ssize_t rx_get(struct rx *r, char *buf, size_t len, pid_t *sender)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (sender) {
		*sender = 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				*sender = ((struct ucred *)(void *)CMSG_DATA(c))->pid;
	}
	return n;
}

static void expect_msg(struct rx *r, const char *want)
{
	char buf[SDNOTIFY_MSG_MAX + 16];
	pid_t pid;

	ck_assert_msg(rx_get(r, buf, sizeof(buf), &pid) >= 0, "no datagram for \"%s\"", want);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(pid, getpid());
}

static void expect_none(struct rx *r)
{
	char buf[64];

	ck_assert_int_eq(rx_get(r, buf, sizeof(buf), NULL), -1);
}

/* ---- sending ------------------------------------------------------------- */

START_TEST(test_unset_is_silent)
{
	struct rx r;

	rx_open(&r, 0);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_ready(), 0);
	ck_assert_int_eq(sdnotify_watchdog(), 0);
	ck_assert_int_eq(sdnotify_stopping(), 0);
	ck_assert_int_eq(sdnotify_reloading(), 0);
	ck_assert_int_eq(sdnotify_status("x"), 0);
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	expect_none(&r);
	rx_close(&r);
}
END_TEST

static void send_all(struct rx *r)
{
	ck_assert_int_eq(sdnotify_ready(), 1);
	expect_msg(r, "READY=1");
	ck_assert_int_eq(sdnotify_watchdog(), 1);
	expect_msg(r, "WATCHDOG=1");
	ck_assert_int_eq(sdnotify_stopping(), 1);
	expect_msg(r, "STOPPING=1");
	ck_assert_int_eq(sdnotify_status("2 clocks LOCKED, max |offset| 31 ns"), 1);
	expect_msg(r, "STATUS=2 clocks LOCKED, max |offset| 31 ns");
	ck_assert_int_eq(sdnotify_send("STATUS=reloaded\nREADY=1"), 1);
	expect_msg(r, "STATUS=reloaded\nREADY=1");
	expect_none(r);
}

START_TEST(test_path_socket)
{
	struct rx r;

	rx_open(&r, 0);
	send_all(&r);
	rx_close(&r);
}
END_TEST

START_TEST(test_abstract_socket)
{
	struct rx r;

	rx_open(&r, 1);
	send_all(&r);
	rx_close(&r);
}
END_TEST

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

START_TEST(test_reloading_monotonic)
{
	char buf[128], *end;
	const char *pfx = "RELOADING=1\nMONOTONIC_USEC=";
	uint64_t before, after, v;
	struct rx r;

	rx_open(&r, 0);
	before = mono_us();
	ck_assert_int_eq(sdnotify_reloading(), 1);
	after = mono_us();
	ck_assert_int_gt(rx_get(&r, buf, sizeof(buf), NULL), 0);
	ck_assert_msg(strncmp(buf, pfx, strlen(pfx)) == 0, "got \"%s\"", buf);
	v = strtoull(buf + strlen(pfx), &end, 10);
	ck_assert_int_eq(*end, '\0');
	ck_assert_uint_ge(v, before);
	ck_assert_uint_le(v, after);
	rx_close(&r);
}
END_TEST

START_TEST(test_status_sanitised)
{
	char buf[SDNOTIFY_MSG_MAX + 16], *big;
	struct rx r;
	ssize_t n;

	rx_open(&r, 0);
	ck_assert_int_eq(sdnotify_status("line one\nREADY=1\ttab\x7f"), 1);
	expect_msg(&r, "STATUS=line one READY=1 tab ");
	ck_assert_int_eq(sdnotify_status(""), 1);
	expect_msg(&r, "STATUS=");
	ck_assert_int_eq(sdnotify_status(NULL), -EINVAL);

	big = malloc(3 * SDNOTIFY_MSG_MAX);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 3 * SDNOTIFY_MSG_MAX - 1);
	big[3 * SDNOTIFY_MSG_MAX - 1] = '\0';
	ck_assert_int_eq(sdnotify_status(big), 1);
	n = rx_get(&r, buf, sizeof(buf), NULL);
	ck_assert_int_eq(n, SDNOTIFY_MSG_MAX);
	ck_assert_int_eq(strncmp(buf, "STATUS=xxx", 10), 0);
	free(big);
	rx_close(&r);
}
END_TEST

START_TEST(test_message_errors)
{
	char big[SDNOTIFY_MSG_MAX + 2];
	struct rx r;

	rx_open(&r, 0);
	ck_assert_int_eq(sdnotify_send(""), -EINVAL);
	ck_assert_int_eq(sdnotify_send(NULL), -EINVAL);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(sdnotify_send(big), -EMSGSIZE);
	big[SDNOTIFY_MSG_MAX] = '\0';
	ck_assert_int_eq(sdnotify_send(big), 1);
	ck_assert_int_gt(rx_get(&r, big, sizeof(big), NULL), 0);
	expect_none(&r);
	rx_close(&r);
}
END_TEST

START_TEST(test_address_errors)
{
	char longpath[200];
	int rc;

	setenv("NOTIFY_SOCKET", "run/systemd/notify", 1);
	ck_assert_int_eq(sdnotify_ready(), -EINVAL);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	ck_assert_int_eq(sdnotify_ready(), -EAFNOSUPPORT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longpath, 1);
	ck_assert_int_eq(sdnotify_ready(), -ENAMETOOLONG);
	longpath[0] = '@';
	setenv("NOTIFY_SOCKET", longpath, 1);
	ck_assert_int_eq(sdnotify_ready(), -ENAMETOOLONG);
	/* Nobody listening: the error comes back, nothing crashes. */
	setenv("NOTIFY_SOCKET", "/tmp/gnomon-test-notify-nobody-listens", 1);
	unlink("/tmp/gnomon-test-notify-nobody-listens");
	rc = sdnotify_ready();
	ck_assert_msg(rc == -ENOENT || rc == -ECONNREFUSED, "rc %d", rc);
	setenv("NOTIFY_SOCKET", "@gnomon-test-notify-nobody-listens", 1);
	ck_assert_int_eq(sdnotify_ready(), -ECONNREFUSED);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(test_no_fd_leak)
{
	struct rx r;
	char buf[64];
	int before, i;

	rx_open(&r, 1);
	before = count_fds();
	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(sdnotify_watchdog(), 1);
		ck_assert_int_gt(rx_get(&r, buf, sizeof(buf), NULL), 0);
	}
	setenv("NOTIFY_SOCKET", "/tmp/gnomon-test-notify-nobody-listens", 1);
	for (i = 0; i < 50; i++)
		ck_assert_int_lt(sdnotify_watchdog(), 0);
	ck_assert_int_eq(count_fds(), before);
	rx_close(&r);
}
END_TEST

/* ---- WATCHDOG_USEC ------------------------------------------------------- */

START_TEST(test_watchdog_usec)
{
	char pid[32];
	uint64_t us = 7;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), 0);
	ck_assert_uint_eq(us, 7);

	setenv("WATCHDOG_USEC", "10000000", 1);
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), 1);
	ck_assert_uint_eq(us, 10000000);
	ck_assert_int_eq(sdnotify_watchdog_usec(NULL), 1);

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	us = 0;
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), 1);
	ck_assert_uint_eq(us, 10000000);

	/* Inherited from a parent: meant for someone else. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), 0);
	setenv("WATCHDOG_PID", "12ab", 1);
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), -EINVAL);
	setenv("WATCHDOG_PID", "0", 1);
	ck_assert_int_eq(sdnotify_watchdog_usec(&us), -EINVAL);
	unsetenv("WATCHDOG_PID");
}
END_TEST

START_TEST(test_watchdog_usec_malformed)
{
	static const char *const bad[] = {
		"", "0", "-5", " 5", "5 ", "5s", "abc", "+5", "99999999999999999999999",
	};
	uint64_t us = 42;
	size_t i;

	unsetenv("WATCHDOG_PID");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("WATCHDOG_USEC", bad[i], 1);
		ck_assert_msg(sdnotify_watchdog_usec(&us) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_uint_eq(us, 42);
	}
	unsetenv("WATCHDOG_USEC");
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *tc = tcase_create("sdnotify");

	tcase_add_test(tc, test_unset_is_silent);
	tcase_add_test(tc, test_path_socket);
	tcase_add_test(tc, test_abstract_socket);
	tcase_add_test(tc, test_reloading_monotonic);
	tcase_add_test(tc, test_status_sanitised);
	tcase_add_test(tc, test_message_errors);
	tcase_add_test(tc, test_address_errors);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_watchdog_usec);
	tcase_add_test(tc, test_watchdog_usec_malformed);
	suite_add_tcase(s, tc);
	return s;
}
