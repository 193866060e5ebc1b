/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP packet codec (RFC 5905 section 7.3, the header; section 8, the
 * on-wire protocol of a client against a server).
 */
#include <errno.h>
#include <netinet/in.h>
#include <nettle/md5.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/source/ntp_packet.h"
#include "util/util.h"

/* seconds from 1900-01-01 (the NTP epoch) to 1970-01-01 */
#define NTP_UNIX_DELTA	2208988800LL

static const char *const verdict_names[NTP_VERDICT_MAX] = {
	[NTP_OK] = "ok",
	[NTP_BAD_LENGTH] = "short packet",
	[NTP_BAD_MODE] = "not a server reply",
	[NTP_BAD_VERSION] = "bad version",
	[NTP_BAD_ORIGIN] = "bad origin",
	[NTP_UNSYNC] = "server unsynchronized",
	[NTP_BAD_TIME] = "impossible timestamps",
	[NTP_BAD_DELAY] = "negative delay",
	[NTP_BAD_DIST] = "root distance too large",
	[NTP_KOD_RATE] = "KoD RATE",
	[NTP_KOD_DENY] = "KoD DENY",
	[NTP_KOD_RSTR] = "KoD RSTR",
	[NTP_KOD_OTHER] = "KoD",
};

const char *ntp_verdict_name(enum ntp_verdict v)
{
	return (unsigned)v < NTP_VERDICT_MAX ? verdict_names[v] : "?";
}

uint64_t ntp_time_from_ns(int64_t unix_ns)
{
	int64_t s = unix_ns / NS_PER_S, ns = unix_ns % NS_PER_S;
	uint64_t frac;

	if (ns < 0) {
		ns += NS_PER_S;
		s--;
	}
	frac = ((uint64_t)ns << 32) / NS_PER_S;
	return (uint64_t)(uint32_t)(s + NTP_UNIX_DELTA) << 32 | frac;
}

int64_t ntp_time_to_ns(uint64_t ts, int64_t near_ns)
{
	int64_t near_s = near_ns / NS_PER_S;
	uint32_t sec = (uint32_t)(ts >> 32);
	/* the era nearest to near: a signed 32-bit difference of seconds */
	int32_t d = (int32_t)(sec - (uint32_t)(near_s + NTP_UNIX_DELTA));
	int64_t frac_ns = (int64_t)(((ts & 0xffffffffu) * NS_PER_S + (1ull << 31)) >> 32);

	return (near_s + d) * NS_PER_S + frac_ns;
}

int64_t ntp_short_to_ns(uint32_t v)
{
	return (int64_t)(v >> 16) * NS_PER_S + (int64_t)(((uint64_t)(v & 0xffff) * NS_PER_S) >> 16);
}

uint32_t ntp_short_from_ns(int64_t ns)
{
	if (ns <= 0)
		return 0;
	if (ns >= 65536 * NS_PER_S)
		return 0xffffffffu;
	return (uint32_t)(ns / NS_PER_S) << 16 |
	       (uint32_t)(((uint64_t)(ns % NS_PER_S) << 16) / NS_PER_S);
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *b)
{
	return (uint64_t)get32(b) << 32 | get32(b + 4);
}

void ntp_packet_encode(const struct ntp_packet *p, uint8_t buf[NTP_PACKET_LEN])
{
	buf[0] = (uint8_t)((p->li & 3) << 6 | (p->version & 7) << 3 | (p->mode & 7));
	buf[1] = p->stratum;
	buf[2] = (uint8_t)p->poll;
	buf[3] = (uint8_t)p->precision;
	put32(buf + 4, p->root_delay);
	put32(buf + 8, p->root_disp);
	put32(buf + 12, p->refid);
	put64(buf + 16, p->ref);
	put64(buf + 24, p->org);
	put64(buf + 32, p->rec);
	put64(buf + 40, p->xmt);
}

int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_packet *p)
{
	if (len < NTP_PACKET_LEN)
		return -EMSGSIZE;
	p->li = buf[0] >> 6;
	p->version = (buf[0] >> 3) & 7;
	p->mode = buf[0] & 7;
	p->stratum = buf[1];
	p->poll = (int8_t)buf[2];
	p->precision = (int8_t)buf[3];
	p->root_delay = get32(buf + 4);
	p->root_disp = get32(buf + 8);
	p->refid = get32(buf + 12);
	p->ref = get64(buf + 16);
	p->org = get64(buf + 24);
	p->rec = get64(buf + 32);
	p->xmt = get64(buf + 40);
	return 0;
}

void ntp_request_build(struct ntp_packet *p, uint64_t nonce, int8_t poll)
{
	memset(p, 0, sizeof(*p));
	p->version = NTP_VERSION;
	p->mode = NTP_MODE_CLIENT;
	p->poll = poll;
	p->xmt = nonce;
}

