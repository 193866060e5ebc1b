/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptp4l's management client on the poll loop: connect -> subscribe ->
 * poll -> receive (validate, match, store) -> notice silence -> reconnect.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/source/pmc_client.h"

#define NS_PER_S		1000000000LL
#define MALFORMED_LOG_EVERY	100	/* one line per this many bad datagrams */

static const uint16_t polled[] = {
	PMC_ID_PORT_PROPERTIES_NP, PMC_ID_PORT_DATA_SET, PMC_ID_TIME_STATUS_NP,
	PMC_ID_PARENT_DATA_SET, PMC_ID_TIME_PROPERTIES_DATA_SET,
};
#define NPOLLED (sizeof(polled) / sizeof(polled[0]))

struct pmc_client {
	struct loop *loop;
	struct pmc_client_params p;
	char server[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char local[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char name[64];
	pmc_client_cb cb;
	void *arg;
	int fd;
	long timer;
	struct pmc_hdr hdr;
	uint16_t seq;
	uint16_t sent_seq[NPOLLED + 1];	/* last sequence id per polled id; [NPOLLED]: subscribe */
	bool sent[NPOLLED + 1];
	int64_t last_rx_ns, opened_ns, subscribed_ns;
	bool logged_down;
	struct ptp4l_view v;
};

static void set_port_id(struct pmc_client *c)
{
	static uint16_t instances;	/* process-wide: one identity per client */
	pid_t pid = getpid();

	c->hdr.source.clock[0] = 0x67;	/* "gn", then the EUI-64 filler, then the pid */
	c->hdr.source.clock[1] = 0x6e;
	c->hdr.source.clock[2] = 0x6d;
	c->hdr.source.clock[3] = 0xff;
	c->hdr.source.clock[4] = 0xfe;
	c->hdr.source.clock[5] = (uint8_t)(pid >> 16);
	c->hdr.source.clock[6] = (uint8_t)(pid >> 8);
	c->hdr.source.clock[7] = (uint8_t)pid;
	c->hdr.source.port = ++instances;
	c->hdr.domain = c->p.domain;
}

static void fill_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
}

static void notify(struct pmc_client *c, unsigned changes)
{
	if (changes && c->cb)
		c->cb(c->arg, changes, &c->v);
}

static void close_sock(struct pmc_client *c)
{
	if (c->fd < 0)
		return;
	loop_del_fd(c->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	unlink(c->local);
}

static void went_down(struct pmc_client *c, int err, const char *why)
{
	bool was_up = c->v.up;

	close_sock(c);
	c->v.up = false;
	c->v.last_error = err;
	if (was_up || !c->logged_down)
		pr_err("%s: ptp4l at %s: %s%s%s", c->name, c->server, why,
		       err ? ": " : "", err ? strerror(-err) : "");
	c->logged_down = true;
	if (was_up)
		notify(c, PMC_CHANGE_DOWN);
}

static int send_msg(struct pmc_client *c, const uint8_t *buf, ssize_t n)
{
	if (n < 0)
		return (int)n;
	if (send(c->fd, buf, (size_t)n, MSG_DONTWAIT) == n)
		return 0;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;	/* full: next round */
}

static int send_requests(struct pmc_client *c, int64_t now)
{
	uint8_t buf[PMC_MSG_MAX];
	size_t i;
	int r;

	if (!c->subscribed_ns || now - c->subscribed_ns >= c->p.subscribe_s * NS_PER_S / 2) {
		c->sent_seq[NPOLLED] = c->seq;
		c->sent[NPOLLED] = true;
		r = send_msg(c, buf, pmc_build_subscribe(buf, sizeof(buf), &c->hdr, c->seq++,
				    c->p.subscribe_s, 1u << PMC_NOTIFY_PORT_STATE |
				    1u << PMC_NOTIFY_TIME_SYNC | 1u << PMC_NOTIFY_PARENT_DATA_SET));
		if (r < 0)
			return r;
		c->subscribed_ns = now;
	}
	for (i = 0; i < NPOLLED; i++) {
		c->sent_seq[i] = c->seq;
		c->sent[i] = true;
		r = send_msg(c, buf, pmc_build_get(buf, sizeof(buf), &c->hdr, c->seq++, polled[i]));
		if (r < 0)
			return r;
	}
	return 0;
}

static void on_readable(struct loop *l, int fd, short revents, void *arg);

static int open_sock(struct pmc_client *c)
{
	struct sockaddr_un a;
	int fd, fl;

	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	unlink(c->local);
	fill_addr(&a, c->local);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	fill_addr(&a, c->server);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail_bound;
	if (loop_add_fd(c->loop, fd, POLLIN, on_readable, c) < 0) {
		errno = ENOMEM;
		goto fail_bound;
	}
	c->fd = fd;
	return 0;
fail_bound:
	fl = -errno;
	close(fd);
	unlink(c->local);
	return fl;
fail:
	fl = -errno;
	close(fd);
	return fl;
}

/* Each poll interval: (re)connect if needed, check for silence, ask. */
static int64_t tick(struct loop *l, long id, void *arg)
{
	struct pmc_client *c = arg;
	int64_t now = loop_now(l);
	int r;

	(void)id;
	if (c->fd >= 0 && c->v.up && now - c->last_rx_ns > c->p.timeout_ns)
		went_down(c, -ETIMEDOUT, "no answer");
	else if (c->fd >= 0 && !c->v.up && now - c->opened_ns > c->p.timeout_ns)
		went_down(c, -ETIMEDOUT, "no answer");
	if (c->fd < 0) {
		r = open_sock(c);
		if (r < 0) {
			if (!c->logged_down || r != c->v.last_error)
				went_down(c, r, "cannot connect");
			c->v.last_error = r;
			return c->p.poll_ns;
		}
		c->opened_ns = now;
		c->subscribed_ns = 0;
	}
	r = send_requests(c, now);
	if (r < 0)
		went_down(c, r, "cannot send");
	return c->p.poll_ns;
}

static struct pmc_port *port_slot(struct ptp4l_view *v, const struct ptp_port_id *id)
{
	int i;

	for (i = 0; i < v->nports; i++)
		if (!memcmp(&v->ports[i].id, id, sizeof(*id)))
			return &v->ports[i];
	if (v->nports == PMC_MAX_PORTS)
		return NULL;
	v->ports[v->nports] = (struct pmc_port){ .id = *id, .timestamping = 0xff };
	return &v->ports[v->nports++];
}

int pmc_view_pick(const struct ptp4l_view *v)
{
	int i, unc = -1;

	for (i = 0; i < v->nports; i++) {
		if (v->ports[i].state == PTP_PS_SLAVE)
			return i;
		if (v->ports[i].state == PTP_PS_UNCALIBRATED && unc < 0)
			unc = i;
	}
	return unc >= 0 ? unc : v->nports ? 0 : -1;
}

static unsigned store_port(struct ptp4l_view *v, const struct pmc_reply *r)
{
	const struct ptp_port_id *id = r->id == PMC_ID_PORT_DATA_SET ?
		&r->data.port_ds.port : &r->data.port_props.port;
	struct pmc_port *p = port_slot(v, id), old;
	int before = v->active;

	if (!p)
		return 0;
	old = *p;
	if (r->id == PMC_ID_PORT_DATA_SET) {
		p->state = r->data.port_ds.state;
	} else {
		p->state = r->data.port_props.state;
		p->timestamping = r->data.port_props.timestamping;
		memcpy(p->iface, r->data.port_props.iface, sizeof(p->iface));
	}
	v->active = pmc_view_pick(v);
	return memcmp(&old, p, sizeof(old)) || before != v->active ? PMC_CHANGE_PORT : 0;
}

static unsigned store(struct pmc_client *c, const struct pmc_reply *r, int64_t now)
{
	struct ptp4l_view *v = &c->v;
	unsigned ch = 0;

	switch (r->id) {
	case PMC_ID_PORT_DATA_SET:
	case PMC_ID_PORT_PROPERTIES_NP:
		return store_port(v, r);
	case PMC_ID_TIME_STATUS_NP:
		v->status = r->data.time_status;
		v->have_status = true;
		v->status_mono_ns = now;
		v->status_count++;
		return PMC_CHANGE_STATUS;
	case PMC_ID_PARENT_DATA_SET:
		if (!v->have_parent || memcmp(&v->parent, &r->data.parent, sizeof(v->parent)))
			ch = PMC_CHANGE_PARENT;
		v->parent = r->data.parent;
		v->have_parent = true;
		return ch;
	case PMC_ID_TIME_PROPERTIES_DATA_SET:
		if (!v->have_tprops || memcmp(&v->tprops, &r->data.time_props, sizeof(v->tprops)))
			ch = PMC_CHANGE_TPROPS;
		v->tprops = r->data.time_props;
		v->have_tprops = true;
		return ch;
	}
	return 0;
}

/* A reply to one of our GETs (its sequence id), or a notification ptp4l
 * pushes (its own sequence ids, for ids we subscribed to). */
static bool expected(struct pmc_client *c, const struct pmc_reply *r)
{
	size_t i;

	if (r->action != PMC_RESPONSE || memcmp(&r->target, &c->hdr.source, sizeof(r->target)))
		return false;
	for (i = 0; i < NPOLLED; i++)
		if (polled[i] == r->id && c->sent[i] && c->sent_seq[i] == r->seq)
			return true;
	if (r->id == PMC_ID_SUBSCRIBE_EVENTS_NP)
		return c->sent[NPOLLED] && c->sent_seq[NPOLLED] == r->seq;
	if (r->id == PMC_ID_PORT_DATA_SET || r->id == PMC_ID_TIME_STATUS_NP ||
	    r->id == PMC_ID_PARENT_DATA_SET) {
		c->v.notifications++;
		return true;
	}
	return false;
}

static void malformed(struct pmc_client *c, int e, ssize_t n)
{
	if (c->v.malformed++ % MALFORMED_LOG_EVERY == 0)
		pr_warn("%s: ptp4l at %s: ignoring a malformed message of %zd bytes (%s; %"
			PRIu64 " so far)", c->name, c->server, n,
			e == -EPROTO ? "not a PTPv2 management message" : "bad length or field",
			c->v.malformed);
}

static unsigned handle(struct pmc_client *c, const uint8_t *buf, ssize_t n, int64_t now)
{
	struct pmc_reply r;
	char idb[8];
	int e = pmc_decode(buf, (size_t)n, &r);

	if (e == -ENOMSG) {
		c->v.unexpected++;
		return 0;
	}
	if (e < 0) {
		malformed(c, e, n);
		return 0;
	}
	if (!expected(c, &r)) {
		c->v.unexpected++;
		return 0;
	}
	c->last_rx_ns = now;
	c->v.replies++;
	if (r.error) {
		pr_debug("%s: ptp4l refuses %s: management error 0x%04x", c->name,
			 pmc_id_name(r.id, idb), r.error);
		return 0;
	}
	return r.has_data ? store(c, &r, now) : 0;
}

static void on_readable(struct loop *l, int fd, short revents, void *arg)
{
	struct pmc_client *c = arg;
	uint8_t buf[PMC_MSG_MAX + 1];
	unsigned changes = 0;
	int64_t now = loop_now(l);
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < 64; i++) {	/* bounded: the loop gets its turn back */
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			went_down(c, -errno, "receiving");
			return;
		}
		if (!c->v.up) {
			c->v.up = true;
			c->logged_down = false;
			if (c->v.reconnects++)
				pr_notice("%s: ptp4l at %s answers again", c->name, c->server);
			else
				pr_info("%s: ptp4l at %s answers", c->name, c->server);
			changes |= PMC_CHANGE_UP;
		}
		changes |= handle(c, buf, n, now);
	}
	notify(c, changes);
}

