// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * schema_check: validate a JSON document against one definition of a JSON
 * Schema (draft 2020-12), for the subset doc/gnomonctl-v1.schema.json uses:
 * type (a name or an array of names), properties, required,
 * additionalProperties (boolean or schema), items, enum, const, minimum,
 * $ref to "#/$defs/NAME"; title, description, $schema, $id, $comment and
 * $defs are annotations. Any other keyword is an error, so the schema
 * cannot quietly rely on something this checker does not enforce.
 *
 *   schema_check SCHEMA.json DEFNAME DOC.json
 *
 * Exit 0 when valid; 1 with one line per violation ("$.clocks[0].state:
 * "LOCKD" is not one of ...") otherwise; 2 for usage or unreadable input.
 * Numbers: "integer" accepts a JSON integer or a number with no fraction
 * (as the specification says), "number" accepts both.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define PATH_MAX_LEN	512

static struct json_object *root_schema;
static int errors;

static void fail(const char *path, const char *fmt, const char *a, const char *b)
{
	printf("%s: ", path[0] ? path : "$");
	printf(fmt, a, b);
	putchar('\n');
	errors++;
}

static const char *show(struct json_object *v)
{
	return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";
}

static bool is_integral(struct json_object *v)
{
	double d;

	if (json_object_is_type(v, json_type_int))
		return true;
	if (!json_object_is_type(v, json_type_double))
		return false;
	d = json_object_get_double(v);
	return isfinite(d) && d == floor(d);
}

static bool type_is(struct json_object *v, const char *t)
{
	if (!strcmp(t, "null"))
		return v == NULL || json_object_is_type(v, json_type_null);
	if (!strcmp(t, "boolean"))
		return json_object_is_type(v, json_type_boolean);
	if (!strcmp(t, "object"))
		return json_object_is_type(v, json_type_object);
	if (!strcmp(t, "array"))
		return json_object_is_type(v, json_type_array);
	if (!strcmp(t, "string"))
		return json_object_is_type(v, json_type_string);
	if (!strcmp(t, "integer"))
		return is_integral(v);
	if (!strcmp(t, "number"))
		return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	return false;
}

static bool check_type(struct json_object *v, struct json_object *t, const char *path)
{
	if (json_object_is_type(t, json_type_string)) {
		if (type_is(v, json_object_get_string(t)))
			return true;
	} else if (json_object_is_type(t, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(t); i++)
			if (type_is(v, json_object_get_string(json_object_array_get_idx(t, i))))
				return true;
	}
	fail(path, "%s is not of type %s", show(v), show(t));
	return false;
}

/* JSON equality for enum/const, numbers compared by value. */
static bool same(struct json_object *a, struct json_object *b)
{
	bool na = json_object_is_type(a, json_type_int) || json_object_is_type(a, json_type_double);
	bool nb = json_object_is_type(b, json_type_int) || json_object_is_type(b, json_type_double);

	if (na && nb)
		return json_object_get_double(a) == json_object_get_double(b);
	if (!a || !b)
		return !a && !b;
	return json_object_equal(a, b);
}

static void validate(struct json_object *v, struct json_object *s, const char *path, int depth);

static struct json_object *resolve(const char *ref, const char *path)
{
	struct json_object *defs = NULL, *d = NULL;

	if (strncmp(ref, "#/$defs/", 8) ||
	    !json_object_object_get_ex(root_schema, "$defs", &defs) ||
	    !json_object_object_get_ex(defs, ref + 8, &d)) {
		fail(path, "schema: cannot resolve $ref %s%s", ref, "");
		return NULL;
	}
	return d;
}

static void check_object(struct json_object *v, struct json_object *s, const char *path, int depth)
{
	struct json_object *props = NULL, *req = NULL, *addl = NULL, *sub;
	char sub_path[PATH_MAX_LEN];

	json_object_object_get_ex(s, "properties", &props);
	json_object_object_get_ex(s, "additionalProperties", &addl);
	if (json_object_object_get_ex(s, "required", &req)) {
		for (size_t i = 0; i < json_object_array_length(req); i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(req, i));

			if (!json_object_object_get_ex(v, k, NULL))
				fail(path, "required key \"%s\" is missing%s", k, "");
		}
	}
	json_object_object_foreach(v, key, val) {
		snprintf(sub_path, sizeof(sub_path), "%s.%s", path[0] ? path : "$", key);
		if (props && json_object_object_get_ex(props, key, &sub))
			validate(val, sub, sub_path, depth + 1);
		else if (addl && json_object_is_type(addl, json_type_boolean)) {
			if (!json_object_get_boolean(addl))
				fail(sub_path, "key \"%s\" is not in the schema%s", key, "");
		} else if (addl) {
			validate(val, addl, sub_path, depth + 1);
		}
	}
}

