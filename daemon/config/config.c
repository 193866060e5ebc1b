/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and writing gnomon's INI configuration. The keys, their types and
 * ranges are in config_table.c; this file splits the text into sections
 * and "key = value" lines, checks them against the table, and prints the
 * result back.
 *
 * Why not libinih: Debian's build (r55) gives the handler neither section
 * headers nor line numbers, and we tried it on the inputs a clock config
 * must refuse. It silently accepts text after "]" ("[eth0] x" is [eth0]),
 * cuts section names to 49 bytes, parses the rest of a line longer than
 * 199 bytes as a continuation of the value, merges "[a] ... [a]" and never
 * shows a section without keys, so "[CLOCK_REALTIME]" with no source could
 * not be reported at its line. Working round that meant re-parsing every
 * line in the reader, i.e. writing the parser anyway; the format is small
 * enough that our own is shorter, with exact lines and no library globals.
 *
 * Syntax: "[name]" starts a section; "key = value"; blank lines; comments
 * from '#' or ';' at the start of a line, or after whitespace inside one.
 * Whitespace around names and values is ignored. Nothing else.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config/config_priv.h"
#include "daemon/safefile.h"
#include "util/util.h"
#include "phc/clockname.h"
#include "daemon/source/source.h"

#define CONF_FILE_MAX	(1 << 20)	/* bytes; a config is a few hundred */

struct parser {
	struct gnomon_config *conf;
	int line;
	bool in_section;		/* a header was seen */
	struct clock_conf *cc;		/* current clock section; NULL in [global] */
	char *err;
	size_t errlen;
};

