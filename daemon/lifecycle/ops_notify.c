// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomond and the service manager (ops_notify.h, doc/operations.md): READY=1
 * after every clock's first successful update, STATUS= on state changes,
 * WATCHDOG=1 from a timer of the one poll loop only while work gets done,
 * RELOADING=1/READY=1 around SIGHUP and STOPPING=1 at exit.
 *
 * The watchdog timer is a timer of the same loop that runs the clocks, on
 * purpose: a clock call that never returns stops the loop and with it the
 * pings, and systemd restarts the daemon (field reports 003 and 004: a
 * heartbeat thread that kept pinging for a stuck daemon).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl/ctl_render.h"
#include "daemon/log.h"
#include "daemon/lifecycle/ops_notify.h"
#include "daemon/lifecycle/sdnotify.h"
#include "daemon/lifecycle/watchdog.h"
#include "util/util.h"

#define READY_POLL_NS		(NS_PER_S / 10)
#define STATUS_PERIOD_NS	NS_PER_S
/* STATUS= is re-sent this often with fresh offsets even without a change. */
#define STATUS_REFRESH_NS	(10 * NS_PER_S)
#define WHY_MAX			512

struct ops_notify {
	struct ops_notify_env env;
	bool ready;
	long ready_timer, status_timer, wd_timer;
	/* the progress watchdog; wd NULL when $WATCHDOG_USEC is not ours */
	struct watchdog *wd;
	int64_t wd_interval_ns;
	int wd_idx[CONF_MAX_CLOCKS];
	bool checked, healthy;
	char why[WHY_MAX];
	/* what STATUS= said last, and when */
	char last_sig[WHY_MAX];
	int64_t last_status_ns;
	int last_send_error;
};

/* ---- the STATUS= line -------------------------------------------------- */

static size_t add(char *buf, size_t len, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t add(char *buf, size_t len, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0, fmt, ap);
	va_end(ap);
	return pos + (n > 0 ? (size_t)n : 0);
}

size_t ops_format_status(const struct discipline_status *st, int n, char *buf, size_t len)
{
	char off[48];
	size_t pos = 0;

	if (len)
		buf[0] = '\0';
	if (n <= 0)
		return add(buf, len, 0, "no clock");
	for (int i = 0; i < n; i++) {
		const struct discipline_status *s = &st[i];

		pos = add(buf, len, pos, "%s%s ", i ? "; " : "", s->name);
		if (s->last_update_age_s < 0 && !s->updates) {
			pos = add(buf, len, pos, "%s no update yet", disc_state_name(s->state));
		} else {
			ctl_fmt_offset(off, sizeof(off), s->offset_ns);
			if (s->slewing)
				pos = add(buf, len, pos, "SLEWING %s, %.1f s left", off, s->slew_left_s);
			else
				pos = add(buf, len, pos, "%s %s", disc_state_name(s->state), off);
		}
		if (s->leap_applies && s->leap.smearing)
			pos = add(buf, len, pos, ", smearing");
		if (s->leap_applies && s->leap.pause)
			pos = add(buf, len, pos, ", leap pause");
		if (s->last_error)
			pos = add(buf, len, pos, " (%s)", strerror(-s->last_error));
	}
	if (len && pos >= len)
		buf[len - 1] = '\0';
	return pos;
}

static int gather(const struct discipline_set *ds, struct discipline_status *st)
{
	int n = 0;

	for (int i = 0; i < ds->n; i++)
		if (ds->d[i])
			discipline_get_status(ds->d[i], &st[n++]);
	return n;
}

/* Send a message, logging a failure once per distinct error. */
static void send_msg(struct ops_notify *o, int (*fn)(void), const char *what)
{
	int r = fn();

	if (r >= 0) {
		o->last_send_error = 0;
		return;
	}
	if (r != o->last_send_error)
		pr_warn("sd_notify %s to $NOTIFY_SOCKET failed: %s", what, strerror(-r));
	o->last_send_error = r;
}

/* STATUS=: prefix (a watchdog or start-up complaint), then the clocks.
 * Sent when the state words change, when forced, and every
 * STATUS_REFRESH_NS with fresh offsets. */
