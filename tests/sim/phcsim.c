// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Simulated PTP hardware clocks: /dev/ptpN behind the posix-clock and
 * ioctl interface of drivers/ptp (ptp_clock.c, ptp_chardev.c, Linux 6.x).
 * A read takes time: the PTP_SYS_OFFSET family reads the system clock,
 * waits part of the window, latches the PHC, waits the rest and reads the
 * system clock again, so the window and its asymmetry are the scenario's.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ptp_clock.h>

#include "tests/sim/simlog.h"
#include "tests/sim/world.h"

static double phc_rate(const struct simphc *p)
{
	/* adjfine: the driver scales its increment by 1 + scaled_ppm / 65536e6 */
	return (1.0 + p->e) * (1.0 + (double)p->dialed / 65536e6) - 1.0;
}

void phc_init(struct world *w, int c)
{
	const struct sc_clock *sc = &w->sc.clocks[c];
	struct simphc *p = &w->phc[c];

	memset(p, 0, sizeof(*p));
	p->e = sc->freq_ppm * 1e-6;
	lclock_init(&p->lc, w->t, world_ideal(w, c) + llround(sc->offset_ns), phc_rate(p));
	p->hang_from = p->hang_until = INT64_MIN;
	p->eio_until = INT64_MIN;
	p->absent_until = INT64_MIN;
	p->err = EIO;
}

double phc_offset(const struct world *w, int c)
{
	return lclock_diff(&w->phc[c].lc, w->t, world_ideal(w, c));
}

void phc_set_natural(struct world *w, int c, double e)
{
	double before = phc_offset(w, c);

	w->phc[c].e = e;
	lclock_set_rate(&w->phc[c].lc, w->t, phc_rate(&w->phc[c]));
	world_changed(w, c, before);
}

void phc_jump(struct world *w, int c, int64_t delta_ns)
{
	double before = phc_offset(w, c);

	lclock_step(&w->phc[c].lc, delta_ns);
	world_changed(w, c, before);
}

long phc_dialed_for_rate(const struct world *w, int c, double rate)
{
	double d = ((1.0 + rate) / (1.0 + w->phc[c].e) - 1.0) * 65536e6;

	return lround(d);
}

void phc_dial(struct world *w, int c, long scaled_ppm)
{
	double before = phc_offset(w, c);

	w->phc[c].dialed = scaled_ppm;
	lclock_set_rate(&w->phc[c].lc, w->t, phc_rate(&w->phc[c]));
	world_changed(w, c, before);
}

void phc_reset(struct world *w, int c)
{
	struct simphc *p = &w->phc[c];
	double before = phc_offset(w, c);

	p->dialed = 0;
	lclock_set_rate(&p->lc, w->t, phc_rate(p));
	p->lc.v_a = 0;
	p->lc.frac = 0.0;
	world_changed(w, c, before);
}

/* A hung device returns only at the end of its hang; a failing one says
 * the fault's errno (EIO, ENODEV, EBUSY). */
int phc_device_access(struct world *w, int c)
{
	struct simphc *p = &w->phc[c];

	if (w->t >= p->hang_from && w->t < p->hang_until)
		world_advance_to(w, p->hang_until);
	if (w->t < p->eio_until) {
		w->cnt[c].errors++;
		return -p->err;
	}
	return 0;
}

static void note_reference_change(struct world *w, int c)
{
	if (w->sc.clocks[c].reference && !w->phc[c].warned_ref) {
		w->phc[c].warned_ref = true;
		sim_log("note: the program adjusts reference PHC %s", w->sc.clocks[c].name);
	}
}

/* Split one read window: d1 before the PHC latch, d2 after. */
void phc_read_window(struct world *w, int c, int64_t *d1, int64_t *d2)
{
	const struct sc_clock *sc = &w->sc.clocks[c];
	double width = sc->read_delay_ns + prng_exp(&w->lat, sc->read_jitter_ns);

	*d1 = llround(width * sc->read_asym);
	*d2 = llround(width) - *d1;
}

int64_t phc_latch(struct world *w, int c)
{
	return lclock_read(&w->phc[c].lc, w->t, world_noise(w, c));
}

