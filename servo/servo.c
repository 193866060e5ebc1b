/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The servo front: parameters, time base, step decisions, the slew
 * planner's engagement, dispatch to the tracking algorithm (pi.c,
 * kalman.c), feed-forward, the cap, and the lock state.
 *
 * Time. Everything below runs on reference seconds counted from the first
 * sample: local_ns differences, or, with local_follows_clock, those minus
 * the offset's change (the clock gained that on the reference), and
 * next_interval_s goes back to local time the same way. The servo also
 * notes how far each sample comes from when it asked for it (the planner
 * keeps a margin for it and lands in legs its timing error cannot spoil).
 *
 * Feed-forward. The target moves at ff relative to the reference, so
 * d(offset)/dt = natural + freq - ff: the algorithms work without ff and
 * within [-cap - ff, cap - ff]; ff is added to what they return.
 *
 * Steps. The first sample after servo_create() steps if |offset| >
 * first_step_threshold_ns; every later one if |offset| >
 * step_threshold_ns; 0 means never. The servo restarts its own history
 * when it asks for a step (take_step()); servo_stepped() is for steps
 * somebody else made, and re-bases the history by the step.
 *
 * Planner. It engages when |offset| > engage = max(5 us,
 * 4 * lock_threshold, 10 * RMS of the offsets while LOCKED): beyond that
 * a type-2 tracking loop (PI) overshoots by more than ~1 us and settles
 * in tens of seconds (its step response overshoots by ~20 % with the
 * default gains), while the planner removes the offset deterministically.
 * The other terms keep noisy sources from triggering it on every sample:
 * a source with noise sigma wants lock_threshold_ns >= ~3 sigma (an NTP
 * source: a few ms). It hands over when it has landed within engage / 2.
 *
 * Lock. LOCKED after LOCK_SAMPLES consecutive tracking samples with
 * |offset| <= lock_threshold_ns (default 1000 ns); back to LOCKING after
 * as many above it, or at once when the planner engages or a step is
 * taken. UNLOCKED until the algorithm has a measured frequency.
 */
#include <math.h>
#include <stdlib.h>

#include "servo/servo_priv.h"

#define LOCK_DEFAULT_NS		1000
#define LOCK_SAMPLES		4
#define ENGAGE_MIN_NS		5000.0
#define ENGAGE_LOCK_FACTOR	4.0
#define ENGAGE_JITTER_FACTOR	10.0
#define JITTER_SMOOTH		(1.0 / 32)
#define LATE_DECAY		0.98	/* per sample: forget lateness in ~50 samples */
#define LATE_MAX_S		0.01	/* more is a skipped sample, not a late timer */
#define MAX_NATURAL_PPB		500e3	/* no clock is off by more than adjtimex takes */
#define MAX_CAP_PPB		1e9	/* no clock slews faster than 100 % */
#define MAX_INTERVAL_S		1e5
#define TRACKED_OWN		2	/* the tracker's hold is its own after this many samples */

struct servo {
	struct servo_params p;
	const struct servo_algo_ops *ops;
	void *algo;
	struct planner pl;
	double ff_ppb;
	double init_ppb;	/* frequency at creation (clamped) */
	double freq_ppb;	/* last total output */
	enum servo_state state;
	bool first_done;	/* first_step_threshold has had its chance */
	bool have_time;
	int64_t last_local_ns;
	double t_s;		/* reference time of the last sample, s */
	double last_offset_ns;	/* re-based by steps */
	int n_in, n_out;	/* consecutive samples in / out of the lock window */
	double jitter2_ns2;	/* smoothed offset^2 while tracking */
	int tracked;		/* tracking samples since the planner handed over (up to 2) */
	int64_t expect_local_ns;	/* when the next sample is due */
	bool prev_ok;		/* t_s, last_offset_ns: a sample to seed the planner */
	double late_s;		/* decaying maximum of sample lateness */
};

static const struct servo_algo_ops *algo_ops(enum servo_type t)
{
	switch (t) {
	case SERVO_PI:
		return &servo_pi_ops;
	case SERVO_KALMAN:
		return &servo_kalman_ops;
	}
	return NULL;
}

static bool params_ok(const struct servo_params *p, double initial_ppb)
{
	return algo_ops(p->type) &&
		p->max_freq_ppb > 0 && p->max_freq_ppb <= MAX_CAP_PPB &&
		p->max_adj_ppb >= 0 && p->max_adj_ppb <= MAX_CAP_PPB &&
		p->step_threshold_ns >= 0 && p->first_step_threshold_ns >= 0 &&
		p->interval_s > 0 && p->interval_s <= MAX_INTERVAL_S &&
		p->lock_threshold_ns >= 0 && isfinite(initial_ppb);
}

struct servo *servo_create(const struct servo_params *p, double initial_ppb)
{
	struct servo *s;

