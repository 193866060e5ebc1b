/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The management-message codec (daemon/source/pmc_msg.c, pmc_build.c):
 * the exact bytes of a GET as pmc sends it, round trips of every data
 * set, and refusals of everything malformed (every truncation, lengths
 * that disagree, TLVs past the end, out-of-range fields).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "daemon/source/pmc_msg.h"

static const struct pmc_hdr me = {
	.domain = 0, .source = { { 0x67, 0x6e, 0x6f, 0x6d, 0, 0, 0x12, 0x34 }, 1 },
};
static const struct pmc_hdr ptp4l = {
	.domain = 0, .source = { { 0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 }, 1 },
};

START_TEST(get_bytes)
{
	uint8_t b[128];
	ssize_t n = pmc_build_get(b, sizeof(b), &me, 0x0102, PMC_ID_TIME_STATUS_NP);

	ck_assert_int_eq(n, 54);
	ck_assert_int_eq(b[0], 0x0d);		/* management */
	ck_assert_int_eq(b[1], 2);		/* PTPv2 */
	ck_assert_int_eq(b[2] << 8 | b[3], 54);
	ck_assert_int_eq(b[30] << 8 | b[31], 0x0102);
	ck_assert_int_eq(b[32], 4);		/* control: management */
	ck_assert_int_eq(b[33], 0x7f);
	for (int i = 34; i < 44; i++)
		ck_assert_int_eq(b[i], 0xff);	/* wildcard target */
	ck_assert_int_eq(b[46], PMC_GET);
	ck_assert_int_eq(b[48] << 8 | b[49], 1);	/* TLV MANAGEMENT */
	ck_assert_int_eq(b[50] << 8 | b[51], 2);	/* id only */
	ck_assert_int_eq(b[52] << 8 | b[53], 0xC000);
	ck_assert_int_lt(pmc_build_get(b, 53, &me, 1, PMC_ID_TIME_STATUS_NP), 0);
}
END_TEST

START_TEST(subscribe_bytes)
{
	uint8_t b[256];
	ssize_t n = pmc_build_subscribe(b, sizeof(b), &me, 7, 180,
					1u << PMC_NOTIFY_PORT_STATE | 1u << PMC_NOTIFY_TIME_SYNC);

	ck_assert_int_eq(n, 48 + 4 + 2 + 2 + 64);
	ck_assert_int_eq(b[46], PMC_SET);
	ck_assert_int_eq(b[52] << 8 | b[53], 0xC003);
	ck_assert_int_eq(b[54] << 8 | b[55], 180);
	ck_assert_int_eq(b[56], 0x03);
	ck_assert_int_eq(b[57], 0);
}
END_TEST

static union pmc_data sample(uint16_t id)
{
	union pmc_data d;

	memset(&d, 0, sizeof(d));
	switch (id) {
	case PMC_ID_PORT_DATA_SET:
		d.port_ds.port = ptp4l.source;
		d.port_ds.state = PTP_PS_SLAVE;
		d.port_ds.log_sync = -3;
		d.port_ds.peer_delay_scaled = -5 * 65536;
		d.port_ds.version = 2;
		break;
	case PMC_ID_PORT_PROPERTIES_NP:
		d.port_props.port = ptp4l.source;
		d.port_props.state = PTP_PS_UNCALIBRATED;
		d.port_props.timestamping = PTP_TS_HARDWARE;
		strcpy(d.port_props.iface, "eth0");
		break;
	case PMC_ID_TIME_STATUS_NP:
		d.time_status.master_offset_ns = -123456789012LL;
		d.time_status.ingress_ns = 1700000000123456789LL;
		d.time_status.gm_present = true;
		memcpy(d.time_status.gm_identity, "\x00\x1b\x21\xff\xfe\x01\x02\x03", 8);
		break;
	case PMC_ID_PARENT_DATA_SET:
		d.parent.gm_priority1 = 128;
		d.parent.gm_class = 6;
		d.parent.gm_accuracy = 0x21;
		d.parent.gm_variance = 0x4e5d;
		d.parent.gm_priority2 = 127;
		memcpy(d.parent.gm_identity, "\x00\x1b\x21\xff\xfe\x01\x02\x03", 8);
		break;
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		d.time_props.utc_offset = 37;
		d.time_props.flags = PTP_TP_LEAP61 | PTP_TP_UTC_VALID | PTP_TP_PTP_TIMESCALE;
		d.time_props.time_source = 0x20;
		break;
	case PMC_ID_SUBSCRIBE_EVENTS_NP:
		d.subscribe.duration_s = 60;
		d.subscribe.bitmask[0] = 3;
		break;
	}
	return d;
}

static const uint16_t ids[] = {
	PMC_ID_PORT_DATA_SET, PMC_ID_PORT_PROPERTIES_NP, PMC_ID_TIME_STATUS_NP,
	PMC_ID_PARENT_DATA_SET, PMC_ID_TIME_PROPERTIES_DATA_SET, PMC_ID_SUBSCRIBE_EVENTS_NP,
};

