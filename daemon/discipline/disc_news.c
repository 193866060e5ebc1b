/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Steps are news: a discipline's handlers on its clock and on the clock its
 * source reads (phc/clock.h's observers). A step made by someone else (a
 * settimeofday of another process, a second time daemon, a resume) is
 * logged with its size, audited, becomes a recovery event, and re-bases
 * the servo, so that it reads the jump as a new offset and not as a slope;
 * a step of the reference re-bases it the other way. The discipline's own
 * steps are accounted where it makes them (apply(), the leap step), so
 * the handler leaves them alone while d->stepping is set.
 */
#include <inttypes.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/log.h"

/*
 * A recovery event for a step of offset_delta_ns: the offset right after it
 * is the last one measured plus that. If the servo answers with a step of
 * its own in the same update, that step is part of this recovery, not a
 * new event (apply() looks at d->news_seen).
 */
static void news_event(struct discipline *d, int64_t offset_delta_ns)
{
	if (!d->started)
		return;
	d->news_seen = true;
	disc_report_event(d, RECOVERY_STEP, 0, d->offset_ns + offset_delta_ns);
}

static void target_stepped(struct discipline *d, const struct clock_change *ch, int64_t now)
{
	const char *who = ch->kind == CLOCK_CHANGE_FOREIGN_STEP ?
			  "someone else (another process or time daemon)" : "another discipline";

	d->foreign_steps++;
	servo_stepped(d->servo, ch->step_ns);
	pr_warn("%s: stepped by %+.9f s by %s", d->cc.name,
		(double)ch->step_ns / NS_PER_S, who);
	disc_audit(d, AUDIT_STEP, AKV_INT("delta_ns", ch->step_ns),
		   AKV_STR("reason", ch->kind == CLOCK_CHANGE_FOREIGN_STEP ? "foreign" :
			   "other_discipline"));
	/* a step of CLOCK_REALTIME also dropped the kernel's armed leap */
	disc_leap_stepped(d, now);
	news_event(d, ch->step_ns);
}

/* Two time daemons fighting: FIGHT_N changes by someone else within
 * FIGHT_WINDOW_NS raise the alarm; as long without one clear it. */
#define FIGHT_N			DISC_FIGHT_N
#define FIGHT_WINDOW_NS		(600 * NS_PER_S)

/*
 * The frequency (or CLOCK_REALTIME's tick, which is part of it) changed
 * behind our back: a driver reset to 0, or another process's ADJ_FREQUENCY
 * or ADJ_TICK. The next update sets the servo's frequency again. Said once
 * per episode (the first change after a quiet window), counted always.
 */
static void foreign_freq(struct discipline *d, const struct clock_change *ch, int64_t now)
{
	bool quiet = !d->foreign_freqs || now - d->foreign_t[(d->foreign_freqs - 1) % FIGHT_N] >
			FIGHT_WINDOW_NS;
	int64_t oldest;

	d->foreign_t[d->foreign_freqs++ % FIGHT_N] = now;
	if (quiet) {
		pr_warn("%s: frequency changed behind gnomond's back to %+.3f ppm (it had set "
			"%+.3f ppm): %s %s; setting it again", d->cc.name, ch->freq_ppb / 1e3,
			ch->was_ppb / 1e3, ch->freq_ppb == 0 && clock_kind(d->clk) == CLOCK_KIND_PHC ?
			"the driver reset it, or another process is adjusting" :
			"another process is adjusting", clock_name(d->clk));
		disc_audit(d, AUDIT_FREQ_FOREIGN, AKV_NUM("freq_ppb", ch->freq_ppb, 3),
			   AKV_NUM("was_ppb", ch->was_ppb, 3));
	}
	oldest = d->foreign_t[d->foreign_freqs % FIGHT_N];
	if (d->foreign_alarm || d->foreign_freqs < FIGHT_N || now - oldest > FIGHT_WINDOW_NS)
		return;
	d->foreign_alarm = true;
	pr_err("%s: ALARM: another process keeps adjusting %s (%d frequency changes in %.0f s): "
	       "two time daemons fighting over one clock? Stop the other one (chronyd, ntpd, "
	       "phc2sys, timesyncd)", d->cc.name, clock_name(d->clk), FIGHT_N,
	       (double)(now - oldest) / NS_PER_S);
	disc_audit(d, AUDIT_FOREIGN_ALARM, AKV_INT("changes", FIGHT_N),
		   AKV_NUM("window_s", (double)(now - oldest) / NS_PER_S, 3));
}

