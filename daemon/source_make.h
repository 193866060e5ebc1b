/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file source_make.h
 * Making a clock's source from its configuration section (gnomond start-up).
 */
#ifndef GNOMON_SOURCE_MAKE_H
#define GNOMON_SOURCE_MAKE_H

#include "daemon/daemon.h"

/** The source of clock section cc (the i-th) disciplining target; NULL
 *  with *r (-errno), logged with where ("FILE:LINE"). */
struct source *gnomond_make_source(struct gnomond *g, const struct clock_conf *cc, int i,
				   struct clock *target, const char *where, int *r);

#endif
