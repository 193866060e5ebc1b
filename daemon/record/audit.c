/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit trail writer. Line format and escaping: audit.h, doc/audit.md.
 *
 * audit_log() expands its printf-style key=value part itself, one
 * conversion at a time, so that each value can be encoded as a whole after
 * expansion: a value coming from outside (a source name, a reason) can
 * never break the line into extra fields or lines.
 */
#include <errno.h>
#include <stdarg.h>
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

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* snprintf one value (evaluated once) with the conversion spec. */
static void sb_fmt_done(struct sbuf *b, int n, bool written)
{
	if (n < 0 && !b->err)
		b->err = -EINVAL;
	else if (written)
		b->len += (size_t)n;
}

#define SB_FMT1(b, spec, val)						\
	do {								\
		__typeof__(val) v_ = (val);				\
		int n_ = snprintf(NULL, 0, spec, v_);			\
		char *d_ = n_ >= 0 ? sb_room(b, (size_t)n_) : NULL;	\
		if (d_)							\
			snprintf(d_, (size_t)n_ + 1, spec, v_);		\
		sb_fmt_done(b, n_, d_ != NULL);				\
	} while (0)

enum lenmod { LM_NONE, LM_HH, LM_H, LM_L, LM_LL, LM_J, LM_Z, LM_T, LM_BIGL };

static int fmt_signed(struct sbuf *b, const char *spec, enum lenmod lm, va_list *ap)
{
	switch (lm) {
	case LM_L:	SB_FMT1(b, spec, va_arg(*ap, long)); break;
	case LM_LL:	SB_FMT1(b, spec, va_arg(*ap, long long)); break;
	case LM_J:	SB_FMT1(b, spec, va_arg(*ap, intmax_t)); break;
	case LM_Z:	SB_FMT1(b, spec, va_arg(*ap, ssize_t)); break;
	case LM_T:	SB_FMT1(b, spec, va_arg(*ap, ptrdiff_t)); break;
	case LM_BIGL:	return -EINVAL;
	default:	SB_FMT1(b, spec, va_arg(*ap, int)); break;
	}
	return 0;
}

static int fmt_unsigned(struct sbuf *b, const char *spec, enum lenmod lm, va_list *ap)
{
	switch (lm) {
	case LM_L:	SB_FMT1(b, spec, va_arg(*ap, unsigned long)); break;
	case LM_LL:	SB_FMT1(b, spec, va_arg(*ap, unsigned long long)); break;
	case LM_J:	SB_FMT1(b, spec, va_arg(*ap, uintmax_t)); break;
	case LM_Z:	SB_FMT1(b, spec, va_arg(*ap, size_t)); break;
	case LM_T:	SB_FMT1(b, spec, va_arg(*ap, ptrdiff_t)); break;
	case LM_BIGL:	return -EINVAL;
	default:	SB_FMT1(b, spec, va_arg(*ap, unsigned int)); break;
	}
	return 0;
}