/* "FILE:LINE: message" (line 0: "FILE: message") into err; returns r. */
static int __attribute__((format(printf, 5, 6)))
fail(const struct gnomon_config *conf, int line, char *err, size_t errlen,
     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	where_vfail(err, errlen, conf->file, line, -EINVAL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define pfail(p, ...) fail((p)->conf, (p)->line, (p)->err, (p)->errlen, __VA_ARGS__)

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut an inline comment: '#' or ';' at the start or after whitespace. */
static void cut_comment(char *s)
{
	for (char *c = s; *c; c++) {
		if ((*c == '#' || *c == ';') && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
	}
}

static const char *section_name(const struct parser *p)
{
	return p->cc ? p->cc->name : "global";
}

static int new_clock(struct parser *p, const char *name)
{
	struct gnomon_config *conf = p->conf;
	char msg[256];

	if (strlen(name) >= CONF_NAME_MAX)
		return pfail(p, "section name too long (at most %d characters)", CONF_NAME_MAX - 1);
	if (conf_clock_name_check(name, msg, sizeof(msg)) < 0)
		return pfail(p, "section %s", msg);
	for (int i = 0; i < conf->n_clocks; i++) {
		const struct clock_conf *o = &conf->clocks[i];

		if (!strcmp(o->name, name))
			return pfail(p, "duplicate section [%s] (first at line %d)", name, o->line);
		if (clockname_same(o->name, name))
			return pfail(p, "duplicate section: [%s] is the same clock as [%s] at line %d",
				     name, o->name, o->line);
	}
	if (conf->n_clocks >= CONF_MAX_CLOCKS)
		return pfail(p, "too many clock sections (at most %d)", CONF_MAX_CLOCKS);
	p->cc = &conf->clocks[conf->n_clocks++];
	config_clock_defaults(p->cc, name);
	p->cc->line = p->line;
	return 0;
}

static int section(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *rest, *name;

	if (!end)
		return pfail(p, "syntax error: section header without ']'");
	*end = '\0';
	rest = trim(end + 1);
	if (*rest && *rest != '#' && *rest != ';')
		return pfail(p, "syntax error: text after the section header ']'");
	name = trim(s + 1);
	if (!*name)
		return pfail(p, "syntax error: empty section name '[]'");
	p->in_section = true;
	if (strcmp(name, "global"))
		return new_clock(p, name);
	if (p->conf->global_line)
		return pfail(p, "duplicate section [global] (first at line %d)",
			     p->conf->global_line);
	p->conf->global_line = p->line;
	p->cc = NULL;
	return 0;
}

/* A key that is not in this section's scope: say where it belongs. */
static int unknown_key(struct parser *p, const char *key, enum conf_scope scope)
{
	const struct conf_key *other = conf_key_find_any(key);
	const char *hint;
	char q[64];

	if (other && scope == SCOPE_GLOBAL)
		return pfail(p, "key '%s' belongs in a clock section such as [CLOCK_REALTIME], "
			     "not in [global]", key);
	if (other)
		return pfail(p, "key '%s' belongs in [global], not in clock section [%s]",
			     key, p->cc->name);
	hint = conf_key_suggest(key, scope);
	return pfail(p, "unknown key %s in [%s]%s%s%s", conf_quote(key, q, sizeof(q)),
		     section_name(p), hint ? " (did you mean '" : "", hint ? hint : "",
		     hint ? "'?)" : "");
}

static int key_value(struct parser *p, char *s)
{
	enum conf_scope scope = p->cc ? SCOPE_CLOCK : SCOPE_GLOBAL;
	char *eq = strchr(s, '='), *key, *val, msg[512], q[64];
	const struct conf_key *k;
	int *lines, idx, r;
	void *base;

	if (!eq)
		return pfail(p, "syntax error: expected '[section]' or 'key = value', got %s",
			     conf_quote(s, q, sizeof(q)));
	*eq = '\0';
	key = trim(s);
	val = eq + 1;
	cut_comment(val);
	val = trim(val);
	if (!*key)
		return pfail(p, "syntax error: no key name before '='");
	if (!p->in_section)
		return pfail(p, "key %s before any section (put it under [global] "
			     "or a clock section)", conf_quote(key, q, sizeof(q)));
	k = conf_key_find(key, scope);
	if (!k)
		return unknown_key(p, key, scope);
	idx = conf_key_index(k);
	lines = p->cc ? p->cc->key_line : p->conf->global_key_line;
	if (lines[idx])
		return pfail(p, "duplicate key '%s' in [%s] (first set at line %d)",
			     key, section_name(p), lines[idx]);
	base = p->cc ? (void *)p->cc : (void *)p->conf;
	r = conf_parse_value(k, val, p->cc, base, msg, sizeof(msg));
	if (r < 0) {
		pfail(p, "%s", msg);
		return r;
	}
	lines[idx] = p->line;
	return 0;
}

/* `server ADDR [options]` (or `server = ...`) in a clock section: repeatable */
static int server_line(struct parser *p, char *s)
{
	char msg[512];
	int r;

	s += 6;
	s = trim(s);
	if (*s == '=')
		s = trim(s + 1);
	cut_comment(s);
	if (p->cc->n_ntp >= CONF_NTP_MAX)
		return pfail(p, "more than %d server lines in [%s]", CONF_NTP_MAX, p->cc->name);
	r = conf_ntp_server_parse(s, &p->cc->ntp[p->cc->n_ntp], msg, sizeof(msg));
	if (r < 0) {
		pfail(p, "%s", msg);
		return r;
	}
	p->cc->ntp[p->cc->n_ntp++].line = p->line;
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *s = trim(line);

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return section(p, s);
	if (p->cc && !strncmp(s, "server", 6) && (s[6] == ' ' || s[6] == '\t' || s[6] == '='))
		return server_line(p, s);
	return key_value(p, s);
}

/* source = ntp needs servers, and servers need source = ntp */
static int check_ntp(struct parser *p, const struct clock_conf *cc)
{
	bool ntp = conf_is_ntp_source(cc->source);

	if (ntp && cc->n_ntp == 0)
		return fail(p->conf, cc->line, p->err, p->errlen,
			    "[%s]: source = ntp needs at least one 'server ADDR' line", cc->name);
	if (!ntp && cc->n_ntp > 0)
		return fail(p->conf, cc->ntp[0].line, p->err, p->errlen,
			    "[%s]: server lines need source = ntp (the source is %s)", cc->name,
			    cc->source);
	return 0;
}

/* Clocks disciplining each other in a circle would chase each other. */
static int check_loop(struct parser *p, const struct clock_conf *cc)
{
	const struct gnomon_config *conf = p->conf;
	const char *cur = source_clock_name(cc->source);
	char chain[512];
	size_t n;

	n = (size_t)snprintf(chain, sizeof(chain), "%s", cc->name);
	for (int step = 0; step < conf->n_clocks; step++) {
		const struct clock_conf *next = NULL;

		for (int i = 0; i < conf->n_clocks; i++)
			if (clockname_same(conf->clocks[i].name, cur))
				next = &conf->clocks[i];
		if (!next)
			return 0;
		if (n < sizeof(chain))
			n += (size_t)snprintf(chain + n, sizeof(chain) - n, " from %s", next->name);
		if (next == cc) {
			p->line = cc->key_line[conf_key_index(conf_key_find("source", SCOPE_CLOCK))];
			return pfail(p, "source: the clocks discipline each other in a loop (%s)",
				     chain);
		}
		cur = source_clock_name(next->source);
	}
	return 0;
}

/* After the last line: required keys, defaults that depend on other keys. */
static int finish(struct parser *p)
{
	struct gnomon_config *conf = p->conf;
	const struct conf_key *ts = conf_key_find("source_timescale", SCOPE_CLOCK);

	if (conf->n_clocks == 0)
		return fail(conf, 0, p->err, p->errlen, "no clock to discipline (add a section "
			    "such as [CLOCK_REALTIME] with source = phc:/dev/ptp0)");
	for (int i = 0; i < conf->n_clocks; i++) {
		struct clock_conf *cc = &conf->clocks[i];

		for (size_t k = 0; k < conf_n_keys; k++) {
			if (conf_keys[k].scope == SCOPE_CLOCK &&
			    (conf_keys[k].flags & KEY_REQUIRED) && !cc->key_line[k])
				return fail(conf, cc->line, p->err, p->errlen,
					    "[%s]: missing required key '%s'", cc->name,
					    conf_keys[k].name);
		}
		cc->max_slew_ppb = cc->max_slew_ppm * PPB_PER_PPM;
		if (check_ntp(p, cc) < 0)
			return -EINVAL;
		if (!cc->key_line[conf_key_index(ts)])
			cc->source_timescale = clockname_is_system(source_clock_name(cc->source)) ||
					       conf_is_ntp_source(cc->source) ? TS_UTC : TS_TAI;
	}
	for (int i = 0; i < conf->n_clocks; i++)
		if (check_loop(p, &conf->clocks[i]) < 0)
			return -EINVAL;
	return 0;
}

static int parse_text(char *text, const char *name, struct gnomon_config *conf,
		      char *err, size_t errlen)
{
	struct parser p = { .conf = conf, .err = err, .errlen = errlen };
	char *s = text, *next;
	int r;

	config_defaults(conf);
	snprintf(conf->file, sizeof(conf->file), "%s", name);
	if (!strncmp(s, "\xef\xbb\xbf", 3))	/* UTF-8 byte order mark */
		s += 3;
	for (; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		r = parse_line(&p, s);
		if (r < 0)
			return r;
	}
	return finish(&p);
}

int config_load_string(const char *text, const char *name,
		       struct gnomon_config *conf, char *err, size_t errlen)
{
	char *copy = strdup(text);
	int r;

	if (!name)
		name = "(string)";
	if (!copy) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	r = parse_text(copy, name, conf, err, errlen);
	free(copy);
	return r;
}

/* Read a whole (small) file; a NUL byte means it is not a config. Opened
 * through safefile_open_read(): a FIFO or a device is refused at once
 * instead of blocking start-up, --check-config or a reload; /dev/null
 * reads as an empty file (every default). */
static int read_file(const char *path, char **text, char *err, size_t errlen)
{
	char why[128], *buf = NULL, *nul;
	FILE *f = NULL;
	size_t n;
	int r, fd;

	fd = safefile_open_read(path, true, why, sizeof(why));
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return fd;
	}
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		close(fd);
		goto fail;
	}
	buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		goto fail;
	}
	n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		goto fail;
	}
	if (n > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: too large (more than %d bytes)", path, CONF_FILE_MAX);
		r = -EFBIG;
		goto out;
	}
	buf[n] = '\0';
	nul = memchr(buf, '\0', n);
	if (nul) {
		int line = 1;

		for (char *c = buf; c < nul; c++)
			line += *c == '\n';
		snprintf(err, errlen, "%s:%d: NUL byte (not a text file?)", path, line);
		r = -EINVAL;
		goto out;
	}
	fclose(f);
	*text = buf;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(-r));
out:
	free(buf);
	if (f)
		fclose(f);
	return r;
}

int config_load(const char *path, struct gnomon_config *conf, char *err, size_t errlen)
{
	char *text = NULL;
	int r;

	config_defaults(conf);
	r = read_file(path, &text, err, errlen);
	if (r < 0)
		return r;
	r = parse_text(text, path, conf, err, errlen);
	free(text);
	return r;
}

const char *config_where(const struct gnomon_config *conf, const struct clock_conf *cc,
			 const char *key, char *buf, size_t len)
{
	const struct conf_key *k = conf_key_find(key, cc ? SCOPE_CLOCK : SCOPE_GLOBAL);
	const int *lines = cc ? cc->key_line : conf->global_key_line;
	int line = cc ? cc->line : conf->global_line;

	if (k && lines[conf_key_index(k)])
		line = lines[conf_key_index(k)];
	if (!conf->file[0])
		snprintf(buf, len, "(defaults)");
	else if (line > 0)
		snprintf(buf, len, "%s:%d", conf->file, line);
	else
		snprintf(buf, len, "%s", conf->file);
	return buf;
}
