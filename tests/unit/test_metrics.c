// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus text builder (daemon/metrics/metrics.c): exact output, HELP/TYPE
 * once per family, grouping of interleaved samples, escaping, NaN/Inf and
 * round-trip values, the strict checks, gnomon's catalogue (against a
 * line-by-line validator of the text format written here, and against
 * doc/metrics.md), and the atomic textfile writer in a temp dir.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/metrics/metrics.h"

Suite *unit_suite(void);

/* ---- a validator of the text format (exposition formats, 0.0.4) ------- */

#define V_MAX_FAM	128
#define V_MAX_SERIES	2048

struct vfam {
	char name[128];
	char type[16];
	bool help, touched;
	int samples;
};

struct vstate {
	struct vfam fam[V_MAX_FAM];
	int n_fam, last;		/* last: family of the previous line */
	char *series[V_MAX_SERIES];
	int n_series;
	char why[256];
};

static bool v_fail(struct vstate *v, int lineno, const char *msg, const char *line)
{
	snprintf(v->why, sizeof(v->why), "line %d: %s: %.80s", lineno, msg, line);
	return false;
}

static size_t v_name_len(const char *s, bool colon_ok)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_' ||
	       (colon_ok && s[n] == ':') || (n > 0 && s[n] >= '0' && s[n] <= '9'))
		n++;
	return n;
}

static struct vfam *v_family(struct vstate *v, const char *name, size_t n, bool create)
{
	for (int i = 0; i < v->n_fam; i++)
		if (strlen(v->fam[i].name) == n && !strncmp(v->fam[i].name, name, n))
			return &v->fam[i];
	if (!create || v->n_fam == V_MAX_FAM || n >= sizeof(v->fam[0].name))
		return NULL;
	memcpy(v->fam[v->n_fam].name, name, n);
	v->fam[v->n_fam].name[n] = '\0';
	return &v->fam[v->n_fam++];
}

/* All lines of a family must be together: touching one that was touched
 * before, after another family's lines, is an error. */
static bool v_touch(struct vstate *v, struct vfam *f)
{
	int idx = (int)(f - v->fam);

	if (idx != v->last && f->touched)
		return false;
	f->touched = true;
	v->last = idx;
	return true;
}

/* Escapes allowed: \\ and \n, plus \" when quote_ok. */
static bool v_escapes_ok(const char *s, size_t n, bool quote_ok)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\')
			continue;
		if (i + 1 >= n || !(s[i + 1] == '\\' || s[i + 1] == 'n' ||
				    (quote_ok && s[i + 1] == '"')))
			return false;
		i++;
	}
	return true;
}

static bool v_comment(struct vstate *v, int no, const char *line)
{
	char kw[8];
	const char *name, *rest;
	size_t n;
	struct vfam *f;

	if (sscanf(line, "# %7s ", kw) != 1 || (strcmp(kw, "HELP") && strcmp(kw, "TYPE")))
		return true;	/* a plain comment */
	name = line + 2 + strlen(kw) + 1;
	n = v_name_len(name, true);
	if (!n || name[n] != ' ')
		return v_fail(v, no, "bad metric name", line);
	f = v_family(v, name, n, true);
	if (!f || !v_touch(v, f))
		return v_fail(v, no, "family lines not together", line);
	rest = name + n + 1;
	if (!strcmp(kw, "HELP")) {
		if (f->help)
			return v_fail(v, no, "second HELP", line);
		f->help = true;
		return v_escapes_ok(rest, strlen(rest), false) ? true :
		       v_fail(v, no, "bad escape in HELP", line);
	}
	if (f->type[0] || f->samples)
		return v_fail(v, no, "TYPE repeated or after samples", line);
	if (strcmp(rest, "counter") && strcmp(rest, "gauge") && strcmp(rest, "histogram") &&
	    strcmp(rest, "summary") && strcmp(rest, "untyped"))
		return v_fail(v, no, "unknown type", line);
	snprintf(f->type, sizeof(f->type), "%s", rest);
	return true;
}

/* {name="value",...}: returns the length of the block, 0 if malformed. */
static size_t v_labels(const char *s)
{
	size_t i = 1, n;

	while (s[i] != '}') {
		n = v_name_len(s + i, false);
		if (!n || s[i + n] != '=' || s[i + n + 1] != '"')
			return 0;
		i += n + 2;
		for (n = 0; s[i + n] && s[i + n] != '"'; n++)
			if (s[i + n] == '\\' && s[i + n + 1])
				n++;
		if (s[i + n] != '"' || !v_escapes_ok(s + i, n, true))
			return 0;
		i += n + 1;
		if (s[i] == ',')
			i++;
		else if (s[i] != '}')
			return 0;
	}
	return i + 1;
}

