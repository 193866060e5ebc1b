// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The network part of the scenario parser: "local_address", "host NAME"
 * blocks (addresses, path, NTP server keys) and the network events
 * (freq_jump/time_jump of a host's clock, route, outage, unreachable, kod).
 * Format: tests/sim/README.md, "The network".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/sim/scenario.h"
#include "tests/sim/scenario_int.h"

int sc_parse_addr(const char *s, struct sc_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

bool sc_addr_eq(const struct sc_addr *x, const struct sc_addr *y)
{
	return x->family == y->family &&
	       !memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16);
}

int sc_net_host(const struct sc_net *n, const char *s)
{
	struct sc_addr a;
	bool is_addr = sc_parse_addr(s, &a) == 0;
	int h, i;

	for (h = 0; h < n->nhosts; h++) {
		if (!strcmp(n->hosts[h].name, s))
			return h;
		for (i = 0; is_addr && i < n->hosts[h].naddr; i++)
			if (sc_addr_eq(&n->hosts[h].addr[i], &a))
				return h;
	}
	return -1;
}

void sc_net_defaults(struct sc_net *n)
{
	memset(n, 0, sizeof(*n));
}

static void host_defaults(struct sc_host *h)
{
	int d;

	memset(h, 0, sizeof(*h));
	for (d = 0; d < 2; d++)
		h->dir[d].reorder_ns = 1e6;
	h->ntp.stratum = 1;
	h->ntp.precision = -20;
	memcpy(h->ntp.refid, "GPS", 4);
	h->ntp.root_disp_ns = 10e3;
	h->ntp.proc_ns = 5e3;
	h->client.start_ns = 1e9;
	h->client.port = 123;
}

int sc_host_line(struct parser *p, int ntok, char **tok)
{
	struct sc_net *n = &p->sc->net;
	struct sc_host *h;

	if (ntok != 2)
		return fail(p, "host: expected 'host NAME'");
	if (strlen(tok[1]) >= SC_HOST_NAME)
		return fail(p, "host: name too long");
	if (!strcmp(tok[1], "all"))
		return fail(p, "host: 'all' names every host in events; pick another name");
	if (sc_net_host(n, tok[1]) >= 0 || scenario_clock(p->sc, tok[1]) >= 0)
		return fail(p, "host: %s declared twice (or the name of a clock)", tok[1]);
	if (n->nhosts >= SC_MAX_HOSTS)
		return fail(p, "host: more than %d", SC_MAX_HOSTS);
	h = &n->hosts[n->nhosts];
	host_defaults(h);
	snprintf(h->name, sizeof(h->name), "%s", tok[1]);
	h->line = p->line;
	p->cur_host = n->nhosts++;
	p->cur = -1;
	return 0;
}

static int add_addr(struct parser *p, const char *key, const char *s, struct sc_addr *arr,
		    int *n)
{
	if (*n >= SC_MAX_ADDRS)
		return fail(p, "%s: more than %d addresses", key, SC_MAX_ADDRS);
	if (sc_parse_addr(s, &arr[*n]))
		return fail(p, "%s: '%s' is not an IPv4 or IPv6 address", key, s);
	(*n)++;
	return 0;
}

int sc_local_line(struct parser *p, int ntok, char **tok)
{
	struct sc_net *n = &p->sc->net;

	if (ntok != 2)
		return fail(p, "local_address: expected 'local_address ADDR'");
	return add_addr(p, "local_address", tok[1], n->local, &n->nlocal);
}

/* A probability: "1%" or a fraction "0.01". */
static int get_prob(struct parser *p, const char *key, const char *s, double *v)
{
	char buf[64];
	size_t len = strlen(s);
	bool pct = len > 0 && s[len - 1] == '%';

	if (len >= sizeof(buf))
		return fail(p, "%s: bad probability '%s'", key, s);
	memcpy(buf, s, len + 1);
	if (pct)
		buf[len - 1] = '\0';
	if (get_num(p, key, buf, v))
		return -EINVAL;
	if (pct)
		*v /= 100.0;
	if (*v < 0 || *v > 1)
		return fail(p, "%s: '%s' is not a probability (0..1 or 0..100%%)", key, s);
	return 0;
}

/* "_out" / "_in" suffix: the directions a path key applies to. */
static void key_dirs(const char *key, const char *base, int *d0, int *d1)
{
	const char *suf = key + strlen(base);

	*d0 = 0;
	*d1 = 1;
	if (!strcmp(suf, "_out"))
		*d1 = 0;
	else if (!strcmp(suf, "_in"))
		*d0 = 1;
}

static bool key_is(const char *key, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(key, base, n) &&
	       (!key[n] || !strcmp(key + n, "_out") || !strcmp(key + n, "_in"));
}

static int path_key(struct parser *p, struct sc_host *h, int ntok, char **tok)
{
	const char *key = tok[0];
	int d0, d1, d;
	double v, x = 1e6;
	enum sc_jitter dist = SC_JIT_EXP;

	if (ntok < 2 || ntok > 3 || (ntok == 3 && !key_is(key, "jitter") &&
				     !key_is(key, "reorder")))
		return fail(p, "%s: expected '%s VALUE%s'", key, key,
			    key_is(key, "jitter") ? " [exp|normal]" :
			    key_is(key, "reorder") ? " [EXTRA_DELAY]" : "");
	if (key_is(key, "delay") || key_is(key, "jitter")) {
		if (get_time(p, key, tok[1], 1.0, &v))
			return -EINVAL;
		if (v < 0)
			return fail(p, "%s: must be >= 0", key);
	} else if (get_prob(p, key, tok[1], &v)) {
		return -EINVAL;
	}
	if (ntok == 3 && key_is(key, "jitter")) {
		if (strcmp(tok[2], "exp") && strcmp(tok[2], "normal"))
			return fail(p, "%s: distribution '%s' is not exp or normal", key, tok[2]);
		dist = tok[2][0] == 'n' ? SC_JIT_NORMAL : SC_JIT_EXP;
	}
	if (ntok == 3 && key_is(key, "reorder") &&
	    (get_time(p, key, tok[2], 1.0, &x) || x <= 0))
		return x <= 0 ? fail(p, "%s: the extra delay must be > 0", key) : -EINVAL;
	key_dirs(key, key_is(key, "delay") ? "delay" : key_is(key, "jitter") ? "jitter" :
		 key_is(key, "loss") ? "loss" : "reorder", &d0, &d1);
	for (d = d0; d <= d1; d++) {
		struct sc_path_dir *pd = &h->dir[d];

		if (key_is(key, "delay"))
			pd->delay_ns = v;
		else if (key_is(key, "jitter"))
			pd->jitter_ns = v, pd->dist = dist;
		else if (key_is(key, "loss"))
			pd->loss = v;
		else
			pd->reorder = v, pd->reorder_ns = x;
	}
	return 0;
}

static int get_refid(struct parser *p, const char *s, unsigned char *refid)
{
	struct sc_addr a;

	if (sc_parse_addr(s, &a) == 0 && a.family == AF_INET) {
		memcpy(refid, a.a, 4);
		return 0;
	}
	if (strlen(s) > 4)
		return fail(p, "refid: '%s' is neither an IPv4 address nor up to 4 characters", s);
	memset(refid, 0, 4);
	memcpy(refid, s, strlen(s));
	return 0;
}

static int get_leap(struct parser *p, const char *s, enum sc_leap_mode *m)
{
	static const char *const names[] = { "auto", "none", "insert", "delete", "alarm" };
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*m = (enum sc_leap_mode)i;
			return 0;
		}
	return fail(p, "leap: '%s' is not auto, none, insert, delete or alarm", s);
}

