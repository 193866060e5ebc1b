/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to the scenario parser (scenario.c, scenario_event.c). */
#ifndef GNOMON_SIM_SCENARIO_INT_H
#define GNOMON_SIM_SCENARIO_INT_H

#include <stddef.h>
#include <stdint.h>

#define NS_PER_S 1000000000LL

struct scenario;

struct parser {
	struct scenario *sc;
	const char *name;
	int line;
	int cur;		/* clock block being filled, -1: none */
	char *err;
	size_t errlen;
};

/** Format "NAME:LINE: message" into p->err; returns -EINVAL. */
int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Time with optional unit; def_mult is the unit of a bare number (ns). */
int get_time(struct parser *p, const char *key, const char *s, double def_mult, double *ns);
int get_time_i64(struct parser *p, const char *key, const char *s, double def_mult,
		 int64_t *ns);
/** Frequency with optional unit; result in ppb. */
int get_freq(struct parser *p, const char *key, const char *s, double def_mult, double *ppb);
/** N of "ptpN" or "/dev/ptpN", or -1. */
int sc_phc_number(const char *name);
int sc_iface_line(struct parser *p, int ntok, char **tok);
int sc_event_line(struct parser *p, int ntok, char **tok);

#endif
