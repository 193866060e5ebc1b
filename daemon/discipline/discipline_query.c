// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read-only accessors of a discipline for the operations side, and the
 * run-time slew-cap change of a configuration reload (discipline_query.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/discipline/discipline_query.h"

int64_t discipline_last_good_ns(const struct discipline *d)
{
	return d->last_good_ns;
}

int64_t discipline_interval_ns(const struct discipline *d)
{
	return d->interval_ns;
}

struct clock *discipline_clock(const struct discipline *d)
{
	return d->clk;
}

int discipline_set_cap(struct discipline *d, double max_slew_ppm, char *err, size_t errlen)
{
	double max_ppb = clock_max_adj_ppb(d->clk);

	if (!(max_slew_ppm > 0) || !isfinite(max_slew_ppm)) {
		snprintf(err, errlen, "%s: max_slew_ppm must be > 0", d->cc.name);
		return -EINVAL;
	}
	if (max_slew_ppm * 1e3 > max_ppb) {
		snprintf(err, errlen, "%s: max_slew_ppm %.0f is above what %s accepts (%.0f ppm)",
			 d->cc.name, max_slew_ppm, clock_name(d->clk), max_ppb / 1e3);
		return -ERANGE;
	}
	servo_set_max_freq(d->servo, max_slew_ppm * 1e3);
	recovery_set_cap(d->rec, max_slew_ppm * 1e3);
	d->cc.max_slew_ppm = max_slew_ppm;
	return 0;
}