static int ntp_time_key(struct parser *p, struct sc_ntp *n, const char *key, const char *val)
{
	double v, *dst = !strcmp(key, "offset") ? &n->offset_ns :
			 !strcmp(key, "root_delay") ? &n->root_delay_ns :
			 !strcmp(key, "root_dispersion") ? &n->root_disp_ns :
			 !strcmp(key, "tx_delay") ? &n->tx_delay_ns : &n->proc_ns;

	if (get_time(p, key, val, 1.0, &v))
		return -EINVAL;
	if (dst != &n->offset_ns && v < 0)
		return fail(p, "%s: must be >= 0", key);
	*dst = v;
	return 0;
}

static int ntp_key(struct parser *p, struct sc_ntp *n, int ntok, char **tok)
{
	const char *key = tok[0], *val = tok[1];
	double v;
	long l;

	n->on = true;
	if (!strcmp(key, "ntp") || (!strcmp(key, "smear") && ntok == 1)) {
		if (ntok != 1)
			return fail(p, "%s: takes no value", key);
		n->smear |= !strcmp(key, "smear");
		return 0;
	}
	if (ntok != 2)
		return fail(p, "%s: expected one value", key);
	if (!strcmp(key, "offset") || !strcmp(key, "root_delay") ||
	    !strcmp(key, "root_dispersion") || !strcmp(key, "proc_delay") ||
	    !strcmp(key, "tx_delay"))
		return ntp_time_key(p, n, key, val);
	if (!strcmp(key, "freq") || !strcmp(key, "wander")) {
		if (get_freq(p, key, val, !strcmp(key, "freq") ? 1e3 : 1.0, &v))
			return -EINVAL;
		if (!strcmp(key, "freq"))
			n->freq_ppm = v / 1e3;
		else if ((n->wander_ppb = v) < 0)
			return fail(p, "wander: must be >= 0");
		return 0;
	}
	if (!strcmp(key, "stratum") || !strcmp(key, "precision")) {
		bool st = key[0] == 's';

		if (get_long(p, key, val, st ? 1 : -32, st ? 15 : 0, &l))
			return -EINVAL;
		*(st ? &n->stratum : &n->precision) = (int)l;
		return 0;
	}
	if (!strcmp(key, "refid"))
		return get_refid(p, val, n->refid);
	if (!strcmp(key, "smear"))
		return get_bool(p, key, val, &n->smear);
	return get_leap(p, val, &n->leap);
}