/* One conversion of type conv (length lm) with the copied spec. */
static int fmt_arg(struct sbuf *b, const char *spec, char conv, enum lenmod lm, va_list *ap)
{
	const char *s;

	switch (conv) {
	case 'd': case 'i':
		return fmt_signed(b, spec, lm, ap);
	case 'u': case 'o': case 'x': case 'X':
		return fmt_unsigned(b, spec, lm, ap);
	case 'c':
		if (lm != LM_NONE)
			return -EINVAL;
		SB_FMT1(b, spec, va_arg(*ap, int));
		return 0;
	case 's':
		if (lm != LM_NONE)
			return -EINVAL;
		s = va_arg(*ap, const char *);
		SB_FMT1(b, spec, s ? s : "(null)");
		return 0;
	case 'p':
		if (lm != LM_NONE)
			return -EINVAL;
		SB_FMT1(b, spec, va_arg(*ap, void *));
		return 0;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		if (lm == LM_BIGL)
			SB_FMT1(b, spec, va_arg(*ap, long double));
		else if (lm == LM_NONE || lm == LM_L)
			SB_FMT1(b, spec, va_arg(*ap, double));
		else
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}
#pragma GCC diagnostic pop

static enum lenmod parse_lenmod(const char **pp)
{
	const char *p = *pp;
	enum lenmod lm = LM_NONE;

	switch (*p) {
	case 'h': lm = p[1] == 'h' ? LM_HH : LM_H; break;
	case 'l': lm = p[1] == 'l' ? LM_LL : LM_L; break;
	case 'j': lm = LM_J; break;
	case 'z': lm = LM_Z; break;
	case 't': lm = LM_T; break;
	case 'L': lm = LM_BIGL; break;
	default: return LM_NONE;
	}
	*pp = p + ((lm == LM_HH || lm == LM_LL) ? 2 : 1);
	return lm;
}

/* Expand the conversion at *pp (just past the '%') into b. */
static int expand_conv(struct sbuf *b, const char **pp, va_list *ap)
{
	const char *start = *pp - 1, *p = *pp;
	enum lenmod lm;
	char spec[32];
	size_t n;

	if (*p == '%') {
		sb_putc(b, '%');
		*pp = p + 1;
		return 0;
	}
	p += strspn(p, "-+ #0");
	p += strspn(p, "0123456789");
	if (*p == '.') {
		p++;
		p += strspn(p, "0123456789");
	}
	lm = parse_lenmod(&p);
	if (!*p || !strchr("diuoxXcspfFeEgGaA", *p))
		return -EINVAL;	/* also '*' and %n */
	n = (size_t)(p - start) + 1;
	if (n >= sizeof(spec))
		return -EINVAL;
	memcpy(spec, start, n);
	spec[n] = '\0';
	*pp = p + 1;
	return fmt_arg(b, spec, *p, lm, ap);
}

/* One "key=value" token of fmt starting at *pp; appends " key=value". */
static int expand_pair(struct sbuf *line, struct sbuf *val, const char **pp, va_list *ap)
{
	const char *p = *pp, *key = p;
	int e;

	while (*p && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
		p++;
	if (p == key || *p != '=')
		return -EINVAL;
	sb_putc(line, ' ');
	sb_put(line, key, (size_t)(p - key) + 1);
	p++;
	val->len = 0;
	while (*p && *p != ' ') {
		if (*p == '%') {
			p++;
			e = expand_conv(val, &p, ap);
			if (e)
				return e;
		} else {
			sb_putc(val, *p++);
		}
	}
	if (val->err)
		return val->err;
	sb_encode(line, val->p ? val->p : "", val->len);
	*pp = p;
	return 0;
}

static int expand_kv(struct sbuf *line, const char *fmt, va_list *ap)
{
	struct sbuf val = { 0 };
	int e = 0;

	while (*fmt && !e) {
		if (*fmt == ' ') {
			fmt++;
			continue;
		}
		e = expand_pair(line, &val, &fmt, ap);
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

int audit_vlog(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
	       const char *fmt_kv, va_list ap)
{
	char ts[HISTORY_UTC_MAX];
	struct sbuf line = { 0 };
	va_list aq;
	int e;

	if (!a || !clock || !*clock || !action_ok(action))
		return -EINVAL;
	e = history_format_utc(utc_ns, 6, ts, sizeof(ts));
	if (e < 0)
		return e;
	sb_puts(&line, ts);
	sb_putc(&line, ' ');
	sb_encode(&line, clock, strlen(clock));
	sb_putc(&line, ' ');
	sb_puts(&line, action);
	e = 0;
	if (fmt_kv) {
		va_copy(aq, ap);
		e = expand_kv(&line, fmt_kv, &aq);
		va_end(aq);
	}
	sb_putc(&line, '\n');
	if (!e)
		e = line.err;
	if (!e)
		e = recfile_write(a->f, line.p, line.len);
	free(line.p);
	return e;
}

int audit_log(struct audit *a, int64_t utc_ns, const char *clock, const char *action,
	      const char *fmt_kv, ...)
{
	va_list ap;
	int e;

	va_start(ap, fmt_kv);
	e = audit_vlog(a, utc_ns, clock, action, fmt_kv, ap);
	va_end(ap);
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
