// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The played NTP clients (ntpclient.h). A request is a plain RFC 5905
 * mode 3 packet, version 4, whose transmit timestamp is the client's true
 * UTC at sending (it doubles as the nonce, as ntpdate's); the answer must
 * carry it as origin. T1 and T4 are the client's (true UTC), T2 and T3
 * the program's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/sim/net.h"
#include "tests/sim/ntpclient.h"
#include "tests/sim/world.h"

static struct ntpcli *cli_of(struct world *w, int h)
{
	return &w->net->host[h].cli;
}

void ntpcli_init(struct world *w, int h)
{
	const struct sc_client *c = &w->sc.net.hosts[h].client;
	struct ntpcli *k = cli_of(w, h);

	memset(k, 0, sizeof(*k));
	k->on = c->on;
	k->next_ns = c->on ? w->t0 + llround(c->start_ns) : INT64_MAX;
	k->sport = (uint16_t)(NTPCLI_PORT_BASE + h);
	k->stratum = -1;
}

int64_t ntpcli_next(const struct world *w)
{
	int64_t n = INT64_MAX;

	for (int h = 0; h < w->net->nhosts; h++)
		if (w->net->host[h].cli.on && w->net->host[h].cli.next_ns < n)
			n = w->net->host[h].cli.next_ns;
	return n;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The program's address of the host's family (its first), port dport. */
static bool prog_addr(const struct world *w, int family, uint16_t dport, struct net_addr *a)
{
	for (int i = 0; i < w->sc.net.nlocal; i++)
		if (w->sc.net.local[i].family == family) {
			a->family = family;
			memcpy(a->a, w->sc.net.local[i].a, 16);
			a->port = dport;
			return true;
		}
	return false;
}

static void send_one(struct world *w, int h)
{
	const struct sc_host *sh = &w->sc.net.hosts[h];
	struct ntpcli *k = cli_of(w, h);
	uint8_t req[NTP_PACKET_LEN] = { 0x23 };	/* LI 0, version 4, mode 3 */
	struct net_pkt *p;

	if (k->xmt)
		k->unanswered++;
	k->xmt = ntp_ts_from_ns(ntpsrv_ideal(&w->net->host[h].srv, w->t));
	k->t_prog_rx = 0;
	put64(req + 40, k->xmt);
	p = net_pkt_new(req, sizeof(req));
	if (!p)
		return;
	p->src.family = sh->addr[0].family;
	memcpy(p->src.a, sh->addr[0].a, 16);
	p->src.port = k->sport;
	if (!prog_addr(w, p->src.family, (uint16_t)sh->client.port, &p->dst)) {
		free(p);
		return;
	}
	p->host = h;
	p->dir = SC_IN;
	p->t_sent = w->t;
	k->sent++;
	net_launch(w, p);
}

void ntpcli_process(struct world *w)
{
	for (int h = 0; h < w->net->nhosts; h++) {
		struct ntpcli *k = cli_of(w, h);

		while (k->on && k->next_ns <= w->t) {
			send_one(w, h);
			k->next_ns += llround(w->sc.net.hosts[h].client.interval_ns);
		}
	}
}

void ntpcli_arrived(struct world *w, const struct net_pkt *p)
{
	struct ntpcli *k;

	if (p->host < 0 || p->dir != SC_IN || p->t_rx)
		return;
	k = cli_of(w, p->host);
	if (!k->on || p->src.port != k->sport)
		return;
	k->t_prog_rx = w->t;
	k->prog_err_rx = (double)(sys_value(w, CLOCK_REALTIME, 0.0) -
				  ntpsrv_ideal(&w->net->host[p->host].srv, w->t));
}

/* A good answer: the offset (program - client) and its error. */
static void measure(struct world *w, struct ntpcli *k, const uint8_t *d, int h)
{
	int64_t t1 = ntp_ts_to_ns(ntp_get64(d + 24)), t4 = ntpsrv_ideal(&w->net->host[h].srv, w->t);
	int64_t t2 = ntp_ts_to_ns(ntp_get64(d + 32)), t3 = ntp_ts_to_ns(ntp_get64(d + 40));
	double off = ((double)(t2 - t1) + (double)(t3 - t4)) / 2;

	k->off_last = off;
	if (!k->t_prog_rx)
		return;
	k->err_last = off - k->prog_err_rx;
	k->n_err++;
	k->err_sum += k->err_last;
	if (fabs(k->err_last) > k->err_max)
		k->err_max = fabs(k->err_last);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool ntpcli_reply(struct world *w, const struct net_pkt *p)
{
	struct ntpcli *k = cli_of(w, p->host);
	const uint8_t *d = p->data;
	int li;

	if (!k->on || p->dst.port != k->sport)
		return false;
	if (p->len < NTP_PACKET_LEN || (d[0] & 7) != 4 || !k->xmt ||
	    ntp_get64(d + 24) != k->xmt) {
		k->bad++;
		return true;
	}
	k->xmt = 0;
	li = d[0] >> 6;
	if (d[1] == 0) {	/* Kiss-o'-Death */
		k->kods++;
		memcpy(k->kod, d + 12, 4);
		k->kod[4] = '\0';
		return true;
	}
	k->answers++;
	k->li[li]++;
	if (li == 3 || d[1] >= 16) {
		k->unsync++;
		return true;
	}
	memcpy(k->refid, d + 12, 4);	/* what a synchronized answer said */
	k->stratum = d[1];
	k->precision = (int8_t)d[3];
	k->root_delay_ns = (double)get32(d + 4) / 65536.0 * 1e9;
	k->root_disp_ns = (double)get32(d + 8) / 65536.0 * 1e9;
	measure(w, k, d, p->host);
	return true;
}

static void refid_text(const uint8_t *r, char *buf, size_t len)
{
	bool text = r[0] >= 'A' && r[0] <= 'Z';

	for (int i = 1; i < 4 && text; i++)
		text = r[i] == 0 || (r[i] >= ' ' && r[i] < 0x7f);
	if (text)
		snprintf(buf, len, "%.4s", (const char *)r);
	else
		snprintf(buf, len, "%u.%u.%u.%u", r[0], r[1], r[2], r[3]);
}

void ntpcli_summary(const struct world *w, FILE *f)
{
	for (int h = 0; h < w->net->nhosts; h++) {
		const struct ntpcli *k = &w->net->host[h].cli;
		char refid[24];

		if (!k->on)
			continue;
		refid_text(k->refid, refid, sizeof(refid));
		fprintf(f, "client %s sent %ld answers %ld kods %ld kod %s unanswered %ld bad %ld "
			"li0 %ld li1 %ld li2 %ld li3 %ld unsync %ld stratum %d refid %s precision %d "
			"root_delay_ns %.0f root_disp_ns %.0f measured %ld offset_err_max_ns %.1f "
			"offset_err_mean_ns %.1f last_offset_ns %.1f\n", w->sc.net.hosts[h].name,
			k->sent, k->answers, k->kods, k->kod[0] ? k->kod : "-",
			k->unanswered + (k->xmt != 0), k->bad, k->li[0], k->li[1], k->li[2],
			k->li[3], k->unsync, k->stratum, refid, k->precision, k->root_delay_ns,
			k->root_disp_ns, k->n_err, k->err_max,
			k->n_err ? k->err_sum / (double)k->n_err : 0.0, k->off_last);
	}
}
