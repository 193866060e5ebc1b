/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and parsing leap-seconds.list, the IERS/IETF file tzdata ships.
 * Lines: "NTPSECONDS TAI-UTC [# comment]", "#$ NTPSECONDS" (last update),
 * "#@ NTPSECONDS" (expiry), "#h W1 W2 W3 W4 W5" (SHA-1), other "#" lines
 * are comments. The hash is SHA-1 over the digits of the #$ and #@ values
 * and of both numbers of every data line, in file order, with everything
 * else left out: what ntpd's leapsec_validate() checks. doc/leap.md.
 *
 * At run time (leapwatch_start): load the file at start, re-read it when
 * it changes on disk, and warn from 28 days before its expiry (an expired
 * table is still used, and said to be: ts2phc refusing time after its
 * table expired caused real outages).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha1.h>
#include <nettle/version.h>

#include "daemon/leap/leapfile.h"
#include "daemon/safefile.h"
#include "daemon/leap/leaptable.h"
#include "daemon/log.h"
#include "phc/systime.h"
#include "util/util.h"

#define DAY_S		86400LL
#define MAX_ENTRIES	4096
#define TAI_UTC_MAX	100000
#define MSG_MAX		256

const char *leap_date_str(int64_t utc, char *buf, size_t len)
{
	time_t tt = (time_t)utc;
	struct tm tm;

	if ((int64_t)tt != utc || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d", &tm))
		snprintf(buf, len, "@%lld", (long long)utc);
	return buf;
}

struct parse {
	const char *name;
	char *err;
	size_t errlen;
	struct sha1_ctx sha;
	int line, update_line, expiry_line, hash_line;
	uint32_t hash[5];
};

__attribute__((format(printf, 4, 5)))
static int fail(struct parse *ps, int line, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!ps->err || !ps->errlen)
		return rc;
	va_start(ap, fmt);
	where_vfail(ps->err, ps->errlen, ps->name, line, rc, fmt, ap);
	va_end(ap);
	return rc;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* Decimal digits at *pp: 1..maxdig of them; hashed as they appear. */
static int take_uint(struct parse *ps, const char **pp, const char *end,
		     int maxdig, int64_t *v)
{
	const char *p = *pp;
	int64_t x = 0;
	int n = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		if (++n > maxdig)
			return -1;
		x = x * 10 + (*p++ - '0');
	}
	if (!n)
		return -1;
	sha1_update(&ps->sha, (size_t)n, (const uint8_t *)*pp);
	*pp = p;
	*v = x;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "#h" followed by five words of 1..8 hex digits (leading zeros may go). */
static int parse_hash(struct parse *ps, const char *p, const char *end)
{
	int i, n, d;

	if (ps->hash_line)
		return fail(ps, ps->line, -EBADMSG,
			    "second '#h' line (first at line %d)", ps->hash_line);
	for (i = 0; i < 5; i++) {
		const char *q = skip_ws(p, end);

		if (q == p)
			break;	/* words are separated by white space */
		ps->hash[i] = 0;
		for (n = 0; q < end && (d = hexval(*q)) >= 0; q++, n++)
			ps->hash[i] = ps->hash[i] << 4 | (uint32_t)d;
		if (n < 1 || n > 8)
			break;
		p = q;
	}
	if (i < 5 || skip_ws(p, end) != end)
		return fail(ps, ps->line, -EBADMSG,
			    "bad '#h' line: expected five hexadecimal words of up to 8 digits");
	ps->hash_line = ps->line;
	return 0;
}

/* "#$ NTPSECONDS" (last update) or "#@ NTPSECONDS" (expiry). */
static int parse_stamp(struct parse *ps, const char *p, const char *end,
		       struct leapfile *f)
{
	bool expiry = p[1] == '@';
	int *seen = expiry ? &ps->expiry_line : &ps->update_line;
	int64_t v;

	if (*seen)
		return fail(ps, ps->line, -EBADMSG, "second '#%c' line (first at line %d)",
			    p[1], *seen);
	p = skip_ws(p + 2, end);
	if (take_uint(ps, &p, end, 12, &v) || skip_ws(p, end) != end)
		return fail(ps, ps->line, -EBADMSG,
			    "bad '#%c' line: expected '#%c NTPSECONDS'",
			    expiry ? '@' : '$', expiry ? '@' : '$');
	*seen = ps->line;
	if (expiry)
		f->expiry_utc = v - LEAP_NTP_POSIX_DELTA;
	else
		f->updated_utc = v - LEAP_NTP_POSIX_DELTA;
	return 0;
}

static int add_entry(struct parse *ps, struct leapfile *f, int64_t utc, int tai)
{
	struct leap_entry *prev = f->n ? &f->e[f->n - 1] : NULL;
	char d1[32], d2[32];
	int delta;

	if (utc % DAY_S)
		return fail(ps, ps->line, -EBADMSG,
			    "time %lld is not 00:00:00 UTC", (long long)utc + LEAP_NTP_POSIX_DELTA);
	if (prev && utc <= prev->utc_s)
		return fail(ps, ps->line, -EBADMSG, "%s is not after the previous entry (%s)",
			    leap_date_str(utc, d1, sizeof(d1)),
			    leap_date_str(prev->utc_s, d2, sizeof(d2)));
	if (prev && abs(tai - prev->tai_utc) != 1)
		return fail(ps, ps->line, -EBADMSG,
			    "TAI-UTC goes from %d to %d: a leap is one second",
			    prev->tai_utc, tai);
	if (f->n == MAX_ENTRIES)
		return fail(ps, ps->line, -EBADMSG, "more than %d entries", MAX_ENTRIES);
	delta = prev ? tai - prev->tai_utc : 0;	/* before the growth moves prev */
	if (util_grow((void **)&f->e, &f->cap, f->n + 1, sizeof(*f->e)))
		return fail(ps, 0, -ENOMEM, "out of memory");
	f->e[f->n].utc_s = utc;
	f->e[f->n].tai_utc = tai;
	f->e[f->n].delta = delta;
	f->n++;
	return 0;
}

/* "NTPSECONDS TAI-UTC [# comment]" */
static int parse_data(struct parse *ps, const char *p, const char *end,
		      struct leapfile *f)
{
	int64_t ntp, tai;
	const char *q;

	if (take_uint(ps, &p, end, 12, &ntp))
		goto bad;
	q = skip_ws(p, end);
	if (q == p || take_uint(ps, &q, end, 6, &tai) || tai > TAI_UTC_MAX)
		goto bad;
	p = skip_ws(q, end);
	if (p != end && *p != '#')
		goto bad;
	return add_entry(ps, f, ntp - LEAP_NTP_POSIX_DELTA, (int)tai);
bad:
	return fail(ps, ps->line, -EBADMSG,
		    "expected 'NTPSECONDS TAI-UTC [# comment]'");
}

static int parse_line(struct parse *ps, const char *p, const char *end,
		      struct leapfile *f)
{
	if (memchr(p, '\0', (size_t)(end - p)))
		return fail(ps, ps->line, -EBADMSG, "NUL byte");
	if (p < end && *p == '#') {
		if (end - p >= 2 && (p[1] == '$' || p[1] == '@'))
			return parse_stamp(ps, p, end, f);
		if (end - p >= 2 && p[1] == 'h')
			return parse_hash(ps, p + 2, end);
		return 0;	/* comment */
	}
	p = skip_ws(p, end);
	if (p == end || *p == '#')
		return 0;	/* blank, or an indented comment */
	return parse_data(ps, p, end, f);
}

static void sha1_final(struct sha1_ctx *ctx, uint8_t *digest)
{
#if NETTLE_VERSION_MAJOR > 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 10)
	sha1_digest(ctx, digest);
#else
	sha1_digest(ctx, SHA1_DIGEST_SIZE, digest);
#endif
}

static int check_whole(struct parse *ps, struct leapfile *f)
{
	uint8_t md[SHA1_DIGEST_SIZE];
	uint32_t w[5];
	char d1[32], d2[32];
	int i;

	if (!f->n)
		return fail(ps, 0, -EBADMSG, "no data lines ('NTPSECONDS TAI-UTC')");
	if (!ps->update_line)
		return fail(ps, 0, -EBADMSG, "no '#$' last-update line");
	if (!ps->expiry_line)
		return fail(ps, 0, -EBADMSG, "no '#@' expiry line");
	if (!ps->hash_line)
		return fail(ps, 0, -EBADMSG, "no '#h' hash line: cannot verify the file");
	sha1_final(&ps->sha, md);
	for (i = 0; i < 5; i++)
		w[i] = (uint32_t)md[4 * i] << 24 | (uint32_t)md[4 * i + 1] << 16 |
		       (uint32_t)md[4 * i + 2] << 8 | md[4 * i + 3];
	if (memcmp(w, ps->hash, sizeof(w)))
		return fail(ps, ps->hash_line, -EBADMSG,
			    "SHA-1 hash mismatch: the '#h' line says %08x %08x %08x %08x %08x, "
			    "the data give %08x %08x %08x %08x %08x",
			    ps->hash[0], ps->hash[1], ps->hash[2], ps->hash[3], ps->hash[4],
			    w[0], w[1], w[2], w[3], w[4]);
	if (f->expiry_utc <= f->e[f->n - 1].utc_s)
		return fail(ps, ps->expiry_line, -EBADMSG,
			    "expiry %s is not after the last entry (%s)",
			    leap_date_str(f->expiry_utc, d1, sizeof(d1)),
			    leap_date_str(f->e[f->n - 1].utc_s, d2, sizeof(d2)));
	return 0;
}

int leapfile_parse(struct leapfile *f, const char *buf, size_t len,
		   const char *name, char *err, size_t errlen)
{
	struct parse ps = { .name = name, .err = err, .errlen = errlen };
	const char *p = buf, *end = buf + len;
	int rc;

	sha1_init(&ps.sha);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		ps.line++;
		rc = parse_line(&ps, p, eol, f);
		if (rc)
			return rc;
		p = nl ? nl + 1 : end;
	}
	return check_whole(&ps, f);
}

