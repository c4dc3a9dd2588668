/* admission.c - a new alert in (see admission.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"

_Static_assert(sizeof(((flood_ticket *)0)->id) == KEYMEMO_ID_LEN, "the memo holds flood ids");

static void note_change(const admission *ad)
{
	if (ad->changed)
		ad->changed(ad->arg);
}

omtw_err admission_admit(const admission *ad, const char *text, const char *key, time_t now,
			 flood_verdict *v, flood_ticket *ticket, tt_parts *parts)
{
	const char *src = key ? key : text; /* what decides which alert it is */
	size_t srclen = strlen(src);
	uint64_t h = keymemo_hash(ad->memo, src, srclen);
	char *prepared = NULL;
	bool counted = false;
	int sizeMatters = 0;
	omtw_err e;

	*v = FLOOD_POST;
	memset(ticket, 0, sizeof(*ticket)); /* defined also for an empty alert (never admitted) */
	memset(parts, 0, sizeof(*parts));
	pthread_mutex_lock(ad->mut);
	if (keymemo_get(ad->memo, h, src, srclen, ticket->id) &&
	    flood_count_repeat(ad->flood, ticket, now)) {
		counted = true;
		note_change(ad);
	}
	pthread_mutex_unlock(ad->mut);
	if (counted) {
		*v = FLOOD_COUNTED;
		return OMTW_OK;
	}

	if ((e = tweettext_prepare(text, strlen(text), ad->shape->urls, &prepared)) != OMTW_OK)
		return e;
	if (prepared[0] != '\0') { /* an empty alert is refused later, never counted */
		if (key == NULL)
			key = prepared;
		pthread_mutex_lock(ad->mut);
		e = flood_size_matters(ad->flood, key, strlen(key), now, ticket, &sizeMatters);
		if (e == OMTW_OK) { /* only a real id is remembered */
			keymemo_put(ad->memo, h, src, srclen, ticket->id);
			if (!sizeMatters &&
			    (e = flood_admit_id(ad->flood, ticket, prepared, strlen(prepared), 1, now, v)) == OMTW_OK)
				note_change(ad);
		}
		pthread_mutex_unlock(ad->mut);
		if (e != OMTW_OK || (!sizeMatters && *v != FLOOD_POST)) {
			free(prepared);
			return e;
		}
	}
	if ((e = tweettext_shape(prepared, strlen(prepared), ad->shape, parts)) != OMTW_OK)
		goto fail;
	if (sizeMatters && parts->n > 0 && parts->part[0][0] != '\0') {
		pthread_mutex_lock(ad->mut);
		e = flood_admit_id(ad->flood, ticket, prepared, strlen(prepared), (int)parts->n, now, v);
		if (e == OMTW_OK && *v != FLOOD_POST)
			note_change(ad);
		pthread_mutex_unlock(ad->mut);
		if (e != OMTW_OK)
			goto fail;
	}
	free(prepared);
	if (*v != FLOOD_POST)
		tweettext_parts_free(parts);
	return OMTW_OK;
fail:
	free(prepared);
	tweettext_parts_free(parts);
	return e;
}
