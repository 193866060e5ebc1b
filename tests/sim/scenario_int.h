/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to the scenario parser (scenario.c, scenario_event.c). */
#ifndef GNOMON_SIM_SCENARIO_INT_H
#define GNOMON_SIM_SCENARIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct scenario;

struct parser {
	struct scenario *sc;
	const char *name;
	int line;
	int cur;		/* clock block being filled, -1: none */
	int cur_host;		/* host block being filled, -1: none */
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
/* the network (netscn.c) */
int get_num(struct parser *p, const char *key, const char *s, double *v);
int get_long(struct parser *p, const char *key, const char *s, long lo, long hi, long *v);
int get_bool(struct parser *p, const char *key, const char *s, bool *v);
int sc_host_line(struct parser *p, int ntok, char **tok);
int sc_local_line(struct parser *p, int ntok, char **tok);
bool sc_is_host_key(const char *k);
int sc_host_key(struct parser *p, int ntok, char **tok);
/** Network events (tok[0] the kind); 1 if tok[0] is not one. */
int sc_net_event(struct parser *p, struct sc_event *e, int ntok, char **tok);
void sc_net_defaults(struct sc_net *n);
int sc_net_check(struct parser *p);
struct sc_event;
/** Health keys (scenario_health.c): 0 done, -EINVAL error, 1 not one of them. */
int sc_health_global(struct parser *p, int ntok, char **tok);
int sc_health_event(struct parser *p, struct sc_event *e, int ntok, char **tok);
/* scenario_bond.c */
bool sc_is_bond_line(const char *kw);
int sc_bond_line(struct parser *p, int ntok, char **tok);
bool sc_is_bond_event(const char *kind);
int sc_bond_event(struct parser *p, struct sc_event *e, int ntok, char **tok);
void sc_bond_defaults(struct scenario *sc);
int sc_bond_check(struct parser *p);

#endif
