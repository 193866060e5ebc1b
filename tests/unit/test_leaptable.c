/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Leap table: the leap-seconds.list parser on the real tzdata file and on
 * the fixtures of tests/leap/ (made by tests/leap/gen.sh), expiry, reload,
 * change detection and announcements from other sources.
 * Fixtures are found under $GNOMON_SRCDIR (default: the current directory).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha1.h>
#include <nettle/version.h>

#include "daemon/leap/leaptable.h"

#define TZDATA_LIST	"/usr/share/zoneinfo/leap-seconds.list"
#define DAY		86400LL
#define T1972		63072000LL	/* 1972-01-01 */
#define T2017		1483228800LL	/* 2017-01-01, the last leap (+1) */
#define T2027_01	1798761600LL	/* 2027-01-01 */
#define T2027_07	1814400000LL	/* 2027-07-01 */
#define T2028_01	1830297600LL	/* 2028-01-01 */
#define EXPIRY_2027	1814140800LL	/* 2027-06-28, #@ of the 2025 file */
#define EXPIRY_2017	1498608000LL	/* 2017-06-28, #@ of expired.list */
#define NOW_2026	1795478400LL	/* 2026-11-24, a fixed "today" */

static char err[512];

static const char *fx(const char *name)
{
	static char buf[4][1024];
	static int i;
	const char *dir = getenv("GNOMON_SRCDIR");

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/tests/leap/%s", dir ? dir : ".", name);
	return buf[i];
}

/* Line number of the first line of path starting with prefix. */
static int line_of(const char *path, const char *prefix)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int n = 0, found = 0;

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f)) {
		n++;
		if (!strncmp(line, prefix, strlen(prefix)))
			found = n;
	}
	fclose(f);
	return found;
}

static struct leaptable *load_ok(const char *path)
{
	struct leaptable *t = leaptable_create();

	ck_assert_ptr_nonnull(t);
	ck_assert_msg(leaptable_load_file(t, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert(leaptable_loaded(t));
	return t;
}

static int tai_at(const struct leaptable *t, int64_t utc)
{
	int v = -999;

	ck_assert_int_eq(leaptable_tai_offset(t, utc, &v), 0);
	return v;
}

static int tai_at_tai(const struct leaptable *t, int64_t tai)
{
	int v = -999;

	ck_assert_int_eq(leaptable_tai_offset_tai(t, tai, &v), 0);
	return v;
}

static void assert_status_has(const struct leaptable *t, int64_t now, const char *s)
{
	char buf[1024];

	leaptable_status(t, now, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, s), "status \"%s\" lacks \"%s\"", buf, s);
}

static void assert_fails(const char *path, int rc, const char *prefix, const char *what)
{
	struct leaptable *t = leaptable_create();

	ck_assert_int_eq(leaptable_load_file(t, path, err, sizeof(err)), rc);
	ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "\"%s\" !~ \"%s\"", err, prefix);
	ck_assert_msg(strstr(err, what), "\"%s\" lacks \"%s\"", err, what);
	ck_assert(!leaptable_loaded(t));
	ck_assert_int_eq(leaptable_tai_offset(t, T2017, &rc), -ENODATA);
	leaptable_destroy(t);
}

