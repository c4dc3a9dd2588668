/* fuzz_state.c - the flood state file, which may be damaged or hostile:
 * loading either refuses it with a reason or yields a state that saves,
 * loads again and saves to the same document (nothing lost or invented),
 * and that flood control can go on with (admit, digest, next event). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "flood.h"

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

	if (buf == NULL || flood_new(&cfg, NOW, &f) != OMTW_OK || flood_new(&cfg, NOW, &g) != OMTW_OK)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (flood_state_parse(f, buf, size, NOW, &why) != OMTW_OK) {
		if (why == NULL || *why == '\0')
			abort(); /* a refusal always says why */
		goto done;
	}
	/* the round trip is exact */
	if (flood_state_json(f, NOW, &s1) != OMTW_OK ||
	    flood_state_parse(g, s1, strlen(s1), NOW, &why) != OMTW_OK ||
	    flood_state_json(g, NOW, &s2) != OMTW_OK || strcmp(s1, s2) != 0)
		abort();
	/* and the state is usable: one more alert is counted somewhere */
	before = flood_pending(f, &distinct);
	flood_next_event(f, NOW);
	if (flood_admit(f, "k", 1, "text", 4, 1, NOW, &v, NULL) != OMTW_OK)
		abort();
	after = flood_pending(f, &distinct);
	if (v != FLOOD_POST && after != before + 1)
		abort();
	/* the module's path: when the size does not matter, it is not posted */
	{
		flood_ticket id;
		int matters = 1;
		if (flood_size_matters(f, "k", 1, NOW, &id, &matters) != OMTW_OK ||
		    flood_admit_id(f, &id, "text", 4, 1, NOW, &v) != OMTW_OK || (!matters && v == FLOOD_POST))
			abort();
		/* and its memo path: a repeat by id counts exactly as the full path would */
		before = flood_pending(f, &distinct);
		int repeat = flood_count_repeat(f, &id, NOW);
		after = flood_pending(f, &distinct);
		if (after != before + (repeat ? 1 : 0))
			abort();
		if (repeat && (flood_admit_id(f, &id, "text", 4, 1, NOW, &v) != OMTW_OK || v != FLOOD_COUNTED))
			abort();
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
	free(s1);
	free(s2);
	free(buf);
	flood_free(f);
	flood_free(g);
	return 0;
}
