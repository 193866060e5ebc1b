/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed values of configuration keys: parsing text into the field a key
 * names (with its range and extra check) and printing it back exactly;
 * the syntax of clock names; quoting user text for messages.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config/config_priv.h"
#include "phc/clockname.h"

_Static_assert(sizeof(enum timescale) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum servo_type) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum log_target) == sizeof(int), "enums are stored as int");

/* Only plain decimal numbers: strtod() alone would also take "nan", "inf",
 * hex and leading blanks, none of which belong in a config file. */
static bool is_decimal(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789+-.eE", *s))
			return false;
	return true;
}

static int parse_double(const char *text, double *v)
{
	char *end;

	if (!is_decimal(text))
		return -EINVAL;
	errno = 0;
	*v = strtod(text, &end);
	if (*end || end == text)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(*v))
		return -ERANGE;
	return 0;
}

static int parse_int(const char *text, int *v)
{
	char *end;
	long l;

	if (!is_decimal(text) || strpbrk(text, ".eE"))
		return -EINVAL;
	errno = 0;
	l = strtol(text, &end, 10);
	if (*end || end == text)
		return -EINVAL;
	if (errno == ERANGE || l < INT_MIN || l > INT_MAX)
		return -ERANGE;
	*v = (int)l;
	return 0;
}

static bool in_range(const struct conf_key *k, double v)
{
	if (k->min == k->max)
		return true;
	if (k->flags & KEY_MIN_EXCL ? v <= k->min : v < k->min)
		return false;
	return v <= k->max;
}

void conf_range_text(const struct conf_key *k, char *buf, size_t len)
{
	const char *sp = *k->unit ? " " : "";

	if (k->flags & KEY_MIN_EXCL)
		snprintf(buf, len, "> %.15g and <= %.15g%s%s", k->min, k->max, sp, k->unit);
	else
		snprintf(buf, len, "%.15g to %.15g%s%s", k->min, k->max, sp, k->unit);
}

/* An entry after one with the same value is an alias. */
static bool is_alias(const struct conf_enum *all, const struct conf_enum *e)
{
	for (const struct conf_enum *p = all; p < e; p++)
		if (p->value == e->value)
			return true;
	return false;
}

void conf_enum_list(const struct conf_key *k, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct conf_enum *e = k->enums; e && e->name && n < len; e++)
		if (!is_alias(k->enums, e))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", e->name);
}