START_TEST(test_real_tzdata)
{
	struct leaptable *t = load_ok(TZDATA_LIST);
	int64_t leap, now = time(NULL);
	int delta, v;

	ck_assert_uint_ge(leaptable_entries(t), 28);
	ck_assert_int_eq(tai_at(t, T1972), 10);
	ck_assert_int_eq(leaptable_tai_offset(t, T1972 - 1, &v), -ERANGE);
	ck_assert_int_eq(tai_at(t, 1483185600), 36);	/* 2016-12-31T12:00Z */
	ck_assert_int_eq(tai_at(t, T2017 - 1), 36);	/* 23:59:59 */
	ck_assert_int_eq(tai_at(t, T2017), 37);
	/* No leap can come before the 2025 file's expiry (2027-06-28). */
	if (now < EXPIRY_2027)
		ck_assert_int_eq(tai_at(t, now), 37);
	else
		ck_assert_int_ge(tai_at(t, now), 36);
	ck_assert_int_eq(leaptable_next_leap(t, 1464739200, &leap, &delta), 0); /* 2016-06-01 */
	ck_assert_int_eq(leap, T2017);
	ck_assert_int_eq(delta, 1);
	assert_status_has(t, now, "loaded from " TZDATA_LIST);
	assert_status_has(t, now, "hash OK");
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_copy_exact)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));
	int64_t leap;
	int delta;

	ck_assert_uint_eq(leaptable_entries(t), 28);
	ck_assert_int_eq(leaptable_expiry_utc(t), EXPIRY_2027);
	ck_assert_int_eq(leaptable_updated_utc(t), 3992312697LL - LEAP_NTP_POSIX_DELTA);
	ck_assert_int_eq(tai_at(t, NOW_2026), 37);
	ck_assert_int_eq(tai_at(t, 78796800), 11);	/* 1972-07-01 */
	ck_assert_int_eq(tai_at(t, 78796799), 10);
	ck_assert_int_eq(leaptable_next_leap(t, 0, &leap, &delta), 0);
	ck_assert_int_eq(leap, 78796800);		/* 1972-01-01 is no leap */
	ck_assert_int_eq(leaptable_next_leap(t, T2017 - 1, &leap, &delta), 0);
	ck_assert_int_eq(leap, T2017);
	ck_assert_int_eq(leaptable_next_leap(t, T2017, &leap, &delta), -ENOENT);
	ck_assert_int_eq(leaptable_expiry_state(t, NOW_2026), LEAP_EXPIRY_OK);
	assert_status_has(t, NOW_2026, "28 entries, expires 2027-06-28, hash OK");
	leaptable_destroy(t);
}
END_TEST

/* Kernel convention on a TAI axis: an inserted second takes the new value
 * from the start of 23:59:60 (POSIX time repeats 23:59:59). */
START_TEST(test_tai_axis_insert)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));

	ck_assert_int_eq(tai_at_tai(t, T2017 + 35), 36);	/* 23:59:59 */
	ck_assert_int_eq(tai_at_tai(t, T2017 + 36), 37);	/* 23:59:60 */
	ck_assert_int_eq(tai_at_tai(t, T2017 + 37), 37);	/* 00:00:00 */
	ck_assert_int_eq(tai_at_tai(t, T1972 + 10), 10);
	ck_assert_int_eq(leaptable_tai_offset_tai(t, T1972 + 9, &(int){ 0 }), -ERANGE);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_expiry_states)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));

	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2027 - 28 * DAY - 1), LEAP_EXPIRY_OK);
	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2027 - 28 * DAY), LEAP_EXPIRY_SOON);
	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2027 - 1), LEAP_EXPIRY_SOON);
	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2027), LEAP_EXPIRED);
	assert_status_has(t, EXPIRY_2027 - 10 * DAY, "EXPIRES SOON (in 10 days)");
	ck_assert_str_eq(leap_expiry_name(LEAP_EXPIRY_SOON), "expires-soon");
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_expired_still_used)
{
	struct leaptable *t = load_ok(fx("expired.list"));

	ck_assert_int_eq(leaptable_expiry_utc(t), EXPIRY_2017);
	ck_assert_int_eq(leaptable_expiry_state(t, NOW_2026), LEAP_EXPIRED);
	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2017 - 5 * DAY), LEAP_EXPIRY_SOON);
	ck_assert_int_eq(leaptable_expiry_state(t, EXPIRY_2017 - 60 * DAY), LEAP_EXPIRY_OK);
	ck_assert_int_eq(tai_at(t, NOW_2026), 37);
	assert_status_has(t, NOW_2026, "EXPIRED");
	assert_status_has(t, NOW_2026, "still used");
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_bad_hash)
{
	char prefix[1100];

	snprintf(prefix, sizeof(prefix), "%s:%d: ", fx("badhash.list"),
		 line_of(fx("badhash.list"), "#h"));
	assert_fails(fx("badhash.list"), -EBADMSG, prefix, "SHA-1 hash mismatch");
	snprintf(prefix, sizeof(prefix), "%s:%d: ", fx("tampered.list"),
		 line_of(fx("tampered.list"), "#h"));
	assert_fails(fx("tampered.list"), -EBADMSG, prefix, "hash mismatch");
}
END_TEST

