/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Generic source plumbing: spec parsing and bookkeeping around ops. */
#include <errno.h>
#include <string.h>

#include "daemon/source/source.h"

int source_spec_clock(const char *spec, char *name, size_t len)
{
	const char *p = spec;

	if (!strncmp(p, "phc:", 4))
		p += 4;
	if (!*p || strlen(p) >= len)
		return -EINVAL;
	strcpy(name, p);
	return 0;
}

int source_measure(struct source *s, struct clock *target, struct source_sample *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = s->ops->measure(s, target, out);
	s->last_error = r < 0 ? r : 0;
	if (r >= 0) {
		s->last_method = out->method;
		s->last_delay_ns = out->delay_ns;
	}
	return r;
}

void source_destroy(struct source *s)
{
	if (s)
		s->ops->destroy(s);
}
