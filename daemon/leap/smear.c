/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Leap smear curves. Pure arithmetic; see smear.h for the time axis and the
 * sign convention, doc/leap.md for the presets and where they come from.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "daemon/leap/smear.h"
#include "util/util.h"


int smear_validate(const struct smear_params *p)
{
	if (!p || !isfinite(p->window_s) || !isfinite(p->start_s))
		return -EINVAL;
	if (p->window_s <= 0.0 || (p->window_in_utc && p->window_s <= 1.0))
		return -EINVAL;
	if (p->shape != SMEAR_LINEAR && p->shape != SMEAR_COSINE)
		return -EINVAL;
	return 0;
}

/* Window length in SI seconds for this leap; <= 0 means invalid. */
static double window_si(const struct smear_params *p, int delta)
{
	return p->window_in_utc ? p->window_s + delta : p->window_s;
}

int smear_window(const struct smear_params *p, int delta,
		 double *start_rel_s, double *end_rel_s)
{
	if (smear_validate(p) || delta < -1 || delta > 1)
		return -EINVAL;
	if (start_rel_s)
		*start_rel_s = p->start_s;
	if (end_rel_s)
		*end_rel_s = p->start_s + (delta ? window_si(p, delta) : 0.0);
	return 0;
}

/*
 * Position x in [0, 1] within the window and the window's SI length w.
 * Returns -1 before the window, +1 after it, 0 inside; -EINVAL on bad input.
 */
static int locate(const struct smear_params *p, int delta, double t_rel_s,
		  double *x, double *w)
{
	if (smear_validate(p) || delta < -1 || delta > 1 || isnan(t_rel_s))
		return -EINVAL;
	*w = window_si(p, delta);
	if (t_rel_s <= p->start_s) {
		*x = 0.0;
		return -1;
	}
	if (t_rel_s >= p->start_s + *w) {
		*x = 1.0;
		return 1;
	}
	*x = (t_rel_s - p->start_s) / *w;
	return 0;
}

double smear_offset_ns(const struct smear_params *p, int delta, double t_rel_s)
{
	double x, w, f;
	int r = locate(p, delta, t_rel_s, &x, &w);

	if (r == -EINVAL)
		return NAN;
	if (r)
		return r > 0 ? delta * NS_PER_S_F : 0.0;
	if (p->shape == SMEAR_COSINE)
		f = (1.0 - cos(M_PI * x)) / 2.0;
	else
		f = x;
	return delta * NS_PER_S_F * f;
}

double smear_rate_ppb(const struct smear_params *p, int delta, double t_rel_s)
{
	double x, w;
	int r = locate(p, delta, t_rel_s, &x, &w);

	if (r == -EINVAL)
		return NAN;
	if (r || !delta)
		return 0.0;
	if (p->shape == SMEAR_COSINE)
		return delta * NS_PER_S_F * M_PI / (2.0 * w) * sin(M_PI * x);
	return delta * NS_PER_S_F / w;
}

/*
 * The published smears; doc/leap.md quotes the source of each figure.
 *  google/aws: noon to noon UTC, 24 h of UTC, linear (unsmear's definition:
 *              86400 + delta SI seconds).
 *  meta:       fbclock: starts at the leap (TAI of 23:59:60), 62 500 TAI
 *              seconds, linear.
 *  ptpd:       clock:leap_second_smear_period (default 86400 s) of UTC
 *              ending when the smeared clock reads midnight, linear.
 */
static const struct {
	const char *name;
	struct smear_params p;
} presets[] = {
	{ "google", { 86400.0, -43200.0, SMEAR_LINEAR, true } },
	{ "aws",    { 86400.0, -43200.0, SMEAR_LINEAR, true } },
	{ "meta",   { 62500.0, 0.0, SMEAR_LINEAR, false } },
	{ "ptpd",   { 86400.0, -86400.0, SMEAR_LINEAR, true } },
};

int smear_preset(const char *name, struct smear_params *out)
{
	size_t i;

	if (!name || !out)
		return -EINVAL;
	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		if (!strcmp(name, presets[i].name)) {
			*out = presets[i].p;
			return 0;
		}
	}
	return -EINVAL;
}

int smear_shape_parse(const char *s, enum smear_shape *out)
{
	if (!s || !out)
		return -EINVAL;
	if (!strcmp(s, "linear"))
		*out = SMEAR_LINEAR;
	else if (!strcmp(s, "cosine"))
		*out = SMEAR_COSINE;
	else
		return -EINVAL;
	return 0;
}

const char *smear_shape_name(enum smear_shape shape)
{
	switch (shape) {
	case SMEAR_LINEAR:
		return "linear";
	case SMEAR_COSINE:
		return "cosine";
	}
	return "?";
}
