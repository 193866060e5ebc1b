/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's commands: the daemon's state as JSON objects in the
 * v1 schema of doc/control-protocol.md. Read-only: none changes state.
 */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"
#include "phc/systime.h"
#include "daemon/daemon.h"
#include "daemon/leap/leapfile.h"
#include "daemon/ctl/status.h"
#include "daemon/lifecycle/ops.h"
#include "daemon/lifecycle/ops_notify.h"

#define jadd(o, k, v) json_object_object_add(o, k, v)

static struct json_object *jerr(int err)
{
	return err ? json_object_new_string(strerror(-err)) : NULL;
}

static struct json_object *leap_json(const struct discipline_status *st)
{
	struct json_object *o = json_object_new_object();
	char date[32];

	jadd(o, "policy", json_object_new_string(leap_policy_name(st->leap_policy)));
	jadd(o, "applies", json_object_new_boolean(st->leap_applies));
	jadd(o, "smearing", json_object_new_boolean(st->leap.smearing));
	jadd(o, "smear_offset_ns", json_object_new_int64(llround(st->leap.smear_offset_ns)));
	jadd(o, "paused", json_object_new_boolean(st->leap.pause));
	jadd(o, "kernel_armed", json_object_new_int(st->kernel_leap));
	if (st->leap.delta) {
		leap_date_str(st->leap.leap_utc_s - 86400, date, sizeof(date));
		jadd(o, "leap_date", json_object_new_string(date));
		jadd(o, "leap_delta", json_object_new_int(st->leap.delta));
		jadd(o, "leap_past", json_object_new_boolean(st->leap.past));
	}
	return o;
}

/* "2026-12-02T20:14:20.123456Z" */
static struct json_object *utc_iso(int64_t utc_ns)
{
	time_t t = (time_t)(utc_ns / NS_PER_S);
	char buf[64], day[32];
	struct tm tm;