static void check_array(struct json_object *v, struct json_object *items, const char *path,
			int depth)
{
	char sub_path[PATH_MAX_LEN];

	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(sub_path, sizeof(sub_path), "%s[%zu]", path[0] ? path : "$", i);
		validate(json_object_array_get_idx(v, i), items, sub_path, depth + 1);
	}
}

static void check_enum(struct json_object *v, struct json_object *e, const char *path)
{
	for (size_t i = 0; i < json_object_array_length(e); i++)
		if (same(v, json_object_array_get_idx(e, i)))
			return;
	fail(path, "%s is not one of %s", show(v), show(e));
}

static const char *const annotations[] = {
	"title", "description", "$schema", "$id", "$comment", "$defs", NULL,
};

static bool known(const char *k)
{
	static const char *const kw[] = {
		"type", "properties", "required", "additionalProperties", "items", "enum",
		"const", "minimum", "$ref", NULL,
	};

	for (int i = 0; kw[i]; i++)
		if (!strcmp(k, kw[i]))
			return true;
	for (int i = 0; annotations[i]; i++)
		if (!strcmp(k, annotations[i]))
			return true;
	return false;
}

static void validate(struct json_object *v, struct json_object *s, const char *path, int depth)
{
	struct json_object *t;

	if (depth > 64) {
		fail(path, "too deep%s%s", "", "");
		return;
	}
	if (!json_object_is_type(s, json_type_object)) {
		fail(path, "schema: not an object: %s%s", show(s), "");
		return;
	}
	json_object_object_foreach(s, key, val) {
		(void)val;
		if (!known(key))
			fail(path, "schema: unsupported keyword \"%s\"%s", key, "");
	}
	if (json_object_object_get_ex(s, "$ref", &t)) {
		struct json_object *d = resolve(json_object_get_string(t), path);

		if (d)
			validate(v, d, path, depth + 1);
	}
	if (json_object_object_get_ex(s, "type", &t) && !check_type(v, t, path))
		return;
	if (json_object_object_get_ex(s, "const", &t) && !same(v, t))
		fail(path, "%s is not %s", show(v), show(t));
	if (json_object_object_get_ex(s, "enum", &t))
		check_enum(v, t, path);
	if (json_object_object_get_ex(s, "minimum", &t) &&
	    (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) &&
	    json_object_get_double(v) < json_object_get_double(t))
		fail(path, "%s is below the minimum %s", show(v), show(t));
	if (json_object_is_type(v, json_type_object))
		check_object(v, s, path, depth);
	if (json_object_is_type(v, json_type_array) && json_object_object_get_ex(s, "items", &t))
		check_array(v, t, path, depth);
}

int main(int argc, char **argv)
{
	struct json_object *doc, *def;
	char ref[256];

	if (argc != 4) {
		fprintf(stderr, "usage: schema_check SCHEMA.json DEFNAME DOC.json\n");
		return 2;
	}
	root_schema = json_object_from_file(argv[1]);
	doc = json_object_from_file(argv[3]);
	if (!root_schema || !doc) {
		fprintf(stderr, "schema_check: cannot read %s as JSON\n", root_schema ? argv[3] : argv[1]);
		return 2;
	}
	snprintf(ref, sizeof(ref), "#/$defs/%s", argv[2]);
	def = resolve(ref, "");
	if (!def)
		return 2;
	validate(doc, def, "", 0);
	json_object_put(doc);
	json_object_put(root_schema);
	if (errors)
		printf("%s: %d violation%s of %s\n", argv[3], errors, errors == 1 ? "" : "s", ref);
	return errors ? 1 : 0;
}
