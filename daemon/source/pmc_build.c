/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building management messages: the requests gnomond sends (GET,
 * SUBSCRIBE_EVENTS_NP, and GRANDMASTER_SETTINGS_NP for tests), and the
 * responses ptp4l would send (the simulator's stand-in, unit tests, fuzz
 * seeds). Layout as pmc_common.c builds it: wildcard target port,
 * boundary hops 0 (a local Unix socket), logMessageInterval 0x7f.
 */
#include <errno.h>
#include <string.h>

#include "daemon/source/pmc_wire.h"

/* Header + management fields + the TLV header; returns the dataField. */
static uint8_t *start(uint8_t *buf, size_t len, const struct pmc_hdr *h, uint16_t seq,
		      const struct ptp_port_id *target, uint8_t action, uint16_t tlv_type,
		      size_t tlv_len)
{
	size_t total = PMC_MGMT_LEN + PMC_TLV_HDR_LEN + tlv_len;

	if (!buf || total > len || total > PMC_MSG_MAX)
		return NULL;
	memset(buf, 0, total);
	buf[OFF_TSMT] = (uint8_t)(h->transport_specific << 4 | PTP_MSG_MANAGEMENT);
	buf[OFF_VER] = PTP_MAJOR_VERSION;
	put16(buf + OFF_LEN, (uint16_t)total);
	buf[OFF_DOMAIN] = h->domain;
	put_port_id(buf + OFF_SRC_PORT, &h->source);
	put16(buf + OFF_SEQ, seq);
	buf[OFF_CONTROL] = PTP_CTL_MANAGEMENT;
	buf[OFF_LOGINT] = 0x7f;
	if (target)
		put_port_id(buf + OFF_TARGET, target);
	else
		memset(buf + OFF_TARGET, 0xff, 10);	/* all clocks, all ports */
	buf[OFF_SBH] = 0;
	buf[OFF_BH] = 0;
	buf[OFF_ACTION] = action;
	put16(buf + PMC_MGMT_LEN, tlv_type);
	put16(buf + PMC_MGMT_LEN + 2, (uint16_t)tlv_len);
	return buf + PMC_MGMT_LEN + PMC_TLV_HDR_LEN;
}

static ssize_t total_len(const uint8_t *buf)
{
	return get16(buf + OFF_LEN);
}

ssize_t pmc_build_get(uint8_t *buf, size_t len, const struct pmc_hdr *h,
		      uint16_t seq, uint16_t id)
{
	uint8_t *p = start(buf, len, h, seq, NULL, PMC_GET, TLV_MANAGEMENT, 2);

	if (!p)
		return -ENOSPC;
	put16(p, id);
	return total_len(buf);
}

ssize_t pmc_build_subscribe(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			    uint16_t seq, uint16_t duration_s, uint32_t mask)
{
	uint8_t *p = start(buf, len, h, seq, NULL, PMC_SET, TLV_MANAGEMENT,
			   2 + 2 + PMC_EVENT_BITMASK);
	int b;

	if (!p)
		return -ENOSPC;
	put16(p, PMC_ID_SUBSCRIBE_EVENTS_NP);
	put16(p + 2, duration_s);
	for (b = 0; b < 32; b++)
		if (mask & (1u << b))
			p[4 + b / 8] |= (uint8_t)(1u << (b % 8));
	return total_len(buf);
}

ssize_t pmc_build_gm_settings(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			      uint16_t seq, const struct pmc_parent_ds *q,
			      const struct pmc_time_props *tp)
{
	uint8_t *p = start(buf, len, h, seq, NULL, PMC_SET, TLV_MANAGEMENT, 2 + 8);

	if (!p)
		return -ENOSPC;
	put16(p, PMC_ID_GRANDMASTER_SETTINGS_NP);
	p[2] = q->gm_class;
	p[3] = q->gm_accuracy;
	put16(p + 4, q->gm_variance);
	put16(p + 6, (uint16_t)tp->utc_offset);
	p[8] = tp->flags;
	p[9] = tp->time_source;
	return total_len(buf);
}

