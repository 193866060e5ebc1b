// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gnomonctl's renderers: the control schema v1 (doc/control-protocol.md)
 * as chronyc-style "Name : value" blocks and one-row-per-item tables.
 * Everything the daemon sends is untrusted text here: control characters
 * are replaced in table cells and absent fields print as "-".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "daemon/ctl/ctl_render.h"
#include "daemon/ctl/ctl_render_priv.h"
#include "util/util.h"


/* ---- formatting helpers ----------------------------------------------- */

void ctl_fmt_offset(char *buf, size_t len, int64_t ns)
{
	double a = fabs((double)ns);

	if (a < 1e3)
		snprintf(buf, len, "%+" PRId64 " ns", ns);
	else if (a < 1e6)
		snprintf(buf, len, "%+.3f us", (double)ns / 1e3);
	else if (a < 999999500)	/* not "1000.000 ms" */
		snprintf(buf, len, "%+.3f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%+.6f s", (double)ns / 1e9);
}

void ctl_fmt_duration(char *buf, size_t len, double s)
{
	long long t;

	if (!isfinite(s) || s < 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (s < 60) {
		snprintf(buf, len, "%.3f s", s);
		return;
	}
	t = s > 9e15 ? 9000000000000000LL : (long long)s;
	if (t < 86400)
		snprintf(buf, len, "%lldh %02lldm %02llds", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lldd %02lldh %02lldm", t / 86400, t / 3600 % 24, t / 60 % 60);
}

struct json_object *cr_field(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

const char *cr_get_str(struct json_object *o, const char *key)
{
	struct json_object *v = cr_field(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool cr_get_num(struct json_object *o, const char *key, double *d)
{
	struct json_object *v = cr_field(o, key);

	if (!is_number(v))
		return false;
	*d = json_object_get_double(v);
	return isfinite(*d);
}

/* -1 absent, else 0/1 */
int cr_get_bool(struct json_object *o, const char *key)
{
	struct json_object *v = cr_field(o, key);

	return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : -1;
}

const char *cr_str(struct json_object *o, const char *key)
{
	const char *s = cr_get_str(o, key);

	return s ? s : "-";
}

const char *cr_fmt_int(char *buf, size_t len, struct json_object *o, const char *key)
{
	struct json_object *v = cr_field(o, key);

	if (json_object_is_type(v, json_type_int))
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *cr_fmt_off(char *buf, size_t len, struct json_object *o, const char *key)
{
	double d;

	if (!cr_get_num(o, key, &d) || fabs(d) > 9.2e18)
		snprintf(buf, len, "-");
	else
		ctl_fmt_offset(buf, len, (int64_t)llround(d));
	return buf;
}

const char *cr_fmt_dur(char *buf, size_t len, struct json_object *o, const char *key)
{
	double d;

	if (cr_get_num(o, key, &d))
		ctl_fmt_duration(buf, len, d);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The offset, with its age when it is not current (the servo is holding:
 * "+4 ns, 5.8 s ago"). */
static const char *fmt_offset_aged(char *buf, size_t len, struct json_object *c)
{
	char off[48], age[48];
	const char *st = cr_get_str(c, "servo_state");
	double a;

	cr_fmt_off(off, sizeof(off), c, "offset_ns");
	if (!st || strcmp(st, "holding") || !cr_get_num(c, "offset_age_s", &a) || a < 0)
		snprintf(buf, len, "%s", off);
	else
		snprintf(buf, len, "%s, %s ago", off, cr_fmt_dur(age, sizeof(age), c, "offset_age_s"));
	return buf;
}

/* frequency: ppb in the schema, ppm on screen with 3 decimals */
static const char *fmt_ppm(char *buf, size_t len, struct json_object *o, const char *key)
{
	double d;

	if (cr_get_num(o, key, &d))
		snprintf(buf, len, "%+.3f", d / 1e3);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* Any JSON value as one short line. */
const char *cr_fmt_value(char *buf, size_t len, struct json_object *v)
{
	if (!v)
		snprintf(buf, len, "-");
	else if (json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
	else if (json_object_is_type(v, json_type_boolean))
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "no");
	else
		snprintf(buf, len, "%s", json_object_to_json_string_ext(v,
			 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return buf;
}

/* Strings joined by ",": used_by lists. */
static const char *fmt_list(char *buf, size_t len, struct json_object *o, const char *key)
{
	struct json_object *a = cr_field(o, key);
	size_t n = 0;

	buf[0] = '\0';
	if (json_object_is_type(a, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(a) && n < len; i++) {
			char v[CELL_MAX];

			cr_fmt_value(v, sizeof(v), json_object_array_get_idx(a, i));
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "", v);
		}
	}
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void ctl_print_error(FILE *out, const char *path, const char *what, const char *msg)
{
	char *m = strdup(msg ? msg : "");

	if (m)
		sanitize(m);
	fprintf(out, "gnomonctl: %s: %s: %s\n", path, what, m ? m : "(out of memory)");
	free(m);
}

void cr_kv(FILE *out, int indent, const char *label, const char *value)
{
	char v[CELL_MAX];

	snprintf(v, sizeof(v), "%s", value);
	sanitize(v);
	fprintf(out, "%*s%-*s: %s\n", indent, "", LABEL_WIDTH, label, v);
}

/* ---- tables ----------------------------------------------------------- */


/* A header starting with '>' makes a right-aligned column. */
void cr_table_col(struct table *t, const char *head)
{
	if (t->ncols == MAX_COLS)
		return;
	t->right[t->ncols] = head[0] == '>';
	t->head[t->ncols] = strdup(head + (head[0] == '>'));
	t->ncols++;
}

void cr_table_row(struct table *t, const char *const *vals)
{
	if (util_grow((void **)&t->cells, &t->cap, (size_t)t->nrows + 1,
		      (size_t)t->ncols * sizeof(*t->cells)))
		return;
	for (int c = 0; c < t->ncols; c++) {
		char *s = strdup(vals[c] ? vals[c] : "-");

		if (s)
			sanitize(s);
		t->cells[t->nrows * t->ncols + c] = s;
	}
	t->nrows++;
}

static const char *cell(const struct table *t, int row, int col)
{
	const char *s = row < 0 ? t->head[col] : t->cells[row * t->ncols + col];

	return s ? s : "-";
}

void cr_table_print(FILE *out, const struct table *t, int indent)
{
	int w[MAX_COLS];

	for (int c = 0; c < t->ncols; c++) {
		w[c] = 0;
		for (int r = -1; r < t->nrows; r++) {
			int n = (int)strlen(cell(t, r, c));

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (int r = -1; r < t->nrows; r++) {
		fprintf(out, "%*s", indent, "");
		for (int c = 0; c < t->ncols; c++) {
			bool last = c == t->ncols - 1;

			if (t->right[c])
				fprintf(out, "%*s", w[c], cell(t, r, c));
			else
				fprintf(out, "%-*s", last ? 0 : w[c], cell(t, r, c));
			fputs(last ? "\n" : "  ", out);
		}
	}
}

void cr_table_free(struct table *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (int c = 0; c < t->ncols; c++)
		free(t->head[c]);
	free(t->cells);
}

/* An array of objects as a table whose columns are the union of keys. */
void cr_render_object_table(FILE *out, struct json_object *arr, int indent)
{
	struct table t = { 0 };
	size_t n = json_object_array_length(arr);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach(o, key, val) {
			bool seen = false;

			(void)val;
			for (int c = 0; c < t.ncols && !seen; c++)
				seen = t.head[c] && !strcmp(t.head[c], key);
			if (!seen)
				cr_table_col(&t, key);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		char buf[MAX_COLS][CELL_MAX];
		const char *row[MAX_COLS];

		for (int c = 0; c < t.ncols; c++)
			row[c] = cr_fmt_value(buf[c], CELL_MAX,
						   t.head[c] ? cr_field(o, t.head[c]) : NULL);
		cr_table_row(&t, row);
	}
	cr_table_print(out, &t, indent);
	cr_table_free(&t);
}

bool cr_is_object_array(struct json_object *v)
{
	return json_object_is_type(v, json_type_array) && json_object_array_length(v) > 0 &&
	       json_object_is_type(json_object_array_get_idx(v, 0), json_type_object);
}

/* Any object: scalars as "key : value", objects nested, arrays of objects
 * as tables. */
void cr_render_generic(FILE *out, struct json_object *data, int indent)
{
	char buf[CELL_MAX];

	if (!json_object_is_type(data, json_type_object))
		return;
	json_object_object_foreach(data, key, val) {
		if (cr_is_object_array(val)) {
			fprintf(out, "%*s%s:\n", indent, "", key);
			cr_render_object_table(out, val, indent + 2);
		} else if (json_object_is_type(val, json_type_object)) {
			fprintf(out, "%*s%s:\n", indent, "", key);
			cr_render_generic(out, val, indent + 2);
		} else {
			cr_kv(out, indent, key, cr_fmt_value(buf, sizeof(buf), val));
		}
	}
}

/* ---- the commands ----------------------------------------------------- */

static void render_clock_block(FILE *out, struct json_object *c)
{
	char a[64], b[CELL_MAX];
	double d;
	int slewing = cr_get_bool(c, "slewing"), at_cap = cr_get_bool(c, "at_cap");

	cr_kv(out, 0, "Clock", cr_str(c, "name"));
	cr_kv(out, 0, "Kind", cr_str(c, "kind"));
	cr_kv(out, 0, "Source", cr_str(c, "source"));
	if (cr_get_str(c, "state_reason"))
		snprintf(b, sizeof(b), "%s (%s)", cr_str(c, "state"), cr_str(c, "state_reason"));
	else
		snprintf(b, sizeof(b), "%s", cr_str(c, "state"));
	cr_kv(out, 0, "State", b);
	snprintf(b, sizeof(b), "%s, %s", cr_str(c, "servo"), cr_str(c, "servo_state"));
	cr_kv(out, 0, "Servo", b);
	cr_kv(out, 0, "Offset", fmt_offset_aged(b, sizeof(b), c));
	snprintf(b, sizeof(b), "%s ppm", fmt_ppm(a, sizeof(a), c, "freq_ppb"));
	cr_kv(out, 0, "Frequency", b);
	if (cr_get_num(c, "max_slew_ppm", &d))
		snprintf(a, sizeof(a), "%.3f ppm", d);
	else
		snprintf(a, sizeof(a), "-");
	cr_kv(out, 0, "Slew cap", a);
	if (slewing == 1 && !cr_get_num(c, "slew_left_s", &d))
		snprintf(b, sizeof(b), "would be (dry run: nothing applied)");
	else if (slewing == 1)
		snprintf(b, sizeof(b), "yes, %s left%s", cr_fmt_dur(a, sizeof(a), c, "slew_left_s"),
			 at_cap == 1 ? ", at the cap" : "");
	else
		snprintf(b, sizeof(b), "%s%s", slewing == 0 ? "no" : "-",
			 at_cap == 1 ? ", at the cap" : "");
	cr_kv(out, 0, "Slewing", b);
	snprintf(b, sizeof(b), "%s ago", cr_fmt_dur(a, sizeof(a), c, "last_update_age_s"));
	cr_kv(out, 0, "Last update", b);
	cr_kv(out, 0, "Updates", cr_fmt_int(a, sizeof(a), c, "updates"));
	cr_kv(out, 0, "Steps", cr_fmt_int(a, sizeof(a), c, "steps"));
	cr_kv(out, 0, "Faults", cr_fmt_int(a, sizeof(a), c, "faults"));
	if (cr_field(c, "update_failures"))
		cr_kv(out, 0, "Failed updates", cr_fmt_int(a, sizeof(a), c, "update_failures"));
	cr_render_clock_tracking(out, c);
	cr_kv(out, 0, "Last error", cr_get_str(c, "last_error") ? cr_get_str(c, "last_error") : "none");
	cr_render_clock_ops(out, c);
	cr_render_clock_ptp(out, cr_field(c, "ptp"));
}

static void render_status(FILE *out, struct json_object *data)
{
	struct json_object *dm = cr_field(data, "daemon"), *clocks = cr_field(data, "clocks");
	char a[CELL_MAX];
	int dry = cr_get_bool(dm, "dry_run");
	size_t n;

	cr_kv(out, 0, "Daemon pid", cr_fmt_int(a, sizeof(a), dm, "pid"));
	cr_kv(out, 0, "Uptime", cr_fmt_dur(a, sizeof(a), dm, "uptime_s"));
	cr_kv(out, 0, "Loop iterations", cr_fmt_int(a, sizeof(a), dm, "loop_iterations"));
	cr_kv(out, 0, "Mode", dry == 1 ? "dry run (no clock is adjusted)" : dry == 0 ? "normal" : "-");
	cr_render_daemon_ops(out, dm);
	cr_render_health_line(out, cr_field(data, "health"));
	n = json_object_is_type(clocks, json_type_array) ? json_object_array_length(clocks) : 0;
	if (!n)
		fputs("\nNo clock is disciplined.\n", out);
	for (size_t i = 0; i < n; i++) {
		fputc('\n', out);
		render_clock_block(out, json_object_array_get_idx(clocks, i));
	}
}

/* One table row of cells per element of arr (fill writes row[], using b for
 * the cells it formats), or the empty line when there is none. */
static void render_array_table(FILE *out, struct json_object *arr, const char *const *heads,
			       size_t nh, void (*fill)(struct json_object *, char (*)[CELL_MAX],
						       const char **),
			       const char *empty)
{
	size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	struct table t = { 0 };

	for (size_t i = 0; i < nh; i++)
		cr_table_col(&t, heads[i]);
	for (size_t i = 0; i < n; i++) {
		char b[MAX_COLS][CELL_MAX];
		const char *row[MAX_COLS];

		fill(json_object_array_get_idx(arr, i), b, row);
		cr_table_row(&t, row);
	}
	if (n)
		cr_table_print(out, &t, 0);
	else
		fputs(empty, out);
	cr_table_free(&t);
}

static void clock_row(struct json_object *c, char (*b)[CELL_MAX], const char **row)
{
	char tmp[64];

	snprintf(b[4], CELL_MAX, "%s/%s", cr_str(c, "servo"), cr_str(c, "servo_state"));
	if (cr_get_bool(c, "slewing") == 1)
		snprintf(b[7], CELL_MAX, "%s%s", cr_fmt_dur(tmp, sizeof(tmp), c, "slew_left_s"),
			 cr_get_bool(c, "at_cap") == 1 ? " (cap)" : "");
	else
		snprintf(b[7], CELL_MAX, "%s", cr_get_bool(c, "at_cap") == 1 ? "- (cap)" : "-");
	row[0] = cr_str(c, "name");
	row[1] = cr_str(c, "kind");
	row[2] = cr_str(c, "state");
	row[3] = cr_str(c, "source");
	row[4] = b[4];
	row[5] = fmt_offset_aged(b[5], CELL_MAX, c);
	row[6] = fmt_ppm(b[6], CELL_MAX, c, "freq_ppb");
	row[7] = b[7];
	row[8] = cr_fmt_dur(b[8], CELL_MAX, c, "last_update_age_s");
	row[9] = cr_fmt_int(b[9], CELL_MAX, c, "updates");
	row[10] = cr_fmt_int(b[10], CELL_MAX, c, "steps");
	row[11] = cr_fmt_int(b[11], CELL_MAX, c, "faults");
	row[12] = cr_str(c, "last_error");
}

static void render_clocks(FILE *out, struct json_object *data)
{
	static const char *const heads[] = {
		"NAME", "KIND", "STATE", "SOURCE", "SERVO", ">OFFSET", ">FREQ(ppm)",
		">SLEW_LEFT", ">AGE", ">UPDATES", ">STEPS", ">FAULTS", "LAST_ERROR",
	};

	render_array_table(out, cr_field(data, "clocks"), heads, sizeof(heads) / sizeof(heads[0]),
			   clock_row, "No clock is disciplined.\n");
}

static void source_row(struct json_object *s, char (*b)[CELL_MAX], const char **row)
{
	row[0] = cr_str(s, "name");
	row[1] = cr_str(s, "kind");
	row[2] = cr_str(s, "clock");
	row[3] = cr_str(s, "method");
	row[4] = cr_fmt_off(b[0], CELL_MAX, s, "delay_ns");
	row[5] = cr_fmt_int(b[1], CELL_MAX, s, "readings");
	row[6] = fmt_list(b[2], CELL_MAX, s, "used_by");
	row[7] = cr_str(s, "last_error");
	/* a delay is a magnitude: drop fmt_off's sign */
	if (row[4][0] == '+')
		row[4]++;
}

static void render_sources(FILE *out, struct json_object *data)
{
	static const char *const heads[] = {
		"NAME", "KIND", "CLOCK", "METHOD", ">DELAY", ">READINGS", "USED_BY", "LAST_ERROR",
	};

	render_array_table(out, cr_field(data, "sources"), heads, sizeof(heads) / sizeof(heads[0]),
			   source_row, "No source.\n");
}

static void render_leap(FILE *out, struct json_object *data)
{
	if (!cr_render_leap(out, data))
		cr_render_generic(out, data, 0);
}

static void render_recovery(FILE *out, struct json_object *data)
{
	struct json_object *ev = cr_field(data, "events");
	char buf[CELL_MAX];

	if (cr_render_recovery(out, data))
		return;

	json_object_object_foreach(data, key, val) {
		if (strcmp(key, "events"))
			cr_kv(out, 0, key, cr_fmt_value(buf, sizeof(buf), val));
	}
	if (cr_is_object_array(ev))
		cr_render_object_table(out, ev, 0);
	else
		fputs("No recovery event.\n", out);
}

static void render_health(FILE *out, struct json_object *data)
{
	if (!cr_render_health(out, data))
		cr_render_generic(out, data, 0);
}

static void render_config(FILE *out, struct json_object *data)
{
	const char *text = cr_get_str(data, "text");
	size_t n;

	if (!text) {
		cr_render_generic(out, data, 0);
		return;
	}
	n = strlen(text);
	fputs(text, out);
	if (n && text[n - 1] != '\n')
		fputc('\n', out);
}

int ctl_render(FILE *out, const char *command, struct json_object *data, bool json)
{
	static const struct {
		const char *name;
		void (*fn)(FILE *out, struct json_object *data);
	} human[] = {
		{ "status", render_status }, { "clocks", render_clocks },
		{ "sources", render_sources }, { "recovery", render_recovery },
		{ "leap", render_leap }, { "health", render_health },
		{ "config", render_config }, { "bonds", cr_render_bonds },
	};
	size_t i;

	if (json) {
		fprintf(out, "%s\n", json_object_to_json_string_ext(data,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		for (i = 0; i < sizeof(human) / sizeof(human[0]); i++)
			if (command && !strcmp(command, human[i].name))
				break;
		if (i < sizeof(human) / sizeof(human[0]))
			human[i].fn(out, data);
		else
			cr_render_generic(out, data, 0);	/* any newer command */
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
