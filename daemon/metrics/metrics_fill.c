// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomond's state as Prometheus metrics (doc/metrics.md): per clock from
 * discipline_get_status() and the recovery history, process-wide from the
 * leap table and the loop. Served by metrics_http (metrics_listen) and
 * written to a node_exporter textfile every metrics_interval
 * (metrics_textfile); both are driven by the one poll loop.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phc/systime.h"
#include "daemon/config/config.h"
#include "daemon/log.h"
#include "daemon/metrics/metrics_fill.h"
#include "daemon/record/recfile.h"
#include "daemon/source/pmc_msg.h"
#include "daemon/metrics/metrics_http.h"
#include "phc/sysclk.h"
#include "util/util.h"


struct dmetrics {
	struct dmetrics_env env;
	struct metrics_http *http;
	char listen[sizeof(((struct gnomon_config *)0)->metrics_listen)];
	struct metrics *text;		/* builder for the textfile */
	char textfile[CONF_PATH_MAX];
	long text_timer;
	int64_t interval_ns;
	int text_error;			/* last textfile error logged, 0 if none */
	struct recovery_tally tally[CONF_MAX_CLOCKS];
	struct recovery_report reps[RECOVERY_HISTORY_DEFAULT];
};

/* ---- plain values -> samples ------------------------------------------ */

void recovery_tally_update(struct recovery_tally *t, const struct recovery_report *hist,
			   size_t n, const struct recovery_status *rs)
{
	uint64_t fresh = rs->completed > t->completed_seen ? rs->completed - t->completed_seen : 0;
	size_t k = fresh < n ? (size_t)fresh : n;

	for (size_t i = n - k; i < n; i++) {
		const struct recovery_report *r = &hist[i];

		if ((unsigned)r->kind >= RECOVERY_KIND_COUNT)
			continue;
		if (t->active_counted && r->event_mono_ns == t->active_mono_ns &&
		    r->kind == t->active_kind)
			t->active_counted = false;	/* counted while in progress */
		else
			t->events[r->kind]++;
		t->has_last[r->kind] = true;
		t->last_s[r->kind] = r->recovered ? r->recovery_s : NAN;
		t->last_limit_s[r->kind] = r->limit_s;	/* NaN: none, no sample */
	}
	t->completed_seen = rs->completed;
	if (!rs->active || (unsigned)rs->kind >= RECOVERY_KIND_COUNT) {
		t->active_counted = false;
		return;
	}
	if (t->active_counted && rs->event_mono_ns == t->active_mono_ns &&
	    rs->kind == t->active_kind)
		return;
	t->events[rs->kind]++;
	t->active_counted = true;
	t->active_mono_ns = rs->event_mono_ns;
	t->active_kind = rs->kind;
}

/*
 * A sample of one of gnomon's families, declaring the family (from the
 * catalogue) on first use: a family only appears with samples, so a
 * scrape never carries HELP/TYPE lines of a family with nothing under it
 * (no tick without CLOCK_REALTIME, no leap expiry without a file).
 */
static int sample(struct metrics *m, const char *name, const char *const kv[], double v)
{
	size_t n;
	const struct metrics_def *d = metrics_gnomon_defs(&n);
	int r = -ENOENT;

	for (size_t i = 0; i < n && r == -ENOENT; i++)
		if (!strcmp(d[i].name, name))
			r = metrics_family(m, d[i].name, d[i].type, d[i].help);
	return r < 0 ? r : metrics_sample(m, name, kv, v);
}

int metrics_fill_sample(struct metrics *m, const char *name, const char *const kv[], double v)
{
	return sample(m, name, kv, v);
}

/* labels: clock, source, then up to one more pair */
static int put(struct metrics *m, const char *name, const struct discipline_status *st,
	       const char *k1, const char *v1, const char *k2, const char *v2, double v)
{
	const char *kv[] = { "clock", st->name, "source", st->source, k1, v1, k2, v2, NULL };

	return sample(m, name, kv, v);
}

#define PUT(name, v)	do { if ((r = put(m, name, st, NULL, NULL, NULL, NULL, v)) < 0) return r; } while (0)
#define PUT1(name, k, kv, v)	do { if ((r = put(m, name, st, k, kv, NULL, NULL, v)) < 0) return r; } while (0)

static int fill_recovery(struct metrics *m, const struct discipline_status *st,
			 const struct recovery_tally *t)
{
	int r;

	for (int k = 0; k < RECOVERY_KIND_COUNT; k++) {
		const char *ev = recovery_kind_name((enum recovery_kind)k);

		PUT1(METRIC_RECOVERY_EVENTS, "event", ev, (double)t->events[k]);
		if (!t->has_last[k])
			continue;
		PUT1(METRIC_RECOVERY_LAST, "event", ev, t->last_s[k]);
		if (isfinite(t->last_limit_s[k]))
			PUT1(METRIC_RECOVERY_LAST_LIMIT, "event", ev, t->last_limit_s[k]);
	}
	return 0;
}

