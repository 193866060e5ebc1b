/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/discipline/clockreg.h"

#define MAX_CLOCKS 64

struct clockreg {
	bool dry_run;
	int n;
	struct clock *clocks[MAX_CLOCKS];
};

struct clockreg *clockreg_create(bool dry_run)
{
	struct clockreg *r = calloc(1, sizeof(*r));

	if (r)
		r->dry_run = dry_run;
	return r;
}

void clockreg_destroy(struct clockreg *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++)
		clock_close(r->clocks[i]);
	free(r);
}

static struct clock *find_same(struct clockreg *r, struct clock *c)
{
	for (int i = 0; i < r->n; i++) {
		struct clock *o = r->clocks[i];

		if (clock_kind(o) != clock_kind(c))
			continue;
		if (clock_kind(c) == CLOCK_KIND_SYSTEM ||
		    clock_phc_index(o) == clock_phc_index(c))
			return o;
	}
	return NULL;
}

struct clock *clockreg_get(struct clockreg *r, const char *name, int *err)
{
	struct clock *c, *same;

	if (r->n == MAX_CLOCKS) {
		*err = -EMFILE;
		return NULL;
	}
	c = clock_open(name, err);
	if (!c)
		return NULL;
	same = find_same(r, c);
	if (same) {
		clock_close(c);
		return same;
	}
	if (r->dry_run) {
		c = clock_dryrun(c);
		if (!c) {
			*err = -ENOMEM;
			return NULL;
		}
	}
	r->clocks[r->n++] = c;
	return c;
}

int clockreg_count(const struct clockreg *r)
{
	return r->n;
}

struct clock *clockreg_at(const struct clockreg *r, int i)
{
	return i >= 0 && i < r->n ? r->clocks[i] : NULL;
}
