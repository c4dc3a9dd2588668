/* keymemo.h - which alert a text is, remembered: text -> flood id.
 *
 * In a flood most lines repeat one alert.  Finding its id means cleaning
 * and normalising the text, then SHA-256 of the key: ~0.9 us a line on
 * rsyslog's queue thread, for a line that is only counted.  The memo maps
 * the exact bytes (the rendered text, or the rendered dedup key) to the id
 * the full path found for them, so a repeat costs a cheap hash and one
 * compare.  It only ever answers for bytes it holds in full, so a wrong id
 * is impossible; a miss just takes the full path.
 *
 * Direct-mapped, fixed size (KEYMEMO_SLOTS x ~150 bytes), no allocation
 * after keymemo_new; texts longer than KEYMEMO_TEXT_MAX are not kept.
 * The slot hash is seeded from the CSPRNG, so no one can pick texts that
 * evict each other.  Not thread-safe: the caller locks.
 */
#ifndef KEYMEMO_H
#define KEYMEMO_H

#include <stddef.h>
#include <stdint.h>

#include "omtw_err.h"

#define KEYMEMO_SLOTS 1024
#define KEYMEMO_TEXT_MAX 128
#define KEYMEMO_ID_LEN 16

typedef struct keymemo keymemo;

omtw_err keymemo_new(keymemo **out);
void keymemo_free(keymemo *m);

/* The slot hash of s (seeded); compute it outside the caller's lock. */
uint64_t keymemo_hash(const keymemo *m, const char *s, size_t len);

/* 1 and id when s (with hash h) is held, else 0. */
int keymemo_get(const keymemo *m, uint64_t h, const char *s, size_t len,
		unsigned char id[KEYMEMO_ID_LEN]);

/* Remember s -> id (replacing what its slot held); too long: ignored. */
void keymemo_put(keymemo *m, uint64_t h, const char *s, size_t len,
		 const unsigned char id[KEYMEMO_ID_LEN]);

#endif