	if (!p || !params_ok(p, initial_ppb))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->p = *p;
	if (!s->p.max_adj_ppb)
		s->p.max_adj_ppb = p->max_freq_ppb;
	if (!s->p.lock_threshold_ns)
		s->p.lock_threshold_ns = LOCK_DEFAULT_NS;
	s->ops = algo_ops(p->type);
	s->freq_ppb = fmax(-s->p.max_adj_ppb, fmin(s->p.max_adj_ppb, initial_ppb));
	s->init_ppb = s->freq_ppb;
	s->algo = s->ops->create(&s->p, s->freq_ppb);
	if (!s->algo)
		goto fail;
	s->state = SERVO_UNLOCKED;
	s->tracked = TRACKED_OWN;
	return s;
fail:
	free(s);
	return NULL;
}

void servo_destroy(struct servo *s)
{
	if (!s)
		return;
	s->ops->destroy(s->algo);
	free(s);
}

static double engage_ns(const struct servo *s)
{
	double e = fmax(ENGAGE_MIN_NS, ENGAGE_LOCK_FACTOR * (double)s->p.lock_threshold_ns);

	return fmax(e, ENGAGE_JITTER_FACTOR * sqrt(s->jitter2_ns2));
}

static void limits(const struct servo *s, struct servo_limits *lim)
{
	double hold;

	lim->abs_lo_ppb = -s->p.max_adj_ppb - s->ff_ppb;
	lim->abs_hi_ppb = s->p.max_adj_ppb - s->ff_ppb;
	lim->slew_ppb = s->p.max_freq_ppb;
	servo_natural_freq(s, &hold);
	servo_limits_at(lim, hold);
	lim->interval_s = s->p.interval_s;
	lim->engage_ns = engage_ns(s);
	lim->late_s = s->late_s;
	/* Lateness is local time: at the cap it lasts up to 1 / (1 - cap)
	 * as long in reference time when local time follows the clock. */
	if (s->p.local_follows_clock)
		lim->late_s /= fmax(1 - (s->p.max_adj_ppb + fabs(s->ff_ppb)) * 1e-9, 0.5);
	lim->ff_ppb = s->ff_ppb;
}

/*
 * How late samples come against when the servo asked for them. gnomond's
 * loop wakes on a timerfd, to the nanosecond, plus whatever the scheduler
 * adds (tens of us on a quiet host, none under gnomon-sim); a loop that
 * re-arms from the previous due time makes a late sample's successor no
 * earlier. The planner keeps twice the recent worst |timing error| as
 * margin before its landing and plans its landing legs for it. A sample
 * later than LATE_MAX_S is taken for a skipped one (a failed read) and
 * not counted.
 */
static void track_lateness(struct servo *s, int64_t local_ns)
{
	double late = fabs((double)(local_ns - s->expect_local_ns) * 1e-9);

	s->late_s *= LATE_DECAY;
	if (late > s->late_s && late <= LATE_MAX_S)
		s->late_s = late;
}

/* Fastest the clock can run against the reference: cap, ff, natural error. */
static double max_rate(const struct servo *s)
{
	return 1.5 * (s->p.max_adj_ppb + fabs(s->ff_ppb) + MAX_NATURAL_PPB) * 1e-9;
}

/*
 * Advance the reference-time base to this sample. With a local time base
 * that follows the clock, the reference moved by d_local - d(clock - ref),
 * and clock - ref = offset + (target - ref) where the target runs ahead of
 * the reference at the feed-forward rate. An offset change no rate can
 * explain (the reference jumped) leaves d_local as it is. Returns false
 * for a sample that does not move local time forward.
 */
static bool advance_time(struct servo *s, int64_t offset_ns, int64_t local_ns)
{
	double dl, dt;

	if (!s->have_time) {
		s->have_time = true;
		s->t_s = 0;
		goto out;
	}
	dl = (double)(local_ns - s->last_local_ns);
	if (!(dl > 0))
		return false;
	track_lateness(s, local_ns);
	dt = dl;
	if (s->p.local_follows_clock) {
		dt = (dl - ((double)offset_ns - s->last_offset_ns)) / (1 + s->ff_ppb * 1e-9);
		if (fabs(dt - dl) > max_rate(s) * dl)
			dt = dl;
	}
	s->t_s += dt * 1e-9;
out:
	s->last_local_ns = local_ns;
	s->last_offset_ns = (double)offset_ns;
	return true;
}

/*
 * Reference seconds to local seconds for next_interval_s: the clock runs
 * at gain (1 + f + ff) against the reference (servo_priv.h), the
 * frequency in effect now for lat_s more, then the new one (servo space).
 */
