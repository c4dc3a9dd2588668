/* urls.h - find the URLs X (twitter-text) would detect in a post's text.
 *
 * X links them (with a preview) and counts each as 23 characters, and a
 * post with a URL costs about 13 times more on pay-per-use.  Linear time.
 */
#ifndef URLS_H
#define URLS_H

#include <stddef.h>

#include "omtw_err.h"

typedef struct url_span {
	size_t start, end;    /* byte range [start, end) of the whole URL */
	size_t scheme_len;    /* length of "http" or "https", 0 without one */
} url_span;

/* The URLs in NFC UTF-8 text s, in order, as a new array in *spans. */
omtw_err urls_find(const char *s, size_t len, url_span **spans, size_t *n);

#endif
