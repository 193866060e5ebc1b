/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file clockreg.h
 * The daemon's set of open clocks: each clock is opened once, whatever name
 * reaches it ("eth0" and "/dev/ptp0" may be the same PHC), and wrapped in
 * the dry-run driver when adjustments are forbidden.
 */
#ifndef GNOMON_CLOCKREG_H
#define GNOMON_CLOCKREG_H

#include <stdbool.h>

#include "phc/clock.h"

struct clockreg;

struct clockreg *clockreg_create(bool dry_run);
/** Close every clock; accepts NULL. */
void clockreg_destroy(struct clockreg *r);
/** Open (or find) the clock called name. NULL and *err = -errno on failure. */
struct clock *clockreg_get(struct clockreg *r, const char *name, int *err);
int clockreg_count(const struct clockreg *r);
struct clock *clockreg_at(const struct clockreg *r, int i);

#endif
