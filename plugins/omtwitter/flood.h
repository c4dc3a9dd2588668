/* flood.h - flood control: which alerts become posts, which are counted.
 *
 * Every post costs money and X's caps are tight, while a bad night brings
 * thousands of alert lines.  Each alert is admitted as one of:
 *   POST     budgets allow it: post it now (the budget is spent at once);
 *   COUNTED  the same alert (same key) was admitted less than dedup.window
 *            seconds ago: only counted, for the next digest (each repeat
 *            extends the window, so an alert that keeps firing is posted
 *            once and then reported by the digests);
 *   HELD     a budget says no: kept, with its count, for the next digest.
 * Nothing is dropped: every alert not posted is in exactly one count that
 * a digest reports ("[x37] disk full on db1"), and counts stay exact when
 * the table of distinct alerts is full (the least recently seen entry's
 * count moves to "others").
 *
 * Budgets (all must allow a post): the local bucket (ratelimit.burst posts
 * in any ratelimit.interval seconds), the rolling 24 h budget.daily, and the
 * server's view from the last response (x-rate-limit-*, x-user-limit-24hour-*,
 * x-app-limit-24hour-*).  While anything waits for a digest, the last post
 * of every budget is kept for that digest.
 *
 * Memory is O(maxentries + burst + daily): an entry holds a 128-bit hash of
 * the key and at most FLOOD_TEXT_MAX bytes of text, whatever the flood.
 * Dedup and admission are O(1) per alert; a digest snapshot is O(n log n)
 * in the entries with a count.  Not thread-safe: the caller locks.  The
 * clock is a parameter everywhere, so tests drive it.
 */
#ifndef FLOOD_H
#define FLOOD_H

#include <stddef.h>
#include <time.h>

#include "omtw_err.h"

#define FLOOD_TEXT_MAX 480       /* bytes of an alert's text kept for a digest */
#define FLOOD_BUDGET_MAX 100000  /* largest burst or daily budget */
/* A full state file must always load again: every entry is at most
 * FLOOD_ENTRY_JSON_MAX bytes of JSON (its text escaped, at worst 6 bytes a
 * byte for control characters, plus id, window, count and its values),
 * the incidents together at most FLOOD_INCIDENTS_JSON_MAX (the least
 * recently seen are left out beyond it: never, in practice), and the
 * loader refuses files over FLOOD_STATE_MAX_BYTES.  Budgets' time stamps
 * add at most 2 * FLOOD_BUDGET_MAX * 21 bytes. */
#define FLOOD_STATE_MAX_BYTES (1024L * 1024 * 1024)
#define FLOOD_VALUES_KEPT 8   /* distinct values counted per incident */
#define FLOOD_VALUE_MAX 40    /* bytes of a value kept */
#define FLOOD_ENTRY_JSON_MAX (6 * FLOOD_TEXT_MAX + 96 + 96 + FLOOD_VALUES_KEPT * (6 * FLOOD_VALUE_MAX + 32))
#define FLOOD_INCIDENTS_JSON_MAX (384L * 1024 * 1024)
#define FLOOD_ENTRIES_MAX 80000
_Static_assert((long)FLOOD_ENTRIES_MAX * FLOOD_ENTRY_JSON_MAX + FLOOD_INCIDENTS_JSON_MAX +
	       2L * FLOOD_BUDGET_MAX * 21 + 4096 < FLOOD_STATE_MAX_BYTES,
	       "a full state file must fit the loader's limit");
#define FLOOD_DAY 86400
/* Pacing (pace, budget_daily B > 1): posts saved up for a storm's first ones, B/5
 * rounded down, at least 1; they come back at B minus that per 24 h. */
#define FLOOD_PACE_CAPACITY(b) ((b) / 5 > 1 ? (b) / 5 : 1)

typedef struct flood_config {
	long dedup_window;       /* seconds; 0: no dedup */
	long rl_interval;        /* seconds; 0: no local bucket */
	long rl_burst;           /* posts per rl_interval */
	long budget_daily;       /* posts per rolling 24 h; 0: no cap */
	long digest_interval;    /* seconds between digests (> 0) */
	size_t maxentries;       /* distinct alerts remembered (> 0) */
	int group;               /* what counts as the same alert: FLOOD_GROUP_* */
	double similarity;       /* FLOOD_GROUP_TEMPLATE: the miner's threshold (0..1) */
	long digest_repeat;      /* seconds: an alert already shown on the phone is restated
				  * by a digest at most this often; 0: every digest restates
				  * every alert waiting and says nothing of quiet ones (the
				  * digests before news-only ones) */
	int pace;                /* pace posts over the day (see FLOOD_PACE_CAPACITY) */
} flood_config;

/* FLOOD_GROUP_EXACT: the same key.  FLOOD_GROUP_TEMPLATE: the same
 * incident, keys that differ only in their variable parts (incidents.h;
 * the miner remembers maxentries incidents, and when one makes room, its
 * entry's count moves to "others" as an evicted entry's does).  A digest
 * row then shows the incident's template and the most frequent values of
 * its variable parts: "sshd: failed login for <*> (u0827, admin, root, +1397)".
 * Without a dedup window (dedup_window 0) keys are exact: no alert is then
 * the same as another, and each post's progress must be its own. */
