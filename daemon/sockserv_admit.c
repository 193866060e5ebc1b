// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who gets a client slot (sockserv_priv.h): each listener's own pool, a
 * limit per peer, and, rather than refusing the newest connection, the
 * oldest idle one dropped (evict_idle). A slowloris that holds every slot
 * with connections that never finish a request then only churns its own
 * connections: a real client that sends its request at once is served
 * before enough newer connections arrive to make it the oldest.
 *
 * The peer of a Unix socket is its uid (unix(7): SO_PEERCRED "returns the
 * credentials of the peer process connected to this socket"); of a TCP
 * socket, its address without the port.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/sockserv_priv.h"

static void peer_of(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "?");
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0)
			snprintf(buf, len, "uid %u", (unsigned)uc.uid);
		return;
	}
	sl = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a)))
		snprintf(buf, len, "%s", a);
	else if (ss.ss_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a)))
		snprintf(buf, len, "%s", a);
}

/* Nothing queued, not closing, not inside a callback, connected for a
 * while: only waiting. */
static bool idle(const struct sockserv *s, const struct sockserv_client *cl)
{
	return cl->fd >= 0 && !cl->going && !cl->closing && !cl->out && !cl->in_cb &&
	       loop_now(s->loop) - cl->accepted_ns >= SOCKSERV_EVICT_AGE_NS;
}

/* The oldest idle client of ls (and of peer, if not NULL). */
static struct sockserv_client *oldest_idle(struct sockserv *s, const struct sockserv_listener *ls,
					   const char *peer)
{
	struct sockserv_client *best = NULL;

	for (int i = 0; i < s->p.max_clients; i++) {
		struct sockserv_client *c = &s->clients[i];

		if (c->ls != ls || !idle(s, c) || (peer && strcmp(c->peer, peer)))
			continue;
		if (!best || c->seq < best->seq)
			best = c;
	}
	return best;
}

/* Drop victim for a new client, or say there is none. */
static bool evict(struct sockserv *s, struct sockserv_client *victim, const char *why)
{
	if (!victim || !s->p.evict_idle)
		return false;
	pr_debug("%s: dropping the oldest idle client (%s): %s", s->p.name, victim->peer, why);
	sockserv_drop(victim, SOCKSERV_EVICTED, why);
	return true;
}

struct sockserv_client *sockserv_admit(struct sockserv *s, const struct sockserv_listener *ls,
				       int fd, char *peer, size_t peerlen)
{
	struct sockserv_client *free_slot = NULL;
	int in_pool = 0, of_peer = 0;

	peer_of(fd, peer, peerlen);
	for (int i = 0; i < s->p.max_clients; i++) {
		const struct sockserv_client *c = &s->clients[i];

		if (c->fd < 0) {
			if (!free_slot)
				free_slot = &s->clients[i];
			continue;
		}
		if (c->ls != ls)
			continue;
		in_pool++;
		of_peer += !strcmp(c->peer, peer);
	}
	if (ls->per_peer && of_peer >= ls->per_peer &&
	    !evict(s, oldest_idle(s, ls, peer), "its peer is at its connection limit"))
		return NULL;
	if (ls->per_peer && of_peer >= ls->per_peer)
		in_pool--;	/* one of them just went */
	if (in_pool >= (ls->max ? ls->max : s->p.max_clients) &&
	    !evict(s, oldest_idle(s, ls, NULL), "every slot of its socket is taken"))
		return NULL;
	if (free_slot && free_slot->fd < 0)
		return free_slot;
	for (int i = 0; i < s->p.max_clients; i++)	/* an evicted one's */
		if (s->clients[i].fd < 0)
			return &s->clients[i];
	return NULL;
}
