// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lines of a status CLOCK that `chronyc tracking` users look for: RMS
 * offset, error bound, the time of the last good sample, leap pending, TAI
 * offset and the kernel's sync state (a CLOCK's "tracking" object,
 * doc/control-protocol.md).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>

#include "daemon/ctl/ctl_render_priv.h"

/* a magnitude: the offset format without its sign */
static const char *mag(char *buf, size_t len, struct json_object *o, const char *key)
{
	const char *s = cr_fmt_off(buf, len, o, key);

	return *s == '+' ? s + 1 : s;
}

static void kernel_line(FILE *out, struct json_object *k)
{
	char a[CELL_MAX], e[CELL_MAX], b[2 * CELL_MAX + 64];

	if (!json_object_is_type(k, json_type_object))
		return;
	if (cr_get_bool(k, "synced") == 1)
		snprintf(b, sizeof(b), "synchronised, maxerror %s, esterror %s",
			 mag(a, sizeof(a), k, "maxerror_ns"),
			 mag(e, sizeof(e), k, "esterror_ns"));
	else
		snprintf(b, sizeof(b), "unsynchronised (STA_UNSYNC)");
	cr_kv(out, 0, "Kernel sync", b);
}

void cr_render_clock_tracking(FILE *out, struct json_object *c)
{
	struct json_object *t = cr_field(c, "tracking");
	char a[CELL_MAX], n[CELL_MAX], b[2 * CELL_MAX + 64];
	double d;

	if (!json_object_is_type(t, json_type_object))
		return;
	if (cr_get_num(t, "rms_offset_ns", &d))
		snprintf(b, sizeof(b), "%s (last %s updates)", mag(a, sizeof(a), t, "rms_offset_ns"), cr_fmt_int(n, sizeof(n), t, "rms_updates"));
	else
		snprintf(b, sizeof(b), "-");
	cr_kv(out, 0, "RMS offset", b);
	if (cr_get_num(t, "error_bound_ns", &d))
		snprintf(b, sizeof(b), "%s", mag(a, sizeof(a), t, "error_bound_ns"));
	else
		snprintf(b, sizeof(b), "none (not LOCKED)");
	cr_kv(out, 0, "Error bound", b);
	cr_kv(out, 0, "Last good (UTC)", cr_get_str(t, "last_good_utc") ?
	      cr_get_str(t, "last_good_utc") : "never");
	d = 0;
	cr_get_num(t, "leap_pending", &d);
	cr_kv(out, 0, "Leap pending", d > 0 ? "insert a second" : d < 0 ? "delete a second" : "no");
	if (cr_get_num(t, "tai_offset_s", &d))
		snprintf(b, sizeof(b), "%.0f s", d);
	else
		snprintf(b, sizeof(b), "unknown");
	cr_kv(out, 0, "TAI offset", b);
	kernel_line(out, cr_field(t, "kernel"));
}
