/* engine.c - what is posted when (see engine.h).
 *
 * Locking: mut guards flood, memo and the save schedule; saveMut keeps
 * state file writes in snapshot order; the pending list has its own lock
 * (an alert in it is used by one caller at a time).  The digest and its
 * retry time belong to engine_tick's caller, one thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "digest.h"
#include "engine.h"
#include "errorfile.h"
#include "excerpt.h"
#include "keymemo.h"
#include "pending.h"
#include "ratelog.h"

#define DIGEST_RETRY_MAX 30 /* seconds between tries of a failed digest */

struct engine {
	engine_config cfg;
	engine_ops ops;
	pending_list pending;
	pthread_mutex_t logMut;  /* guards logs and errors */
	ratelog logs[ENGINE_LOG_SAVE + 1];
	errorfile errors;        /* at cfg.errorfile */
	pthread_mutex_t mut;     /* guards the fields below */
	pthread_mutex_t saveMut; /* one state file write at a time, in snapshot order */
	flood *flood;            /* also holds the 429 deadline */
	bool holding;            /* the budget holds alerts (said once) */
	time_t down_since;       /* the first suspension of an outage, 0: delivering */
	unsigned long long waited; /* alerts suspended during it */
	keymemo *memo;           /* texts seen -> flood ids: a repeat skips shaping and hashing
				  * (exact keys only; NULL with incidents) */
	int saveDue;             /* the state changed: saved by saveAt */
	long long saveAt;        /* ms; no timed save before this */
	/* engine_tick's own */
	pending_alert cur;       /* the digest being posted */
	flood_digest d;
	int active;              /* d and cur hold a digest not yet posted */
	int posting;             /* engine_tick is posting it: its timed saves wait */
	size_t named;            /* the items cur names */
	time_t retryAt;
};

const char *const engine_counter_names[ENGINE_CTR_N] = {
	"submitted", "posted", "deduplicated", "digested", "digests", "requests", "failures",
	"ratelimited", "retries", "reposted", "held", "delivered",
};

static time_t now_s(engine *e)
{
	return (time_t)(e->ops.now_ms(e->ops.arg) / 1000);
}

__attribute__((format(printf, 3, 4)))
static void say(engine *e, engine_log cause, const char *fmt, ...)
{
	char msg[1200];
	unsigned long suppressed = 0;
	va_list ap;
	int n;

	if (cause <= ENGINE_LOG_SAVE) {
		pthread_mutex_lock(&e->logMut);
		n = ratelog_take(&e->logs[cause], now_s(e), RATELOG_INTERVAL, &suppressed);
		pthread_mutex_unlock(&e->logMut);
		if (!n)
			return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, 1024, fmt, ap);
	va_end(ap);
	if (suppressed)
		snprintf(msg + (n < 1024 ? n : 1023), sizeof(msg) - 1024,
			 " [%lu more like this in the last %d s]", suppressed, RATELOG_INTERVAL);
	e->ops.log(e->ops.arg, cause, msg);
}

/* Errors up to `upto` are news again. */
static void logsReset(engine *e, engine_log upto)
{
	pthread_mutex_lock(&e->logMut);
	for (int i = 0; i <= (int)upto; i++)
		ratelog_reset(&e->logs[i]);
	pthread_mutex_unlock(&e->logMut);
}

void engine_hup(engine *e, int new_keys)
{
	if (new_keys)
		logsReset(e, ENGINE_LOG_AUTH);
	pthread_mutex_lock(&e->logMut);
	errorfile_close(&e->errors);
	pthread_mutex_unlock(&e->logMut);
	engine_save(e);
}

/* Append a refused alert to the errorfile: 0, or why not (errno). */
static int keepRefused(engine *e, const char *text, const char *part, const xapi_result *res)
{
	errorfile_entry en = { now_s(e), e->cfg.name ? e->cfg.name : "omtwitter", res->error, text, part,
			       res->status };
	int err;

	if (e->ops.keep_refused)
		return e->ops.keep_refused(e->ops.arg, text, part, res);
	pthread_mutex_lock(&e->logMut);
	err = errorfile_append(&e->errors, &en) == OMTW_OK ? 0 : errno ? errno : EIO;
	pthread_mutex_unlock(&e->logMut);
	return err;
}

