/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file pmc_msg.h
 * IEEE 1588 management messages as ptp4l speaks them on its Unix socket
 * (pmc, phc2sys -a): building requests (GET, SUBSCRIBE_EVENTS_NP) and
 * decoding responses with every length and bound checked. Pure: no
 * system calls, no logging. The response builders serve ptp4l's side for
 * the simulator's stand-in, the unit tests and the fuzzer's seeds.
 *
 * Wire format (IEEE 1588-2008 13.3, 15.4, 15.5; linuxptp msg.h, tlv.h,
 * ddt.h): a 34-byte header, 14 bytes of management fields (target port
 * identity, boundary hops, action), then one TLV: MANAGEMENT (type 1:
 * managementId + dataField) or MANAGEMENT_ERROR_STATUS (type 2). All
 * integers big-endian.
 */
#ifndef GNOMON_PMC_MSG_H
#define GNOMON_PMC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PMC_HDR_LEN		34	/**< common PTP header */
#define PMC_MGMT_LEN		48	/**< header + management fields */
#define PMC_TLV_HDR_LEN		4
#define PMC_MSG_MAX		1500	/**< largest message built or accepted */
#define PMC_IFACE_MAX		64	/**< interface name kept, with its NUL */
#define PMC_EVENT_BITMASK	64	/**< bytes of SUBSCRIBE_EVENTS_NP's mask */

enum pmc_action {
	PMC_GET = 0, PMC_SET = 1, PMC_RESPONSE = 2, PMC_COMMAND = 3, PMC_ACKNOWLEDGE = 4,
};

/** managementId values used here (1588 Table 40; linuxptp's _NP ids). */
enum pmc_id {
	PMC_ID_PARENT_DATA_SET = 0x2002,
	PMC_ID_TIME_PROPERTIES_DATA_SET = 0x2003,
	PMC_ID_PORT_DATA_SET = 0x2004,
	PMC_ID_TIME_STATUS_NP = 0xC000,
	PMC_ID_GRANDMASTER_SETTINGS_NP = 0xC001,
	PMC_ID_SUBSCRIBE_EVENTS_NP = 0xC003,
	PMC_ID_PORT_PROPERTIES_NP = 0xC004,
};

/** Notification bits of SUBSCRIBE_EVENTS_NP (linuxptp notification.h). */
enum pmc_event {
	PMC_NOTIFY_PORT_STATE = 0,	/**< PORT_DATA_SET on every state change */
	PMC_NOTIFY_TIME_SYNC = 1,	/**< TIME_STATUS_NP on every clock update */
	PMC_NOTIFY_PARENT_DATA_SET = 2,	/**< PARENT_DATA_SET when it changes */
};

/** portState (1588 Table 8; 10 is linuxptp's GRAND_MASTER). */
enum ptp_port_state {
	PTP_PS_INITIALIZING = 1, PTP_PS_FAULTY, PTP_PS_DISABLED, PTP_PS_LISTENING,
	PTP_PS_PRE_MASTER, PTP_PS_MASTER, PTP_PS_PASSIVE, PTP_PS_UNCALIBRATED,
	PTP_PS_SLAVE, PTP_PS_GRAND_MASTER,
	PTP_PS_MAX = PTP_PS_GRAND_MASTER
};

/** PORT_PROPERTIES_NP timestamping (linuxptp enum timestamp_type). */
enum ptp_timestamping {
	PTP_TS_SOFTWARE = 0, PTP_TS_HARDWARE, PTP_TS_LEGACY_HW, PTP_TS_ONESTEP, PTP_TS_P2P1STEP,
	PTP_TS_MAX = PTP_TS_P2P1STEP
};

/** TIME_PROPERTIES_DATA_SET flags (1588 Table 20). */
#define PTP_TP_LEAP61		0x01
#define PTP_TP_LEAP59		0x02
#define PTP_TP_UTC_VALID	0x04
#define PTP_TP_PTP_TIMESCALE	0x08
#define PTP_TP_TIME_TRACEABLE	0x10
#define PTP_TP_FREQ_TRACEABLE	0x20

struct ptp_port_id {
	uint8_t clock[8];
	uint16_t port;
};

struct pmc_port_ds {			/* PORT_DATA_SET, 26 bytes */
	struct ptp_port_id port;
	uint8_t state;			/**< enum ptp_port_state */
	int8_t log_min_delay_req;
	int64_t peer_delay_scaled;	/**< TimeInterval: ns * 2^16 */
	int8_t log_announce;
	uint8_t announce_timeout;
	int8_t log_sync;
	uint8_t delay_mechanism;
	int8_t log_min_pdelay_req;
	uint8_t version;
};

struct pmc_port_props {			/* PORT_PROPERTIES_NP, 13 + text */
	struct ptp_port_id port;
	uint8_t state;
	uint8_t timestamping;		/**< enum ptp_timestamping */
	char iface[PMC_IFACE_MAX];	/**< printable, NUL-terminated */
};