enum { FLOOD_GROUP_EXACT, FLOOD_GROUP_TEMPLATE };
#define FLOOD_VALUES_SHOWN 3  /* values shown in a digest row */
#define FLOOD_LABEL_MAX 100   /* characters of a template's digest row (= DIGEST_ITEM_MAX) */

typedef enum { FLOOD_POST, FLOOD_COUNTED, FLOOD_HELD } flood_verdict;

/* The server's view of one limit family; remaining -1 when unknown. */
typedef struct flood_limit {
	long long remaining, reset;
} flood_limit;

enum { FLOOD_SRV_WINDOW, FLOOD_SRV_USER24, FLOOD_SRV_APP24, FLOOD_SRV_N };

typedef struct flood flood;

omtw_err flood_new(const flood_config *cfg, time_t now, flood **out);
void flood_free(flood *f);

/* Which alert a POST verdict was for. */
typedef struct flood_ticket {
	unsigned char id[16];
} flood_ticket;

/* Which alert key is (FLOOD_GROUP_EXACT: its hash; TEMPLATE: its
 * incident, the miner learns the line), into *id; values (may be NULL)
 * gets the key's tokens at the template's variable parts, cut to size
 * ("" if none).  OMTW_ECRYPTO when a key could not be hashed. */
omtw_err flood_key(flood *f, const char *key, size_t keylen, flood_ticket *id, char *values,
		   size_t size);
/* The incident of id (FLOOD_GROUP_TEMPLATE), 0 for an exact key. */
unsigned long long flood_incident(const flood_ticket *id);
/* An alert of id, counted or held, had these values: the digest row shows
 * the most frequent. */
void flood_note_values(flood *f, const flood_ticket *id, const char *values);
/* The template of id's incident in buf (cut to size), its length; 0 when
 * id is not an incident remembered. */
size_t flood_template(const flood *f, const flood_ticket *id, char *buf, size_t size);
/* Are alerts grouped into incidents (FLOOD_GROUP_TEMPLATE with a dedup window)? */
int flood_groups(const flood *f);
/* Incidents remembered (0 with FLOOD_GROUP_EXACT). */
size_t flood_incidents(const flood *f);

/* Admit one alert: key decides what counts as the same alert, text is what
 * a digest shows (cut to FLOOD_TEXT_MAX bytes), nposts what posting it
 * costs (the parts of a thread).  ticket may be NULL. */
omtw_err flood_admit(flood *f, const char *key, size_t keylen, const char *text,
		     size_t textlen, int nposts, time_t now, flood_verdict *verdict,
		     flood_ticket *ticket);

/* Does what the alert costs (nposts) matter for its verdict?  (*id: the
 * key's id, for flood_admit_id.)  *matters is 0 when flood_admit will
 * count or hold it whatever its size (a repeat within the window, or no
 * budget even for one post), so the caller need not shape a text that will
 * not be posted (in a flood, nearly every alert).  OMTW_ECRYPTO when the
 * key could not be hashed: then there is no id. */
omtw_err flood_size_matters(flood *f, const char *key, size_t keylen, time_t now, flood_ticket *id,
			    int *matters);
/* The same for the id flood_key gave. */
void flood_size_matters_id(flood *f, const flood_ticket *id, time_t now, int *matters);
/* flood_admit for the id flood_size_matters gave (the key is hashed once). */
omtw_err flood_admit_id(flood *f, const flood_ticket *id, const char *text, size_t textlen,
			int nposts, time_t now, flood_verdict *verdict);

/* Count the alert id as a repeat, if it is one (seen within its dedup
 * window): 1, else 0 and nothing changed.  For a caller that knows the id
 * without the key (a memo of texts already seen). */
int flood_count_repeat(flood *f, const flood_ticket *id, time_t now);

/* The alert of a POST verdict was delivered.  Until then its dedup window
 * is not saved (an alert re-driven after a restart is posted, not counted
 * as a repeat of itself) and it is saved as "being posted".  Without a
 * dedup window it is then saved as "posted" for FLOOD_REPLAY_GRACE
 * seconds: after a crash rsyslog's queue may hand it back (the batch it
 * was in), and X's "duplicate content" for it then means "posted". */
#define FLOOD_REPLAY_GRACE 600
void flood_posted(flood *f, const flood_ticket *t);

/* Where the post of an alert stands while its parts go out.  Kept in the
 * state file until the alert is delivered, so that after a stop or a crash
 * a thread continues as replies to its last posted part, and an answer
 * "duplicate content" for a part that may have arrived before the crash is
 * known to mean "posted". */
