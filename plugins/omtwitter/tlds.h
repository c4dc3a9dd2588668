/* tlds.h - the top-level domains twitter-text v3 recognises in URLs.
 *
 * Generated data (see tlds.c for its source and how it was made).  Every
 * name is lower case, NFC, UTF-8, without a leading dot; each array is
 * sorted ascending by strcmp() of those bytes, so bsearch() with strcmp
 * finds a name.  Compare case-insensitively: lower-case the candidate first.
 */
#ifndef TLDS_H
#define TLDS_H

#include <stddef.h>

/* Every TLD twitter-text knows: generic and country code (the union). */
extern const char *const tweettext_tlds[];
extern const size_t tweettext_ntlds;

#endif
