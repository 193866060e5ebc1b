/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP server's address syntax and network matching (ntps_addr.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ntpserve/ntps_addr.h"
#include "daemon/source/ntp_packet.h"

#define WORD_MAX	64

/* The next blank-separated word of *s into w: its length, 0 at the end,
 * -1 when it is longer than the buffer. */
static int next_word(const char **s, char *w)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != ',')
		n++;
	*s = p + n;
	if (n >= WORD_MAX)
		return -1;
	memcpy(w, p, n);
	w[n] = '\0';
	return (int)n;
}

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (unsigned)v;
	return 0;
}

static int one_listen(const char *w, struct ntps_listen *l)
{
	char host[WORD_MAX];
	const char *colon = strrchr(w, ':'), *ps = NULL;
	unsigned port = NTP_PORT;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&l->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&l->ss;

	memset(l, 0, sizeof(*l));
	snprintf(l->text, sizeof(l->text), "%s", w);
	snprintf(host, sizeof(host), "%s", w);
	if (w[0] == '[') {
		const char *rb = strchr(w, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - w - 1), w + 1);
		ps = rb[1] ? rb + 2 : NULL;
	} else if (colon && strchr(w, ':') == colon) {	/* one colon: IPv4:PORT */
		host[colon - w] = '\0';
		ps = colon + 1;
	}
	if (ps && parse_port(ps, &port) < 0)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		l->sslen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		l->sslen = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

int ntps_parse_listen(const char *list, struct ntps_listen *out, int max, int *n,
		      char *msg, size_t len)
{
	char w[WORD_MAX];
	int k;

	*n = 0;
	while ((k = next_word(&list, w)) != 0) {
		if (k < 0 || *n >= max || one_listen(w, &out[*n]) < 0) {
			if (k >= 0 && *n >= max)
				snprintf(msg, len, "more than %d addresses", max);
			else
				snprintf(msg, len, "'%s' is not ADDR:PORT, [IPV6]:PORT or a "
					 "numeric ADDR (port 123)", k < 0 ? "(a word too long)" : w);
			return -EINVAL;
		}
		(*n)++;
	}
	return 0;
}

static bool host_bits_clear(const struct ntps_net *n)
{
	int bytes = n->family == AF_INET ? 4 : 16;

	for (int i = 0; i < bytes; i++) {
		int keep = n->len - 8 * i;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		if (n->a[i] & ~mask)
			return false;
	}
	return true;
}

static int one_net(const char *w, struct ntps_net *n)
{
	char host[WORD_MAX], *end;
	const char *slash = strchr(w, '/');
	long l = -1;

	memset(n, 0, sizeof(*n));
	snprintf(host, sizeof(host), "%.*s", slash ? (int)(slash - w) : WORD_MAX - 1, w);
	if (slash) {
		l = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, n->a) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, host, n->a) == 1)
		n->family = AF_INET6;
	else
		return -EINVAL;
	n->len = l < 0 ? (n->family == AF_INET ? 32 : 128) : (int)l;
	if (l > (n->family == AF_INET ? 32 : 128))
		return -ERANGE;
	return host_bits_clear(n) ? 0 : -EDOM;
}

int ntps_parse_allow(const char *list, struct ntps_net *out, int max, int *n,
		     char *msg, size_t len)
{
	char w[WORD_MAX], cut[WORD_MAX + 8];
	int k, r = 0;

	*n = 0;
	while ((k = next_word(&list, w)) != 0) {
		if (k > 0 && *n < max && (r = one_net(w, &out[*n])) == 0) {
			(*n)++;
			continue;
		}
		if (k > 0 && *n >= max) {
			snprintf(msg, len, "more than %d networks", max);
		} else if (r == -EDOM) {
			ntps_net_cut(&out[*n], out[*n].len, &out[*n]);
			ntps_net_format(&out[*n], cut, sizeof(cut));
			snprintf(msg, len, "'%s' has bits set beyond its length (the network "
				 "is %s)", w, cut);
		} else {
			snprintf(msg, len, "'%s' is not NET/LEN or a numeric address "
				 "(192.0.2.0/24, 2001:db8::/32, 192.0.2.7)",
				 k < 0 ? "(a word too long)" : w);
		}
		return -EINVAL;
	}
	return 0;
}

void ntps_addr_of(const struct sockaddr *sa, struct ntps_net *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		memcpy(out->a, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		out->family = AF_INET;
		out->len = 32;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(out->a, a->s6_addr + 12, 4);
			out->family = AF_INET;
			out->len = 32;
		} else {
			memcpy(out->a, a->s6_addr, 16);
			out->family = AF_INET6;
			out->len = 128;
		}
	}
}

void ntps_net_cut(const struct ntps_net *addr, int len, struct ntps_net *out)
{
	struct ntps_net n = *addr;

	n.len = len;
	for (int i = 0; i < 16; i++) {
		int keep = len - 8 * i;

		n.a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
	*out = n;
}

bool ntps_net_contains(const struct ntps_net *net, const struct ntps_net *addr)
{
	struct ntps_net c;

	if (!net->family || net->family != addr->family)
		return false;
	ntps_net_cut(addr, net->len, &c);
	return !memcmp(c.a, net->a, sizeof(c.a));
}

bool ntps_allowed(const struct ntps_net *allow, int n, const struct ntps_net *addr)
{
	for (int i = 0; i < n; i++)
		if (ntps_net_contains(&allow[i], addr))
			return true;
	return false;
}

void ntps_net_format(const struct ntps_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	int full = n->family == AF_INET ? 32 : 128;

	if (n->family)
		inet_ntop(n->family, n->a, a, sizeof(a));
	if (n->len == full)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%d", a, n->len);
}
