/* json.c - the json lookup (jansson): the key is a list of selectors
 * applied in turn to the document; a numeric selector indexes an array,
 * any other names a member of an object. Strings come back unquoted,
 * numbers and booleans as text, objects and arrays as JSON text; null
 * counts as not found.
 *
 * The file is parsed once per open handle. Results are untainted (the
 * admin owns the file). */

/* System */
#include <ctype.h>
#include <jansson.h>
/* MTA core */
#include "../tern.h"
/* This module */
#include "../lookups.h"

static void *json_open(const char *filename, char **err)
{
    json_error_t je;
    FILE *f = fopen(filename, "rb");
    if (!f) {
        *err = string_sprintf("failed to open %s for JSON lookup: %s", filename, strerror(errno));
        return NULL;
    }
    json_t *j = json_loadf(f, JSON_DECODE_ANY, &je);
    fclose(f);
    if (!j) *err = string_sprintf("json error on file %s line %d: %s", filename, je.line, je.text);
    return j;
}

static void json_close(void *handle)
{
    json_decref((json_t *)handle);
}

/* select_one - one selector step; NULL if absent */
static json_t *select_one(json_t *j, const char *sel)
{
    bool numeric = *sel != 0;
    for (const char *p = sel; *p; p++) numeric = numeric && isdigit((unsigned char)*p);
    if (numeric && json_is_array(j)) {
        char *end;
        unsigned long i = strtoul(sel, &end, 10);
        return *end || errno == ERANGE ? NULL : json_array_get(j, i);
    }
    return json_is_object(j) ? json_object_get(j, sel) : NULL;
}

/* json_text - the result string for a selected element */
static char *json_text(json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING: return string_copyn_taint(json_string_value(j), json_string_length(j), GET_UNTAINTED);
    case JSON_INTEGER: return string_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(j));
    case JSON_REAL: return string_sprintf("%g", json_real_value(j));
    case JSON_TRUE: return string_copy_taint("true", GET_UNTAINTED);
    case JSON_FALSE: return string_copy_taint("false", GET_UNTAINTED);
    case JSON_NULL: return NULL;
    default: {
        char *d = json_dumps(j, JSON_ENCODE_ANY);
        char *r = d ? string_copy_taint(d, GET_UNTAINTED) : NULL;
        free(d);
        return r;
    }
    }
}

static int json_find(void *handle, const char *filename, const char *key, size_t keylen, char **result,
                     char **err, unsigned *do_cache, const char *opts)
{
    json_t *j = handle;
    int sep = 0;
    const char *list = key;
    char *sel;
    while (j && (sel = string_nextinlist(&list, &sep))) j = select_one(j, sel);
    if (!j || !(*result = json_text(j))) return FAIL;
    return OK;
}

const lookup_info json_lookup_info = {
    .name = "json", .type = LOOKUP_SINGLE_KEY, .open = json_open, .find = json_find,
    .close = json_close,
};
