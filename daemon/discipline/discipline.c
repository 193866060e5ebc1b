/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One discipline's update pipeline:
 *   measure -> convert (timescale, leap policy) -> servo -> apply -> account.
 * Scheduled on the loop's CLOCK_MONOTONIC timers only.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"
#include "phc/systime.h"
#include "util/util.h"

const char *disc_state_name(enum disc_state s)
{
	switch (s) {
	case DISC_FREERUN: return "FREERUN";
	case DISC_LOCKED: return "LOCKED";
	case DISC_HOLDOVER: return "HOLDOVER";
	}
	return "?";
}

/* The shift to add to (target - reference): a UTC clock from a TAI
 * reference is behind it by TAI - UTC (shaped by the leap policy); a TAI
 * clock from a UTC reference is ahead by it. */
static int timescale_shift(struct discipline *d, const struct source_sample *smp,
			   int64_t now, int64_t *shift, int64_t *stepped, bool *hold)
{
	const struct gnomon_config *conf = d->env.conf;
	enum timescale src_ts = smp->ref_utc ? TS_UTC : d->cc.source_timescale;
	int64_t ref_ns = smp->ref_ns;
	int tai_utc, r;

	*shift = 0;
	*stepped = 0;
	*hold = false;
	if (d->cc.timescale == src_ts)
		return 0;
	if (conf->tai_offset_auto && d->leap_verdict < 0)
		return d->leap_verdict;	/* both-must-agree, and they do not */
	if (d->leap_applies && src_ts == TS_TAI && leaptable_known(d->leaps) &&
	    conf->tai_offset_auto)
		return disc_leap_update(d, ref_ns, now, shift, stepped, hold);
	if (conf->tai_offset_auto) {
		/* TAI clock from a UTC source, or no table: the table's value */
		int64_t t_s = ref_ns / NS_PER_S;

		r = src_ts == TS_TAI ? leaptable_tai_offset_tai(d->leaps, t_s, &tai_utc) :
				       leaptable_tai_offset(d->leaps, t_s, &tai_utc);
		if (r < 0)
			return r;
	} else {
		tai_utc = conf->tai_offset_s;
	}
	*shift = (int64_t)tai_utc * NS_PER_S;
	if (d->cc.timescale == TS_TAI)
		*shift = -*shift;
	return 0;
}

/*
 * The servo's time base. CLOCK_MONOTONIC (the loop's clock) runs at
 * CLOCK_REALTIME's rate, slewed by up to 10 % while the system clock is
 * disciplined: right for the system clock's own servo (it knows its own
 * slew: local_follows_clock), wrong by that much for every other clock's,
 * which would then misjudge its frequency. Those are timed on
 * CLOCK_MONOTONIC_RAW, which nobody slews.
 */
static int64_t servo_time(struct discipline *d, int64_t now)
{
	int64_t raw;

	if (clock_kind(d->clk) == CLOCK_KIND_SYSTEM)
		return now;
	raw = systime_raw_ns();
	/* how fast CLOCK_MONOTONIC ran against the raw clock lately */
	if (d->last_raw_ns && raw > d->last_raw_ns && now > d->last_mono_ns)
		d->mono_per_raw = (double)(now - d->last_mono_ns) / (double)(raw - d->last_raw_ns);
	d->last_raw_ns = raw;
	d->last_mono_ns = now;
	return raw;
}

/* The servo's next interval (its own time base) as a loop (CLOCK_MONOTONIC)
 * delay. */
static int64_t next_delay(const struct discipline *d, double next_s)
{
	double r = clock_kind(d->clk) == CLOCK_KIND_SYSTEM || d->mono_per_raw <= 0 ?
		   1.0 : d->mono_per_raw;

	return (int64_t)llround(next_s * r * NS_PER_S);
}

/*
 * A linear smear's rate jumps where its window opens and closes: sample
 * right after that instant, so the feed-forward switches on time instead
 * of up to one interval late (11.6 ppm for 1 s would be 11.6 us off).
 * Accept, ignore and step sample right after the leap's instant the same
 * way (the recovery from it is timed from there; step steps then).
 */
