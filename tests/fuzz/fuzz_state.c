/* fuzz_state.c - the flood state file, which may be damaged or hostile:
 * loading either refuses it with a reason or yields a state that saves,
 * loads again and saves to the same document (nothing lost or invented),
 * and that flood control can go on with (admit, digest, next event).
 * Judged on the documents themselves (read here with libfastjson, against
 * the format in flood_state.c's header):
 * - a file with a NUL byte, that is not JSON, not an object, not of format
 *   "omtwitter-flood-state" or not of version 1 is refused;
 * - a file with a negative time or count where the format has one
 *   (period_start, blocked_until, next_check, others_since, others, local,
 *   daily, pace, an entry's window end or count) is refused: only the
 *   server's remaining counts and reset times may be -1 (unknown);
 * - what was loaded counts exactly the alerts of the file: pending is
 *   others[0] plus the entries' counts, distinct others[1] plus the
 *   entries with a count (nothing lost or invented, also when entries beyond
 *   maxentries are evicted into others);
 * - the saved document holds no negative number but the server's -1, no
 *   count beyond 10^12 and no time beyond 9999, and its counts are what the
 *   state says it holds.
 * A broken invariant prints what it is and aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfastjson/json.h>
#include <libfastjson/json_object_iterator.h>

#include "digest.h"
#include "flood.h"

#define COUNT_LIMIT 1000000000000LL /* flood_state.c's COUNT_MAX */
#define TIME_LIMIT 253402300799LL   /* 9999-12-31T23:59:59Z */

static void fail(const char *what, const char *doc)
{
	fprintf(stderr, "fuzz_state: invariant broken: %s\n", what);
	if (doc)
		fprintf(stderr, "  document: %.2000s\n", doc);
	abort();
}

static struct fjson_object *get(struct fjson_object *o, const char *key)
{
	struct fjson_object *v = NULL;

