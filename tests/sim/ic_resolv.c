// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name resolution in a closed world: getaddrinfo() of a scenario host's
 * name (or one of its address literals) is answered from the scenario;
 * other numeric addresses, "localhost" and a NULL node go to libc, which
 * needs no network for them; any other name is refused loudly
 * (EAI_NONAME), as the simulated world has no DNS. getnameinfo() names the
 * scenario's hosts and never asks DNS about another address (numeric
 * answer, or EAI_NONAME with NI_NAMEREQD).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/net.h"
#include "tests/sim/sim.h"
#include "tests/sim/simlog.h"

#define MAX_LISTS 64

struct ai_node {
	struct addrinfo ai;
	struct sockaddr_storage sa;
	char name[SC_HOST_NAME];
};

static struct addrinfo *ours[MAX_LISTS];	/* lists we made (freeaddrinfo) */

static bool numeric(const char *node)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, node, buf) == 1 || inet_pton(AF_INET6, node, buf) == 1;
}

static int port_of(const char *service, int *port)
{
	char *end;
	long v;

	*port = 0;
	if (!service)
		return 0;
	if (!strcmp(service, "ntp")) {
		*port = 123;
		return 0;
	}
	v = strtol(service, &end, 10);
	if (*end || end == service || v < 0 || v > 65535)
		return EAI_SERVICE;
	*port = (int)v;
	return 0;
}

static void free_list(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;

		free(ai);
		ai = next;
	}
}

static struct addrinfo *node_for(const struct sc_host *h, int i, const struct addrinfo *hints,
				 int port)
{
	struct ai_node *n = calloc(1, sizeof(*n));
	struct net_addr a = { .family = h->addr[i].family, .port = (uint16_t)port };
	socklen_t len = sizeof(n->sa);

	if (!n)
		return NULL;
	memcpy(a.a, h->addr[i].a, 16);
	sim_to_sockaddr(&a, (struct sockaddr *)&n->sa, &len);
	n->ai.ai_family = a.family;
	n->ai.ai_socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_DGRAM;
	n->ai.ai_protocol = n->ai.ai_socktype == SOCK_DGRAM ? IPPROTO_UDP : 0;
	n->ai.ai_addrlen = len;
	n->ai.ai_addr = (struct sockaddr *)&n->sa;
	snprintf(n->name, sizeof(n->name), "%s", h->name);
	if (hints && (hints->ai_flags & AI_CANONNAME))
		n->ai.ai_canonname = n->name;
	return &n->ai;
}

static int from_scenario(const struct sc_host *h, const struct addrinfo *hints, int port,
			 struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head;
	int fam = hints ? hints->ai_family : AF_UNSPEC, i, slot;

	for (slot = 0; slot < MAX_LISTS && ours[slot]; slot++)
		;
	if (slot == MAX_LISTS)
		return EAI_MEMORY;
	for (i = 0; i < h->naddr; i++) {
		if (fam != AF_UNSPEC && fam != h->addr[i].family)
			continue;
		if (!(*tail = node_for(h, i, hints, port))) {
			free_list(head);
			return EAI_MEMORY;
		}
		tail = &(*tail)->ai_next;
	}
	if (!head)
		return EAI_ADDRFAMILY;
	ours[slot] = *res = head;
	return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	struct sim *s = sim_get();
	int h, port, r;

	if (!s)
		return real.getaddrinfo(node, service, hints, res);
	h = node ? sc_net_host(&s->w->sc.net, node) : -1;
	if (h >= 0) {
		if ((r = port_of(service, &port)))
			return r;
		return from_scenario(&s->w->sc.net.hosts[h], hints, port, res);
	}
	if (node && !numeric(node) && strcmp(node, "localhost") &&
	    strcmp(node, "ip6-localhost")) {
		sim_unsupported("name resolution of '%s': not a scenario host (the simulated "
				"world has no DNS)", node);
		return EAI_NONAME;
	}
	return real.getaddrinfo(node, service, hints, res);
}

void freeaddrinfo(struct addrinfo *ai)
{
	int i;

	for (i = 0; i < MAX_LISTS; i++)
		if (ai && ours[i] == ai) {
			free_list(ai);
			ours[i] = NULL;
			return;
		}
	real_init();
	real.freeaddrinfo(ai);
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
		char *serv, socklen_t servlen, int flags)
{
	struct sim *s = sim_get();
	struct net_addr a;
	int h;

	if (!s)
		return real.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
	if (sim_from_sockaddr(sa, salen, &a) || !a.family)
		return real.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
	h = net_host_of(s->w, &a);
	if (h >= 0 && host && hostlen && !(flags & NI_NUMERICHOST)) {
		if (snprintf(host, hostlen, "%s", s->w->sc.net.hosts[h].name) >= (int)hostlen)
			return EAI_OVERFLOW;
		return real.getnameinfo(sa, salen, NULL, 0, serv, servlen, flags | NI_NUMERICSERV);
	}
	if (h < 0 && (flags & NI_NAMEREQD))
		return EAI_NONAME;
	return real.getnameinfo(sa, salen, host, hostlen, serv, servlen,
				flags | NI_NUMERICHOST | NI_NUMERICSERV);
}
