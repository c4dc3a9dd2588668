/* admission.h - a new alert in: which alert it is, flood control's
 * verdict, and the parts to post (only for an alert that is posted).
 *
 * On rsyslog's queue thread, in a flood, nearly every alert is only counted
 * or held, so the order of the work matters: a repeat is found by its exact
 * text in a memo (no cleaning, no SHA-256; exact keys only); shaping (NFC, URLs, fitting) is
 * done only for an alert whose size matters to its verdict.  Flood control
 * and the memo are touched only under the caller's mutex, and only briefly:
 * cleaning and shaping run outside it.
 */
#ifndef ADMISSION_H
#define ADMISSION_H

#include <pthread.h>
#include <time.h>

#include "flood.h"
#include "keymemo.h"
#include "tweettext.h"

typedef struct admission {
	flood *flood;
	keymemo *memo;          /* NULL: alerts grouped into incidents (FLOOD_GROUP_TEMPLATE):
				 * every alert goes through the miner, which
				 * must see each line to keep its incidents */
	const tt_config *shape;
	pthread_mutex_t *mut;   /* guards flood and memo */
	/* called with mut held when a counted or held alert changed the state */
	void (*changed)(void *arg);
	void *arg;
} admission;

/* The verdict for text (key: the rendered dedup key, NULL: the text decides
 * which alert it is); for FLOOD_POST also its parts (possibly none, or one
 * empty part: nothing left to post, never admitted, ticket zero) and its
 * ticket.  On an error nothing is counted and parts are empty. */
omtw_err admission_admit(const admission *ad, const char *text, const char *key, time_t now,
			 flood_verdict *v, flood_ticket *ticket, tt_parts *parts);

#endif