	return o && fjson_object_is_type(o, fjson_type_object) && fjson_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int is_int(struct fjson_object *v)
{
	return v && fjson_object_is_type(v, fjson_type_int);
}

static int negative(struct fjson_object *v)
{
	return is_int(v) && fjson_object_get_int64(v) < 0;
}

/* Does array a (or, deep, its arrays) hold a negative integer? */
static int any_negative(struct fjson_object *a, int deep)
{
	if (negative(a))
		return 1;
	if (!a || !fjson_object_is_type(a, fjson_type_array))
		return 0;
	for (size_t i = 0; i < (size_t)fjson_object_array_length(a); i++) {
		struct fjson_object *x = fjson_object_array_get_idx(a, i);
		if (negative(x) || (deep && any_negative(x, 0)))
			return 1;
	}
	return 0;
}

/* A negative time or count in a field the format gives one. */
static int negative_somewhere(struct fjson_object *o)
{
	static const char *const scalars[] = { "period_start", "blocked_until", "next_check", "others_since" };
	struct fjson_object *ents = get(o, "entries");

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (negative(get(o, scalars[i])))
			return 1;
	if (any_negative(get(o, "others"), 0) || any_negative(get(o, "local"), 0) || any_negative(get(o, "daily"), 0) ||
	    any_negative(get(o, "pace"), 0))
		return 1;
	for (size_t i = 0; ents && fjson_object_is_type(ents, fjson_type_array) &&
			   i < (size_t)fjson_object_array_length(ents); i++) {
		struct fjson_object *e = fjson_object_array_get_idx(ents, i);
		if (e && fjson_object_is_type(e, fjson_type_array) &&
		    (negative(fjson_object_array_get_idx(e, 2)) || negative(fjson_object_array_get_idx(e, 3))))
			return 1;
	}
	return 0;
}

/* others[0] + the entries' counts, and others[1] + the entries with one;
 * 0 when the document does not have that shape. */
static int counts(struct fjson_object *o, long long *pending, long long *distinct)
{
	struct fjson_object *oth = get(o, "others"), *ents = get(o, "entries");

	if (!oth || !fjson_object_is_type(oth, fjson_type_array) || fjson_object_array_length(oth) != 2 ||
	    !is_int(fjson_object_array_get_idx(oth, 0)) || !is_int(fjson_object_array_get_idx(oth, 1)) || !ents ||
	    !fjson_object_is_type(ents, fjson_type_array))
		return 0;
	*pending = fjson_object_get_int64(fjson_object_array_get_idx(oth, 0));
	*distinct = fjson_object_get_int64(fjson_object_array_get_idx(oth, 1));
	for (size_t i = 0; i < (size_t)fjson_object_array_length(ents); i++) {
		struct fjson_object *c = fjson_object_array_get_idx(fjson_object_array_get_idx(ents, i), 3);
		if (!is_int(c))
			return 0;
		*pending += fjson_object_get_int64(c);
		*distinct += fjson_object_get_int64(c) > 0;
	}
	return 1;
}

/* Every integer of the saved document in range: -1 only in "server". */
static void saved_in_range(struct fjson_object *x, int in_server, const char *doc)
{
	if (x == NULL)
		return;
	if (fjson_object_is_type(x, fjson_type_int)) {
		long long v = fjson_object_get_int64(x);
		if (v < (in_server ? -1 : 0))
			fail("the saved state holds no negative number (but the server's -1)", doc);
		if (v > TIME_LIMIT && v > COUNT_LIMIT && !in_server)
			fail("the saved state holds no count beyond 10^12 and no time beyond 9999", doc);
	} else if (fjson_object_is_type(x, fjson_type_array)) {
		for (size_t i = 0; i < (size_t)fjson_object_array_length(x); i++)
			saved_in_range(fjson_object_array_get_idx(x, i), in_server, doc);
	} else if (fjson_object_is_type(x, fjson_type_object)) {
		struct fjson_object_iterator it = fjson_object_iter_begin(x), end = fjson_object_iter_end(x);
		for (; !fjson_object_iter_equal(&it, &end); fjson_object_iter_next(&it))
			saved_in_range(fjson_object_iter_peek_value(&it),
				       in_server || strcmp(fjson_object_iter_peek_name(&it), "server") == 0, doc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1800000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	flood_config cfg = { 600, 3600, 3, 5, 900, 8, FLOOD_GROUP_TEMPLATE, 0.5, 14400, 0 }; /* incidents in the file too */
	flood *f = NULL, *g = NULL;
	char *buf = malloc(size + 1), *s1 = NULL, *s2 = NULL;
	const char *why = NULL;
	unsigned long long before, after, distinct;
	flood_verdict v;
	flood_digest d;
	struct fjson_object *in = NULL;

	if (buf == NULL || flood_new(&cfg, NOW, &f) != OMTW_OK || flood_new(&cfg, NOW, &g) != OMTW_OK)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	in = memchr(data, '\0', size) ? NULL : fjson_tokener_parse(buf);
	if (flood_state_parse(f, buf, size, NOW, &why) != OMTW_OK) {
		if (why == NULL || *why == '\0')
			fail("a refusal always says why", NULL);
		goto done;
	}
	if (in == NULL || !fjson_object_is_type(in, fjson_type_object))
		fail("only a JSON object without NUL bytes loads", buf);
	if (!get(in, "format") || !fjson_object_is_type(get(in, "format"), fjson_type_string) ||
	    strcmp(fjson_object_get_string(get(in, "format")), "omtwitter-flood-state") != 0)
		fail("only format omtwitter-flood-state loads", buf);
	if (!is_int(get(in, "version")) || fjson_object_get_int64(get(in, "version")) != 1)
		fail("only version 1 loads", buf);
	if (negative_somewhere(in))
		fail("a negative time or count is refused", buf);
	{
		long long want, want_distinct;
		unsigned long long got, got_distinct;
		if (!counts(in, &want, &want_distinct))
			fail("a loaded file has others and entries with counts", buf);
		got = flood_pending(f, &got_distinct);
		if (got != (unsigned long long)want || got_distinct != (unsigned long long)want_distinct)
			fail("the loaded state counts the file's alerts, no more, no fewer", buf);
	}
	/* the round trip is exact */
	if (flood_state_json(f, NOW, &s1) != OMTW_OK ||
	    flood_state_parse(g, s1, strlen(s1), NOW, &why) != OMTW_OK ||
	    flood_state_json(g, NOW, &s2) != OMTW_OK || strcmp(s1, s2) != 0)
		fail("a loaded state saves, loads and saves the same", s1);
	/* the saved document: in range, and it says what the state holds */
	{
		struct fjson_object *out = fjson_tokener_parse(s1);
		long long want, want_distinct;
		unsigned long long got, got_distinct;
		if (out == NULL)
			fail("the saved state is JSON", s1);
		saved_in_range(out, 0, s1);
		got = flood_pending(f, &got_distinct);
		if (!counts(out, &want, &want_distinct) || got != (unsigned long long)want ||
		    got_distinct != (unsigned long long)want_distinct)
			fail("the saved state's counts are the state's", s1);
		fjson_object_put(out);
	}
	/* and the state is usable: one more alert is counted somewhere */
	before = flood_pending(f, &distinct);
	flood_next_event(f, NOW);
	if (flood_admit(f, "k", 1, "text", 4, 1, NOW, &v, NULL) != OMTW_OK)
		fail("a loaded state admits an alert", NULL);
	after = flood_pending(f, &distinct);
	if (v != FLOOD_POST && after != before + 1)
		fail("an alert not posted is counted", NULL);
	/* the module's path: when the size does not matter, it is not posted */
	{
		flood_ticket id;
		int matters = 1;
		if (flood_size_matters(f, "k", 1, NOW, &id, &matters) != OMTW_OK ||
		    flood_admit_id(f, &id, "text", 4, 1, NOW, &v) != OMTW_OK || (!matters && v == FLOOD_POST))
			fail("when the size does not matter, the alert is not posted", NULL);
		/* and its memo path: a repeat by id counts exactly as the full path would */
		before = flood_pending(f, &distinct);
		int repeat = flood_count_repeat(f, &id, NOW);
		after = flood_pending(f, &distinct);
		if (after != before + (repeat ? 1 : 0))
			fail("a repeat by id is counted once", NULL);
		if (repeat && (flood_admit_id(f, &id, "text", 4, 1, NOW, &v) != OMTW_OK || v != FLOOD_COUNTED))
			fail("a repeat by id is counted as the full path would", NULL);
	}
	if (flood_digest_take(f, NOW + 3 * 86400, 2, &d)) {
		tt_config shape = { 280, TT_SPLIT_THREAD, 2, TT_URLS_DEFANG };
		tt_parts p;
		if (digest_compose(&d, &shape, &p, NULL) == OMTW_OK)
			tweettext_parts_free(&p);
		flood_digest_done(f, &d, 1, NOW + 3 * 86400);
		flood_digest_free(&d);
	}
done:
	if (in)
		fjson_object_put(in);
	free(s1);
	free(s2);
	free(buf);
	flood_free(f);
	flood_free(g);
	return 0;
}
