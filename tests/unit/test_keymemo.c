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

	/* Hashes chosen by the test (the caller hands the hash in): the memo is
	 * direct-mapped on the hash's low bits, h mod KEYMEMO_SLOTS.  Worked by
	 * hand: 1024 texts with h = 0..1023 fill every slot once, all 1024 are
	 * answered; 1024 more with h = 1024..2047 each replace the one of h -
	 * 1024: now the first 1024 miss and the second 1024 are answered. */
	keymemo *d = NULL;
	int first = 0, second = 0, wrongid = 0;
	if (!ok(keymemo_new(&d) == OMTW_OK, "a memo for chosen hashes"))
		return tap_done();
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < (pass + 1) * KEYMEMO_SLOTS; i++) {
			char s[64];
			unsigned char id[KEYMEMO_ID_LEN];
			int n = snprintf(s, sizeof(s), "alert %d", i);
			memset(id, 0, sizeof(id));
			memcpy(id, &i, sizeof(i));
			if (pass == 0 || i >= KEYMEMO_SLOTS)
				keymemo_put(d, (uint64_t)i, s, (size_t)n, id);
		}
		first = second = wrongid = 0;
		for (int i = 0; i < 2 * KEYMEMO_SLOTS; i++) {
			char s[64];
			int n = snprintf(s, sizeof(s), "alert %d", i), j = -1;
			if (keymemo_get(d, (uint64_t)i, s, (size_t)n, got)) {
				memcpy(&j, got, sizeof(j));
				wrongid += j != i;
				if (i < KEYMEMO_SLOTS)
					first++;
				else
					second++;
			}
		}
		if (pass == 0)
			ok(first == KEYMEMO_SLOTS && second == 0 && wrongid == 0,
			   "1024 texts in 1024 distinct slots: 1024 answered, the 1024 never put miss (%d, %d, %d wrong)",
			   first, second, wrongid);
	}
	ok(first == 0 && second == KEYMEMO_SLOTS && wrongid == 0,
	   "1024 more, one in each slot: the newer 1024 answered, the older 1024 miss (%d, %d, %d wrong)", first,
	   second, wrongid);
	keymemo_free(d);

	/* many texts through the seeded hash: text i is answered exactly when no
	 * later text took its slot (worked out from the hashes), with its id */
	static uint64_t hs[20000];
	int expect = 0, mismatch = 0;
	for (int i = 0; i < 20000; i++) {
		char s[64];
		unsigned char id[KEYMEMO_ID_LEN];
		int n = snprintf(s, sizeof(s), "alert %d", i);
		memset(id, 0, sizeof(id));
		memcpy(id, &i, sizeof(i));
		hs[i] = keymemo_hash(m, s, (size_t)n);
		keymemo_put(m, hs[i], s, (size_t)n, id);
	}
	int last[KEYMEMO_SLOTS];
	for (int k = 0; k < KEYMEMO_SLOTS; k++)
		last[k] = -1;
	for (int i = 0; i < 20000; i++)
		last[hs[i] % KEYMEMO_SLOTS] = i;
	for (int i = 0; i < 20000; i++) {
		char s[64];
		int n = snprintf(s, sizeof(s), "alert %d", i), j = -1, want = last[hs[i] % KEYMEMO_SLOTS] == i;
		int hit = keymemo_get(m, hs[i], s, (size_t)n, got);
		expect += want;
		mismatch += hit != want;
		if (hit) {
			hits++;
			memcpy(&j, got, sizeof(j));
			wrong += j != i;
		}
	}
	ok(wrong == 0, "20000 texts through 1024 slots: no wrong id (%d answers)", hits);
	ok(mismatch == 0 && hits == expect && expect > 0 && expect <= KEYMEMO_SLOTS,
	   "exactly the last text put in each slot is answered: %d of 20000, %d misses (%d not as expected)",
	   expect, 20000 - expect, mismatch);
	ok(keymemo_hash(m, t, strlen(t)) != keymemo_hash(m2, t, strlen(t)), "the slot hash is seeded per memo");
	keymemo_free(m);
	keymemo_free(m2);
	return tap_done();
}