static void send_status(struct ops_notify *o, int64_t now, const char *prefix, bool force)
{
	struct discipline_status st[CONF_MAX_CLOCKS];
	char line[SDNOTIFY_MSG_MAX - 16], sig[WHY_MAX];
	size_t pos = 0;
	int n = gather(&o->env.discs, st), r;

	if (o->env.dry_run)
		pos = add(line, sizeof(line), pos, "dry run: ");
	if (prefix && prefix[0])
		pos = add(line, sizeof(line), pos, "%s; ", prefix);
	if (pos < sizeof(line))
		ops_format_status(st, n, line + pos, sizeof(line) - pos);
	/* the signature: everything but the numbers that move every update */
	pos = add(sig, sizeof(sig), 0, "%d%d|%s|", o->ready, o->healthy, prefix ? prefix : "");
	for (int i = 0; i < n; i++)
		pos = add(sig, sizeof(sig), pos, "%d%d%d%d%d;", st[i].state, st[i].slewing,
			  st[i].leap.smearing, st[i].leap.pause, st[i].last_error);
	if (!force && !strcmp(sig, o->last_sig) && now - o->last_status_ns < STATUS_REFRESH_NS)
		return;
	snprintf(o->last_sig, sizeof(o->last_sig), "%s", sig);
	o->last_status_ns = now;
	r = sdnotify_status(line);
	if (r < 0 && r != o->last_send_error)
		pr_warn("sd_notify STATUS to $NOTIFY_SOCKET failed: %s", strerror(-r));
	o->last_send_error = r < 0 ? r : 0;
}

/* ---- READY=1 ----------------------------------------------------------- */

/* Clocks that have not updated yet, as "a, b"; 0 when all have. */
static int not_updated(const struct discipline_set *ds, char *buf, size_t len)
{
	size_t pos = 0;
	int k = 0;

	buf[0] = '\0';
	for (int i = 0; i < ds->n; i++) {
		struct discipline_status st;

		if (!ds->d[i])
			continue;
		discipline_get_status(ds->d[i], &st);
		if (st.updates)
			continue;
		pos = add(buf, len, pos, "%s%s%s%s%s", k++ ? ", " : "", st.name,
			  st.last_error ? " (" : "", st.last_error ? strerror(-st.last_error) : "",
			  st.last_error ? ")" : "");
	}
	return k;
}

static int64_t ready_tick(struct loop *l, long id, void *arg)
{
	struct ops_notify *o = arg;
	char missing[WHY_MAX], prefix[WHY_MAX + 64];
	int64_t now = loop_now(l);
	int k = not_updated(&o->env.discs, missing, sizeof(missing));

	(void)id;
	if (k && now - o->env.start_mono_ns < OPS_READY_TIMEOUT_NS)
		return READY_POLL_NS;
	o->ready = true;
	o->ready_timer = 0;
	send_msg(o, sdnotify_ready, "READY");
	if (k) {
		pr_warn("ready after %.0f s without an update of: %s",
			(double)OPS_READY_TIMEOUT_NS / NS_PER_S, missing);
		snprintf(prefix, sizeof(prefix), "not updating: %s", missing);
		send_status(o, now, prefix, true);
	} else {
		pr_info("ready: every clock has updated (sd_notify READY=1)");
		send_status(o, now, NULL, true);
	}
	return 0;
}

/* ---- the progress watchdog --------------------------------------------- */

static int64_t wd_tick(struct loop *l, long id, void *arg)
{
	struct ops_notify *o = arg;
	const struct discipline_set *ds = &o->env.discs;
	int64_t now = loop_now(l);
	char why[WHY_MAX];
	bool healthy;

	(void)id;
	for (int i = 0; i < ds->n; i++) {
		int64_t t = ds->d[i] ? discipline_last_good_ns(ds->d[i]) : 0;

		if (t > 0 && o->wd_idx[i] >= 0)
			watchdog_clock_ok(o->wd, o->wd_idx[i], t);
	}
	healthy = watchdog_check(o->wd, loop_iterations(l), now, why, sizeof(why));
	if (healthy)
		send_msg(o, sdnotify_watchdog, "WATCHDOG");
	if (!o->checked || healthy != o->healthy) {
		if (!healthy)
			pr_warn("watchdog: not pinging systemd: %s", why);
		else if (o->checked)
			pr_notice("watchdog: healthy again, pinging systemd: %s", why);
	}
	o->checked = true;
	o->healthy = healthy;
	snprintf(o->why, sizeof(o->why), "%s", why);
	if (o->ready)
		send_status(o, now, healthy ? NULL : why, false);
	return o->wd_interval_ns;
}