START_TEST(test_broken_files)
{
	char prefix[1100], fifo[64];

	snprintf(prefix, sizeof(prefix), "%s: ", fx("nohash.list"));
	assert_fails(fx("nohash.list"), -EBADMSG, prefix, "no '#h' hash line");
	snprintf(prefix, sizeof(prefix), "%s:%d: ", fx("truncated.list"),
		 line_of(fx("truncated.list"), "3345062"));
	assert_fails(fx("truncated.list"), -EBADMSG, prefix, "expected 'NTPSECONDS TAI-UTC");
	snprintf(prefix, sizeof(prefix), "%s: ", fx("truncated-eol.list"));
	assert_fails(fx("truncated-eol.list"), -EBADMSG, prefix, "no '#h' hash line");
	snprintf(prefix, sizeof(prefix), "%s:1: ", fx("garbage.list"));
	assert_fails(fx("garbage.list"), -EBADMSG, prefix, "expected 'NTPSECONDS TAI-UTC");
	snprintf(prefix, sizeof(prefix), "%s: ", fx("no-such-file.list"));
	assert_fails(fx("no-such-file.list"), -ENOENT, prefix, "cannot open: No such file");
	snprintf(prefix, sizeof(prefix), "%s: ", fx(""));
	assert_fails(fx(""), -EINVAL, prefix, "not a regular file");
	/* a FIFO: refused at once, never a hang */
	snprintf(fifo, sizeof(fifo), "/tmp/test_leap_fifo.%ld", (long)getpid());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	snprintf(prefix, sizeof(prefix), "%s: ", fifo);
	assert_fails(fifo, -EINVAL, prefix, "is a FIFO, not a regular file");
	unlink(fifo);
}
END_TEST

START_TEST(test_deleted_leap)
{
	struct leaptable *t = load_ok(fx("negative.list"));
	int64_t leap;
	int delta;

	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &delta), 0);
	ck_assert_int_eq(leap, T2027_01);
	ck_assert_int_eq(delta, -1);
	ck_assert_int_eq(tai_at(t, T2027_01 - 2), 37);		/* 23:59:58 */
	ck_assert_int_eq(tai_at(t, T2027_01), 36);
	/* 23:59:59 never happens: 36 from TAI L - 1 + 37 on. */
	ck_assert_int_eq(tai_at_tai(t, T2027_01 + 35), 37);	/* 23:59:58 */
	ck_assert_int_eq(tai_at_tai(t, T2027_01 + 36), 36);	/* 00:00:00 */
	leaptable_destroy(t);
}
END_TEST

/* future.list: a +1 leap at 2027-07-01; its hash has a word written
 * without leading zeros ("b4878d0"). */
