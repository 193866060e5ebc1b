/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file ntp_packet.h
 * The NTP packet codec (RFC 5905), pure: no system calls, no logging.
 *
 * Client side: build a mode 3 request whose transmit timestamp is a
 * random nonce, decode a reply and judge it (origin = the nonce, mode 4,
 * version, stratum, leap indicator, Kiss-o'-Death codes, timestamps that
 * cannot be, root distance), and turn the four timestamps into an offset
 * and a delay. Server side: decode a request, build the mode 4 reply.
 *
 * Times are Unix nanoseconds (int64_t) in the API; on the wire they are
 * NTP 64-bit timestamps (seconds since 1900 and a 32-bit fraction), era
 * resolved against a nearby Unix time (RFC 5905 section 6).
 */
#ifndef GNOMON_NTP_PACKET_H
#define GNOMON_NTP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTP_PACKET_LEN		48
#define NTP_PORT		123
#define NTP_VERSION		4
#define NTP_MODE_CLIENT		3
#define NTP_MODE_SERVER		4
#define NTP_LI_UNSYNC		3
#define NTP_STRATUM_UNSPEC	16	/**< 16 (and 0 outside KoD): unsynchronized */
/** RFC 5905 MAXDIST: a reply whose root distance is above is refused, ns. */
#define NTP_MAX_DIST_NS		1500000000LL

/** The header fields, host order; timestamps are raw NTP 64-bit values. */
struct ntp_packet {
	uint8_t li, version, mode, stratum;
	int8_t poll, precision;
	uint32_t root_delay, root_disp;	/**< NTP short format, 16.16 s */
	uint32_t refid;
	uint64_t ref, org, rec, xmt;
};

enum ntp_verdict {
	NTP_OK = 0,
	NTP_BAD_LENGTH,		/**< shorter than 48 bytes */
	NTP_BAD_MODE,		/**< not a server answer (mode 4) */
	NTP_BAD_VERSION,	/**< not version 1..4 */
	NTP_BAD_ORIGIN,		/**< origin is not our nonce: bogus, replayed or late */
	NTP_UNSYNC,		/**< LI 3 or stratum 16 (or 0 without a KoD code) */
	NTP_BAD_TIME,		/**< a zero timestamp, or transmit before receive */
	NTP_BAD_DELAY,		/**< the four timestamps give a negative delay */
	NTP_BAD_DIST,		/**< root distance above NTP_MAX_DIST_NS */
	NTP_KOD_RATE,		/**< Kiss-o'-Death RATE: poll less often */
	NTP_KOD_DENY,		/**< DENY: stop using the server */
	NTP_KOD_RSTR,		/**< RSTR: stop using the server */
	NTP_KOD_OTHER,		/**< another KoD code: ignore this reply */
	NTP_VERDICT_MAX
};

/** What one exchange measured, from the client's view. */
struct ntp_sample {
	int64_t offset_ns;	/**< client - server, ns (+ = our clock ahead; minus RFC 5905's theta) */
	int64_t delay_ns;	/**< round trip less the server's time, ns (>= 0) */
	int64_t root_dist_ns;	/**< root delay / 2 + root dispersion + delay / 2, ns */
	int64_t root_delay_ns, root_disp_ns;	/**< as the server sent them, ns */
	int64_t t4_ns;		/**< when the reply arrived, our clock, Unix ns */
	int64_t local_ns;	/**< the user's own time base at arrival (not set here) */
	uint8_t li, stratum;
	int8_t poll;
	uint32_t refid;
};

/** Unix ns to an NTP timestamp (any era: the value wraps in 2036). */
uint64_t ntp_time_from_ns(int64_t unix_ns);
/** NTP timestamp to Unix ns, the era chosen nearest to near_ns (within 68 years). */
int64_t ntp_time_to_ns(uint64_t ts, int64_t near_ns);
/** NTP short format (16.16 s) to ns. */
int64_t ntp_short_to_ns(uint32_t v);
/** ns (>= 0; saturating) to the short format. */
uint32_t ntp_short_from_ns(int64_t ns);

/** Write p's 48 bytes into buf. */
void ntp_packet_encode(const struct ntp_packet *p, uint8_t buf[NTP_PACKET_LEN]);
/** Decode the header of a datagram: 0, or -EMSGSIZE below 48 bytes
 *  (extension fields and MACs after it are ignored). */
int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_packet *p);

/** A client request (mode 3, version 4, the given poll) with nonce as its
 *  transmit timestamp and every other timestamp zero (no leak of our time). */
void ntp_request_build(struct ntp_packet *p, uint64_t nonce, int8_t poll);

/** The KoD code of a reply (stratum 0), or NTP_OK when it is none. */
enum ntp_verdict ntp_kod(const struct ntp_packet *p);

/**
 * Judge a reply to the request whose transmit timestamp was nonce and, if
 * it is good, compute the sample: t1_ns when the request left, t4_ns when
 * the reply arrived (our clock, Unix ns). Checks, in order: mode, version,
 * origin (before anything is believed, a KoD included), KoD, LI/stratum,
 * timestamps, delay, root distance. Returns the verdict; *out is filled
 * only for NTP_OK.
 */
enum ntp_verdict ntp_reply_check(const struct ntp_packet *p, uint64_t nonce,
				 int64_t t1_ns, int64_t t4_ns, struct ntp_sample *out);

/** A short word for a verdict ("ok", "bad origin", "KoD RATE", ...). */
const char *ntp_verdict_name(enum ntp_verdict v);

/* ---- server side ---- */

/** What a server says about itself in each reply. */
struct ntp_server_info {
	uint8_t li;		/**< 0..3 (3: not synchronized) */
	uint8_t stratum;	/**< 1..15 */
	int8_t precision;	/**< log2 s */
	uint32_t refid;
	int64_t root_delay_ns, root_disp_ns;
	int64_t ref_ns;		/**< last update of the clock, Unix ns */
};

/** A request a server answers: 0 (mode 3, version 1..4, a non-zero
 *  transmit timestamp), -EMSGSIZE short, -EPROTO otherwise. */
int ntp_request_check(const struct ntp_packet *req);

/** The mode 4 reply to req: the request's version and poll, its transmit
 *  timestamp as origin, rx_ns/tx_ns (our clock) as receive/transmit. */
void ntp_reply_build(const struct ntp_packet *req, const struct ntp_server_info *me,
		     int64_t rx_ns, int64_t tx_ns, struct ntp_packet *out);
/** Write the transmit timestamp into an encoded packet (the server takes
 *  it last, after everything else is encoded). */
void ntp_packet_set_xmt(uint8_t buf[NTP_PACKET_LEN], uint64_t xmt);
/** The reference id naming a server at sa (RFC 5905 7.3): its IPv4
 *  address; for IPv6 the first four bytes of the MD5 of the address. */
struct sockaddr;
uint32_t ntp_refid_of_addr(const struct sockaddr *sa);
/** A Kiss-o'-Death reply to req with code ("RATE", "DENY", "RSTR"). */
void ntp_kod_build(const struct ntp_packet *req, const char *code, struct ntp_packet *out);

#endif
