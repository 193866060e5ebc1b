// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ioctl() on a simulated /dev/ptpN, following ptp_ioctl() in
 * drivers/ptp/ptp_chardev.c: capabilities, and the three ways of comparing
 * the PHC with the system clock. PTP_SYS_OFFSET_EXTENDED takes the system
 * clock id in its first reserved word (Linux 6.11+; 0 is CLOCK_REALTIME, so
 * older callers get what they always got).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ptp_clock.h>

#include "tests/sim/world.h"

static int64_t sys_latch(struct world *w, clockid_t clk)
{
	return sys_value(w, clk, clk == CLOCK_REALTIME ? world_noise(w, SC_SYS) : 0.0);
}

static int getcaps(struct world *w, int c, struct ptp_clock_caps *caps)
{
	const struct sc_clock *sc = &w->sc.clocks[c];

	memset(caps, 0, sizeof(*caps));
	caps->max_adj = (int)sc->max_adj_ppb;
	caps->cross_timestamping = sc->cross_ts;
	return 0;
}

/* One sys - phc - sys window; pre is taken by the caller. */
static int64_t window(struct world *w, int c)
{
	int64_t d1, d2, v;

	phc_read_window(w, c, &d1, &d2);
	world_advance(w, d1);
	v = phc_latch(w, c);
	world_advance(w, d2);
	return v;
}

static int sys_offset_plain(struct world *w, int c, struct ptp_sys_offset *so)
{
	struct ptp_clock_time *pct = so->ts;
	unsigned int i;
	int r;

	if (so->n_samples > PTP_MAX_SAMPLES)
		return -EINVAL;
	for (i = 0; i < so->n_samples; i++) {
		phc_ns_to_ptp(sys_latch(w, CLOCK_REALTIME), pct++);
		if ((r = phc_device_access(w, c)))
			return r;
		phc_ns_to_ptp(window(w, c), pct++);
	}
	phc_ns_to_ptp(sys_latch(w, CLOCK_REALTIME), pct);
	w->cnt[c].reads++;
	return 0;
}

static int sys_offset_extended(struct world *w, int c, struct ptp_sys_offset_extended *so)
{
	clockid_t clk = (clockid_t)so->rsv[0];
	unsigned int i;
	int r;

	if (!w->sc.clocks[c].extended)
		return -EOPNOTSUPP;
	if (so->n_samples > PTP_MAX_SAMPLES || so->rsv[1] || so->rsv[2] ||
	    (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_MONOTONIC_RAW))
		return -EINVAL;
	for (i = 0; i < so->n_samples; i++) {
		if ((r = phc_device_access(w, c)))
			return r;
		phc_ns_to_ptp(sys_latch(w, clk), &so->ts[i][0]);
		phc_ns_to_ptp(window(w, c), &so->ts[i][1]);
		phc_ns_to_ptp(sys_latch(w, clk), &so->ts[i][2]);
	}
	w->cnt[c].reads++;
	return 0;
}

/* A hardware cross-timestamp: device and system time at the same instant. */
static int sys_offset_precise(struct world *w, int c, struct ptp_sys_offset_precise *so)
{
	int r;

	if (!w->sc.clocks[c].cross_ts)
		return -EOPNOTSUPP;
	if ((r = phc_device_access(w, c)))
		return r;
	memset(so, 0, sizeof(*so));
	phc_ns_to_ptp(phc_latch(w, c), &so->device);
	phc_ns_to_ptp(sys_latch(w, CLOCK_REALTIME), &so->sys_realtime);
	phc_ns_to_ptp(sys_latch(w, CLOCK_MONOTONIC_RAW), &so->sys_monoraw);
	world_advance(w, llround(w->sc.clocks[c].read_delay_ns));
	w->cnt[c].reads++;
	return 0;
}

int phc_ioctl(struct world *w, int c, unsigned long req, void *arg)
{
	switch (req) {
	case PTP_CLOCK_GETCAPS:
	case PTP_CLOCK_GETCAPS2:
		return getcaps(w, c, arg);
	case PTP_SYS_OFFSET:
	case PTP_SYS_OFFSET2:
		return sys_offset_plain(w, c, arg);
	case PTP_SYS_OFFSET_EXTENDED:
	case PTP_SYS_OFFSET_EXTENDED2:
		return sys_offset_extended(w, c, arg);
	case PTP_SYS_OFFSET_PRECISE:
	case PTP_SYS_OFFSET_PRECISE2:
		return sys_offset_precise(w, c, arg);
	case PTP_EXTTS_REQUEST:
	case PTP_EXTTS_REQUEST2:
	case PTP_PEROUT_REQUEST:
	case PTP_PEROUT_REQUEST2:
	case PTP_PIN_GETFUNC:
	case PTP_PIN_GETFUNC2:
	case PTP_PIN_SETFUNC:
	case PTP_PIN_SETFUNC2:
		return -EINVAL;	/* simulated PHCs have no channels or pins */
	case PTP_ENABLE_PPS:
	case PTP_ENABLE_PPS2:
		return -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}