#define SMEAR_EDGE_MARGIN_NS	100000	/* land 100 us past the edge */

/* While the source fails, read it this often (the recovery from the
 * fault is timed from its end: known to half of this). */
#define FAULT_RETRY_NS	(50 * 1000000LL)
/* A source without a new sample is asked again this often: an NTP
 * reply waits at most this long before the servo sees it. */
#define NEWS_CHECK_NS	(100 * 1000000LL)

static int64_t leap_bounded(const struct discipline *d, int64_t delay_ns)
{
	int64_t edge;

	if (!d->leap_applies || d->leap.next_change_s <= 0)
		return delay_ns;
	edge = (int64_t)llround(d->leap.next_change_s * NS_PER_S) + SMEAR_EDGE_MARGIN_NS;
	return edge < delay_ns ? edge : delay_ns;
}

static void account(struct discipline *d, int64_t now, int64_t offset)
{
	int64_t a = llabs(offset);

	d->sum_sq += (double)offset * (double)offset;
	if (a > d->max_abs)
		d->max_abs = a;
	d->n_sum++;
	if (!d->summary_start_ns)
		d->summary_start_ns = now;
	if (now - d->summary_start_ns >= 60 * NS_PER_S) {
		pr_info("%s: rms %.0f ns max %" PRId64 " ns freq %+.3f ppm over %u updates, %s",
			d->cc.name, sqrt(d->sum_sq / d->n_sum), d->max_abs,
			d->freq_ppb / 1e3, d->n_sum, disc_state_name(d->state));
		d->sum_sq = 0;
		d->max_abs = 0;
		d->n_sum = 0;
		d->summary_start_ns = now;
	}
}

static int apply(struct discipline *d, const struct servo_out *o, int64_t now)
{
	int r;

	if (o->action == SERVO_NONE)
		return 0;
	if (o->action == SERVO_STEP) {
		r = disc_step(d, o->step_ns);
		if (r < 0)
			return r;
		d->steps++;
		d->proj_ns = 0;	/* nothing to carry forward across a step */
		disc_leap_stepped(d, now);
		pr_notice("%s: %s by %+.9f s", d->cc.name, disc_dry(d) ? "would step" : "stepped",
			  (double)o->step_ns / NS_PER_S);
		disc_audit(d, AUDIT_STEP, AKV_INT("delta_ns", o->step_ns),
			   AKV_STR("reason", "step_threshold"));
		/* stepping back from someone else's step: that event goes on */
		if (!d->news_seen)
			disc_report_event(d, RECOVERY_STEP, 0, d->offset_ns + o->step_ns);
	}
	r = clock_adj_freq(d->clk, o->freq_ppb);
	if (r < 0)
		return r;
	d->freq_ppb = o->freq_ppb;
	return 0;
}

/* The source failed: retry soon, so that the fault's end (from which the
 * recovery is timed) is known to FAULT_RETRY_NS. */
static int64_t read_failed(struct discipline *d, int err, int64_t now)
{
	/* a source still getting ready (ptp4l asked, no answer yet) is no fault */
	if (err == -EINPROGRESS && !d->started)
		return FAULT_RETRY_NS;
	/* no new sample since the last (an NTP source between replies): no fault */
	if (err == -EAGAIN)
		return d->interval_ns < NEWS_CHECK_NS ? d->interval_ns : NEWS_CHECK_NS;
	disc_report_fault(d, d->ref_refused ? DISC_FAULT_REF_JUMP : DISC_FAULT_READ, err, now);
	return d->interval_ns < FAULT_RETRY_NS ? d->interval_ns : FAULT_RETRY_NS;
}

/*
 * A source with no new sample (-EAGAIN: an NTP source between replies)
 * while the slew planner removes an offset: the planner asked for this
 * update to hand over on time, so it gets the last offset carried forward
 * by what the clock did since (our frequency less the natural one the
 * servo found), instead of slewing on at the cap until the next reply.
 */
