// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A line-by-line checker of the Prometheus text exposition format 0.0.4
 * ("Exposition formats" in the Prometheus documentation), written apart
 * from daemon/metrics/metrics.c so that it does not share that code's mistakes:
 * every line ends in '\n'; "# HELP name text" and "# TYPE name type" come
 * before the family's samples, at most once each; a family's samples are
 * contiguous; names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 * [a-zA-Z_][a-zA-Z0-9_]* and not "__..."; label values are quoted with
 * only \\, \" and \n escapes; values are Go floats, NaN, +Inf or -Inf; no
 * series appears twice; counters are >= 0 and named *_total (gnomon's
 * rule, doc/metrics.md).
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ops/promcheck.h"

#define MAX_FAMILIES	256
#define MAX_SERIES	4096

struct state {
	char fam[MAX_FAMILIES][128];
	char type[MAX_FAMILIES][16];
	bool sampled[MAX_FAMILIES];
	int nfam, cur;			/* family of the last sample, -1 none */
	char *series[MAX_SERIES];
	int nseries;
	int lineno;
};

static int bad(const struct state *s, const char *why, const char *line)
{
	printf("line %d: %s: %s\n", s->lineno, why, line);
	return 1;
}

static const char *name_end(const char *p, bool colon)
{
	if (!(isalpha((unsigned char)*p) || *p == '_' || (colon && *p == ':')))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '_' || (colon && *p == ':'))
		p++;
	return p;
}

static int family(struct state *s, const char *name, size_t len)
{
	for (int i = 0; i < s->nfam; i++)
		if (strlen(s->fam[i]) == len && !strncmp(s->fam[i], name, len))
			return i;
	return -1;
}

static int comment(struct state *s, const char *line)
{
	const char *p = line + 2, *e;
	bool help = !strncmp(line, "# HELP ", 7), type = !strncmp(line, "# TYPE ", 7);
	int f;

	if (!help && !type)
		return 0;	/* any other comment is allowed */
	p += 5;
	e = name_end(p, true);
	if (!e || *e != ' ')
		return bad(s, "bad metric name in HELP/TYPE", line);
	f = family(s, p, (size_t)(e - p));
	if (f < 0) {
		if (s->nfam == MAX_FAMILIES)
			return bad(s, "too many families", line);
		f = s->nfam++;
		snprintf(s->fam[f], sizeof(s->fam[f]), "%.*s", (int)(e - p), p);
	}
	if (s->sampled[f])
		return bad(s, "HELP/TYPE after the family's samples", line);
	if (type) {
		if (s->type[f][0])
			return bad(s, "second TYPE line", line);
		if (strcmp(e + 1, "counter") && strcmp(e + 1, "gauge") && strcmp(e + 1, "summary") &&
		    strcmp(e + 1, "histogram") && strcmp(e + 1, "untyped"))
			return bad(s, "unknown type", line);
		snprintf(s->type[f], sizeof(s->type[f]), "%s", e + 1);
	}
	return 0;
}

/* {a="x",b="y"}: returns the end, or NULL. */
static const char *labels(const char *p)
{
	if (*p++ != '{')
		return NULL;
	while (*p != '}') {
		const char *e = name_end(p, false);

		if (!e || (p[0] == '_' && p[1] == '_') || e[0] != '=' || e[1] != '"')
			return NULL;
		for (p = e + 2; *p != '"'; p++) {
			if (!*p || *p == '\n')
				return NULL;
			if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
				p++;
			else if (*p == '\\')
				return NULL;
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

static bool value(const char *p, double *v)
{
	char *end;

	if (!strcmp(p, "NaN")) {
		*v = NAN;
		return true;
	}
	if (!strcmp(p, "+Inf") || !strcmp(p, "-Inf")) {
		*v = p[0] == '+' ? INFINITY : -INFINITY;
		return true;
	}
	*v = strtod(p, &end);
	return end != p && !*end && isfinite(*v);
}

static int sample(struct state *s, char *line)
{
	const char *e = name_end(line, true), *l;
	char *sp;
	double v;
	int f;

	if (!e)
		return bad(s, "bad metric name", line);
	l = *e == '{' ? labels(e) : e;
	if (!l || *l != ' ')
		return bad(s, "bad labels", line);
	f = family(s, line, (size_t)(e - line));
	if (f < 0 || !s->type[f][0])
		return bad(s, "sample without a TYPE line before it", line);
	if (s->sampled[f] && s->cur != f)
		return bad(s, "family's samples not together", line);
	s->sampled[f] = true;
	s->cur = f;
	sp = strchr(l + 1, ' ');	/* an optional timestamp */
	if (sp)
		*sp = '\0';
	if (!value(l + 1, &v))
		return bad(s, "bad value", line);
	if (!strcmp(s->type[f], "counter")) {
		size_t n = strlen(s->fam[f]);

		if (n < 6 || strcmp(s->fam[f] + n - 6, "_total"))
			return bad(s, "counter not named *_total", line);
		if (isnan(v) || v < 0)
			return bad(s, "counter negative or NaN", line);
	}
	for (int i = 0; i < s->nseries; i++)
		if (!strncmp(s->series[i], line, (size_t)(l - line)) && !s->series[i][l - line])
			return bad(s, "series twice", line);
	if (s->nseries < MAX_SERIES)
		s->series[s->nseries++] = strndup(line, (size_t)(l - line));
	return 0;
}

int prom_check_file(const char *path)
{
	static struct state s;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0, samples = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 2;
	}
	s.cur = -1;
	while (!r && (n = getline(&buf, &cap, f)) > 0) {
		s.lineno++;
		if (buf[n - 1] != '\n')
			r = bad(&s, "line does not end in a newline", buf);
		else if ((buf[n - 1] = '\0'), buf[0] == '#')
			r = comment(&s, buf);
		else if (!buf[0])
			r = bad(&s, "empty line", buf);
		else if (!(r = sample(&s, buf)))
			samples++;
	}
	free(buf);
	fclose(f);
	if (!r && !s.lineno)
		r = bad(&s, "empty exposition", "");
	if (!r)
		printf("ok: %d families, %d samples\n", s.nfam, samples);
	return r;
}
