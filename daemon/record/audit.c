/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit trail writer. Line format and escaping: audit.h, doc/audit.md.
 *
 * The caller hands key/value pairs, never a format: each value is turned
 * into text and encoded as a whole, so that a value coming from outside
 * (a source name, a reason) can never break the line into extra fields or
 * lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon/record/audit.h"
#include "daemon/record/history.h"
#include "util/util.h"

struct audit {
	struct recfile *f;
};

/* A growable string; err latches the first failure. */
struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

static char *sb_room(struct sbuf *b, size_t n)
{
	if (b->err)
		return NULL;
	if (b->len + n + 1 > AUDIT_LINE_MAX) {
		b->err = -E2BIG;
		return NULL;
	}
	if (util_grow((void **)&b->p, &b->cap, b->len + n + 1, 1)) {
		b->err = -ENOMEM;
		return NULL;
	}
	return b->p + b->len;
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	char *d = sb_room(b, n);

	if (!d)
		return;
	memcpy(d, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_putc(struct sbuf *b, char c)
{
	sb_put(b, &c, 1);
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static bool safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("_.:/+,@%-", c));
}

/* Append s bare if it is a non-empty run of safe chars, else quoted. */
static void sb_encode(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	size_t i;

	for (i = 0; i < n && safe_char((unsigned char)s[i]); i++)
		;
	if (n > 0 && i == n) {
		sb_put(b, s, n);
		return;
	}
	sb_putc(b, '"');
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
		} else if (c == '\n') {
			sb_puts(b, "\\n");
		} else if (c == '\r') {
			sb_puts(b, "\\r");
		} else if (c == '\t') {
			sb_puts(b, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			sb_put(b, e, 4);
		} else {
			sb_putc(b, (char)c);
		}
	}
	sb_putc(b, '"');
}

/* One value as text: a string as given, an integer in decimal, a number
 * with its digits after the point. */
static int put_value(struct sbuf *val, const struct audit_kv *kv)
{
	char num[64];
	int n;

	switch (kv->kind) {
	case AUDIT_KV_STR:
		sb_puts(val, kv->s ? kv->s : "");
		return 0;
	case AUDIT_KV_INT:
		n = snprintf(num, sizeof(num), "%" PRId64, kv->i);
		break;
	case AUDIT_KV_NUM:
		if (kv->prec < 0 || kv->prec > 17)
			return -EINVAL;
		n = snprintf(num, sizeof(num), "%.*f", kv->prec, kv->d);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= sizeof(num))
		return -EINVAL;
	sb_put(val, num, (size_t)n);
	return 0;
}

static bool key_ok(const char *k)
{
	if (!k || !*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* " key=value" for each pair, every value encoded as a whole. */
static int put_pairs(struct sbuf *line, const struct audit_kv *kv, size_t n)
{
	struct sbuf val = { 0 };
	int e = 0;

	for (size_t i = 0; i < n && !e; i++) {
		if (!key_ok(kv[i].key)) {
			e = -EINVAL;
			break;
		}
		val.len = 0;
		e = put_value(&val, &kv[i]);
		if (!e)
			e = val.err;
		if (e)
			break;
		sb_putc(line, ' ');
		sb_puts(line, kv[i].key);
		sb_putc(line, '=');
		sb_encode(line, val.p ? val.p : "", val.len);
	}
	free(val.p);
	return e;
}

static bool action_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int audit_write(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
		const struct audit_kv *kv, size_t n)
{
	char ts[HISTORY_UTC_MAX];
	struct sbuf line = { 0 };
	int e;

	if (!a || !clock || !*clock || !action_ok(action) || (n && !kv))
		return -EINVAL;
	e = history_format_utc(utc_ns, 6, ts, sizeof(ts));
	if (e < 0)
		return e;
	sb_puts(&line, ts);
	sb_putc(&line, ' ');
	sb_encode(&line, clock, strlen(clock));
	sb_putc(&line, ' ');
	sb_puts(&line, action);
	e = put_pairs(&line, kv, n);
	sb_putc(&line, '\n');
	if (!e)
		e = line.err;
	if (!e)
		e = recfile_write(a->f, line.p, line.len);
	free(line.p);
	return e;
}

struct audit *audit_open(const char *path, const struct recfile_conf *conf, int *err,
			 char *why, size_t whylen)
{
	struct recfile *f = recfile_open(path, conf, err, why, whylen);
	struct audit *a;

	if (!f)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a) {
		recfile_close(f);
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	a->f = f;
	return a;
}

struct recfile *audit_file(const struct audit *a)
{
	return a ? a->f : NULL;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	recfile_close(a->f);
	free(a);
}