static int project_offset(struct discipline *d, int64_t now, struct source_sample *s)
{
	double nat = 0;

	if (!d->started || !d->out.slewing || !d->proj_ns)
		return -EAGAIN;
	if (!servo_natural_freq(d->servo, &nat))
		nat = 0;
	*s = d->proj_sample;
	s->offset_ns = d->proj_offset_ns +
		       (int64_t)llround((d->freq_ppb - nat) * (double)(now - d->proj_ns) / 1e9);
	return 0;
}

static void project_from(struct discipline *d, int64_t now, const struct source_sample *s)
{
	d->proj_sample = *s;
	d->proj_offset_ns = s->offset_ns;
	d->proj_ns = now;
}

/* Read the source, timed on the raw clock (a stall must not hide behind a
 * slewed CLOCK_MONOTONIC); nothing new while slewing: project_offset(). */
static int measure(struct discipline *d, int64_t now, struct source_sample *s)
{
	int64_t t0 = systime_raw_ns();
	int r = source_measure(d->src, d->clk, s);

	disc_report_read_time(d, systime_raw_ns() - t0);
	if (r == -EAGAIN)
		return project_offset(d, now, s);
	d->ref_refused = r >= 0 && disc_ref_guard(d, s, now);
	return d->ref_refused ? -ERANGE : r;
}

static int64_t update(struct loop *l, long id, void *arg)
{
	struct discipline *d = arg;
	struct source_sample s;
	struct servo_out o;
	int64_t now = loop_now(l), shift, stepped;
	bool hold;
	int r;

	(void)id;
	/* a step by someone else since the last update re-bases the servo
	 * before it sees this sample (disc_news.c); a failed check is only
	 * a check missed, the measurement says whether the clocks work */
	disc_news_watch(d);
	r = measure(d, now, &s);
	if ((d->leading = r == -EALREADY))	/* a bond's active PHC: others follow it */
		return d->interval_ns;
	if (r < 0)	/* when paused, a reading may straddle the kernel's leap */
		return d->paused ? d->interval_ns : read_failed(d, r, now);
	disc_ptp_update(d, now, &s);
	r = timescale_shift(d, &s, now, &shift, &stepped, &hold);
	if (r < 0) {
		disc_report_fault(d, DISC_FAULT_TIMESCALE, r, now);
		return d->interval_ns;
	}
	d->last_good_ns = now;	/* the source answered */
	d->offset_ns = s.offset_ns + shift + stepped;
	if (hold) {
		/* leap pause: the servo keeps its frequency, but what the clock
		 * does meanwhile still counts for the recovery report */
		disc_report_good(d, now);
		disc_report_sample(d, now, d->offset_ns);
		return leap_bounded(d, d->interval_ns);
	}
	if (disc_start_or_guard(d, now))
		return d->interval_ns;
	servo_sample(d->servo, d->offset_ns, servo_time(d, now), &o);
	project_from(d, now, &s);
	if ((r = apply(d, &o, now)) < 0) {
		/* the clock runs at what was last applied, not at o.freq_ppb */
		servo_not_applied(d->servo, d->freq_ppb);
		disc_report_fault(d, DISC_FAULT_ADJUST, r, now);
		return d->interval_ns;
	}
	d->updates++;
	disc_report_good(d, now);	/* only a whole update ends a fault episode */
	disc_natural_tick(d, now);
	pr_debug("%s: offset %+" PRId64 " ns freq %+.3f ppb delay %" PRId64 " ns %s%s",
		 d->cc.name, d->offset_ns, o.freq_ppb, s.delay_ns,
		 servo_state_name(o.state), o.slewing ? " slewing" : "");
	disc_report_state(d, &o, now);
	disc_sync_sample(d, d->offset_ns, s.delay_ns);
	d->out = o;
	disc_report_sample(d, now, o.action == SERVO_STEP ? d->offset_ns + o.step_ns
						       : d->offset_ns);
	account(d, now, d->offset_ns);
	return leap_bounded(d, o.next_interval_s > 0 ? next_delay(d, o.next_interval_s)
						     : d->interval_ns);
}