static int fill_ptp(struct metrics *m, const struct discipline_status *st)
{
	const struct disc_ptp_status *p = &st->ptp;
	int r, in_use;

	for (int s = 1; s <= 9; s++)
		PUT1(METRIC_PTP_PORT_STATE, "state", ptp_port_state_name((unsigned)s),
		     p->port_state_num == s ? 1 : 0);
	PUT(METRIC_PTP_MASTER_OFFSET, p->have_status ? (double)p->master_offset_ns / 1e9 : NAN);
	PUT(METRIC_PTP_GM_PRESENT, p->gm_present ? 1 : 0);
	PUT(METRIC_PTP_UTC_OFFSET, p->have_tprops && p->utc_valid ? p->utc_offset_s : NAN);
	in_use = !strcmp(p->leap_source, "ptp") ? p->ptp_leap :
		 !strcmp(p->leap_source, "file") ? p->file_leap : 0;
	/* "from", not "source": that label is the clock's source already */
	PUT1(METRIC_LEAP_PENDING, "from", "ptp", p->ptp_leap);
	PUT1(METRIC_LEAP_PENDING, "from", "file", p->file_leap);
	PUT1(METRIC_LEAP_PENDING, "from", "in_use", in_use);
	return 0;
}

static int fill_tracking(struct metrics *m, const struct discipline_status *st)
{
	int r;

	PUT(METRIC_CLOCK_RMS_OFFSET, st->have_rms ? (double)st->rms_offset_ns / 1e9 : NAN);
	PUT(METRIC_CLOCK_ERROR_BOUND, st->have_bound ? (double)st->error_bound_ns / 1e9 : NAN);
	if (st->has_kernel_sync) {
		PUT(METRIC_CLOCK_KERNEL_SYNCED, st->kernel_synced ? 1 : 0);
		PUT(METRIC_CLOCK_KERNEL_MAXERROR, st->kernel_synced ?
		    (double)st->kernel_maxerror_ns / 1e9 : NAN);
		PUT(METRIC_CLOCK_KERNEL_ESTERROR, st->kernel_synced ?
		    (double)st->kernel_esterror_ns / 1e9 : NAN);
	}
	PUT(METRIC_TAI_OFFSET, st->have_tai ? st->tai_offset_s : NAN);
	if (!st->ptp.present)	/* fill_ptp() says it per source */
		PUT1(METRIC_LEAP_PENDING, "from", "in_use", st->leap_pending);
	return 0;
}

int metrics_fill_clock(struct metrics *m, const struct discipline_status *st, double tick_s,
		       const struct recovery_tally *t)
{
	static const enum disc_state states[] = { DISC_FREERUN, DISC_LOCKED, DISC_HOLDOVER };
	bool measured = st->updates > 0 || st->last_update_age_s >= 0;
	int r;

	if ((r = put(m, METRIC_CLOCK_INFO, st, "kind",
		     st->kind == CLOCK_KIND_SYSTEM ? "system" : "phc",
		     "servo", servo_type_name(st->servo), 1)) < 0)
		return r;
	PUT(METRIC_CLOCK_OFFSET, measured ? (double)st->offset_ns / 1e9 : NAN);
	PUT(METRIC_CLOCK_FREQ, st->freq_ppb / 1e9);	/* correctly rounded */
	if (!isnan(tick_s))
		PUT(METRIC_CLOCK_TICK, tick_s);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		PUT1(METRIC_CLOCK_STATE, "state", disc_state_name(states[i]),
		     st->state == states[i] ? 1 : 0);
	PUT(METRIC_CLOCK_SAMPLE_AGE, st->last_update_age_s >= 0 ? st->last_update_age_s : INFINITY);
	PUT(METRIC_CLOCK_UPDATES, (double)st->updates);
	PUT(METRIC_CLOCK_STEPS, (double)st->steps);
	PUT(METRIC_CLOCK_FAULTS, (double)st->faults);
	PUT(METRIC_CLOCK_UPDATE_FAILURES, (double)st->update_failures);
	if ((r = fill_tracking(m, st)) < 0)
		return r;
	PUT(METRIC_CLOCK_SLOW_READS, (double)st->slow_reads);
	PUT(METRIC_CLOCK_FOREIGN_STEPS, (double)st->foreign_steps);
	PUT(METRIC_CLOCK_FOREIGN_FREQS, (double)st->foreign_freqs);
	PUT(METRIC_CLOCK_FOREIGN_ALARM, st->foreign_alarm ? 1 : 0);
	PUT(METRIC_CLOCK_REF_JUMPS, (double)st->reference_jumps);
	PUT(METRIC_CLOCK_REOPENS, (double)st->reopens);
	PUT(METRIC_CLOCK_SLEWING, st->slewing ? 1 : 0);
	PUT(METRIC_CLOCK_SLEW_LEFT, st->slewing && st->slew_left_s > 0 ? st->slew_left_s : 0);
	if (st->ptp.present && (r = fill_ptp(m, st)) < 0)
		return r;
	return t ? fill_recovery(m, st, t) : 0;
}

