// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl bonds, for people: per bond a header line, a member table
 * (active, carrier, PHC, offset to the active PHC) and the last failover
 * with each clock's peak excursion and time back within its threshold.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl/ctl_render_priv.h"

static void members(FILE *out, struct json_object *b)
{
	static const char *const heads[] = {
		"MEMBER", "ACTIVE", "CARRIER", "PHC", "CLOCK", ">OFFSET_TO_ACTIVE",
	};
	struct json_object *ms = cr_field(b, "members");
	size_t n = json_object_is_type(ms, json_type_array) ? json_object_array_length(ms) : 0;
	struct table t = { 0 };

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		cr_table_col(&t, heads[i]);
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(ms, i);
		char off[CELL_MAX];
		const char *row[6];

		row[0] = cr_str(m, "name");
		row[1] = cr_get_bool(m, "active") == 1 ? "*" : "";
		row[2] = cr_get_bool(m, "carrier") == 1 ? "up" : "down";
		row[3] = cr_str(m, "phc");
		row[4] = cr_str(m, "clock");
		row[5] = cr_fmt_off(off, sizeof(off), m, "offset_to_active_ns");
		cr_table_row(&t, row);
	}
	if (n)
		cr_table_print(out, &t, 2);
	else
		fputs("  no members\n", out);
	cr_table_free(&t);
}

static void last_failover(FILE *out, struct json_object *f)
{
	struct json_object *cs = cr_field(f, "clocks");
	size_t n = json_object_is_type(cs, json_type_array) ? json_object_array_length(cs) : 0;
	char line[CELL_MAX * 2], ms[CELL_MAX], sw[CELL_MAX];
	double d = 0;

	if (!f || json_object_is_type(f, json_type_null)) {
		cr_kv(out, 2, "Last failover", "none");
		return;
	}
	cr_get_num(f, "switch_ms", &d);
	snprintf(ms, sizeof(ms), "%.3f", d);
	snprintf(line, sizeof(line), "%s -> %s, %s clocks switched in %s ms%s", cr_str(f, "from"),
		 cr_str(f, "to"), cr_fmt_int(sw, sizeof(sw), f, "switched"), ms,
		 cr_get_bool(f, "phc_changed") == 1 ? "" : " (same PHC)");
	cr_kv(out, 2, "Last failover", line);
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cs, i);
		char pk[CELL_MAX], rec[CELL_MAX];

		snprintf(line, sizeof(line), "peak %s, back within threshold %s",
			 cr_fmt_off(pk, sizeof(pk), c, "peak_ns"),
			 cr_get_num(c, "recovery_s", &d) ? cr_fmt_dur(rec, sizeof(rec), c, "recovery_s")
							 : "not yet");
		cr_kv(out, 4, cr_str(c, "clock"), line);
	}
}

void cr_render_bonds(FILE *out, struct json_object *data)
{
	struct json_object *bs = cr_field(data, "bonds");
	size_t n = json_object_is_type(bs, json_type_array) ? json_object_array_length(bs) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(bs, i);
		char fo[CELL_MAX];

		cr_fmt_int(fo, sizeof(fo), b, "failovers");
		fprintf(out, "%s%s: active %s, %s failover%s\n", i ? "\n" : "", cr_str(b, "name"),
			cr_str(b, "active"), fo, strcmp(fo, "1") ? "s" : "");
		if (cr_get_bool(b, "present") != 1)
			fputs("  the bond is gone\n", out);
		members(out, b);
		last_failover(out, cr_field(b, "last_failover"));
	}
	if (!n)
		fputs("No bond followed.\n", out);
}
