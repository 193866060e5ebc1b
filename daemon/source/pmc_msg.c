/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding ptp4l's management messages: validate -> locate the TLV ->
 * decode the dataField of its id. Every length is checked against the
 * datagram before a byte is read; nothing here trusts the peer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/source/pmc_wire.h"

int pmc_data_len(uint16_t id)
{
	switch (id) {
	case PMC_ID_PORT_DATA_SET: return 26;
	case PMC_ID_PORT_PROPERTIES_NP: return 13;	/* + the PTPText */
	case PMC_ID_TIME_STATUS_NP: return 50;
	case PMC_ID_PARENT_DATA_SET: return 32;
	case PMC_ID_TIME_PROPERTIES_DATA_SET: return 4;
	case PMC_ID_SUBSCRIBE_EVENTS_NP: return 2 + PMC_EVENT_BITMASK;
	case PMC_ID_GRANDMASTER_SETTINGS_NP: return 8;
	}
	return -1;
}

static int dec_port_ds(const uint8_t *p, struct pmc_port_ds *d)
{
	get_port_id(p, &d->port);
	d->state = p[10];
	d->log_min_delay_req = (int8_t)p[11];
	d->peer_delay_scaled = (int64_t)get64(p + 12);
	d->log_announce = (int8_t)p[20];
	d->announce_timeout = p[21];
	d->log_sync = (int8_t)p[22];
	d->delay_mechanism = p[23];
	d->log_min_pdelay_req = (int8_t)p[24];
	d->version = p[25];
	return d->state >= 1 && d->state <= PTP_PS_MAX ? 0 : -EBADMSG;
}

/* PTPText (1588 5.3.9): a length octet, then that many octets of UTF-8.
 * An interface name must be printable ASCII and fit. */
static int dec_port_props(const uint8_t *p, size_t n, struct pmc_port_props *d)
{
	size_t tl = p[12], i;

	get_port_id(p, &d->port);
	d->state = p[10];
	d->timestamping = p[11];
	if (d->state < 1 || d->state > PTP_PS_MAX || d->timestamping > PTP_TS_MAX)
		return -EBADMSG;
	if (13 + tl > n || tl >= PMC_IFACE_MAX)
		return -EBADMSG;
	for (i = 0; i < tl; i++)
		if (p[13 + i] < 0x21 || p[13 + i] > 0x7e)
			return -EBADMSG;
	memcpy(d->iface, p + 13, tl);
	d->iface[tl] = '\0';
	return 0;
}

static int dec_time_status(const uint8_t *p, struct pmc_time_status *d)
{
	uint32_t present;

	d->master_offset_ns = (int64_t)get64(p);
	d->ingress_ns = (int64_t)get64(p + 8);
	d->cumulative_scaled_rate_offset = (int32_t)get32(p + 16);
	d->scaled_last_gm_phase_change = (int32_t)get32(p + 20);
	d->gm_time_base_indicator = get16(p + 24);
	/* lastGmPhaseChange (ScaledNs, 12 bytes) at 26: not used */
	present = get32(p + 38);
	if (present > 1)
		return -EBADMSG;
	d->gm_present = present == 1;
	memcpy(d->gm_identity, p + 42, 8);
	return 0;
}

static int dec_parent(const uint8_t *p, struct pmc_parent_ds *d)
{
	get_port_id(p, &d->parent);
	d->parent_stats = p[10];
	/* p[11] reserved */
	d->observed_variance = get16(p + 12);
	d->observed_phase_change_rate = (int32_t)get32(p + 14);
	d->gm_priority1 = p[18];
	d->gm_class = p[19];
	d->gm_accuracy = p[20];
	d->gm_variance = get16(p + 21);
	d->gm_priority2 = p[23];
	memcpy(d->gm_identity, p + 24, 8);
	return 0;
}

static int dec_data(uint16_t id, const uint8_t *p, size_t n, union pmc_data *d)
{
	int need = pmc_data_len(id);

	if (need < 0)
		return -ENOMSG;
	if (n < (size_t)need)
		return -EBADMSG;
	switch (id) {
	case PMC_ID_PORT_DATA_SET:
		return dec_port_ds(p, &d->port_ds);
	case PMC_ID_PORT_PROPERTIES_NP:
		return dec_port_props(p, n, &d->port_props);
	case PMC_ID_TIME_STATUS_NP:
		return dec_time_status(p, &d->time_status);
	case PMC_ID_PARENT_DATA_SET:
		return dec_parent(p, &d->parent);
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		d->time_props.utc_offset = (int16_t)get16(p);
		d->time_props.flags = p[2];
		d->time_props.time_source = p[3];
		return 0;
	case PMC_ID_SUBSCRIBE_EVENTS_NP:
		d->subscribe.duration_s = get16(p);
		memcpy(d->subscribe.bitmask, p + 2, PMC_EVENT_BITMASK);
		return 0;
	}
	return -ENOMSG;	/* GRANDMASTER_SETTINGS_NP: built, never decoded */
}