static void count(engine *e, engine_counter c, unsigned long long n)
{
	if (e->ops.count)
		e->ops.count(e->ops.arg, c, n);
}

/* Save the flood state if it changed; mut held, and held again on return,
 * but not while the file is written and synced (tens of ms with a full
 * table): admission goes on meanwhile.  A failure is logged; the state
 * stays in memory and is saved later. */
static void saveLocked(engine *e)
{
	char err[512], *json = NULL;
	omtw_err rc = OMTW_OK;

	if (e->cfg.state_path == NULL || !flood_dirty(e->flood))
		return;
	if (flood_state_json(e->flood, now_s(e), &json) != OMTW_OK) {
		snprintf(err, sizeof(err), "out of memory while saving the flood state");
		rc = OMTW_ENOMEM;
	} else {
		flood_clean(e->flood);
		pthread_mutex_lock(&e->saveMut); /* before mut is let go: snapshots stay in order */
		pthread_mutex_unlock(&e->mut);
		rc = flood_state_write(e->cfg.state_path, json, err, sizeof(err));
		pthread_mutex_unlock(&e->saveMut);
		free(json);
		pthread_mutex_lock(&e->mut);
	}
	if (rc == OMTW_OK)
		return;
	flood_mark_dirty(e->flood); /* try again later */
	pthread_mutex_unlock(&e->mut);
	say(e, ENGINE_LOG_SAVE, "cannot save the flood state: %s; held alerts and counts stay in "
	    "memory and are saved at the next chance", err);
	pthread_mutex_lock(&e->mut);
}

void engine_save(engine *e)
{
	pthread_mutex_lock(&e->mut);
	saveLocked(e);
	pthread_mutex_unlock(&e->mut);
}

/* The state changed (mut held): saved within sync_ms by engine_tick (one
 * wake-up per sync period, not per alert). */
static void saveSoonLocked(engine *e)
{
	if (e->cfg.state_path == NULL || e->saveDue)
		return;
	e->saveDue = 1;
	if (e->ops.wake)
		e->ops.wake(e->ops.arg);
}

/* The timed save (mut held): counted or held alerts at most sync_ms old. */
static void saveIfDueLocked(engine *e, long long nowMs)
{
	if (e->saveDue && nowMs >= e->saveAt) {
		e->saveDue = 0;
		saveLocked(e);
		e->saveAt = e->ops.now_ms(e->ops.arg) + e->cfg.sync_ms;
	}
}

/* engine_tick saves within sync_ms, but not while it posts a digest (a
 * slow answer and its retries take seconds): then the worker saves what is
 * due, so that a crash still loses at most sync_ms of counts. */
static void saveIfTickBusy(engine *e)
{
	pthread_mutex_lock(&e->mut);
	if (e->posting)
		saveIfDueLocked(e, e->ops.now_ms(e->ops.arg));
	pthread_mutex_unlock(&e->mut);
}

/* A counted or held alert changed the state (mut held). */
static void changedLocked(void *arg)
{
	engine *e = arg;

	if (e->cfg.sync_ms > 0) /* else it is saved before it is acknowledged */
		saveSoonLocked(e);
}

time_t engine_blocked_until(engine *e)
{
	time_t t;

	pthread_mutex_lock(&e->mut);
	t = flood_blocked_until(e->flood);
	pthread_mutex_unlock(&e->mut);
	return t;
}

unsigned long long engine_pending(engine *e)
{
	unsigned long long n;

	pthread_mutex_lock(&e->mut);
	n = flood_pending(e->flood, NULL);
	pthread_mutex_unlock(&e->mut);
	return n;
}

/* Earliest reset among the exhausted limit families, or a minute. */
static time_t retryAfter(const xapi_result *res, time_t now)
{
	const xapi_limit *l[] = { &res->window, &res->user24, &res->app24 };
	time_t t = 0;

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i]->remaining == 0 && l[i]->reset > now && (t == 0 || l[i]->reset < t))
			t = (time_t)l[i]->reset;
	if (t == 0 && res->window.reset > now)
		t = (time_t)res->window.reset;
	/* no X limit resets more than a day ahead: such a header is wrong */
	return t && t <= now + 25 * 3600 ? t : now + 60;
}

