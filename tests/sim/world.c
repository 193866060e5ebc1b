// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The world's clockwork: true time advances from change point to change
 * point, and at each one the due things happen in a fixed order (event
 * windows and events, random-walk steps, CLOCK_REALTIME second boundaries,
 * CSV and progress samples, the end), so a run is a function of the
 * scenario, the seed and the program's calls only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/net.h"
#include "tests/sim/simlog.h"
#include "tests/sim/world.h"

/* Random streams: one per (clock, purpose), so adding a read or a clock
 * does not shift the random walk of another. */
enum { STREAM_WANDER = 1, STREAM_NOISE = 2, STREAM_LATENCY = 3, STREAM_REFERENCE = 4 };

int64_t world_ideal(const struct world *w, int c)
{
	if (w->sc.clocks[c].timescale == SC_TS_TAI)
		return w->t;
	return w->t - (int64_t)w->tai_utc * NS_PER_S;
}

double world_offset(const struct world *w, int c)
{
	return c == SC_SYS ? sys_offset(w) : phc_offset(w, c);
}

static void all_offsets(const struct world *w, double *o)
{
	int c;

	for (c = 0; c < w->nclocks; c++)
		o[c] = world_offset(w, c);
}

void world_changed(struct world *w, int c, double before)
{
	if (!w->ended)
		truth_record(w->tr, c, w->t, before, world_offset(w, c));
}

double world_noise(struct world *w, int c)
{
	double sigma = w->sc.clocks[c].noise_ns;

	return sigma > 0 ? sigma * prng_gauss(&w->noise[c]) : 0.0;
}

void world_count_step(struct world *w, int c, int64_t delta_ns)
{
	/* A step of 0 moves no clock: counted apart (chronyd probes with one). */
	if (delta_ns)
		w->cnt[c].steps++;
	else
		w->cnt[c].zero_steps++;
}

static void set_natural(struct world *w, int c, double e)
{
	if (c == SC_SYS)
		sys_set_natural(w, e);
	else
		phc_set_natural(w, c, e);
}

static double natural(const struct world *w, int c)
{
	return c == SC_SYS ? w->sys.e : w->phc[c].e;
}

static void apply_leap(struct world *w, int delta)
{
	double before[SC_MAX_CLOCKS];
	int c;

	all_offsets(w, before);
	w->tai_utc += delta;
	for (c = 0; c < w->nclocks; c++)
		if (w->sc.clocks[c].timescale == SC_TS_UTC)
			world_changed(w, c, before[c]);
}

static void apply_event(struct world *w, const struct sc_event *e)
{
	struct simphc *p = e->clock > 0 ? &w->phc[e->clock] : NULL;

	switch (e->kind) {
	case SC_EV_LEAP_INS:
	case SC_EV_LEAP_DEL:
		apply_leap(w, e->kind == SC_EV_LEAP_INS ? 1 : -1);
		break;
	case SC_EV_FREQ_JUMP:
		set_natural(w, e->clock, natural(w, e->clock) + e->value * 1e-6);
		break;
	case SC_EV_STEP:
		/* another process's settimeofday / clock_settime: what the
		 * kernel does for the program's own step, not counted as one */
		w->cnt[e->clock].foreign_steps++;
		/* fall through */
	case SC_EV_TIME_JUMP:
		if (e->clock == SC_SYS)
			sys_jump(w, llround(e->value));
		else
			phc_jump(w, e->clock, llround(e->value));
		break;
	case SC_EV_FAULT_EIO:
	case SC_EV_FAULT_ENODEV:
	case SC_EV_FAULT_EBUSY:
		p->eio_until = w->t + e->length_ns;
		p->err = e->kind == SC_EV_FAULT_EIO ? EIO : e->kind == SC_EV_FAULT_ENODEV ?
			 ENODEV : EBUSY;
		break;
	case SC_EV_UNPLUG:
		phc_unplug(w, e->clock, e->length_ns);
		break;
	case SC_EV_FREQ_RESET:
	case SC_EV_FOREIGN_FREQ:
		if (e->clock == SC_SYS)
			sys_foreign_adjust(w, ADJ_FREQUENCY, e->value, 0);
		else
			phc_foreign_freq(w, e->clock, e->value);
		break;
	case SC_EV_FOREIGN_TICK:
		sys_foreign_adjust(w, ADJ_TICK, 0, lround(e->value));
		break;
	case SC_EV_FAULT_HANG:
		p->hang_from = w->t;
		p->hang_until = w->t + e->length_ns;
		break;
	case SC_EV_FAULT_END:
		break;
	case SC_EV_CLOCKSOURCE:
		set_natural(w, SC_SYS, natural(w, SC_SYS) + e->value * 1e-6);
		health_apply(w, e);
		break;
	case SC_EV_CPU_OFFSET:
	case SC_EV_TIMER_EARLY:
		health_apply(w, e);
		break;
	default:
		if (e->host >= 0 || e->host == SC_HOST_ALL)
			net_event(w, e);
		else
			bond_apply_event(w, e);
		break;
	}
}