START_TEST(test_future_leap)
{
	struct leaptable *t = load_ok(fx("future.list"));
	int64_t leap;
	int delta;

	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &delta), 0);
	ck_assert_int_eq(leap, T2027_07);
	ck_assert_int_eq(delta, 1);
	ck_assert_int_eq(tai_at(t, T2027_07 - 1), 37);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);
	ck_assert_int_eq(tai_at_tai(t, T2027_07 + 36), 37);
	ck_assert_int_eq(tai_at_tai(t, T2027_07 + 37), 38);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_reload_failure_keeps_table)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));

	ck_assert_int_eq(leaptable_load_file(t, fx("badhash.list"), err, sizeof(err)), -EBADMSG);
	ck_assert_int_eq(leaptable_load_file(t, fx("garbage.list"), err, sizeof(err)), -EBADMSG);
	ck_assert_int_eq(leaptable_load_file(t, fx("nope.list"), err, sizeof(err)), -ENOENT);
	ck_assert(leaptable_loaded(t));
	ck_assert_uint_eq(leaptable_entries(t), 28);
	ck_assert_int_eq(leaptable_expiry_utc(t), EXPIRY_2027);
	ck_assert_int_eq(tai_at(t, NOW_2026), 37);
	assert_status_has(t, NOW_2026, fx("leap-seconds.list"));
	assert_status_has(t, NOW_2026, "reload failed");
	/* A good reload replaces the table and clears the failure. */
	ck_assert_int_eq(leaptable_load_file(t, fx("negative.list"), err, sizeof(err)), 0);
	ck_assert_int_eq(tai_at(t, T2027_01), 36);
	{
		char buf[512];

		leaptable_status(t, NOW_2026, buf, sizeof(buf));
		ck_assert_ptr_null(strstr(buf, "reload failed"));
	}
	leaptable_destroy(t);
}
END_TEST