/* Tell flood control what the server said about its limits. */
static void noteLimits(engine *e, const xapi_result *res, time_t blockUntil)
{
	const xapi_limit *l[FLOOD_SRV_N] = { &res->window, &res->user24, &res->app24 };
	flood_limit v[FLOOD_SRV_N];

	for (int i = 0; i < FLOOD_SRV_N; i++)
		v[i] = (flood_limit){ l[i]->remaining, l[i]->reset };
	pthread_mutex_lock(&e->mut);
	flood_server_view(e->flood, v, now_s(e));
	if (blockUntil)
		flood_block_until(e->flood, blockUntil);
	pthread_mutex_unlock(&e->mut);
}

/* A permanent refusal: the alert is consumed, its text kept in the
 * errorfile (and an excerpt in the log).  For part k of a thread of n,
 * the parts after it cannot follow: text holds parts k..n. */
static void consumeRefused(engine *e, const char *text, size_t k, size_t n, const xapi_result *res)
{
	char ex[96], part[48] = "", rest[128] = "";
	int kept = -1;

	if (n > 1) {
		snprintf(part, sizeof(part), "%zu/%zu", k, n);
		snprintf(rest, sizeof(rest), " (part %zu of a thread of %zu%s%zu part%s after it %s not posted)",
			 k, n, k < n ? "; the " : "", n - k, n - k == 1 ? "" : "s", n - k == 1 ? "was" : "were");
		if (k == n)
			snprintf(rest, sizeof(rest), " (the last part of a thread of %zu)", n);
	}
	if (e->cfg.errorfile && (kept = keepRefused(e, text, n > 1 ? part : NULL, res)) != 0)
		say(e, ENGINE_LOG_ERRORFILE, "cannot write errorfile '%s': %s", e->cfg.errorfile, strerror(kept));
	kept = e->cfg.errorfile && kept == 0;
	excerpt(text, 80, ex, sizeof(ex));
	say(e, ENGINE_LOG_REFUSED, "X refused the alert \"%s\"%s permanently (%s); it is not retried%s%s",
	    ex, rest, res->error, kept ? "; its text was written to " : e->cfg.errorfile ? "" : " (no errorfile)",
	    kept ? e->cfg.errorfile : "");
	count(e, ENGINE_CTR_FAILURES, 1);
}

/* Part a->next of a was refused for good: keep it and the parts after it. */
static void refuseParts(engine *e, const pending_alert *a, const xapi_result *res)
{
	size_t len = 0;
	char *text;

	for (size_t i = a->next; i < a->parts.n; i++)
		len += strlen(a->parts.part[i]) + 1;
	if ((text = malloc(len + 1)) == NULL) { /* the refused part at least */
		consumeRefused(e, a->parts.part[a->next], a->next + 1, a->parts.n, res);
		return;
	}
	text[0] = '\0';
	for (size_t i = a->next, o = 0; i < a->parts.n; i++)
		o += (size_t)sprintf(text + o, "%s%s", i > a->next ? "\n" : "", a->parts.part[i]);
	consumeRefused(e, text, a->next + 1, a->parts.n, res);
	free(text);
}

/* What an answer means: DONE (delivered, or refused for good and
 * consumed) or SUSPEND (the alert waits: retried later). */