int metrics_fill_bond(struct metrics *m, const char *bond, uint64_t failovers,
		      const char *const *members, int n, int active)
{
	const char *kv[] = { "bond", bond, NULL, NULL, NULL };
	int r = sample(m, METRIC_BOND_FAILOVERS, kv, (double)failovers);

	for (int i = 0; i < n && r >= 0; i++) {
		kv[2] = "member";
		kv[3] = members[i];
		r = sample(m, METRIC_BOND_ACTIVE, kv, i == active ? 1 : 0);
	}
	return r;
}

int metrics_fill_process(struct metrics *m, const struct leaptable *leaps, int64_t now_utc_s,
			 uint64_t iterations, double start_utc_s)
{
	static const enum leap_expiry states[] = {
		LEAP_EXPIRY_NONE, LEAP_EXPIRY_OK, LEAP_EXPIRY_SOON, LEAP_EXPIRED,
	};
	enum leap_expiry cur = leaptable_expiry_state(leaps, now_utc_s);
	const char *ver[] = { "version", GNOMON_VERSION, NULL };
	int64_t exp = leaptable_expiry_utc(leaps);
	int r;

	if (exp != LEAP_NO_TIME && (r = sample(m, METRIC_LEAP_EXPIRY, NULL, (double)exp)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		const char *kv[] = { "status", leap_expiry_name(states[i]), NULL };

		r = sample(m, METRIC_LEAP_STATUS, kv, cur == states[i] ? 1 : 0);
		if (r < 0)
			return r;
	}
	if ((r = sample(m, METRIC_LOOP_ITERATIONS, NULL, (double)iterations)) < 0 ||
	    (r = sample(m, METRIC_BUILD_INFO, ver, 1)) < 0)
		return r;
	return sample(m, METRIC_START_TIME, NULL, start_utc_s);
}

/* ---- the daemon -------------------------------------------------------- */

/* The kernel's tick for CLOCK_REALTIME, s; what the split of the frequency
 * gives when the kernel cannot be asked (dry run); NaN for a PHC. */
static double tick_of(struct discipline *d, const struct discipline_status *st)
{
	long tick = 0, scaled;
	double rest;

	if (st->kind != CLOCK_KIND_SYSTEM)
		return NAN;
	if (sysclk_read_raw(discipline_clock(d), &tick, &scaled) < 0 &&
	    sysclk_split(st->freq_ppb, &tick, &rest) < 0)
		return NAN;
	return (double)tick * 1e-6;
}

/* The state files' failed, waiting and given-up lines. */
static int fill_records(struct metrics *m, const char *file, const struct recfile *f)
{
	const char *kv[] = { "file", file, NULL };
	struct recfile_stats st;
	int r;

	if (!f)
		return 0;
	recfile_stats(f, &st);
	if ((r = metrics_fill_sample(m, METRIC_RECORDS_LOST, kv, (double)st.lost)) < 0 ||
	    (r = metrics_fill_sample(m, METRIC_RECORDS_PENDING, kv, (double)st.pending)) < 0)
		return r;
	return metrics_fill_sample(m, METRIC_RECORDS_DROPPED, kv, (double)st.dropped);
}

int daemon_metrics_fill(void *arg, struct metrics *m)
{
	struct dmetrics *dm = arg;
	const struct discipline_set *ds = &dm->env.discs;
	int64_t now_utc = systime_realtime_ns();
	int r = 0;

	for (int i = 0; i < ds->n && r >= 0; i++) {
		struct recovery_tally *t = &dm->tally[i];
		struct discipline_status st;
		size_t n;

		if (!ds->d[i])
			continue;
		discipline_get_status(ds->d[i], &st);
		n = discipline_recovery_history(ds->d[i], dm->reps, RECOVERY_HISTORY_DEFAULT);
		recovery_tally_update(t, dm->reps, n, &st.recovery);
		r = metrics_fill_clock(m, &st, tick_of(ds->d[i], &st), t);
	}
	if (r >= 0 && dm->env.fill_more)
		r = dm->env.fill_more(dm->env.more_arg, m);
	if (r >= 0)
		r = metrics_fill_process(m, dm->env.leaps, now_utc / NS_PER_S,
					 loop_iterations(dm->env.loop),
					 (double)dm->env.start_utc_ns / 1e9);
	if (r >= 0)
		r = fill_records(m, "history", dm->env.history);
	if (r >= 0)
		r = fill_records(m, "audit", dm->env.audit);
	if (r >= 0 && dm->env.health) {
		struct health_status hs;

		health_get_status(dm->env.health, &hs);
		r = metrics_fill_health(m, &hs);
	}
	if (r < 0)
		pr_err("metrics: cannot render: %s", strerror(-r));
	return r;
}

static int64_t text_tick(struct loop *l, long id, void *arg)
{
	struct dmetrics *dm = arg;
	const char *text;
	size_t len = 0;
	int r;

	(void)l;
	(void)id;
	metrics_reset(dm->text);
	r = daemon_metrics_fill(dm, dm->text);
	text = r < 0 ? NULL : metrics_text(dm->text, &len);
	r = text ? metrics_write_textfile(dm->textfile, text, len) : (r < 0 ? r : -ENOMEM);
	if (r < 0 && r != dm->text_error)
		pr_err("metrics_textfile %s: %s", dm->textfile, strerror(-r));
	else if (!r && dm->text_error)
		pr_notice("metrics_textfile %s: written again", dm->textfile);
	dm->text_error = r;
	return dm->interval_ns;
}

static int start_http(const struct gnomon_config *c, struct dmetrics *dm)
{
	char where[CONF_PATH_MAX + 32];
	int r = 0;

	snprintf(dm->listen, sizeof(dm->listen), "%s", c->metrics_listen);
	if (!dm->listen[0])
		return 0;
	dm->http = metrics_http_create(dm->env.loop, dm->listen, c->metrics_allow_remote,
				       daemon_metrics_fill, dm, &r);
	if (!dm->http) {
		pr_err("%s: metrics_listen %s: %s",
		       config_where(c, NULL, "metrics_listen", where, sizeof(where)),
		       dm->listen, strerror(-r));
		return r ? r : -EINVAL;
	}
	pr_info("metrics: serving GET /metrics on %s, port %d", dm->listen,
		metrics_http_port(dm->http));
	return 0;
}

static int start_textfile(const struct gnomon_config *c, struct dmetrics *dm)
{

	snprintf(dm->textfile, sizeof(dm->textfile), "%s", c->metrics_textfile);
	dm->interval_ns = (int64_t)llround(c->metrics_interval_s * NS_PER_S);
	if (!dm->textfile[0])
		return 0;
	dm->text = metrics_create();
	if (!dm->text)
		return -ENOMEM;
	/* the first one soon, so a freshly started daemon shows up */
	dm->text_timer = loop_add_timer(dm->env.loop, NS_PER_S, text_tick, dm);
	if (dm->text_timer < 0)
		return (int)dm->text_timer;
	pr_info("metrics: writing %s every %g s", dm->textfile, c->metrics_interval_s);
	return 0;
}

int daemon_metrics_start(const struct dmetrics_env *env, const struct gnomon_config *c,
			 struct dmetrics **pdm)
{
	struct dmetrics *dm;
	int r;

	if (!c->metrics_listen[0] && !c->metrics_textfile[0]) {
		daemon_metrics_stop(pdm);
		return 0;
	}
	dm = calloc(1, sizeof(*dm));
	if (!dm)
		return -ENOMEM;
	dm->env = *env;
	if (*pdm)	/* a reload: keep the counts */
		memcpy(dm->tally, (*pdm)->tally, sizeof(dm->tally));
	dm->text_timer = -1;
	daemon_metrics_stop(pdm);
	*pdm = dm;
	r = start_http(c, dm);
	if (!r)
		r = start_textfile(c, dm);
	return r;
}

void daemon_metrics_stop(struct dmetrics **pdm)
{
	struct dmetrics *dm = *pdm;

	if (!dm)
		return;
	metrics_http_destroy(dm->http);
	if (dm->text_timer > 0)
		loop_del_timer(dm->env.loop, dm->text_timer);
	/* A stopped daemon's figures must not look current: remove the file
	 * (node_exporter then drops the series; alert on their absence). */
	if (dm->textfile[0] && unlink(dm->textfile) < 0 && errno != ENOENT)
		pr_warn("metrics_textfile %s: cannot remove: %m", dm->textfile);
	metrics_destroy(dm->text);
	free(dm);
	*pdm = NULL;
}
