/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file phc.c
 * The PTP hardware clock driver: /dev/ptpN as a POSIX dynamic clock.
 *
 * The character device's descriptor names the clock: the kernel's
 * FD_TO_CLOCKID(fd) = (~fd << 3) | CLOCKFD (3), so clock_gettime and
 * clock_adjtime work on it. Comparisons against CLOCK_REALTIME use the
 * PTP_SYS_OFFSET family of ioctls, best first.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timex.h>
#include <unistd.h>
#include <linux/ptp_clock.h>

#include "phc/adjtime_priv.h"
#include "phc/clock_priv.h"
#include "phc/clockname.h"
#include "util/util.h"

#define CLOCKFD 3

/* The PTP_SYS_OFFSET requests, best first. The "2" variants (Linux 5.8)
 * check their reserved fields strictly; the older numbers remain for
 * older kernels. PRECISE (4.8) and EXTENDED (4.20) are guarded too. */
static const struct sysoff_req {
	unsigned long req;
	enum compare_method method;
} sysoff_reqs[] = {
#ifdef PTP_SYS_OFFSET_PRECISE2
	{ PTP_SYS_OFFSET_PRECISE2, CMP_PRECISE },
#endif
#ifdef PTP_SYS_OFFSET_PRECISE
	{ PTP_SYS_OFFSET_PRECISE, CMP_PRECISE },
#endif
#ifdef PTP_SYS_OFFSET_EXTENDED2
	{ PTP_SYS_OFFSET_EXTENDED2, CMP_EXTENDED },
#endif
#ifdef PTP_SYS_OFFSET_EXTENDED
	{ PTP_SYS_OFFSET_EXTENDED, CMP_EXTENDED },
#endif
#ifdef PTP_SYS_OFFSET2
	{ PTP_SYS_OFFSET2, CMP_PLAIN },
#endif
	{ PTP_SYS_OFFSET, CMP_PLAIN },
};
#define N_SYSOFF_REQS ((int)(sizeof(sysoff_reqs) / sizeof(sysoff_reqs[0])))

struct phc {
	int index;		/* N of /dev/ptpN, to reopen it */
	int fd;
	clockid_t clkid;
	double max_adj_ppb;
	int sysoff_next;	/* first entry of sysoff_reqs not known to fail */
};

static clockid_t fd_to_clockid(int fd)
{
	/* Unsigned arithmetic: shifting a negative int left is undefined. */
	return (clockid_t)((~(unsigned int)fd << 3) | CLOCKFD);
}

static int64_t pct_to_ns(const struct ptp_clock_time *t)
{
	return t->sec * NS_PER_S + t->nsec;
}

/* A reading bracketed by two CLOCK_REALTIME stamps around one PHC stamp:
 * offset = CLOCK_REALTIME - PHC at the bracket's midpoint. */
static void bracket(struct clock_reading *out, int64_t sys1, int64_t phc,
		    int64_t sys2)
{
	out->delay_ns = sys2 - sys1;
	out->offset_ns = sys1 + out->delay_ns / 2 - phc;
	out->ref_ns = phc;
}

static int sysoff_precise(int fd, unsigned long req, struct clock_reading *out)
{
	struct ptp_sys_offset_precise p;

	memset(&p, 0, sizeof(p));
	if (ioctl(fd, req, &p) < 0)
		return -errno;
	/* A hardware cross-timestamp: both clocks latched at one instant. */
	out->ref_ns = pct_to_ns(&p.device);
	out->offset_ns = pct_to_ns(&p.sys_realtime) - out->ref_ns;
	out->delay_ns = 0;
	return 1;
}

static int sysoff_extended(int fd, unsigned long req, int n,
			   struct clock_reading *out)
{
	struct ptp_sys_offset_extended e;
	int i;

	memset(&e, 0, sizeof(e));	/* rsv[0] = 0: CLOCK_REALTIME */
	e.n_samples = n;
	if (ioctl(fd, req, &e) < 0)
		return -errno;
	for (i = 0; i < n; i++)
		bracket(&out[i], pct_to_ns(&e.ts[i][0]), pct_to_ns(&e.ts[i][1]),
			pct_to_ns(&e.ts[i][2]));
	return n;
}

static int sysoff_plain(int fd, unsigned long req, int n,
			struct clock_reading *out)
{
	struct ptp_sys_offset s;
	int i;

	memset(&s, 0, sizeof(s));
	s.n_samples = n;
	if (ioctl(fd, req, &s) < 0)
		return -errno;
	/* ts[] = sys, phc, sys, phc, ..., sys: 2n + 1 stamps. */
	for (i = 0; i < n; i++)
		bracket(&out[i], pct_to_ns(&s.ts[2 * i]),
			pct_to_ns(&s.ts[2 * i + 1]), pct_to_ns(&s.ts[2 * i + 2]));
	return n;
}

/* An errno that means "this request is not available here". */
static bool unsupported(int r)
{
	return r == -EOPNOTSUPP || r == -ENOTTY || r == -EINVAL;
}

static int phc_sys_offset(void *priv, int n, struct clock_reading *out,
			  enum compare_method *method)
{
	struct phc *p = priv;
	int r;