static engine_rc handleResult(engine *e, const pending_alert *a, const xapi_result *res)
{
	time_t until, now = now_s(e);

	if (res->outcome != XAPI_RATELIMITED)
		noteLimits(e, res, 0);
	switch (res->outcome) {
	case XAPI_DELIVERED:
	case XAPI_DUPLICATE:
		if (res->outcome == XAPI_DUPLICATE)
			say(e, ENGINE_LOG_DEBUG, "duplicate content: an earlier try arrived");
		else if (res->id[0] == '\0')
			say(e, ENGINE_LOG_WARNING, "%s", res->error);
		count(e, ENGINE_CTR_POSTED, 1);
		logsReset(e, ENGINE_LOG_LIMITED); /* delivering again: the next failure is news */
		return ENGINE_DONE;
	case XAPI_PERMANENT:
		refuseParts(e, a, res);
		return ENGINE_DONE;
	case XAPI_RATELIMITED:
		count(e, ENGINE_CTR_RATELIMITED, 1);
		until = retryAfter(res, now);
		noteLimits(e, res, until);
		say(e, ENGINE_LOG_LIMITED, "rate limited by X (%s); no request before %lld (in %lld s)",
		    res->error, (long long)until, (long long)(until - now));
		return ENGINE_SUSPEND;
	case XAPI_UNAUTHORIZED:
		say(e, ENGINE_LOG_AUTH, "X rejected the credentials (%s); check the keys in the "
		    "credentials file and the clock (NTP), then send rsyslogd a HUP; alerts wait", res->error);
		return ENGINE_SUSPEND;
	case XAPI_NO_CREDITS:
		say(e, ENGINE_LOG_CREDITS, "the X account is out of credits (%s); alerts wait until it "
		    "is topped up", res->error);
		return ENGINE_SUSPEND;
	case XAPI_ACCOUNT: /* not the alert's fault: it waits for the fix */
		say(e, ENGINE_LOG_ACCOUNT, "X refused the account, not the alert (%s). Fix: %s. Alerts "
		    "wait in the queue and are posted once X accepts them again", res->error, res->fix);
		return ENGINE_SUSPEND;
	case XAPI_TRANSIENT:
		say(e, ENGINE_LOG_TRANSIENT, "cannot deliver to %s: %s; will retry", e->cfg.endpoint, res->error);
		return ENGINE_SUSPEND;
	}
	return ENGINE_SUSPEND;
}

/* X refused part a->next as a duplicate of an earlier post, and no earlier
 * try of ours may have made it: the same alert recurs (after dedup.window,
 * or a digest repeats an old text).  The time makes it new; the new text
 * replaces the part, so a retry of it is a retry of what may have arrived. */
static int repostWithTime(engine *e, pending_alert *a)
{
	char suffix[40], *text = NULL;
	time_t now = now_s(e);
	struct tm tm;

	strftime(suffix, sizeof(suffix), " (%H:%M:%S UTC)", gmtime_r(&now, &tm));
	if (tweettext_append(a->parts.part[a->next], suffix, &e->cfg.shape, &text) != OMTW_OK)
		return 0;
	say(e, ENGINE_LOG_INFO, "X refused part %zu/%zu as a duplicate of an earlier post; posted "
	    "again with the time added", a->next + 1, a->parts.n);
	free(a->parts.part[a->next]);
	a->parts.part[a->next] = text;
	a->reposted = true;
	a->maybe_upto = a->next; /* this text has not been sent */
	count(e, ENGINE_CTR_REPOSTED, 1);
	return 1;
}

/* Where a's post stands, for flood control's record of it. */
static flood_progress progressOf(const pending_alert *a)
{
	flood_progress p = { .next = (int)a->next, .nparts = (int)a->parts.n };

	memcpy(p.last_id, a->last_id, sizeof(p.last_id));
	return p;
}

/* Part a->next is out: record how far the alert got.  Before the last
 * part the record is saved at once, so that a thread cut by a stop or a
 * crash continues as replies to this part. */
static void partPosted(engine *e, pending_alert *a, const char *id)
{
	flood_progress p;

	if (id[0])
		snprintf(a->last_id, sizeof(a->last_id), "%s", id);
	a->next++;
	a->reposted = false;
	p = progressOf(a);
	pthread_mutex_lock(&e->mut);
	flood_progress_set(e->flood, a->digest ? NULL : &a->ticket, &p);
	if (a->next < a->parts.n)
		saveLocked(e);
	pthread_mutex_unlock(&e->mut);
}

/* Post a's parts from the first one not yet posted; stop at a failure. */
static engine_rc postParts(engine *e, void *conn, pending_alert *a)
{
	xapi_result res;
	engine_rc r = ENGINE_DONE;

	while (a->next < a->parts.n) {
		bool earlier = a->next < a->maybe_upto;
		engine_part p = { a->parts.part[a->next], a->next > 0 && a->last_id[0] ? a->last_id : NULL,
				  a->next, a->parts.n, a->digest };

		count(e, ENGINE_CTR_REQUESTS, 1);
		if (a->maybe_upto <= a->next) /* from here on this text may reach X */
			a->maybe_upto = a->next + 1;
		memset(&res, 0, sizeof(res));
		if (e->ops.send(e->ops.arg, conn, &p, &res) != OMTW_OK)
			return ENGINE_SUSPEND; /* out of memory: try again later */
		if (res.outcome == XAPI_DUPLICATE && !earlier && !a->reposted && repostWithTime(e, a))
			continue;
		if ((r = handleResult(e, a, &res)) != ENGINE_DONE)
			return r;
		if (res.outcome == XAPI_PERMANENT) { /* refused for good (logged): the rest cannot follow */
			a->refused = true;
			return ENGINE_DONE;
		}
		partPosted(e, a, res.id);
	}
	return r;
}

