// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The clock-health checks as JSON (doc/control-protocol.md, "health"): the
 * object that `status` carries as "health" and the `health` command, which
 * adds each CPU's skew from the last probe.
 */
#include <json-c/json.h>

#include "daemon/ctl/status.h"
#include "daemon/health/health.h"

#define jadd(o, k, v) json_object_object_add(o, k, v)

static struct json_object *checks_json(const struct health_status *st)
{
	struct json_object *o = json_object_new_object();

	for (int c = 0; c < HEALTH_CHECK_COUNT; c++) {
		struct json_object *k = json_object_new_object();

		jadd(k, "ok", json_object_new_boolean(!st->alarm[c]));
		jadd(k, "reason", st->alarm[c] ? json_object_new_string(st->why[c]) : NULL);
		jadd(k, "alarms", json_object_new_int64((int64_t)st->alarms_total[c]));
		jadd(o, health_check_name(c), k);
	}
	return o;
}

struct json_object *health_json(const struct health *h, bool per_cpu)
{
	struct json_object *o, *a;
	struct health_status st;

	if (!h)
		return NULL;
	health_get_status(h, &st);
	o = json_object_new_object();
	jadd(o, "degraded", json_object_new_boolean(health_degraded(&st)));
	jadd(o, "checks", checks_json(&st));
	jadd(o, "cpus", json_object_new_int(st.cpus));
	jadd(o, "cpu_checks", json_object_new_int64((int64_t)st.cpu_checks));
	jadd(o, "cpu_check_us", json_object_new_int64(st.cpu_check_us));
	jadd(o, "timer_max_late_s", json_object_new_double((double)st.max_late_ns / 1e9));
	jadd(o, "loop_wakeups_hz", json_object_new_double(st.wakeups_hz));
	jadd(o, "sharpened", json_object_new_boolean(st.sharp));
	jadd(o, "realtime_probe_early_s", st.rt_probed ?
	     json_object_new_double((double)st.rt_early_ns / 1e9) : NULL);
	jadd(o, "clocksource", st.clocksource[0] ? json_object_new_string(st.clocksource) : NULL);
	jadd(o, "clocksources_available", json_object_new_string(st.available));
	jadd(o, "clocksource_changes", json_object_new_int64((int64_t)st.clocksource_changes));
	if (!per_cpu)
		return o;
	a = json_object_new_array();
	for (int i = 0; i < st.n_skew; i++) {
		struct json_object *c = json_object_new_object();

		jadd(c, "cpu", json_object_new_int(st.skew[i].cpu));
		jadd(c, "skew_s", json_object_new_double((double)st.skew[i].skew_ns / 1e9));
		json_object_array_add(a, c);
	}
	jadd(o, "cpu_skew", a);
	return o;
}

int health_cmd(void *arg, struct json_object *args, struct json_object **data,
	       char *err, size_t errlen)
{
	struct json_object *o = json_object_new_object();

	(void)args; (void)err; (void)errlen;
	jadd(o, "health", health_json(arg, true));
	*data = o;
	return 0;
}