/* Write len bytes to a fresh temporary file; returns its path. */
static char *tmp_file(const char *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/gnomon-leap-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(65536);

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_file_changed)
{
	struct leaptable *t = leaptable_create();
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct stat st;
	size_t len;
	char *text = slurp(fx("leap-seconds.list"), &len);
	char *path = tmp_file(text, len);

	ck_assert(leaptable_file_changed(t, NULL));	/* nothing tried yet */
	ck_assert_int_eq(leaptable_load_file(t, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(!leaptable_file_changed(t, &st));
	ck_assert(leaptable_file_changed(t, NULL));	/* vanished */
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);	/* touched */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(leaptable_file_changed(t, &st));
	ck_assert_int_eq(truncate(path, 100), 0);	/* rewritten, now broken */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(leaptable_file_changed(t, &st));
	ck_assert_int_eq(leaptable_load_file(t, path, err, sizeof(err)), -EBADMSG);
	ck_assert(!leaptable_file_changed(t, &st));	/* same broken file */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(leaptable_load_file(t, path, err, sizeof(err)), -ENOENT);
	ck_assert(!leaptable_file_changed(t, NULL));	/* still gone */
	ck_assert(leaptable_loaded(t));			/* the first load stays */
	ck_assert_int_eq(leaptable_load_string(t, text, "mem", err, sizeof(err)), 0);
	ck_assert(leaptable_file_changed(t, NULL));
	/* A NUL byte in a file is reported with its line. */
	text[10] = '\0';
	path = tmp_file(text, len);
	ck_assert_int_eq(leaptable_load_file(t, path, err, sizeof(err)), -EBADMSG);
	ck_assert_msg(strstr(err, ":1: NUL byte"), "%s", err);
	unlink(path);
	free(text);
	leaptable_destroy(t);
}
END_TEST

/* ---- files built in memory, hashed here with nettle ---- */

static void digits(struct sha1_ctx *c, const char *s)
{
	for (; *s && *s != '#'; s++)
		if (*s >= '0' && *s <= '9')
			sha1_update(c, 1, (const uint8_t *)s);
}

/* "#$ upd", "#@ exp", the data lines, "#h" with the right hash (words
 * printed with fmt: "%x" or "%08x"); extra is appended verbatim. */
static void build(char *out, size_t len, const char *upd, const char *exp,
		  const char *const *data, const char *fmt, const char *extra)
{
	uint8_t md[SHA1_DIGEST_SIZE];
	struct sha1_ctx c;
	size_t pos;
	int i;

	sha1_init(&c);
	digits(&c, upd);
	digits(&c, exp);
	pos = (size_t)snprintf(out, len, "# made up\n#$\t%s\n#@\t%s\n", upd, exp);
	for (i = 0; data[i]; i++) {
		digits(&c, data[i]);
		pos += (size_t)snprintf(out + pos, len - pos, "%s\n", data[i]);
	}
#if NETTLE_VERSION_MAJOR > 3 || (NETTLE_VERSION_MAJOR == 3 && NETTLE_VERSION_MINOR >= 10)
	sha1_digest(&c, md);
#else
	sha1_digest(&c, SHA1_DIGEST_SIZE, md);
#endif
	pos += (size_t)snprintf(out + pos, len - pos, "#h\t");
	for (i = 0; i < 5; i++) {
		unsigned w = (unsigned)md[4 * i] << 24 | md[4 * i + 1] << 16 |
			     md[4 * i + 2] << 8 | md[4 * i + 3];

		pos += (size_t)snprintf(out + pos, len - pos, fmt, w);
		pos += (size_t)snprintf(out + pos, len - pos, i < 4 ? " " : "\n");
	}
	snprintf(out + pos, len - pos, "%s", extra ? extra : "");
}

static const char *const good[] = {
	"2272060800\t10\t# 1 Jan 1972",
	"2287785600\t11\t# 1 Jul 1972",
	"3692217600\t12",
	NULL
};

static void assert_string(const char *text, int rc, const char *what)
{
	struct leaptable *t = leaptable_create();

	ck_assert_int_eq(leaptable_load_string(t, text, "mem", err, sizeof(err)), rc);
	if (what)
		ck_assert_msg(strstr(err, what), "\"%s\" lacks \"%s\"", err, what);
	leaptable_destroy(t);
}

START_TEST(test_string_format)
{
	const char *const not_midnight[] = { "2272060800 10", "2287785601 11", NULL };
	const char *const backwards[] = { "2287785600 10", "2272060800 11", NULL };
	const char *const jump[] = { "2272060800 10", "2287785600 12", NULL };
	const char *const trailing[] = { "2272060800 10 x", NULL };
	const char *const indented[] = { "  2272060800   10  ", "  # note", NULL };
	char text[4096];

	build(text, sizeof(text), "3992312697", "4023129600", good, "%08x", NULL);
	assert_string(text, 0, NULL);
	build(text, sizeof(text), "3992312697", "4023129600", indented, "%x", NULL);
	assert_string(text, 0, NULL);
	build(text, sizeof(text), "3992312697", "4023129600", not_midnight, "%x", NULL);
	assert_string(text, -EBADMSG, "mem:5: time 2287785601 is not 00:00:00 UTC");
	build(text, sizeof(text), "3992312697", "4023129600", backwards, "%x", NULL);
	assert_string(text, -EBADMSG, "mem:5: 1972-01-01 is not after the previous entry");
	build(text, sizeof(text), "3992312697", "4023129600", jump, "%x", NULL);
	assert_string(text, -EBADMSG, "mem:5: TAI-UTC goes from 10 to 12");
	build(text, sizeof(text), "3992312697", "4023129600", trailing, "%x", NULL);
	assert_string(text, -EBADMSG, "mem:4: expected 'NTPSECONDS TAI-UTC");
	build(text, sizeof(text), "3992312697", "3692217600", good, "%x", NULL);
	assert_string(text, -EBADMSG, "mem:3: expiry 2017-01-01 is not after the last entry");
	build(text, sizeof(text), "3992312697", "4023129600", good, "%x", "#@ 4023129600\n");
	assert_string(text, -EBADMSG, "mem:8: second '#@' line (first at line 3)");
	build(text, sizeof(text), "3992312697", "4023129600", good, "%x", "#h 1 2 3 4 5\n");
	assert_string(text, -EBADMSG, "mem:8: second '#h' line (first at line 7)");
	assert_string("#$ 1\n#@ 2\n#h 1 2 3 4\n", -EBADMSG, "mem:3: bad '#h' line");
	assert_string("#$ 1\n#@ 2\n#h 1 2 3 4 123456789\n", -EBADMSG, "mem:3: bad '#h' line");
	assert_string("#$\n", -EBADMSG, "mem:1: bad '#$' line");
	assert_string("#@ 12x\n", -EBADMSG, "mem:1: bad '#@' line");
	assert_string("", -EBADMSG, "mem: no data lines");
	assert_string("2272060800 10\n#@ 4023129600\n#h 1 2 3 4 5\n", -EBADMSG,
		      "mem: no '#$' last-update line");
	assert_string("2272060800 10\n#$ 4023129600\n#h 1 2 3 4 5\n", -EBADMSG,
		      "mem: no '#@' expiry line");
	assert_string("99999999999999 10\n", -EBADMSG, "mem:1: expected");
}
END_TEST

/* Hash words may lose their leading zeros; CRLF line ends are fine. */
START_TEST(test_string_hash_words)
{
	char text[4096], upd[16], *p;
	int i, found = 0;

	for (i = 0; i < 1000 && !found; i++) {
		struct leaptable *t = leaptable_create();
		char *h;

		snprintf(upd, sizeof(upd), "%lld", 3992312697LL + i);
		build(text, sizeof(text), upd, "4023129600", good, "%x", NULL);
		h = strstr(text, "#h\t");
		/* some word shorter than 8 digits? */
		for (p = h + 3; *p && !found; ) {
			size_t n = strcspn(p, " \n");

			found = n < 8;
			p += n + (p[n] != '\0');
		}
		ck_assert_msg(leaptable_load_string(t, text, "mem", err, sizeof(err)) == 0,
			      "%s", err);
		leaptable_destroy(t);
	}
	ck_assert(found);
	/* CRLF */
	build(text, sizeof(text), "3992312697", "4023129600", good, "%08X", NULL);
	{
		char crlf[8192];
		size_t j = 0;

		for (p = text; *p; p++) {
			if (*p == '\n')
				crlf[j++] = '\r';
			crlf[j++] = *p;
		}
		crlf[j] = '\0';
		assert_string(crlf, 0, NULL);
	}
}
END_TEST

START_TEST(test_empty_table)
{
	struct leaptable *t = leaptable_create();
	int64_t leap;
	int v, d;

	ck_assert_int_eq(leaptable_tai_offset(t, NOW_2026, &v), -ENODATA);
	ck_assert_int_eq(leaptable_tai_offset_tai(t, NOW_2026, &v), -ENODATA);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), -ENODATA);
	ck_assert_int_eq(leaptable_expiry_utc(t), LEAP_NO_TIME);
	ck_assert_int_eq(leaptable_expiry_state(t, NOW_2026), LEAP_EXPIRY_NONE);
	ck_assert(!leaptable_loaded(t));
	assert_status_has(t, NOW_2026, "no leap table");
	ck_assert_int_eq(leaptable_load_file(t, fx("garbage.list"), err, sizeof(err)), -EBADMSG);
	assert_status_has(t, NOW_2026, "no leap table (");
	assert_status_has(t, NOW_2026, "garbage.list:1:");
	ck_assert_int_eq(leaptable_status(t, NOW_2026, NULL, 0), (int)strlen("no leap table (") +
			 (int)strlen(err) + 1);
	leaptable_destroy(t);
	leaptable_destroy(NULL);
}
END_TEST

