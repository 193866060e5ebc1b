/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NTP server on the loop (ntpserve.h). Per wake-up of a socket: up to
 * BATCH datagrams, each with the kernel's receive stamp and its sender;
 * the sender checked against ntp_allow, then the request, then the
 * client's rate; the answer encoded whole, and only then its transmit
 * timestamp read from CLOCK_REALTIME and written in, right before sendto.
 * What the server says of itself is worked out once per wake-up.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/ntpserve/ntps_addr.h"
#include "daemon/ntpserve/ntps_info.h"
#include "daemon/ntpserve/ntps_limit.h"
#include "daemon/ntpserve/ntpserve.h"
#include "phc/netstamp.h"
#include "phc/systime.h"
#include "util/util.h"

#define BATCH	64	/* datagrams read per wake-up of a socket */

struct ntps_sock {
	struct ntpserve *srv;
	int fd;
	char text[64];
};

struct ntpserve {
	struct loop *loop;
	struct discipline *disc;
	struct source *src;
	const struct leaptable *leaps;
	bool unsynced_ok;
	int nallow, nsock;
	struct ntps_net allow[NTPS_MAX_ALLOW];
	struct ntps_sock sock[NTPS_MAX_LISTEN];
	struct ntps_rate rate;
	struct ntps_refusals refusals;
	struct ntpserve_stats stats;
	struct ntp_server_info me;	/* for the current wake-up */
};

static enum ntps_ref ref_kind(const struct discipline_status *st, const struct source *src)
{
	if (!strcmp(st->source, "ntp"))
		return NTPS_REF_NTP;
	if (conf_is_ptp4l_source(st->source))
		return NTPS_REF_PTP;
	if (!strncmp(st->source, "phc:", 4) || !strncmp(st->source, "bond:", 5) ||
	    (src && src->follows_bond))
		return NTPS_REF_PHC;
	return NTPS_REF_LOCAL;
}

static void leap_in_view(struct ntpserve *s, const struct discipline_status *st,
			 struct ntps_input *in)
{
	int64_t when = 0;
	int delta = 0;

	if (s->leaps && leaptable_next_leap(s->leaps, in->now_utc_ns / NS_PER_S, &when,
					    &delta) == 0) {
		in->leap_delta = delta;
		in->leap_utc_s = when;
	} else if (st && st->ptp.present && st->ptp.ptp_leap) {
		in->leap_delta = st->ptp.ptp_leap;
		in->leap_utc_s = st->ptp.ptp_leap_utc_s;
	}
	if (st && st->leap_applies && st->leap_policy == LEAP_POLICY_SMEAR) {
		in->smear_policy = true;
		in->smearing = st->leap.smearing;
	}
}

/* What the server says of itself now (ntps_info.c does the deciding). */
static void refresh(struct ntpserve *s)
{
	struct discipline_status st;
	struct source_upstream up;
	struct ntps_input in = { .unsynced_ok = s->unsynced_ok, .age_s = -1,
				 .now_utc_ns = systime_realtime_ns() };

	if (s->disc) {
		discipline_get_status(s->disc, &st);
		source_upstream(s->src, &up);
		in.ref = ref_kind(&st, s->src);
		in.locked = st.state == DISC_LOCKED;
		in.up_known = up.known;
		in.up_stratum = up.stratum;
		in.up_refid = up.refid;
		in.up_root_delay_ns = up.root_delay_ns;
		in.up_root_disp_ns = up.root_disp_ns;
		in.own_error_ns = in.ref != NTPS_REF_NTP && st.have_bound ? st.error_bound_ns :
				  st.have_rms ? st.rms_offset_ns : 0;
		in.age_s = st.last_update_age_s;
		in.last_good_utc_ns = st.last_good_utc_ns;
	}
	leap_in_view(s, s->disc ? &st : NULL, &in);
	ntps_info(&in, &s->me);
}

static void refused(struct ntpserve *s, const struct ntps_net *who)
{
	struct ntps_net net;
	char a[64], n[64];
	long unsaid = 0;

	s->stats.refused++;
	if (!ntps_refusal_say(&s->refusals, who, loop_mono_ns(), &net, &unsaid))
		return;
	ntps_net_format(who, a, sizeof(a));
	ntps_net_format(&net, n, sizeof(n));
	pr_notice("ntp_serve: refused a request from %s (not in ntp_allow); nothing more is "
		  "said of %s%s", a, n, unsaid ? " (and requests of other networks were "
		  "refused without a word, the log being rate limited)" : "");
}

static void send_packet(struct ntpserve *s, int fd, uint8_t *b, const struct sockaddr *to,
			socklen_t tolen, bool stamp_now)
{
	if (stamp_now)	/* as late as can be: right before the send */
		ntp_packet_set_xmt(b, ntp_time_from_ns(systime_realtime_ns()));
	if (sendto(fd, b, NTP_PACKET_LEN, 0, to, tolen) < 0) {
		if (!s->stats.send_errors++)
			pr_warn("ntp_serve: cannot answer: %s (said once)", strerror(errno));
	}
}

