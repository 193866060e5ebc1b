/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The leap table: the merged view of one verified leap-seconds.list
 * (parsed by leapfile.c) and the leaps other sources announce. See
 * leaptable.h for the API, doc/leap.md for the precedence rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/leap/leapfile.h"
#include "daemon/leap/leaptable.h"

#define DAY_S		86400LL
#define TAI_UTC_MAX	100000
#define MSG_MAX		256
/* Announced leaps beyond +-1e12 s (year 33658) are nonsense. */
#define LEAP_TIME_MAX	1000000000000LL

struct leap_ann {
	bool valid;
	int64_t leap_utc_s;
	int delta;
	int tai_utc_after;	/* may be LEAP_TAI_UNKNOWN */
};

/* What the last load attempt saw on disk. */
struct file_id {
	bool attempted, present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
};

struct leaptable {
	struct leapfile file;
	bool loaded;
	char *name;
	struct file_id id;
	struct leap_ann ann[LEAP_ORIGIN_COUNT];
	bool has_base;		/* a TAI - UTC known without a file (PTP) */
	int base;
	unsigned conflicts;
	char conflict_msg[MSG_MAX];
	char last_error[MSG_MAX];
};

/* ---- the table ---- */

struct leaptable *leaptable_create(void)
{
	return calloc(1, sizeof(struct leaptable));
}

void leaptable_destroy(struct leaptable *t)
{
	if (!t)
		return;
	leapfile_free(&t->file);
	free(t->name);
	free(t);
}

static bool covered(const struct leaptable *t, int64_t leap_utc_s)
{
	return t->loaded && leap_utc_s <= t->file.expiry_utc;
}

static int file_last_tai(const struct leaptable *t)
{
	return t->loaded ? t->file.e[t->file.n - 1].tai_utc : LEAP_TAI_UNKNOWN;
}

/* The announcement in use: the highest-precedence one the file does not
 * cover, with TAI - UTC after it resolved from the file when unknown. */
static bool chosen(const struct leaptable *t, struct leap_ann *a, int *origin)
{
	int o;

	for (o = LEAP_ORIGIN_CONFIG; o < LEAP_ORIGIN_COUNT; o++) {
		if (!t->ann[o].valid || covered(t, t->ann[o].leap_utc_s))
			continue;
		*a = t->ann[o];
		if (a->tai_utc_after == LEAP_TAI_UNKNOWN && t->loaded)
			a->tai_utc_after = file_last_tai(t) + a->delta;
		if (origin)
			*origin = o;
		return true;
	}
	return false;
}

/* The merged table: the file's entries, then the announced leap. Without
 * a file the announcement alone gives two entries: before and after. */
static size_t eff_get(const struct leaptable *t, size_t i, struct leap_entry *out)
{
	size_t nf = t->loaded ? t->file.n : 0;
	struct leap_ann a = { 0 };
	bool have = chosen(t, &a, NULL);
	size_t n = nf + (have ? (nf ? 1 : 2) : 0);

	if (!n && t->has_base) {
		/* only a current value: one entry from the beginning of time */
		if (out && i == 0)
			*out = (struct leap_entry){ .utc_s = INT64_MIN, .tai_utc = t->base };
		return 1;
	}
	if (!out || i >= n)
		return n;
	if (i < nf) {
		*out = t->file.e[i];
	} else if (nf || i == 1) {
		out->utc_s = a.leap_utc_s;
		out->tai_utc = a.tai_utc_after;
		out->delta = a.delta;
	} else {
		out->utc_s = INT64_MIN;
		out->tai_utc = a.tai_utc_after == LEAP_TAI_UNKNOWN ?
			       LEAP_TAI_UNKNOWN : a.tai_utc_after - a.delta;
		out->delta = 0;
	}
	return n;
}

