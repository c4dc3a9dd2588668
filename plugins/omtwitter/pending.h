/* pending.h - the alerts of an action not yet delivered.
 *
 * rsyslog hands a suspended message back later -- after other messages,
 * possibly to another worker -- so the alerts not yet delivered are kept
 * per action, keyed by their rendered text: a retry resumes at the first
 * part not yet posted (no part is posted twice) and is not admitted by
 * flood control a second time.  A worker claims an alert while it posts
 * it; beyond the list's maximum the oldest unclaimed alert is forgotten
 * (flood control then resumes it if rsyslog hands it back).  Thread-safe.
 */
#ifndef PENDING_H
#define PENDING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "flood.h"
#include "tweettext.h"

_Static_assert(FLOOD_PARTS_MAX == TWEETTEXT_MAX_PARTS, "flood records any thread's progress");

/* An alert being posted, part by part (also the digest timer's digest). */
typedef struct pending_alert {
	char *key;              /* the rendered template text: which alert */
	flood_ticket ticket;    /* its flood entry, confirmed once delivered */
	tt_parts parts;
	size_t next;            /* first part not yet posted */
	char last_id[FLOOD_POST_ID_MAX]; /* id of the last part posted: the reply target */
	size_t maybe_upto;      /* parts before this may have reached X (an earlier try) */
	bool digest;            /* the digest timer's: its progress is flood's digest's */
	bool refused;           /* X refused a part for good: consumed, not delivered */
	bool counted_waiting;   /* counted among the alerts an outage held back */
	bool reposted;          /* part next carries the time: X refused it as a duplicate */
	bool busy;              /* claimed by a worker */
	struct pending_alert *older;
} pending_alert;

/* Free what a holds and zero it (a itself is not freed). */
void pending_alert_clear(pending_alert *a);
/* Clear and free a (malloc'd); NULL is fine. */
void pending_alert_free(pending_alert *a);

typedef struct pending_list {
	pthread_mutex_t mut;
	pending_alert *newest;
	size_t n, max;
} pending_list;

void pending_init(pending_list *l, size_t max);
/* Frees every alert; none may be claimed. */
void pending_free(pending_list *l);

/* The unclaimed alert with this key, now claimed, or NULL. */
pending_alert *pending_take(pending_list *l, const char *key);
/* Adds a (malloc'd, now owned by the list) as claimed.  Beyond the
 * maximum the oldest unclaimed alert is taken out: returned (the caller
 * frees it, after telling flood control that rsyslog may hand it back),
 * or NULL. */
pending_alert *pending_add(pending_list *l, pending_alert *a);
/* The claim on a ends: done (delivered or given up) frees it, otherwise it
 * waits for rsyslog to hand it back. */
void pending_release(pending_list *l, pending_alert *a, bool done);

#endif
