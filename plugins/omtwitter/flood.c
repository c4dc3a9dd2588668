/* flood.c - dedup, budgets and digest bookkeeping (see flood.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "flood_impl.h"

#define DIGEST_ITEMS_MAX 1000 /* texts a digest snapshot carries */


/* ---- post times ---- */

static omtw_err stamps_init(stamps *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	if (cap == 0)
		return OMTW_OK;
	if ((s->t = calloc(cap, sizeof(*s->t))) == NULL)
		return OMTW_ENOMEM;
	s->cap = cap;
	return OMTW_OK;
}

void stamps_push(stamps *s, time_t t)
{
	if (s->cap == 0)
		return;
	if (s->n == s->cap) { /* full: the oldest can no longer matter */
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
	s->t[(s->head + s->n) % s->cap] = t;
	s->n++;
}

static time_t stamps_at(const stamps *s, size_t i)
{
	return s->t[(s->head + i) % s->cap];
}

/* Forget posts at or before cutoff (they left the window). */
static void stamps_expire(stamps *s, time_t cutoff)
{
	while (s->n > 0 && stamps_at(s, 0) <= cutoff) {
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
}

/* Posts after cutoff. */
static size_t stamps_since(const stamps *s, time_t cutoff)
{
	size_t i = 0;

	while (i < s->n && stamps_at(s, i) <= cutoff)
		i++;
	return s->n - i;
}

/* ---- entries: hash table plus recency list ---- */

static size_t slot(const flood *f, const unsigned char id[FLOOD_ID_LEN])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)h & (f->nbuckets - 1);
}

fentry *flood_find(flood *f, const unsigned char id[FLOOD_ID_LEN])
{
	for (fentry *e = f->bucket[slot(f, id)]; e; e = e->hnext)
		if (memcmp(e->id, id, FLOOD_ID_LEN) == 0)
			return e;
	return NULL;
}

