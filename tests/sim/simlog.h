/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file simlog.h
 * Messages of the simulator, "gnomon-sim: ..." on a private duplicate of
 * stderr (so the program may close or redirect its own stderr).
 */
#ifndef GNOMON_SIM_SIMLOG_H
#define GNOMON_SIM_SIMLOG_H

/** Send messages to fd (default 2). */
void sim_log_set_fd(int fd);
int sim_log_fd(void);
/** One line, prefixed "gnomon-sim: ", newline added. */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Loud refusal of something not simulated: logs "unsupported: ...". */
void sim_unsupported(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