/* Index of the last entry whose start (in UTC, or in TAI when tai) is <= x. */
static int lookup(const struct leaptable *t, int64_t x, bool tai, int *tai_utc)
{
	struct leap_entry e, prev = { 0 };
	size_t i, n = eff_get(t, 0, NULL);
	bool found = false;
	int val = 0;

	if (!n)
		return -ENODATA;
	for (i = 0; i < n; i++) {
		int64_t start;

		eff_get(t, i, &e);
		start = e.utc_s;
		if (tai && start != INT64_MIN) {
			int lo = e.tai_utc;

			if (i && prev.tai_utc < lo)
				lo = prev.tai_utc;	/* kernel convention */
			start += lo;
		}
		if (start > x)
			break;
		found = true;
		val = e.tai_utc;
		prev = e;
	}
	if (!found)
		return -ERANGE;
	if (val == LEAP_TAI_UNKNOWN)
		return -ENODATA;
	*tai_utc = val;
	return 0;
}

int leaptable_tai_offset(const struct leaptable *t, int64_t utc_s, int *tai_utc)
{
	if (!t || !tai_utc)
		return -EINVAL;
	return lookup(t, utc_s, false, tai_utc);
}

int leaptable_tai_offset_tai(const struct leaptable *t, int64_t tai_s, int *tai_utc)
{
	if (!t || !tai_utc)
		return -EINVAL;
	return lookup(t, tai_s, true, tai_utc);
}

