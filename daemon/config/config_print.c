/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the key table drives besides the parser (config_table.c has the
 * table): the defaults, config_print() of a configuration with every key's
 * effective value, the key reference (--config-keys), and the smear
 * parameters a clock's keys resolve to.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config/config_priv.h"
#include "phc/clockname.h"
#include "util/util.h"

/* ---- defaults, printing, reference: all driven by the table ---- */

static void set_defaults(enum conf_scope scope, const struct clock_conf *cc, void *base)
{
	char msg[256];

	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];

		/* A default that does not parse is a bug in the table; the
		 * unit tests load every default, so ignoring r is safe. */
		if (k->scope == scope && k->def)
			(void)conf_parse_value(k, k->def, cc, base, msg, sizeof(msg));
	}
}

void config_defaults(struct gnomon_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	set_defaults(SCOPE_GLOBAL, NULL, conf);
}

void config_clock_defaults(struct clock_conf *cc, const char *name)
{
	memset(cc, 0, sizeof(*cc));
	snprintf(cc->name, sizeof(cc->name), "%s", name);
	set_defaults(SCOPE_CLOCK, cc, cc);
	cc->timescale = clockname_is_system(name) ? TS_UTC : TS_TAI;
	cc->recovery_threshold_s = clockname_is_system(name) ? 1e-6 : 1e-7;
	cc->max_slew_ppb = cc->max_slew_ppm * PPB_PER_PPM;	/* again after loading */
	/* source_timescale depends on the source: resolved after loading. */
	cc->source_timescale = TS_DEFAULT;
}

static void print_keys(enum conf_scope scope, const void *base, const int *lines, FILE *out)
{
	char val[CONF_PATH_MAX];

	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (k->scope != scope)
			continue;
		conf_format_value(k, base, val, sizeof(val));
		if (!*val)	/* unset required key or unresolved default */
			fprintf(out, "# %s =\n", k->name);
		else
			fprintf(out, "%s = %s%s\n", k->name, val, lines[i] ? "" : "  # default");
	}
}

void config_print(const struct gnomon_config *conf, FILE *out)
{
	fprintf(out, "# gnomon configuration: effective values, defaults included\n");
	if (conf->file[0])
		fprintf(out, "# read from %s\n", conf->file);
	fprintf(out, "\n[global]\n");
	print_keys(SCOPE_GLOBAL, conf, conf->global_key_line, out);
	for (int i = 0; i < conf->n_clocks; i++) {
		const struct clock_conf *cc = &conf->clocks[i];

		fprintf(out, "\n[%s]\n", cc->name);
		print_keys(SCOPE_CLOCK, cc, cc->key_line, out);
		conf_ntp_print(cc, out);
	}
}

/* Print text wrapped at 78 columns, each line indented by indent spaces. */
static void wrap(FILE *out, int indent, const char *text)
{
	const int width = 78 - indent;

	while (*text) {
		int n = (int)strlen(text), cut = n;

		if (n > width) {
			for (cut = width; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width;
		}
		fprintf(out, "%*s%.*s\n", indent, "", cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

void config_print_reference(FILE *out)
{
	enum conf_scope scope = SCOPE_CLOCK;
	char what[160];

	for (size_t i = 0; i < conf_n_keys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (i == 0 || k->scope != scope) {
			scope = k->scope;
			fprintf(out, "%s%s\n", i ? "\n" : "", scope == SCOPE_GLOBAL ? "[global]" :
				"[CLOCK]  one section per disciplined clock, named after it");
		}
		conf_expect_text(k, what, sizeof(what));
		fprintf(out, "  %s = %s\n", k->name, what);
		fprintf(out, "      default: %s\n", k->def ? k->def : k->def_doc);
		wrap(out, 6, k->help);
	}
}

int config_smear_params(const struct clock_conf *cc, struct smear_params *out)
{
	static const char *const presets[] = {
		[SMEAR_GOOGLE] = "google", [SMEAR_AWS] = "aws",
		[SMEAR_META] = "meta", [SMEAR_PTPD] = "ptpd",
	};
	const struct conf_key *k;

	memset(out, 0, sizeof(*out));
	if (cc->smear != SMEAR_CUSTOM && smear_preset(presets[cc->smear], out) < 0)
		return -EINVAL;
	k = conf_key_find("smear_window", SCOPE_CLOCK);
	if (cc->smear == SMEAR_CUSTOM || cc->key_line[conf_key_index(k)])
		out->window_s = cc->smear_window_s;
	k = conf_key_find("smear_start", SCOPE_CLOCK);
	if (cc->smear == SMEAR_CUSTOM || cc->key_line[conf_key_index(k)])
		out->start_s = cc->smear_start_s;
	k = conf_key_find("smear_shape", SCOPE_CLOCK);
	if (cc->smear == SMEAR_CUSTOM || cc->key_line[conf_key_index(k)])
		out->shape = cc->smear_shape;
	return smear_validate(out);
}
