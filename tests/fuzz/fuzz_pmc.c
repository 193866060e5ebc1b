// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the decoder of ptp4l's management messages
 * (daemon/source/pmc_msg.c), which takes datagrams from ptp4l's Unix
 * socket. Properties checked besides "no crash, no leak, no UB":
 *  - a result is 0 or one of the documented errors;
 *  - a decoded message's action and (for PORT_*) port state are in range,
 *    an interface name is printable and NUL-terminated;
 *  - a decoded RESPONSE with data, built again by pmc_build_response(),
 *    decodes to the same data (the builder and the decoder agree).
 * Seeds: tests/fuzz/corpus_pmc/ (responses of every data set).
 *   make fuzz FUZZ_TIME=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/source/pmc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fields(const struct pmc_reply *r)
{
	if (r->action > PMC_ACKNOWLEDGE)
		abort();
	if (!r->has_data)
		return;
	if (r->id == PMC_ID_PORT_DATA_SET &&
	    (r->data.port_ds.state < 1 || r->data.port_ds.state > PTP_PS_MAX))
		abort();
	if (r->id == PMC_ID_PORT_PROPERTIES_NP) {
		const char *s = r->data.port_props.iface;
		size_t n = strnlen(s, PMC_IFACE_MAX);

		if (n >= PMC_IFACE_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if (s[i] < 0x21 || s[i] > 0x7e)
				abort();
	}
}

static void check_rebuild(const struct pmc_reply *r)
{
	struct pmc_hdr h = { .domain = r->domain, .source = r->source };
	uint8_t b[PMC_MSG_MAX];
	struct pmc_reply r2;
	ssize_t n;

	if (r->action != PMC_RESPONSE || !r->has_data)
		return;
	n = pmc_build_response(b, sizeof(b), &h, r->seq, &r->target, r->id, &r->data);
	if (n < 0)
		return;
	if (pmc_decode(b, (size_t)n, &r2) != 0 || !r2.has_data || r2.id != r->id ||
	    r2.seq != r->seq)
		abort();
	if (r->id == PMC_ID_PORT_PROPERTIES_NP) {
		if (strcmp(r->data.port_props.iface, r2.data.port_props.iface) ||
		    r->data.port_props.state != r2.data.port_props.state)
			abort();
	} else if (r->id == PMC_ID_TIME_STATUS_NP) {
		if (r->data.time_status.master_offset_ns != r2.data.time_status.master_offset_ns ||
		    r->data.time_status.gm_present != r2.data.time_status.gm_present)
			abort();
	} else if (memcmp(&r->data, &r2.data, sizeof(r->data))) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pmc_reply r;
	int e = pmc_decode(data, size, &r);

	if (e != 0 && e != -EBADMSG && e != -EPROTO && e != -ENOMSG)
		abort();
	if (e == 0) {
		check_fields(&r);
		check_rebuild(&r);
	}
	return 0;
}