	if (n > PTP_MAX_SAMPLES)
		n = PTP_MAX_SAMPLES;
	for (; p->sysoff_next < N_SYSOFF_REQS; p->sysoff_next++) {
		const struct sysoff_req *q = &sysoff_reqs[p->sysoff_next];

		if (q->method == CMP_PRECISE)
			r = sysoff_precise(p->fd, q->req, out);
		else if (q->method == CMP_EXTENDED)
			r = sysoff_extended(p->fd, q->req, n, out);
		else
			r = sysoff_plain(p->fd, q->req, n, out);
		if (r >= 0) {
			*method = q->method;
			return r;
		}
		/* A transient failure (EIO, EBUSY, ...) is returned as is and
		 * the request stays; only "not here" moves to the next one. */
		if (!unsupported(r))
			return r;
	}
	return -EOPNOTSUPP;
}

static int phc_gettime(void *priv, struct timespec *ts)
{
	struct phc *p = priv;

	return clock_gettime(p->clkid, ts) < 0 ? -errno : 0;
}

static int phc_get_freq(void *priv, double *ppb)
{
	struct phc *p = priv;
	struct timex tx;
	int r;

	/* modes = 0: the PTP class returns the last frequency dialled. */
	r = adjtime_read(p->clkid, &tx);
	if (r < 0)
		return r;
	*ppb = adjtime_scaled_ppm_to_ppb(tx.freq);
	return 0;
}

static int phc_adj_freq(void *priv, double ppb)
{
	struct phc *p = priv;
	struct timex tx;
	int r;

	if (!(fabs(ppb) <= p->max_adj_ppb))
		return -ERANGE;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	tx.freq = adjtime_ppb_to_scaled_ppm(ppb);
	r = adjtime_call(p->clkid, &tx);
	return r < 0 ? r : 0;
}

static int phc_step(void *priv, int64_t delta_ns)
{
	struct phc *p = priv;
	int r = adjtime_step(p->clkid, delta_ns);

	return r < 0 ? r : 0;
}

static clockid_t phc_clockid(void *priv)
{
	struct phc *p = priv;

	return p->clkid;
}

static int phc_open_dev(int index, struct phc *p);

/* The kernel marks an unregistered PTP clock a zombie: every call on its
 * old descriptors, GETCAPS included, says ENODEV (posix-clock.c). */
static int phc_reopen(void *priv)
{
	struct phc *p = priv, n = { .index = p->index };
	struct ptp_clock_caps caps;
	int r;

	memset(&caps, 0, sizeof(caps));
	if (ioctl(p->fd, PTP_CLOCK_GETCAPS, &caps) == 0 || errno != ENODEV)
		return 1;
	r = phc_open_dev(p->index, &n);
	if (r < 0)
		return r;
	close(p->fd);
	*p = n;
	return 0;
}

static void phc_destroy(void *priv)
{
	struct phc *p = priv;

	if (!p)
		return;
	close(p->fd);
	free(p);
}

/* PHCs carry no leap state or TAI offset (they normally run TAI), so
 * set_leap, get_leap, set_tai and set_sync stay NULL: -EOPNOTSUPP. */
static const struct clock_ops phc_ops = {
	.kind_name = "phc",
	.kind = CLOCK_KIND_PHC,
	.gettime = phc_gettime,
	.get_freq = phc_get_freq,
	.adj_freq = phc_adj_freq,
	.step = phc_step,
	.sys_offset = phc_sys_offset,
	.clockid = phc_clockid,
	.reopen = phc_reopen,
	.destroy = phc_destroy,
};

static int get_caps(int fd, struct ptp_clock_caps *caps)
{
#ifdef PTP_CLOCK_GETCAPS2
	memset(caps, 0, sizeof(*caps));
	if (ioctl(fd, PTP_CLOCK_GETCAPS2, caps) == 0)
		return 0;
#endif
	memset(caps, 0, sizeof(*caps));
	return ioctl(fd, PTP_CLOCK_GETCAPS, caps) < 0 ? -errno : 0;
}

/* Open the device and learn its caps; fills p. 0 or -errno. */
static int phc_open_dev(int index, struct phc *p)
{
	struct ptp_clock_caps caps;
	char path[32];
	int r;

	r = clockname_phc_path(index, path, sizeof(path));
	if (r < 0)
		return r;
	/* Plain open(), then FD_CLOEXEC: no O_CLOEXEC, for LD_PRELOAD
	 * simulators. O_RDWR: clock_adjtime on a PHC needs write access. */
	p->fd = open(path, O_RDWR);
	if (p->fd < 0)
		return -errno;
	r = fd_cloexec(p->fd);
	if (!r)
		r = get_caps(p->fd, &caps);
	if (r < 0) {
		close(p->fd);
		return r;
	}
	p->clkid = fd_to_clockid(p->fd);
	p->max_adj_ppb = caps.max_adj;
	/* Without cross-timestamping, PRECISE can only fail: skip it. */
	p->sysoff_next = 0;
	while (!caps.cross_timestamping && p->sysoff_next < N_SYSOFF_REQS &&
	       sysoff_reqs[p->sysoff_next].method == CMP_PRECISE)
		p->sysoff_next++;
	return 0;
}

struct clock *phc_create(int index, const char *name, int *err)
{
	struct clock *c;
	struct phc *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	p->index = index;
	r = phc_open_dev(index, p);
	if (r < 0) {
		free(p);
		*err = r;
		return NULL;
	}
	c = clock_create(&phc_ops, p, name, p->max_adj_ppb);
	if (!c) {
		phc_destroy(p);
		*err = -ENOMEM;
		return NULL;
	}
	clock_set_identity(c, CLOCK_KIND_PHC, index, false);
	*err = 0;
	return c;
}
