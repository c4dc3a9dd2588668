/* engine.h - what is posted when: the delivery policy of an action.
 *
 * One engine per action, shared by the module (the real clock, the X API
 * client, rsyslog's retries) and omtwitter-replay (a virtual clock and a
 * recorder), so that what the replay shows is what the module does.  The
 * engine owns flood control, the list of undelivered alerts, the digest
 * schedule and the state file; the caller injects the clock, the request
 * that sends one part, and where counters and messages go.
 *
 * Flow: engine_submit() for each alert (rsyslog's doAction: DONE or
 * SUSPEND, rsyslog hands a suspended alert back later); engine_tick() from
 * one timer (digests due, saves due), which says when to call it again.
 *
 * Thread safety: engine_submit may run on several threads at once;
 * engine_tick on one thread at a time.  Callbacks run without the engine's
 * lock held, except ops->wake (it must only signal) and ops->count (a
 * digest's counters are added under it: it must only add).
 */
#ifndef ENGINE_H
#define ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "flood.h"
#include "tweettext.h"
#include "xapi.h"

typedef enum { ENGINE_DONE, ENGINE_SUSPEND } engine_rc;

/* The action's counters (impstats), in the module's order. */
typedef enum {
	ENGINE_CTR_SUBMITTED, ENGINE_CTR_POSTED, ENGINE_CTR_DEDUPLICATED, ENGINE_CTR_DIGESTED,
	ENGINE_CTR_DIGESTS, ENGINE_CTR_REQUESTS, ENGINE_CTR_FAILURES, ENGINE_CTR_RATELIMITED,
	ENGINE_CTR_RETRIES, ENGINE_CTR_REPOSTED,
	ENGINE_CTR_HELD,      /* alerts the budget held for a digest */
	ENGINE_CTR_DELIVERED, /* alerts that reached X (a thread once): submitted = delivered +
			       * deduplicated + held + failures (+ those in flight) */
	ENGINE_CTR_N
} engine_counter;
/* Their names in impstats ("submitted", ...), by engine_counter. */
extern const char *const engine_counter_names[ENGINE_CTR_N];

/* Why a message is logged.  The errors up to ENGINE_LOG_SAVE are logged
 * once per cause per RATELOG_INTERVAL, with the count of those not logged
 * since (an outage never floods the log, nor goes silent); a post that
 * arrives makes the next delivery error news again. */
typedef enum {
	ENGINE_LOG_AUTH, ENGINE_LOG_CREDITS, ENGINE_LOG_ACCOUNT, ENGINE_LOG_TRANSIENT,
	ENGINE_LOG_LIMITED, ENGINE_LOG_REFUSED, ENGINE_LOG_ERRORFILE, ENGINE_LOG_SAVE,
	ENGINE_LOG_ERROR,   /* an error not limited (a state file that does not load) */
	ENGINE_LOG_WARNING, ENGINE_LOG_INFO, ENGINE_LOG_DEBUG
} engine_log;

/* One part to send. */
typedef struct engine_part {
	const char *text;
	const char *reply_to;   /* the previous part's post id, or NULL */
	size_t index, nparts;   /* part index+1 of nparts */
	bool digest;
} engine_part;

typedef struct engine_ops {
	void *arg;              /* passed to every callback */
	/* the clock: milliseconds since the epoch */
	long long (*now_ms)(void *arg);
	/* Send one part over conn (what engine_submit/engine_tick were given)
	 * and classify the answer into *res; an error (out of memory, no
	 * credentials) means "try again later". */
	omtw_err (*send)(void *arg, void *conn, const engine_part *p, xapi_result *res);
	void (*count)(void *arg, engine_counter c, unsigned long long n);
	void (*log)(void *arg, engine_log cause, const char *msg);
	/* Keep a refused alert (its parts k..n as text; part "k/n" or NULL)
	 * in the errorfile: 0 when kept, else an errno value.  NULL: the
	 * engine appends it to cfg.errorfile itself. */
	int (*keep_refused)(void *arg, const char *text, const char *part, const xapi_result *res);
	/* engine_tick is due earlier than it last said; called with the
	 * engine's lock held, so it must only signal. */
	void (*wake)(void *arg);
	/* Observers (may be NULL), for the replay: an alert's verdict and
	 * which alert it counts as (a zero id: empty, refused, never admitted);
	 * a digest that went out, naming its first `named` items. */
	void (*admitted)(void *arg, const flood_ticket *id, flood_verdict v);
	void (*digested)(void *arg, const flood_digest *d, size_t named);
} engine_ops;

typedef struct engine_config {
	flood_config flood;
	tt_config shape;
	long sync_ms;             /* statefile.sync: most ms before a change is saved */
	const char *state_path;   /* NULL: no state file (the replay) */
	const char *endpoint;     /* for messages */
	const char *errorfile;    /* where refused alerts are kept, NULL: nowhere */
	const char *name;         /* the action's, in errorfile entries */
	size_t pending_max;       /* undelivered alerts remembered, at least; the
				   * engine adds what the budgets can admit at once,
				   * so that one handed back by rsyslog resumes
				   * instead of counting as a repeat of itself */
} engine_config;

typedef struct engine engine;

/* The strings of c are not copied: they must outlive the engine. */
omtw_err engine_new(const engine_config *c, const engine_ops *ops, engine **out);
/* Save the state and free everything. */
void engine_free(engine *e);
/* Restore the saved state (a bad file is moved aside and logged). */
void engine_load(engine *e);
/* One alert (text: the rendered template; key: the rendered dedup key or
 * NULL): admit it and post it if flood control says so.  A suspended
 * alert is remembered: handed back, it resumes where it stopped. */
engine_rc engine_submit(engine *e, void *conn, const char *text, const char *key);
/* The timer: save what is due, post a digest that is due (over conn).
 * Returns when to call again (ms since the epoch). */
long long engine_tick(engine *e, void *conn);
/* No request before this (a 429's reset time); 0: none. */
time_t engine_blocked_until(engine *e);
/* Alerts waiting for a digest (held or counted, not yet reported). */
unsigned long long engine_pending(engine *e);
/* Are alerts grouped into incidents?  The template of id's incident in
 * buf (cut to size), its length (0: not an incident remembered). */
bool engine_groups(engine *e);
size_t engine_template(engine *e, const flood_ticket *id, char *buf, size_t size);
/* Save the state now if it changed (HUP). */
void engine_save(engine *e);
/* HUP: the errorfile is reopened at the next refusal (logrotate), the
 * state saved; new_keys: their first error is news. */
void engine_hup(engine *e, int new_keys);

#endif
