/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file status.h
 * The control-socket commands (status.c): status, clocks, sources,
 * recovery, leap, config. They report the whole daemon, so they read
 * struct gnomond (daemon.h) and change nothing.
 */
#ifndef GNOMON_STATUS_H
#define GNOMON_STATUS_H

struct gnomond;

/** Register the commands on g->ctl. 0 or -errno. */
int status_register(struct gnomond *g);

#endif
