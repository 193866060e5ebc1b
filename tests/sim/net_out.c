// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network's truth on paper: one summary line per host (what its paths
 * drew, what its server did, its clock error at the end) and, with
 * --net-csv, one row per packet (format: tests/sim/README.md).
 */
#include <math.h>
#include <stdio.h>

#include "tests/sim/net.h"
#include "tests/sim/world.h"

void net_csv_start(struct net *n, FILE *f)
{
	n->csv = f;
	fprintf(f, "t_s,host,dir,fate,delay_ns,arrive_s,len,server_err_rx_ns,server_err_tx_ns\n");
}

void net_csv_row(struct world *w, const struct net_pkt *p, enum netpath_fate f, int64_t d)
{
	static const char *const fate_name[] = { "ok", "lost", "outage" };
	const struct ntpsrv *s = &w->net->host[p->host].srv;

	fprintf(w->net->csv, "%.9f,%s,%s,%s,%lld,%.9f,%zu", (double)(p->t_sent - w->t0) * 1e-9,
		w->sc.net.hosts[p->host].name, p->dir == SC_OUT ? "out" : "in", fate_name[f],
		(long long)d, (double)(p->t_arrive - w->t0) * 1e-9, p->len);
	if (p->dir == SC_IN && p->t_rx)	/* an answer: the server's clock error then */
		fprintf(w->net->csv, ",%.1f,%.1f\n", ntpsrv_error(s, p->t_rx),
			ntpsrv_error(s, p->t_sent));
	else
		fprintf(w->net->csv, ",,\n");
}

static void summary_dir(FILE *f, const struct net_host *h, int d)
{
	const struct net_stat *st = &h->delay[d];
	const char *nm = d == SC_OUT ? "out" : "in";
	double mean = st->n ? st->sum / (double)st->n : 0.0;
	double var = st->n > 1 ? (st->sumsq - st->sum * mean) / (double)(st->n - 1) : 0.0;

	fprintf(f, " %s_sent %ld %s_lost %ld %s_outage %ld %s_delay_mean_ns %.1f "
		"%s_delay_sd_ns %.1f %s_delay_min_ns %.0f %s_delay_max_ns %.0f", nm, h->sent[d],
		nm, h->lost[d], nm, h->outage[d], nm, mean, nm, var > 0 ? sqrt(var) : 0.0,
		nm, st->min, nm, st->max);
}

void net_summary(const struct net *n, FILE *f)
{
	int h;

	for (h = 0; h < n->nhosts; h++) {
		const struct net_host *x = &n->host[h];
		const struct ntpsrv *s = &x->srv;

		fprintf(f, "host %s ntp %s", n->w->sc.net.hosts[h].name,
			n->w->sc.net.hosts[h].ntp.on ? "yes" : "no");
		summary_dir(f, x, SC_OUT);
		summary_dir(f, x, SC_IN);
		fprintf(f, " requests %ld answers %ld kods %ld unanswered %ld bad %ld refused %ld "
			"closed %ld clock_offset_ns %.1f interleaved %ld\n", s->requests, s->answers,
			s->kods, s->unanswered, s->bad, x->refused, x->closed,
			ntpsrv_error(s, n->w->t), s->interleaved);
	}
	ntpcli_summary(n->w, f);
}
