/* digest.h - the text of a digest post: what was held and repeated.
 *
 * "Digest 2026-11-27 08:00–08:15 UTC: 9999 alerts, 2 distinct.
 *  [×9998] disk full on db1 [×1] fan failure on db2"
 * The most frequent alerts first, each cut to DIGEST_ITEM_MAX weighted
 * characters, as many as fit into the thread the budget allows; the rest
 * is summed up as "+ N more (M alerts)", so every count is reported.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include "flood.h"
#include "tweettext.h"

#define DIGEST_ITEM_MAX 100

/* Shape the digest into at most d->maxposts parts of shape->maxlength;
 * *named (may be NULL): how many of d's items it names (the first ones),
 * the rest being in its "+ N more". */
omtw_err digest_compose(const flood_digest *d, const tt_config *shape, tt_parts *out, size_t *named);

#endif
