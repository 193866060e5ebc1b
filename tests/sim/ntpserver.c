// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Played NTP servers: each keeps a clock whose error against its ideal is
 * piecewise linear in true time (offset, frequency, random walk, steps)
 * and answers mode 3 requests as an RFC 5905 server does, with the
 * scenario's stratum, reference id, root delay and dispersion and a leap
 * indicator taken from the scenario's leap seconds.
 */
#include <math.h>
#include <string.h>

#include "tests/sim/ntpserver.h"

#define NS 1000000000LL
#define DAY_S 86400LL
#define SMEAR_HALF_NS (12 * 3600 * NS)

void ntpsrv_init(struct ntpsrv *s, const struct scenario *sc, int host, int64_t t0,
		 uint64_t seed, uint64_t stream)
{
	memset(s, 0, sizeof(*s));
	s->sc = sc;
	s->h = &sc->net.hosts[host];
	s->t0 = s->t_a = t0;
	s->err_a = s->h->ntp.offset_ns;
	s->rate = s->h->ntp.freq_ppm * 1e-6;
	s->leap = s->h->ntp.leap;
	prng_seed(&s->wander, seed, stream);
}

double ntpsrv_error(const struct ntpsrv *s, int64_t t)
{
	return s->err_a + (double)(t - s->t_a) * s->rate;
}

static void rebase(struct ntpsrv *s, int64_t t)
{
	s->err_a = ntpsrv_error(s, t);
	s->t_a = t;
}

void ntpsrv_freq_jump(struct ntpsrv *s, int64_t t, double ppm)
{
	rebase(s, t);
	s->rate += ppm * 1e-6;
}

void ntpsrv_step(struct ntpsrv *s, double ns)
{
	s->err_a += ns;
}

void ntpsrv_wander(struct ntpsrv *s, int64_t t, double step_s)
{
	double sigma = s->h->ntp.wander_ppb * 1e-9 * sqrt(step_s);

	if (sigma <= 0)
		return;
	rebase(s, t);
	s->rate += sigma * prng_gauss(&s->wander);
}

static int leap_sign(const struct sc_event *e)
{
	return e->kind == SC_EV_LEAP_INS ? 1 : e->kind == SC_EV_LEAP_DEL ? -1 : 0;
}

int64_t ntpsrv_ideal(const struct ntpsrv *s, int64_t t)
{
	int64_t v = t - (int64_t)s->sc->tai_utc_s * NS;
	int i;

	for (i = 0; i < s->sc->nevents; i++) {
		const struct sc_event *e = &s->sc->events[i];
		int64_t L = s->t0 + e->at_ns, x;
		int sg = leap_sign(e);

		if (!sg)
			continue;
		if (!s->h->ntp.smear) {
			if (t >= L)
				v -= sg * NS;
			continue;
		}
		/* linear over the 24 h from noon before to noon after */
		x = t - (L - SMEAR_HALF_NS);
		if (x <= 0)
			continue;
		if (x >= 2 * SMEAR_HALF_NS)
			v -= sg * NS;
		else
			v -= sg * (int64_t)llround((double)x / (double)(2 * SMEAR_HALF_NS) * 1e9);
	}
	return v;
}

int64_t ntpsrv_time(const struct ntpsrv *s, int64_t t)
{
	return ntpsrv_ideal(s, t) + llround(ntpsrv_error(s, t));
}

/* LI=1/2 through the last UTC day (of the server's own clock) before a leap. */
static int li_auto(const struct ntpsrv *s, int64_t t)
{
	int64_t utc_s = ntpsrv_time(s, t) / NS;
	int i;

	for (i = 0; i < s->sc->nevents; i++) {
		const struct sc_event *e = &s->sc->events[i];
		int sg = leap_sign(e);

		if (sg && t < s->t0 + e->at_ns && utc_s >= e->date_s - DAY_S && utc_s < e->date_s)
			return sg > 0 ? 1 : 2;
	}
	return 0;
}

int ntpsrv_li(const struct ntpsrv *s, int64_t t)
{
	if (s->h->ntp.smear)
		return 0;
	switch (s->leap) {
	case SC_LEAP_AUTO: return li_auto(s, t);
	case SC_LEAP_NONE: return 0;
	case SC_LEAP_INSERT: return 1;
	case SC_LEAP_DELETE: return 2;
	case SC_LEAP_ALARM: return 3;
	}
	return 0;
}

