// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Virtual time, checked from a program (vtime.scn): time moves only in
 * blocking calls and by exactly what they ask; real descriptors keep
 * working; timerfd; the things the simulator refuses; the second wall.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <unistd.h>
#include <linux/capability.h>

#include "tap.h"

#define NS 1000000000LL

int capget(cap_user_header_t hdr, cap_user_data_t data);	/* glibc has no prototype */
#define COST 20		/* vtime.scn: system read_delay 20 ns */

static int64_t real_mono(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);	/* served by the simulator too */
	return ts.tv_sec * NS + ts.tv_nsec;
}

static void test_blocking(void)
{
	volatile unsigned long x = 0;
	int64_t t0, t1;
	struct timeval tv = { 0, 300000 };
	struct timespec ts = { 0, 250000000 };
	unsigned long i;

	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < 20000000; i++)
		x += i;
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == COST, "busy_loop_no_time", "advanced %lld", (long long)(t1 - t0));
	t0 = now_ns(CLOCK_MONOTONIC);
	poll(NULL, 0, 1500);
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == 1500000000LL + COST, "poll_advances_exactly", "%lld", (long long)(t1 - t0));
	t0 = now_ns(CLOCK_MONOTONIC);
	nanosleep(&ts, NULL);
	usleep(250000);
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == 500000000LL + COST, "nanosleep_usleep", "%lld", (long long)(t1 - t0));
	t0 = now_ns(CLOCK_MONOTONIC);
	check(select(0, NULL, NULL, NULL, &tv) == 0 && tv.tv_usec == 0, "select_timeout",
	      "tv %ld", (long)tv.tv_usec);
	ts.tv_sec = (t0 + NS) / NS;
	ts.tv_nsec = (t0 + NS) % NS;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == NS, "clock_nanosleep_abstime", "%lld", (long long)(t1 - t0));
	t0 = now_ns(CLOCK_REALTIME);
	sleep(2);
	t1 = now_ns(CLOCK_REALTIME);
	check(llabs(t1 - t0 - 2 * NS) < 1000, "sleep_realtime", "%lld", (long long)(t1 - t0));
	check(labs(time(NULL) - t1 / NS) <= 1, "time_matches", "time %ld", (long)time(NULL));
}

static void test_real_fds(void)
{
	struct pollfd p;
	int pfd[2];
	int64_t t0, t1, r0;

	if (pipe(pfd))
		return;
	p.fd = pfd[0];
	p.events = POLLIN;
	check(write(pfd[1], "x", 1) == 1, "pipe_write", "errno=%d", errno);
	t0 = now_ns(CLOCK_MONOTONIC);
	check(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "real_fd_ready", "revents %d", p.revents);
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == COST, "real_fd_ready_no_time", "%lld", (long long)(t1 - t0));
	check(read(pfd[0], &t0, 1) == 1, "pipe_read", "errno=%d", errno);
	r0 = real_mono();
	t0 = now_ns(CLOCK_MONOTONIC);
	check(poll(&p, 1, 30000) == 0, "real_fd_timeout", "not 0");
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == 30 * NS + COST, "real_fd_timeout_virtual", "%lld", (long long)(t1 - t0));
	check(r0 > 0, "raw_syscall_clock_read", "r0 %lld", (long long)r0);
	close(pfd[0]);
	close(pfd[1]);
}

