/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A clock's source, made from its section: a local clock (phc:, or
 * CLOCK_REALTIME), the PHC ptp4l disciplines, a bond's active member, or
 * NTP servers. Moved out of gnomond.c, which kept growing a kind at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/bond/bond_setup.h"
#include "daemon/log.h"
#include "daemon/source/source_ntp.h"
#include "daemon/source/source_ptp4l.h"
#include "daemon/source_make.h"

/* source = ptp4l[:PATH]: the reference is found from ptp4l's answers, at
 * run time; our end of the socket lives in state_dir (as pmc's in /var/run). */
static struct source *make_ptp4l(struct gnomond *g, const struct clock_conf *cc, int i,
				 const char *where, int *r)
{
	char local[CONF_PATH_MAX + 32];
	struct source_ptp4l_params p = {
		.spec = cc->source, .server = conf_ptp4l_path(cc->source), .local = local,
		.name = cc->name, .domain = (uint8_t)cc->ptp4l_domain, .samples = cc->samples,
		.lock_threshold_ns = (int64_t)(cc->lock_threshold_s * 1e9),
		.step_detect_ns = (int64_t)(cc->recovery_threshold_s * 1e9) > 1000 ?
				  (int64_t)(cc->recovery_threshold_s * 1e9) : 1000,
		.dry_run = g->dry_run,
	};
	struct source *s;

	snprintf(local, sizeof(local), "%s/pmc.%d.%d", g->conf.state_dir, (int)getpid(), i);
	s = source_ptp4l_create(g->loop, &p, r);
	if (!s)
		pr_err("%s: cannot talk to ptp4l at %s from %s: %s", where, p.server, local,
		       strerror(-*r));
	return s;
}

/* A bond source starts on the active member's PHC (itself, if it leads). */
static struct source *make_bond_source(struct gnomond *g, const struct clock_conf *cc)
{
	struct source *s = source_phc_create(cc->source, bond_setup_reference(g, cc), cc->samples);

	if (s)
		s->follows_bond = true;
	return s;
}

/* source = ntp: the section's server lines */
static struct source *make_ntp(struct gnomond *g, const struct clock_conf *cc,
			       struct clock *target, int *r)
{
	struct source_ntp_server srv[CONF_NTP_MAX];

	for (int j = 0; j < cc->n_ntp; j++)
		srv[j] = (struct source_ntp_server){ cc->ntp[j].addr, cc->ntp[j].iburst,
						     cc->ntp[j].minpoll, cc->ntp[j].maxpoll };
	return source_ntp_create(g->loop, target, cc->name, srv, cc->n_ntp, r);
}

struct source *gnomond_make_source(struct gnomond *g, const struct clock_conf *cc, int i,
				   struct clock *target, const char *where, int *r)
{
	const char *refname;
	struct clock *ref;

	if (conf_is_ptp4l_source(cc->source))
		return make_ptp4l(g, cc, i, where, r);
	if (bond_source_name(cc->source))
		return make_bond_source(g, cc);
	if (conf_is_ntp_source(cc->source))
		return make_ntp(g, cc, target, r);
	refname = source_clock_name(cc->source);	/* checked by the config */
	ref = clockreg_get(g->clocks, refname, r);
	if (!ref) {
		pr_err("%s: cannot open source %s: %s", where, refname, strerror(-*r));
		return NULL;
	}
	if (ref == target) {
		pr_err("%s: %s is its own source", where, cc->name);
		*r = -EINVAL;
		return NULL;
	}
	return source_phc_create(cc->source, ref, cc->samples);
}