	if (utc_ns < 0 || !gmtime_r(&t, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
		return NULL;
	snprintf(buf, sizeof(buf), "%s.%06dZ", day, (int)(utc_ns % NS_PER_S / 1000));
	return json_object_new_string(buf);
}

/* What chronyc tracking shows (doc/control-protocol.md, "tracking"). */
static struct json_object *tracking_json(const struct discipline_status *st)
{
	struct json_object *o = json_object_new_object(), *k = NULL;

	jadd(o, "rms_offset_ns", st->have_rms ? json_object_new_int64(st->rms_offset_ns) : NULL);
	jadd(o, "rms_updates", json_object_new_int((int)st->rms_n));
	jadd(o, "error_bound_ns", st->have_bound ? json_object_new_int64(st->error_bound_ns)
						 : NULL);
	jadd(o, "last_good_utc", st->last_good_utc_ns ? utc_iso(st->last_good_utc_ns) : NULL);
	jadd(o, "leap_pending", json_object_new_int(st->leap_pending));
	jadd(o, "tai_offset_s", st->have_tai ? json_object_new_int(st->tai_offset_s) : NULL);
	if (st->has_kernel_sync) {
		k = json_object_new_object();
		jadd(k, "synced", json_object_new_boolean(st->kernel_synced));
		jadd(k, "maxerror_ns", st->kernel_synced ?
		     json_object_new_int64(st->kernel_maxerror_ns) : NULL);
		jadd(k, "esterror_ns", st->kernel_synced ?
		     json_object_new_int64(st->kernel_esterror_ns) : NULL);
	}
	jadd(o, "kernel", k);
	return o;
}

static struct json_object *recovering_json(const struct recovery_status *r)
{
	struct json_object *o;

	if (!r->active)
		return NULL;
	o = json_object_new_object();
	jadd(o, "event", json_object_new_string(recovery_kind_name(r->kind)));
	jadd(o, "elapsed_s", json_object_new_double(r->elapsed_s));
	jadd(o, "offset_ns", json_object_new_int64(r->offset_ns));
	jadd(o, "threshold_ns", json_object_new_int64(r->threshold_ns));
	jadd(o, "limit_s", isnan(r->limit_s) ? NULL : json_object_new_double(r->limit_s));
	if (!isnan(r->expected_left_s))
		jadd(o, "expected_left_s", json_object_new_double(r->expected_left_s));
	return o;
}

/* A ptp4l source: port, grandmaster, master offset, UTC offset and leap
 * flags, and whose leap word is in use. */
static struct json_object *ptp_json(const struct disc_ptp_status *p)
{
	struct json_object *o = json_object_new_object(), *lp = json_object_new_object();

	jadd(o, "ptp4l_up", json_object_new_boolean(p->up));
	jadd(o, "port", json_object_new_int(p->port));
	jadd(o, "port_state", json_object_new_string(p->port_state));
	jadd(o, "interface", json_object_new_string(p->iface));
	jadd(o, "reference", json_object_new_string(p->reference));
	jadd(o, "gm_present", json_object_new_boolean(p->gm_present));
	jadd(o, "gm_identity", json_object_new_string(p->gm_identity));
	if (p->have_status)
		jadd(o, "master_offset_ns", json_object_new_int64(p->master_offset_ns));
	if (p->have_tprops) {
		jadd(o, "utc_offset_s", json_object_new_int(p->utc_offset_s));
		jadd(o, "utc_offset_valid", json_object_new_boolean(p->utc_valid));
		jadd(o, "ptp_timescale", json_object_new_boolean(p->ptp_timescale));
		jadd(o, "time_traceable", json_object_new_boolean(p->time_traceable));
		jadd(o, "frequency_traceable", json_object_new_boolean(p->freq_traceable));
		jadd(o, "leap61", json_object_new_boolean(p->leap61));
		jadd(o, "leap59", json_object_new_boolean(p->leap59));
	}
	jadd(lp, "in_use", json_object_new_string(p->leap_source));
	jadd(lp, "ptp_leap", json_object_new_int(p->ptp_leap));
	if (p->ptp_leap)
		jadd(lp, "ptp_leap_utc_s", json_object_new_int64(p->ptp_leap_utc_s));
	jadd(lp, "file_leap", json_object_new_int(p->file_leap));
	if (p->conflict[0])
		jadd(lp, "conflict", json_object_new_string(p->conflict));
	jadd(o, "leap_source", lp);
	jadd(o, "malformed", json_object_new_int64((int64_t)p->malformed));
	jadd(o, "reconnects", json_object_new_int64((int64_t)p->reconnects));
	return o;
}

static struct json_object *clock_json(const struct discipline *d)
{
	struct json_object *o = json_object_new_object();
	struct discipline_status st;

	discipline_get_status(d, &st);
	jadd(o, "name", json_object_new_string(st.name));
	jadd(o, "kind", json_object_new_string(st.kind == CLOCK_KIND_SYSTEM ? "system" : "phc"));
	jadd(o, "source", json_object_new_string(st.source));
	jadd(o, "state", json_object_new_string(disc_state_name(st.state)));
	jadd(o, "servo", json_object_new_string(servo_type_name(st.servo)));
	/* a servo fed nothing holds its frequency: it is not "locked" */
	jadd(o, "servo_state", json_object_new_string(st.holding ? "holding" :
						       servo_state_name(st.servo_state)));
	jadd(o, "offset_ns", json_object_new_int64(st.offset_ns));
	jadd(o, "offset_age_s", json_object_new_double(st.last_update_age_s));
	jadd(o, "freq_ppb", json_object_new_double(st.freq_ppb));
	jadd(o, "max_slew_ppm", json_object_new_double(st.max_slew_ppm));
	jadd(o, "slewing", json_object_new_boolean(st.slewing));
	jadd(o, "slew_left_s", isnan(st.slew_left_s) ? NULL :
	     json_object_new_double(st.slewing ? st.slew_left_s : 0));
	jadd(o, "at_cap", json_object_new_boolean(st.at_cap));
	jadd(o, "last_update_age_s", json_object_new_double(st.last_update_age_s));
	jadd(o, "updates", json_object_new_int64((int64_t)st.updates));
	jadd(o, "steps", json_object_new_int64((int64_t)st.steps));
	jadd(o, "foreign_steps", json_object_new_int64((int64_t)st.foreign_steps));
	jadd(o, "foreign_freqs", json_object_new_int64((int64_t)st.foreign_freqs));
	jadd(o, "foreign_alarm", json_object_new_boolean(st.foreign_alarm));
	jadd(o, "faults", json_object_new_int64((int64_t)st.faults));
	jadd(o, "update_failures", json_object_new_int64((int64_t)st.update_failures));
	jadd(o, "tracking", tracking_json(&st));
	jadd(o, "last_error", jerr(st.last_error));
	jadd(o, "leap", leap_json(&st));
	jadd(o, "recovering", recovering_json(&st.recovery));
	if (st.state_reason[0])
		jadd(o, "state_reason", json_object_new_string(st.state_reason));
	if (st.ptp.present)
		jadd(o, "ptp", ptp_json(&st.ptp));
	return o;
}

static struct json_object *clocks_array(struct gnomond *g)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < g->n; i++)
		if (g->disc[i])
			json_object_array_add(a, clock_json(g->disc[i]));
	return a;
}