/* NaN, +Inf, -Inf or a decimal float, and nothing else. */
static bool v_value(const char *s, double *out)
{
	char *end;
	size_t n = strspn(s, "+-0123456789.eE");

	if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf")) {
		*out = strtod(s, NULL);
		return true;
	}
	if (!n || s[n])
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

static bool v_sample(struct vstate *v, int no, const char *line)
{
	size_t n = v_name_len(line, true), lb = 0;
	struct vfam *f;
	double val;

	if (!n)
		return v_fail(v, no, "bad sample name", line);
	f = v_family(v, line, n, false);
	if (!f || !f->type[0])
		return v_fail(v, no, "sample of an undeclared family", line);
	if (!v_touch(v, f))
		return v_fail(v, no, "family lines not together", line);
	if (line[n] == '{') {
		lb = v_labels(line + n);
		if (!lb)
			return v_fail(v, no, "bad labels", line);
	}
	if (line[n + lb] != ' ' || !v_value(line + n + lb + 1, &val))
		return v_fail(v, no, "bad value", line);
	if (!strcmp(f->type, "counter") && !(val >= 0))
		return v_fail(v, no, "counter not >= 0", line);
	for (int i = 0; i < v->n_series; i++)
		if (strlen(v->series[i]) == n + lb && !strncmp(v->series[i], line, n + lb))
			return v_fail(v, no, "duplicate series", line);
	if (v->n_series == V_MAX_SERIES)
		return v_fail(v, no, "too many series for the validator", line);
	v->series[v->n_series++] = strndup(line, n + lb);
	f->samples++;
	return true;
}

/* Validate text; returns the number of samples, or -1 with v->why set. */
static int validate(struct vstate *v, const char *text)
{
	char *copy, *line, *save = NULL;
	int no = 0, samples = 0;
	bool ok = true;

	memset(v, 0, sizeof(*v));
	v->last = -1;
	if (*text && text[strlen(text) - 1] != '\n') {
		snprintf(v->why, sizeof(v->why), "last line does not end in \\n");
		return -1;
	}
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
		no++;
		if (line[0] == '#') {
			ok = v_comment(v, no, line);
		} else {
			ok = v_sample(v, no, line);
			samples++;
		}
	}
	for (int i = 0; i < v->n_fam && ok; i++)
		if (!v->fam[i].help || !v->fam[i].type[0])
			ok = v_fail(v, 0, "family without HELP or TYPE", v->fam[i].name);
	for (int i = 0; i < v->n_series; i++)
		free(v->series[i]);
	free(copy);
	return ok ? samples : -1;
}

static struct vfam *v_find(struct vstate *v, const char *name)
{
	return v_family(v, name, strlen(name), false);
}

/* ---- builder ---------------------------------------------------------- */

static struct metrics *m;

static void setup(void)
{
	m = metrics_create();
	ck_assert_ptr_nonnull(m);
}

static void teardown(void)
{
	metrics_destroy(m);
	m = NULL;
}

static const char *text(void)
{
	const char *t = metrics_text(m, NULL);

	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_exact_output)
{
	const char *kv[] = { "clock", "CLOCK_REALTIME", "source", "phc:/dev/ptp0", NULL };
	size_t len;
	const char *t;

	ck_assert_int_eq(metrics_family(m, "gnomon_x_seconds", "gauge", "X in seconds."), 0);
	ck_assert_int_eq(metrics_family(m, "gnomon_y_total", "counter", "Ys."), 0);
	ck_assert_int_eq(metrics_sample(m, "gnomon_x_seconds", kv, -1.5e-9), 0);
	ck_assert_int_eq(metrics_sample(m, "gnomon_y_total", NULL, 42), 0);
	t = metrics_text(m, &len);
	ck_assert_str_eq(t,
		"# HELP gnomon_x_seconds X in seconds.\n"
		"# TYPE gnomon_x_seconds gauge\n"
		"gnomon_x_seconds{clock=\"CLOCK_REALTIME\",source=\"phc:/dev/ptp0\"} -1.5e-09\n"
		"# HELP gnomon_y_total Ys.\n"
		"# TYPE gnomon_y_total counter\n"
		"gnomon_y_total 42\n");
	ck_assert_uint_eq(len, strlen(t));
}
END_TEST

