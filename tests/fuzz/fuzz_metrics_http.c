/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the metrics HTTP request parser
 * (daemon/metrics/metrics_http_parse.c): the header-end scanner on any
 * bytes, and the request parser on any prefix it accepts and on the whole
 * input (it must be total: a zero-length or newline-less buffer crashed
 * it, now a unit test). Each input is copied to a buffer of exactly its
 * size, so ASan sees a read past the end. make fuzz runs it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics/metrics_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *b = malloc(size ? size : 1);
	size_t end;
	bool head;
	int st;

	if (!b)
		return 0;
	memcpy(b, data, size);
	end = metrics_http_header_end(b, size);
	if (end > size)
		abort();
	if (end) {
		st = metrics_http_parse_request(b, end, &head);
		if (st < 200 || st > 599)
			abort();
	}
	st = metrics_http_parse_request(b, size, &head);
	if (st < 200 || st > 599)
		abort();
	free(b);
	return 0;
}
