// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A played ptp4l inside the simulator: a real Unix datagram socket at the
 * play file's path, answered on the program's own thread whenever it
 * waits (vt_poll), from the simulated world at that virtual instant. It
 * answers GET PORT_PROPERTIES_NP, PORT_DATA_SET, TIME_STATUS_NP,
 * PARENT_DATA_SET, TIME_PROPERTIES_DATA_SET and SET SUBSCRIBE_EVENTS_NP
 * as ptp4l does (daemon/source/pmc_build.c); it sends no notifications
 * (gnomond polls every second anyway). The master offset is the true
 * offset of the play's PHC against TAI: what a perfect ptp4l would
 * measure. Enabled by GNOMON_SIM_PTP4L=PLAYFILE, lines (times in true
 * seconds since the start, in order):
 *
 *   socket PATH            ptp4l's uds_address
 *   iface NAME             the port's interface (a scenario interface)
 *   phc ptpN               the clock whose true offset is the master offset
 *   utc_offset N           currentUtcOffset (default 37)
 *   at T state STATE       LISTENING, UNCALIBRATED, SLAVE, ... (default LISTENING)
 *   at T gm ID             grandmaster identity (16 hex digits); none: no GM
 *   at T flags HEX         TIME_PROPERTIES_DATA_SET flags (leap61 0x01, ...)
 *   at T utc_offset N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/source/pmc_msg.h"
#include "tests/sim/ptp4lplay.h"
#include "tests/sim/simlog.h"

#define PLAY_MAX	128

struct play_ev {
	int64_t at_ns;
	enum { EV_STATE, EV_GM, EV_FLAGS, EV_UTC } kind;
	unsigned v;
	uint8_t gm[8];
};

static struct {
	bool on;
	int fd;
	char path[108], iface[64];
	int clock;			/* scenario clock of the PHC */
	struct play_ev ev[PLAY_MAX];
	int nev;
	uint8_t state, flags;
	int utc;
	bool gm_present;
	uint8_t gm[8];
} P = { .fd = -1, .state = PTP_PS_LISTENING, .utc = 37 };

static const struct pmc_hdr me = {
	.source = { { 0x02, 0x50, 0x4c, 0xff, 0xfe, 0x41, 0x59, 0x01 }, 1 },
};

static void fatal(const char *msg)
{
	sim_log("%s", msg);
	_exit(2);
}

static int parse_state(const char *s)
{
	for (unsigned i = 1; i <= PTP_PS_MAX; i++)
		if (!strcmp(s, ptp_port_state_name(i)))
			return (int)i;
	return -1;
}

static int parse_gm(const char *s, uint8_t gm[8])
{
	unsigned long long v;
	char *end;

	if (!strcmp(s, "none"))
		return 0;
	v = strtoull(s, &end, 16);
	if (*end || strlen(s) != 16)
		return -1;
	for (int i = 0; i < 8; i++)
		gm[i] = (uint8_t)(v >> (56 - 8 * i));
	return 1;
}

static void bad(const char *file, int line, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s:%d: %s", file, line, why);
	fatal(msg);
}

static void parse_line(struct world *w, const char *file, int n, char *l)
{
	char k[32], a[64], b[64];
	double t;
	struct play_ev *e;

	if (sscanf(l, "%31s %63s", k, a) != 2 || k[0] == '#')
		return;
	if (!strcmp(k, "socket"))
		snprintf(P.path, sizeof(P.path), "%s", a);
	else if (!strcmp(k, "iface"))
		snprintf(P.iface, sizeof(P.iface), "%s", a);
	else if (!strcmp(k, "phc") && (P.clock = scenario_clock(&w->sc, a)) < 0)
		bad(file, n, "phc: not a clock of the scenario");
	else if (!strcmp(k, "utc_offset"))
		P.utc = atoi(a);
	else if (!strcmp(k, "at")) {
		if (P.nev == PLAY_MAX || sscanf(l, "at %lf %31s %63s", &t, a, b) != 3)
			bad(file, n, "expected: at SECONDS state|gm|flags|utc_offset VALUE");
		e = &P.ev[P.nev++];
		e->at_ns = (int64_t)(t * 1e9);
		if (!strcmp(a, "state") && (e->v = (unsigned)parse_state(b)) <= PTP_PS_MAX)
			e->kind = EV_STATE;
		else if (!strcmp(a, "gm") && (int)(e->v = (unsigned)parse_gm(b, e->gm)) >= 0)
			e->kind = EV_GM;
		else if (!strcmp(a, "flags"))
			e->kind = EV_FLAGS, e->v = (unsigned)strtoul(b, NULL, 16);
		else if (!strcmp(a, "utc_offset"))
			e->kind = EV_UTC, e->v = (unsigned)atoi(b);
		else
			bad(file, n, "unknown or bad event");
	} else if (strcmp(k, "phc"))
		bad(file, n, "unknown key");
}

