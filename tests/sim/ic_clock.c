// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Clock reads and corrections: clock_gettime/gettimeofday/time,
 * clock_settime/settimeofday, adjtimex/ntp_adjtime/clock_adjtime,
 * ntp_gettime(x), adjtime, clock_getres. System clock ids go to the
 * simulated system clock, FD_TO_CLOCKID() ids of simulated /dev/ptpN to the
 * simulated PHC, CPU-time clocks to the kernel (they change nothing).
 * Anything else that would change a clock is refused loudly (EPERM) and
 * never reaches the kernel.
 */
#include <errno.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

#define CLOCKFD 3

enum sim_clock_kind sim_clock_kind(struct sim *s, clockid_t clk, int *c, struct simfd **f)
{
	switch (clk) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: case CLOCK_TAI:
		*c = SC_SYS;
		return SCK_SYS;
	case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
		return SCK_CPU;
	default:
		break;
	}
	if (clk >= 0)
		return SCK_BAD;
	if ((clk & 7) != CLOCKFD)
		return SCK_CPU;		/* another process's or thread's CPU clock */
	*f = simfd_get(s, ~(clk >> 3));
	if (!*f || (*f)->kind != SIMFD_PHC)
		return SCK_BAD;
	*c = (*f)->clock;
	/* unplugged since it was opened: every call fails until a reopen */
	if ((*f)->gen != s->w->phc[*c].gen)
		return SCK_DEAD;
	return SCK_PHC;
}

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static int gettime(struct sim *s, clockid_t clk, struct timespec *ts)
{
	struct simfd *f = NULL;
	int c = 0, r;

	switch (sim_clock_kind(s, clk, &c, &f)) {
	case SCK_SYS:
		r = sys_gettime(s->w, clk, ts);
		break;
	case SCK_PHC:
		r = phc_gettime(s->w, c, ts);
		break;
	case SCK_CPU:
		return real.clock_gettime(clk, ts);
	case SCK_DEAD:
		return ret_errno(-ENODEV);
	default:
		return ret_errno(-EINVAL);
	}
	sim_end_check(s);
	return ret_errno(r);
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	struct sim *s = sim_get();

	return s ? gettime(s, clk, ts) : real.clock_gettime(clk, ts);
}

/* glibc declares tv nonnull, yet callers pass NULL to read only tz. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnonnull-compare"
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	if (tz) {
		struct timezone *z = tz;

		z->tz_minuteswest = 0;
		z->tz_dsttime = 0;
	}
	return 0;
}
#pragma GCC diagnostic pop

time_t time(time_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return (time_t)-1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int clock_getres(clockid_t clk, struct timespec *res)
{
	struct sim *s = sim_get();
	struct simfd *f = NULL;
	int c;

	if (!s)
		return real.clock_getres(clk, res);
	switch (sim_clock_kind(s, clk, &c, &f)) {
	case SCK_CPU:
		return real.clock_getres(clk, res);
	case SCK_BAD:
		return ret_errno(-EINVAL);
	case SCK_DEAD:
		return ret_errno(-ENODEV);
	default:
		break;
	}
	if (res) {
		res->tv_sec = 0;	/* hrtimers: 1 ns; coarse clocks: a 250 Hz tick */
		res->tv_nsec = clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE ?
			       4000000 : 1;
	}
	return 0;
}

int clock_settime(clockid_t clk, const struct timespec *ts)
{
	struct sim *s = sim_get();
	struct simfd *f = NULL;
	int c;

	if (!s) {
		sim_unsupported("clock_settime(%d) before the simulator is ready", (int)clk);
		return ret_errno(-EPERM);
	}
	switch (sim_clock_kind(s, clk, &c, &f)) {
	case SCK_SYS:
		if (clk != CLOCK_REALTIME)
			return ret_errno(-EINVAL);	/* not settable */
		return ret_errno(sys_settime(s->w, ts));
	case SCK_PHC:
		if (!f->writable)
			return ret_errno(-EACCES);
		return ret_errno(phc_settime(s->w, c, ts));
	case SCK_DEAD:
		return ret_errno(-ENODEV);
	default:
		sim_unsupported("clock_settime on clock id %d", (int)clk);
		return ret_errno(-EPERM);
	}
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	struct timespec ts;

	if (tz) {
		sim_unsupported("settimeofday with a timezone (the kernel may warp the clock)");
		return ret_errno(-EPERM);
	}
	if (!tv)
		return 0;
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return ret_errno(-EINVAL);
	ts.tv_sec = tv->tv_sec;
	ts.tv_nsec = tv->tv_usec * 1000;
	return clock_settime(CLOCK_REALTIME, &ts);
}

int clock_adjtime(clockid_t clk, struct timex *tx)
{
	struct sim *s = sim_get();
	struct simfd *f = NULL;
	int c, r;

	if (!s) {
		sim_unsupported("clock_adjtime(%d) before the simulator is ready", (int)clk);
		return ret_errno(-EPERM);
	}
	switch (sim_clock_kind(s, clk, &c, &f)) {
	case SCK_SYS:
		if (clk != CLOCK_REALTIME)
			return ret_errno(-EOPNOTSUPP);
		r = sys_adjtimex(s->w, tx);
		break;
	case SCK_PHC:
		if (tx->modes && !f->writable)
			return ret_errno(-EACCES);
		r = phc_adjtime(s->w, c, tx);
		break;
	case SCK_DEAD:
		return ret_errno(-ENODEV);
	default:
		sim_unsupported("clock_adjtime on clock id %d", (int)clk);
		return ret_errno(-EPERM);
	}
	sim_end_check(s);
	return ret_errno(r);
}

int adjtimex(struct timex *tx)
{
	return clock_adjtime(CLOCK_REALTIME, tx);
}

int ntp_adjtime(struct timex *tx)
{
	return clock_adjtime(CLOCK_REALTIME, tx);
}

int __adjtimex(struct timex *tx);
int __adjtimex(struct timex *tx)
{
	return clock_adjtime(CLOCK_REALTIME, tx);
}

/*
 * <sys/timex.h> redirects ntp_gettime() to ntp_gettimex(), whose struct has
 * tai; the old ntp_gettime symbol fills only time, maxerror and esterror.
 */
static int ntp_read(struct ntptimeval *ntv, bool with_tai)
{
	struct timex tx = { .modes = 0 };
	int r = clock_adjtime(CLOCK_REALTIME, &tx);

	if (r < 0)
		return r;
	ntv->time = tx.time;
	ntv->maxerror = tx.maxerror;
	ntv->esterror = tx.esterror;
	if (with_tai)
		ntv->tai = tx.tai;
	return r;
}

int sim_ntp_gettime(struct ntptimeval *ntv) __asm__("ntp_gettime");
int sim_ntp_gettime(struct ntptimeval *ntv)
{
	return ntp_read(ntv, false);
}

int sim_ntp_gettimex(struct ntptimeval *ntv) __asm__("ntp_gettimex");
int sim_ntp_gettimex(struct ntptimeval *ntv)
{
	return ntp_read(ntv, true);
}

int adjtime(const struct timeval *delta, struct timeval *olddelta)
{
	if (delta && (delta->tv_sec || delta->tv_usec)) {
		sim_unsupported("adjtime() slewing (use ADJ_FREQUENCY or ADJ_SETOFFSET)");
		return ret_errno(-EPERM);
	}
	if (olddelta) {	/* nothing is ever being slewed by adjtime() here */
		olddelta->tv_sec = 0;
		olddelta->tv_usec = 0;
	}
	return 0;
}
