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

/* flood_admit_id, and for a counted or held alert its values and the
 * news that the state changed; under the mutex. */
static omtw_err admit_locked(const admission *ad, const flood_ticket *id, const char *prepared, int nposts,
			     const char *values, time_t now, flood_verdict *v)
{
	omtw_err e = flood_admit_id(ad->flood, id, prepared, strlen(prepared), nposts, now, v);

	if (e == OMTW_OK && *v != FLOOD_POST) {
		flood_note_values(ad->flood, id, values);
		note_change(ad);
	}
	return e;
}

omtw_err admission_admit(const admission *ad, const char *text, const char *key, time_t now,
			 flood_verdict *v, flood_ticket *ticket, tt_parts *parts)
{
	const char *src = key ? key : text; /* what decides which alert it is */
	size_t srclen = strlen(src);
	uint64_t h = 0;
	char *prepared = NULL, *preparedKey = NULL, values[FLOOD_VALUE_MAX + 1] = "";
	bool counted = false;
	int sizeMatters = 0;
	omtw_err e;

	*v = FLOOD_POST;
	memset(ticket, 0, sizeof(*ticket)); /* defined also for an empty alert (never admitted) */
	memset(parts, 0, sizeof(*parts));
	if (ad->memo) { /* exact keys: a repeat is known by its text */
		h = keymemo_hash(ad->memo, src, srclen);
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
	}

	if ((e = tweettext_prepare(text, strlen(text), ad->shape->urls, &prepared)) != OMTW_OK)
		return e;
	if (prepared[0] != '\0') { /* an empty alert is refused later, never counted */
		if (key && ad->memo == NULL) {
			/* an incident's template is shown in digests: it is mined
			 * from the cleaned key, valid UTF-8 */
			if ((e = tweettext_prepare(key, strlen(key), ad->shape->urls, &preparedKey)) != OMTW_OK)
				goto fail;
			key = preparedKey[0] ? preparedKey : NULL;
		}
		if (key == NULL)
			key = prepared;
		pthread_mutex_lock(ad->mut);
		e = flood_key(ad->flood, key, strlen(key), ticket, values, sizeof(values));
		if (e == OMTW_OK) { /* only a real id is remembered */
			flood_size_matters_id(ad->flood, ticket, now, &sizeMatters);
			if (ad->memo)
				keymemo_put(ad->memo, h, src, srclen, ticket->id);
			if (!sizeMatters)
				e = admit_locked(ad, ticket, prepared, 1, values, now, v);
		}
		pthread_mutex_unlock(ad->mut);
		if (e != OMTW_OK || (!sizeMatters && *v != FLOOD_POST))
			goto done;
	}
	if ((e = tweettext_shape(prepared, strlen(prepared), ad->shape, parts)) != OMTW_OK)
		goto fail;
	if (sizeMatters && parts->n > 0 && parts->part[0][0] != '\0') {
		pthread_mutex_lock(ad->mut);
		e = admit_locked(ad, ticket, prepared, (int)parts->n, values, now, v);
		pthread_mutex_unlock(ad->mut);
		if (e != OMTW_OK)
			goto fail;
	}
	if (*v != FLOOD_POST)
		tweettext_parts_free(parts);
done:
	free(prepared);
	free(preparedKey);
	return e;
fail:
	free(prepared);
	free(preparedKey);
	tweettext_parts_free(parts);
	return e;
}