static double to_local_s(const struct servo *s, double ref_s, double freq_ppb,
			 const struct planner_out *po)
{
	double now = s->freq_ppb, lat = fmin(po->lat_s, ref_s);
	double gain = servo_gain(po->hold_ppb, s->ff_ppb);

	if (!s->p.local_follows_clock)
		return ref_s;
	return gain * (lat * (1 + now * 1e-9) +
		       (ref_s - lat) * (1 + (freq_ppb + s->ff_ppb) * 1e-9));
}

static void rebase(struct servo *s, int64_t step_ns)
{
	s->ops->stepped(s->algo, (double)step_ns);
	if (s->pl.active)
		planner_stepped(&s->pl, (double)step_ns);
	s->last_offset_ns += (double)step_ns;
}

static bool want_step(const struct servo *s, int64_t offset_ns)
{
	int64_t thr = s->first_done ? s->p.step_threshold_ns : s->p.first_step_threshold_ns;

	return thr > 0 && (offset_ns > thr || offset_ns < -thr);
}

static void set_out(struct servo *s, struct servo_out *out, double servo_ppb, bool clamped)
{
	double cap = s->p.max_adj_ppb, f = servo_ppb + s->ff_ppb;

	if (f >= cap || f <= -cap) {
		f = f > 0 ? cap : -cap;
		clamped = true;
	}
	s->freq_ppb = f;
	s->expect_local_ns = s->last_local_ns +
		llround((out->next_interval_s > 0 ? out->next_interval_s : s->p.interval_s) * 1e9);
	out->freq_ppb = f;
	out->at_cap = clamped;
	out->state = s->state;
	if (out->action == SERVO_NONE)
		out->action = SERVO_ADJ_FREQ;
}

/*
 * Step by -offset. The offset may have built up by drift or appeared at
 * once (someone set the clock): re-basing the history would read a sudden
 * jump as a slope and swing the clock by a large fraction of it. So the
 * algorithm restarts from the hold frequency it had (right in both cases)
 * and sees the stepped (zero) sample first.
 */
static void take_step(struct servo *s, int64_t offset_ns, struct servo_out *out)
{
	struct servo_limits lim;
	double hold = s->freq_ppb - s->ff_ppb;
	bool clamped;
	double f;

	out->action = SERVO_STEP;
	out->step_ns = -offset_ns;
	planner_stop(&s->pl);
	s->ops->hold(s->algo, &hold);
	s->ops->reset(s->algo);
	s->ops->start(s->algo, hold);
	s->last_offset_ns += (double)-offset_ns;
	limits(s, &lim);
	f = s->ops->sample(s->algo, 0, s->t_s, &lim, &clamped);
	s->n_in = s->n_out = 0;
	s->state = s->ops->hold(s->algo, &(double){ 0 }) ? SERVO_LOCKING : SERVO_UNLOCKED;
	set_out(s, out, f, clamped);
}

static void track_lock(struct servo *s, int64_t offset_ns)
{
	double o = (double)offset_ns;
	double hold;

	if (s->state == SERVO_LOCKED)
		s->jitter2_ns2 += JITTER_SMOOTH * (o * o - s->jitter2_ns2);
	if (offset_ns <= s->p.lock_threshold_ns && offset_ns >= -s->p.lock_threshold_ns) {
		s->n_in++;
		s->n_out = 0;
	} else {
		s->n_out++;
		s->n_in = 0;
	}
	if (!s->ops->hold(s->algo, &hold))
		s->state = SERVO_UNLOCKED;
	else if (s->n_in >= LOCK_SAMPLES)
		s->state = SERVO_LOCKED;
	else if (s->state != SERVO_LOCKED || s->n_out >= LOCK_SAMPLES)
		s->state = SERVO_LOCKING;
}

/*
 * Planner step; returns true if it produced the output (still slewing).
 * At handover *offset_ns becomes the offset the tracking should start from.
 */
struct prev_sample {
	double offset_ns, t_s;
};

/*
 * On a cold start the sample before the one that engages the planner gives
 * it a baseline at once, if the offset moved between them as a clock can
 * drift (|natural error| <= 500 ppm, what adjtimex itself accepts) and not
 * as a reference that jumped. A measured hold is better than a seed, but
 * a tracker that has not had TRACKED_OWN samples since the last handover
 * has no hold of its own: it holds the planner's. If the offset ran away
 * again right after a landing (the clock's frequency jumped: the short
 * slew gave the planner no baseline of its own, and the prior was from
 * before the jump), a planner going on that prior would land on it again,
 * and again, for ever; the handover sample, with the frequency applied
 * since, shows the new hold.
 */
static bool plausible_seed(const struct servo *s, const struct prev_sample *prev, double offset_ns)
{
	double dt = s->t_s - prev->t_s, hold;

	if (!(dt > 0))
		return false;
	hold = s->freq_ppb - s->ff_ppb - (offset_ns - prev->offset_ns) / dt;
	return fabs(hold) <= MAX_NATURAL_PPB;
}