/* The service manager's view: null when not started by one. */
static struct json_object *service_json(const struct gnomond *g)
{
	struct ops_notify_state ns;
	struct json_object *o;

	ops_notify_get(g->notify, &ns);
	if (!ns.notify)
		return NULL;
	o = json_object_new_object();
	jadd(o, "ready", json_object_new_boolean(ns.ready));
	jadd(o, "watchdog", json_object_new_boolean(ns.watchdog));
	jadd(o, "watchdog_interval_s", json_object_new_double(ns.watchdog ?
							     ns.watchdog_interval_s : 0));
	jadd(o, "healthy", json_object_new_boolean(ns.healthy));
	jadd(o, "reason", json_object_new_string(ns.reason));
	return o;
}

static void daemon_json_ops(const struct gnomond *g, struct json_object *dm)
{
	char buf[512];

	jadd(dm, "version", json_object_new_string(GNOMON_VERSION));
	ops_user_text(buf, sizeof(buf));
	jadd(dm, "user", json_object_new_string(buf));
	ops_caps_text(buf, sizeof(buf));
	jadd(dm, "capabilities", json_object_new_string(buf));
	jadd(dm, "config_file", json_object_new_string(g->conf.file));
	jadd(dm, "reloads", json_object_new_int64((int64_t)g->reloads));
	jadd(dm, "reload_error", g->reload_error[0] ?
	     json_object_new_string(g->reload_error) : NULL);
	jadd(dm, "service", service_json(g));
}

static int cmd_status(void *arg, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen)
{
	struct gnomond *g = arg;
	struct json_object *o = json_object_new_object(), *dm = json_object_new_object();

	(void)args; (void)err; (void)errlen;
	jadd(o, "version", json_object_new_int(1));
	jadd(dm, "pid", json_object_new_int(getpid()));
	jadd(dm, "uptime_s", json_object_new_double(
		(double)(loop_now(g->loop) - g->start_mono_ns) / 1e9));
	jadd(dm, "dry_run", json_object_new_boolean(g->dry_run));
	jadd(dm, "loop_iterations", json_object_new_int64((int64_t)loop_iterations(g->loop)));
	daemon_json_ops(g, dm);
	jadd(o, "daemon", dm);
	jadd(o, "clocks", clocks_array(g));
	jadd(o, "health", health_json(g->health, false));
	*data = o;
	return 0;
}

static int cmd_clocks(void *arg, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object();

	(void)args; (void)err; (void)errlen;
	jadd(o, "clocks", clocks_array(arg));
	*data = o;
	return 0;
}

static int cmd_sources(void *arg, struct json_object *args, struct json_object **data,
		       char *err, size_t errlen)
{
	struct gnomond *g = arg;
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	(void)args; (void)err; (void)errlen;
	for (int i = 0; i < g->n; i++) {
		struct source *s = g->sources[i];
		struct json_object *so, *used;

		if (!s)
			continue;
		so = json_object_new_object();
		used = json_object_new_array();
		json_object_array_add(used, json_object_new_string(g->conf.clocks[i].name));
		jadd(so, "name", json_object_new_string(s->spec));
		jadd(so, "kind", json_object_new_string(s->ops->kind));
		jadd(so, "clock", s->ref ? json_object_new_string(clock_name(s->ref)) : NULL);
		jadd(so, "method", json_object_new_string(compare_method_name(s->last_method)));
		jadd(so, "delay_ns", json_object_new_int64(s->last_delay_ns));
		jadd(so, "readings", json_object_new_int(s->samples));
		jadd(so, "used_by", used);
		jadd(so, "last_error", jerr(s->last_error));
		json_object_array_add(a, so);
	}
	jadd(o, "sources", a);
	*data = o;
	return 0;
}