/* client INTERVAL, client_start TIME, client_port N: the host's NTP client */
static int client_key(struct parser *p, struct sc_client *c, int ntok, char **tok)
{
	const char *key = tok[0];
	double v;
	long l;

	if (ntok != 2)
		return fail(p, "%s: expected one value", key);
	if (!strcmp(key, "client_port")) {
		if (get_long(p, key, tok[1], 1, 65535, &l))
			return -EINVAL;
		c->port = (int)l;
		return 0;
	}
	if (get_time(p, key, tok[1], 1e9, &v))
		return -EINVAL;
	if (!strcmp(key, "client")) {
		if (v < 1e6)
			return fail(p, "client: the interval must be at least 1 ms");
		c->on = true;
		c->interval_ns = v;
	} else if ((c->start_ns = v) < 0) {
		return fail(p, "client_start: must be >= 0");
	}
	return 0;
}

static const char *const ntp_keys[] = {
	"ntp", "offset", "freq", "wander", "stratum", "precision", "refid", "root_delay",
	"root_dispersion", "leap", "smear", "proc_delay", "tx_delay", NULL,
};

bool sc_is_host_key(const char *k)
{
	int i;

	if (!strcmp(k, "client") || !strcmp(k, "client_start") || !strcmp(k, "client_port"))
		return true;
	if (!strcmp(k, "address") || key_is(k, "delay") || key_is(k, "jitter") ||
	    key_is(k, "loss") || key_is(k, "reorder"))
		return true;
	for (i = 0; ntp_keys[i]; i++)
		if (!strcmp(k, ntp_keys[i]))
			return true;
	return false;
}

int sc_host_key(struct parser *p, int ntok, char **tok)
{
	struct sc_host *h = &p->sc->net.hosts[p->cur_host];

	if (!strcmp(tok[0], "address")) {
		if (ntok != 2)
			return fail(p, "address: expected 'address ADDR'");
		return add_addr(p, "address", tok[1], h->addr, &h->naddr);
	}
	if (key_is(tok[0], "delay") || key_is(tok[0], "jitter") || key_is(tok[0], "loss") ||
	    key_is(tok[0], "reorder"))
		return path_key(p, h, ntok, tok);
	if (!strncmp(tok[0], "client", 6))
		return client_key(p, &h->client, ntok, tok);
	return ntp_key(p, &h->ntp, ntok, tok);
}

static int event_host(struct parser *p, const char *name)
{
	int h = sc_net_host(&p->sc->net, name);

	if (h < 0)
		return fail(p, "at: unknown host '%s' (declare hosts before events, or 'all')", name);
	return h;
}

static int window_event(struct parser *p, struct sc_event *e, const char *len)
{
	if (get_time_i64(p, "at", len, 1e9, &e->length_ns))
		return -EINVAL;
	if (e->length_ns <= 0)
		return fail(p, "at: the length must be positive");
	return 0;
}