static bool run_planner(struct servo *s, double *offset_ns, const struct prev_sample *prev,
			const struct servo_limits *lim, struct servo_out *out)
{
	struct planner_out po;
	double hold;
	bool good;

	if (!s->pl.active && fabs(*offset_ns) > lim->engage_ns) {
		good = s->ops->hold(s->algo, &hold);
		planner_start(&s->pl, hold, good, s->freq_ppb - s->ff_ppb);
		if ((!good || s->tracked < TRACKED_OWN) && prev &&
		    plausible_seed(s, prev, *offset_ns))
			planner_seed(&s->pl, prev->offset_ns, prev->t_s);
		s->state = SERVO_LOCKING;
		s->n_in = s->n_out = 0;
	}
	if (!s->pl.active)
		return false;
	planner_sample(&s->pl, *offset_ns, s->t_s, lim, &po);
	if (po.done) {
		planner_stop(&s->pl);
		s->ops->start(s->algo, po.hold_ppb);
		s->tracked = 0;
		*offset_ns = po.handover_offset_ns;
		return false;
	}
	out->slewing = true;
	out->slew_left_s = po.left_s;
	if (po.next_s > 0)
		out->next_interval_s = to_local_s(s, po.next_s, po.freq_ppb, &po);
	set_out(s, out, po.freq_ppb, po.clamped);
	return true;
}

void servo_sample(struct servo *s, int64_t offset_ns, int64_t local_ns,
		  struct servo_out *out)
{
	struct prev_sample prev;
	struct servo_limits lim;
	bool clamped, have_prev;
	double f, o = (double)offset_ns;

	if (!out)
		return;
	*out = (struct servo_out){ .action = SERVO_NONE };
	if (!s)
		return;
	out->freq_ppb = s->freq_ppb;
	out->state = s->state;
	have_prev = s->prev_ok;
	prev = (struct prev_sample){ .offset_ns = s->last_offset_ns, .t_s = s->t_s };
	if (!advance_time(s, offset_ns, local_ns))
		return;
	s->prev_ok = true;
	if (want_step(s, offset_ns)) {
		s->first_done = true;
		take_step(s, offset_ns, out);
		return;
	}
	s->first_done = true;
	limits(s, &lim);
	if (run_planner(s, &o, have_prev ? &prev : NULL, &lim, out))
		return;
	f = s->ops->sample(s->algo, o, s->t_s, &lim, &clamped);
	if (s->tracked < TRACKED_OWN)
		s->tracked++;
	track_lock(s, offset_ns);
	set_out(s, out, f, clamped);
}

void servo_stepped(struct servo *s, int64_t step_ns)
{
	if (s)
		rebase(s, step_ns);
}

void servo_rate_changed(struct servo *s)
{
	double hold;

	if (!s)
		return;
	hold = s->freq_ppb - s->ff_ppb;
	s->ops->hold(s->algo, &hold);
	s->ops->reset(s->algo);
	s->ops->start(s->algo, hold);
}

void servo_not_applied(struct servo *s, double applied_ppb)
{
	if (!s || !isfinite(applied_ppb))
		return;
	planner_stop(&s->pl);
	s->ops->reset(s->algo);
	s->ops->start(s->algo, applied_ppb - s->ff_ppb);
	s->freq_ppb = applied_ppb;
	s->prev_ok = false;
	s->n_in = s->n_out = 0;
	s->state = SERVO_UNLOCKED;
}

void servo_set_feedforward(struct servo *s, double ppb)
{
	if (s && isfinite(ppb))
		s->ff_ppb = ppb;
}

void servo_set_max_freq(struct servo *s, double max_freq_ppb)
{
	if (s && max_freq_ppb > 0 && max_freq_ppb <= s->p.max_adj_ppb)
		s->p.max_freq_ppb = max_freq_ppb;
}

bool servo_natural_freq(const struct servo *s, double *ppb)
{
	double h;

	if (!s) {
		*ppb = 0;
		return false;
	}
	if (s->pl.active && s->pl.have_hold) {
		*ppb = s->pl.hold_ppb;
		return s->pl.hold_good;
	}
	if (s->ops->hold(s->algo, &h)) {
		*ppb = h;
		return true;
	}
	*ppb = s->init_ppb;
	return false;
}

const char *servo_type_name(enum servo_type t)
{
	const struct servo_algo_ops *ops = algo_ops(t);

	return ops ? ops->name : "unknown";
}

const char *servo_state_name(enum servo_state st)
{
	switch (st) {
	case SERVO_UNLOCKED:
		return "unlocked";
	case SERVO_LOCKING:
		return "locking";
	case SERVO_LOCKED:
		return "locked";
	}
	return "unknown";
}