/* Where an alert (or the digest) stood when the loaded state was saved,
 * before a stop or a crash; mut held.  Its next part may have reached X,
 * and a thread goes on as replies to its last posted part.  1 when it
 * resumes after part 0. */
static int resumeLocked(engine *e, pending_alert *a)
{
	flood_progress p;

	if (!flood_resume(e->flood, a->digest ? NULL : &a->ticket, &p))
		return 0;
	if (p.finished) { /* posted just before a crash: the queue's replay */
		a->maybe_upto = a->parts.n;
		return 0;
	}
	if (p.nparts != (int)a->parts.n || p.next >= p.nparts || (p.next == 0 && !a->digest)) {
		/* not begun, or shaped differently now: posted from its start;
		 * of an alert its first part may have gone out, of a digest any */
		a->maybe_upto = a->digest ? a->parts.n : 1;
		return 0;
	}
	a->next = (size_t)p.next;
	a->maybe_upto = a->next + 1;
	memcpy(a->last_id, p.last_id, sizeof(a->last_id));
	return a->next > 0;
}

/* A new alert in: the alert to post, or NULL (counted, held, refused
 * empty, or an error: *rc says what to tell the caller). */
/* The budget held an alert: counted, and said once when holding starts
 * (until a post or a digest goes out again), with when the next digest may
 * go out. */
