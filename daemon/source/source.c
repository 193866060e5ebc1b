/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sources of offset samples: the bookkeeping around their ops, and the
 * "phc" kind: a local reference clock (a PHC, or any clock name) compared
 * with the target through the clock seam, n readings filtered into one
 * sample by servo/sample_filter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/source/source.h"
#include "servo/sample_filter.h"

const char *source_clock_name(const char *spec)
{
	return strncmp(spec, "phc:", 4) ? spec : spec + 4;
}

int source_measure(struct source *s, struct clock *target, struct source_sample *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (!s->ref && s->follows_bond)
		r = -ENOLINK;		/* the bond has no active member with a PHC */
	else if (s->ref == target)
		return -EALREADY;	/* the target leads: nothing to measure */
	else
		r = s->ops->measure(s, target, out);
	s->last_error = r < 0 ? r : 0;
	if (r >= 0) {
		s->last_method = out->method;
		s->last_delay_ns = out->delay_ns;
	}
	return r;
}

void source_health(struct source *s, struct source_health *h)
{
	memset(h, 0, sizeof(*h));
	if (s->ops->health)
		s->ops->health(s, h);
}

bool source_next_event(struct source *s, struct source_event *ev)
{
	return s->ops->next_event && s->ops->next_event(s, ev);
}

void source_upstream(struct source *s, struct source_upstream *u)
{
	memset(u, 0, sizeof(*u));
	if (s && s->ops->upstream)
		s->ops->upstream(s, u);
}

void source_destroy(struct source *s)
{
	if (s)
		s->ops->destroy(s);
}

/* ---- the "phc" kind ---- */

static int phc_measure(struct source *s, struct clock *target, struct source_sample *out)
{
	struct clock_reading rd[SAMPLE_FILTER_MAX_READINGS];
	struct sample_filter_out f;
	enum compare_method m = CMP_NONE;
	int n, r;

	n = clock_compare(s->ref, target, s->samples, rd, &m);
	if (n < 0)
		return n;
	if (n == 0)
		return -EIO;
	r = sample_filter(rd, n, &f);
	if (r < 0)
		return r;
	out->offset_ns = f.offset_ns;
	out->delay_ns = f.delay_ns;
	out->ref_ns = f.ref_ns;
	out->readings = n;
	out->used = f.n_used;
	out->method = m;
	return 0;
}

static void phc_destroy(struct source *s)
{
	free(s);
}

static const struct source_ops phc_source_ops = {
	.kind = "phc",
	.measure = phc_measure,
	.destroy = phc_destroy,
};

struct source *source_phc_create(const char *spec, struct clock *ref, int samples)
{
	struct source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->ops = &phc_source_ops;
	snprintf(s->spec, sizeof(s->spec), "%s", spec);
	s->ref = ref;
	if (samples < 1)
		samples = 1;
	if (samples > SAMPLE_FILTER_MAX_READINGS)
		samples = SAMPLE_FILTER_MAX_READINGS;
	s->samples = samples;
	return s;
}
