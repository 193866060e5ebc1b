/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a discipline does with a source that knows more than offsets
 * (ptp4l): its events become recovery events, its fitness gates LOCKED,
 * its chain offset (the reference's own master offset) is added for the
 * recovery tracker, and the grandmaster's word on TAI - UTC and leap
 * seconds (TIME_PROPERTIES_DATA_SET) is kept in a leap table of its own,
 * cross-checked with the leap file, and used per leap_authority.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon/discipline/discipline_priv.h"
#include "daemon/leap/leapfile.h"
#include "daemon/log.h"
#include "phc/systime.h"
#include "daemon/source/source_ptp4l.h"

#define DAY_S		86400LL
#define LEAP_HISTORY_S	(2 * DAY_S)	/* an announced leap is kept this long after it */
#define LEAP_LATE_S	(DAY_S / 2)	/* flags still up this long after it: the same leap */

int disc_ptp_init(struct discipline *d)
{
	d->leaps = d->env.leaps;
	d->leap_source = "file";
	if (!source_ptp4l_view(d->src))
		return 0;
	d->chain_applies = true;
	d->ptp_leaps = leaptable_create();
	return d->ptp_leaps ? 0 : -ENOMEM;
}

void disc_ptp_destroy(struct discipline *d)
{
	leaptable_destroy(d->ptp_leaps);
	d->ptp_leaps = NULL;
}

static enum recovery_kind event_kind(enum source_event_kind k)
{
	switch (k) {
	case SOURCE_EV_REF_STEP: return RECOVERY_STEP;
	case SOURCE_EV_REF_CHANGE: return RECOVERY_FAILOVER;
	case SOURCE_EV_GM_CHANGE:
	case SOURCE_EV_PORT_LEFT: break;
	}
	return RECOVERY_SOURCE_CHANGE;
}

static int disc_ptp_leaps(struct discipline *d, int64_t ref_ns);

void disc_ptp_update(struct discipline *d, int64_t now, const struct source_sample *s)
{
	const struct ptp4l_view *v = source_ptp4l_view(d->src);
	int64_t tai_ns = s->ref_ns;
	struct source_health h;
	struct source_event ev;

	while (source_next_event(d->src, &ev)) {
		struct recovery_status rs;

		recovery_status(d->rec, &rs);
		pr_notice("%s: %s%s", d->cc.name, ev.text, rs.active ?
			  " (part of the recovery in progress)" : "");
		disc_audit(d, AUDIT_SOURCE_SWITCHED, AKV_STR("reason",
			   ev.kind == SOURCE_EV_GM_CHANGE ? "gm_change" :
			   ev.kind == SOURCE_EV_REF_STEP ? "ptp4l_step" :
			   ev.kind == SOURCE_EV_PORT_LEFT ? "port_left_slave" : "reference_changed"));
		/* a disturbance while the chain still recovers is part of that
		 * recovery (the start's ends when the whole chain is in); the
		 * offset right after is not known yet: the next chain sample is */
		if (d->started && !rs.active)
			disc_report_event(d, event_kind(ev.kind), now, RECOVERY_OFFSET_UNKNOWN);
	}
	source_health(d->src, &h);
	if (h.unfit && strcmp(h.unfit, d->unfit))
		pr_notice("%s: not LOCKED: %s", d->cc.name, h.unfit);
	else if (!h.unfit && d->unfit[0])
		pr_info("%s: %s is fit again (%s cleared)", d->cc.name, d->src->spec, d->unfit);
	snprintf(d->unfit, sizeof(d->unfit), "%s", h.unfit ? h.unfit : "");
	d->chain_known = h.chain_known;
	d->chain_ns = h.chain_ns;
	if (!v)
		return;
	/* the grandmaster's leap word on the reference's TAI time */
	if (s->ref_utc)
		tai_ns += (int64_t)v->tprops.utc_offset * NS_PER_S;
	d->leap_verdict = disc_ptp_leaps(d, tai_ns);
}

/* The grandmaster's word as a table: its currentUtcOffset, and its leap
 * at the end of the current UTC day (IEEE 1588 8.2.4.3: leap61/leap59
 * refer to the last minute of the current UTC day). */
static void refresh_ptp_table(struct discipline *d, const struct pmc_time_props *tp,
			      bool valid, int64_t ref_ns)
{
	int64_t utc_s = ref_ns / NS_PER_S - tp->utc_offset;
	int delta = tp->flags & PTP_TP_LEAP61 ? 1 : tp->flags & PTP_TP_LEAP59 ? -1 : 0;
	int64_t day = utc_s >= 0 ? utc_s / DAY_S : (utc_s - DAY_S + 1) / DAY_S;
	int64_t next = 0;
	int nd = 0;
	char msg[256];

	leaptable_set_base(d->ptp_leaps, valid, tp->utc_offset);
	if (!valid) {
		leaptable_withdraw_announcement(d->ptp_leaps, LEAP_ORIGIN_PTP);
		return;
	}
	/* a grandmaster may still say leap61 (and the old offset) a moment after
	 * the leap: that is the leap just past, not one more tomorrow */
	if (delta && leaptable_next_leap(d->ptp_leaps, utc_s - LEAP_LATE_S, &next, &nd) == 0 &&
	    next <= utc_s)
		return;
	if (delta) {
		char date[32];

		if (leaptable_add_announcement(d->ptp_leaps, LEAP_ORIGIN_PTP, (day + 1) * DAY_S,
					       delta, tp->utc_offset + delta, msg, sizeof(msg)) == 1)
			pr_notice("%s: the grandmaster announces a leap second %s at the end of "
				  "%s (TAI-UTC %d -> %d s)", d->cc.name,
				  delta > 0 ? "insertion" : "deletion",
				  leap_date_str(day * DAY_S, date, sizeof(date)), tp->utc_offset,
				  tp->utc_offset + delta);
		return;
	}
	/* no leap flagged: forget one still ahead (withdrawn) or long past;
	 * keep a recent one (the smear and step policies act after the leap) */
	if (leaptable_next_leap(d->ptp_leaps, utc_s - LEAP_HISTORY_S, &next, &nd) < 0 ||
	    next > utc_s)
		leaptable_withdraw_announcement(d->ptp_leaps, LEAP_ORIGIN_PTP);
}

/* Does the file say what the grandmaster says, today? "" if so. */
static void cross_check(const struct discipline *d, const struct pmc_time_props *tp,
			int64_t ref_ns, char *msg, size_t len)
{
	int64_t utc_s = ref_ns / NS_PER_S - tp->utc_offset, L = 0;
	int ptp_delta = tp->flags & PTP_TP_LEAP61 ? 1 : tp->flags & PTP_TP_LEAP59 ? -1 : 0;
	int file_tai = 0, fd = 0, file_delta = 0;

	msg[0] = '\0';
	if (leaptable_tai_offset(d->env.leaps, utc_s, &file_tai) < 0)
		return;
	if (leaptable_next_leap(d->env.leaps, utc_s, &L, &fd) == 0 && L - utc_s <= DAY_S)
		file_delta = fd;
	if (file_tai != tp->utc_offset)
		snprintf(msg, len, "TAI-UTC: the leap file says %d s, the grandmaster %d s",
			 file_tai, tp->utc_offset);
	else if (file_delta != ptp_delta)
		snprintf(msg, len, "leap second at the end of today: the leap file says %+d, "
			 "the grandmaster %+d", file_delta, ptp_delta);
}

static const struct leaptable *choose(struct discipline *d, bool ptp_ok, bool traceable,
				      bool file_ok, const char *conflict)
{
	switch (d->cc.leap_authority) {
	case LEAP_AUTH_FILE:
		return file_ok || !ptp_ok ? d->env.leaps : d->ptp_leaps;
	case LEAP_AUTH_PTP:
		return ptp_ok ? d->ptp_leaps : d->env.leaps;
	case LEAP_AUTH_BOTH:
		if (conflict[0])
			return NULL;
		return file_ok || !ptp_ok ? d->env.leaps : d->ptp_leaps;
	}
	return ptp_ok && (traceable || !file_ok) ? d->ptp_leaps : d->env.leaps;
}

static void report_conflict(struct discipline *d, const char *msg, const struct leaptable *use)
{
	if (!strcmp(msg, d->leap_conflict))
		return;
	snprintf(d->leap_conflict, sizeof(d->leap_conflict), "%s", msg);
	if (!msg[0])
		return;
	pr_warn("%s: %s; following %s (leap_authority %s)", d->cc.name, msg,
		!use ? "neither: both must agree" : use == d->ptp_leaps ? "the grandmaster" :
		"the leap file", d->cc.leap_authority == LEAP_AUTH_AUTO ? "auto" :
		d->cc.leap_authority == LEAP_AUTH_FILE ? "file" :
		d->cc.leap_authority == LEAP_AUTH_PTP ? "ptp" : "both-must-agree");
	disc_audit(d, AUDIT_LEAP_POLICY, AKV_STR("conflict", msg));
}

static int disc_ptp_leaps(struct discipline *d, int64_t ref_ns)
{
	const struct ptp4l_view *v = source_ptp4l_view(d->src);
	const struct pmc_time_props *tp = v ? &v->tprops : NULL;
	const struct leaptable *use;
	bool ptp_ok, file_ok;
	char conflict[192] = "";

	if (!d->ptp_leaps)
		return 0;
	ptp_ok = v->have_tprops && (tp->flags & PTP_TP_UTC_VALID) &&
		 (tp->flags & PTP_TP_PTP_TIMESCALE);
	file_ok = leaptable_loaded(d->env.leaps) &&
		  leaptable_expiry_state(d->env.leaps, ref_ns / NS_PER_S - tp->utc_offset) !=
		  LEAP_EXPIRED;
	refresh_ptp_table(d, tp, ptp_ok, ref_ns);
	if (ptp_ok && file_ok)
		cross_check(d, tp, ref_ns, conflict, sizeof(conflict));
	use = choose(d, ptp_ok, tp->flags & PTP_TP_TIME_TRACEABLE, file_ok, conflict);
	report_conflict(d, conflict, use);
	if (use == d->ptp_leaps && !file_ok && !d->warned_expired) {
		pr_warn("%s: %s: following the grandmaster's TAI-UTC (%d s) and leap flags",
			d->cc.name, leaptable_loaded(d->env.leaps) ? "the leap file has expired" :
			"no leap file", tp->utc_offset);
		d->warned_expired = true;
	}
	d->leaps = use ? use : d->env.leaps;
	d->leap_source = !use ? "none" : use == d->ptp_leaps ? "ptp" : "file";
	return use ? 0 : -EPROTO;
}

static int leap_within_day(const struct leaptable *t, int64_t utc_s, int64_t *when)
{
	int64_t L = 0;
	int delta = 0;

	if (leaptable_next_leap(t, utc_s, &L, &delta) < 0 || L - utc_s > DAY_S)
		return 0;
	if (when)
		*when = L;
	return delta;
}

void disc_ptp_status(const struct discipline *d, struct disc_ptp_status *p)
{
	const struct ptp4l_view *v = source_ptp4l_view(d->src);
	const struct pmc_port *pt;
	int64_t utc_s;
	uint8_t f;

	memset(p, 0, sizeof(*p));
	p->port_state = "";
	if (!v)
		return;
	p->present = true;
	p->up = v->up;
	if (v->active >= 0) {
		pt = &v->ports[v->active];
		p->port = pt->id.port;
		p->port_state = ptp_port_state_name(pt->state);
		p->port_state_num = pt->state;
		snprintf(p->iface, sizeof(p->iface), "%s", pt->iface);
	}
	snprintf(p->reference, sizeof(p->reference), "%s", source_ptp4l_ref(d->src));
	p->have_status = v->have_status;
	p->gm_present = v->have_status && v->status.gm_present;
	if (p->gm_present)
		ptp_clock_id_str(v->have_parent ? v->parent.gm_identity : v->status.gm_identity,
				 p->gm_identity, sizeof(p->gm_identity));
	p->master_offset_ns = v->status.master_offset_ns;
	p->have_tprops = v->have_tprops;
	f = v->tprops.flags;
	p->utc_offset_s = v->tprops.utc_offset;
	p->utc_valid = f & PTP_TP_UTC_VALID;
	p->ptp_timescale = f & PTP_TP_PTP_TIMESCALE;
	p->time_traceable = f & PTP_TP_TIME_TRACEABLE;
	p->freq_traceable = f & PTP_TP_FREQ_TRACEABLE;
	p->leap61 = f & PTP_TP_LEAP61;
	p->leap59 = f & PTP_TP_LEAP59;
	p->leap_source = d->leap_source ? d->leap_source : "file";
	utc_s = systime_realtime_ns() / NS_PER_S;
	p->ptp_leap = leap_within_day(d->ptp_leaps, utc_s, &p->ptp_leap_utc_s);
	p->file_leap = leaptable_loaded(d->env.leaps) ? leap_within_day(d->env.leaps, utc_s, NULL) : 0;
	snprintf(p->conflict, sizeof(p->conflict), "%s", d->leap_conflict);
	p->malformed = v->malformed;
	p->reconnects = v->reconnects;
}