START_TEST(round_trip)
{
	uint16_t id = ids[_i];
	union pmc_data d = sample(id);
	struct pmc_reply r;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n = pmc_build_response(b, sizeof(b), &ptp4l, 99, &me.source, id, &d);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), 0);
	ck_assert_int_eq(r.seq, 99);
	ck_assert_int_eq(r.action, PMC_RESPONSE);
	ck_assert_int_eq(r.id, id);
	ck_assert(r.has_data);
	ck_assert_mem_eq(&r.target, &me.source, sizeof(r.target));
	ck_assert_mem_eq(&r.source, &ptp4l.source, sizeof(r.source));
	switch (id) {
	case PMC_ID_PORT_PROPERTIES_NP:
		ck_assert_str_eq(r.data.port_props.iface, "eth0");
		ck_assert_int_eq(r.data.port_props.state, PTP_PS_UNCALIBRATED);
		ck_assert_int_eq(r.data.port_props.timestamping, PTP_TS_HARDWARE);
		break;
	case PMC_ID_TIME_STATUS_NP:
		ck_assert(r.data.time_status.master_offset_ns == -123456789012LL);
		ck_assert(r.data.time_status.ingress_ns == 1700000000123456789LL);
		ck_assert(r.data.time_status.gm_present);
		ck_assert_mem_eq(r.data.time_status.gm_identity, d.time_status.gm_identity, 8);
		break;
	default:
		ck_assert_mem_eq(&r.data, &d, sizeof(d));
	}
	/* every truncation is refused, never read past */
	for (ssize_t k = 0; k < n; k++) {
		uint8_t c[PMC_MSG_MAX];

		memcpy(c, b, (size_t)k);
		c[2] = (uint8_t)(k >> 8);
		c[3] = (uint8_t)k;
		ck_assert_int_lt(pmc_decode(c, (size_t)k, &r), 0);
	}
}
END_TEST

START_TEST(malformed)
{
	union pmc_data d = sample(PMC_ID_PORT_PROPERTIES_NP);
	struct pmc_reply r;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n = pmc_build_response(b, sizeof(b), &ptp4l, 1, &me.source,
				       PMC_ID_PORT_PROPERTIES_NP, &d);

	ck_assert_int_gt(n, 0);
	/* messageLength disagreeing with the datagram */
	b[3]++;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[3]--;
	/* TLV length past the end */
	b[51] += 2;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[51] -= 2;
	/* PTPText longer than its TLV */
	b[48 + 4 + 2 + 12] = 40;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[48 + 4 + 2 + 12] = 4;
	/* a control character in the interface name */
	b[48 + 4 + 2 + 13] = '\n';
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[48 + 4 + 2 + 13] = 'e';
	/* port state out of range */
	b[48 + 4 + 2 + 10] = 0;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[48 + 4 + 2 + 10] = 11;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	b[48 + 4 + 2 + 10] = PTP_PS_SLAVE;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), 0);
	/* not management; another PTP version */
	b[0] = 0x0b;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EPROTO);
	b[0] = 0x0d;
	b[1] = 1;
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EPROTO);
	b[1] = 0x12;	/* PTP 2.1 is still major version 2 */
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), 0);
	ck_assert_int_eq(pmc_decode(NULL, 0, &r), -EBADMSG);
}
END_TEST

START_TEST(bad_fields)
{
	union pmc_data d = sample(PMC_ID_TIME_STATUS_NP);
	struct pmc_reply r;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n = pmc_build_response(b, sizeof(b), &ptp4l, 1, &me.source,
				       PMC_ID_TIME_STATUS_NP, &d);

	b[54 + 38 + 3] = 2;	/* gmPresent is a boolean */
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -EBADMSG);
	/* a dataField shorter than its id's */
	n = pmc_build_response(b, sizeof(b), &ptp4l, 1, &me.source,
			       PMC_ID_TIME_PROPERTIES_DATA_SET, &d);
	b[51] = 4;	/* id + 2 bytes of 4 */
	b[3] -= 2;
	ck_assert_int_eq(pmc_decode(b, (size_t)n - 2, &r), -EBADMSG);
}
END_TEST

START_TEST(errors_and_unknown)
{
	struct pmc_reply r;
	uint8_t b[PMC_MSG_MAX];
	ssize_t n = pmc_build_error(b, sizeof(b), &ptp4l, 5, &me.source,
				    PMC_ID_PORT_PROPERTIES_NP, 0x0002);

	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), 0);
	ck_assert_int_eq(r.error, 2);
	ck_assert_int_eq(r.id, PMC_ID_PORT_PROPERTIES_NP);
	ck_assert(!r.has_data);
	n = pmc_build_get(b, sizeof(b), &me, 1, 0x2000);	/* DEFAULT_DATA_SET */
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), -ENOMSG);
	ck_assert_int_eq(r.id, 0x2000);
	n = pmc_build_get(b, sizeof(b), &me, 1, PMC_ID_PORT_DATA_SET);
	ck_assert_int_eq(pmc_decode(b, (size_t)n, &r), 0);	/* a GET: no data */
	ck_assert_int_eq(r.action, PMC_GET);
	ck_assert(!r.has_data);
}
END_TEST

START_TEST(names)
{
	char buf[32];

	ck_assert_str_eq(ptp_port_state_name(PTP_PS_SLAVE), "SLAVE");
	ck_assert_str_eq(ptp_port_state_name(0), "?");
	ck_assert_str_eq(ptp_port_state_name(200), "?");
	ck_assert_str_eq(pmc_id_name(0x1234, buf), "0x1234");
	ck_assert_str_eq(ptp_clock_id_str((const uint8_t *)"\x00\x11\x22\xff\xfe\x33\x44\x55",
					  buf, sizeof(buf)), "001122.fffe.334455");
}
END_TEST

Suite *unit_suite(void);
Suite *unit_suite(void)
{
	Suite *s = suite_create("pmc_msg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, get_bytes);
	tcase_add_test(tc, subscribe_bytes);
	tcase_add_loop_test(tc, round_trip, 0, sizeof(ids) / sizeof(ids[0]));
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, bad_fields);
	tcase_add_test(tc, errors_and_unknown);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return s;
}