static uint32_t code32(const char *c)
{
	return (uint32_t)(uint8_t)c[0] << 24 | (uint32_t)(uint8_t)c[1] << 16 |
	       (uint32_t)(uint8_t)c[2] << 8 | (uint8_t)c[3];
}

enum ntp_verdict ntp_kod(const struct ntp_packet *p)
{
	if (p->stratum != 0)
		return NTP_OK;
	if (p->refid == code32("RATE"))
		return NTP_KOD_RATE;
	if (p->refid == code32("DENY"))
		return NTP_KOD_DENY;
	if (p->refid == code32("RSTR"))
		return NTP_KOD_RSTR;
	return NTP_KOD_OTHER;
}

enum ntp_verdict ntp_reply_check(const struct ntp_packet *p, uint64_t nonce,
				 int64_t t1_ns, int64_t t4_ns, struct ntp_sample *out)
{
	int64_t t2, t3, delay, dist;
	enum ntp_verdict k;

	if (p->mode != NTP_MODE_SERVER)
		return NTP_BAD_MODE;
	if (p->version < 1 || p->version > 4)
		return NTP_BAD_VERSION;
	/* RFC 5905 8: the origin must be our transmit timestamp, or the
	 * packet is bogus (never believe a KoD that fails this) */
	if (p->org != nonce || nonce == 0)
		return NTP_BAD_ORIGIN;
	k = ntp_kod(p);
	if (k != NTP_OK)
		return k;
	if (p->li == NTP_LI_UNSYNC || p->stratum >= NTP_STRATUM_UNSPEC)
		return NTP_UNSYNC;
	if (p->rec == 0 || p->xmt == 0)
		return NTP_BAD_TIME;
	t2 = ntp_time_to_ns(p->rec, t4_ns);
	t3 = ntp_time_to_ns(p->xmt, t4_ns);
	if (t3 < t2)
		return NTP_BAD_TIME;
	delay = (t4_ns - t1_ns) - (t3 - t2);
	if (delay < 0)
		return NTP_BAD_DELAY;
	dist = ntp_short_to_ns(p->root_delay) / 2 + ntp_short_to_ns(p->root_disp) + delay / 2;
	if (dist > NTP_MAX_DIST_NS)
		return NTP_BAD_DIST;
	out->offset_ns = ((t1_ns - t2) + (t4_ns - t3)) / 2;
	out->delay_ns = delay;
	out->root_dist_ns = dist;
	out->root_delay_ns = ntp_short_to_ns(p->root_delay);
	out->root_disp_ns = ntp_short_to_ns(p->root_disp);
	out->t4_ns = t4_ns;
	out->li = p->li;
	out->stratum = p->stratum;
	out->poll = p->poll;
	out->refid = p->refid;
	return NTP_OK;
}

int ntp_request_check(const struct ntp_packet *req)
{
	if (req->mode != NTP_MODE_CLIENT || req->version < 1 || req->version > 4 ||
	    req->xmt == 0)
		return -EPROTO;
	return 0;
}

void ntp_reply_build(const struct ntp_packet *req, const struct ntp_server_info *me,
		     int64_t rx_ns, int64_t tx_ns, struct ntp_packet *out)
{
	memset(out, 0, sizeof(*out));
	out->li = me->li & 3;
	out->version = req->version;
	out->mode = NTP_MODE_SERVER;
	out->stratum = me->stratum;
	out->poll = req->poll;
	out->precision = me->precision;
	out->root_delay = ntp_short_from_ns(me->root_delay_ns);
	out->root_disp = ntp_short_from_ns(me->root_disp_ns);
	out->refid = me->refid;
	out->ref = me->ref_ns ? ntp_time_from_ns(me->ref_ns) : 0;
	out->org = req->xmt;
	out->rec = ntp_time_from_ns(rx_ns);
	out->xmt = ntp_time_from_ns(tx_ns);
}

void ntp_kod_build(const struct ntp_packet *req, const char *code, struct ntp_packet *out)
{
	memset(out, 0, sizeof(*out));
	out->li = NTP_LI_UNSYNC;
	out->version = req->version;
	out->mode = NTP_MODE_SERVER;
	out->poll = req->poll;
	out->refid = code32(code);
	out->org = req->xmt;
}

void ntp_packet_set_xmt(uint8_t buf[NTP_PACKET_LEN], uint64_t xmt)
{
	put64(buf + 40, xmt);
}

uint32_t ntp_refid_of_addr(const struct sockaddr *sa)
{
	struct md5_ctx c;
	uint8_t d[MD5_DIGEST_SIZE];

	if (sa->sa_family == AF_INET)
		return get32((const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return 0;
	md5_init(&c);
	md5_update(&c, 16, ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr);
	md5_digest(&c, sizeof(d), d);
	return get32(d);
}