static void test_timerfd(void)
{
	struct itimerspec its = { { 0, 100000000 }, { 0, 250000000 } };
	struct pollfd p;
	uint64_t n = 0;
	int64_t t0, t1;
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);

	check(fd >= 0, "timerfd_create", "errno=%d", errno);
	t0 = now_ns(CLOCK_MONOTONIC);
	timerfd_settime(fd, 0, &its, NULL);
	p.fd = fd;
	p.events = POLLIN;
	check(poll(&p, 1, -1) == 1, "timerfd_poll", "revents %d", p.revents);
	t1 = now_ns(CLOCK_MONOTONIC);
	check(t1 - t0 == 250000000 + COST, "timerfd_first_expiry", "%lld", (long long)(t1 - t0));
	check(read(fd, &n, 8) == 8 && n == 1, "timerfd_read_1", "n %llu", (unsigned long long)n);
	poll(NULL, 0, 1000);
	check(read(fd, &n, 8) == 8 && n == 10, "timerfd_interval_count", "n %llu",
	      (unsigned long long)n);
	check(read(fd, &n, 8) == 8 && n == 1, "timerfd_blocking_read", "n %llu",
	      (unsigned long long)n);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	check(read(fd, &n, 8) < 0 && errno == EAGAIN, "timerfd_nonblock_eagain", "errno=%d", errno);
	close(fd);
}

/* A decimal number from /proc/self/status, -1 if the field is missing. */
static long long status_field(const char *field)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	long long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = strtoll(line + strlen(field), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int cap_bit(const char *field)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long v = 0;
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) && sscanf(line + strlen(field), "%llx", &v) == 1)
			found = 1;
	if (f)
		fclose(f);
	return found ? (int)((v >> CAP_SYS_TIME) & 1) : -1;
}

/* adjtimex with an invalid tick, straight to the kernel: EPERM without
 * CAP_SYS_TIME (checked first), EINVAL with it; it never changes anything. */
static long raw_adjtimex_probe(void)
{
#if defined(__x86_64__)
	struct timex tx;
	long ret;

	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_TICK;
	tx.tick = 1;
	__asm__ volatile ("syscall" : "=a"(ret) : "0"((long)SYS_adjtimex), "D"(&tx)
			  : "rcx", "r11", "memory");
	return ret;
#else
	return -EPERM;
#endif
}

static void test_walls(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct timeval tv = { 0, 0 };
	struct timezone tz = { 0, 0 };
	timer_t tid;

	check(epoll_create1(0) < 0 && errno == ENOSYS, "epoll_refused", "errno=%d", errno);
	check(timer_create(CLOCK_MONOTONIC, NULL, &tid) < 0, "timer_create_refused", "ok");
	check(syscall(SYS_clock_settime, CLOCK_REALTIME, &tv) < 0 && errno == EPERM,
	      "raw_settime_refused", "errno=%d", errno);
	check(settimeofday(&tv, &tz) < 0 && errno == EPERM, "settimeofday_tz_refused", "errno=%d",
	      errno);
	/* the bounding set keeps it if the runner could not drop it (not
	 * root): then no_new_privs stops an exec from granting it */
	check(cap_bit("CapEff:\t") == 0 && cap_bit("CapPrm:\t") == 0 &&
	      (cap_bit("CapBnd:\t") == 0 || status_field("NoNewPrivs:\t") == 1),
	      "no_real_cap_sys_time", "eff %d bnd %d", cap_bit("CapEff:\t"), cap_bit("CapBnd:\t"));
	check(raw_adjtimex_probe() == -EPERM, "kernel_refuses_raw_adjtimex", "got %ld",
	      raw_adjtimex_probe());
	check(status_field("Seccomp:\t") == 2, "seccomp_filter_on", "Seccomp %lld",
	      status_field("Seccomp:\t"));
	if (getuid() == 0)
		check(capget(&h, d) == 0 && (d[0].effective & (1u << CAP_SYS_TIME)),
		      "virtual_cap_sys_time", "eff %#x", d[0].effective);
}

static volatile sig_atomic_t quit;
static void (*got_old)(int);

static void on_term(int sig)
{
	(void)sig;
	quit = 1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_term }, old;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGTERM, NULL, &old);
	got_old = old.sa_handler;
	check(got_old == on_term, "sigaction_shows_own_handler", "other");
	test_blocking();
	test_real_fds();
	test_timerfd();
	test_walls();
	while (!quit)
		pause();
	return tap_failed ? 1 : 0;
}