START_TEST(test_grouping_and_once)
{
	const char *a[] = { "k", "a", NULL }, *b[] = { "k", "b", NULL };
	struct vstate v;
	const char *t;

	ck_assert_int_eq(metrics_family(m, "f_one", "gauge", "One."), 0);
	ck_assert_int_eq(metrics_family(m, "f_two", "gauge", "Two."), 0);
	/* interleaved, and declared again with the same type: fine */
	ck_assert_int_eq(metrics_sample(m, "f_two", a, 1), 0);
	ck_assert_int_eq(metrics_sample(m, "f_one", a, 2), 0);
	ck_assert_int_eq(metrics_family(m, "f_two", "gauge", "Other help."), 0);
	ck_assert_int_eq(metrics_sample(m, "f_two", b, 3), 0);
	ck_assert_int_eq(metrics_sample(m, "f_one", b, 4), 0);
	t = text();
	ck_assert_str_eq(t,
		"# HELP f_one One.\n# TYPE f_one gauge\n"
		"f_one{k=\"a\"} 2\nf_one{k=\"b\"} 4\n"
		"# HELP f_two Two.\n# TYPE f_two gauge\n"
		"f_two{k=\"a\"} 1\nf_two{k=\"b\"} 3\n");
	ck_assert_int_eq(validate(&v, t), 4);
	/* same name, other type: the _total rule already refuses it */
	ck_assert_int_eq(metrics_family(m, "f_one_total", "counter", "C."), 0);
	ck_assert_int_eq(metrics_family(m, "f_one_total", "gauge", "G."), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "f_one", "counter", "G."), -EINVAL);
}
END_TEST

START_TEST(test_escaping)
{
	const char *kv[] = { "path", "a\\b\"c\nd", "plain", "µs €", NULL };
	struct vstate v;

	ck_assert_int_eq(metrics_family(m, "esc", "gauge", "Back\\slash, \"quote\",\nnewline."), 0);
	ck_assert_int_eq(metrics_sample(m, "esc", kv, 1), 0);
	ck_assert_str_eq(text(),
		"# HELP esc Back\\\\slash, \"quote\",\\nnewline.\n"
		"# TYPE esc gauge\n"
		"esc{path=\"a\\\\b\\\"c\\nd\",plain=\"µs €\"} 1\n");
	ck_assert_int_eq(validate(&v, text()), 1);
	/* escaped values that differ only by escaping are distinct series */
	kv[1] = "a\\\\b\"c\nd";
	ck_assert_int_eq(metrics_sample(m, "esc", kv, 2), 0);
	ck_assert_int_eq(validate(&v, text()), 2);
}
END_TEST

START_TEST(test_special_values)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0, "0" }, { 1, "1" }, { -3, "-3" }, { 0.1, "0.1" }, { 1e-9, "1e-09" },
		{ 0.01, "0.01" }, { 1234567890123.0, "1234567890123" },
		{ 9007199254740993.0, "9007199254740992" },	/* 2^53 + 1 rounds */
		{ 1.0 / 3, "0.3333333333333333" }, { 1e300, "1e+300" },
	};
	char name[32];
	struct vstate v;
	const char *t;

	ck_assert_int_eq(metrics_family(m, "g", "gauge", "G."), 0);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "v", "nan", NULL }, NAN), 0);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "v", "pinf", NULL }, INFINITY), 0);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "v", "ninf", NULL }, -INFINITY), 0);
	t = text();
	ck_assert_ptr_nonnull(strstr(t, "g{v=\"nan\"} NaN\n"));
	ck_assert_ptr_nonnull(strstr(t, "g{v=\"pinf\"} +Inf\n"));
	ck_assert_ptr_nonnull(strstr(t, "g{v=\"ninf\"} -Inf\n"));
	ck_assert_int_eq(validate(&v, t), 3);
	metrics_reset(m);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "v%zu", i);
		ck_assert_int_eq(metrics_family(m, name, "gauge", "V."), 0);
		ck_assert_int_eq(metrics_sample(m, name, NULL, cases[i].v), 0);
		snprintf(name, sizeof(name), "\nv%zu %s\n", i, cases[i].s);
		ck_assert_msg(strstr(text(), name), "%s not in output", name);
	}
}
END_TEST