static int cmd_recovery(void *arg, struct json_object *args, struct json_object **data,
			char *err, size_t errlen)
{
	struct gnomond *g = arg;
	struct json_object *o = json_object_new_object(), *ev = json_object_new_array();
	struct json_object *act = json_object_new_array();
	struct recovery_report *reps = calloc(RECOVERY_HISTORY_DEFAULT, sizeof(*reps));

	(void)args;
	if (!reps) {
		json_object_put(o);
		json_object_put(ev);
		json_object_put(act);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < g->n; i++) {
		struct discipline_status st;
		size_t n;

		if (!g->disc[i])
			continue;
		n = discipline_recovery_history(g->disc[i], reps, RECOVERY_HISTORY_DEFAULT);
		for (size_t j = 0; j < n; j++)
			json_object_array_add(ev, history_report_to_json(&reps[j]));
		discipline_get_status(g->disc[i], &st);
		if (st.recovery.active) {
			struct json_object *r = recovering_json(&st.recovery);

			jadd(r, "clock", json_object_new_string(st.name));
			json_object_array_add(act, r);
		}
	}
	free(reps);
	jadd(o, "events", ev);
	jadd(o, "in_progress", act);
	jadd(o, "history_file", json_object_new_string(g->history_path));
	*data = o;
	return 0;
}

static int cmd_leap(void *arg, struct json_object *args, struct json_object **data,
		    char *err, size_t errlen)
{
	struct gnomond *g = arg;
	struct json_object *o = json_object_new_object(), *t = json_object_new_object();
	struct json_object *cl = json_object_new_array();
	int64_t now_s = systime_realtime_ns() / NS_PER_S, leap;
	char status[512], date[32];
	int tai, delta;

	(void)args; (void)err; (void)errlen;
	leaptable_status(g->leaps, now_s, status, sizeof(status));
	jadd(t, "file", json_object_new_string(g->conf.leapfile));
	jadd(t, "loaded", json_object_new_boolean(leaptable_loaded(g->leaps)));
	jadd(t, "status", json_object_new_string(status));
	jadd(t, "entries", json_object_new_int64((int64_t)leaptable_entries(g->leaps)));
	jadd(t, "expiry", json_object_new_string(
		leap_expiry_name(leaptable_expiry_state(g->leaps, now_s))));
	if (leaptable_expiry_utc(g->leaps) != LEAP_NO_TIME)
		jadd(t, "expires_utc", json_object_new_string(
			leap_date_str(leaptable_expiry_utc(g->leaps), date, sizeof(date))));
	if (leaptable_tai_offset(g->leaps, now_s, &tai) == 0)
		jadd(t, "tai_utc_s", json_object_new_int(tai));
	if (leaptable_next_leap(g->leaps, now_s, &leap, &delta) == 0) {
		struct json_object *nl = json_object_new_object();

		jadd(nl, "date", json_object_new_string(leap_date_str(leap - 86400, date, sizeof(date))));
		jadd(nl, "delta", json_object_new_int(delta));
		jadd(t, "next_leap", nl);
	}
	for (int i = 0; i < g->n; i++) {
		struct discipline_status st;
		struct json_object *c;

		if (!g->disc[i])
			continue;
		discipline_get_status(g->disc[i], &st);
		c = leap_json(&st);
		jadd(c, "clock", json_object_new_string(st.name));
		json_object_array_add(cl, c);
	}
	jadd(o, "table", t);
	jadd(o, "clocks", cl);
	*data = o;
	return 0;
}

static int cmd_config(void *arg, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen)
{
	struct gnomond *g = arg;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)args;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	config_print(&g->conf, f);
	fclose(f);
	*data = json_object_new_object();
	jadd(*data, "text", json_object_new_string_len(buf, (int)len));
	free(buf);
	return 0;
}

int status_register(struct gnomond *g)
{
	static const struct {
		const char *name;
		ctl_handler fn;
	} cmds[] = {
		{ "status", cmd_status }, { "clocks", cmd_clocks }, { "sources", cmd_sources },
		{ "recovery", cmd_recovery }, { "leap", cmd_leap }, { "config", cmd_config },
		{ "bonds", cmd_bonds },
	};
	int r;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		r = ctl_register(g->ctl, cmds[i].name, false, cmds[i].fn, g);
		if (r < 0)
			return r;
	}
	return g->health ? ctl_register(g->ctl, "health", false, health_cmd, g->health) : 0;
}