static int check_cap(const struct gnomon_config *conf, const struct clock_conf *cc,
		     struct clock *clk, char *err, size_t errlen)
{
	char where[CONF_PATH_MAX + 32];
	double max_ppb = clock_max_adj_ppb(clk);

	if (cc->max_slew_ppb <= max_ppb)
		return 0;
	snprintf(err, errlen, "%s: max_slew_ppm %.0f is above what %s accepts (%.0f ppm)",
		 config_where(conf, cc, "max_slew_ppm", where, sizeof(where)),
		 cc->max_slew_ppm, clock_name(clk), max_ppb / PPB_PER_PPM);
	return -ERANGE;
}

/* CLOCK_MONOTONIC (the loop's clock) is slewed with CLOCK_REALTIME by up
 * to 10 %: the servo must know when it disciplines the clock it is timed by. */
struct servo *disc_make_servo(const struct clock_conf *cc, double freq, bool sysclk,
			      double max_adj_ppb)
{
	struct servo_params p = {
		.type = cc->servo,
		.max_freq_ppb = cc->max_slew_ppb,
		.max_adj_ppb = max_adj_ppb,
		.step_threshold_ns = (int64_t)llround(cc->step_threshold_s * NS_PER_S),
		.first_step_threshold_ns = (int64_t)llround(cc->first_step_threshold_s * NS_PER_S),
		.interval_s = 1.0 / cc->update_rate_hz,
		.pi_kp = cc->pi_kp,
		.pi_ki = cc->pi_ki,
		.lock_threshold_ns = (int64_t)llround(cc->lock_threshold_s * NS_PER_S),
		.local_follows_clock = sysclk,
	};

	return servo_create(&p, freq);
}

static int init_leap(struct discipline *d, char *err, size_t errlen)
{
	char where[CONF_PATH_MAX + 32];

	/* a ptp4l source brings the grandmaster's leap word (disc_ptp.c) */
	if (disc_ptp_init(d) < 0) {
		snprintf(err, errlen, "%s: out of memory", d->cc.name);
		return -ENOMEM;
	}
	d->leap_applies = d->cc.timescale == TS_UTC && d->cc.source_timescale == TS_TAI;
	d->lpc.policy = d->cc.leap_policy;
	d->lpc.pause_s = d->cc.leap_pause_s;
	if (d->lpc.policy == LEAP_POLICY_SMEAR &&
	    config_smear_params(&d->cc, &d->lpc.smear) < 0) {
		snprintf(err, errlen, "%s: invalid smear parameters",
			 config_where(d->env.conf, &d->cc, "smear", where, sizeof(where)));
		return -EINVAL;
	}
	if (d->lpc.policy == LEAP_POLICY_ACCEPT && d->leap_applies &&
	    clock_kind(d->clk) != CLOCK_KIND_SYSTEM) {
		snprintf(err, errlen, "%s: leap_policy accept needs the kernel's leap "
			 "second support, which only CLOCK_REALTIME has",
			 config_where(d->env.conf, &d->cc, "leap_policy", where, sizeof(where)));
		return -EINVAL;
	}
	disc_leap_init(d);
	return 0;
}

struct discipline *discipline_create(const struct discipline_env *env,
				     const struct clock_conf *cc, struct clock *target,
				     struct source *src, char *err, size_t errlen)
{
	struct discipline *d;
	double freq = 0;
	int r;