/* Every value written reads back as the same double (seeded). */
START_TEST(test_values_round_trip)
{
	unsigned int seed = 12345;
	struct vstate v;

	ck_assert_int_eq(metrics_family(m, "r", "gauge", "R."), 0);
	for (int i = 0; i < 500; i++) {
		double x = (rand_r(&seed) - RAND_MAX / 2.0) * pow(10, rand_r(&seed) % 40 - 20) /
			   (rand_r(&seed) + 1.0);
		char id[16], *p;
		const char *t;

		snprintf(id, sizeof(id), "%d", i);
		ck_assert_int_eq(metrics_sample(m, "r", (const char *[]){ "i", id, NULL }, x), 0);
		t = text();
		p = strrchr(t, ' ');
		ck_assert(strtod(p + 1, NULL) == x);
	}
	ck_assert_int_eq(validate(&v, text()), 500);
}
END_TEST

START_TEST(test_bad_families)
{
	ck_assert_int_eq(metrics_family(m, "", "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "1abc", "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "a-b", "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "a:b", "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, NULL, "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "h_seconds", "histogram", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "h_seconds", NULL, "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "requests", "counter", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "requests_total", "gauge", "h"), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "x", "gauge", ""), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "x", "gauge", NULL), -EINVAL);
	ck_assert_int_eq(metrics_family(m, "x", "gauge", "bad \xff utf-8"), -EINVAL);
	ck_assert_int_eq(metrics_family(NULL, "x", "gauge", "h"), -EINVAL);
	ck_assert_str_eq(text(), "");
}
END_TEST

START_TEST(test_bad_samples)
{
	const char *ok[] = { "a", "1", NULL };

	ck_assert_int_eq(metrics_family(m, "g", "gauge", "G."), 0);
	ck_assert_int_eq(metrics_family(m, "c_total", "counter", "C."), 0);
	ck_assert_int_eq(metrics_sample(m, "nope", NULL, 1), -ENOENT);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "1a", "v", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a-b", "v", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "__name", "v", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", "1", "a", "2", NULL }, 1),
			 -EINVAL);
	/* overlong '/', a UTF-16 surrogate, a truncated sequence */
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", "\xc0\xaf", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", "\xed\xa0\x80", NULL }, 1),
			 -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", "\xe2\x82", NULL }, 1), -EINVAL);
	ck_assert_int_eq(metrics_sample(m, "c_total", NULL, -1), -ERANGE);
	ck_assert_int_eq(metrics_sample(m, "c_total", NULL, NAN), -ERANGE);
	ck_assert_int_eq(metrics_sample(m, "g", ok, 1), 0);
	ck_assert_int_eq(metrics_sample(m, "g", ok, 2), -EEXIST);
	ck_assert_int_eq(metrics_sample(m, "g", NULL, 3), 0);
	ck_assert_int_eq(metrics_sample(m, "g", NULL, 4), -EEXIST);
	/* a longer value sharing a prefix is another series */
	ck_assert_int_eq(metrics_sample(m, "g", (const char *[]){ "a", "12", NULL }, 5), 0);
	ck_assert_int_eq(metrics_sample(m, "c_total", NULL, 0), 0);
	ck_assert_str_eq(text(),
		"# HELP g G.\n# TYPE g gauge\ng{a=\"1\"} 1\ng 3\ng{a=\"12\"} 5\n"
		"# HELP c_total C.\n# TYPE c_total counter\nc_total 0\n");
}
END_TEST

START_TEST(test_reset_and_empty_family)
{
	struct vstate v;

	ck_assert_int_eq(metrics_family(m, "a", "gauge", "A."), 0);
	ck_assert_int_eq(metrics_sample(m, "a", NULL, 1), 0);
	metrics_reset(m);
	ck_assert_str_eq(text(), "");
	ck_assert_int_eq(metrics_sample(m, "a", NULL, 1), -ENOENT);
	ck_assert_int_eq(metrics_family(m, "b", "gauge", "B."), 0);
	ck_assert_int_eq(metrics_family(m, "a", "gauge", "A."), 0);
	ck_assert_int_eq(metrics_sample(m, "a", NULL, 2), 0);
	ck_assert_str_eq(text(), "# HELP b B.\n# TYPE b gauge\n# HELP a A.\n# TYPE a gauge\na 2\n");
	ck_assert_int_eq(validate(&v, text()), 1);
	metrics_reset(NULL);
	metrics_destroy(NULL);
}
END_TEST

