/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recovery history file (JSON Lines, json-c) and the UTC formatter.
 * Schema and guarantees: history.h and doc/recovery.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/record/history.h"
#include "util/util.h"

#define NS_PER_DAY	(86400LL * NS_PER_S)
#define TAIL_CHUNK	65536

/*
 * Proleptic Gregorian date of a day number counted from 1970-01-01 (>= 0).
 * The era arithmetic of H. Hinnant's "chrono-compatible low-level date
 * algorithms" (civil_from_days), restricted to non-negative days.
 */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;	/* days since 0000-03-01 */
	int64_t era = z / 146097;	/* 400-year eras */
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;	/* month from March = 0 */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int history_format_utc(int64_t utc_ns, int frac_digits, char *buf, size_t len)
{
	int64_t days, rem, y;
	unsigned mo, d, sod, frac;
	char fbuf[24] = "";
	int n, i;

	if (frac_digits < 0 || frac_digits > 9)
		return -EINVAL;
	if (utc_ns < 0)
		return -ERANGE;
	days = utc_ns / NS_PER_DAY;
	rem = utc_ns % NS_PER_DAY;
	sod = (unsigned)(rem / NS_PER_S);
	civil_from_days(days, &y, &mo, &d);
	if (frac_digits > 0) {
		frac = (unsigned)(rem % NS_PER_S);
		for (i = frac_digits; i < 9; i++)
			frac /= 10;	/* truncate, never round up */
		snprintf(fbuf, sizeof(fbuf), ".%0*u", frac_digits, frac);
	}
	n = snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u%sZ",
		     y, mo, d, sod / 3600, sod / 60 % 60, sod % 60, fbuf);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* A double as JSON: fixed 6 decimals with trailing zeros dropped (one kept),
 * so 10.8 prints "10.8" rather than 10.800000000000001; NaN/inf: null. */
static struct json_object *json_seconds(double v)
{
	char s[64];
	size_t n;

	if (!isfinite(v))
		return NULL;
	n = (size_t)snprintf(s, sizeof(s), "%.6f", v);
	if (n >= sizeof(s))
		return json_object_new_double(v);
	while (n > 2 && s[n - 1] == '0' && s[n - 2] != '.')
		s[--n] = '\0';
	return json_object_new_double_s(v, s);
}

