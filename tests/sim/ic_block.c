// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The blocking calls, all mapped onto vt_poll(): poll, ppoll, select,
 * pselect, nanosleep, clock_nanosleep, usleep, sleep (and the _FORTIFY_SOURCE
 * entry points). Timeouts run on CLOCK_MONOTONIC as in the kernel; relative
 * sleeps on CLOCK_REALTIME too, absolute ones on their own clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

static bool bad_ts(const struct timespec *ts)
{
	return ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;

	if (!s)
		return real.poll(fds, n, timeout);
	if (timeout >= 0)
		vt_after(s, (int64_t)timeout * 1000000, &dl);
	return ret_errno(vt_poll(s, fds, n, timeout >= 0 ? &dl : NULL, NULL));
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort();
	return poll(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;

	if (!s)
		return real.ppoll(fds, n, ts, mask);
	if (ts && bad_ts(ts))
		return ret_errno(-EINVAL);
	if (ts)
		vt_after(s, ts_ns(ts), &dl);
	return ret_errno(vt_poll(s, fds, n, ts ? &dl : NULL, mask));
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		const sigset_t *mask, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts,
		const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		abort();
	return ppoll(fds, n, ts, mask);
}

/* select() through poll: build the set, wait, translate back. */
static int select_common(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
			 const struct vt_deadline *dl, const sigset_t *mask)
{
	struct sim *s = sim_get();
	struct pollfd pfd[FD_SETSIZE];
	int i, n = 0, r, count = 0;

	if (nfds < 0 || nfds > FD_SETSIZE)
		return ret_errno(-EINVAL);
	for (i = 0; i < nfds; i++) {
		short ev = (rd && FD_ISSET(i, rd) ? POLLIN : 0) |
			   (wr && FD_ISSET(i, wr) ? POLLOUT : 0) |
			   (ex && FD_ISSET(i, ex) ? POLLPRI : 0);

		if (ev)
			pfd[n++] = (struct pollfd){ .fd = i, .events = ev };
	}
	if ((r = vt_poll(s, pfd, (nfds_t)n, dl, mask)) < 0)
		return ret_errno(r);
	for (i = 0; i < n; i++)
		if (pfd[i].revents & POLLNVAL)
			return ret_errno(-EBADF);
	if (rd)
		FD_ZERO(rd);
	if (wr)
		FD_ZERO(wr);
	if (ex)
		FD_ZERO(ex);
	for (i = 0; r > 0 && i < n; i++) {
		short re = pfd[i].revents;

		if (rd && (pfd[i].events & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(pfd[i].fd, rd);
			count++;
		}
		if (wr && (pfd[i].events & POLLOUT) && (re & (POLLOUT | POLLERR))) {
			FD_SET(pfd[i].fd, wr);
			count++;
		}
		if (ex && (pfd[i].events & POLLPRI) && (re & POLLPRI)) {
			FD_SET(pfd[i].fd, ex);
			count++;
		}
	}
	return count;
}

static int64_t left_ns(struct sim *s, const struct vt_deadline *dl)
{
	int64_t left = dl->value - sys_value(s->w, dl->clock, (double)health_cpu_offset(s->w));

	return left > 0 ? left : 0;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;
	int r;

	if (!s)
		return real.select(nfds, rd, wr, ex, tv);
	if (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000))
		return ret_errno(-EINVAL);
	if (tv)
		vt_after(s, (int64_t)tv->tv_sec * NS_PER_S + tv->tv_usec * 1000, &dl);
	r = select_common(nfds, rd, wr, ex, tv ? &dl : NULL, NULL);
	if (tv && (r >= 0 || errno == EINTR)) {	/* Linux writes back the time left */
		int64_t left = left_ns(s, &dl);

		tv->tv_sec = left / NS_PER_S;
		tv->tv_usec = left % NS_PER_S / 1000;
	}
	return r;
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
	    const sigset_t *mask)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;

	if (!s)
		return real.pselect(nfds, rd, wr, ex, ts, mask);
	if (ts && bad_ts(ts))
		return ret_errno(-EINVAL);
	if (ts)
		vt_after(s, ts_ns(ts), &dl);
	return select_common(nfds, rd, wr, ex, ts ? &dl : NULL, mask);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;
	int r;

	if (!s)
		return real.nanosleep(req, rem);
	if (bad_ts(req))
		return ret_errno(-EINVAL);
	vt_after(s, ts_ns(req), &dl);
	r = vt_poll(s, NULL, 0, &dl, NULL);
	if (r == -EINTR && rem) {
		int64_t left = left_ns(s, &dl);

		rem->tv_sec = left / NS_PER_S;
		rem->tv_nsec = left % NS_PER_S;
	}
	return ret_errno(r < 0 ? r : 0);
}

int __nanosleep(const struct timespec *req, struct timespec *rem);
int __nanosleep(const struct timespec *req, struct timespec *rem)
{
	return nanosleep(req, rem);
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
		    struct timespec *rem)
{
	struct sim *s = sim_get();
	struct vt_deadline dl;
	int r;

	if (!s)
		return real.clock_nanosleep(clk, flags, req, rem);
	if (clk < 0)
		return clk & 7 ? EINVAL : EOPNOTSUPP;	/* CPU clocks; PHCs cannot sleep */
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_TAI && clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME_ALARM) {
		sim_unsupported("clock_nanosleep on clock %d", (int)clk);
		return EINVAL;
	}
	if (bad_ts(req))
		return EINVAL;
	if (!(flags & TIMER_ABSTIME)) {
		vt_after(s, ts_ns(req), &dl);
	} else {
		dl.clock = clk == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME :
			   clk == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME : clk;
		dl.value = ts_ns(req);
		dl.abs = true;
	}
	r = vt_poll(s, NULL, 0, &dl, NULL);
	if (r == -EINTR && rem && !(flags & TIMER_ABSTIME)) {
		int64_t left = left_ns(s, &dl);

		rem->tv_sec = left / NS_PER_S;
		rem->tv_nsec = left % NS_PER_S;
	}
	return r < 0 ? -r : 0;
}

int usleep(useconds_t us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	return nanosleep(&ts, NULL);
}

unsigned int sleep(unsigned int sec)
{
	struct timespec ts = { sec, 0 }, rem = { 0, 0 };

	if (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		return (unsigned int)rem.tv_sec + (rem.tv_nsec > 0);
	return 0;
}

int pause(void)
{
	struct sim *s = sim_get();

	if (!s) {
		sigset_t none;

		sigemptyset(&none);
		return sigsuspend(&none);	/* same as pause() for a handled signal */
	}
	/* virtual time runs on until a signal (at the latest the end's SIGTERM) */
	vt_poll(s, NULL, 0, NULL, NULL);
	return ret_errno(-EINTR);
}