static int64_t status_tick(struct loop *l, long id, void *arg)
{
	struct ops_notify *o = arg;

	(void)id;
	if (o->ready)
		send_status(o, loop_now(l), o->healthy ? NULL : o->why, false);
	return STATUS_PERIOD_NS;
}

static int start_watchdog(struct ops_notify *o, uint64_t usec)
{
	const struct discipline_set *ds = &o->env.discs;

	o->wd = watchdog_create(NULL);
	if (!o->wd)
		return -ENOMEM;
	o->wd_interval_ns = (int64_t)(usec * 1000 / 2);
	if (o->wd_interval_ns < 1000000)
		o->wd_interval_ns = 1000000;
	for (int i = 0; i < ds->n; i++) {
		struct discipline_status st;

		o->wd_idx[i] = -1;
		if (!ds->d[i])
			continue;
		discipline_get_status(ds->d[i], &st);
		o->wd_idx[i] = watchdog_add_clock(o->wd, st.name, discipline_interval_ns(ds->d[i]));
		if (o->wd_idx[i] < 0)
			return o->wd_idx[i];
	}
	o->wd_timer = loop_add_timer(o->env.loop, o->wd_interval_ns, wd_tick, o);
	if (o->wd_timer < 0)
		return (int)o->wd_timer;
	pr_info("watchdog: WatchdogSec %.3f s: checking progress every %.3f s",
		(double)usec / 1e6, (double)o->wd_interval_ns / NS_PER_S);
	return 0;
}

int ops_notify_start(const struct ops_notify_env *env, struct ops_notify **out)
{
	struct ops_notify *o;
	const char *ns = getenv("NOTIFY_SOCKET");
	uint64_t usec = 0;
	int r;

	*out = NULL;
	if (!ns || !ns[0])
		return 0;	/* not under a service manager: silently off */
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->env = *env;
	o->healthy = true;
	*out = o;
	o->ready_timer = loop_add_timer(env->loop, 0, ready_tick, o);
	o->status_timer = loop_add_timer(env->loop, STATUS_PERIOD_NS, status_tick, o);
	if (o->ready_timer < 0 || o->status_timer < 0)
		return -ENOMEM;
	r = sdnotify_watchdog_usec(&usec);
	if (r < 0)
		pr_warn("$WATCHDOG_USEC or $WATCHDOG_PID is malformed: no watchdog pings");
	else if (r == 1 && (r = start_watchdog(o, usec)) < 0)
		pr_err("watchdog: cannot start: %s", strerror(-r));
	return r < 0 && r != -EINVAL ? r : 0;
}

void ops_notify_stop(struct ops_notify *o)
{
	if (!o)
		return;
	if (o->ready_timer > 0)
		loop_del_timer(o->env.loop, o->ready_timer);
	if (o->status_timer > 0)
		loop_del_timer(o->env.loop, o->status_timer);
	if (o->wd_timer > 0)
		loop_del_timer(o->env.loop, o->wd_timer);
	watchdog_destroy(o->wd);
	free(o);
}

void ops_notify_reloading(struct ops_notify *o)
{
	if (o)
		send_msg(o, sdnotify_reloading, "RELOADING");
}

void ops_notify_reloaded(struct ops_notify *o, const char *error)
{
	char prefix[WHY_MAX + 32];

	if (!o)
		return;
	send_msg(o, sdnotify_ready, "READY");
	if (error && error[0])
		snprintf(prefix, sizeof(prefix), "reload failed, old configuration kept: %s", error);
	else
		snprintf(prefix, sizeof(prefix), "configuration reloaded");
	send_status(o, loop_mono_ns(), prefix, true);
}

void ops_notify_stopping(struct ops_notify *o)
{
	if (!o)
		return;
	send_msg(o, sdnotify_stopping, "STOPPING");
	send_status(o, loop_mono_ns(), "stopping", true);
}

void ops_notify_get(const struct ops_notify *o, struct ops_notify_state *st)
{
	memset(st, 0, sizeof(*st));
	st->reason = "";
	st->healthy = true;
	if (!o)
		return;
	st->notify = true;
	st->ready = o->ready;
	st->watchdog = o->wd != NULL;
	st->watchdog_interval_s = (double)o->wd_interval_ns / NS_PER_S;
	st->healthy = o->healthy;
	st->reason = o->why;
}