	if (check_cap(env->conf, cc, target, err, errlen) < 0)
		return NULL;
	r = clock_get_freq(target, &freq);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read frequency: %s", clock_name(target), strerror(-r));
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->env = *env;
	d->cc = *cc;
	d->clk = target;
	d->src = src;
	d->freq_ppb = freq;
	freq = disc_natural_start(d, freq);
	d->timer = -1;
	d->interval_ns = (int64_t)llround(NS_PER_S / cc->update_rate_hz);
	if (init_leap(d, err, errlen) < 0)
		goto fail;
	d->servo = disc_make_servo(cc, freq, clock_kind(target) == CLOCK_KIND_SYSTEM,
				   clock_max_adj_ppb(target));
	if (!d->servo || disc_recovery_create(d) < 0) {
		snprintf(err, errlen, "%s: cannot create servo or recovery tracker", cc->name);
		goto fail;
	}
	if (disc_news_subscribe(d) < 0) {
		snprintf(err, errlen, "%s: out of memory", cc->name);
		goto fail;
	}
	d->subscribed = true;
	d->timer = loop_add_timer(env->loop, 0, update, d);
	if (d->timer < 0) {
		snprintf(err, errlen, "%s: cannot add timer", cc->name);
		goto fail;
	}
	pr_info("%s: disciplined from %s, servo %s, cap %.0f ppm, %.3g updates/s, "
		"freq %+.3f ppm%s%s%s", cc->name, src->spec, servo_type_name(cc->servo),
		cc->max_slew_ppm, cc->update_rate_hz, freq / PPB_PER_PPM,
		d->leap_applies ? ", leap policy " : "",
		d->leap_applies ? leap_policy_name(d->lpc.policy) : "",
		clock_is_dryrun(target) ? " (dry run)" : "");
	disc_audit(d, AUDIT_START, AKV_STR("source", src->spec),
		   AKV_STR("policy", d->leap_applies ? leap_policy_name(d->lpc.policy) : "none"),
		   AKV_NUM("cap_ppb", cc->max_slew_ppb, 0), AKV_INT("dry_run", clock_is_dryrun(target)));
	return d;
fail:
	discipline_destroy(d);
	return NULL;
nomem:
	snprintf(err, errlen, "%s: out of memory", cc->name);
	return NULL;
}

void discipline_destroy(struct discipline *d)
{
	struct recovery_report rep;

	if (!d)
		return;
	if (d->timer > 0)
		loop_del_timer(d->env.loop, d->timer);
	if (d->subscribed)
		disc_news_unsubscribe(d);
	if (d->rec) {
		recovery_abort(d->rec, systime_raw_ns());
		while (recovery_poll_done(d->rec, &rep))
			if (d->env.history)
				history_append(d->env.history, &rep);
	}
	if (d->servo) {
		disc_sync_exit(d);
		disc_natural_leave(d);
	}
	recovery_destroy(d->rec);
	disc_ptp_destroy(d);
	servo_destroy(d->servo);
	free(d);
}

/* What chronyc tracking shows: RMS, error bound, the kernel's state, ... */
static void tracking_status(const struct discipline *d, struct discipline_status *st)
{
	st->have_rms = disc_rms_offset(d, &st->rms_offset_ns, &st->rms_n);
	st->have_bound = d->have_bound && d->state == DISC_LOCKED;
	st->error_bound_ns = st->have_bound ? d->err_bound_ns : 0;
	if (d->last_good_ns)
		st->last_good_utc_ns = systime_realtime_ns() -
			(loop_now(d->env.loop) - d->last_good_ns);
	st->has_kernel_sync = clock_kind(d->clk) == CLOCK_KIND_SYSTEM;
	st->kernel_synced = d->kernel_synced;
	st->kernel_maxerror_ns = d->kernel_maxerror_ns;
	st->kernel_esterror_ns = d->kernel_esterror_ns;
}

