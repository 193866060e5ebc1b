/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus text-format checker of opsclient (promcheck.c). */
#ifndef GNOMON_TESTS_PROMCHECK_H
#define GNOMON_TESTS_PROMCHECK_H

/** Check the file; print "ok: ..." or the first error; 0, 1 bad, 2 unreadable. */
int prom_check_file(const char *path);

#endif
