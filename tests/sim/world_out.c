// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The world's outputs: the CSV of true offsets, progress lines and the
 * summary (format in tests/sim/README.md). The runner opens the files and
 * passes descriptors (the program may run as another user); otherwise they
 * are opened when the world is created, before the program can drop
 * privileges. Either way they are kept on descriptors >= 900. Numbers are printed in the C locale
 * whatever the program set, so runs compare byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/sim/net.h"
#include "tests/sim/simlog.h"
#include "tests/sim/world.h"

#define HIGH_FD 900

static FILE *open_high(const char *path, int given, char *err, size_t errlen, int *fdp)
{
	int fd, hi;
	FILE *f;

	fd = given > 0 ? given : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	hi = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
	if (hi >= 0) {
		close(fd);
		fd = hi;
	}
	if (!(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return f;
}

static locale_t c_locale(void)
{
	static locale_t c;	/* process-wide, created once */

	if (!c)
		c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return c;
}

int world_out_open(struct world *w, const struct world_opts *o, char *err, size_t errlen)
{
	int c;

	w->out_fd[0] = w->out_fd[1] = w->out_fd[2] = w->out_fd[3] = -1;
	if ((o->csv_fd > 0 || o->csv_path) &&
	    !(w->csv = open_high(o->csv_path, o->csv_fd, err, errlen, &w->out_fd[0])))
		return -EIO;
	if ((o->summary_fd > 0 || o->summary_path) &&
	    !(w->summary = open_high(o->summary_path, o->summary_fd, err, errlen, &w->out_fd[1])))
		return -EIO;
	if ((o->kcsv_fd > 0 || o->kcsv_path) &&
	    !(w->kcsv = open_high(o->kcsv_path, o->kcsv_fd, err, errlen, &w->out_fd[2])))
		return -EIO;
	if (w->kcsv)
		fprintf(w->kcsv, "t_s,state,unsync,maxerror_us,esterror_us,tick,freq_ppb\n");
	if ((o->netcsv_fd > 0 || o->netcsv_path) &&
	    !(w->netcsv = open_high(o->netcsv_path, o->netcsv_fd, err, errlen, &w->out_fd[3])))
		return -EIO;
	if (w->netcsv)
		net_csv_start(w->net, w->netcsv);
	if (w->csv) {
		fprintf(w->csv, "t_s");
		for (c = 0; c < w->nclocks; c++)
			fprintf(w->csv, ",%s", w->sc.clocks[c].name);
		fprintf(w->csv, "\n");
	}
	return 0;
}

static double rel_s(const struct world *w, int64_t t)
{
	return (double)(t - w->t0) * 1e-9;
}

void world_out_csv_row(struct world *w)
{
	locale_t old = uselocale(c_locale());
	int c;

	fprintf(w->csv, "%.6f", rel_s(w, w->t));
	for (c = 0; c < w->nclocks; c++)
		fprintf(w->csv, ",%.1f", world_offset(w, c));
	fprintf(w->csv, "\n");
	uselocale(old);
}

void world_out_kernel_row(struct world *w)
{
	locale_t old = uselocale(c_locale());
	const struct kntp *k = &w->sys.k;

	fprintf(w->kcsv, "%.6f,%s,%d,%ld,%ld,%ld,%.3f\n", rel_s(w, w->t),
		kntp_state_name(k->state), !!(k->status & STA_UNSYNC), k->maxerror,
		k->esterror, k->tick, (double)k->freq * 1000.0 / 65536.0);
	uselocale(old);
}

static void summary_exit(struct world *w);

void world_out_exit(struct world *w)
{
	summary_exit(w);
	if (!w->kcsv)
		return;
	world_out_kernel_row(w);
	fclose(w->kcsv);
	w->kcsv = NULL;
}

/* An offset in ns as a reader would write it: "+0.800 s", "+12.5 ms",
 * "+3.4 µs", "-12 ns" (the unit chosen after rounding). */
void world_fmt_offset(char *buf, size_t len, double ns)
{
	double a = fabs(ns);

	if (a >= 99.95e6)
		snprintf(buf, len, "%+.3f s", ns * 1e-9);
	else if (a >= 999.95e3)
		snprintf(buf, len, "%+.1f ms", ns * 1e-6);
	else if (a >= 999.5)
		snprintf(buf, len, "%+.1f µs", ns * 1e-3);
	else
		snprintf(buf, len, "%+.0f ns", ns);
}

void world_out_progress(struct world *w)
{
	locale_t old = uselocale(c_locale());
	char line[400];
	int c, n;

	n = snprintf(line, sizeof(line), "t=%.0fs", rel_s(w, w->t));
	for (c = 0; c < w->nclocks && n > 0 && (size_t)n < sizeof(line); c++)
	{
		char v[32];

		world_fmt_offset(v, sizeof(v), world_offset(w, c));
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %s",
			      w->sc.clocks[c].name, v);
	}
	uselocale(old);
	sim_log("%s", line);
}

static void fmt_recovery(char *buf, size_t len, int64_t ns)
{
	if (ns < 0)
		snprintf(buf, len, "inf");
	else
		snprintf(buf, len, "%.9f", (double)ns * 1e-9);
}

static void summary_clocks(const struct world *w, FILE *f)
{
	int c;

	for (c = 0; c < w->nclocks; c++) {
		const struct clock_count *n = &w->cnt[c];
		struct truth_clock_res r;

		truth_clock(w->tr, c, &r);
		fprintf(f, "clock %s rms_ns %.1f mean_ns %.1f max_ns %.1f final_ns %.1f "
			"steps %ld freq_sets %ld status_sets %ld reads %ld errors %ld zero_steps %ld "
			"foreign_steps %ld\n",
			w->sc.clocks[c].name, r.rms_ns, r.mean_ns, r.max_ns, r.final_ns,
			n->steps, n->freq_sets, n->status_sets, n->reads, n->errors,
			n->zero_steps, n->foreign_steps);
	}
}

static void event_kind(const struct world *w, int k, char *buf, size_t len)
{
	const struct sc_event *e;

	if (k == 0) {
		snprintf(buf, len, "start");
		return;
	}
	e = &w->sc.events[k - 1];
	if (e->clock >= 0)
		snprintf(buf, len, "%s:%s", sc_event_kind_name(e->kind),
			 w->sc.clocks[e->clock].name);
	else if (e->host >= 0 || e->host == SC_HOST_ALL)
		snprintf(buf, len, "%s:%s", sc_event_kind_name(e->kind),
			 e->host >= 0 ? w->sc.net.hosts[e->host].name : "all");
	else if (e->iface >= 0)
		snprintf(buf, len, "%s:%s", sc_event_kind_name(e->kind),
			 w->sc.ifaces[e->iface].name);
	else
		snprintf(buf, len, "%s", sc_event_kind_name(e->kind));
}

static void summary_events(const struct world *w, FILE *f)
{
	int k, c;

	for (k = 0; k < truth_nwindows(w->tr); k++) {
		char kind[64], r1[32], r2[32];

		event_kind(w, k, kind, sizeof(kind));
		for (c = 0; c < w->nclocks; c++) {
			struct truth_event_res r;

			truth_window(w->tr, k, c, &r);
			fmt_recovery(r1, sizeof(r1), r.recover_ns[0]);
			fmt_recovery(r2, sizeof(r2), r.recover_ns[1]);
			fprintf(f, "event %d %s t_s %.6f clock %s offset_ns %.1f "
				"recover_1ms_s %s recover_1us_s %s peak_ns %.1f "
				"peak_excl_ns %.1f overshoot_ns %.1f until_s %.6f\n",
				k, kind, rel_s(w, r.t_ref), w->sc.clocks[c].name, r.offset_ns,
				r1, r2, r.peak_ns, r.peak_excl_ns, r.overshoot_ns,
				rel_s(w, r.t_close));
		}
	}
}

void world_out_summary(const struct world *w, FILE *f)
{
	locale_t old = uselocale(c_locale());
	char date[32];
	int c;

	sc_format_date(w->sc.start_utc_s, date, sizeof(date));
	fprintf(f, "sim_version 1\nscenario %s\nseed %llu\nstart %s\n", w->sc.name,
		(unsigned long long)w->seed, date);
	fprintf(f, "duration_s %.6f\nelapsed_s %.6f\nend_reason %s\nstats_from_s %.6f\n",
		(double)w->sc.duration_ns * 1e-9, rel_s(w, w->t),
		w->end_reason ? w->end_reason : "running", rel_s(w, w->t_stats));
	fprintf(f, "clocks");
	for (c = 0; c < w->nclocks; c++)
		fprintf(f, " %s", w->sc.clocks[c].name);
	fprintf(f, "\n");
	summary_clocks(w, f);
	fprintf(f, "kernel state %s unsync %d maxerror_us %ld esterror_us %ld\n",
		kntp_state_name(w->sys.k.state), !!(w->sys.k.status & STA_UNSYNC),
		w->sys.k.maxerror, w->sys.k.esterror);
	net_summary(w->net, f);
	summary_events(w, f);
	uselocale(old);
}

void world_out_close(struct world *w)
{
	if (w->csv) {
		fclose(w->csv);
		w->csv = NULL;
	}
	if (w->netcsv) {
		fclose(w->netcsv);
		w->netcsv = NULL;
		w->net->csv = NULL;
	}
	if (w->summary) {
		world_out_summary(w, w->summary);
		fflush(w->summary);	/* kept open for world_out_exit() */
	}
}

/* The true rate error of clock c now, ppb: what it gains per second. */
static double rate_ppb(const struct world *w, int c)
{
	return (c == SC_SYS ? w->sys.mono.rate : w->phc[c].lc.rate) * 1e9;
}

/* The exit lines of the summary (tests/sim/README.md), then close it. */
static void summary_exit(struct world *w)
{
	locale_t old;
	int c;

	if (!w->summary)
		return;
	old = uselocale(c_locale());
	for (c = 0; c < w->nclocks; c++) {
		fprintf(w->summary, "exit %s rate_ppb %.3f", w->sc.clocks[c].name,
			rate_ppb(w, c));
		if (c == SC_SYS)
			fprintf(w->summary, " tick %ld freq_ppm %.6f", w->sys.k.tick,
				(double)w->sys.k.freq / 65536.0);
		fprintf(w->summary, "\n");
	}
	uselocale(old);
	fclose(w->summary);
	w->summary = NULL;
}