/* after disc_ptp_status(): the leap and TAI offset in use */
static void tracking_leap(const struct discipline *d, struct discipline_status *st)
{
	const struct disc_ptp_status *p = &st->ptp;

	if (p->present && !strcmp(p->leap_source, "ptp"))
		st->leap_pending = p->ptp_leap;
	else if (p->present && !strcmp(p->leap_source, "file"))
		st->leap_pending = p->file_leap;
	else
		st->leap_pending = d->leap_applies && !d->leap.past ? d->leap.delta : 0;
	st->have_tai = d->kernel_tai > 0 || (p->present && p->have_tprops && p->utc_valid);
	st->tai_offset_s = d->kernel_tai > 0 ? d->kernel_tai : st->have_tai ? p->utc_offset_s : 0;
}

void discipline_get_status(const struct discipline *d, struct discipline_status *st)
{
	memset(st, 0, sizeof(*st));
	st->name = d->cc.name;
	st->source = d->src->spec;
	st->kind = clock_kind(d->clk);
	st->state = d->state;
	st->servo_state = d->out.state;
	st->servo = d->cc.servo;
	st->offset_ns = d->offset_ns;
	st->freq_ppb = d->freq_ppb;
	st->max_slew_ppm = d->cc.max_slew_ppm;
	st->slewing = d->out.slewing;
	st->at_cap = d->out.at_cap;
	/* a dry run applies nothing: no time left to tell (NaN) */
	st->slew_left_s = disc_dry(d) ? NAN : d->out.slew_left_s;
	st->last_update_age_s = d->last_good_ns ?
		(double)(loop_now(d->env.loop) - d->last_good_ns) / NS_PER_S : -1;
	st->holding = d->fault_run > 0;
	st->updates = d->updates;
	st->steps = d->steps;
	st->faults = d->faults;
	st->update_failures = d->update_failures;
	tracking_status(d, st);
	st->slow_reads = d->slow_reads;
	st->foreign_steps = d->foreign_steps;
	st->foreign_freqs = d->foreign_freqs;
	st->foreign_alarm = d->foreign_alarm;
	st->reference_jumps = d->refjumps;
	st->reopens = d->reopens;
	st->last_error = d->last_error;
	st->dry_run = clock_is_dryrun(d->clk);
	st->leap_applies = d->leap_applies;
	st->leap_policy = d->lpc.policy;
	st->leap = d->leap;
	st->kernel_leap = d->kernel_leap;
	recovery_status(d->rec, &st->recovery);
	snprintf(st->state_reason, sizeof(st->state_reason), "%s", d->unfit);
	disc_ref_reason(d, st->state_reason, sizeof(st->state_reason));
	disc_ptp_status(d, &st->ptp);
	tracking_leap(d, st);
}

size_t discipline_recovery_history(const struct discipline *d,
				   struct recovery_report *out, size_t max)
{
	return recovery_history(d->rec, out, max);
}

/* ---- read-only accessors and the run-time slew cap (reload) ---- */

int64_t discipline_last_good_ns(const struct discipline *d)
{
	return d->last_good_ns;
}

int64_t discipline_interval_ns(const struct discipline *d)
{
	return d->interval_ns;
}

struct clock *discipline_clock(const struct discipline *d)
{
	return d->clk;
}

int discipline_set_cap(struct discipline *d, double max_slew_ppb, char *err, size_t errlen)
{
	double max_ppb = clock_max_adj_ppb(d->clk);

	if (!(max_slew_ppb > 0) || !isfinite(max_slew_ppb)) {
		snprintf(err, errlen, "%s: max_slew_ppm must be > 0", d->cc.name);
		return -EINVAL;
	}
	if (max_slew_ppb > max_ppb) {
		snprintf(err, errlen, "%s: max_slew_ppm %.0f is above what %s accepts (%.0f ppm)",
			 d->cc.name, max_slew_ppb / PPB_PER_PPM, clock_name(d->clk),
			 max_ppb / PPB_PER_PPM);
		return -ERANGE;
	}
	servo_set_max_freq(d->servo, max_slew_ppb);
	recovery_set_cap(d->rec, max_slew_ppb);
	d->cc.max_slew_ppb = max_slew_ppb;
	d->cc.max_slew_ppm = max_slew_ppb / PPB_PER_PPM;
	return 0;
}
