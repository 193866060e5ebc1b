/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file status.h
 * The control-socket commands (status.c): status, clocks, sources,
 * recovery, leap, config; bonds (ctl_bonds.c). They report the whole daemon, so they read
 * struct gnomond (daemon.h) and change nothing.
 */
#ifndef GNOMON_STATUS_H
#define GNOMON_STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct gnomond;
struct health;
struct json_object;

/** Register the commands on g->ctl (and `health`, health_json.c). 0 or -errno. */
int status_register(struct gnomond *g);

/** The clock-health checks as the "health" object; NULL for h NULL.
 *  per_cpu: with each CPU's skew from the last probe. */
struct json_object *health_json(const struct health *h, bool per_cpu);
/** The `health` command (a ctl_handler; arg is the struct health). */
int health_cmd(void *arg, struct json_object *args, struct json_object **data,
	       char *err, size_t errlen);

/** "bonds" (ctl_bonds.c): each bond, its members, the last failover. */
int cmd_bonds(void *arg, struct json_object *args, struct json_object **data,
	      char *err, size_t errlen);

#endif
