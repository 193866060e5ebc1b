// SPDX-License-Identifier: GPL-2.0-or-later
/* "FILE:LINE: message", the one format of parse errors (util.h). */
#include <stdio.h>

#include "util/util.h"

#define MSG_MAX	512

int where_vfail(char *err, size_t errlen, const char *name, int line, int rc,
		const char *fmt, va_list ap)
{
	char msg[MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%d: %s", name, line, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return rc;
}

int where_fail(char *err, size_t errlen, const char *name, int line, int rc,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	where_vfail(err, errlen, name, line, rc, fmt, ap);
	va_end(ap);
	return rc;
}
