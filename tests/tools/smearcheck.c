/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smearcheck: how far a smeared clock was from its ideal smear curve,
 * computed from the simulator's truth CSV (offset of the clock vs UTC in
 * the kernel's leap convention).
 *
 *   smearcheck CSV CLOCK LEAP_AT_S DELTA FROM_REL PRESET|custom [WINDOW START SHAPE]
 *
 * LEAP_AT_S is the leap reference instant (smear.h) in the CSV's time axis:
 * where the pre-leap UTC count reaches the leap's midnight. Rows before
 * FROM_REL (seconds relative to it) are left out: the daemon's start-up. The ideal
 * offset vs UTC is (past ? DELTA * 1e9 : 0) - smear_offset_ns(t_rel).
 * Prints "max_dev_ns X", "max_dev_at_rel_s T" (where, relative to the leap
 * reference instant), "max_rate_ppm Y" (largest |rate| of the clock vs
 * UTC between rows, the leap's own jump excepted) and "rows N".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/leap/smear.h"

static int column_of(char *header, const char *name)
{
	int col = 0;

	for (char *tok = strtok(header, ",\n"); tok; tok = strtok(NULL, ",\n"), col++)
		if (!strcmp(tok, name))
			return col;
	return -1;
}

static int field(char *line, int col, double *v)
{
	char *p = line;

	for (int i = 0; i < col; i++) {
		p = strchr(p, ',');
		if (!p)
			return -1;
		p++;
	}
	*v = strtod(p, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct smear_params sp = { 0 };
	double leap_at, from_rel, t, off, prev_t = NAN, prev_dev = NAN, max_dev = 0, max_rate = 0, max_at = NAN;
	char line[4096];
	int delta, col, rows = 0;
	FILE *f;

	if (argc != 7 && argc != 10) {
		fprintf(stderr, "usage: smearcheck CSV CLOCK LEAP_AT_S DELTA FROM_REL "
			"PRESET|custom [WINDOW START SHAPE]\n");
		return 2;
	}
	leap_at = atof(argv[3]);
	delta = atoi(argv[4]);
	from_rel = atof(argv[5]);
	if (argc == 10) {
		sp.window_s = atof(argv[7]);
		sp.start_s = atof(argv[8]);
		if (smear_shape_parse(argv[9], &sp.shape) < 0)
			return 2;
	} else if (smear_preset(argv[6], &sp) < 0) {
		fprintf(stderr, "smearcheck: unknown preset %s\n", argv[6]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || !fgets(line, sizeof(line), f) || (col = column_of(line, argv[2])) < 0) {
		fprintf(stderr, "smearcheck: cannot read column %s of %s\n", argv[2], argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		double t_rel, ideal, dev;

		if (field(line, 0, &t) < 0 || field(line, col, &off) < 0)
			continue;
		t_rel = t - leap_at;
		if (t_rel < from_rel)
			continue;
		ideal = (t_rel >= (delta > 0 ? 0 : -1) ? delta * 1e9 : 0) -
			smear_offset_ns(&sp, delta, t_rel);
		dev = off - ideal;
		if (fabs(dev) > max_dev) {
			max_dev = fabs(dev);
			max_at = t_rel;
		}
		/* the clock's rate vs its smear-free ideal is that of dev minus
		 * the smear's own: measure the smear rate the clock really ran */
		if (!isnan(prev_t) && t > prev_t) {
			double rate = ((dev - prev_dev) / (t - prev_t) -
				       smear_rate_ppb(&sp, delta, t_rel)) / 1e3;

			if (fabs(rate) > max_rate)
				max_rate = fabs(rate);
		}
		prev_t = t;
		prev_dev = dev;
		rows++;
	}
	fclose(f);
	printf("max_dev_ns %.1f\nmax_dev_at_rel_s %.3f\nmax_rate_ppm %.3f\nrows %d\n",
	       max_dev, max_at, max_rate, rows);
	return rows ? 0 : 1;
}
