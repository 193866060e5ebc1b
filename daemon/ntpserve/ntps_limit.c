/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate limiting and refusal reporting of the NTP server (ntps_limit.h).
 * The client table is set-associative: a client's address hashes to a
 * set of NTPS_RATE_WAYS slots; a new client takes a free one, else the
 * one heard from least recently. A client forgotten that way starts again
 * with a full bucket, which only errs on the side of answering.
 */
#include <string.h>

#include "daemon/ntpserve/ntps_limit.h"

#define MINUTE_NS	60000000000LL

void ntps_rate_init(struct ntps_rate *r, int64_t interval_ns, int burst)
{
	memset(r, 0, sizeof(*r));
	r->interval_ns = interval_ns;
	r->burst = burst > 0 ? burst : 1;
}

static uint64_t hash(const struct ntps_net *n)
{
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 16; i++)
		h = (h ^ n->a[i]) * 1099511628211ULL;
	return (h ^ (uint64_t)n->family) * 1099511628211ULL;
}

static bool same(const struct ntps_net *x, const struct ntps_net *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, sizeof(x->a));
}

static struct ntps_rate_slot *slot_of(struct ntps_rate *r, const struct ntps_net *who)
{
	size_t set = (size_t)(hash(who) % (NTPS_RATE_SLOTS / NTPS_RATE_WAYS)) * NTPS_RATE_WAYS;
	struct ntps_rate_slot *s = &r->slot[set], *pick = NULL;

	for (int i = 0; i < NTPS_RATE_WAYS; i++)
		if (s[i].who.family && same(&s[i].who, who))
			return &s[i];
	for (int i = 0; i < NTPS_RATE_WAYS; i++)
		if (!pick || !s[i].who.family ||
		    (pick->who.family && s[i].last_ns < pick->last_ns))
			pick = &s[i];
	memset(pick, 0, sizeof(*pick));
	pick->who = *who;
	pick->tokens = r->burst;
	return pick;
}

enum ntps_rate_verdict ntps_rate_check(struct ntps_rate *r, const struct ntps_net *who,
				       int64_t now_ns)
{
	struct ntps_rate_slot *s;
	bool fresh;

	if (r->interval_ns <= 0)
		return NTPS_ANSWER;
	s = slot_of(r, who);
	fresh = s->last_ns == 0;
	if (!fresh && now_ns > s->last_ns)
		s->tokens += (double)(now_ns - s->last_ns) / (double)r->interval_ns;
	if (s->tokens > r->burst)
		s->tokens = r->burst;
	s->last_ns = now_ns;
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
		return NTPS_ANSWER;
	}
	if (s->last_kod_ns && now_ns - s->last_kod_ns < r->interval_ns)
		return NTPS_DROP;
	s->last_kod_ns = now_ns;
	return NTPS_KOD;
}

bool ntps_refusal_say(struct ntps_refusals *r, const struct ntps_net *who, int64_t now_ns,
		      struct ntps_net *net, long *unsaid)
{
	ntps_net_cut(who, who->family == AF_INET ? 24 : 64, net);
	for (int i = 0; i < r->n; i++)
		if (same(&r->said[i], net) && r->said[i].len == net->len)
			return false;
	if (now_ns - r->window_ns >= MINUTE_NS || r->window_ns == 0) {
		r->window_ns = now_ns;
		r->lines = 0;
	}
	if (r->lines >= NTPS_REFUSAL_LINES) {
		r->unsaid++;
		return false;
	}
	r->lines++;
	r->said[r->next] = *net;
	r->next = (r->next + 1) % NTPS_REFUSED_NETS;
	if (r->n < NTPS_REFUSED_NETS)
		r->n++;
	*unsaid = r->unsaid;
	r->unsaid = 0;
	return true;
}