static void enc_port_ds(uint8_t *p, const struct pmc_port_ds *d)
{
	put_port_id(p, &d->port);
	p[10] = d->state;
	p[11] = (uint8_t)d->log_min_delay_req;
	put64(p + 12, (uint64_t)d->peer_delay_scaled);
	p[20] = (uint8_t)d->log_announce;
	p[21] = d->announce_timeout;
	p[22] = (uint8_t)d->log_sync;
	p[23] = d->delay_mechanism;
	p[24] = (uint8_t)d->log_min_pdelay_req;
	p[25] = d->version;
}

static void enc_time_status(uint8_t *p, const struct pmc_time_status *d)
{
	put64(p, (uint64_t)d->master_offset_ns);
	put64(p + 8, (uint64_t)d->ingress_ns);
	put32(p + 16, (uint32_t)d->cumulative_scaled_rate_offset);
	put32(p + 20, (uint32_t)d->scaled_last_gm_phase_change);
	put16(p + 24, d->gm_time_base_indicator);
	put32(p + 38, d->gm_present ? 1 : 0);
	memcpy(p + 42, d->gm_identity, 8);
}

static void enc_parent(uint8_t *p, const struct pmc_parent_ds *d)
{
	put_port_id(p, &d->parent);
	p[10] = d->parent_stats;
	put16(p + 12, d->observed_variance);
	put32(p + 14, (uint32_t)d->observed_phase_change_rate);
	p[18] = d->gm_priority1;
	p[19] = d->gm_class;
	p[20] = d->gm_accuracy;
	put16(p + 21, d->gm_variance);
	p[23] = d->gm_priority2;
	memcpy(p + 24, d->gm_identity, 8);
}

/* The dataField's length for this id and data (PTPText padded to even, as
 * ptp4l pads it). */
static int resp_len(uint16_t id, const union pmc_data *d)
{
	int n = pmc_data_len(id);

	if (id == PMC_ID_PORT_PROPERTIES_NP) {
		n += (int)strnlen(d->port_props.iface, PMC_IFACE_MAX - 1);
		n += n % 2;
	}
	return id == PMC_ID_GRANDMASTER_SETTINGS_NP ? -1 : n;
}

ssize_t pmc_build_response(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			   uint16_t seq, const struct ptp_port_id *target,
			   uint16_t id, const union pmc_data *d)
{
	int n = resp_len(id, d);
	uint8_t *p;
	size_t tl;

	if (n < 0)
		return -EINVAL;
	p = start(buf, len, h, seq, target, PMC_RESPONSE, TLV_MANAGEMENT, 2 + (size_t)n);
	if (!p)
		return -ENOSPC;
	put16(p, id);
	p += 2;
	switch (id) {
	case PMC_ID_PORT_DATA_SET: enc_port_ds(p, &d->port_ds); break;
	case PMC_ID_TIME_STATUS_NP: enc_time_status(p, &d->time_status); break;
	case PMC_ID_PARENT_DATA_SET: enc_parent(p, &d->parent); break;
	case PMC_ID_PORT_PROPERTIES_NP:
		put_port_id(p, &d->port_props.port);
		p[10] = d->port_props.state;
		p[11] = d->port_props.timestamping;
		tl = strnlen(d->port_props.iface, PMC_IFACE_MAX - 1);
		p[12] = (uint8_t)tl;
		memcpy(p + 13, d->port_props.iface, tl);
		break;
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		put16(p, (uint16_t)d->time_props.utc_offset);
		p[2] = d->time_props.flags;
		p[3] = d->time_props.time_source;
		break;
	case PMC_ID_SUBSCRIBE_EVENTS_NP:
		put16(p, d->subscribe.duration_s);
		memcpy(p + 2, d->subscribe.bitmask, PMC_EVENT_BITMASK);
		break;
	}
	return total_len(buf);
}

ssize_t pmc_build_error(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			uint16_t seq, const struct ptp_port_id *target,
			uint16_t id, uint16_t error)
{
	uint8_t *p = start(buf, len, h, seq, target, PMC_RESPONSE, TLV_MANAGEMENT_ERROR, 8);

	if (!p)
		return -ENOSPC;
	put16(p, error);
	put16(p + 2, id);
	return total_len(buf);
}
