/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "ptp4l" source: ptp4l's view (pmc_client.c) -> the reference clock
 * of its SLAVE port -> a "phc" comparison against it; fitness, the chain's
 * offset and the events for the recovery tracker from what ptp4l says.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/source/source_ptp4l.h"

#define NS_PER_S	1000000000LL
#define STATUS_MAX_AGE	(4 * NS_PER_S)
#define QLEN		8

struct ptp4l_src {
	struct source base;		/* first: the generic part */
	struct source_ptp4l_params p;
	char name[64];
	struct loop *loop;
	struct pmc_client *pmc;
	struct clock *ref;		/* owned */
	char ref_name[PMC_IFACE_MAX];
	struct source *cmp;		/* a "phc" source over ref */
	/* change detection */
	bool was_slave, have_gm, have_mo;
	uint8_t last_state;
	uint8_t gm[8];
	int64_t mo;
	uint64_t mo_count;
	struct source_event q[QLEN];
	int qh, qn;
	char why[96];
};

static struct ptp4l_src *P(const struct source *s)
{
	return (struct ptp4l_src *)(uintptr_t)s;
}

static void push(struct ptp4l_src *x, enum source_event_kind k, int64_t v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void push(struct ptp4l_src *x, enum source_event_kind k, int64_t v, const char *fmt, ...)
{
	struct source_event *e;
	va_list ap;

	if (x->qn == QLEN) {	/* keep the newest */
		x->qh = (x->qh + 1) % QLEN;
		x->qn--;
	}
	e = &x->q[(x->qh + x->qn++) % QLEN];
	e->kind = k;
	e->value_ns = v;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

/* The grandmaster, while there is one (a LISTENING port's parent data
 * set names the local clock itself, and gmPresent is 0 then). */
static const uint8_t *gm_of(const struct ptp4l_view *v)
{
	if (!v->have_status || !v->status.gm_present)
		return NULL;
	return v->have_parent ? v->parent.gm_identity : v->status.gm_identity;
}

static void watch_gm(struct ptp4l_src *x, const struct ptp4l_view *v)
{
	const uint8_t *gm = gm_of(v);
	char a[24], b[24];

	if (!gm || !memcmp(gm, "\0\0\0\0\0\0\0\0", 8))
		return;
	if (x->have_gm && memcmp(gm, x->gm, 8))
		push(x, SOURCE_EV_GM_CHANGE, 0, "grandmaster changed from %s to %s",
		     ptp_clock_id_str(x->gm, a, sizeof(a)), ptp_clock_id_str(gm, b, sizeof(b)));
	memcpy(x->gm, gm, 8);
	x->have_gm = true;
}

static void watch_offset(struct ptp4l_src *x, const struct ptp4l_view *v)
{
	int64_t mo = v->status.master_offset_ns, jump;

	uint8_t st = v->active >= 0 ? v->ports[v->active].state : 0;

	if (v->status_count == x->mo_count)
		return;
	x->mo_count = v->status_count;
	/* a port that is not synchronised measures nothing: no jump to see */
	if (!v->status.gm_present || (st != PTP_PS_SLAVE && st != PTP_PS_UNCALIBRATED)) {
		x->have_mo = false;
		return;
	}
	jump = mo - x->mo;
	if (x->have_mo && x->p.step_detect_ns > 0 &&
	    (jump >= x->p.step_detect_ns || jump <= -x->p.step_detect_ns))
		push(x, SOURCE_EV_REF_STEP, jump, "ptp4l's master offset jumped from %+" PRId64
		     " ns to %+" PRId64 " ns (ptp4l stepped the reference)", x->mo, mo);
	x->mo = mo;
	x->have_mo = true;
}

static void watch_port(struct ptp4l_src *x, const struct ptp4l_view *v)
{
	bool slave = v->active >= 0 && v->ports[v->active].state == PTP_PS_SLAVE;
	uint8_t st = v->active >= 0 ? v->ports[v->active].state : 0;

	if (st != x->last_state)
		pr_info("%s: ptp4l port %u: %s -> %s", x->name,
			v->active >= 0 ? v->ports[v->active].id.port : 0,
			x->last_state ? ptp_port_state_name(x->last_state) : "(none)",
			st ? ptp_port_state_name(st) : "(none)");
	x->last_state = st;

	if (x->was_slave && !slave)
		push(x, SOURCE_EV_PORT_LEFT, 0, "ptp4l's port left SLAVE (now %s)",
		     v->active >= 0 ? ptp_port_state_name(v->ports[v->active].state) : "gone");
	x->was_slave = slave;
}

static void on_change(void *arg, unsigned ch, const struct ptp4l_view *v)
{
	struct ptp4l_src *x = arg;

	if (ch & (PMC_CHANGE_PARENT | PMC_CHANGE_STATUS))
		watch_gm(x, v);
	if (ch & (PMC_CHANGE_PORT | PMC_CHANGE_DOWN))
		watch_port(x, v);
	if (ch & PMC_CHANGE_STATUS)
		watch_offset(x, v);
	if (ch & PMC_CHANGE_DOWN)
		x->have_mo = false;	/* a restarted ptp4l starts afresh */
}

static void drop_ref(struct ptp4l_src *x)
{
	source_destroy(x->cmp);
	clock_close(x->ref);
	x->cmp = NULL;
	x->ref = NULL;
	x->base.ref = NULL;
}

/* The clock ptp4l disciplines for the picked port: its PHC, or
 * CLOCK_REALTIME with software time stamping. */
static int find_ref(struct ptp4l_src *x, const struct ptp4l_view *v, struct clock *target)
{
	const struct pmc_port *pt;
	const char *want;
	int r = 0;

	if (v->active < 0)
		return -EAGAIN;
	pt = &v->ports[v->active];
	if (pt->timestamping == 0xff || (pt->timestamping != PTP_TS_SOFTWARE && !pt->iface[0]))
		return -EAGAIN;		/* PORT_PROPERTIES_NP not in yet */
	want = pt->timestamping == PTP_TS_SOFTWARE ? "CLOCK_REALTIME" : pt->iface;
	if (x->ref && !strcmp(x->ref_name, want))
		return 0;
	if (x->ref)
		push(x, SOURCE_EV_REF_CHANGE, 0, "reference changed from %s to %s (port %u)",
		     x->ref_name, want, pt->id.port);
	drop_ref(x);
	x->ref = clock_open(want, &r);
	if (!x->ref)
		return r;
	if (clock_kind(x->ref) == clock_kind(target) &&
	    clock_phc_index(x->ref) == clock_phc_index(target) && !x->p.dry_run) {
		drop_ref(x);
		return -ELOOP;	/* ptp4l disciplines this very clock */
	}
	x->cmp = source_phc_create(x->base.spec, x->ref, x->p.samples);
	if (!x->cmp) {
		drop_ref(x);
		return -ENOMEM;
	}
	snprintf(x->ref_name, sizeof(x->ref_name), "%s", want);
	x->base.ref = x->ref;
	pr_info("%s: following %s, the clock of ptp4l's port %u (%s, %s)", x->name, want,
		pt->id.port, pt->iface[0] ? pt->iface : "?", ptp_port_state_name(pt->state));
	return 0;
}

static int ptp4l_measure(struct source *s, struct clock *target, struct source_sample *out)
{
	struct ptp4l_src *x = P(s);
	const struct ptp4l_view *v = pmc_client_view(x->pmc);
	int r;

	if (!v->up)	/* asked, no answer yet (the client's timeout says when it is a fault) */
		return v->last_error ? v->last_error : v->replies ? -ENOTCONN : -EINPROGRESS;
	r = find_ref(x, v, target);
	if (r < 0)
		return r;
	r = source_measure(x->cmp, target, out);
	out->ref_utc = clock_kind(x->ref) == CLOCK_KIND_SYSTEM;
	return r;
}

static void ptp4l_health(struct source *s, struct source_health *h)
{
	struct ptp4l_src *x = P(s);
	const struct ptp4l_view *v = pmc_client_view(x->pmc);
	int64_t age = loop_now(x->loop) - v->status_mono_ns;
	uint8_t st = v->active >= 0 ? v->ports[v->active].state : 0;
	bool fresh = v->have_status && age <= STATUS_MAX_AGE;

	h->chain_known = v->up && fresh && v->status.gm_present &&
			 (st == PTP_PS_SLAVE || st == PTP_PS_UNCALIBRATED);
	h->chain_ns = v->status.master_offset_ns;
	if (!v->up)
		snprintf(x->why, sizeof(x->why), "ptp4l not answering");
	else if (st != PTP_PS_SLAVE)
		snprintf(x->why, sizeof(x->why), "ptp4l port %s", st ? ptp_port_state_name(st) :
			 "unknown");
	else if (!fresh)
		snprintf(x->why, sizeof(x->why), "no TIME_STATUS_NP from ptp4l for %.0f s",
			 v->have_status ? (double)age / NS_PER_S : 0.0);
	else if (!v->status.gm_present)
		snprintf(x->why, sizeof(x->why), "no grandmaster");
	else if (llabs(v->status.master_offset_ns) > x->p.lock_threshold_ns)
		snprintf(x->why, sizeof(x->why), "ptp4l's master offset %+.3f us above "
			 "lock_threshold", v->status.master_offset_ns / 1e3);
	else
		return;
	h->unfit = x->why;
}

static bool ptp4l_next_event(struct source *s, struct source_event *ev)
{
	struct ptp4l_src *x = P(s);

	if (!x->qn)
		return false;
	*ev = x->q[x->qh];
	x->qh = (x->qh + 1) % QLEN;
	x->qn--;
	return true;
}

static void ptp4l_destroy(struct source *s)
{
	struct ptp4l_src *x = P(s);

	pmc_client_destroy(x->pmc);
	drop_ref(x);
	free(x);
}

static const struct source_ops ptp4l_ops = {
	.kind = "ptp4l",
	.measure = ptp4l_measure,
	.destroy = ptp4l_destroy,
	.health = ptp4l_health,
	.next_event = ptp4l_next_event,
};

struct source *source_ptp4l_create(struct loop *l, const struct source_ptp4l_params *p,
				   int *err)
{
	struct ptp4l_src *x = calloc(1, sizeof(*x));
	struct pmc_client_params cp = {
		.server = p->server, .local = p->local, .domain = p->domain,
		.poll_ns = NS_PER_S, .timeout_ns = 3 * NS_PER_S, .subscribe_s = 60,
	};

	if (!x) {
		*err = -ENOMEM;
		return NULL;
	}
	x->base.ops = &ptp4l_ops;
	snprintf(x->base.spec, sizeof(x->base.spec), "%s", p->spec);
	snprintf(x->name, sizeof(x->name), "%s", p->name ? p->name : "ptp4l");
	x->base.samples = p->samples;
	x->p = *p;
	x->loop = l;
	cp.name = x->name;
	x->pmc = pmc_client_create(l, &cp, on_change, x, err);
	if (!x->pmc) {
		free(x);
		return NULL;
	}
	return &x->base;
}

const struct ptp4l_view *source_ptp4l_view(const struct source *s)
{
	return s && s->ops == &ptp4l_ops ? pmc_client_view(P(s)->pmc) : NULL;
}

const char *source_ptp4l_ref(const struct source *s)
{
	return s && s->ops == &ptp4l_ops ? P(s)->ref_name : "";
}
