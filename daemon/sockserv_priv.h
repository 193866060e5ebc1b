/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockserv's insides, shared by sockserv.c (the machinery) and
 * sockserv_admit.c (who gets a slot). Nothing else includes this.
 */
#ifndef GNOMON_SOCKSERV_PRIV_H
#define GNOMON_SOCKSERV_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "daemon/sockserv.h"

#define SOCKSERV_PEER_MAX	48

struct sockserv_listener {
	struct sockserv *s;
	int fd;
	int tag;
	int max;			/* its pool of clients; 0: the whole table */
	int per_peer;			/* clients per peer (uid, address); 0: any */
	char label[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct sockserv_client {
	struct sockserv *s;
	int slot;
	int fd;				/* -1: free slot */
	int tag;
	const struct sockserv_listener *ls;	/* where it came from */
	uint64_t seq;			/* accept order: smaller is older */
	int64_t accepted_ns;		/* loop time of the accept */
	char peer[SOCKSERV_PEER_MAX];	/* "uid 1000", "127.0.0.1" */
	unsigned int gen;		/* bumped when the slot is freed */
	bool going;			/* inside client_drop() */
	bool in_cb;			/* a callback for it is running */
	bool closing;			/* close once the output is written */
	bool linger;			/* ... after shutdown(SHUT_WR) and EOF */
	bool lingering;			/* SHUT_WR done, discarding input */
	short events;			/* what the loop watches now */
	long timer;			/* 0: none */
	int64_t deadline_ns;
	char close_text[64];
	char *in;			/* in_max bytes, part of s->inbuf */
	size_t in_len;
	char *out;			/* pending output, NULL if none */
	size_t out_len, out_off;
};

struct sockserv {
	struct loop *loop;
	struct sockserv_params p;
	const struct sockserv_ops *ops;
	void *arg;
	int n_listeners;
	struct sockserv_listener ls[SOCKSERV_MAX_LISTENERS];
	struct sockserv_client *clients;
	char *inbuf;
	uint64_t seq;
};

/** Drop cl now (ops.gone with why and text, then close). */
void sockserv_drop(struct sockserv_client *cl, enum sockserv_why why, const char *text);

/**
 * A free slot for a new connection fd from ls, its peer written to
 * peer: makes room by dropping the oldest idle client of the same peer
 * (over per_peer) or of the pool (pool full) when evict_idle is set.
 * @return the slot, or NULL: refuse the connection
 */
struct sockserv_client *sockserv_admit(struct sockserv *s, const struct sockserv_listener *ls,
				       int fd, char *peer, size_t peerlen);

#endif