struct pmc_time_status {		/* TIME_STATUS_NP, 50 bytes */
	int64_t master_offset_ns;
	int64_t ingress_ns;
	int32_t cumulative_scaled_rate_offset;
	int32_t scaled_last_gm_phase_change;
	uint16_t gm_time_base_indicator;
	bool gm_present;
	uint8_t gm_identity[8];
};

struct pmc_parent_ds {			/* PARENT_DATA_SET, 32 bytes */
	struct ptp_port_id parent;
	uint8_t parent_stats;
	uint16_t observed_variance;
	int32_t observed_phase_change_rate;
	uint8_t gm_priority1;
	uint8_t gm_class, gm_accuracy;
	uint16_t gm_variance;
	uint8_t gm_priority2;
	uint8_t gm_identity[8];
};

struct pmc_time_props {			/* TIME_PROPERTIES_DATA_SET, 4 bytes */
	int16_t utc_offset;		/**< currentUtcOffset, s */
	uint8_t flags;			/**< PTP_TP_* */
	uint8_t time_source;
};

struct pmc_subscribe {			/* SUBSCRIBE_EVENTS_NP, 66 bytes */
	uint16_t duration_s;
	uint8_t bitmask[PMC_EVENT_BITMASK];
};

union pmc_data {
	struct pmc_port_ds port_ds;
	struct pmc_port_props port_props;
	struct pmc_time_status time_status;
	struct pmc_parent_ds parent;
	struct pmc_time_props time_props;
	struct pmc_subscribe subscribe;
};

/** A decoded management message. */
struct pmc_reply {
	uint16_t seq;			/**< sequenceId */
	uint8_t domain;
	uint8_t action;			/**< enum pmc_action */
	struct ptp_port_id source;	/**< who sent it (ptp4l's clock/port) */
	struct ptp_port_id target;	/**< whom it is for (our identity) */
	uint16_t id;			/**< managementId */
	uint16_t error;			/**< managementErrorId, 0 if not an error */
	bool has_data;			/**< data holds the dataField of id */
	union pmc_data data;
};

/** What a request carries in its header. */
struct pmc_hdr {
	uint8_t domain;
	uint8_t transport_specific;	/**< high nibble of byte 0 */
	struct ptp_port_id source;	/**< our port identity */
};

/**
 * Decode one datagram.
 * @return 0; -EBADMSG malformed (short, a length that disagrees with the
 *         datagram, a TLV past the end, a dataField too short for its id,
 *         an out-of-range state, a non-printable interface name);
 *         -EPROTO not a PTPv2 management message; -ENOMSG a well-formed
 *         management message whose id this codec does not decode
 *         (r->id says which; has_data false).
 */
int pmc_decode(const uint8_t *buf, size_t len, struct pmc_reply *r);

/** Bytes of the dataField of id (the fixed part for PORT_PROPERTIES_NP), or -1. */
int pmc_data_len(uint16_t id);

/** GET of id (empty dataField, as pmc sends it). Returns the length or -ENOSPC. */
ssize_t pmc_build_get(uint8_t *buf, size_t len, const struct pmc_hdr *h,
		      uint16_t seq, uint16_t id);
/** SET SUBSCRIBE_EVENTS_NP for duration_s with the events of mask
 *  (bit n = enum pmc_event n). Returns the length or -ENOSPC. */
ssize_t pmc_build_subscribe(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			    uint16_t seq, uint16_t duration_s, uint32_t mask);
/** SET GRANDMASTER_SETTINGS_NP (what `pmc 'SET GRANDMASTER_SETTINGS_NP'`
 *  sends): class, accuracy, variance, utc_offset, time flags, source. */
ssize_t pmc_build_gm_settings(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			      uint16_t seq, const struct pmc_parent_ds *q,
			      const struct pmc_time_props *tp);

/**
 * A RESPONSE (ptp4l's side) of id with data, to target, as sequence seq.
 * Returns the length, -ENOSPC, or -EINVAL for an id without an encoder.
 */
ssize_t pmc_build_response(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			   uint16_t seq, const struct ptp_port_id *target,
			   uint16_t id, const union pmc_data *data);
/** A MANAGEMENT_ERROR_STATUS response for id (error e.g. 0x0002 NO_SUCH_ID). */
ssize_t pmc_build_error(uint8_t *buf, size_t len, const struct pmc_hdr *h,
			uint16_t seq, const struct ptp_port_id *target,
			uint16_t id, uint16_t error);

/** "SLAVE", "LISTENING", ... ("?" outside 1..10). */
const char *ptp_port_state_name(unsigned state);
/** "PORT_DATA_SET", ... or "0xNNNN" into the caller's 8-byte buffer. */
const char *pmc_id_name(uint16_t id, char buf[8]);
/** "001122.fffe.334455" as ptp4l writes a clock identity (buf >= 19 bytes). */
const char *ptp_clock_id_str(const uint8_t id[8], char *buf, size_t len);

#endif
