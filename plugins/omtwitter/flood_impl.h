/* flood_impl.h - flood's internals, shared by flood.c and flood_state.c. */
#ifndef FLOOD_IMPL_H
#define FLOOD_IMPL_H

#include <openssl/evp.h>

#include "flood.h"
#include "incidents.h"

#define FLOOD_ID_LEN 16 /* bytes of SHA-256(key) that identify an alert */

typedef struct fentry {
	unsigned char id[FLOOD_ID_LEN];
	time_t window_end;            /* repeats before this are only counted */
	unsigned long long pending;   /* alerts waiting for the next digest */
	int unconfirmed;              /* posting; its window is not saved yet */
	struct fposting *post;        /* posting: how far (NULL: not started) */
	struct fvalues *values;       /* an incident's values counted (NULL: none) */
	/* this episode (since it began, or came back after its window): */
	time_t shown_at;              /* last on the phone (its post, a digest row); 0: not yet */
	time_t last_seen;             /* its latest alert */
	unsigned long long total;     /* its alerts, posted or not */
	int quiet_told;               /* a digest said it went quiet */
	struct fentry *newer, *older; /* recency list */
	struct fentry *hnext;         /* hash chain */
	char text[];                  /* at most FLOOD_TEXT_MAX bytes, NUL-terminated */
} fentry;

typedef struct fposting {
	flood_progress p;
	int loaded;                   /* from the state file: may have reached X */
	time_t until;                 /* a finished post (next == nparts): kept until then */
} fposting;

/* Post times, oldest first, in a ring of fixed capacity. */
typedef struct stamps {
	time_t *t;
	size_t cap, head, n;
} stamps;

struct flood {
	flood_config cfg;
	EVP_MD *sha256;                 /* fetched once: no store lookup per alert */
	EVP_MD_CTX *mdctx;              /* reused for every key */
	fentry **bucket;
	size_t nbuckets;                /* a power of two */
	fentry *newest, *oldest;
	size_t nentries;
	unsigned long long pending;     /* entries' counts plus others */
	unsigned long long pending_distinct; /* entries with a count */
	unsigned long long others, others_distinct; /* counts of evicted entries */
	time_t last_now;                /* the latest 'now' seen (a step back is followed) */
	time_t period_start;            /* of the next digest: since the last one */
	time_t next_check;              /* a digest interval closed without news: the next close */
	time_t others_since;            /* the counts of evicted alerts wait since then */
	double tokens;                  /* pacing: posts that may go out now (see flood.c) */
	time_t tokens_at;               /* as of then */
	time_t blocked_until;
	stamps local, daily;
	fposting *digest_post;          /* the digest being posted: how far */
	flood_digest *inflight;         /* and what it says (saved with it) */
	int inflight_loaded;            /* from the state file: take it again first */
	flood_limit server[FLOOD_SRV_N];
	int dirty;
	incidents *miner;               /* FLOOD_GROUP_TEMPLATE */
};

/* The most frequent values of an incident's alerts waiting for a digest:
 * the first FLOOD_VALUES_KEPT distinct ones, counted exactly. */
typedef struct fvalues {
	size_t n;
	struct {
		char v[FLOOD_VALUE_MAX + 1];
		unsigned long long count;
	} kept[FLOOD_VALUES_KEPT];
} fvalues;

fentry *flood_find(flood *f, const unsigned char id[FLOOD_ID_LEN]);
/* A new most recent entry (evicting the least recent when full). */
omtw_err flood_insert(flood *f, const unsigned char id[FLOOD_ID_LEN], const char *text,
		      size_t textlen, fentry **out);
void flood_add_pending(flood *f, fentry *e, unsigned long long n);
void flood_remove(flood *f, fentry *e);
/* The table is full, or the miner forgot e's incident: its count moves to "others". */
void flood_evict(flood *f, fentry *e);
/* The grouping (flood_group.c): its miner, the digest row of e (malloc'd). */
omtw_err flood_group_new(flood *f);
char *flood_label(const flood *f, const fentry *e);
/* The incident ticket of id, and whether id is one. */
void flood_incident_ticket(uint64_t incident, unsigned char id[FLOOD_ID_LEN]);
/* At most max bytes of s[0..len), cut at a UTF-8 character boundary. */
size_t flood_cut_utf8(const char *s, size_t len, size_t max);
void stamps_push(stamps *s, time_t t);
/* A deep copy of src into dst (zeroed on failure). */
omtw_err flood_digest_copy(flood_digest *dst, const flood_digest *src);
struct flood_taken {
	unsigned char id[FLOOD_ID_LEN];
	unsigned long long count;
	int quiet;                    /* the digest says it went quiet */
};

#endif
