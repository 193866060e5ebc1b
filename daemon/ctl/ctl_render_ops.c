// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl's human output for what schema v1 grew beyond its first table
 * (doc/control-protocol.md): the daemon's version, user, capabilities,
 * configuration and service-manager state in status, each clock's leap
 * policy and the recovery in progress, and the leap and recovery
 * commands. Data that does not have the v1 shape is left to the generic
 * renderer; nothing here trusts what the daemon sent.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"
#include "daemon/ctl/ctl_render_priv.h"

/* Seconds for people: "3.2 s" under a minute, "1h 02m 03s" above. */
static const char *secs(char *buf, size_t len, double s)
{
	if (isfinite(s) && s >= 0 && s < 60)
		snprintf(buf, len, "%.1f s", s);
	else
		ctl_fmt_duration(buf, len, s);
	return buf;
}

/* ---- status ------------------------------------------------------------ */

static void render_service(FILE *out, struct json_object *dm)
{
	struct json_object *svc = cr_field(dm, "service");
	char b[CELL_MAX], d[64];
	double iv = 0;
	int ready = cr_get_bool(svc, "ready"), wd = cr_get_bool(svc, "watchdog");

	if (!cr_field(dm, "version"))
		return;		/* a daemon from before these fields */
	if (!svc || !json_object_is_type(svc, json_type_object)) {
		cr_kv(out, 0, "Systemd", "not started by a service manager (no NOTIFY_SOCKET)");
		return;
	}
	cr_get_num(svc, "watchdog_interval_s", &iv);
	snprintf(d, sizeof(d), "%.3f s", iv);
	if (wd == 1)
		snprintf(b, sizeof(b), "%s, watchdog checked every %s: %s (%s)",
			 ready == 1 ? "ready" : "starting", d,
			 cr_get_bool(svc, "healthy") == 0 ? "NOT PINGING" : "pinging",
			 cr_str(svc, "reason"));
	else
		snprintf(b, sizeof(b), "%s, no watchdog (WatchdogSec= not set)",
			 ready == 1 ? "ready" : "starting");
	cr_kv(out, 0, "Systemd", b);
}

void cr_render_daemon_ops(FILE *out, struct json_object *dm)
{
	char a[64], b[CELL_MAX];
	const char *err = cr_get_str(dm, "reload_error");

	if (cr_field(dm, "version"))
		cr_kv(out, 0, "Version", cr_str(dm, "version"));
	if (cr_field(dm, "user"))
		cr_kv(out, 0, "User", cr_str(dm, "user"));
	if (cr_field(dm, "capabilities"))
		cr_kv(out, 0, "Capabilities", cr_str(dm, "capabilities"));
	if (cr_field(dm, "config_file")) {
		snprintf(b, sizeof(b), "%s, %s reload%s%s%s", cr_str(dm, "config_file"),
			 cr_fmt_int(a, sizeof(a), dm, "reloads"),
			 strcmp(a, "1") ? "s" : "", err ? ", last one FAILED: " : "", err ? err : "");
		cr_kv(out, 0, "Configuration", b);
	}
	render_service(out, dm);
}

