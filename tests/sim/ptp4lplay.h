/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ptp4lplay.h
 * A played ptp4l on a real Unix socket, answered from the simulated world
 * whenever the program waits (ptp4lplay.c has the play file's format).
 */
#ifndef GNOMON_SIM_PTP4LPLAY_H
#define GNOMON_SIM_PTP4LPLAY_H

#include "tests/sim/sim.h"

/** Read the play file (GNOMON_SIM_PTP4L) and bind its socket; exits with
 *  "FILE:LINE: reason" on a bad play. NULL or "": no played ptp4l. */
void ptp4l_play_init(struct sim *s, const char *file);
/** Answer every request waiting on the socket, as of now. */
void ptp4l_play_serve(struct sim *s);

#endif