/* The validator itself catches what it should. */
START_TEST(test_validator_rejects)
{
	static const char *const bad[] = {
		"x 1\n",						/* undeclared */
		"# HELP x X.\n# TYPE x gauge\nx 1",			/* no final \n */
		"# HELP x X.\n# TYPE x gauge\n# TYPE x gauge\nx 1\n",	/* TYPE twice */
		"# HELP x X.\n# HELP x X.\n# TYPE x gauge\n",		/* HELP twice */
		"# HELP x X.\n# TYPE x gauge\nx 1\n# HELP y Y.\n# TYPE y gauge\nx{a=\"b\"} 2\n",
		"# HELP x X.\n# TYPE x gauge\nx{a=\"b\"} 1\nx{a=\"b\"} 2\n",	/* duplicate */
		"# HELP x X.\n# TYPE x gauge\nx{a=\"b\\t\"} 1\n",	/* bad escape */
		"# HELP x X.\n# TYPE x gauge\nx inf\n",			/* Go-only spelling */
		"# HELP x_total X.\n# TYPE x_total counter\nx_total -1\n",
		"# HELP x X.\n# TYPE x gauge\nx{a=b} 1\n",
	};
	struct vstate v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(validate(&v, bad[i]) < 0, "accepted case %zu", i);
	ck_assert_int_eq(validate(&v, "# a comment\n# HELP x X.\n# TYPE x gauge\n"
				      "x{a=\"\\\"\",} 1\n\n"), 1);
}
END_TEST

/* ---- gnomon's catalogue ----------------------------------------------- */

/* Representative samples for one family of the catalogue. */
static void fill_family(const struct metrics_def *d)
{
	static const char *const states[] = { "FREERUN", "LOCKED", "HOLDOVER" };
	static const char *const events[] = { "start", "leap", "step", "source_change",
					      "failover", "fault_cleared" };
	static const char *const leap[] = { "none", "ok", "expires-soon", "expired" };
	static const char *const clocks[][2] = { { "CLOCK_REALTIME", "phc:/dev/ptp0" },
						 { "/dev/ptp1", "phc:/dev/ptp0" } };
	bool counter = !strcmp(d->type, "counter");

	if (!strcmp(d->labels, "")) {
		ck_assert_int_eq(metrics_sample(m, d->name, NULL, 1.7e9), 0);
	} else if (!strcmp(d->labels, "status")) {
		for (int i = 0; i < 4; i++)
			ck_assert_int_eq(metrics_sample(m, d->name, (const char *[]){
				"status", leap[i], NULL }, i == 1), 0);
	} else if (!strcmp(d->labels, "version")) {
		ck_assert_int_eq(metrics_sample(m, d->name, (const char *[]){
			"version", "0.1-\"dev\"", NULL }, 1), 0);
	} else {
		for (int c = 0; c < 2; c++) {
			const char *kv[] = { "clock", clocks[c][0], "source", clocks[c][1],
					     NULL, NULL, NULL, NULL, NULL };
			int n = 1;
			const char *const *vals = states;

			if (strstr(d->labels, ",state")) {
				kv[4] = "state";
				n = 3;
			} else if (strstr(d->labels, ",event")) {
				kv[4] = "event";
				vals = events;
				n = 6;
			} else if (strstr(d->labels, ",kind")) {
				kv[4] = "kind", kv[5] = c ? "phc" : "system";
				kv[6] = "servo", kv[7] = "pi";
			}
			for (int i = 0; i < n; i++) {
				if (n > 1)
					kv[5] = vals[i];
				ck_assert_int_eq(metrics_sample(m, d->name, kv, counter ? 3 :
					kv[6] ? 1 : c ? NAN : -2.5e-8), 0);
			}
		}
	}
}

START_TEST(test_catalogue_validates)
{
	size_t n;
	const struct metrics_def *d = metrics_gnomon_defs(&n);
	struct vstate v;
	int samples;

	ck_assert_uint_ge(n, 15);
	ck_assert_int_eq(metrics_declare_gnomon(m), 0);
	/* fill in reverse order: the output still follows the catalogue */
	for (size_t i = n; i-- > 0;)
		fill_family(&d[i]);
	samples = validate(&v, text());
	ck_assert_msg(samples > 0, "%s", v.why);
	for (size_t i = 0; i < n; i++) {
		struct vfam *f = v_find(&v, d[i].name);

		ck_assert_msg(f && f->samples > 0, "%s has no samples", d[i].name);
		ck_assert_str_eq(f->type, d[i].type);
		ck_assert_msg(!strncmp(d[i].name, "gnomon_", 7) ||
			      !strcmp(d[i].name, "process_start_time_seconds"),
			      "%s: no gnomon_ prefix", d[i].name);
	}
	ck_assert_ptr_nonnull(strstr(text(), "gnomon_clock_state{clock=\"CLOCK_REALTIME\","
				     "source=\"phc:/dev/ptp0\",state=\"LOCKED\"} "));
	ck_assert_ptr_nonnull(strstr(text(), "gnomon_build_info{version=\"0.1-\\\"dev\\\"\"} 1\n"));
}
END_TEST