const char *cr_fmt_leap(char *buf, size_t len, struct json_object *leap)
{
	const char *policy = cr_str(leap, "policy"), *date = cr_get_str(leap, "leap_date");
	char parts[3][96];
	double off = 0, delta = 0, armed = 0;
	int n = 0;

	if (!leap || !json_object_is_type(leap, json_type_object)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (cr_get_bool(leap, "applies") == 0) {
		snprintf(buf, len, "%s (not applied: the clock keeps its source's timescale)", policy);
		return buf;
	}
	cr_get_num(leap, "smear_offset_ns", &off);
	cr_get_num(leap, "leap_delta", &delta);
	cr_get_num(leap, "kernel_armed", &armed);
	if (cr_get_bool(leap, "smearing") == 1)
		snprintf(parts[n++], sizeof(parts[0]), "SMEARING: %.3f s of %+.0f s applied",
			 fabs(off) / 1e9, delta);
	else if (cr_get_bool(leap, "paused") == 1)
		snprintf(parts[n++], sizeof(parts[0]), "PAUSED around the leap");
	if (armed != 0)
		snprintf(parts[n++], sizeof(parts[0]), "kernel armed to %s a second",
			 armed > 0 ? "insert" : "delete");
	if (date)
		snprintf(parts[n++], sizeof(parts[0]), "%s leap %+.0f s at the end of %.32s",
			 cr_get_bool(leap, "leap_past") == 1 ? "last" : "next", delta, date);
	if (!n)
		snprintf(buf, len, "%s", policy);
	else
		snprintf(buf, len, "%s (%s%s%s%s%s)", policy, parts[0], n > 1 ? "; " : "",
			 n > 1 ? parts[1] : "", n > 2 ? "; " : "", n > 2 ? parts[2] : "");
	return buf;
}

const char *cr_fmt_recovering(char *buf, size_t len, struct json_object *r)
{
	char el[48], off[48], left[80];
	double e = NAN, l;

	if (!r || !json_object_is_type(r, json_type_object)) {
		snprintf(buf, len, "none");
		return buf;
	}
	cr_get_num(r, "elapsed_s", &e);
	if (cr_get_num(r, "expected_left_s", &l))
		snprintf(left, sizeof(left), ", about %s left", secs(el, sizeof(el), l));
	else
		left[0] = '\0';
	snprintf(buf, len, "from %s, %s elapsed, offset %s%s", cr_str(r, "event"),
		 secs(el, sizeof(el), e), cr_fmt_off(off, sizeof(off), r, "offset_ns"), left);
	return buf;
}

void cr_render_clock_ops(FILE *out, struct json_object *c)
{
	char b[CELL_MAX];
	struct json_object *v = NULL;

	if (cr_field(c, "leap"))
		cr_kv(out, 0, "Leap policy", cr_fmt_leap(b, sizeof(b), cr_field(c, "leap")));
	if (json_object_object_get_ex(c, "recovering", &v))
		cr_kv(out, 0, "Recovering", cr_fmt_recovering(b, sizeof(b), v));
	if (cr_get_bool(c, "foreign_alarm") == 1)
		cr_kv(out, 0, "ALARM", "another process keeps adjusting this clock "
		      "(two time daemons fighting?)");
}

/* ---- leap -------------------------------------------------------------- */

static void leap_row(struct table *t, struct json_object *c)
{
	char now[64], kern[32], leap[64];
	const char *row[6], *date = cr_get_str(c, "leap_date");
	double off = 0, armed = 0, delta = 0;

	cr_get_num(c, "smear_offset_ns", &off);
	cr_get_num(c, "kernel_armed", &armed);
	cr_get_num(c, "leap_delta", &delta);
	if (cr_get_bool(c, "smearing") == 1)
		snprintf(now, sizeof(now), "SMEARING %.3f s", fabs(off) / 1e9);
	else
		snprintf(now, sizeof(now), "%s", cr_get_bool(c, "paused") == 1 ? "PAUSED" : "-");
	snprintf(kern, sizeof(kern), "%s", armed > 0 ? "insert" : armed < 0 ? "delete" : "-");
	if (date)
		snprintf(leap, sizeof(leap), "%.32s %+.0f%s", date, delta,
			 cr_get_bool(c, "leap_past") == 1 ? " (past)" : "");
	else
		snprintf(leap, sizeof(leap), "-");
	row[0] = cr_str(c, "clock");
	row[1] = cr_str(c, "policy");
	row[2] = cr_get_bool(c, "applies") == 1 ? "yes" : cr_get_bool(c, "applies") == 0 ? "no" : "-";
	row[3] = now;
	row[4] = kern;
	row[5] = leap;
	cr_table_row(t, row);
}

bool cr_render_leap(FILE *out, struct json_object *data)
{
	static const char *const heads[] = { "CLOCK", "POLICY", "APPLIES", "NOW", "KERNEL", "LEAP" };
	struct json_object *tb = cr_field(data, "table"), *cl = cr_field(data, "clocks");
	struct json_object *nl = cr_field(tb, "next_leap");
	struct table t = { 0 };
	char a[64], b[CELL_MAX];
	double delta;
	size_t n;

	if (!json_object_is_type(tb, json_type_object))
		return false;
	cr_kv(out, 0, "Leap file", cr_str(tb, "file"));
	cr_kv(out, 0, "Loaded", cr_get_bool(tb, "loaded") == 1 ? "yes" : "no");
	cr_kv(out, 0, "Status", cr_str(tb, "status"));
	snprintf(b, sizeof(b), "%s%s%s", cr_str(tb, "expiry"),
		 cr_get_str(tb, "expires_utc") ? ", expires " : "",
		 cr_get_str(tb, "expires_utc") ? cr_get_str(tb, "expires_utc") : "");
	cr_kv(out, 0, "Expiry", b);
	snprintf(b, sizeof(b), "%s s", cr_fmt_int(a, sizeof(a), tb, "tai_utc_s"));
	cr_kv(out, 0, "TAI - UTC", cr_field(tb, "tai_utc_s") ? b : "unknown");
	if (json_object_is_type(nl, json_type_object) && cr_get_num(nl, "delta", &delta))
		snprintf(b, sizeof(b), "%+.0f s at the end of %s", delta, cr_str(nl, "date"));
	else
		snprintf(b, sizeof(b), "none announced");
	cr_kv(out, 0, "Next leap", b);
	n = json_object_is_type(cl, json_type_array) ? json_object_array_length(cl) : 0;
	fputc('\n', out);
	if (!n) {
		fputs("No clock is disciplined.\n", out);
		return true;
	}
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		cr_table_col(&t, heads[i]);
	for (size_t i = 0; i < n; i++)
		leap_row(&t, json_object_array_get_idx(cl, i));
	cr_table_print(out, &t, 0);
	cr_table_free(&t);
	return true;
}

/* ---- recovery ---------------------------------------------------------- */

static const char *fmt_s(char *buf, size_t len, struct json_object *o, const char *key,
			 const char *unit)
{
	double d;

	if (cr_get_num(o, key, &d))
		snprintf(buf, len, "%.3f%s", d, unit);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* a magnitude: the offset formatter without its sign */
static const char *fmt_mag(char *buf, size_t len, struct json_object *o, const char *key)
{
	cr_fmt_off(buf, len, o, key);
	if (buf[0] == '+')
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

static void event_row(struct table *t, struct json_object *e)
{
	char b[6][64];
	const char *row[10];

	row[0] = cr_str(e, "time_utc");
	row[1] = cr_str(e, "clock");
	row[2] = cr_str(e, "event");
	row[3] = cr_fmt_off(b[0], sizeof(b[0]), e, "offset_at_event_ns");
	row[4] = fmt_mag(b[1], sizeof(b[1]), e, "peak_ns");
	row[5] = fmt_mag(b[2], sizeof(b[2]), e, "overshoot_ns");
	row[6] = fmt_s(b[3], sizeof(b[3]), e, "limit_s", " s");
	row[7] = fmt_s(b[4], sizeof(b[4]), e, "recovery_s", " s");
	row[8] = fmt_s(b[5], sizeof(b[5]), e, "ratio", "");
	row[9] = cr_get_bool(e, "recovered") == 1 ? "recovered" :
		 cr_get_bool(e, "superseded") == 1 ? "superseded" : "aborted";
	cr_table_row(t, row);
}

bool cr_render_recovery(FILE *out, struct json_object *data)
{
	static const char *const heads[] = {
		"TIME_UTC", "CLOCK", "EVENT", ">OFFSET", ">PEAK", ">OVERSHOOT", ">LIMIT",
		">RECOVERY", ">RATIO", "OUTCOME",
	};
	struct json_object *ev = cr_field(data, "events"), *act = cr_field(data, "in_progress");
	struct table t = { 0 };
	char b[CELL_MAX], line[CELL_MAX + 140];
	size_t n;

	if (!cr_field(data, "history_file") && !act)
		return false;
	cr_kv(out, 0, "History file", cr_str(data, "history_file"));
	n = json_object_is_type(act, json_type_array) ? json_object_array_length(act) : 0;
	if (!n)
		cr_kv(out, 0, "In progress", "none");
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(act, i);

		snprintf(line, sizeof(line), "%s: %s", cr_str(r, "clock"),
			 cr_fmt_recovering(b, sizeof(b), r));
		cr_kv(out, 0, i ? "" : "In progress", line);
	}
	fputc('\n', out);
	n = json_object_is_type(ev, json_type_array) ? json_object_array_length(ev) : 0;
	if (!n) {
		fputs("No completed recovery event.\n", out);
		return true;
	}
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		cr_table_col(&t, heads[i]);
	for (size_t i = 0; i < n; i++)
		event_row(&t, json_object_array_get_idx(ev, i));
	cr_table_print(out, &t, 0);
	cr_table_free(&t);
	return true;
}

static const char *leap_word(int d)
{
	return d > 0 ? "insertion announced" : d < 0 ? "deletion announced" : "none";
}

void cr_render_clock_ptp(FILE *out, struct json_object *p)
{
	struct json_object *lp = cr_field(p, "leap_source");
	char a[64], b[CELL_MAX];
	double d;

	if (!p)
		return;
	snprintf(b, sizeof(b), "%s, port %s %s (%s), reference %s",
		 cr_get_bool(p, "ptp4l_up") == 1 ? "answering" : "NOT ANSWERING",
		 cr_fmt_int(a, sizeof(a), p, "port"), cr_str(p, "port_state"),
		 cr_str(p, "interface"), cr_str(p, "reference"));
	cr_kv(out, 0, "ptp4l", b);
	snprintf(b, sizeof(b), "%s%s", cr_get_bool(p, "gm_present") == 1 ? "present, " : "none",
		 cr_get_bool(p, "gm_present") == 1 ? cr_str(p, "gm_identity") : "");
	cr_kv(out, 0, "Grandmaster", b);
	if (cr_get_num(p, "master_offset_ns", &d))
		snprintf(b, sizeof(b), "%+.0f ns", d);
	else
		snprintf(b, sizeof(b), "-");
	cr_kv(out, 0, "Master offset", b);
	if (cr_get_num(p, "utc_offset_s", &d))
		snprintf(b, sizeof(b), "%.0f s%s%s%s", d,
			 cr_get_bool(p, "utc_offset_valid") == 1 ? ", valid" : ", NOT valid",
			 cr_get_bool(p, "ptp_timescale") == 1 ? ", PTP timescale" : "",
			 cr_get_bool(p, "time_traceable") == 1 ? ", traceable" : "");
	else
		snprintf(b, sizeof(b), "-");
	cr_kv(out, 0, "UTC offset", b);
	snprintf(b, sizeof(b), "leap61 %s, leap59 %s",
		 cr_get_bool(p, "leap61") == 1 ? "yes" : "no",
		 cr_get_bool(p, "leap59") == 1 ? "yes" : "no");
	cr_kv(out, 0, "Leap flags", b);
	if (lp) {
		snprintf(b, sizeof(b), "grandmaster: %s; leap file: %s; in use: %s%s%s",
			 leap_word(cr_get_num(lp, "ptp_leap", &d) ? (int)d : 0),
			 leap_word(cr_get_num(lp, "file_leap", &d) ? (int)d : 0), cr_str(lp, "in_use"),
			 cr_get_str(lp, "conflict") ? "; DISAGREE: " : "",
			 cr_get_str(lp, "conflict") ? cr_get_str(lp, "conflict") : "");
		cr_kv(out, 0, "Leap", b);
	}
}