/* The fight is over when nobody else changed the frequency for a window. */
static void foreign_quiet(struct discipline *d, int64_t now)
{
	int64_t last;

	if (!d->foreign_alarm)
		return;
	last = d->foreign_t[(d->foreign_freqs - 1) % FIGHT_N];
	if (now - last <= FIGHT_WINDOW_NS)
		return;
	d->foreign_alarm = false;
	pr_notice("%s: alarm cleared: nobody else adjusted %s for %.0f s", d->cc.name,
		  clock_name(d->clk), (double)(now - last) / NS_PER_S);
	disc_audit(d, AUDIT_FOREIGN_CLEAR, AKV_NUM("quiet_s", (double)(now - last) / NS_PER_S, 3));
}

static void on_target(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct discipline *d = arg;
	int64_t now = loop_now(d->env.loop);

	(void)c;
	if (ch->kind != CLOCK_CHANGE_FREQ_RESET)
		disc_sync_stepped(d);
	switch (ch->kind) {
	case CLOCK_CHANGE_STEP:
		if (d->stepping)
			return;
		/* fall through */
	case CLOCK_CHANGE_FOREIGN_STEP:
		target_stepped(d, ch, now);
		return;
	case CLOCK_CHANGE_FREQ_RESET:
		if (d->leading)
			return;	/* a bond's active PHC: its reference (ptp4l) steers it */
		foreign_freq(d, ch, now);
		return;
	}
}

/* The reference moved by step: target - reference moved by -step. */
static void on_reference(struct clock *c, const struct clock_change *ch, void *arg)
{
	struct discipline *d = arg;

	if (ch->kind == CLOCK_CHANGE_FREQ_RESET)
		return;		/* a rate change of the reference: the servo follows it */
	servo_stepped(d->servo, -ch->step_ns);
	disc_ref_stepped(d, ch->step_ns);
	pr_notice("%s: reference %s stepped by %+.9f s%s; following it", d->cc.name,
		  clock_name(c), (double)ch->step_ns / NS_PER_S,
		  ch->kind == CLOCK_CHANGE_FOREIGN_STEP ? " by someone else" : "");
	news_event(d, -ch->step_ns);
}

static struct clock *reference_of(const struct discipline *d)
{
	return d->src->ref && d->src->ref != d->clk ? d->src->ref : NULL;
}

int disc_news_subscribe(struct discipline *d)
{
	int r = clock_add_change_handler(d->clk, on_target, d);

	if (r < 0 || !reference_of(d))
		return r;
	r = clock_add_change_handler(reference_of(d), on_reference, d);
	if (r < 0)
		clock_remove_change_handler(d->clk, on_target, d);
	return r;
}

void disc_news_unsubscribe(struct discipline *d)
{
	clock_remove_change_handler(d->clk, on_target, d);
	if (reference_of(d))
		clock_remove_change_handler(reference_of(d), on_reference, d);
}

int disc_news_watch(struct discipline *d)
{
	int r;

	d->news_seen = false;
	r = clock_watch(d->clk);
	foreign_quiet(d, loop_now(d->env.loop));

	if (r >= 0 && reference_of(d))
		r = clock_watch(reference_of(d));
	return r;
}

int disc_step(struct discipline *d, int64_t delta_ns)
{
	int r;

	d->stepping = true;
	r = clock_step(d->clk, delta_ns);
	d->stepping = false;
	return r;
}
