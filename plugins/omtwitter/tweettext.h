/* tweettext.h - shaping hostile log text into X posts.
 *
 * clean:  any bytes -> valid UTF-8, NFC, no control characters (also none
 *         of rsyslog's "#ooo" escapes of them), white space runs collapsed
 *         to one space, trimmed.  The result is safe inside JSON.
 * weight: X's weighted length (twitter-text v3): 1 for U+0000-U+10FF,
 *         U+2000-U+200D, U+2010-U+201F, U+2032-U+2037, 2 for everything
 *         else, 2 per emoji grapheme however many code points it has, 23
 *         per URL.
 * shape:  clean, defang URLs (or keep them), and fit into posts of at most
 *         maxlength weighted characters: one post, a truncated post, or a
 *         thread of parts ending in " (k/n)".
 *
 * Everything is linear in the input.  Input beyond TWEETTEXT_MAX_INPUT
 * bytes is cut before shaping (no thread can carry that much) and the
 * result then ends in an ellipsis.
 */
#ifndef TWEETTEXT_H
#define TWEETTEXT_H

#include <stddef.h>

#include "omtw_err.h"

#define TWEETTEXT_MAX_INPUT (64 * 1024)
#define TWEETTEXT_MAX_PARTS 25
#define TWEETTEXT_SCALE 100 /* weights are in hundredths of a character */

typedef enum { TT_SPLIT_THREAD, TT_SPLIT_TRUNCATE } tt_split;
typedef enum { TT_URLS_DEFANG, TT_URLS_KEEP } tt_urls;

typedef struct tt_config {
	long maxlength;  /* weighted characters per post */
	tt_split split;
	int maxparts;    /* 1..TWEETTEXT_MAX_PARTS */
	tt_urls urls;
} tt_config;

typedef struct tt_parts {
	char **part;     /* NUL-terminated UTF-8, one per post */
	size_t n;
	int truncated;   /* text was dropped (the last part ends in "...") */
} tt_parts;

/* Repair len bytes into clean NFC text (new string in *out). */
omtw_err tweettext_clean(const char *in, size_t len, char **out);

/* Weighted length of clean text, in characters; URLs count 23 when
 * count_urls, else as the characters they are made of. */
long tweettext_weighted_length(const char *s, size_t len, int count_urls);

/* Rewrite every URL so X no longer detects one: the scheme becomes hxxp(s)
 * and every '.' inside it "[.]" (hxxps://evil[.]example/x). */
omtw_err tweettext_defang(const char *s, size_t len, char **out);

/* Clean, then defang or keep URLs: the alert's text before it is fitted
 * into posts (what a digest shows, and the default dedup key). */
omtw_err tweettext_prepare(const char *in, size_t len, tt_urls urls, char **out);

/* The whole pipeline: clean, defang or keep URLs, fit. */
omtw_err tweettext_shape(const char *in, size_t len, const tt_config *cfg, tt_parts *out);
void tweettext_parts_free(tt_parts *p);

/* part (a shaped part) with suffix appended, both within cfg's maxlength:
 * part is cut (ending in an ellipsis) as far as the suffix needs.  For a
 * text X refused as a duplicate of an earlier post: the time makes it new. */
omtw_err tweettext_append(const char *part, const char *suffix, const tt_config *cfg, char **out);

#endif