static void unlink_recency(flood *f, fentry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		f->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		f->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void make_newest(flood *f, fentry *e)
{
	e->older = f->newest;
	e->newer = NULL;
	if (f->newest)
		f->newest->newer = e;
	f->newest = e;
	if (f->oldest == NULL)
		f->oldest = e;
}

static void touch(flood *f, fentry *e)
{
	if (f->newest != e) {
		unlink_recency(f, e);
		make_newest(f, e);
	}
}

void flood_remove(flood *f, fentry *e)
{
	fentry **p = &f->bucket[slot(f, e->id)];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	unlink_recency(f, e);
	f->nentries--;
	free(e->post);
	free(e->values);
	free(e);
}

/* The least recently seen alert makes room (or the miner forgot its
 * incident); its count is kept under "others", so totals stay exact. */
void flood_evict(flood *f, fentry *e)
{
	if (e->pending) {
		if (f->others == 0)
			f->others_since = e->shown_at ? e->shown_at : f->last_now;
		f->others += e->pending;
		f->others_distinct++;
		f->pending_distinct--;
	}
	flood_remove(f, e);
}

size_t flood_cut_utf8(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--;
	return len;
}

omtw_err flood_insert(flood *f, const unsigned char id[FLOOD_ID_LEN], const char *text,
		      size_t textlen, fentry **out)
{
	size_t n = flood_cut_utf8(text, textlen, FLOOD_TEXT_MAX);
	fentry *e = malloc(sizeof(*e) + n + 1); /* one allocation: entry and text */

	if (e == NULL)
		return OMTW_ENOMEM;
	memset(e, 0, sizeof(*e));
	memcpy(e->text, text, n);
	e->text[n] = '\0';
	memcpy(e->id, id, FLOOD_ID_LEN);
	if (f->nentries >= f->cfg.maxentries)
		flood_evict(f, f->oldest);
	e->hnext = f->bucket[slot(f, id)];
	f->bucket[slot(f, id)] = e;
	make_newest(f, e);
	f->nentries++;
	*out = e;
	return OMTW_OK;
}

void flood_add_pending(flood *f, fentry *e, unsigned long long n)
{
	if (e->pending == 0 && n > 0)
		f->pending_distinct++;
	e->pending += n;
	f->pending += n;
}

/* ---- life cycle ---- */

omtw_err flood_new(const flood_config *cfg, time_t now, flood **out)
{
	flood *f;
	size_t nb = 16;

	*out = NULL;
	if (cfg->maxentries == 0 || cfg->maxentries > FLOOD_ENTRIES_MAX || cfg->digest_interval <= 0 ||
	    cfg->dedup_window < 0 || cfg->rl_interval < 0 || cfg->budget_daily < 0 ||
	    cfg->budget_daily > FLOOD_BUDGET_MAX || (cfg->rl_interval > 0 &&
	    (cfg->rl_burst < 1 || cfg->rl_burst > FLOOD_BUDGET_MAX)) ||
	    (cfg->group != FLOOD_GROUP_EXACT && cfg->group != FLOOD_GROUP_TEMPLATE) ||
	    !(cfg->similarity >= 0 && cfg->similarity <= 1) || cfg->digest_repeat < 0)
		return OMTW_EINVAL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return OMTW_ENOMEM;
	f->cfg = *cfg;
	while (nb < cfg->maxentries)
		nb *= 2;
	f->nbuckets = nb;
	f->period_start = f->last_now = now;
	f->tokens = FLOOD_PACE_CAPACITY(cfg->budget_daily);
	f->tokens_at = now;
	for (int i = 0; i < FLOOD_SRV_N; i++)
		f->server[i].remaining = f->server[i].reset = -1;
	if ((f->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (f->mdctx = EVP_MD_CTX_new()) == NULL ||
	    (f->bucket = calloc(nb, sizeof(*f->bucket))) == NULL ||
	    stamps_init(&f->local, cfg->rl_interval > 0 ? (size_t)cfg->rl_burst : 0) != OMTW_OK ||
	    stamps_init(&f->daily, (size_t)cfg->budget_daily) != OMTW_OK ||
	    flood_group_new(f) != OMTW_OK) {
		flood_free(f);
		return OMTW_ENOMEM;
	}
	*out = f;
	return OMTW_OK;
}

void flood_free(flood *f)
{
	if (f == NULL)
		return;
	incidents_free(f->miner); /* first: it must not evict entries as it goes */
	while (f->oldest)
		flood_remove(f, f->oldest);
	free(f->digest_post);
	if (f->inflight)
		flood_digest_free(f->inflight);
	free(f->inflight);
	EVP_MD_CTX_free(f->mdctx);
	EVP_MD_free(f->sha256);
	free(f->bucket);
	free(f->local.t);
	free(f->daily.t);
	free(f);
}

/* ---- the wall clock ---- */

#define CLOCK_STEP_MIN 60 /* s: a smaller step back is a late reader, not a step */

/* The wall clock stepped back by d (NTP correcting a clock that ran ahead,
 * a VM restored from a snapshot): the post times, the digest period and
 * the dedup windows were read from the old clock, so they move back by d
 * too; else a budget spent "in the future" would block posts, and a
 * window would hide a recurrence, for d longer.  The server's reset times
 * are X's clock and stay.  A step forward needs nothing: what was spent
 * only expires sooner. */
static void follow_clock(flood *f, time_t now)
{
	time_t d = f->last_now - now;

	if (d < CLOCK_STEP_MIN) {
		if (now > f->last_now)
			f->last_now = now;
		return;
	}
	for (size_t i = 0; i < f->local.n; i++)
		f->local.t[(f->local.head + i) % f->local.cap] -= d;
	for (size_t i = 0; i < f->daily.n; i++)
		f->daily.t[(f->daily.head + i) % f->daily.cap] -= d;
	f->period_start -= d;
	f->tokens_at -= d;
	if (f->next_check)
		f->next_check -= d;
	f->others_since -= d;
	for (fentry *e = f->newest; e; e = e->older) {
		if (e->window_end > now)
			e->window_end = e->window_end - d > now ? e->window_end - d : now;
		if (e->shown_at)
			e->shown_at -= d;
		e->last_seen -= d;
	}
	f->last_now = now;
	f->dirty = 1;
}

/* ---- budgets ---- */

/* ---- pacing ---- */

/* Posts are paced so that the day's budget lasts: a post takes a token;
 * at most FLOOD_PACE_CAPACITY(B) are saved up (the first posts of a storm
 * go out at once), and they come back at B - capacity per 24 h, so that
 * no 24 hours ever hold more than B posts.  A restatement leaves one for
 * news.  Off without a daily budget (B 0) or with B 1. */
static int pacing(const flood *f)
{
	return f->cfg.pace && f->cfg.budget_daily > 1;
}

static void pace_refill(flood *f, time_t now)
{
	double cap = FLOOD_PACE_CAPACITY(f->cfg.budget_daily);

	if (!pacing(f) || now <= f->tokens_at)
		return;
	f->tokens += (double)(now - f->tokens_at) * (double)(f->cfg.budget_daily - (long)cap) / FLOOD_DAY;
	if (f->tokens > cap)
		f->tokens = cap;
	f->tokens_at = now;
}

/* When n tokens are there (now if they are). */
static time_t pace_frees(const flood *f, double n, time_t now)
{
	double rate = pacing(f) ? (double)(f->cfg.budget_daily - FLOOD_PACE_CAPACITY(f->cfg.budget_daily)) / FLOOD_DAY : 0;
	double have = f->tokens;

	if (!pacing(f))
		return now;
	if (now > f->tokens_at)
		have += (double)(now - f->tokens_at) * rate;
	if (have >= n - 1e-9)
		return now;
	return now + (time_t)((n - have) / rate) + 1;
}

/* May n posts go out now, keeping `reserve` more for a digest?  A post
 * that is no news (a restatement) also leaves one token for news. */
static int budget_allows_news(flood *f, long n, long reserve, int news, time_t now)
{
	long need = n + reserve;

	pace_refill(f, now);
	if (pacing(f)) {
		/* a thread longer than the savings goes once they are full, and
		 * empties them (the rolling day's cap below still holds) */
		double want = (double)(n + (news ? 0 : 1)), cap = FLOOD_PACE_CAPACITY(f->cfg.budget_daily);

		if (f->tokens + 1e-9 < (want < cap ? want : cap))
			return 0;
	}

	if (f->cfg.rl_interval > 0) {
		stamps_expire(&f->local, now - f->cfg.rl_interval);
		if ((long)f->local.n + need > f->cfg.rl_burst)
			return 0;
	}
	if (f->cfg.budget_daily > 0) {
		stamps_expire(&f->daily, now - FLOOD_DAY);
		if ((long)f->daily.n + need > f->cfg.budget_daily)
			return 0;
	}
	for (int i = 0; i < FLOOD_SRV_N; i++)
		if (f->server[i].remaining >= 0 && f->server[i].reset > now &&
		    f->server[i].remaining < need)
			return 0;
	return 1;
}

static int budget_allows(flood *f, long n, long reserve, time_t now)
{
	return budget_allows_news(f, n, reserve, 1, now);
}

static void spend(flood *f, int n, time_t now)
{
	if (pacing(f)) {
		pace_refill(f, now);
		f->tokens = f->tokens > n ? f->tokens - n : 0;
	}
	for (int k = 0; k < n; k++) {
		if (f->cfg.rl_interval > 0)
			stamps_push(&f->local, now);
		if (f->cfg.budget_daily > 0)
			stamps_push(&f->daily, now);
	}
	for (int i = 0; i < FLOOD_SRV_N; i++)
		if (f->server[i].remaining >= 0 && f->server[i].reset > now)
			f->server[i].remaining = f->server[i].remaining > n ? f->server[i].remaining - n : 0;
	f->dirty = 1;
}

void flood_server_view(flood *f, const flood_limit lim[FLOOD_SRV_N], time_t now)
{
	for (int i = 0; i < FLOOD_SRV_N; i++) {
		/* a header that was missing or makes no sense tells nothing: no
		 * X limit resets more than a day ahead */
		if (lim[i].remaining < 0 || lim[i].reset <= 0 || lim[i].reset > (long long)now + FLOOD_DAY + 3600)
			continue;
		f->server[i] = lim[i];
		f->dirty = 1;
	}
}

void flood_block_until(flood *f, time_t t)
{
	if (t > f->blocked_until) {
		f->blocked_until = t;
		f->dirty = 1;
	}
}

time_t flood_blocked_until(const flood *f)
{
	return f->blocked_until;
}

/* ---- admission ---- */

/* The 128-bit id of a key: the start of its SHA-256 (no crafted log line
 * can make two alerts collide), with one digest context reused. */
static omtw_err hash_key(flood *f, const char *key, size_t keylen, unsigned char id[FLOOD_ID_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_DigestInit_ex2(f->mdctx, f->sha256, NULL) || !EVP_DigestUpdate(f->mdctx, key, keylen) ||
	    !EVP_DigestFinal_ex(f->mdctx, md, &mdlen) || mdlen < FLOOD_ID_LEN)
		return OMTW_ECRYPTO;
	memcpy(id, md, FLOOD_ID_LEN);
	return OMTW_OK;
}

omtw_err flood_key(flood *f, const char *key, size_t keylen, flood_ticket *id, char *values,
		   size_t size)
{
	incident_match m;
	omtw_err err;

	if (values && size)
		values[0] = '\0';
	if (f->miner == NULL)
		return hash_key(f, key, keylen, id->id);
	if ((err = incidents_match(f->miner, key, keylen, &m)) != OMTW_OK)
		return err;
	flood_incident_ticket(m.id, id->id);
	if (values && size) {
		size_t n = flood_cut_utf8(m.values, strlen(m.values), size - 1);
		memcpy(values, m.values, n);
		values[n] = '\0';
	}
	return OMTW_OK;
}

omtw_err flood_admit(flood *f, const char *key, size_t keylen, const char *text,
		     size_t textlen, int nposts, time_t now, flood_verdict *verdict,
		     flood_ticket *ticket)
{
	char values[FLOOD_VALUE_MAX + 1];
	flood_ticket t;
	omtw_err err;

	if ((err = flood_key(f, key, keylen, &t, values, sizeof(values))) != OMTW_OK)
		return err;
	if (ticket)
		*ticket = t;
	if ((err = flood_admit_id(f, &t, text, textlen, nposts, now, verdict)) == OMTW_OK &&
	    *verdict != FLOOD_POST)
		flood_note_values(f, &t, values);
	return err;
}

/* Was e being posted when the loaded state was saved (a stop or a crash
 * cut it), or forgotten by the engine before it was delivered?  Handed
 * back by rsyslog's queue, it goes on: admitted again without spending
 * the budget a second time. */
static int resuming(const fentry *e)
{
	return e && e->post && e->post->loaded;
}

/* A repeat within e's window: counted, and the window extended (an alert
 * that keeps firing is posted once, then reported by the digests). */
static int count_repeat(flood *f, fentry *e, time_t now)
{
	/* (a post cut by a stop has no open window; one the engine forgot has) */
	if (e == NULL || f->cfg.dedup_window <= 0 || now >= e->window_end || resuming(e))
		return 0;
	e->window_end = now + f->cfg.dedup_window;
	e->last_seen = now;
	e->total++;
	flood_add_pending(f, e, 1);
	return 1;
}

int flood_count_repeat(flood *f, const flood_ticket *id, time_t now)
{
	follow_clock(f, now);
	fentry *e = flood_find(f, id->id);

	if (!count_repeat(f, e, now))
		return 0;
	touch(f, e);
	f->dirty = 1;
	return 1;
}

omtw_err flood_admit_id(flood *f, const flood_ticket *id, const char *text, size_t textlen,
			int nposts, time_t now, flood_verdict *verdict)
{
	const unsigned char *md = id->id;
	fentry *e;
	omtw_err err;

	follow_clock(f, now);
	if ((e = flood_find(f, md)) != NULL)
		touch(f, e);
	f->dirty = 1;
	if (count_repeat(f, e, now)) {
		*verdict = FLOOD_COUNTED;
		return OMTW_OK;
	}
	if (e && !resuming(e)) { /* it comes back after its window: a new episode */
		e->shown_at = 0;
		e->total = e->pending; /* counts still waiting for a digest are its news too */
		e->quiet_told = 0;
	}
	if (resuming(e) || budget_allows(f, nposts, f->pending > 0, now)) {
		if (!resuming(e)) /* a post cut by a stop spent its budget before it */
			spend(f, nposts, now);
		/* an entry even without dedup: it records the post's progress */
		if (e == NULL && (err = flood_insert(f, md, text, textlen, &e)) != OMTW_OK)
			return err;
		e->window_end = now + f->cfg.dedup_window;
		e->unconfirmed = 1;
		if (!resuming(e))
			e->total++;
		e->last_seen = now;
		e->shown_at = now;
		*verdict = FLOOD_POST;
		return OMTW_OK;
	}
	if (e == NULL && (err = flood_insert(f, md, text, textlen, &e)) != OMTW_OK)
		return err;
	e->window_end = now + f->cfg.dedup_window;
	e->last_seen = now;
	e->total++;
	flood_add_pending(f, e, 1);
	*verdict = FLOOD_HELD;
	return OMTW_OK;
}

void flood_size_matters_id(flood *f, const flood_ticket *id, time_t now, int *matters)
{
	fentry *e;

	follow_clock(f, now);
	e = flood_find(f, id->id);
	if (resuming(e))
		*matters = 1; /* posted whatever its size */
	else if (e && f->cfg.dedup_window > 0 && now < e->window_end)
		*matters = 0; /* a repeat: counted */
	else
		*matters = budget_allows(f, 1, f->pending > 0, now); /* no room even for one: held */
}

omtw_err flood_size_matters(flood *f, const char *key, size_t keylen, time_t now, flood_ticket *id,
			    int *matters)
{
	omtw_err err;

	if ((err = flood_key(f, key, keylen, id, NULL, 0)) != OMTW_OK)
		return err;
	flood_size_matters_id(f, id, now, matters);
	return OMTW_OK;
}

void flood_posted(flood *f, const flood_ticket *t)
{
	fentry *e = flood_find(f, t->id);

	if (e == NULL || (!e->unconfirmed && e->post == NULL))
		return;
	e->unconfirmed = 0;
	f->dirty = 1;
	if (f->cfg.dedup_window <= 0 && e->post && e->post->p.next == e->post->p.nparts) {
		/* no dedup window recognises a replay of it: its record does */
		e->post->until = f->last_now + FLOOD_REPLAY_GRACE;
		e->post->loaded = 0;
		return;
	}
	free(e->post);
	e->post = NULL;
	if (f->cfg.dedup_window <= 0 && e->pending == 0)
		flood_remove(f, e); /* it only recorded the progress */
}

/* Where t's progress is kept (NULL: the digest's); NULL when t has no entry
 * (evicted by a flood of other alerts: its progress is not recorded). */
static fposting **posting_of(flood *f, const flood_ticket *t)
{
	fentry *e;

	if (t == NULL)
		return &f->digest_post;
	return (e = flood_find(f, t->id)) ? &e->post : NULL;
}

void flood_progress_set(flood *f, const flood_ticket *t, const flood_progress *p)
{
	fposting **pp = posting_of(f, t);

	if (pp == NULL)
		return;
	if (*pp == NULL && (*pp = calloc(1, sizeof(**pp))) == NULL)
		return; /* out of memory: a restart posts it anew */
	(*pp)->p = *p;
	(*pp)->loaded = 0;
	f->dirty = 1;
}

void flood_progress_forgotten(flood *f, const flood_ticket *t, const flood_progress *p)
{
	fposting **pp = posting_of(f, t);

	flood_progress_set(f, t, p);
	if (pp && *pp)
		(*pp)->loaded = 1; /* as if read from the state file: resumed once */
}

int flood_resume(flood *f, const flood_ticket *t, flood_progress *p)
{
	fposting **pp = posting_of(f, t);

	if (pp == NULL || *pp == NULL || !(*pp)->loaded)
		return 0;
	(*pp)->loaded = 0;
	if ((*pp)->until && f->last_now >= (*pp)->until)
		return 0; /* posted long ago: a new alert */
	*p = (*pp)->p;
	p->finished = (*pp)->until != 0;
	return 1;
}

unsigned long long flood_pending(const flood *f, unsigned long long *distinct)
{
	if (distinct)
		*distinct = f->pending_distinct + f->others_distinct;
	return f->pending;
}

int flood_dirty(const flood *f)
{
	return f->dirty;
}

void flood_clean(flood *f)
{
	f->dirty = 0;
}

void flood_mark_dirty(flood *f)
{
	f->dirty = 1;
}

/* ---- digests ---- */

static int by_count_desc(const void *a, const void *b)
{
	const fentry *x = *(const fentry *const *)a, *y = *(const fentry *const *)b;

	return x->pending < y->pending ? 1 : x->pending > y->pending ? -1 : strcmp(x->text, y->text);
}

void flood_digest_free(flood_digest *d)
{
	for (size_t i = 0; i < d->nitems; i++)
		free(d->items[i].text);
	free(d->items);
	free(d->taken);
	memset(d, 0, sizeof(*d));
}

omtw_err flood_digest_copy(flood_digest *dst, const flood_digest *src)
{
	*dst = *src;
	dst->items = NULL;
	dst->taken = NULL;
	dst->nitems = dst->ntaken = 0;
	if (src->nitems && (dst->items = calloc(src->nitems, sizeof(*dst->items))) == NULL)
		goto nomem;
	for (; dst->nitems < src->nitems; dst->nitems++) {
		dst->items[dst->nitems].count = src->items[dst->nitems].count;
		dst->items[dst->nitems].id = src->items[dst->nitems].id;
		dst->items[dst->nitems].quiet = src->items[dst->nitems].quiet;
		dst->items[dst->nitems].total = src->items[dst->nitems].total;
		if ((dst->items[dst->nitems].text = strdup(src->items[dst->nitems].text)) == NULL)
			goto nomem;
	}
	if (src->ntaken && (dst->taken = malloc(src->ntaken * sizeof(*dst->taken))) == NULL)
		goto nomem;
	if (src->ntaken)
		memcpy(dst->taken, src->taken, src->ntaken * sizeof(*dst->taken));
	dst->ntaken = src->ntaken;
	return OMTW_OK;
nomem:
	flood_digest_free(dst);
	return OMTW_ENOMEM;
}

/* Keep a copy of the digest going out, for the state file: after a crash
 * the same digest is posted again (X's "duplicate content" then means it
 * arrived), never its counts a second time in a bigger one. */
static void keep_inflight(flood *f, const flood_digest *d)
{
	if (f->inflight)
		flood_digest_free(f->inflight);
	else if ((f->inflight = malloc(sizeof(*f->inflight))) == NULL)
		return; /* out of memory: not kept */
	if (flood_digest_copy(f->inflight, d) != OMTW_OK) {
		free(f->inflight);
		f->inflight = NULL;
	}
	f->inflight_loaded = 0;
	f->dirty = 1;
}

/* Is e news (not yet shown in this episode), due to be restated, quiet
 * (shown, then silent for its dedup window, not yet said)? */
static int is_news(const fentry *e)
{
	return e->pending > 0 && e->shown_at == 0;
}

static int restate_due(const flood *f, const fentry *e, time_t now)
{
	return e->pending > 0 && e->shown_at != 0 &&
	       (f->cfg.digest_repeat == 0 || now - e->shown_at >= f->cfg.digest_repeat);
}

static int gone_quiet(const flood *f, const fentry *e, time_t now)
{
	/* digest_repeat 0: every digest restates all, as before news-only
	 * digests, and says nothing of quiet */
	return f->cfg.digest_repeat > 0 && f->cfg.dedup_window > 0 && e->total > 1 && !e->quiet_told &&
	       now >= e->window_end &&
	       (e->shown_at != 0 || e->pending > 0);
}

/* The rows of a digest at now: news, restatements due and quiet ones (a
 * row that is news or due and whose window has closed says so too). */
static int row(const flood *f, const fentry *e, time_t now)
{
	return is_news(e) || restate_due(f, e, now) || (e->shown_at != 0 && gone_quiet(f, e, now));
}

int flood_digest_take(flood *f, time_t now, int maxposts, flood_digest *d)
{
	fentry **v = NULL;
	size_t n = 0, cap = 0;
	int posts = maxposts, news = 0, fresh = 0, others = 0; /* fresh: news not yet shown */
	unsigned long long total = 0, distinct = 0;

	follow_clock(f, now);
	memset(d, 0, sizeof(*d));
	if (f->inflight && f->inflight_loaded) { /* out when rsyslogd stopped: it first */
		if (now < f->blocked_until || flood_digest_copy(d, f->inflight) != OMTW_OK)
			return 0;
		f->inflight_loaded = 0;
		return 1;
	}
	if (now < f->period_start + f->cfg.digest_interval || now < f->next_check)
		return 0;
	if (f->pending == 0) {
		f->period_start = now; /* an empty period: nothing to say */
		f->dirty = 1;
		return 0;
	}
	/* news, a restatement due, or evicted counts waiting long enough */
	others = f->others > 0 && (f->cfg.digest_repeat == 0 || now - f->others_since >= f->cfg.digest_repeat);
	for (fentry *e = f->newest; e && !fresh; e = e->older) {
		fresh = is_news(e);
		news = news || fresh || restate_due(f, e, now);
	}
	if (!news && !others) {
		/* no news: the next interval's close decides again; the
		 * counts wait, and the next digest's period starts here */
		f->next_check = now + f->cfg.digest_interval;
		f->dirty = 1;
		return 0;
	}
	if (now < f->blocked_until)
		return 0;
	while (posts > 0 && !budget_allows_news(f, posts, 0, fresh, now))
		posts--;
	if (posts == 0)
		return 0;
	for (fentry *e = f->newest; e; e = e->older)
		cap += row(f, e, now) != 0;
	if (cap && ((v = malloc(cap * sizeof(*v))) == NULL || (d->taken = malloc(cap * sizeof(*d->taken))) == NULL))
		goto nomem;
	for (fentry *e = f->newest; e; e = e->older)
		if (row(f, e, now)) {
			v[n] = e;
			memcpy(d->taken[n].id, e->id, FLOOD_ID_LEN);
			d->taken[n].count = e->pending;
			d->taken[n].quiet = gone_quiet(f, e, now);
			total += e->pending;
			distinct += e->pending > 0;
			n++;
		}
	d->ntaken = n;
	if (n > 1) /* v is NULL when only "others" wait */
		qsort(v, n, sizeof(*v), by_count_desc);
	d->nitems = n < DIGEST_ITEMS_MAX ? n : DIGEST_ITEMS_MAX;
	if (d->nitems && (d->items = calloc(d->nitems, sizeof(*d->items))) == NULL)
		goto nomem;
	for (size_t i = 0; i < d->nitems; i++) {
		if ((d->items[i].text = flood_label(f, v[i])) == NULL)
			goto nomem;
		d->items[i].count = v[i]->pending;
		memcpy(d->items[i].id.id, v[i]->id, FLOOD_ID_LEN);
		if (gone_quiet(f, v[i], now)) {
			d->items[i].quiet = v[i]->last_seen ? v[i]->last_seen : v[i]->window_end - f->cfg.dedup_window;
			d->items[i].total = v[i]->total;
		}
	}
	free(v);
	d->from = f->period_start;
	d->to = now;
	d->total = total + f->others;
	d->distinct = distinct + f->others_distinct;
	d->others = f->others;
	d->others_distinct = f->others_distinct;
	d->maxposts = posts;
	d->incidents = f->miner != NULL;
	keep_inflight(f, d);
	return 1;
nomem:
	free(v);
	flood_digest_free(d);
	return 0; /* try again at the next tick */
}

void flood_digest_done(flood *f, flood_digest *d, int nposts, time_t now)
{
	unsigned long long from_others = d->others;

	free(f->digest_post);
	f->digest_post = NULL;
	if (f->inflight)
		flood_digest_free(f->inflight);
	free(f->inflight);
	f->inflight = NULL;
	f->inflight_loaded = 0;
	for (size_t i = 0; i < d->ntaken; i++) {
		fentry *e = flood_find(f, d->taken[i].id);
		unsigned long long c = d->taken[i].count, sub = 0;

		if (e) {
			sub = c < e->pending ? c : e->pending;
			e->pending -= sub;
			f->pending -= sub;
			e->shown_at = now; /* on the phone now: restated only after digest_repeat */
			e->quiet_told |= d->taken[i].quiet;
			if (sub && e->values) /* counted afresh for the next digest */
				e->values->n = 0;
			if (sub && e->pending == 0)
				f->pending_distinct--;
		}
		if (c > sub) { /* evicted meanwhile: its count went to others */
			from_others += c - sub;
			d->others_distinct++;
		}
	}
	from_others = from_others < f->others ? from_others : f->others;
	f->others -= from_others;
	f->pending -= from_others;
	f->others_distinct -= d->others_distinct < f->others_distinct ? d->others_distinct
								       : f->others_distinct;
	if (f->others == 0)
		f->others_distinct = 0;
	if (f->others)
		f->others_since = now; /* what came since waits for the next */
	spend(f, nposts, now);
	f->period_start = now;
	f->next_check = 0;
	f->dirty = 1;
}

/* When the budgets next allow one post. */
static time_t budget_frees(const flood *f, time_t now)
{
	time_t t = pace_frees(f, 1, now);

	if (f->cfg.rl_interval > 0) {
		size_t in = stamps_since(&f->local, now - f->cfg.rl_interval);
		if ((long)in + 1 > f->cfg.rl_burst) {
			time_t s = stamps_at(&f->local, f->local.n - in + (size_t)(in - (size_t)f->cfg.rl_burst));
			if (s + f->cfg.rl_interval > t)
				t = s + f->cfg.rl_interval;
		}
	}
	if (f->cfg.budget_daily > 0) {
		size_t in = stamps_since(&f->daily, now - FLOOD_DAY);
		if ((long)in + 1 > f->cfg.budget_daily) {
			time_t s = stamps_at(&f->daily, f->daily.n - in + (size_t)(in - (size_t)f->cfg.budget_daily));
			if (s + FLOOD_DAY > t)
				t = s + FLOOD_DAY;
		}
	}
	for (int i = 0; i < FLOOD_SRV_N; i++)
		if (f->server[i].remaining == 0 && f->server[i].reset > t)
			t = (time_t)f->server[i].reset;
	return t;
}

time_t flood_next_event(flood *f, time_t now)
{
	follow_clock(f, now);
	time_t t = f->period_start + f->cfg.digest_interval;

	if (f->next_check > t)
		t = f->next_check;
	if (f->pending > 0) {
		time_t b = budget_frees(f, now);
		if (b > t)
			t = b;
		if (f->blocked_until > t)
			t = f->blocked_until;
	}
	return t > now ? t : now;
}