void leapfile_free(struct leapfile *f)
{
	free(f->e);
	f->e = NULL;
	f->n = f->cap = 0;
}

/* Read until EOF into a buffer grown as needed, up to LEAP_FILE_MAX + 1. */
static int read_all(struct parse *ps, int fd, char **buf, size_t *len)
{
	size_t cap = 8192, n = 0;
	ssize_t r;
	char *p;

	for (;;) {
		if (n == cap) {
			if (cap > LEAP_FILE_MAX)
				return fail(ps, 0, -EFBIG, "larger than %d bytes", LEAP_FILE_MAX);
			cap *= 2;
		}
		p = realloc(*buf, cap + 1);
		if (!p)
			return fail(ps, 0, -ENOMEM, "out of memory");
		*buf = p;
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(ps, 0, -errno, "read error: %s", strerror(errno));
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > LEAP_FILE_MAX)
		return fail(ps, 0, -EFBIG, "larger than %d bytes", LEAP_FILE_MAX);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

int leapfile_read(const char *path, char **buf, size_t *len,
		  struct stat *st, bool *have_st, char *err, size_t errlen)
{
	struct parse ps = { .name = path, .err = err, .errlen = errlen };
	char why[128];
	int fd, rc;

	*buf = NULL;
	*len = 0;
	/* never blocks: a FIFO or a device is refused at once */
	fd = safefile_open_read(path, false, why, sizeof(why));
	if (fd < 0) {
		*have_st = !stat(path, st);
		if (fd == -EINVAL)
			return fail(&ps, 0, fd, "%s", why);
		return fail(&ps, 0, fd, "cannot open: %s", strerror(-fd));
	}
	*have_st = !fstat(fd, st);
	if (!*have_st)
		rc = fail(&ps, 0, -errno, "cannot stat: %s", strerror(errno));
	else
		rc = read_all(&ps, fd, buf, len);
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

/* ---- the file at run time ---- */

#define CHECK_EVERY_NS	(60LL * NS_PER_S)
#define WARN_EVERY_S	86400

static void watch_load(struct leapwatch *w, bool first)
{
	char err[PATH_MAX + MSG_MAX], status[512];
	int64_t now_s = systime_realtime_ns() / NS_PER_S;
	int r;

	r = leaptable_load_file(w->leaps, w->path, err, sizeof(err));
	if (r < 0) {
		pr_err("leap file: %s; %s", err, leaptable_loaded(w->leaps) ?
		       "keeping the table read before" : "going on without leap knowledge");
		return;
	}
	leaptable_status(w->leaps, now_s, status, sizeof(status));
	pr_notice("leap file %s: %s", first ? "read" : "changed, re-read", status);
	w->warn_s = -WARN_EVERY_S;
}

static void watch_warn_expiry(struct leapwatch *w)
{
	int64_t now_s = systime_realtime_ns() / NS_PER_S;
	enum leap_expiry st = leaptable_expiry_state(w->leaps, now_s);
	char status[512];

	if (st != LEAP_EXPIRY_SOON && st != LEAP_EXPIRED)
		return;
	if (now_s - w->warn_s < WARN_EVERY_S)
		return;
	w->warn_s = now_s;
	leaptable_status(w->leaps, now_s, status, sizeof(status));
	pr_warn("leap file %s %s: %s; update tzdata", w->path,
		st == LEAP_EXPIRED ? "has EXPIRED (still used)" : "expires soon", status);
}

static int64_t watch_check(struct loop *l, long id, void *arg)
{
	struct leapwatch *w = arg;
	struct stat st;

	(void)l;
	(void)id;
	if (leaptable_file_changed(w->leaps, stat(w->path, &st) == 0 ? &st : NULL))
		watch_load(w, false);
	watch_warn_expiry(w);
	return CHECK_EVERY_NS;
}

void leapwatch_start(struct leapwatch *w, struct loop *l, struct leaptable *t, const char *path)
{
	w->leaps = t;
	w->path = path;
	w->warn_s = -WARN_EVERY_S;
	watch_load(w, true);
	watch_warn_expiry(w);
	w->timer = loop_add_timer(l, CHECK_EVERY_NS, watch_check, w);
	if (w->timer < 0)
		pr_err("leap file: cannot watch %s for changes", path);
}

/* The names of leaptable.h's enums (here beside leap_date_str(): the
 * words of the leap files and tables). */
const char *leap_origin_name(enum leap_origin origin)
{
	static const char *const names[] = { "file", "config", "ptp", "ntp" };

	return origin < LEAP_ORIGIN_COUNT ? names[origin] : "?";
}

const char *leap_expiry_name(enum leap_expiry state)
{
	static const char *const names[] = { "none", "ok", "expires-soon", "expired" };

	return state <= LEAP_EXPIRED ? names[state] : "?";
}