void phc_ns_to_ptp(int64_t ns, struct ptp_clock_time *pt)
{
	int64_t s = ns / NS_PER_S, r = ns % NS_PER_S;

	if (r < 0) {
		r += NS_PER_S;
		s--;
	}
	pt->sec = s;
	pt->nsec = (unsigned int)r;
	pt->reserved = 0;
}

int phc_gettime(struct world *w, int c, struct timespec *ts)
{
	int64_t d1, d2, v;
	int r = phc_device_access(w, c);

	if (r)
		return r;
	phc_read_window(w, c, &d1, &d2);
	world_advance(w, d1);
	v = phc_latch(w, c);
	world_advance(w, d2);
	ts->tv_sec = v / NS_PER_S;
	ts->tv_nsec = v % NS_PER_S;
	w->cnt[c].reads++;
	return 0;
}

int phc_settime(struct world *w, int c, const struct timespec *ts)
{
	int64_t delta;
	double before;
	int r;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S || ts->tv_sec < 0)
		return -EINVAL;
	if ((r = phc_device_access(w, c)))
		return r;
	before = phc_offset(w, c);
	delta = (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec - lclock_read(&w->phc[c].lc, w->t, 0.0);
	lclock_step(&w->phc[c].lc, delta);
	world_count_step(w, c, delta);
	note_reference_change(w, c);
	world_changed(w, c, before);
	return 0;
}

/* The kernel's scaled_ppm_to_ppb(), rounding included. */
static long scaled_ppm_to_ppb(long ppm)
{
	long long ppb = 1 + (long long)ppm;

	ppb *= 125;
	ppb >>= 13;
	return (long)ppb;
}

static int adj_setoffset(struct world *w, int c, const struct timex *tx)
{
	int64_t nsec = tx->time.tv_usec, delta, now;
	double before;
	int r;

	if (!(tx->modes & ADJ_NANO))
		nsec *= 1000;
	if ((unsigned long)nsec >= NS_PER_S)
		return -EINVAL;
	if ((r = phc_device_access(w, c)))
		return r;
	delta = (int64_t)tx->time.tv_sec * NS_PER_S + nsec;
	now = lclock_read(&w->phc[c].lc, w->t, 0.0);
	if (now + delta < 0)	/* timespec64_valid_settod() of the result */
		return -EINVAL;
	before = phc_offset(w, c);
	lclock_step(&w->phc[c].lc, delta);
	world_count_step(w, c, delta);
	note_reference_change(w, c);
	world_changed(w, c, before);
	return 0;
}

/* ptp_clock_adjtime(): one action per call, first match wins. */
int phc_adjtime(struct world *w, int c, struct timex *tx)
{
	struct simphc *p = &w->phc[c];
	double before;
	long ppb;
	int r;

	if (tx->modes & ADJ_SETOFFSET)
		return adj_setoffset(w, c, tx);
	if (tx->modes & ADJ_FREQUENCY) {
		ppb = scaled_ppm_to_ppb(tx->freq);
		if (ppb > w->sc.clocks[c].max_adj_ppb || ppb < -w->sc.clocks[c].max_adj_ppb)
			return -ERANGE;
		if ((r = phc_device_access(w, c)))
			return r;
		before = phc_offset(w, c);
		p->dialed = tx->freq;
		lclock_set_rate(&p->lc, w->t, phc_rate(p));
		w->cnt[c].freq_sets++;
		note_reference_change(w, c);
		world_changed(w, c, before);
		return 0;
	}
	if (tx->modes & ADJ_OFFSET)	/* no adjphase in simulated drivers */
		return -EOPNOTSUPP;
	if (tx->modes == 0) {
		tx->freq = p->dialed;
		return 0;
	}
	return -EOPNOTSUPP;
}

void phc_unplug(struct world *w, int c, int64_t length_ns)
{
	w->phc[c].gen++;
	w->phc[c].absent_until = w->t + length_ns;
}

void phc_foreign_freq(struct world *w, int c, double ppm)
{
	/* what phc_adjtime() does for ADJ_FREQUENCY, not counted as the program's */
	phc_dial(w, c, lround(ppm * 65536.0));
}