START_TEST(test_announce_without_file)
{
	struct leaptable *t = leaptable_create();
	char msg[512];
	int64_t leap;
	int d;

	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, 38,
						    msg, sizeof(msg)), 1);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leap, T2027_07);
	ck_assert_int_eq(d, 1);
	ck_assert_int_eq(tai_at(t, T2027_07 - 1), 37);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);
	ck_assert_int_eq(tai_at_tai(t, T2027_07 + 37), 38);
	/* NTP's LI bits agree (no TAI - UTC of their own). */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_NTP, T2027_07, 1,
						    LEAP_TAI_UNKNOWN, msg, sizeof(msg)), 0);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, 38,
						    msg, sizeof(msg)), 0);
	assert_status_has(t, NOW_2026, "no leap table; ptp announces +1 leap at 2027-07-01 (TAI-UTC 38)");
	/* NTP alone: the date is known, TAI - UTC is not. */
	leaptable_withdraw_announcement(t, LEAP_ORIGIN_PTP);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leaptable_tai_offset(t, NOW_2026, &d), -ENODATA);
	ck_assert_uint_eq(leaptable_conflicts(t), 0);
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_announce_with_file)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));
	char msg[512];
	int64_t leap;
	int d;

	/* Past the file's expiry: new knowledge. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, 38,
						    msg, sizeof(msg)), 1);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leap, T2027_07);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);
	ck_assert_int_eq(tai_at(t, T2027_07 - 1), 37);
	assert_status_has(t, NOW_2026, "hash OK; ptp announces +1 leap at 2027-07-01");
	/* Agrees with the file. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_NTP, T2017, 1,
						    LEAP_TAI_UNKNOWN, msg, sizeof(msg)), 0);
	/* The file covers 2027-01-01 and has no leap then: file wins. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_NTP, T2027_01, 1,
						    LEAP_TAI_UNKNOWN, msg, sizeof(msg)), -EEXIST);
	ck_assert_msg(strstr(msg, "has no leap then: the file wins"), "%s", msg);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2017, -1, 36,
						    msg, sizeof(msg)), -EEXIST);
	ck_assert_msg(strstr(msg, "has +1 (TAI-UTC 37) then"), "%s", msg);
	/* Inconsistent TAI - UTC after the file's last value: dropped. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_CONFIG, T2028_01, 1, 40,
						    msg, sizeof(msg)), -EEXIST);
	ck_assert_msg(strstr(msg, "has 37 before it: dropped"), "%s", msg);
	ck_assert_uint_eq(leaptable_conflicts(t), 3);
	/* The table did not move. */
	ck_assert_int_eq(tai_at(t, T2027_01), 37);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leap, T2027_07);
	assert_status_has(t, NOW_2026, "3 conflict(s), last: config announces TAI-UTC 40");
	leaptable_destroy(t);
}
END_TEST

