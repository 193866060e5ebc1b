// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Civil dates for scenario files: proleptic Gregorian calendar, UTC,
 * POSIX seconds (no leap seconds counted, as in time_t).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/sim/scenario.h"
#include "util/util.h"


int64_t sc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Shift the year to start in March so the leap day is last. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int sc_parse_date(const char *s, int64_t *sec, int64_t *nsec)
{
	int y, mo, d, h, mi, se, n = 0;
	int64_t frac = 0, scale = NS_PER_S;
	const char *q;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 ||
	    n != 19)
		return -EINVAL;
	q = s + n;
	if (*q == '.') {
		for (q++; *q >= '0' && *q <= '9'; q++) {
			scale /= 10;
			if (scale == 0)
				return -EINVAL;
			frac += (*q - '0') * scale;
		}
	}
	if (strcmp(q, "Z") != 0)
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0)
		return -EINVAL;
	*sec = sc_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	*nsec = frac;
	return 0;
}

void sc_format_date(int64_t sec, char *buf, size_t len)
{
	int64_t days = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
	int64_t rem = sec - days * 86400, y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", (long long)y, m, d,
		 (long long)(rem / 3600), (long long)(rem / 60 % 60), (long long)(rem % 60));
}