void ptp4l_play_init(struct sim *s, const char *file)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[256];
	FILE *f;
	int n = 0, fd;

	if (!file || !*file)
		return;
	P.clock = -1;
	if (!(f = fopen(file, "r")))
		fatal("GNOMON_SIM_PTP4L: cannot read the play file");
	while (fgets(line, sizeof(line), f))
		parse_line(s->w, file, ++n, line);
	fclose(f);
	if (!P.path[0] || P.clock < 0)
		bad(file, n, "a play needs socket and phc");
	fd = real.socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", P.path);
	unlink(P.path);
	if (fd < 0 || real.bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fatal("GNOMON_SIM_PTP4L: cannot bind the played ptp4l's socket");
	P.fd = real.fcntl(fd, F_DUPFD_CLOEXEC, SIM_HIGH_FD + 50);
	real.close(fd);
	P.on = true;
}

/* The schedule up to now. */
static void advance(const struct world *w)
{
	P.state = PTP_PS_LISTENING;
	P.gm_present = false;
	P.flags = 0;
	for (int i = 0; i < P.nev && P.ev[i].at_ns <= w->t - w->t0; i++) {
		const struct play_ev *e = &P.ev[i];

		if (e->kind == EV_STATE)
			P.state = (uint8_t)e->v;
		else if (e->kind == EV_GM) {
			P.gm_present = e->v == 1;
			memcpy(P.gm, e->gm, 8);
		} else if (e->kind == EV_FLAGS)
			P.flags = (uint8_t)e->v;
		else
			P.utc = (int)e->v;
	}
}

static void fill(const struct world *w, uint16_t id, union pmc_data *d)
{
	bool synced = P.gm_present && (P.state == PTP_PS_SLAVE || P.state == PTP_PS_UNCALIBRATED);

	memset(d, 0, sizeof(*d));
	switch (id) {
	case PMC_ID_PORT_PROPERTIES_NP:
		d->port_props.port = me.source;
		d->port_props.state = P.state;
		d->port_props.timestamping = PTP_TS_HARDWARE;
		snprintf(d->port_props.iface, sizeof(d->port_props.iface), "%s", P.iface);
		break;
	case PMC_ID_PORT_DATA_SET:
		d->port_ds.port = me.source;
		d->port_ds.state = P.state;
		d->port_ds.version = 2;
		break;
	case PMC_ID_TIME_STATUS_NP:
		/* a port that is not synchronised has measured nothing */
		d->time_status.master_offset_ns = synced ? (int64_t)world_offset(w, P.clock) : 0;
		d->time_status.gm_present = P.gm_present;
		memcpy(d->time_status.gm_identity, P.gm_present ? P.gm : me.source.clock, 8);
		break;
	case PMC_ID_PARENT_DATA_SET:
		memcpy(d->parent.gm_identity, P.gm_present ? P.gm : me.source.clock, 8);
		d->parent.gm_priority1 = d->parent.gm_priority2 = 128;
		break;
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		d->time_props.utc_offset = (int16_t)P.utc;
		d->time_props.flags = P.flags;
		break;
	}
}

void ptp4l_play_serve(struct sim *s)
{
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	uint8_t b[PMC_MSG_MAX];
	struct pmc_reply q;
	union pmc_data d;
	ssize_t n;

	if (!P.on)
		return;
	advance(s->w);
	while ((n = real.recvfrom(P.fd, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&from,
				  &fl)) > 0) {
		if (pmc_decode(b, (size_t)n, &q) == 0 && (q.action == PMC_GET || q.action == PMC_SET)) {
			if (q.id == PMC_ID_SUBSCRIBE_EVENTS_NP)
				d.subscribe = q.data.subscribe;
			else
				fill(s->w, q.id, &d);
			n = pmc_build_response(b, sizeof(b), &me, q.seq, &q.source, q.id, &d);
			if (n > 0)
				real.sendto(P.fd, b, (size_t)n, MSG_DONTWAIT,
					    (struct sockaddr *)&from, fl);
		}
		fl = sizeof(from);
	}
}