/* Header and management fields; *len becomes the message's own length. */
static int dec_header(const uint8_t *buf, size_t *len, struct pmc_reply *r)
{
	size_t mlen;

	if (*len < PMC_MGMT_LEN)
		return -EBADMSG;
	if ((buf[OFF_TSMT] & 0x0f) != PTP_MSG_MANAGEMENT ||
	    (buf[OFF_VER] & 0x0f) != PTP_MAJOR_VERSION)
		return -EPROTO;
	mlen = get16(buf + OFF_LEN);
	/* a datagram carries exactly one message */
	if (mlen != *len || mlen > PMC_MSG_MAX)
		return -EBADMSG;
	r->domain = buf[OFF_DOMAIN];
	get_port_id(buf + OFF_SRC_PORT, &r->source);
	r->seq = get16(buf + OFF_SEQ);
	get_port_id(buf + OFF_TARGET, &r->target);
	r->action = buf[OFF_ACTION] & 0x0f;
	if (r->action > PMC_ACKNOWLEDGE)
		return -EBADMSG;
	*len = mlen;
	return 0;
}

/* The TLVs after the management fields: each must fit; the first is the
 * management TLV (later ones, e.g. authentication, are skipped). */
static int find_tlv(const uint8_t *buf, size_t len, size_t *off, uint16_t *type,
		    uint16_t *tlen)
{
	size_t pos = PMC_MGMT_LEN;
	bool first = true;

	if (len < PMC_MGMT_LEN + PMC_TLV_HDR_LEN)
		return -EBADMSG;
	while (pos < len) {
		uint16_t t, l;

		if (len - pos < PMC_TLV_HDR_LEN)
			return -EBADMSG;
		t = get16(buf + pos);
		l = get16(buf + pos + 2);
		if (l > len - pos - PMC_TLV_HDR_LEN)
			return -EBADMSG;
		if (first) {
			*off = pos + PMC_TLV_HDR_LEN;
			*type = t;
			*tlen = l;
			first = false;
		}
		pos += PMC_TLV_HDR_LEN + l;
	}
	return 0;
}

int pmc_decode(const uint8_t *buf, size_t len, struct pmc_reply *r)
{
	uint16_t type, tlen;
	size_t off = 0;
	int e;

	memset(r, 0, sizeof(*r));
	if (!buf)
		return -EBADMSG;
	if ((e = dec_header(buf, &len, r)) < 0 || (e = find_tlv(buf, len, &off, &type, &tlen)) < 0)
		return e;
	if (type == TLV_MANAGEMENT) {
		if (tlen < 2)
			return -EBADMSG;
		r->id = get16(buf + off);
		if (tlen == 2)
			return pmc_data_len(r->id) < 0 ? -ENOMSG : 0;	/* no dataField */
		e = dec_data(r->id, buf + off + 2, tlen - 2u, &r->data);
		r->has_data = e == 0;
		return e;
	}
	if (type == TLV_MANAGEMENT_ERROR) {
		/* managementErrorId, managementId, 4 reserved, displayData */
		if (tlen < 8)
			return -EBADMSG;
		r->error = get16(buf + off);
		r->id = get16(buf + off + 2);
		return r->error ? 0 : -EBADMSG;
	}
	return -EPROTO;
}

const char *ptp_port_state_name(unsigned state)
{
	static const char *const names[] = {
		"?", "INITIALIZING", "FAULTY", "DISABLED", "LISTENING", "PRE_MASTER",
		"MASTER", "PASSIVE", "UNCALIBRATED", "SLAVE", "GRAND_MASTER",
	};

	return state <= PTP_PS_MAX ? names[state] : "?";
}

const char *pmc_id_name(uint16_t id, char buf[8])
{
	switch (id) {
	case PMC_ID_PARENT_DATA_SET: return "PARENT_DATA_SET";
	case PMC_ID_TIME_PROPERTIES_DATA_SET: return "TIME_PROPERTIES_DATA_SET";
	case PMC_ID_PORT_DATA_SET: return "PORT_DATA_SET";
	case PMC_ID_TIME_STATUS_NP: return "TIME_STATUS_NP";
	case PMC_ID_GRANDMASTER_SETTINGS_NP: return "GRANDMASTER_SETTINGS_NP";
	case PMC_ID_SUBSCRIBE_EVENTS_NP: return "SUBSCRIBE_EVENTS_NP";
	case PMC_ID_PORT_PROPERTIES_NP: return "PORT_PROPERTIES_NP";
	}
	snprintf(buf, 8, "0x%04x", id);
	return buf;
}

const char *ptp_clock_id_str(const uint8_t id[8], char *buf, size_t len)
{
	snprintf(buf, len, "%02x%02x%02x.%02x%02x.%02x%02x%02x",
		 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7]);
	return buf;
}