/* doc/metrics.md lists every family of the catalogue (run from the top of
 * the tree, as `make unit` does). */
START_TEST(test_catalogue_documented)
{
	FILE *f = fopen("doc/metrics.md", "r");
	static char doc[65536];
	size_t n, len;
	const struct metrics_def *d = metrics_gnomon_defs(&n);

	ck_assert_msg(f, "doc/metrics.md: %s (run from the top of the tree)", strerror(errno));
	len = fread(doc, 1, sizeof(doc) - 1, f);
	doc[len] = '\0';
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		char key[160];

		snprintf(key, sizeof(key), "`%s`", d[i].name);
		ck_assert_msg(strstr(doc, key), "%s not documented in doc/metrics.md", d[i].name);
	}
}
END_TEST

/* ---- textfile --------------------------------------------------------- */

static char dir[64], path[128];

static void tf_setup(void)
{
	strcpy(dir, "/tmp/gnomon-metrics-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gnomon.prom", dir);
}

static void tf_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static char *slurp(const char *p, size_t *len)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");

	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* Only gnomon.prom in the directory: no temporary file left behind. */
static void assert_dir_clean(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			ck_assert_str_eq(e->d_name, "gnomon.prom");
			files++;
		}
	closedir(d);
	ck_assert_int_le(files, 1);
}

START_TEST(test_textfile_atomic)
{
	static const char a[] = "# HELP a A.\n# TYPE a gauge\na 1\n";
	static const char b[] = "# HELP b B.\n# TYPE b gauge\nb 2\n";
	char tmp[160];
	struct stat st;
	size_t len;
	char *got;
	mode_t old = umask(077);
	int fd;

	ck_assert_int_eq(metrics_write_textfile(path, a, strlen(a)), 0);
	got = slurp(path, &len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(len, strlen(a));
	ck_assert_int_eq(memcmp(got, a, len), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);	/* whatever the umask */
	assert_dir_clean();
	/* a leftover temporary file of "our" pid is replaced, not an error */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "junk", 4), 4);
	close(fd);
	ck_assert_int_eq(metrics_write_textfile(path, b, strlen(b)), 0);
	got = slurp(path, &len);
	ck_assert_uint_eq(len, strlen(b));
	ck_assert_int_eq(memcmp(got, b, len), 0);
	assert_dir_clean();
	/* empty text: an empty file */
	ck_assert_int_eq(metrics_write_textfile(path, "", 0), 0);
	slurp(path, &len);
	ck_assert_uint_eq(len, 0);
	umask(old);
}
END_TEST

START_TEST(test_textfile_errors)
{
	char missing[160], longp[5000];

	snprintf(missing, sizeof(missing), "%s/no-such-dir/gnomon.prom", dir);
	ck_assert_int_eq(metrics_write_textfile(missing, "x\n", 2), -ENOENT);
	/* the target is a directory: rename fails, the temporary is removed */
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_lt(metrics_write_textfile(path, "x\n", 2), 0);
	ck_assert_int_eq(rmdir(path), 0);
	assert_dir_clean();
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_eq(metrics_write_textfile(longp, "x\n", 2), -ENAMETOOLONG);
	ck_assert_int_eq(metrics_write_textfile(NULL, "x", 1), -EINVAL);
	ck_assert_int_eq(metrics_write_textfile(path, NULL, 1), -EINVAL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("builder");
	TCase *tf = tcase_create("textfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_exact_output);
	tcase_add_test(tc, test_grouping_and_once);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_special_values);
	tcase_add_test(tc, test_values_round_trip);
	tcase_add_test(tc, test_bad_families);
	tcase_add_test(tc, test_bad_samples);
	tcase_add_test(tc, test_reset_and_empty_family);
	tcase_add_test(tc, test_validator_rejects);
	tcase_add_test(tc, test_catalogue_validates);
	tcase_add_test(tc, test_catalogue_documented);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tf, tf_setup, tf_teardown);
	tcase_add_test(tf, test_textfile_atomic);
	tcase_add_test(tf, test_textfile_errors);
	suite_add_tcase(s, tf);
	return s;
}