static int parse_enum(const struct conf_key *k, const char *text, int *v)
{
	for (const struct conf_enum *e = k->enums; e->name; e++) {
		if (!strcasecmp(e->name, text)) {
			*v = e->value;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_bool(const char *text, bool *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(text, yes[i]) || !strcasecmp(text, no[i])) {
			*v = !strcasecmp(text, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

void conf_expect_text(const struct conf_key *k, char *buf, size_t len)
{
	char range[96], list[128];

	conf_range_text(k, range, sizeof(range));
	switch (k->type) {
	case CT_ENUM:
		conf_enum_list(k, list, sizeof(list));
		snprintf(buf, len, "%s", list);
		return;
	case CT_INT:
		snprintf(buf, len, "an integer, %s", range);
		return;
	case CT_DOUBLE:
		snprintf(buf, len, "a number, %s", range);
		return;
	case CT_AUTO_INT:
		snprintf(buf, len, "auto or an integer, %s", range);
		return;
	case CT_BOOL:
		snprintf(buf, len, "yes or no");
		return;
	case CT_STRING:
		snprintf(buf, len, "%s", k->what ? k->what : "");
		return;
	}
}

/* Parse into a scratch union first: on error nothing is stored. */
union conf_val {
	int i;
	double d;
	bool b;
};

/* Suffixes a value may carry, by the unit its key takes (k->unit), and the
 * factor that brings them to that unit: "1us" for a key in s is 1e-6. */
struct conf_suffix {
	const char *unit, *suffix;
	double factor;
};

static const struct conf_suffix suffixes[] = {
	{ "s", "ns", 1e-9 }, { "s", "us", 1e-6 }, { "s", "\u00b5s", 1e-6 },
	{ "s", "ms", 1e-3 }, { "s", "s", 1 }, { "s", "min", 60 }, { "s", "h", 3600 },
	{ "ppm", "ppb", 1e-3 }, { "ppm", "ppm", 1 }, { "ppm", "%", 1e4 },
	{ NULL, NULL, 0 }
};

static void suffix_list(const char *unit, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct conf_suffix *s = suffixes; s->unit && n < len; s++)
		if (!strcmp(s->unit, unit))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", s->suffix);
}

/* Split "10 us" into the number and the factor of its suffix (1 when none).
 * -EDOM: a suffix the key's unit does not know, said in msg. */
static int split_unit(const struct conf_key *k, const char *text, char *num, size_t nlen,
		      double *factor, char *msg, size_t len)
{
	size_t n = strspn(text, "0123456789+-.eE");
	const char *suf = text + n;
	char q[64], list[96];

	*factor = 1;
	if (n >= nlen)
		n = nlen - 1;
	memcpy(num, text, n);
	num[n] = '\0';
	while (*suf == ' ' || *suf == '\t')
		suf++;
	if (!*suf || !n)
		return !n ? (snprintf(num, nlen, "%s", text), 0) : 0;
	for (const struct conf_suffix *s = suffixes; s->unit; s++) {
		if (!strcmp(s->unit, k->unit) && !strcmp(s->suffix, suf)) {
			*factor = s->factor;
			return 0;
		}
	}
	suffix_list(k->unit, list, sizeof(list));
	if (*list)
		snprintf(msg, len, "%s: %s is not a number of %s (units accepted: %s)", k->name,
			 conf_quote(text, q, sizeof(q)), k->unit, list);
	else
		snprintf(msg, len, "%s: %s is not %s%s%s%s", k->name, conf_quote(text, q, sizeof(q)),
			 k->type == CT_DOUBLE ? "a number" : "an integer",
			 *k->unit ? " (a plain number of " : " (this key takes no unit)",
			 k->unit, *k->unit ? ")" : "");
	return -EDOM;
}

/* Bring a value given with a suffix to the key's unit; an integer key
 * must come out whole. */
static int scale_value(const struct conf_key *k, bool is_int, double factor,
		       union conf_val *v, const char *text, char *msg, size_t len)
{
	char q[64];
	double d;

	if (factor == 1)
		return 0;
	d = (is_int ? v->i : v->d) * factor;
	if (is_int) {
		if (d != floor(d) || d < INT_MIN || d > INT_MAX) {
			snprintf(msg, len, "%s: %s is not a whole number of %s", k->name,
				 conf_quote(text, q, sizeof(q)), k->unit);
			return -EINVAL;
		}
		v->i = (int)d;
	} else {
		v->d = d;
	}
	return 0;
}

static int parse_number(const struct conf_key *k, const char *text, union conf_val *v,
			char *msg, size_t len)
{
	char q[64], range[96], num[64];
	bool is_int = k->type != CT_DOUBLE;
	double d, factor;
	int r;

	r = split_unit(k, text, num, sizeof(num), &factor, msg, len);
	if (r < 0)
		return -EINVAL;
	r = is_int ? parse_int(num, &v->i) : parse_double(num, &v->d);
	if (r == -EINVAL) {
		snprintf(msg, len, "%s: %s is not %s", k->name, conf_quote(text, q, sizeof(q)),
			 is_int ? "an integer" : "a number");
		return r;
	}
	if (r == 0 && scale_value(k, is_int, factor, v, text, msg, len) < 0)
		return -EINVAL;
	d = is_int ? v->i : v->d;
	if (r < 0 || !in_range(k, d)) {
		conf_range_text(k, range, sizeof(range));
		snprintf(msg, len, "%s: %s is out of range (must be %s)", k->name,
			 conf_quote(text, q, sizeof(q)), range);
		return -ERANGE;
	}
	return 0;
}

static int parse_typed(const struct conf_key *k, const char *text, union conf_val *v,
		       bool *is_auto, char *msg, size_t len)
{
	char q[64], list[128];

	switch (k->type) {
	case CT_ENUM:
		if (parse_enum(k, text, &v->i) == 0)
			return 0;
		conf_enum_list(k, list, sizeof(list));
		snprintf(msg, len, "%s: %s is not one of %s", k->name,
			 conf_quote(text, q, sizeof(q)), list);
		return -EINVAL;
	case CT_BOOL:
		if (parse_bool(text, &v->b) == 0)
			return 0;
		snprintf(msg, len, "%s: %s is not yes or no", k->name, conf_quote(text, q, sizeof(q)));
		return -EINVAL;
	case CT_AUTO_INT:
		*is_auto = !strcasecmp(text, "auto");
		if (*is_auto) {
			v->i = 0;
			return 0;
		}
		if (parse_int(text, &v->i) == -EINVAL) {
			snprintf(msg, len, "%s: %s is not auto or an integer", k->name,
				 conf_quote(text, q, sizeof(q)));
			return -EINVAL;
		}
		return parse_number(k, text, v, msg, len);
	case CT_INT:
	case CT_DOUBLE:
		return parse_number(k, text, v, msg, len);
	case CT_STRING:
		break;
	}
	return 0;
}

int conf_parse_value(const struct conf_key *k, const char *text,
		     const struct clock_conf *cc, void *base, char *msg, size_t len)
{
	char *field = (char *)base + k->offset;
	union conf_val v = { 0 };
	bool is_auto = false;
	char sbuf[CONF_PATH_MAX], sub[256];
	const void *checked = &v;
	int r;

	if (!*text) {
		conf_expect_text(k, sub, sizeof(sub));
		snprintf(msg, len, "%s: empty value%s%s%s", k->name,
			 *sub ? " (expected " : "", sub, *sub ? ")" : "");
		return -EINVAL;
	}
	if (k->type == CT_STRING) {
		if (strlen(text) >= k->size || strlen(text) >= sizeof(sbuf)) {
			snprintf(msg, len, "%s: value too long (at most %zu characters)",
				 k->name, k->size - 1);
			return -EINVAL;
		}
		strcpy(sbuf, text);
		checked = sbuf;
	} else {
		r = parse_typed(k, text, &v, &is_auto, msg, len);
		if (r < 0)
			return r;
	}
	if (k->check && (r = k->check(cc, checked, sub, sizeof(sub))) < 0) {
		snprintf(msg, len, "%s: %s", k->name, sub);
		return r;
	}
	switch (k->type) {
	case CT_STRING:
		strcpy(field, sbuf);
		break;
	case CT_DOUBLE:
		memcpy(field, &v.d, sizeof(v.d));
		break;
	case CT_BOOL:
		memcpy(field, &v.b, sizeof(v.b));
		break;
	case CT_AUTO_INT:
		memcpy((char *)base + k->aux_offset, &is_auto, sizeof(is_auto));
		/* fall through */
	case CT_ENUM:
	case CT_INT:
		memcpy(field, &v.i, sizeof(v.i));
		break;
	}
	return 0;
}

/* The shortest "%.Ng" that reads back to exactly the same double. */
static void format_double(double d, char *buf, size_t len)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

void conf_format_value(const struct conf_key *k, const void *base, char *buf, size_t len)
{
	const char *field = (const char *)base + k->offset;
	double d;
	bool b;
	int i;

	switch (k->type) {
	case CT_STRING:
		snprintf(buf, len, "%s", field);
		return;
	case CT_DOUBLE:
		memcpy(&d, field, sizeof(d));
		format_double(d, buf, len);
		return;
	case CT_BOOL:
		memcpy(&b, field, sizeof(b));
		snprintf(buf, len, "%s", b ? "yes" : "no");
		return;
	case CT_AUTO_INT:
		memcpy(&b, (const char *)base + k->aux_offset, sizeof(b));
		if (b) {
			snprintf(buf, len, "auto");
			return;
		}
		/* fall through */
	case CT_INT:
		memcpy(&i, field, sizeof(i));
		snprintf(buf, len, "%d", i);
		return;
	case CT_ENUM:
		memcpy(&i, field, sizeof(i));
		for (const struct conf_enum *e = k->enums; e->name; e++) {
			if (e->value == i) {
				snprintf(buf, len, "%s", e->name);
				return;
			}
		}
		buf[0] = '\0';	/* not resolved (a default by kind before the source is known) */
		return;
	}
}

/* ---- clock names: the rules are phc/clockname.c's, the words ours ---- */

bool conf_is_ptp4l_source(const char *source)
{
	return !strcmp(source, "ptp4l") || !strncmp(source, "ptp4l:", 6);
}

const char *conf_ptp4l_path(const char *source)
{
	return !strncmp(source, "ptp4l:", 6) ? source + 6 : CONF_PTP4L_UDS_DEFAULT;
}

int conf_clock_name_check(const char *name, char *msg, size_t len)
{
	char q[64];
	int r;

	if (!strcmp(name, "global")) {
		snprintf(msg, len, "'global' is not a clock");
		return -EINVAL;
	}
	r = clockname_classify(name, NULL);
	if (r >= 0)
		return 0;
	if (!strncasecmp(name, "CLOCK_", 6))
		snprintf(msg, len, "%s is not a clock gnomon disciplines or reads (the system "
			 "clock is CLOCK_REALTIME, also spelt realtime or sys)",
			 conf_quote(name, q, sizeof(q)));
	else
		snprintf(msg, len, "%s is not a clock (expected CLOCK_REALTIME, /dev/ptpN, ptpN "
			 "with N without leading zeros, or an interface name of at most 15 "
			 "characters)", conf_quote(name, q, sizeof(q)));
	return -EINVAL;
}

const char *conf_quote(const char *s, char *buf, size_t len)
{
	size_t n = 0, max;

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	max = len - 5;	/* room for the closing quote, "..." and the NUL */
	buf[n++] = '\'';
	for (; *s && n < max; s++) {
		unsigned char c = (unsigned char)*s;

		if (isprint(c) && c != '\\') {
			buf[n++] = (char)c;
		} else if (n + 4 <= max) {
			snprintf(buf + n, len - n, "\\x%02x", c);
			n += 4;
		} else {
			break;
		}
	}
	if (*s) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}