/* Event k's window opens at open_at[k], it happens at t0 + at_ns. */
static void process_events(struct world *w)
{
	double o[SC_MAX_CLOCKS];

	for (;;) {
		if (w->next_apply < w->next_open) {
			const struct sc_event *e = &w->sc.events[w->next_apply];

			if (w->t0 + e->at_ns > w->t)
				return;
			apply_event(w, e);
			all_offsets(w, o);
			truth_ref(w->tr, w->t, o);
			w->next_apply++;
		} else if (w->next_open < w->sc.nevents && w->open_at[w->next_open] <= w->t) {
			all_offsets(w, o);
			truth_open(w->tr, w->t, o);
			w->next_open++;
		} else {
			return;
		}
	}
}

static void wander_step(struct world *w)
{
	double step_s = (double)w->sc.wander_step_ns * 1e-9;
	int c;

	for (c = 0; c < w->nclocks; c++) {
		double sigma = w->sc.clocks[c].wander_ppb * 1e-9 * sqrt(step_s);

		if (sigma > 0)
			set_natural(w, c, natural(w, c) + sigma * prng_gauss(&w->wander[c]));
	}
	net_wander(w, step_s);
	w->next_wander += w->sc.wander_step_ns;
}

static void finish(struct world *w, const char *reason)
{
	double o[SC_MAX_CLOCKS];

	all_offsets(w, o);
	truth_finish(w->tr, w->t, o);
	w->end_reason = reason;
	w->ended = true;
	world_out_close(w);
}

/* The kernel's second boundary first: an event's offset_ns is then taken
 * after a leap the kernel applies at the same instant (a clock on time). */
