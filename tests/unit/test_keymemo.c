/* test_keymemo.c - text -> flood id: only exact texts are answered. */
#include <stdio.h>
#include <string.h>

#include "keymemo.h"
#include "tap.h"

int main(void)
{
	keymemo *m = NULL, *m2 = NULL;
	unsigned char a[KEYMEMO_ID_LEN], b[KEYMEMO_ID_LEN], got[KEYMEMO_ID_LEN];
	const char *t = "bird_alert BGP session down on edge1";
	char longer[KEYMEMO_TEXT_MAX + 2];
	uint64_t h;
	int hits = 0, wrong = 0;

	memset(a, 0xA1, sizeof(a));
	memset(b, 0xB2, sizeof(b));
	if (!ok(keymemo_new(&m) == OMTW_OK && keymemo_new(&m2) == OMTW_OK, "a memo is created"))
		return tap_done();
	h = keymemo_hash(m, t, strlen(t));
	ok(!keymemo_get(m, h, t, strlen(t), got), "an empty memo knows nothing");
	keymemo_put(m, h, t, strlen(t), a);
	ok(keymemo_get(m, h, t, strlen(t), got) && memcmp(got, a, sizeof(a)) == 0, "a remembered text gives its id");
	ok(!keymemo_get(m, keymemo_hash(m, t, strlen(t) - 1), t, strlen(t) - 1, got), "a prefix is another text");
	ok(!keymemo_get(m, h, "bird_alert BGP session down on edge2", strlen(t), got),
	   "same length and slot, other bytes: not answered");
	ok(!keymemo_get(m, h, t, 0, got), "an empty text is never answered");
	keymemo_put(m, h, t, strlen(t), b);
	ok(keymemo_get(m, h, t, strlen(t), got) && memcmp(got, b, sizeof(b)) == 0, "a new id replaces the old one");

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	h = keymemo_hash(m, longer, strlen(longer));
	keymemo_put(m, h, longer, strlen(longer), a);
	ok(!keymemo_get(m, h, longer, strlen(longer), got), "a text beyond KEYMEMO_TEXT_MAX is not kept");
	h = keymemo_hash(m, longer, KEYMEMO_TEXT_MAX);
	keymemo_put(m, h, longer, KEYMEMO_TEXT_MAX, a);
	ok(keymemo_get(m, h, longer, KEYMEMO_TEXT_MAX, got), "one of exactly KEYMEMO_TEXT_MAX bytes is");

	/* many texts: every answer is the id put for exactly that text */
	for (int i = 0; i < 20000; i++) {
		char s[64];
		unsigned char id[KEYMEMO_ID_LEN];
		int n = snprintf(s, sizeof(s), "alert %d", i);
		memset(id, 0, sizeof(id));
		memcpy(id, &i, sizeof(i));
		keymemo_put(m, keymemo_hash(m, s, (size_t)n), s, (size_t)n, id);
	}
	for (int i = 0; i < 20000; i++) {
		char s[64];
		int n = snprintf(s, sizeof(s), "alert %d", i), j = -1;
		if (keymemo_get(m, keymemo_hash(m, s, (size_t)n), s, (size_t)n, got)) {
			hits++;
			memcpy(&j, got, sizeof(j));
			wrong += j != i;
		}
	}
	ok(wrong == 0, "20000 texts through 1024 slots: no wrong id (%d answers)", hits);
	ok(hits > 0 && hits <= KEYMEMO_SLOTS, "at most one text per slot is answered");
	ok(keymemo_hash(m, t, strlen(t)) != keymemo_hash(m2, t, strlen(t)), "the slot hash is seeded per memo");
	keymemo_free(m);
	keymemo_free(m2);
	return tap_done();
}