#define FLOOD_POST_ID_MAX 32
#define FLOOD_PARTS_MAX 25 /* = TWEETTEXT_MAX_PARTS */
typedef struct flood_progress {
	int next;                       /* parts posted */
	int nparts;                     /* parts in all */
	char last_id[FLOOD_POST_ID_MAX]; /* id of the last part posted, "" if unknown */
	int finished;                   /* flood_resume: it was delivered (posted shortly before) */
} flood_progress;

/* The alert of ticket t (being posted; NULL: the digest taken) now stands
 * at *p.  flood_posted (flood_digest_done) ends the record. */
void flood_progress_set(flood *f, const flood_ticket *t, const flood_progress *p);
/* Was the alert of ticket t (NULL: a digest) being posted when the loaded
 * state was saved, or posted shortly before (p->next == p->nparts)?  Then
 * its next part (or every part) may have reached X already: 1, *p where it
 * stood (used up: asked again, 0).  0: a first post. */
int flood_resume(flood *f, const flood_ticket *t, flood_progress *p);
/* The alert of ticket t, not delivered, standing at *p, is forgotten by
 * the engine (its list of alerts waiting for a retry is full), but rsyslog
 * may still hand it back: then it resumes like a post cut by a stop (not
 * counted as a repeat of itself, no budget spent a second time). */
void flood_progress_forgotten(flood *f, const flood_ticket *t, const flood_progress *p);

/* Record the limits a response reported (remaining -1: header absent). */
void flood_server_view(flood *f, const flood_limit lim[FLOOD_SRV_N], time_t now);

/* 429: no request before t. */
void flood_block_until(flood *f, time_t t);
time_t flood_blocked_until(const flood *f);

/* Alerts waiting for a digest, and how many distinct ones. */
unsigned long long flood_pending(const flood *f, unsigned long long *distinct);

/* A digest: what it reports, taken without removing it from the counts
 * until the digest is confirmed posted (flood_digest_done), so a failed
 * or interrupted digest loses nothing. */
typedef struct flood_item {
	char *text;
	unsigned long long count;    /* alerts since it was last shown (0: only its quiet is news) */
	flood_ticket id;             /* which alert (zero in a digest loaded from a state file) */
	time_t quiet;                /* silent since then (its dedup window closed), 0: not quiet */
	unsigned long long total;    /* with quiet: its alerts in all, since it began */
} flood_item;

typedef struct flood_digest {
	time_t from, to;             /* the period it covers */
	unsigned long long total;    /* alerts in it */
	unsigned long long distinct; /* distinct alerts in it (others estimated) */
	flood_item *items;           /* most frequent first */
	size_t nitems;
	unsigned long long others, others_distinct; /* beyond the table, exact count */
	int maxposts;                /* posts the budgets allow for it */
	int incidents;               /* its rows are incidents (FLOOD_GROUP_TEMPLATE) */
	/* private: which counts to subtract when it is done */
	struct flood_taken *taken;
	size_t ntaken;
} flood_digest;

/* Is a digest due?  At the close of each digest interval, if not blocked
 * and a budget allows a post, one goes out only with news: an alert (an
 * incident) waiting that has not been shown on the phone in this episode
 * (it began, or came back after its dedup window, and its first line was
 * held), or one shown and still firing whose last showing is digest_repeat
 * seconds ago (restated with its count since then), or counts of evicted
 * alerts not reported for digest_repeat.  It also names the alerts shown
 * before whose dedup window has closed since (quiet, with their count in
 * all), and an alert not due waits, counted, for a later digest.  If one
 * is due take it (up to maxposts posts) and return 1. */
int flood_digest_take(flood *f, time_t now, int maxposts, flood_digest *d);

/* The digest went out as nposts posts: subtract its counts, spend budget,
 * start the next period. */
void flood_digest_done(flood *f, flood_digest *d, int nposts, time_t now);
void flood_digest_free(flood_digest *d);

/* When something may next change without a new alert (a digest falls due
 * or a budget frees up); the digest timer sleeps until then. */
time_t flood_next_event(flood *f, time_t now);

/* Has the state changed since the last flood_clean()? */
int flood_dirty(const flood *f);
void flood_clean(flood *f);
void flood_mark_dirty(flood *f); /* a save of a clean snapshot failed */

/* State persistence (flood_state.c): a JSON document, written atomically;
 * a file that is not valid state is refused with a message, never trusted. */
omtw_err flood_save(const flood *f, const char *path, char *err, size_t errlen);
omtw_err flood_load(flood *f, const char *path, time_t now, char *err, size_t errlen);
/* The same document in memory: flood_state_json gives it as saved at now
 * (malloc'd); flood_state_parse replaces f's state with buf's (len bytes,
 * NUL-terminated) or leaves f alone and says *why not. */
omtw_err flood_state_json(const flood *f, time_t now, char **out);
/* Write a document flood_state_json made (atomically, 0600, synced): for a
 * caller that takes the snapshot under its lock and writes outside it. */
omtw_err flood_state_write(const char *path, const char *json, char *err, size_t errlen);
omtw_err flood_state_parse(flood *f, const char *buf, size_t len, time_t now, const char **why);

#endif