static void process(struct world *w)
{
	sys_tick(w);
	if (!w->ended)
		process_events(w);
	if (w->t >= w->next_wander)
		wander_step(w);
	bond_process(w);
	sys_tick(w);
	net_process(w);
	if (!w->ended && (w->csv || w->kcsv) && w->t >= w->next_csv) {
		if (w->csv)
			world_out_csv_row(w);
		if (w->kcsv)
			world_out_kernel_row(w);
		w->next_csv += w->csv_interval;
	}
	if (!w->ended && w->progress_interval > 0 && w->t >= w->next_progress) {
		world_out_progress(w);
		w->next_progress += w->progress_interval;
	}
	if (!w->ended && w->t >= w->t_end)
		finish(w, "duration");
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t world_next_change(const struct world *w)
{
	int64_t n = min64(sys_next_second(w), net_next(w->net));

	if (w->sc.wander_step_ns > 0)
		n = min64(n, w->next_wander);
	n = min64(n, bond_next_change(w));
	if (w->ended)
		return n;
	n = min64(n, w->t_end);
	if (w->next_open < w->sc.nevents)
		n = min64(n, w->open_at[w->next_open]);
	if (w->next_apply < w->sc.nevents)
		n = min64(n, w->t0 + w->sc.events[w->next_apply].at_ns);
	if (w->csv || w->kcsv)
		n = min64(n, w->next_csv);
	if (w->progress_interval > 0)
		n = min64(n, w->next_progress);
	return min64(n, health_next_change(w));
}

void world_advance_to(struct world *w, int64_t t)
{
	while (w->t < t) {
		int64_t n = world_next_change(w);

		w->t = n < t ? (n > w->t ? n : w->t) : t;
		process(w);
	}
}

void world_advance(struct world *w, int64_t dt)
{
	if (dt > 0)
		world_advance_to(w, w->t + dt);
}

void world_finish(struct world *w, const char *reason)
{
	if (!w->ended)
		finish(w, reason);
}

/* A leap's window opens a second early: a clock whose own midnight comes
 * a little before the true one is charged to the leap, not to the event
 * before it. Windows never open before the previous event happened. */
static void plan_windows(struct world *w)
{
	int k;

	for (k = 0; k < w->sc.nevents; k++) {
		const struct sc_event *e = &w->sc.events[k];
		int64_t t = w->t0 + e->at_ns;

		if (e->kind == SC_EV_LEAP_INS || e->kind == SC_EV_LEAP_DEL)
			t -= NS_PER_S;
		if (k > 0 && t < w->t0 + w->sc.events[k - 1].at_ns)
			t = w->t0 + w->sc.events[k - 1].at_ns;
		w->open_at[k] = t < w->t0 ? w->t0 : t;
	}
}

static void seed_streams(struct world *w)
{
	int c;

	for (c = 0; c < w->nclocks; c++) {
		/* keyed by PHC number, not declaration order */
		uint64_t id = (uint64_t)(w->sc.clocks[c].phc_index + 1) << 8;

		prng_seed(&w->wander[c], w->seed, id | STREAM_WANDER);
		prng_seed(&w->noise[c], w->seed, id | STREAM_NOISE);
	}
	prng_seed(&w->lat, w->seed, STREAM_LATENCY);
	prng_seed(&w->refnoise, w->seed, STREAM_REFERENCE);
}

static void start(struct world *w)
{
	double o[SC_MAX_CLOCKS];
	int c;

	sys_init(w);
	health_init(w);
	for (c = 1; c < w->nclocks; c++)
		phc_init(w, c);
	bond_init(w);
	all_offsets(w, o);
	truth_open(w->tr, w->t, o);
	truth_ref(w->tr, w->t, o);
	w->next_wander = w->t + w->sc.wander_step_ns;
	w->next_csv = w->t;
	w->next_progress = w->t + w->progress_interval;
	process(w);
}

struct world *world_create(const struct scenario *sc, const struct world_opts *o,
			   char *err, size_t errlen)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->sc = *sc;
	if (o->duration_ns > 0)
		w->sc.duration_ns = o->duration_ns;
	w->seed = o->seed_set ? o->seed : sc->seed;
	w->nclocks = sc->nclocks;
	w->t0 = w->t = (sc->start_utc_s + sc->tai_utc_s) * NS_PER_S;
	w->t_end = w->t0 + w->sc.duration_ns;
	w->t_stats = w->t0 + scenario_stats_from(&w->sc);
	w->tai_utc = sc->tai_utc_s;
	w->csv_interval = o->csv_interval_ns > 0 ? o->csv_interval_ns : sc->csv_interval_ns;
	w->progress_interval = o->progress_ns;
	if (w->t_stats >= w->t_end)
		w->t_stats = w->t0 + w->sc.duration_ns / 2;
	w->tr = truth_create(w->nclocks, w->sc.nevents + 1, w->t_stats);
	if (!w->tr) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (net_create(w, w->seed)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (world_out_open(w, o, err, errlen))
		goto fail;
	seed_streams(w);
	plan_windows(w);
	start(w);
	return w;
fail:
	world_destroy(w);
	return NULL;
}

void world_destroy(struct world *w)
{
	if (!w)
		return;
	if (w->csv)
		fclose(w->csv);
	if (w->summary)
		fclose(w->summary);
	if (w->kcsv)
		fclose(w->kcsv);
	if (w->netcsv)
		fclose(w->netcsv);
	net_destroy(w->net);
	truth_destroy(w->tr);
	free(w);
}