static void handle(struct ntpserve *s, int fd, const uint8_t *buf, ssize_t n,
		   const struct sockaddr_storage *from, socklen_t fromlen, int64_t rx_ns)
{
	struct ntp_packet req, out;
	struct ntps_net who;
	uint8_t b[NTP_PACKET_LEN];

	s->stats.requests++;
	ntps_addr_of((const struct sockaddr *)from, &who);
	if (!ntps_allowed(s->allow, s->nallow, &who)) {
		refused(s, &who);
		return;
	}
	if (ntp_packet_decode(buf, (size_t)n, &req) < 0 || ntp_request_check(&req) < 0) {
		s->stats.bad++;
		return;
	}
	switch (ntps_rate_check(&s->rate, &who, loop_mono_ns())) {
	case NTPS_DROP:
		s->stats.limited++;
		return;
	case NTPS_KOD:
		s->stats.kods++;
		ntp_kod_build(&req, "RATE", &out);
		ntp_packet_encode(&out, b);
		send_packet(s, fd, b, (const struct sockaddr *)from, fromlen, false);
		return;
	case NTPS_ANSWER:
		break;
	}
	ntp_reply_build(&req, &s->me, rx_ns, rx_ns, &out);
	ntp_packet_encode(&out, b);
	s->stats.answers++;
	send_packet(s, fd, b, (const struct sockaddr *)from, fromlen, true);
}

static void on_fd(struct loop *l, int fd, short revents, void *arg)
{
	struct ntps_sock *k = arg;
	uint8_t buf[1024];
	struct sockaddr_storage from;
	socklen_t fl;
	int64_t rx;
	ssize_t n;

	(void)l;
	(void)revents;
	refresh(k->srv);
	for (int i = 0; i < BATCH; i++) {
		fl = sizeof(from);
		n = netstamp_recvfrom(fd, buf, sizeof(buf), &from, &fl, &rx);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n < 0)
			continue;	/* an ICMP error of an earlier answer */
		if (!rx)
			rx = systime_realtime_ns();
		handle(k->srv, fd, buf, n, &from, fl, rx);
	}
}

static int open_one(struct ntpserve *s, const struct ntps_listen *l)
{
	struct ntps_sock *k = &s->sock[s->nsock];
	int one = 1, r;

	k->srv = s;
	snprintf(k->text, sizeof(k->text), "%s", l->text);
	k->fd = socket(l->ss.ss_family, SOCK_DGRAM, 0);
	if (k->fd < 0)
		return -errno;
	s->nsock++;
	if (l->ss.ss_family == AF_INET6)
		setsockopt(k->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fd_cloexec(k->fd) < 0 || fd_nonblock(k->fd, 1) < 0 ||
	    bind(k->fd, (const struct sockaddr *)&l->ss, l->sslen) < 0)
		return -errno;
	if (netstamp_enable_rx(k->fd) < 0)
		pr_info("ntp_serve %s: no kernel receive stamps, reading the clock instead",
			l->text);
	r = loop_add_fd(s->loop, k->fd, POLLIN, on_fd, k);
	return r < 0 ? r : 0;
}

static int configure(struct ntpserve *s, const struct ntpserve_env *env,
		     struct ntps_listen *l, int *nl)
{
	const struct gnomon_config *c = env->conf;
	char msg[256];

	s->loop = env->loop;
	s->disc = env->disc;
	s->src = env->src;
	s->leaps = env->leaps;
	s->unsynced_ok = c->ntp_serve_unsynced;
	ntps_rate_init(&s->rate, (int64_t)(c->ntp_serve_ratelimit_s * 1e9), c->ntp_serve_burst);
	if (ntps_parse_listen(c->ntp_serve, l, NTPS_MAX_LISTEN, nl, msg, sizeof(msg)) < 0 ||
	    ntps_parse_allow(c->ntp_allow, s->allow, NTPS_MAX_ALLOW, &s->nallow, msg,
			     sizeof(msg)) < 0) {
		pr_err("ntp_serve: %s", msg);	/* the config check said so first */
		return -EINVAL;
	}
	if (!s->nallow)
		pr_warn("ntp_serve is set but ntp_allow is empty: every request is refused");
	if (!s->disc)
		pr_warn("ntp_serve: no section disciplines CLOCK_REALTIME: answers say it is "
			"unsynchronized%s", s->unsynced_ok ? " (but ntp_serve_unsynced = yes: "
			"LI 0, stratum 10)" : "");
	return 0;
}

struct ntpserve *ntpserve_start(const struct ntpserve_env *env, int *err)
{
	struct ntps_listen l[NTPS_MAX_LISTEN];
	struct ntpserve *s;
	int nl = 0, r;

	*err = 0;
	if (!env->conf->ntp_serve[0])
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	r = configure(s, env, l, &nl);
	for (int i = 0; r == 0 && i < nl; i++) {
		r = open_one(s, &l[i]);
		if (r < 0)
			pr_err("ntp_serve %s: %s", l[i].text, strerror(-r));
		else
			pr_notice("ntp_serve: answering NTP on %s (%d allowed network%s, "
				  "at most %d requests then one per %g s a client)", l[i].text,
				  s->nallow, s->nallow == 1 ? "" : "s", s->rate.burst,
				  (double)s->rate.interval_ns / 1e9);
	}
	if (r < 0) {
		ntpserve_stop(s);
		*err = r;
		return NULL;
	}
	return s;
}

void ntpserve_stop(struct ntpserve *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nsock; i++) {
		loop_del_fd(s->loop, s->sock[i].fd);
		close(s->sock[i].fd);
	}
	free(s);
}

void ntpserve_get_stats(const struct ntpserve *s, struct ntpserve_stats *st)
{
	if (s)
		*st = s->stats;
	else
		memset(st, 0, sizeof(*st));
}