uint64_t ntp_ts_from_ns(int64_t ns)
{
	int64_t sec = ns / NS, frac = ns % NS;

	if (frac < 0) {
		frac += NS;
		sec--;
	}
	return ((uint64_t)(sec + NTP_UNIX_EPOCH) << 32) +
	       (uint64_t)((((unsigned __int128)frac << 32) + NS / 2) / NS);
}

int64_t ntp_ts_to_ns(uint64_t ts)
{
	int64_t sec = (int64_t)(ts >> 32) - NTP_UNIX_EPOCH;

	if (sec < -NTP_UNIX_EPOCH / 2)
		sec += (int64_t)1 << 32;	/* era 1 */
	return sec * NS + (int64_t)(((ts & 0xffffffffu) * (unsigned __int128)NS + (1u << 31)) >> 32);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* NTP short format (16.16 s) of ns, saturating. */
static uint32_t short_fmt(double ns)
{
	double v = ns * 1e-9 * 65536.0;

	return v >= 4294967295.0 ? 0xffffffffu : v <= 0 ? 0 : (uint32_t)llround(v);
}

/* The client's slot: its own, else a free one, else the oldest taken. */
static struct ntpsrv_client *client_slot(struct ntpsrv *s, uint64_t key, bool *known)
{
	int i;

	for (i = 0; i < NTPSRV_CLIENTS; i++)
		if (s->clients[i].key == key) {
			*known = true;
			return &s->clients[i];
		}
	*known = false;
	for (i = 0; i < NTPSRV_CLIENTS; i++)
		if (!s->clients[i].key)
			return &s->clients[i];
	i = s->next_client;
	s->next_client = (i + 1) % NTPSRV_CLIENTS;
	return &s->clients[i];
}

uint64_t ntp_get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Interleaved (chronyd's test): the request's origin is the receive
 * timestamp of the client's previous request, and its receive and transmit
 * fields differ. Then origin = the request's receive field, transmit = the
 * previous answer's true departure.
 */
static void fill(struct ntpsrv *s, const struct ntpsrv_req *q, uint8_t *r)
{
	const struct sc_ntp *n = &s->h->ntp;
	const uint8_t *req = q->data;
	bool kod = s->kod[0] != '\0', known;
	int li = kod ? 3 : ntpsrv_li(s, q->t_rx);
	struct ntpsrv_client *c = client_slot(s, q->client, &known);
	uint64_t rx = ntp_ts_from_ns(ntpsrv_time(s, q->t_rx));
	bool xleave = !kod && known && c->rx && ntp_get64(req + 24) == c->rx &&
		      ntp_get64(req + 32) != ntp_get64(req + 40);

	memset(r, 0, NTP_PACKET_LEN);
	r[0] = (uint8_t)(li << 6 | (req[0] & 0x38) | 4);
	r[1] = kod ? 0 : (uint8_t)n->stratum;
	r[2] = req[2];
	r[3] = (uint8_t)(int8_t)n->precision;
	put32(r + 4, short_fmt(n->root_delay_ns));
	put32(r + 8, short_fmt(n->root_disp_ns));
	memcpy(r + 12, kod ? s->kod : (const char *)n->refid, 4);
	put64(r + 16, ntp_ts_from_ns(ntpsrv_time(s, q->t_rx) - 8 * NS));
	memcpy(r + 24, req + (xleave ? 32 : 40), 8);
	put64(r + 32, rx);
	put64(r + 40, xleave ? c->tx : ntp_ts_from_ns(ntpsrv_time(s, q->t_tx)));
	s->interleaved += xleave;
	c->key = q->client;
	c->rx = rx;
	c->tx = ntp_ts_from_ns(ntpsrv_time(s, q->t_out));
}

size_t ntpsrv_answer(struct ntpsrv *s, const struct ntpsrv_req *q, uint8_t *resp)
{
	const uint8_t *req = q->data;
	int vn = q->len >= NTP_PACKET_LEN ? (req[0] >> 3) & 7 : 0;

	if (q->len < NTP_PACKET_LEN || (req[0] & 7) != 3 || vn < 1 || vn > 4) {
		s->bad++;
		return 0;
	}
	s->requests++;
	if (s->unreachable) {
		s->unanswered++;
		return 0;
	}
	fill(s, q, resp);
	if (s->kod[0])
		s->kods++;
	else
		s->answers++;
	return NTP_PACKET_LEN;
}
