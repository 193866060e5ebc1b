// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pure parsers of the /metrics listener (metrics_http.c): the HTTP
 * request head and the listen address. No I/O, no logging; kept apart so
 * that unit tests and fuzzers reach them without sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/metrics/metrics_http.h"

/* ---- request parsing (RFC 9112 sections 2-5, the subset we need) ------- */

/* Leading empty lines before the request line are ignored (2.2). */
static size_t skip_blank(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* Length of the request up to and including the empty line ending the
 * header section (CRLF CRLF, or bare LF, which 2.2 lets us accept); 0 if
 * that line has not arrived yet. */
size_t metrics_http_header_end(const char *p, size_t len)
{
	for (size_t i = skip_blank(p, len); i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* token = 1*tchar (RFC 9110 5.6.2) */
static bool is_token(const char *s, size_t n)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
				    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(tchar, s[i]))
			return false;
	return true;
}

static bool eq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

/* One line from *p (<= end): its length without CR LF in *n, *p moved past
 * it. Total: false when no LF is left (the rest, possibly nothing, is
 * then the line and *p == end), so a buffer without a newline, or an
 * empty one, is never read past. */
static bool next_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *lf = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;

	*line = *p;
	*n = (size_t)((lf ? lf : end) - *p);
	*p = lf ? lf + 1 : end;
	if (lf && *n && (*line)[*n - 1] == '\r')
		(*n)--;
	return lf != NULL;
}

/* Header field lines up to the empty one: "name: value", name a token,
 * no line folding (obs-fold is rejected with 400, 5.2). No empty line
 * before the end: not a whole request, 400. */
static bool headers_ok(const char *p, const char *end)
{
	for (;;) {
		const char *line, *colon;
		size_t n;
		bool lf = next_line(&p, end, &line, &n);

		if (!lf)
			return false;
		if (!n)
			return true;
		colon = memchr(line, ':', n);
		if (!colon || !is_token(line, (size_t)(colon - line)))
			return false;
	}
}

/* The status for a complete request of len bytes; *head for HEAD. */
int metrics_http_parse_request(const char *buf, size_t len, bool *head)
{
	const char *p, *end, *line, *sp1, *sp2, *target, *ver;
	size_t n, tlen, vlen;

	*head = false;
	if (!buf || !len)
		return 400;
	p = buf + skip_blank(buf, len);
	end = buf + len;
	if (!next_line(&p, end, &line, &n))
		return 400;	/* no whole request line */
	/* request-line = method SP request-target SP HTTP-version (3) */
	sp1 = memchr(line, ' ', n);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - line)) : NULL;
	if (!sp2 || !is_token(line, (size_t)(sp1 - line)))
		return 400;
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	ver = sp2 + 1;
	vlen = n - (size_t)(ver - line);
	if (!tlen || target[0] != '/')
		return 400;	/* origin-form only: we are nobody's proxy */
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f)
			return 400;
	if (vlen != 8 || memcmp(ver, "HTTP/", 5) || ver[6] != '.' ||
	    ver[5] < '0' || ver[5] > '9' || ver[7] < '0' || ver[7] > '9')
		return 400;
	if (ver[5] != '1')
		return 505;
	if (!headers_ok(p, end))
		return 400;
	/* The query string, if any, is ignored. */
	if (!eq(target, strcspn(target, "? "), "/metrics"))
		return 404;
	if (eq(line, (size_t)(sp1 - line), "HEAD"))
		*head = true;
	else if (!eq(line, (size_t)(sp1 - line), "GET"))
		return 405;
	return 200;
}

/* ---- listener --------------------------------------------------------- */

static int parse_port(const char *s, in_port_t *port)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n < 1 || n > 5 || strspn(s, "0123456789") != n)
		return -EINVAL;
	v = strtoul(s, NULL, 10);
	if (v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

/* Split addr into host (copied to host[hsize]) and port (may be NULL). */
static int split_addr(const char *addr, char *host, size_t hsize, const char **port,
		      bool *v6)
{
	const char *start = addr, *colon = strchr(addr, ':');
	size_t hl;

	*port = NULL;
	*v6 = false;
	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -EINVAL;
		start = addr + 1;
		hl = (size_t)(rb - start);
		*port = rb[1] ? rb + 2 : NULL;
		*v6 = true;
	} else if (colon && strchr(colon + 1, ':')) {
		hl = strlen(addr);	/* bare IPv6, no port */
		*v6 = true;
	} else {
		hl = colon ? (size_t)(colon - addr) : strlen(addr);
		*port = colon ? colon + 1 : NULL;
	}
	if (!hl || hl >= hsize)
		return -EINVAL;
	memcpy(host, start, hl);
	host[hl] = '\0';
	return 0;
}

int metrics_http_parse_addr(const char *addr, struct sockaddr_storage *ss,
			    socklen_t *len, bool *loopback)
{
	char host[INET6_ADDRSTRLEN];
	in_port_t port = htons(METRICS_HTTP_DEFAULT_PORT);
	const char *ps;
	bool v6, lo;

	if (!addr || !ss || !len || split_addr(addr, host, sizeof(host), &ps, &v6) < 0)
		return -EINVAL;
	if (ps && parse_port(ps, &port) < 0)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		*len = sizeof(*s6);
		lo = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
		     (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && s6->sin6_addr.s6_addr[12] == 127);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		*len = sizeof(*s4);
		lo = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (loopback)
		*loopback = lo;
	return 0;
}

