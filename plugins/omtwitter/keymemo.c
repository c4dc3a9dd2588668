/* keymemo.c - text -> flood id, remembered (see keymemo.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "keymemo.h"

typedef struct slot {
	uint64_t hash;
	uint32_t len; /* 0: empty (an empty text is never remembered) */
	unsigned char id[KEYMEMO_ID_LEN];
	char text[KEYMEMO_TEXT_MAX];
} slot;

struct keymemo {
	uint64_t seed;
	slot s[KEYMEMO_SLOTS];
};

omtw_err keymemo_new(keymemo **out)
{
	keymemo *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return OMTW_ENOMEM;
	if (RAND_bytes((unsigned char *)&m->seed, sizeof(m->seed)) != 1) {
		free(m);
		return OMTW_ECRYPTO;
	}
	*out = m;
	return OMTW_OK;
}

void keymemo_free(keymemo *m)
{
	free(m);
}

/* Eight bytes a step (multiply and fold), from a secret start, then a final
 * mix so that the low bits (the slot) depend on every byte.  Only the slot
 * choice rests on it: a match is always confirmed byte by byte. */
uint64_t keymemo_hash(const keymemo *m, const char *s, size_t len)
{
	uint64_t h = m->seed ^ (len * 0x9e3779b97f4a7c15ULL), w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int keymemo_get(const keymemo *m, uint64_t h, const char *s, size_t len,
		unsigned char id[KEYMEMO_ID_LEN])
{
	const slot *e = &m->s[h % KEYMEMO_SLOTS];

	if (len == 0 || e->len != len || e->hash != h || memcmp(e->text, s, len) != 0)
		return 0;
	memcpy(id, e->id, KEYMEMO_ID_LEN);
	return 1;
}

void keymemo_put(keymemo *m, uint64_t h, const char *s, size_t len,
		 const unsigned char id[KEYMEMO_ID_LEN])
{
	slot *e = &m->s[h % KEYMEMO_SLOTS];

	if (len == 0 || len > KEYMEMO_TEXT_MAX)
		return;
	e->hash = h;
	e->len = (uint32_t)len;
	memcpy(e->id, id, KEYMEMO_ID_LEN);
	memcpy(e->text, s, len);
}