static void held(engine *e)
{
	time_t next;
	bool first;
	struct tm tm;
	char when[32];

	count(e, ENGINE_CTR_HELD, 1);
	pthread_mutex_lock(&e->mut);
	first = !e->holding;
	e->holding = true;
	next = flood_next_event(e->flood, now_s(e));
	pthread_mutex_unlock(&e->mut);
	if (!first)
		return;
	gmtime_r(&next, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	say(e, ENGINE_LOG_INFO, "budget spent: holding alerts for a digest (the next may go out at %s); "
	    "they are counted in 'held'", when);
}

/* An alert reached X: after an outage (a first try suspended), say how
 * long it lasted and how many alerts waited. */
static void delivered(engine *e)
{
	time_t since;
	unsigned long long waited;

	count(e, ENGINE_CTR_DELIVERED, 1);
	pthread_mutex_lock(&e->mut);
	since = e->down_since;
	waited = e->waited;
	e->down_since = 0;
	e->waited = 0;
	pthread_mutex_unlock(&e->mut);
	if (since)
		say(e, ENGINE_LOG_INFO, "delivering again after %lld s; %llu alert%s waited", (long long)(now_s(e) - since),
		    waited, waited == 1 ? "" : "s");
}

static pending_alert *admit(engine *e, const char *text, const char *key, engine_rc *rc)
{
	admission ad = { e->flood, e->memo, &e->cfg.shape, &e->mut, changedLocked, e };
	pending_alert fresh = { 0 }, *a, *gone;
	flood_verdict v;
	int resumed;

	*rc = ENGINE_DONE;
	count(e, ENGINE_CTR_SUBMITTED, 1);
	if (admission_admit(&ad, text, key, now_s(e), &v, &fresh.ticket, &fresh.parts) != OMTW_OK) {
		*rc = ENGINE_SUSPEND; /* out of memory: try again later */
		return NULL;
	}
	if (e->ops.admitted)
		e->ops.admitted(e->ops.arg, &fresh.ticket, v);
	if (v == FLOOD_COUNTED)
		count(e, ENGINE_CTR_DEDUPLICATED, 1);
	if (v == FLOOD_HELD)
		held(e);
	else if (v == FLOOD_POST) { /* posting again: holding again is news */
		pthread_mutex_lock(&e->mut);
		e->holding = false;
		pthread_mutex_unlock(&e->mut);
	}
	if (v != FLOOD_POST) { /* counted or held: saved within sync_ms */
		if (e->cfg.sync_ms == 0) /* or durable before it is acknowledged */
			engine_save(e);
		else
			saveIfTickBusy(e);
		return NULL;
	}
	if (fresh.parts.n == 0 || fresh.parts.part[0][0] == '\0') {
		xapi_result res;
		memset(&res, 0, sizeof(res));
		snprintf(res.error, sizeof(res.error), "empty alert text (nothing to post)");
		consumeRefused(e, "", 1, 1, &res);
		pending_alert_clear(&fresh);
		return NULL;
	}
	/* only an alert to post is kept (by its text: rsyslog may hand it back) */
	if ((a = malloc(sizeof(*a))) == NULL || (fresh.key = strdup(text)) == NULL) {
		free(a);
		pending_alert_clear(&fresh);
		*rc = ENGINE_SUSPEND;
		return NULL;
	}
	*a = fresh;
	/* about to post: what it spends and that it may reach X are saved
	 * first, so that after a crash an answer "duplicate content" is known
	 * to mean "posted" */
	pthread_mutex_lock(&e->mut);
	resumed = resumeLocked(e, a);
	saveLocked(e);
	pthread_mutex_unlock(&e->mut);
	if (resumed)
		say(e, ENGINE_LOG_INFO, "resuming a thread cut by a stop: part %zu/%zu follows as a "
		    "reply to post %s", a->next + 1, a->parts.n, a->last_id[0] ? a->last_id : "(unknown)");
	if ((gone = pending_add(&e->pending, a)) != NULL) {
		/* rsyslog may still hand it back: then it resumes, not a repeat of itself */
		flood_progress p = progressOf(gone);
		pthread_mutex_lock(&e->mut);
		flood_progress_forgotten(e->flood, &gone->ticket, &p);
		pthread_mutex_unlock(&e->mut);
		pending_alert_free(gone);
	}
	return a;
}

engine_rc engine_submit(engine *e, void *conn, const char *text, const char *key)
{
	pending_alert *a;
	engine_rc r = ENGINE_DONE;

	if ((a = pending_take(&e->pending, text)) != NULL)
		count(e, ENGINE_CTR_RETRIES, 1);
	else if ((a = admit(e, text, key, &r)) == NULL)
		return r;
	if (now_s(e) < engine_blocked_until(e)) { /* the server said when; ask no earlier */
		pending_release(&e->pending, a, false);
		return ENGINE_SUSPEND;
	}
	r = postParts(e, conn, a);
	if (r == ENGINE_DONE && !a->refused)
		delivered(e);
	else if (r == ENGINE_SUSPEND) {
		pthread_mutex_lock(&e->mut);
		if (e->down_since == 0)
			e->down_since = now_s(e);
		e->waited += a->next == 0 && !a->counted_waiting; /* each alert once */
		a->counted_waiting = true;
		pthread_mutex_unlock(&e->mut);
	}
	if (r == ENGINE_DONE) {
		pthread_mutex_lock(&e->mut);
		flood_posted(e->flood, &a->ticket);
		saveSoonLocked(e); /* the post's dedup window: saved within sync_ms, off its path */
		pthread_mutex_unlock(&e->mut);
	}
	pending_release(&e->pending, a, r == ENGINE_DONE);
	return r;
}

/* A digest is about to go out (mut held).  If it is the one that was
 * going out when the state was saved, it goes on after its last part
 * posted.  What goes out is saved before its first request. */
static void startDigestLocked(engine *e)
{
	pending_alert *a = &e->cur;
	flood_progress p;

	a->digest = true;
	resumeLocked(e, a);
	p = progressOf(a);
	flood_progress_set(e->flood, NULL, &p);
	saveLocked(e);
}

long long engine_tick(engine *e, void *conn)
{
	long long nowMs = e->ops.now_ms(e->ops.arg), wakeMs;
	time_t now = (time_t)(nowMs / 1000), wake;

	pthread_mutex_lock(&e->mut);
	saveIfDueLocked(e, nowMs);
	if (!e->active && flood_digest_take(e->flood, now, e->cfg.shape.maxparts, &e->d)) {
		pending_alert_clear(&e->cur);
		if (digest_compose(&e->d, &e->cfg.shape, &e->cur.parts, &e->named) == OMTW_OK &&
		    e->cur.parts.n > 0) {
			e->active = 1;
			startDigestLocked(e);
		} else {
			flood_digest_free(&e->d); /* out of memory: next tick */
		}
		e->retryAt = now;
	}
	if (e->active && now >= e->retryAt && now >= flood_blocked_until(e->flood)) {
		engine_rc r;
		e->posting = 1;
		pthread_mutex_unlock(&e->mut);
		r = postParts(e, conn, &e->cur);
		pthread_mutex_lock(&e->mut);
		e->posting = 0;
		now = now_s(e);
		if (r == ENGINE_DONE) {
			/* a digest refused for good (logged, in the errorfile) is taken
			 * out all the same: sent again it would be refused again */
			if (!e->cur.refused) {
				count(e, ENGINE_CTR_DIGESTS, 1);
				count(e, ENGINE_CTR_DIGESTED, e->d.total);
			}
			if (e->ops.digested && !e->cur.refused) {
				pthread_mutex_unlock(&e->mut);
				e->ops.digested(e->ops.arg, &e->d, e->named);
				pthread_mutex_lock(&e->mut);
			}
			flood_digest_done(e->flood, &e->d, (int)e->cur.parts.n, now);
			e->holding = false; /* a digest went out: holding again is news */
			flood_digest_free(&e->d);
			pending_alert_clear(&e->cur);
			e->active = 0;
			saveLocked(e);
			pthread_mutex_unlock(&e->mut);
			return e->ops.now_ms(e->ops.arg); /* another may be due */
		}
		e->retryAt = now + (e->cfg.flood.digest_interval < DIGEST_RETRY_MAX
				    ? e->cfg.flood.digest_interval : DIGEST_RETRY_MAX);
	}
	wake = e->active ? e->retryAt : flood_next_event(e->flood, now);
	if (e->active && flood_blocked_until(e->flood) > wake)
		wake = flood_blocked_until(e->flood);
	if (wake <= now)
		wake = now + 1;
	wakeMs = (long long)wake * 1000;
	if (e->saveDue && e->saveAt < wakeMs)
		wakeMs = e->saveAt;
	pthread_mutex_unlock(&e->mut);
	return wakeMs;
}

void engine_load(engine *e)
{
	char err[4600];

	pthread_mutex_lock(&e->mut);
	if (e->cfg.state_path && flood_load(e->flood, e->cfg.state_path, now_s(e), err, sizeof(err)) != OMTW_OK) {
		pthread_mutex_unlock(&e->mut);
		say(e, ENGINE_LOG_ERROR, "%s", err);
		return;
	}
	pthread_mutex_unlock(&e->mut);
}

omtw_err engine_new(const engine_config *c, const engine_ops *ops, engine **out)
{
	engine *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (e == NULL)
		return OMTW_ENOMEM;
	e->cfg = *c;
	e->ops = *ops;
	/* incidents: the miner sees every line, no memo of exact texts */
	if (flood_new(&c->flood, (time_t)(ops->now_ms(ops->arg) / 1000), &e->flood) != OMTW_OK ||
	    (!flood_groups(e->flood) && keymemo_new(&e->memo) != OMTW_OK)) {
		flood_free(e->flood);
		free(e);
		return OMTW_ENOMEM;
	}
	pending_init(&e->pending, c->pending_max + (size_t)c->flood.budget_daily + (size_t)c->flood.rl_burst);
	pthread_mutex_init(&e->mut, NULL);
	pthread_mutex_init(&e->saveMut, NULL);
	pthread_mutex_init(&e->logMut, NULL);
	errorfile_init(&e->errors, c->errorfile);
	*out = e;
	return OMTW_OK;
}

bool engine_groups(engine *e)
{
	return flood_groups(e->flood);
}

size_t engine_template(engine *e, const flood_ticket *id, char *buf, size_t size)
{
	size_t n;

	pthread_mutex_lock(&e->mut);
	n = flood_template(e->flood, id, buf, size);
	pthread_mutex_unlock(&e->mut);
	return n;
}

void engine_free(engine *e)
{
	if (e == NULL)
		return;
	engine_save(e);
	if (e->active)
		flood_digest_free(&e->d);
	pending_alert_clear(&e->cur);
	pending_free(&e->pending);
	flood_free(e->flood);
	keymemo_free(e->memo);
	pthread_mutex_destroy(&e->mut);
	pthread_mutex_destroy(&e->saveMut);
	errorfile_close(&e->errors);
	pthread_mutex_destroy(&e->logMut);
	free(e);
}