/* Add a key; NULL val (JSON null) only when allowed by null_ok. */
static int put(struct json_object *o, const char *key, struct json_object *val, bool null_ok)
{
	if (!val && !null_ok)
		return -ENOMEM;
	if (json_object_object_add(o, key, val)) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

struct json_object *history_report_to_json(const struct recovery_report *r)
{
	char utc[HISTORY_UTC_MAX];
	struct json_object *o;
	int e = 0;

	if (history_format_utc(r->event_utc_ns, 3, utc, sizeof(utc)) < 0)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	e |= put(o, "schema", json_object_new_string(HISTORY_SCHEMA), false);
	e |= put(o, "time_utc", json_object_new_string(utc), false);
	e |= put(o, "clock", json_object_new_string(r->clock), false);
	e |= put(o, "event", json_object_new_string(recovery_kind_name(r->kind)), false);
	if (r->offset_known)
		e |= put(o, "offset_at_event_ns", json_object_new_int64(r->offset_at_event_ns), false);
	else
		e |= put(o, "offset_at_event_ns", NULL, true);
	e |= put(o, "peak_ns", json_object_new_int64(r->peak_ns), false);
	e |= put(o, "overshoot_ns", json_object_new_int64(r->overshoot_ns), false);
	e |= put(o, "limit_s", json_seconds(r->limit_s), true);
	e |= put(o, "recovery_s", json_seconds(r->recovery_s), true);
	e |= put(o, "ratio", json_seconds(r->ratio), true);
	e |= put(o, "threshold_ns", json_object_new_int64(r->threshold_ns), false);
	e |= put(o, "hold_s", json_seconds(r->hold_s), true);
	e |= put(o, "recovered", json_object_new_boolean(r->recovered), false);
	e |= put(o, "superseded", json_object_new_boolean(r->superseded), false);
	e |= put(o, "cap_ppb", json_seconds(r->cap_ppb), true);
	e |= put(o, "elapsed_s", json_seconds(r->elapsed_s), true);
	e |= put(o, "event_utc_ns", json_object_new_int64(r->event_utc_ns), false);
	e |= put(o, "event_mono_ns", json_object_new_int64(r->event_mono_ns), false);
	if (e) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Fetch key of type t (json_type_double also accepts int and null). */
static struct json_object *get(const struct json_object *o, const char *key,
			       enum json_type t, int *e)
{
	struct json_object *v = NULL;
	enum json_type vt;

	if (!json_object_object_get_ex(o, key, &v)) {
		*e = -EINVAL;
		return NULL;
	}
	vt = json_object_get_type(v);
	if (vt == t || (t == json_type_double && (vt == json_type_int || vt == json_type_null)))
		return v;
	*e = -EINVAL;
	return NULL;
}

static int64_t get_i64(const struct json_object *o, const char *key, int *e)
{
	struct json_object *v = get(o, key, json_type_int, e);

	return v ? json_object_get_int64(v) : 0;
}

static double get_dbl(const struct json_object *o, const char *key, int *e)
{
	struct json_object *v = get(o, key, json_type_double, e);

	return v && json_object_get_type(v) != json_type_null ? json_object_get_double(v) : NAN;
}

static bool get_bool(const struct json_object *o, const char *key, int *e)
{
	struct json_object *v = get(o, key, json_type_boolean, e);

	return v ? json_object_get_boolean(v) : false;
}

static const char *get_str(const struct json_object *o, const char *key, int *e)
{
	struct json_object *v = get(o, key, json_type_string, e);

	return v ? json_object_get_string(v) : "";
}

int history_report_from_json(const struct json_object *o, struct recovery_report *r)
{
	struct json_object *v = NULL;
	int e = 0, kind;

	if (!o || json_object_get_type(o) != json_type_object)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (strcmp(get_str(o, "schema", &e), HISTORY_SCHEMA))
		return -EINVAL;
	kind = recovery_kind_parse(get_str(o, "event", &e));
	if (kind < 0)
		return -EINVAL;
	r->kind = kind;
	snprintf(r->clock, sizeof(r->clock), "%s", get_str(o, "clock", &e));
	get_str(o, "time_utc", &e);
	if (json_object_object_get_ex(o, "offset_at_event_ns", &v) &&
	    json_object_get_type(v) == json_type_null) {
		r->offset_known = false;
	} else {
		r->offset_at_event_ns = get_i64(o, "offset_at_event_ns", &e);
		r->offset_known = true;
	}
	r->peak_ns = get_i64(o, "peak_ns", &e);
	r->overshoot_ns = get_i64(o, "overshoot_ns", &e);
	r->limit_s = get_dbl(o, "limit_s", &e);
	r->recovery_s = get_dbl(o, "recovery_s", &e);
	r->ratio = get_dbl(o, "ratio", &e);
	r->threshold_ns = get_i64(o, "threshold_ns", &e);
	r->hold_s = get_dbl(o, "hold_s", &e);
	r->recovered = get_bool(o, "recovered", &e);
	r->superseded = get_bool(o, "superseded", &e);
	r->cap_ppb = get_dbl(o, "cap_ppb", &e);
	r->elapsed_s = get_dbl(o, "elapsed_s", &e);
	r->event_utc_ns = get_i64(o, "event_utc_ns", &e);
	r->event_mono_ns = get_i64(o, "event_mono_ns", &e);
	return e;
}

struct history {
	struct recfile *f;
};

struct history *history_open(const char *path, const struct recfile_conf *conf, int *err,
			     char *why, size_t whylen)
{
	struct recfile *f = recfile_open(path, conf, err, why, whylen);
	struct history *h;

	if (!f)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		recfile_close(f);
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	h->f = f;
	return h;
}

struct recfile *history_file(const struct history *h)
{
	return h ? h->f : NULL;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	recfile_close(h->f);
	free(h);
}

int history_append(struct history *h, const struct recovery_report *r)
{
	struct json_object *o;
	const char *s;
	char *line;
	size_t n;
	int e;

	if (r->event_utc_ns < 0)
		return -ERANGE;
	o = history_report_to_json(r);
	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	n = s ? strlen(s) : 0;
	line = s ? malloc(n + 1) : NULL;
	if (!line) {
		json_object_put(o);
		return -ENOMEM;
	}
	memcpy(line, s, n);
	line[n] = '\n';
	e = recfile_write(h->f, line, n + 1);
	free(line);
	json_object_put(o);
	return e;
}

/* Parse one complete line; the object if it is a valid history record. */
static struct json_object *parse_line(struct json_tokener *tok, const char *s, size_t n)
{
	struct recovery_report r;
	struct json_object *o;
	size_t end;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)n);
	if (!o)
		return NULL;
	end = json_tokener_get_parse_end(tok);
	while (end < n && (s[end] == ' ' || s[end] == '\t' || s[end] == '\r'))
		end++;
	if (json_tokener_get_error(tok) != json_tokener_success || end != n ||
	    history_report_from_json(o, &r)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The newest valid lines of a tail buffer, newest first. */
struct tail {
	struct json_object **objs;
	size_t have, max;	/* found, wanted */
	size_t bad;		/* rejected lines newer than the oldest found */
};

static void tail_free(struct tail *t)
{
	while (t->have > 0)
		json_object_put(t->objs[--t->have]);
	free(t->objs);
	t->objs = NULL;
}

/*
 * Walk the complete lines of buf[0..len) from the end, keeping valid ones
 * until t->max are found. A trailing fragment without a newline is a torn
 * line; when not at the file's start, the first fragment belongs to an
 * older line and is not looked at.
 */
static int parse_tail(const char *buf, size_t len, bool at_start, struct tail *t)
{
	const char *first = buf, *p = buf + len, *ls, *nl;
	struct json_tokener *tok;
	struct json_object *o;
	size_t lines = 1;

	if (!at_start) {
		nl = memchr(buf, '\n', len);
		first = nl ? nl + 1 : p;
	}
	for (ls = first; (ls = memchr(ls, '\n', (size_t)(p - ls))); ls++)
		lines++;
	t->objs = calloc(lines < t->max ? lines : t->max, sizeof(*t->objs));
	tok = json_tokener_new();
	if (!tok || !t->objs) {
		json_tokener_free(tok);
		return -ENOMEM;
	}
	if (p > first && p[-1] != '\n') {
		nl = memrchr(first, '\n', (size_t)(p - first));
		p = nl ? nl + 1 : first;
		t->bad++;	/* torn last line */
	}
	while (p > first && t->have < t->max) {
		/* The line is [ls, p - 1), p - 1 being its newline. */
		nl = memrchr(first, '\n', (size_t)(p - 1 - first));
		ls = nl ? nl + 1 : first;
		if (p - 1 > ls) {
			o = p - 1 - ls <= INT32_MAX ? parse_line(tok, ls, (size_t)(p - 1 - ls)) : NULL;
			if (o)
				t->objs[t->have++] = o;
			else
				t->bad++;
		}
		p = ls;
	}
	json_tokener_free(tok);
	return 0;
}

/* Read [off, off + len) of fd fully into a new buffer. */
static int read_range(int fd, off_t off, size_t len, char **out)
{
	char *buf = malloc(len ? len : 1);
	size_t got = 0;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	while (got < len) {
		r = pread(fd, buf + got, len - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return r < 0 ? -errno : -EIO;
		}
		got += (size_t)r;
	}
	*out = buf;
	return 0;
}

static int read_tail(int fd, off_t size, size_t n, struct json_object **out, size_t *skipped)
{
	off_t chunk = TAIL_CHUNK, start;
	struct tail t;
	struct json_object *arr;
	char *buf = NULL;
	int e;

	for (;;) {
		start = size > chunk ? size - chunk : 0;
		e = read_range(fd, start, (size_t)(size - start), &buf);
		if (e)
			return e;
		memset(&t, 0, sizeof(t));
		t.max = n;
		e = n ? parse_tail(buf, (size_t)(size - start), start == 0, &t) : 0;
		free(buf);
		if (e) {
			tail_free(&t);
			return e;
		}
		if (t.have >= n || start == 0)
			break;
		tail_free(&t);
		chunk *= 2;
	}
	arr = json_object_new_array();
	while (arr && t.have > 0) {
		if (json_object_array_add(arr, t.objs[t.have - 1]))
			break;
		t.have--;
	}
	e = arr && t.have == 0 ? 0 : -ENOMEM;
	tail_free(&t);
	if (e) {
		json_object_put(arr);
		return e;
	}
	*out = arr;
	if (skipped)
		*skipped = t.bad;
	return 0;
}

int history_read_last(const char *path, size_t n, struct json_object **out,
		      size_t *skipped)
{
	struct stat st;
	int fd, e;

	*out = NULL;
	if (skipped)
		*skipped = 0;
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		e = -EINVAL;
		goto out;
	}
	e = read_tail(fd, st.st_size, n, out, skipped);
out:
	close(fd);
	return e;
}
