/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ctl_render_priv.h
 * Inside of gnomonctl's renderers: the helpers of ctl_render.c (field
 * access that tolerates any JSON, "Name : value" lines, tables) shared
 * with ctl_render_ops.c (leap, recovery and the operations fields of
 * status). Nothing else should include it.
 */
#ifndef GNOMON_CTL_RENDER_PRIV_H
#define GNOMON_CTL_RENDER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;

#define MAX_COLS	24
#define CELL_MAX	256
#define LABEL_WIDTH	16

/** A table whose columns are sized to their widest cell. */
struct table {
	int ncols, nrows;
	size_t cap;		/* rows the cells have room for */
	char *head[MAX_COLS];
	bool right[MAX_COLS];		/**< right-aligned (numbers) */
	char **cells;			/**< nrows * ncols, row-major */
};

/** o[key], or NULL when o is not an object or has no such key. */
struct json_object *cr_field(struct json_object *o, const char *key);
/** o[key] if a string, else NULL. */
const char *cr_get_str(struct json_object *o, const char *key);
/** o[key] if a finite number (int or double): true and *d set. */
bool cr_get_num(struct json_object *o, const char *key, double *d);
/** o[key] if a boolean: 0 or 1; -1 when absent or not a boolean. */
int cr_get_bool(struct json_object *o, const char *key);
/** o[key] if a string, else "-". */
const char *cr_str(struct json_object *o, const char *key);
/** Integer, offset (signed, unit by size), duration, any value: "-" when absent. */
const char *cr_fmt_int(char *buf, size_t len, struct json_object *o, const char *key);
const char *cr_fmt_off(char *buf, size_t len, struct json_object *o, const char *key);
const char *cr_fmt_dur(char *buf, size_t len, struct json_object *o, const char *key);
const char *cr_fmt_value(char *buf, size_t len, struct json_object *v);
/** "label           : value" (control characters replaced). */
void cr_kv(FILE *out, int indent, const char *label, const char *value);

/** Add a column; a header starting with '>' is right-aligned. */
void cr_table_col(struct table *t, const char *head);
/** Add a row of ncols cells (NULL prints "-"). */
void cr_table_row(struct table *t, const char *const *vals);
void cr_table_print(FILE *out, const struct table *t, int indent);
void cr_table_free(struct table *t);

/** An array of objects as a table of the union of their keys. */
void cr_render_object_table(FILE *out, struct json_object *arr, int indent);
/** A non-empty array whose first element is an object. */
bool cr_is_object_array(struct json_object *v);
/** Any object: "key : value" lines, nested objects, tables. */
void cr_render_generic(FILE *out, struct json_object *data, int indent);

/* ctl_render_ops.c */

/** Daemon lines of status beyond v1's first table (version, user,
 *  capabilities, configuration, service manager), where present. */
void cr_render_daemon_ops(FILE *out, struct json_object *dm);
/** "Leap policy" and "Recovering" lines of a status CLOCK, where present. */
void cr_render_clock_ops(FILE *out, struct json_object *c);
/** RMS offset, error bound, last good sample, leap, TAI, kernel sync
 *  lines of a status CLOCK's "tracking" object (ctl_render_tracking.c). */
void cr_render_clock_tracking(FILE *out, struct json_object *c);
/** One line describing a CLOCK's "leap" object. */
const char *cr_fmt_leap(char *buf, size_t len, struct json_object *leap);
/** One line describing a "recovering" object ("none" for null). */
const char *cr_fmt_recovering(char *buf, size_t len, struct json_object *r);
/** leap and recovery; false when the data is not of the v1 shape (the
 *  caller then renders it generically). */
bool cr_render_leap(FILE *out, struct json_object *data);
bool cr_render_recovery(FILE *out, struct json_object *data);

/** The clock-health line of `status`, and the `health` view (ctl_render_health.c). */
void cr_render_health_line(FILE *out, struct json_object *health);
bool cr_render_health(FILE *out, struct json_object *data);
/** The ptp4l lines of a clock block (nothing when ptp is NULL). */
void cr_render_clock_ptp(FILE *out, struct json_object *ptp);
/** gnomonctl bonds (ctl_render_bonds.c). */
void cr_render_bonds(FILE *out, struct json_object *data);

#endif
