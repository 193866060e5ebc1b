// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls the simulator does not model, refused loudly instead of silently
 * reaching the kernel or running in real time: raw clock-changing system
 * calls, POSIX timers, setitimer/alarm (they would fire in real time),
 * epoll (waits the simulator cannot see). Raw clock reads are served.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

static long refuse(int err, const char *what)
{
	sim_unsupported("%s", what);
	errno = err;
	return -1;
}

long syscall(long n, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	real_init();
	switch (n) {
	case SYS_clock_settime:
	case SYS_clock_adjtime:
	case SYS_adjtimex:
	case SYS_settimeofday:
		return refuse(EPERM, "raw clock-changing syscall()");
	case SYS_clock_gettime:
		return clock_gettime((clockid_t)a[0], (struct timespec *)a[1]);
	case SYS_capget:
		return capget((cap_user_header_t)a[0], (cap_user_data_t)a[1]);
	case SYS_capset:
		return capset((cap_user_header_t)a[0], (cap_user_data_t)a[1]);
	default:
		return real.syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
}

int timer_create(clockid_t clk, struct sigevent *sev, timer_t *id)
{
	(void)clk;
	(void)sev;
	(void)id;
	return (int)refuse(ENOTSUP, "timer_create (POSIX timers); use timerfd or poll timeouts");
}

int setitimer(__itimer_which_t which, const struct itimerval *nv, struct itimerval *old)
{
	if (old) {
		old->it_value.tv_sec = old->it_value.tv_usec = 0;
		old->it_interval.tv_sec = old->it_interval.tv_usec = 0;
	}
	(void)which;
	if (!nv || (!nv->it_value.tv_sec && !nv->it_value.tv_usec))
		return 0;
	return (int)refuse(ENOTSUP, "setitimer (it would fire in real time)");
}

unsigned int alarm(unsigned int sec)
{
	if (sec)
		refuse(ENOTSUP, "alarm (it would fire in real time); not armed");
	return 0;
}

int epoll_create(int size)
{
	(void)size;
	return (int)refuse(ENOSYS, "epoll (waits the simulator cannot see); use poll");
}

int epoll_create1(int flags)
{
	(void)flags;
	return (int)refuse(ENOSYS, "epoll (waits the simulator cannot see); use poll");
}
