// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timerfd in virtual time (fs/timerfd.c semantics): relative timers run on
 * CLOCK_MONOTONIC (the kernel moves relative CLOCK_REALTIME timers there
 * too), absolute ones on their clock, so a CLOCK_REALTIME step moves them.
 * TFD_TIMER_CANCEL_ON_SET is accepted but not emulated.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "tests/sim/sim.h"

void simtimer_update(struct sim *s, struct simfd *f)
{
	int64_t now, n, off;

	if (!f->deadline)
		return;
	/* the clock as the program's CPU reads it; a wait fault may fire the
	 * timer early (health_wait_skew() includes that offset) */
	off = health_cpu_offset(s->w);
	now = sys_value(s->w, f->tclock, (double)off);
	if (now < f->deadline - (health_wait_skew(s->w, f->tclock, f->abs) - off))
		return;
	if (now < f->deadline) {
		s->woke_early = true;
		now = f->deadline;
	}
	if (f->interval > 0) {
		n = 1 + (now - f->deadline) / f->interval;
		f->ticks += (uint64_t)n;
		f->deadline += n * f->interval;
	} else {
		f->ticks++;
		f->deadline = 0;
	}
}

int64_t simtimer_next(struct sim *s, const struct simfd *f)
{
	return f->deadline ? sys_when(s->w, f->tclock, f->deadline -
				      health_wait_skew(s->w, f->tclock, f->abs)) : INT64_MAX;
}

static bool valid_ts(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NS_PER_S;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static void ns_ts(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / NS_PER_S;
	ts->tv_nsec = ns % NS_PER_S;
}

static struct simfd *timer_of(struct sim *s, int fd)
{
	struct simfd *f = simfd_get(s, fd);

	return f && f->kind == SIMFD_TIMER ? f : NULL;
}

int timerfd_create(int clockid, int flags)
{
	struct sim *s = sim_get();
	struct simfd proto = { .kind = SIMFD_TIMER };
	int fd;

	if (!s) {
		errno = ENOSYS;
		return -1;
	}
	if ((clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME &&
	     clockid != CLOCK_BOOTTIME && clockid != CLOCK_REALTIME_ALARM &&
	     clockid != CLOCK_BOOTTIME_ALARM) || (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))) {
		errno = EINVAL;
		return -1;
	}
	proto.tclock = clockid == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME :
		       clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME : clockid;
	if ((fd = simfd_placeholder((flags & TFD_CLOEXEC ? O_CLOEXEC : 0) |
				    (flags & TFD_NONBLOCK ? O_NONBLOCK : 0))) < 0)
		return -1;
	if (simfd_attach(s, fd, &proto)) {
		real.close(fd);
		errno = EMFILE;
		return -1;
	}
	return fd;
}

int timerfd_gettime(int fd, struct itimerspec *cur)
{
	struct sim *s = sim_get();
	struct simfd *f = s ? timer_of(s, fd) : NULL;
	int64_t left = 0;

	if (!f) {
		errno = EINVAL;
		return -1;
	}
	simtimer_update(s, f);
	if (f->deadline) {
		left = f->deadline - sys_value(s->w, f->tclock, (double)health_cpu_offset(s->w));
		if (left < 1)
			left = 1;
	}
	ns_ts(left, &cur->it_value);
	ns_ts(f->interval, &cur->it_interval);
	return 0;
}

int timerfd_settime(int fd, int flags, const struct itimerspec *nv, struct itimerspec *old)
{
	struct sim *s = sim_get();
	struct simfd *f = s ? timer_of(s, fd) : NULL;
	int64_t v;

	if (!f) {
		errno = EINVAL;
		return -1;
	}
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !valid_ts(&nv->it_value) || !valid_ts(&nv->it_interval)) {
		errno = EINVAL;
		return -1;
	}
	if (old && timerfd_gettime(fd, old))
		return -1;
	f->ticks = 0;
	f->interval = ts_ns(&nv->it_interval);
	f->abs = flags & TFD_TIMER_ABSTIME;
	v = ts_ns(&nv->it_value);
	if (!v) {
		f->deadline = 0;
	} else if (flags & TFD_TIMER_ABSTIME) {
		f->deadline = v;
	} else {
		if (f->tclock == CLOCK_REALTIME)
			f->tclock = CLOCK_MONOTONIC;
		f->deadline = sys_value(s->w, f->tclock, (double)health_cpu_offset(s->w)) + v;
	}
	return 0;
}

ssize_t simtimer_read(struct sim *s, int fd, void *buf, size_t count)
{
	struct simfd *f = timer_of(s, fd);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t n;
	int r;

	if (count < sizeof(uint64_t)) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		simtimer_update(s, f);
		if (f->ticks)
			break;
		if (simfd_nonblock(fd)) {
			errno = EAGAIN;
			return -1;
		}
		if ((r = vt_poll(s, &pfd, 1, NULL, NULL)) < 0) {
			errno = -r;
			return -1;
		}
	}
	n = f->ticks;
	f->ticks = 0;
	memcpy(buf, &n, sizeof(n));
	return sizeof(n);
}