START_TEST(test_announce_precedence)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));
	char msg[512];
	int64_t leap;
	int d;

	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1,
						    LEAP_TAI_UNKNOWN, msg, sizeof(msg)), 1);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);	/* resolved from the file */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_NTP, T2027_07, -1,
						    LEAP_TAI_UNKNOWN, msg, sizeof(msg)), -EEXIST);
	ck_assert_msg(strstr(msg, "ntp announces a -1 leap at 2027-07-01, ptp a +1 leap at "
				  "2027-07-01: ptp wins"), "%s", msg);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(d, 1);
	/* The operator overrides both. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_CONFIG, T2028_01, 1, 38,
						    msg, sizeof(msg)), -EEXIST);
	ck_assert_msg(strstr(msg, "config wins"), "%s", msg);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leap, T2028_01);
	ck_assert_int_eq(tai_at(t, T2027_07), 37);
	ck_assert_int_eq(tai_at(t, T2028_01), 38);
	/* Sources withdraw: NTP's deletion is what is left. */
	leaptable_withdraw_announcement(t, LEAP_ORIGIN_CONFIG);
	leaptable_withdraw_announcement(t, LEAP_ORIGIN_PTP);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), 0);
	ck_assert_int_eq(leap, T2027_07);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(tai_at(t, T2027_07), 36);
	leaptable_withdraw_announcement(t, LEAP_ORIGIN_NTP);
	ck_assert_int_eq(leaptable_next_leap(t, NOW_2026, &leap, &d), -ENOENT);
	/* Bad arguments. */
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_FILE, T2027_07, 1, 38,
						    NULL, 0), -EINVAL);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 2, 38,
						    NULL, 0), -EINVAL);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07 + 1, 1, 38,
						    NULL, 0), -EINVAL);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, -5,
						    NULL, 0), -EINVAL);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_COUNT, T2027_07, 1, 38,
						    NULL, 0), -EINVAL);
	leaptable_destroy(t);
}
END_TEST

/* A valid but older file (an expired one put back by a package
 * downgrade, a restore) never replaces the table in use: refused, saying
 * so, by its #$ update stamp or its #@ expiry. */
