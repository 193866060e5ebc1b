/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ctl_render.h
 * gnomonctl's output: the "data" object of a control reply printed either
 * as pretty JSON or as human tables in the manner of chronyc and pmc.
 * Separate from gnomonctl's main so the unit tests can check the output.
 * Missing or mistyped fields print as "-": the renderer never fails on
 * what the daemon sends.
 */
#ifndef GNOMON_CTL_RENDER_H
#define GNOMON_CTL_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/**
 * Print data, the reply to command, on out: pretty-printed JSON when json
 * is true, otherwise the human form of that command (status, clocks,
 * sources, recovery, leap, config; any other command gets a generic
 * key/value rendering). Returns 0, or -EIO if writing failed.
 */
int ctl_render(FILE *out, const char *command, struct json_object *data, bool json);

/**
 * Print "gnomonctl: PATH: WHAT: MSG" for an error the daemon sent (an
 * ok:false reply, a bad reply), with control characters (ESC and the
 * rest below 0x20, DEL) replaced by '?' like every data string: whatever
 * the other end of the socket says cannot drive the operator's terminal.
 */
void ctl_print_error(FILE *out, const char *path, const char *what, const char *msg);

/**
 * Format an offset with a unit chosen by magnitude, sign always shown:
 * "+850 ns", "-12.345 us", "+1.500 ms", "-2.000000 s".
 * @param ns  offset in ns (clock - reference: positive = clock ahead)
 */
void ctl_fmt_offset(char *buf, size_t len, int64_t ns);

/** Format a duration in seconds: "0.250 s", "59.000 s", "1h 02m 03s",
 *  "3d 04h 05m". Negative or non-finite values print as "-". */
void ctl_fmt_duration(char *buf, size_t len, double s);

#endif