static int route_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	if (ntok != 4)
		return fail(p, "at: expected 'route HOST out|in|both DELTA'");
	if (!strcmp(tok[2], "out"))
		e->dir = SC_OUT;
	else if (!strcmp(tok[2], "in"))
		e->dir = SC_IN;
	else if (strcmp(tok[2], "both"))
		return fail(p, "at: route direction '%s' is not out, in or both", tok[2]);
	e->kind = SC_EV_ROUTE;
	return get_time(p, "route", tok[3], 1.0, &e->value);
}

int sc_net_event(struct parser *p, struct sc_event *e, int ntok, char **tok)
{
	const char *k = tok[0];
	bool jump = !strcmp(k, "freq_jump") || !strcmp(k, "time_jump");
	double v;

	if (jump && (ntok != 3 || sc_net_host(&p->sc->net, tok[1]) < 0))
		return 1;	/* a clock's */
	if (!jump && strcmp(k, "route") && strcmp(k, "outage") && strcmp(k, "unreachable") &&
	    strcmp(k, "kod") && strcmp(k, "announce"))
		return 1;
	if (ntok < 2)
		return fail(p, "at: %s: expected a host", k);
	if (!jump && !strcmp(tok[1], "all"))
		e->host = SC_HOST_ALL;
	else if ((e->host = event_host(p, tok[1])) < 0)
		return -EINVAL;
	if (jump) {
		e->kind = k[0] == 'f' ? SC_EV_HOST_FREQ : SC_EV_HOST_STEP;
		if (e->kind == SC_EV_HOST_STEP)
			return get_time(p, k, tok[2], 1.0, &e->value);
		if (get_freq(p, k, tok[2], 1e3, &v))
			return -EINVAL;
		e->value = v / 1e3;
		return 0;
	}
	if (!strcmp(k, "route"))
		return route_event(p, e, ntok, tok);
	if (!strcmp(k, "announce")) {
		enum sc_leap_mode m = SC_LEAP_AUTO;

		if (ntok != 3)
			return fail(p, "at: expected 'announce HOST auto|none|insert|delete|alarm'");
		if (get_leap(p, tok[2], &m))
			return -EINVAL;
		e->kind = SC_EV_ANNOUNCE;
		e->value = (double)m;
		return 0;
	}
	if (!strcmp(k, "kod")) {
		if (ntok != 4 || (strcmp(tok[2], "rate") && strcmp(tok[2], "deny")))
			return fail(p, "at: expected 'kod HOST rate|deny LENGTH'");
		e->kind = SC_EV_KOD;
		memcpy(e->code, tok[2][0] == 'r' ? "RATE" : "DENY", 5);
		return window_event(p, e, tok[3]);
	}
	if (ntok != 3)
		return fail(p, "at: expected '%s HOST LENGTH'", k);
	e->kind = k[0] == 'o' ? SC_EV_OUTAGE : SC_EV_UNREACH;
	return window_event(p, e, tok[2]);
}

static int check_host(struct parser *p, const struct sc_net *n, int h)
{
	const struct sc_host *x = &n->hosts[h];
	int i, j, k;

	p->line = x->line;
	if (x->naddr == 0)
		return fail(p, "host %s: no address", x->name);
	for (i = 0; i < x->naddr; i++) {
		for (j = 0; j < n->nlocal; j++)
			if (sc_addr_eq(&x->addr[i], &n->local[j]))
				return fail(p, "host %s: an address of the simulated host itself",
					    x->name);
		for (k = 0; k < h; k++)
			for (j = 0; j < n->hosts[k].naddr; j++)
				if (sc_addr_eq(&x->addr[i], &n->hosts[k].addr[j]))
					return fail(p, "host %s: address also of %s", x->name,
						    n->hosts[k].name);
	}
	return 0;
}

int sc_net_check(struct parser *p)
{
	struct sc_net *n = &p->sc->net;
	int h;

	if (n->nlocal == 0) {	/* documentation ranges: never a real host */
		sc_parse_addr("198.51.100.1", &n->local[0]);
		sc_parse_addr("2001:db8::1", &n->local[1]);
		n->nlocal = 2;
	}
	for (h = 0; h < n->nhosts; h++)
		if (check_host(p, n, h))
			return -EINVAL;
	return 0;
}