START_TEST(test_never_backwards)
{
	struct leaptable *t = load_ok(fx("future.list"));
	char prefix[1100];

	snprintf(prefix, sizeof(prefix), "%s: ", fx("expired.list"));
	ck_assert_int_eq(leaptable_load_file(t, fx("expired.list"), err, sizeof(err)), -ESTALE);
	ck_assert_ptr_nonnull(strstr(err, "older than the table in use (updated 2016-07-08, "
				     "expires 2017-06-28; in use: updated 2026-07-06, expires "
				     "2027-12-28): refused, keeping the newer table"));
	ck_assert_int_eq(strncmp(err, prefix, strlen(prefix)), 0);
	/* same #$, earlier #@: refused too */
	ck_assert_int_eq(leaptable_load_file(t, fx("leap-seconds.list"), err, sizeof(err)),
			 -ESTALE);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);	/* still future.list's */
	assert_status_has(t, NOW_2026, "future.list");
	/* the same file again is fine */
	ck_assert_int_eq(leaptable_load_file(t, fx("future.list"), err, sizeof(err)), 0);
	leaptable_destroy(t);
}
END_TEST

/* A new file takes over announcements it covers. */
START_TEST(test_announce_then_reload)
{
	struct leaptable *t = load_ok(fx("leap-seconds.list"));
	char msg[512];

	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, 38,
						    msg, sizeof(msg)), 1);
	ck_assert_int_eq(leaptable_load_file(t, fx("future.list"), err, sizeof(err)), 0);
	ck_assert_uint_eq(leaptable_conflicts(t), 0);	/* agreed: now the file's */
	ck_assert_int_eq(tai_at(t, T2027_07), 38);
	/* the table never goes backwards: the older file is refused */
	ck_assert_int_eq(leaptable_load_file(t, fx("leap-seconds.list"), err, sizeof(err)),
			 -ESTALE);
	ck_assert_int_eq(tai_at(t, T2027_07), 38);
	leaptable_destroy(t);
	t = load_ok(fx("leap-seconds.list"));
	ck_assert_int_eq(tai_at(t, T2027_07), 37);
	ck_assert_int_eq(leaptable_add_announcement(t, LEAP_ORIGIN_PTP, T2027_07, 1, 38,
						    msg, sizeof(msg)), 1);
	/* negative.list ends at 36: PTP's 38 after +1 no longer fits. */
	ck_assert_int_eq(leaptable_load_file(t, fx("negative.list"), err, sizeof(err)), 0);
	ck_assert_uint_eq(leaptable_conflicts(t), 1);
	ck_assert_int_eq(tai_at(t, T2027_07), 36);
	assert_status_has(t, NOW_2026, "1 conflict(s), last: ptp announces TAI-UTC 38");
	ck_assert_str_eq(leap_origin_name(LEAP_ORIGIN_PTP), "ptp");
	leaptable_destroy(t);
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("leaptable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_real_tzdata);
	tcase_add_test(tc, test_copy_exact);
	tcase_add_test(tc, test_tai_axis_insert);
	tcase_add_test(tc, test_expiry_states);
	tcase_add_test(tc, test_expired_still_used);
	tcase_add_test(tc, test_bad_hash);
	tcase_add_test(tc, test_broken_files);
	tcase_add_test(tc, test_deleted_leap);
	tcase_add_test(tc, test_future_leap);
	tcase_add_test(tc, test_reload_failure_keeps_table);
	tcase_add_test(tc, test_file_changed);
	tcase_add_test(tc, test_string_format);
	tcase_add_test(tc, test_string_hash_words);
	tcase_add_test(tc, test_empty_table);
	tcase_add_test(tc, test_announce_without_file);
	tcase_add_test(tc, test_announce_with_file);
	tcase_add_test(tc, test_announce_precedence);
	tcase_add_test(tc, test_announce_then_reload);
	tcase_add_test(tc, test_never_backwards);
	suite_add_tcase(s, tc);
	return s;
}