int leaptable_next_leap(const struct leaptable *t, int64_t utc_s,
			int64_t *leap_utc_s, int *delta)
{
	struct leap_entry e;
	size_t i, n;

	if (!t)
		return -EINVAL;
	n = eff_get(t, 0, NULL);
	if (!n)
		return -ENODATA;
	/* Entry 0 starts the table (1972-01-01 is not a leap). */
	for (i = 1; i < n; i++) {
		eff_get(t, i, &e);
		if (e.utc_s > utc_s) {
			if (leap_utc_s)
				*leap_utc_s = e.utc_s;
			if (delta)
				*delta = e.delta;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- loading ---- */

__attribute__((format(printf, 2, 3)))
static void note_conflict(struct leaptable *t, const char *fmt, ...)
{
	va_list ap;

	t->conflicts++;
	va_start(ap, fmt);
	vsnprintf(t->conflict_msg, sizeof(t->conflict_msg), fmt, ap);
	va_end(ap);
}

/* Does the file, which covers a->leap_utc_s, say the same? */
static bool file_agrees(const struct leaptable *t, const struct leap_ann *a,
			const struct leap_entry **match)
{
	size_t i;

	*match = NULL;
	for (i = 1; i < t->file.n; i++)
		if (t->file.e[i].utc_s == a->leap_utc_s)
			*match = &t->file.e[i];
	return *match && (*match)->delta == a->delta &&
	       (a->tai_utc_after == LEAP_TAI_UNKNOWN ||
		a->tai_utc_after == (*match)->tai_utc);
}

static int vs_file(struct leaptable *t, int o, const struct leap_ann *a,
		   char *msg, size_t msglen)
{
	const struct leap_entry *m;
	char d[32], x[32];
	int before = file_last_tai(t);

	if (covered(t, a->leap_utc_s)) {
		if (file_agrees(t, a, &m))
			return 0;
		leap_date_str(t->file.expiry_utc, x, sizeof(x));
		if (m)
			snprintf(msg, msglen, "%s announces a %+d leap at %s but %s (valid to %s) "
				 "has %+d (TAI-UTC %d) then: the file wins",
				 leap_origin_name(o), a->delta,
				 leap_date_str(a->leap_utc_s, d, sizeof(d)), t->name, x,
				 m->delta, m->tai_utc);
		else
			snprintf(msg, msglen, "%s announces a %+d leap at %s but %s (valid to %s) "
				 "has no leap then: the file wins", leap_origin_name(o),
				 a->delta, leap_date_str(a->leap_utc_s, d, sizeof(d)), t->name, x);
		return -EEXIST;
	}
	if (t->loaded && a->tai_utc_after != LEAP_TAI_UNKNOWN &&
	    a->tai_utc_after != before + a->delta) {
		snprintf(msg, msglen, "%s announces TAI-UTC %d after the %+d leap at %s but %s "
			 "has %d before it: dropped", leap_origin_name(o), a->tai_utc_after,
			 a->delta, leap_date_str(a->leap_utc_s, d, sizeof(d)), t->name, before);
		return -EEXIST;
	}
	return 1;
}

/* A new file arrived: announcements it now covers are dropped (counted
 * as a conflict if it disagrees), later ones must continue its TAI - UTC. */
static void recheck_announcements(struct leaptable *t)
{
	char msg[MSG_MAX];
	int o;

	for (o = LEAP_ORIGIN_CONFIG; o < LEAP_ORIGIN_COUNT; o++) {
		struct leap_ann *a = &t->ann[o];
		int rc;

		if (!a->valid)
			continue;
		rc = vs_file(t, o, a, msg, sizeof(msg));
		if (rc == -EEXIST)
			note_conflict(t, "%s", msg);
		if (rc <= 0)
			a->valid = false;
	}
}

/* The table never goes backwards: a file older than the one in use (by
 * its #$ update stamp or its #@ expiry) is refused, the newer one kept. */
static int older(const struct leaptable *t, const struct leapfile *f, const char *name,
		 char *err, size_t errlen)
{
	char nu[16], ne[16], ou[16], oe[16];

	if (!t->loaded || (f->updated_utc >= t->file.updated_utc &&
			   f->expiry_utc >= t->file.expiry_utc))
		return 0;
	snprintf(err, errlen, "%s: older than the table in use (updated %s, expires %s; in use: "
		 "updated %s, expires %s): refused, keeping the newer table", name,
		 leap_date_str(f->updated_utc, nu, sizeof(nu)),
		 leap_date_str(f->expiry_utc, ne, sizeof(ne)),
		 leap_date_str(t->file.updated_utc, ou, sizeof(ou)),
		 leap_date_str(t->file.expiry_utc, oe, sizeof(oe)));
	return -ESTALE;
}

static int install(struct leaptable *t, struct leapfile *f, const char *name,
		   char *err, size_t errlen)
{
	char *copy;
	int rc = older(t, f, name, err, errlen);

	if (rc) {
		leapfile_free(f);
		return rc;
	}
	copy = strdup(name);
	if (!copy) {
		leapfile_free(f);
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	leapfile_free(&t->file);
	free(t->name);
	t->file = *f;
	t->name = copy;
	t->loaded = true;
	t->last_error[0] = '\0';
	recheck_announcements(t);
	return 0;
}

static int load_buffer(struct leaptable *t, const char *buf, size_t len,
		       const char *name, char *err, size_t errlen)
{
	struct leapfile f = { 0 };
	int rc = leapfile_parse(&f, buf, len, name, err, errlen);

	if (rc) {
		leapfile_free(&f);
		return rc;
	}
	return install(t, &f, name, err, errlen);
}

static void remember_id(struct leaptable *t, const struct stat *st)
{
	t->id.attempted = true;
	t->id.present = st != NULL;
	if (st) {
		t->id.dev = st->st_dev;
		t->id.ino = st->st_ino;
		t->id.size = st->st_size;
		t->id.mtim = st->st_mtim;
	}
}

static void keep_error(struct leaptable *t, const char *err)
{
	snprintf(t->last_error, sizeof(t->last_error), "%s", err);
}

int leaptable_load_file(struct leaptable *t, const char *path,
			char *err, size_t errlen)
{
	char local[MSG_MAX];
	struct stat st;
	bool have_st;
	char *buf;
	size_t len;
	int rc;

	if (!t || !path)
		return -EINVAL;
	if (!err || !errlen) {
		err = local;
		errlen = sizeof(local);
	}
	err[0] = '\0';
	rc = leapfile_read(path, &buf, &len, &st, &have_st, err, errlen);
	remember_id(t, have_st ? &st : NULL);
	if (!rc)
		rc = load_buffer(t, buf, len, path, err, errlen);
	free(buf);
	if (rc)
		keep_error(t, err);
	return rc;
}

int leaptable_load_string(struct leaptable *t, const char *text,
			  const char *name, char *err, size_t errlen)
{
	char local[MSG_MAX];
	size_t len;
	int rc;

	if (!t || !text || !name)
		return -EINVAL;
	if (!err || !errlen) {
		err = local;
		errlen = sizeof(local);
	}
	err[0] = '\0';
	memset(&t->id, 0, sizeof(t->id));
	len = strlen(text);
	if (len > LEAP_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", name, LEAP_FILE_MAX);
		rc = -EFBIG;
	} else {
		rc = load_buffer(t, text, len, name, err, errlen);
	}
	if (rc)
		keep_error(t, err);
	return rc;
}

bool leaptable_file_changed(const struct leaptable *t, const struct stat *st)
{
	const struct file_id *id = &t->id;

	if (!id->attempted)
		return true;
	if (!st || !id->present)
		return (st != NULL) != id->present;
	return st->st_dev != id->dev || st->st_ino != id->ino ||
	       st->st_size != id->size ||
	       st->st_mtim.tv_sec != id->mtim.tv_sec ||
	       st->st_mtim.tv_nsec != id->mtim.tv_nsec;
}

/* ---- expiry and status ---- */

int64_t leaptable_expiry_utc(const struct leaptable *t)
{
	return t && t->loaded ? t->file.expiry_utc : LEAP_NO_TIME;
}

int64_t leaptable_updated_utc(const struct leaptable *t)
{
	return t && t->loaded ? t->file.updated_utc : LEAP_NO_TIME;
}

enum leap_expiry leaptable_expiry_state(const struct leaptable *t, int64_t now_utc_s)
{
	if (!t || !t->loaded)
		return LEAP_EXPIRY_NONE;
	if (now_utc_s >= t->file.expiry_utc)
		return LEAP_EXPIRED;
	if (now_utc_s >= t->file.expiry_utc - LEAP_EXPIRY_WARN_S)
		return LEAP_EXPIRY_SOON;
	return LEAP_EXPIRY_OK;
}

bool leaptable_loaded(const struct leaptable *t)
{
	return t && t->loaded;
}

bool leaptable_known(const struct leaptable *t)
{
	return t && eff_get(t, 0, NULL) > 0;
}

void leaptable_set_base(struct leaptable *t, bool valid, int tai_utc)
{
	if (!t)
		return;
	t->has_base = valid;
	t->base = tai_utc;
}

size_t leaptable_entries(const struct leaptable *t)
{
	return t && t->loaded ? t->file.n : 0;
}

unsigned leaptable_conflicts(const struct leaptable *t)
{
	return t ? t->conflicts : 0;
}

/* snprintf at buf + *pos without running past len. */
__attribute__((format(printf, 4, 5)))
static void add(char *buf, size_t len, int *pos, const char *fmt, ...)
{
	size_t off = (size_t)*pos < len ? (size_t)*pos : len;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf ? buf + off : NULL, buf ? len - off : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		*pos += r;
}

int leaptable_status(const struct leaptable *t, int64_t now_utc_s,
		     char *buf, size_t len)
{
	enum leap_expiry st = leaptable_expiry_state(t, now_utc_s);
	struct leap_ann a;
	char d[32];
	int pos = 0, o;

	if (!len)
		buf = NULL;
	if (!t || !t->loaded) {
		add(buf, len, &pos, "no leap table");
		if (t && t->last_error[0])
			add(buf, len, &pos, " (%s)", t->last_error);
	} else {
		int64_t left;

		if (__builtin_sub_overflow(t->file.expiry_utc, now_utc_s, &left))
			left = now_utc_s < 0 ? INT64_MAX : -INT64_MAX;
		add(buf, len, &pos, "loaded from %s, %zu entries, expires %s, hash OK",
		    t->name, t->file.n, leap_date_str(t->file.expiry_utc, d, sizeof(d)));
		if (st == LEAP_EXPIRY_SOON)
			add(buf, len, &pos, ", EXPIRES SOON (in %lld days)",
			    (long long)((left + DAY_S - 1) / DAY_S));
		else if (st == LEAP_EXPIRED)
			add(buf, len, &pos, ", EXPIRED %lld days ago (still used)",
			    (long long)(-left / DAY_S));
		if (t->last_error[0])
			add(buf, len, &pos, "; reload failed: %s", t->last_error);
	}
	if (t && chosen(t, &a, &o)) {
		add(buf, len, &pos, "; %s announces %+d leap at %s", leap_origin_name(o),
		    a.delta, leap_date_str(a.leap_utc_s, d, sizeof(d)));
		if (a.tai_utc_after != LEAP_TAI_UNKNOWN)
			add(buf, len, &pos, " (TAI-UTC %d)", a.tai_utc_after);
	}
	if (t && t->conflicts)
		add(buf, len, &pos, "; %u conflict(s), last: %s", t->conflicts,
		    t->conflict_msg);
	return pos;
}

/* ---- announcements ---- */

static bool same_ann(const struct leap_ann *a, const struct leap_ann *b)
{
	return a->leap_utc_s == b->leap_utc_s && a->delta == b->delta &&
	       (a->tai_utc_after == LEAP_TAI_UNKNOWN ||
		b->tai_utc_after == LEAP_TAI_UNKNOWN ||
		a->tai_utc_after == b->tai_utc_after);
}

int leaptable_add_announcement(struct leaptable *t, enum leap_origin origin,
			       int64_t leap_utc_s, int delta, int tai_utc_after,
			       char *msg, size_t msglen)
{
	struct leap_ann a = { true, leap_utc_s, delta, tai_utc_after };
	char local[MSG_MAX], d[32], d2[32];
	bool known = false;
	int rc, o;

	if (!msg || !msglen) {
		msg = local;
		msglen = sizeof(local);
	}
	msg[0] = '\0';
	if (!t || origin <= LEAP_ORIGIN_FILE || origin >= LEAP_ORIGIN_COUNT ||
	    (delta != 1 && delta != -1) || leap_utc_s % DAY_S ||
	    leap_utc_s > LEAP_TIME_MAX || leap_utc_s < -LEAP_TIME_MAX ||
	    (tai_utc_after != LEAP_TAI_UNKNOWN &&
	     (tai_utc_after < 0 || tai_utc_after > TAI_UTC_MAX))) {
		snprintf(msg, msglen, "invalid leap announcement");
		return -EINVAL;
	}
	rc = vs_file(t, origin, &a, msg, msglen);
	if (rc == -EEXIST)
		note_conflict(t, "%s", msg);
	if (rc <= 0)
		return rc;
	rc = 0;
	for (o = LEAP_ORIGIN_CONFIG; o < LEAP_ORIGIN_COUNT; o++) {
		const struct leap_ann *b = &t->ann[o];

		if (!b->valid)
			continue;
		if (same_ann(&a, b)) {
			known = true;
		} else if (o != (int)origin) {
			snprintf(msg, msglen, "%s announces a %+d leap at %s, %s a %+d leap at %s: "
				 "%s wins", leap_origin_name(origin), delta,
				 leap_date_str(leap_utc_s, d, sizeof(d)), leap_origin_name(o),
				 b->delta, leap_date_str(b->leap_utc_s, d2, sizeof(d2)),
				 leap_origin_name(o < (int)origin ? o : (int)origin));
			note_conflict(t, "%s", msg);
			rc = -EEXIST;
		}
	}
	t->ann[origin] = a;
	return rc ? rc : !known;
}

void leaptable_withdraw_announcement(struct leaptable *t, enum leap_origin origin)
{
	if (t && origin > LEAP_ORIGIN_FILE && origin < LEAP_ORIGIN_COUNT)
		t->ann[origin].valid = false;
}
