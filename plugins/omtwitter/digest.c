/* digest.c - compose a digest post (see digest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

/* A growing string; on allocation failure it stays NULL. */
typedef struct buf {
	char *s;
	size_t len, cap;
	int failed;
} buf;

static void put(buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);
		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void period(const flood_digest *d, char *out, size_t size)
{
	struct tm a, b;
	char from[32], to[32];

	gmtime_r(&d->from, &a);
	gmtime_r(&d->to, &b);
	strftime(from, sizeof(from), "%Y-%m-%d %H:%M", &a);
	strftime(to, sizeof(to), a.tm_yday == b.tm_yday && a.tm_year == b.tm_year ? "%H:%M" : "%Y-%m-%d %H:%M", &b);
	snprintf(out, size, "%s\u2013%s UTC", from, to);
}

/* "HH:MM" of t (UTC), with the date when it is not that of ref. */
static void clock_time(time_t t, time_t ref, char *out, size_t size)
{
	struct tm a, b;

	gmtime_r(&t, &a);
	gmtime_r(&ref, &b);
	strftime(out, size, a.tm_yday == b.tm_yday && a.tm_year == b.tm_year ? "%H:%M" : "%Y-%m-%d %H:%M", &a);
}

/* The digest text listing the first k items. */
static char *text_with(const flood_digest *d, char **items, size_t k)
{
	char line[160], when[80];
	unsigned long long listed = 0, rows = 0; /* rows with a count */
	buf b = { 0 };

	period(d, when, sizeof(when));
	snprintf(line, sizeof(line), "Digest %s: %llu alert%s, %llu %s.", when, d->total, d->total == 1 ? "" : "s",
		 d->distinct, !d->incidents ? "distinct" : d->distinct == 1 ? "incident" : "incidents");
	put(&b, line);
	for (size_t i = 0; i < k; i++) {
		const flood_item *it = &d->items[i];
		char since[40];
		if (it->quiet)
			clock_time(it->quiet, d->to, since, sizeof(since));
		if (it->count == 0 && it->quiet) { /* only the news that it stopped */
			snprintf(line, sizeof(line), " Quiet since %s: ", since);
			put(&b, line);
			put(&b, items[i]);
			snprintf(line, sizeof(line), " (\u00d7%llu in all).", it->total);
			put(&b, line);
			continue;
		}
		snprintf(line, sizeof(line), " [\u00d7%llu] ", it->count);
		put(&b, line);
		put(&b, items[i]);
		if (it->quiet && it->total == it->count) { /* the row is all of it */
			snprintf(line, sizeof(line), " (quiet since %s)", since);
			put(&b, line);
		} else if (it->quiet) {
			snprintf(line, sizeof(line), " (quiet since %s, \u00d7%llu in all)", since, it->total);
			put(&b, line);
		}
		listed += it->count;
		rows++;
	}
	if (listed < d->total) {
		unsigned long long more = d->distinct > rows ? d->distinct - rows : 1;
		snprintf(line, sizeof(line), " + %llu more (%llu alert%s)", more, d->total - listed,
			 d->total - listed == 1 ? "" : "s");
		put(&b, line);
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* Shape the text listing k items; *fits when nothing had to be cut. */
static omtw_err try_k(const flood_digest *d, char **items, size_t k, const tt_config *cfg,
		      tt_parts *out, int *fits)
{
	char *t = text_with(d, items, k);
	omtw_err e;

	if (t == NULL)
		return OMTW_ENOMEM;
	e = tweettext_shape(t, strlen(t), cfg, out);
	free(t);
	*fits = e == OMTW_OK && !out->truncated;
	return e;
}

omtw_err digest_compose(const flood_digest *d, const tt_config *shape, tt_parts *out, size_t *named)
{
	tt_config cfg = *shape, one = *shape;
	char **items = calloc(d->nitems ? d->nitems : 1, sizeof(*items));
	size_t lo = 0, hi = d->nitems;
	omtw_err e = OMTW_ENOMEM;
	int fits;

	memset(out, 0, sizeof(*out));
	if (items == NULL)
		return OMTW_ENOMEM;
	cfg.split = TT_SPLIT_THREAD;
	cfg.maxparts = d->maxposts > 0 ? d->maxposts : 1;
	one.split = TT_SPLIT_TRUNCATE;
	one.maxparts = 1;
	one.maxlength = DIGEST_ITEM_MAX;
	/* each alert's text, cut to a line's length */
	for (size_t i = 0; i < d->nitems; i++) {
		tt_parts p;
		if (tweettext_shape(d->items[i].text, strlen(d->items[i].text), &one, &p) != OMTW_OK)
			goto done;
		items[i] = p.n ? p.part[0] : NULL;
		for (size_t j = 1; j < p.n; j++)
			free(p.part[j]);
		free(p.part);
		if (items[i] == NULL && (items[i] = strdup("")) == NULL)
			goto done;
	}
	/* the most items that still fit: a binary search over k */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		tt_parts p;
		if ((e = try_k(d, items, mid, &cfg, &p, &fits)) != OMTW_OK)
			goto done;
		tweettext_parts_free(&p);
		if (fits)
			lo = mid;
		else
			hi = mid - 1;
	}
	e = try_k(d, items, lo, &cfg, out, &fits);
	if (named)
		*named = lo;
done:
	for (size_t i = 0; i < d->nitems; i++)
		free(items[i]);
	free(items);
	return e;
}