struct pmc_client *pmc_client_create(struct loop *l, const struct pmc_client_params *p,
				     pmc_client_cb cb, void *arg, int *err)
{
	struct pmc_client *c;

	if (!l || !p || !p->server || !p->local || p->poll_ns <= 0 || p->timeout_ns <= 0 ||
	    !p->subscribe_s) {
		*err = -EINVAL;
		return NULL;
	}
	if (strlen(p->server) >= sizeof(c->server) || strlen(p->local) >= sizeof(c->local)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->loop = l;
	c->p = *p;
	strcpy(c->server, p->server);
	strcpy(c->local, p->local);
	snprintf(c->name, sizeof(c->name), "%s", p->name ? p->name : "ptp4l");
	c->cb = cb;
	c->arg = arg;
	c->fd = -1;
	c->v.active = -1;
	set_port_id(c);
	c->timer = loop_add_timer(l, 0, tick, c);
	if (c->timer < 0) {
		*err = (int)c->timer;
		free(c);
		return NULL;
	}
	return c;
}

void pmc_client_destroy(struct pmc_client *c)
{
	if (!c)
		return;
	loop_del_timer(c->loop, c->timer);
	close_sock(c);
	free(c);
}

const struct ptp4l_view *pmc_client_view(const struct pmc_client *c)
{
	return &c->v;
}
