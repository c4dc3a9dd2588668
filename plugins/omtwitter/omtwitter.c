/* omtwitter.c - rsyslog output module: alerts become X (Twitter) posts.
 *
 * This file is rsyslog glue only: parameters, action entry points and
 * statistics counters.  Signing (oauth1), the HTTP client (xapi) and the
 * credentials file (credfile) are rsyslog-independent units.
 *
 * Delivery (design section 6): one alert per doAction call.  Transient
 * failures return RS_RET_SUSPENDED; permanent refusals are logged, counted,
 * written to the errorfile and return RS_RET_OK -- never RS_RET_DATAFAIL,
 * which wedges the action on 8.2302.
 *
 * Flood control (flood.c) decides per alert: post it, count it as a repeat,
 * or hold it for the digest.  The module stays non-transactional: 8.2302's
 * legacy transactional path treats the FORCE_TERM of a shutdown during an
 * outage as a hard error of every message in the batch and drops them all
 * (measured: 20 alerts lost across a restart; none without it).  So the
 * flood state is saved with a bounded delay instead (statefile.sync ms, by
 * the timer thread; 0 saves before acknowledging each counted or held
 * alert), before every post, on HUP and at shutdown: a clean stop loses
 * nothing, a crash at most the last statefile.sync ms of counts.  Digests
 * are posted by a timer thread per action, started at activation and
 * stopped (state saved) when the action is freed.
 *
 * Concurrency & locking:
 *  - instanceData is shared by all workers of an action.  After newActInst
 *    it is read-only except for the fields under pData->mut (the current
 *    credentials, swapped on HUP, the errorfile descriptor, the log
 *    limiters and the list of undelivered alerts; an alert in that list is
 *    used by one worker at a time, its busy flag says which) and the flood
 *    state and timer flags under pData->floodMut.
 *    The two mutexes are never held together.
 *  - wrkrInstanceData_t belongs to one worker thread: its curl handle needs
 *    no lock.  doHUP runs on the HUP thread and only touches pData under mut.
 *  - Statistics counters are atomic (STATSCOUNTER_*).
 *  - Credentials are reference counted, so a HUP can replace them while a
 *    worker is in the middle of a request with the old ones.
 */
#include "config.h"
#include "rsyslog.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libfastjson/json.h>

#include "conf.h"
#include "errmsg.h"
#include "glbl.h"
#include "module-template.h"
#include "rsconf.h"
#include "statsobj.h"
#include "syslogd-types.h"
#include "template.h"

#include "credfile.h"
#include "digest.h"
#include "admission.h"
#include "errorfile.h"
#include "excerpt.h"
#include "flood.h"
#include "hostversion.h"
#include "keymemo.h"
#include "pending.h"
#include "ratelog.h"
#include "tweettext.h"
#include "xapi.h"

MODULE_TYPE_OUTPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("omtwitter")

DEF_OMOD_STATIC_DATA
DEFobjCurrIf(statsobj)
DEFobjCurrIf(glbl)

/* The default template: the message text, trimmed by the module. */
#define DFLT_TPL_NAME " OmTwitterMsg"
#define DFLT_TPL_LINE "\"%msg%\""
#define DFLT_TIMEOUT_MS 10000
#define TWEET_MAXLENGTH 280     /* X's limit for a post */
#define TWEET_MAXLENGTH_MAX 25000 /* long posts of X Premium accounts */
#define DM_MAXLENGTH 10000      /* X's limit for a direct message */
#define KEEP_MIN_LENGTH 40      /* maxlength with urls="keep": 23 + " (25/25)" + room */
#define DIGEST_RETRY_MAX 30     /* seconds between tries of a failed digest */

/* Credentials shared by the workers, replaced as a whole on HUP. */
typedef struct credref {
	omtw_creds c;
	int refs; /* under pData->mut */
} credref_t;

typedef struct _instanceData {
	char *name;             /* action name, for messages and stats */
	char *tplName;
	char *credPath;
	char *endpoint;
	char *cacert;
	char *capath;
	char *proxy;
	char *errorName;        /* parameter errorfile: NULL default, "" off */
	char *errorFile;        /* where refused alerts go; NULL: nowhere */
	long timeoutMs;
	int dm;                 /* mode="dm": direct messages to recipient */
	char *recipient;
	tt_config shape;        /* maxlength, split, maxparts, urls */

	pending_list pending;   /* undelivered alerts (its own lock) */
	pthread_mutex_t mut;    /* guards the fields below */
	credref_t *creds;
	errorfile errors;       /* refused alerts (path: errorFile) */
	/* one error line per cause per RATELOG_INTERVAL, with a count */
	ratelog logAuth, logCredits, logAccount, logTransient, logLimited, logRefused, logErrorFile, logSave;

	flood_config fcfg;
	char *dedupTpl;         /* template of the dedup key, NULL: the alert text */
	char *stateName;        /* parameter statefile */
	char *statePath;        /* where the flood state lives */
	pthread_mutex_t saveMut;  /* one state file write at a time, in snapshot order */
	pthread_mutex_t floodMut; /* guards the fields below */
	flood *flood;           /* also holds the 429 deadline */
	keymemo *memo;          /* texts seen -> flood ids: a repeat skips shaping and hashing */
	pthread_t timer;        /* posts the digests */
	pthread_cond_t timerCond;
	long syncMs;            /* statefile.sync: most ms before a change is saved */
	int saveDue;            /* the timer owes a save (state changed) */
	int activated;          /* state loaded: startFlood ran */
	int timerStarted, timerStop; /* timerStop: also the digest's requests' stop flag */
	int *shutdownImmdt;     /* rsyslog's, see SetShutdownImmdtPtr */
	struct wrkrInstanceData *timerWrkr;
	struct _instanceData *next; /* the module's actions in one configuration */

	statsobj_t *stats;
	STATSCOUNTER_DEF(ctrSubmitted, mutCtrSubmitted)
	STATSCOUNTER_DEF(ctrPosted, mutCtrPosted)
	STATSCOUNTER_DEF(ctrDeduplicated, mutCtrDeduplicated)
	STATSCOUNTER_DEF(ctrDigested, mutCtrDigested)
	STATSCOUNTER_DEF(ctrDigests, mutCtrDigests)
	STATSCOUNTER_DEF(ctrRequests, mutCtrRequests)
	STATSCOUNTER_DEF(ctrFailures, mutCtrFailures)
	STATSCOUNTER_DEF(ctrRatelimited, mutCtrRatelimited)
	STATSCOUNTER_DEF(ctrRetries, mutCtrRetries)
	STATSCOUNTER_DEF(ctrReposted, mutCtrReposted)
} instanceData;

#define PENDING_MAX 1024 /* undelivered alerts remembered per action */

typedef struct wrkrInstanceData {
	instanceData *pData;
	xapi_client *api;
	pending_alert cur;      /* the digest timer's digest */
	int justFailed;         /* doAction suspended; tryResume waits one interval */
} wrkrInstanceData_t;

struct modConfData_s {
	rsconf_t *pConf;
	instanceData *actions;  /* this module's actions, for activation */
};
static modConfData_t *loadModConf = NULL;

static struct cnfparamdescr actpdescr[] = {
	{ "credentials", eCmdHdlrString, CNFPARAM_REQUIRED },
	{ "endpoint", eCmdHdlrString, 0 },
	{ "template", eCmdHdlrGetWord, 0 },
	{ "tls.cacert", eCmdHdlrString, 0 },
	{ "tls.capath", eCmdHdlrString, 0 },
	{ "timeout", eCmdHdlrInt, 0 },
	{ "proxy", eCmdHdlrString, 0 },
	{ "errorfile", eCmdHdlrString, 0 },
	{ "mode", eCmdHdlrGetWord, 0 },
	{ "recipient", eCmdHdlrGetWord, 0 },
	{ "maxlength", eCmdHdlrInt, 0 },
	{ "split", eCmdHdlrGetWord, 0 },
	{ "maxparts", eCmdHdlrInt, 0 },
	{ "urls", eCmdHdlrGetWord, 0 },
	{ "dedup.window", eCmdHdlrInt, 0 },
	{ "dedup.key", eCmdHdlrGetWord, 0 },
	{ "dedup.maxentries", eCmdHdlrInt, 0 },
	{ "ratelimit.interval", eCmdHdlrInt, 0 },
	{ "ratelimit.burst", eCmdHdlrInt, 0 },
	{ "budget.daily", eCmdHdlrInt, 0 },
	{ "digest.interval", eCmdHdlrInt, 0 },
	{ "statefile", eCmdHdlrString, 0 },
	{ "statefile.sync", eCmdHdlrInt, 0 },
	{ "name", eCmdHdlrGetWord, 0 } /* the core's own; read for messages and stats */
};
static struct cnfparamblk actpblk = {
	CNFPARAMBLK_VERSION, sizeof(actpdescr) / sizeof(struct cnfparamdescr), actpdescr
};

static void credrefRelease(instanceData *pData, credref_t *r)
{
	int last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&pData->mut);
	last = --r->refs == 0;
	pthread_mutex_unlock(&pData->mut);
	if (last) {
		credfile_clear(&r->c);
		free(r);
	}
}

static credref_t *credrefAcquire(instanceData *pData)
{
	credref_t *r;

	pthread_mutex_lock(&pData->mut);
	if ((r = pData->creds) != NULL)
		r->refs++;
	pthread_mutex_unlock(&pData->mut);
	return r;
}

/* Load the credentials file into a new reference, logging why not. */
static rsRetVal loadCreds(instanceData *pData, credref_t **out)
{
	char err[512];
	credref_t *r;
	omtw_err e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return RS_RET_OUT_OF_MEMORY;
	if ((e = credfile_load(pData->credPath, &r->c, err, sizeof(err))) != OMTW_OK) {
		free(r);
		LogError(0, e == OMTW_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR,
			 "omtwitter[%s]: parameter 'credentials': %s", pData->name, err);
		return e == OMTW_ENOMEM ? RS_RET_OUT_OF_MEMORY : RS_RET_CONFIG_ERROR;
	}
	r->refs = 1;
	*out = r;
	return RS_RET_OK;
}

/* Log an error for a cause at most once per RATELOG_INTERVAL, saying how
 * many occurrences were not logged since the last line. */
__attribute__((format(printf, 4, 5)))
static void logCause(instanceData *pData, ratelog *cause, rsRetVal code, const char *fmt, ...)
{
	char msg[1024], more[96] = "";
	unsigned long suppressed = 0;
	va_list ap;
	int take;

	pthread_mutex_lock(&pData->mut);
	take = ratelog_take(cause, time(NULL), RATELOG_INTERVAL, &suppressed);
	pthread_mutex_unlock(&pData->mut);
	if (!take)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (suppressed)
		snprintf(more, sizeof(more), " [%lu more like this in the last %d s]", suppressed,
			 RATELOG_INTERVAL);
	LogError(0, code, "omtwitter[%s]: %s%s", pData->name, msg, more);
}

/* Keep a refused alert in the errorfile; 0 when it was written. */
static int writeErrorFile(instanceData *pData, const char *text, const char *part, const xapi_result *res)
{
	errorfile_entry e = { time(NULL), pData->name, res->error, text, part, res->status };
	omtw_err rc;
	int err;

	if (pData->errorFile == NULL)
		return -1;
	pthread_mutex_lock(&pData->mut);
	rc = errorfile_append(&pData->errors, &e);
	err = errno;
	pthread_mutex_unlock(&pData->mut);
	if (rc != OMTW_OK)
		logCause(pData, &pData->logErrorFile, RS_RET_IO_ERROR, "cannot write errorfile '%s': %s",
			 pData->errorFile, strerror(err));
	return rc == OMTW_OK ? 0 : -1;
}

/* Log a permanent refusal and account for it; the alert is consumed, its
 * text kept in the errorfile (and an excerpt in the log line).  For part
 * k of a thread of n, the parts after it cannot follow: text holds parts
 * k..n and the log says how many were not posted. */
static void consumeRefused(instanceData *pData, const char *text, size_t k, size_t n, const xapi_result *res)
{
	char ex[96], part[48] = "", rest[128] = "";
	int kept;

	if (n > 1) {
		snprintf(part, sizeof(part), "%zu/%zu", k, n);
		snprintf(rest, sizeof(rest), " (part %zu of a thread of %zu%s%zu part%s after it %s not posted)",
			 k, n, k < n ? "; the " : "", n - k, n - k == 1 ? "" : "s", n - k == 1 ? "was" : "were");
		if (k == n)
			snprintf(rest, sizeof(rest), " (the last part of a thread of %zu)", n);
	}
	kept = writeErrorFile(pData, text, n > 1 ? part : NULL, res) == 0;
	excerpt(text, 80, ex, sizeof(ex));
	logCause(pData, &pData->logRefused, RS_RET_DATAFAIL, "X refused the alert \"%s\"%s permanently "
		 "(%s); it is not retried%s%s", ex, rest, res->error,
		 kept ? "; its text was written to " : pData->errorFile ? "" : " (no errorfile)",
		 kept ? pData->errorFile : "");
	STATSCOUNTER_INC(pData->ctrFailures, pData->mutCtrFailures);
}

/* Earliest reset among the exhausted limit families, or a minute. */
static time_t retryAfter(const xapi_result *res)
{
	const xapi_limit *l[] = { &res->window, &res->user24, &res->app24 };
	time_t now = time(NULL), t = 0;

	for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (l[i]->remaining == 0 && l[i]->reset > now && (t == 0 || l[i]->reset < t))
			t = (time_t)l[i]->reset;
	if (t == 0 && res->window.reset > now)
		t = (time_t)res->window.reset;
	/* no X limit resets more than a day ahead: such a header is wrong */
	return t && t <= now + 25 * 3600 ? t : now + 60;
}

/* Save the flood state if it changed; floodMut held, and held again on
 * return, but not while the file is written and synced (tens of ms with a
 * full table): admission goes on meanwhile.  Returns 0 or -1 with the
 * reason in err: the state then stays in memory and is saved later. */
static int saveStateLocked(instanceData *pData, char *err, size_t errlen)
{
	char *json = NULL;
	omtw_err e;

	if (pData->flood == NULL || pData->statePath == NULL || !flood_dirty(pData->flood))
		return 0;
	if (flood_state_json(pData->flood, time(NULL), &json) != OMTW_OK) {
		snprintf(err, errlen, "out of memory while saving the flood state");
		return -1;
	}
	flood_clean(pData->flood);
	pthread_mutex_lock(&pData->saveMut); /* before floodMut is let go: snapshots stay in order */
	pthread_mutex_unlock(&pData->floodMut);
	e = flood_state_write(pData->statePath, json, err, errlen);
	pthread_mutex_unlock(&pData->saveMut);
	free(json);
	pthread_mutex_lock(&pData->floodMut);
	if (e != OMTW_OK) {
		flood_mark_dirty(pData->flood); /* try again later */
		return -1;
	}
	return 0;
}

static void logSaveError(instanceData *pData, const char *err)
{
	logCause(pData, &pData->logSave, RS_RET_IO_ERROR, "cannot save the flood state: %s; held "
		 "alerts and counts stay in memory and are saved at the next chance", err);
}

static void saveState(instanceData *pData)
{
	char err[512];
	int failed;

	pthread_mutex_lock(&pData->floodMut);
	failed = saveStateLocked(pData, err, sizeof(err));
	pthread_mutex_unlock(&pData->floodMut);
	if (failed)
		logSaveError(pData, err);
}

/* A counted or held alert changed the state: make sure the timer saves it
 * within statefile.sync ms (it sleeps until then only while the state is
 * dirty; one signal per sync period, not per alert). */
static void wakeTimerLocked(instanceData *pData)
{
	if (!pData->saveDue) {
		pData->saveDue = 1;
		pthread_cond_signal(&pData->timerCond);
	}
}

static void wakeTimer(instanceData *pData)
{
	pthread_mutex_lock(&pData->floodMut);
	wakeTimerLocked(pData);
	pthread_mutex_unlock(&pData->floodMut);
}

static time_t blockedUntil(instanceData *pData)
{
	time_t t;

	pthread_mutex_lock(&pData->floodMut);
	t = pData->flood ? flood_blocked_until(pData->flood) : 0;
	pthread_mutex_unlock(&pData->floodMut);
	return t;
}

/* Tell flood control what the server said about its limits. */
static void noteLimits(instanceData *pData, const xapi_result *res, time_t blockUntil)
{
	const xapi_limit *l[FLOOD_SRV_N] = { &res->window, &res->user24, &res->app24 };
	flood_limit v[FLOOD_SRV_N];

	for (int i = 0; i < FLOOD_SRV_N; i++)
		v[i] = (flood_limit){ l[i]->remaining, l[i]->reset };
	pthread_mutex_lock(&pData->floodMut);
	if (pData->flood) {
		flood_server_view(pData->flood, v, time(NULL));
		if (blockUntil)
			flood_block_until(pData->flood, blockUntil);
	}
	pthread_mutex_unlock(&pData->floodMut);
}

/* Part a->next of a was refused for good: keep it and the parts after it. */
static void refuseParts(instanceData *pData, const pending_alert *a, const xapi_result *res)
{
	size_t len = 0;
	char *text;

	for (size_t i = a->next; i < a->parts.n; i++)
		len += strlen(a->parts.part[i]) + 1;
	if ((text = malloc(len + 1)) == NULL) { /* the refused part at least */
		consumeRefused(pData, a->parts.part[a->next], a->next + 1, a->parts.n, res);
		return;
	}
	text[0] = '\0';
	for (size_t i = a->next, o = 0; i < a->parts.n; i++)
		o += (size_t)sprintf(text + o, "%s%s", i > a->next ? "\n" : "", a->parts.part[i]);
	consumeRefused(pData, text, a->next + 1, a->parts.n, res);
	free(text);
}

/* Map a result onto rsyslog's return codes and counters. */
static rsRetVal handleResult(wrkrInstanceData_t *pWrkrData, const pending_alert *a, const xapi_result *res)
{
	instanceData *pData = pWrkrData->pData;
	time_t until;

	if (res->outcome != XAPI_RATELIMITED)
		noteLimits(pData, res, 0);
	switch (res->outcome) {
	case XAPI_DELIVERED:
	case XAPI_DUPLICATE:
		STATSCOUNTER_INC(pData->ctrPosted, pData->mutCtrPosted);
		if (res->outcome == XAPI_DUPLICATE) {
			DBGPRINTF("omtwitter[%s]: duplicate content: an earlier try arrived\n", pData->name);
		} else if (res->id[0] == '\0') {
			LogMsg(0, RS_RET_OK, LOG_WARNING, "omtwitter[%s]: %s", pData->name, res->error);
		}
		pthread_mutex_lock(&pData->mut);
		ratelog_reset(&pData->logAuth);
		ratelog_reset(&pData->logCredits);
		ratelog_reset(&pData->logAccount);
		ratelog_reset(&pData->logTransient);
		ratelog_reset(&pData->logLimited);
		pthread_mutex_unlock(&pData->mut);
		return RS_RET_OK;
	case XAPI_PERMANENT:
		refuseParts(pData, a, res);
		return RS_RET_OK;
	case XAPI_RATELIMITED:
		STATSCOUNTER_INC(pData->ctrRatelimited, pData->mutCtrRatelimited);
		until = retryAfter(res);
		noteLimits(pData, res, until);
		logCause(pData, &pData->logLimited, RS_RET_SUSPENDED, "rate limited by X (%s); "
			 "no request before %lld (in %lld s)", res->error,
			 (long long)until, (long long)(until - time(NULL)));
		return RS_RET_SUSPENDED;
	case XAPI_UNAUTHORIZED:
		logCause(pData, &pData->logAuth, RS_RET_SUSPENDED, "X rejected the credentials "
			 "(%s); check the keys in the credentials file and the clock (NTP), "
			 "then send rsyslogd a HUP; alerts wait", res->error);
		return RS_RET_SUSPENDED;
	case XAPI_NO_CREDITS:
		logCause(pData, &pData->logCredits, RS_RET_SUSPENDED, "the X account is out of "
			 "credits (%s); alerts wait until it is topped up", res->error);
		return RS_RET_SUSPENDED;
	case XAPI_ACCOUNT: /* not the alert's fault: it waits for the fix */
		logCause(pData, &pData->logAccount, RS_RET_SUSPENDED, "X refused the account, not the "
			 "alert (%s). Fix: %s. Alerts wait in the queue and are posted once X accepts "
			 "them again", res->error, res->fix);
		return RS_RET_SUSPENDED;
	case XAPI_TRANSIENT:
		logCause(pData, &pData->logTransient, RS_RET_SUSPENDED, "cannot deliver to %s: %s; "
			 "will retry", pData->endpoint, res->error);
		return RS_RET_SUSPENDED;
	}
	return RS_RET_SUSPENDED;
}

BEGINcreateInstance
CODESTARTcreateInstance;
	pthread_mutex_init(&pData->mut, NULL);
	pthread_mutex_init(&pData->floodMut, NULL);
	pthread_mutex_init(&pData->saveMut, NULL);
	pthread_cond_init(&pData->timerCond, NULL);
	pending_init(&pData->pending, PENDING_MAX);
	pData->fcfg = (flood_config){ .dedup_window = 600, .rl_interval = 3600, .rl_burst = 10,
				      .budget_daily = 17, .digest_interval = 900, .maxentries = 10000 };
	errorfile_init(&pData->errors, NULL);
	pData->syncMs = 1000;
	pData->timeoutMs = DFLT_TIMEOUT_MS;
	pData->shape.maxlength = -1; /* depends on the mode */
	pData->shape.split = TT_SPLIT_THREAD;
	pData->shape.maxparts = 4;
	pData->shape.urls = TT_URLS_DEFANG;
ENDcreateInstance

BEGINcreateWrkrInstance
	char err[512];
CODESTARTcreateWrkrInstance;
	xapi_config cfg = {
		.endpoint = pData->endpoint, .cacert = pData->cacert, .capath = pData->capath,
		.proxy = pData->proxy, .timeout_ms = pData->timeoutMs,
		.user_agent = "omtwitter/" OMTWITTER_VERSION,
		.presign_ttl = XAPI_PRESIGN_TTL, /* alerts come in bursts */
	};
	if (xapi_client_new(&cfg, &pWrkrData->api, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_ERR, "omtwitter[%s]: cannot set up the HTTP client: %s",
			 pData->name, err);
		ABORT_FINALIZE(RS_RET_ERR);
	}
finalize_it:
ENDcreateWrkrInstance

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature;
ENDisCompatibleWithFeature

static void stopFlood(instanceData *pData);

BEGINfreeInstance
CODESTARTfreeInstance;
	stopFlood(pData);
	pending_free(&pData->pending);
	if (pData->stats != NULL)
		statsobj.Destruct(&pData->stats);
	if (pData->creds != NULL)
		credrefRelease(pData, pData->creds);
	errorfile_close(&pData->errors);
	pthread_mutex_destroy(&pData->mut);
	pthread_mutex_destroy(&pData->floodMut);
	pthread_mutex_destroy(&pData->saveMut);
	pthread_cond_destroy(&pData->timerCond);
	free(pData->dedupTpl);
	free(pData->stateName);
	free(pData->statePath);
	free(pData->name);
	free(pData->tplName);
	free(pData->credPath);
	free(pData->endpoint);
	free(pData->cacert);
	free(pData->capath);
	free(pData->proxy);
	free(pData->errorFile);
	free(pData->errorName);
	free(pData->recipient);
ENDfreeInstance

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance;
	xapi_client_free(pWrkrData->api);
	pending_alert_clear(&pWrkrData->cur);
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo;
	/* paths and URLs only: the secrets stay in the credentials file */
	dbgprintf("omtwitter[%s]: endpoint=%s credentials=%s template=%s timeout=%ld errorfile=%s\n",
		  pData->name, pData->endpoint, pData->credPath, pData->tplName,
		  pData->timeoutMs, pData->errorFile ? pData->errorFile : "(none)");
	dbgprintf("omtwitter[%s]: dedup.window=%ld ratelimit=%ld/%lds budget.daily=%ld "
		  "digest.interval=%ld maxentries=%zu statefile=%s sync=%ldms\n", pData->name,
		  pData->fcfg.dedup_window, pData->fcfg.rl_burst, pData->fcfg.rl_interval,
		  pData->fcfg.budget_daily, pData->fcfg.digest_interval, pData->fcfg.maxentries,
		  pData->statePath ? pData->statePath : "(unresolved)", pData->syncMs);
ENDdbgPrintInstInfo

/* Right after a failed attempt, report "still suspended" once, so the core
 * sleeps action.resumeInterval before the next try instead of hammering the
 * API; after a 429, stay suspended until the reset time the server gave. */
BEGINtryResume
CODESTARTtryResume;
	if (pWrkrData->justFailed || time(NULL) < blockedUntil(pWrkrData->pData))
		iRet = RS_RET_SUSPENDED;
	pWrkrData->justFailed = 0;
ENDtryResume

/* A counted or held alert changed the flood state (floodMut held). */
static void stateChanged(void *arg)
{
	instanceData *pData = arg;

	if (pData->syncMs > 0) /* else doAction saves before it acknowledges */
		wakeTimerLocked(pData);
}

/* X refused part a->next as a duplicate of an earlier post, and no earlier
 * try of ours may have made it: the same alert recurs (after dedup.window,
 * or a digest repeats an old text).  The time makes it new; the new text
 * replaces the part, so a retry of it is a retry of what may have arrived. */
static int repostWithTime(instanceData *pData, pending_alert *a)
{
	char suffix[40], *text = NULL;
	time_t now = time(NULL);
	struct tm tm;

	strftime(suffix, sizeof(suffix), " (%H:%M:%S UTC)", gmtime_r(&now, &tm));
	if (tweettext_append(a->parts.part[a->next], suffix, &pData->shape, &text) != OMTW_OK)
		return 0;
	LogMsg(0, RS_RET_OK, LOG_INFO, "omtwitter[%s]: X refused part %zu/%zu as a duplicate of an "
	       "earlier post; posted again with the time added", pData->name, a->next + 1, a->parts.n);
	free(a->parts.part[a->next]);
	a->parts.part[a->next] = text;
	a->reposted = true;
	a->maybe_upto = a->next; /* this text has not been sent */
	STATSCOUNTER_INC(pData->ctrReposted, pData->mutCtrReposted);
	return 1;
}

/* Part a->next is out: record how far the alert got.  Before the last
 * part the record is saved at once, so that a thread cut by a stop or a
 * crash continues as replies to this part. */
static void partPosted(instanceData *pData, pending_alert *a, const char *id)
{
	flood_progress p = { 0 };

	if (id[0])
		snprintf(a->last_id, sizeof(a->last_id), "%s", id);
	a->next++;
	a->reposted = false;
	p.next = (int)a->next;
	p.nparts = (int)a->parts.n;
	memcpy(p.last_id, a->last_id, sizeof(p.last_id));
	pthread_mutex_lock(&pData->floodMut);
	if (pData->flood)
		flood_progress_set(pData->flood, a->digest ? NULL : &a->ticket, &p);
	pthread_mutex_unlock(&pData->floodMut);
	if (a->next < a->parts.n && pData->flood)
		saveState(pData);
}

/* Post a's parts from the first one not yet posted; stop at a failure. */
static rsRetVal postParts(wrkrInstanceData_t *pWrkrData, pending_alert *a, const omtw_creds *cr)
{
	instanceData *pData = pWrkrData->pData;
	xapi_result res;
	rsRetVal r = RS_RET_OK;
	omtw_err e;

	while (a->next < a->parts.n) {
		const char *part = a->parts.part[a->next];
		bool earlier = a->next < a->maybe_upto;

		STATSCOUNTER_INC(pData->ctrRequests, pData->mutCtrRequests);
		if (a->maybe_upto <= a->next) /* from here on this text may reach X */
			a->maybe_upto = a->next + 1;
		if (pData->dm)
			e = xapi_send_dm(pWrkrData->api, cr, pData->recipient, part, &res);
		else
			e = xapi_post_tweet(pWrkrData->api, cr, part,
					    a->next > 0 && a->last_id[0] ? a->last_id : NULL, &res);
		if (e != OMTW_OK)
			return RS_RET_SUSPENDED; /* out of memory: try again later */
		if (res.outcome == XAPI_DUPLICATE && !earlier && !a->reposted && repostWithTime(pData, a))
			continue;
		if ((r = handleResult(pWrkrData, a, &res)) != RS_RET_OK)
			return r;
		if (res.outcome == XAPI_PERMANENT)
			return RS_RET_OK; /* refused for good (logged): the rest cannot follow */
		partPosted(pData, a, res.id);
	}
	return r;
}

/* A fresh alert that was being posted when the state was saved (before a
 * stop or a crash): its next part may have reached X, and a thread goes on
 * as replies to its last posted part, not as a new post. */
static void resumePost(instanceData *pData, pending_alert *a)
{
	flood_progress p;
	int was;

	pthread_mutex_lock(&pData->floodMut);
	was = pData->flood && flood_resume(pData->flood, &a->ticket, &p);
	pthread_mutex_unlock(&pData->floodMut);
	if (!was)
		return;
	if (p.finished) { /* posted just before a crash: the queue's replay */
		a->maybe_upto = a->parts.n;
		return;
	}
	a->maybe_upto = 1; /* its first part, at least, may have gone out */
	if (p.nparts != (int)a->parts.n || p.next == 0)
		return; /* not begun, or shaped differently now: posted from its start */
	a->next = (size_t)p.next;
	a->maybe_upto = a->next + 1;
	memcpy(a->last_id, p.last_id, sizeof(a->last_id));
	LogMsg(0, RS_RET_OK, LOG_INFO, "omtwitter[%s]: resuming a thread cut by a stop: part %zu/%zu "
	       "follows as a reply to post %s", pData->name, a->next + 1, a->parts.n,
	       a->last_id[0] ? a->last_id : "(unknown)");
}

BEGINdoAction
	instanceData *pData;
	pending_alert *a = NULL;
	credref_t *cr = NULL;
	xapi_result res;
	const char *text;
	int listed = 0, saveLater = 0, cancelState;
CODESTARTdoAction;
	/* rsyslog may cancel this thread at a stop; not in here, where that
	 * could leave a lock held (ours, libcurl's, OpenSSL's) and hang the
	 * stop itself.  A stop ends a slow request through the stop flag. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancelState);
	pData = pWrkrData->pData;
	xapi_client_set_stop(pWrkrData->api, __atomic_load_n(&pData->shutdownImmdt, __ATOMIC_RELAXED));
	text = (const char *)ppString[0];
	if (!pData->activated) { /* the module's configuration check failed (logged) */
		LogError(0, RS_RET_DISABLE_ACTION, "omtwitter[%s]: not activated because of the "
			 "configuration error above; the action is disabled", pData->name);
		ABORT_FINALIZE(RS_RET_DISABLE_ACTION);
	}
	if ((a = pending_take(&pData->pending, text)) != NULL) {
		listed = 1;
		STATSCOUNTER_INC(pData->ctrRetries, pData->mutCtrRetries);
	} else {
		flood_verdict v;
		pending_alert fresh = { 0 };
		STATSCOUNTER_INC(pData->ctrSubmitted, pData->mutCtrSubmitted);
		admission ad = { pData->flood, pData->memo, &pData->shape, &pData->floodMut,
				 stateChanged, pData };
		if (admission_admit(&ad, text, pData->dedupTpl ? (const char *)ppString[1] : NULL,
				    time(NULL), &v, &fresh.ticket, &fresh.parts) != OMTW_OK)
			ABORT_FINALIZE(RS_RET_SUSPENDED); /* out of memory: try again later */
		if (v == FLOOD_COUNTED)
			STATSCOUNTER_INC(pData->ctrDeduplicated, pData->mutCtrDeduplicated);
		if (v != FLOOD_POST) { /* counted or held: saved within statefile.sync ms */
			if (pData->syncMs == 0) /* or durable before it is acknowledged */
				saveState(pData);
			FINALIZE;
		}
		/* only an alert to post is kept (by its text: rsyslog may hand it back) */
		if ((a = malloc(sizeof(*a))) == NULL || (fresh.key = strdup(text)) == NULL) {
			free(a);
			a = NULL;
			pending_alert_clear(&fresh);
			ABORT_FINALIZE(RS_RET_SUSPENDED);
		}
		*a = fresh;
		resumePost(pData, a);
		/* about to post: what it spends and that it may reach X are saved
		 * first, so that after a crash an answer "duplicate content" is
		 * known to mean "posted" */
		saveState(pData);
		pending_add(&pData->pending, a);
		listed = 1;
	}
	if (time(NULL) < blockedUntil(pData)) /* the server said when; ask no earlier */
		ABORT_FINALIZE(RS_RET_SUSPENDED);

	if (a->parts.n == 0 || a->parts.part[0][0] == '\0') {
		memset(&res, 0, sizeof(res));
		snprintf(res.error, sizeof(res.error), "empty alert text (nothing to post)");
		consumeRefused(pData, "", 1, 1, &res);
		FINALIZE;
	}
	if ((cr = credrefAcquire(pData)) == NULL)
		ABORT_FINALIZE(RS_RET_SUSPENDED);
	iRet = postParts(pWrkrData, a, &cr->c);
	if (iRet == RS_RET_OK) {
		pthread_mutex_lock(&pData->floodMut);
		flood_posted(pData->flood, &a->ticket);
		pthread_mutex_unlock(&pData->floodMut);
		saveLater = 1;
	}
finalize_it:
	if (saveLater) /* the post's dedup window: saved within statefile.sync ms, off its path */
		wakeTimer(pData);
	credrefRelease(pData, cr);
	if (listed)
		pending_release(&pData->pending, a, iRet != RS_RET_SUSPENDED);
	else
		pending_alert_free(a); /* counted, held, or never admitted */
	pWrkrData->justFailed = iRet == RS_RET_SUSPENDED;
	pthread_setcancelstate(cancelState, NULL);
ENDdoAction

/* rsyslog's "shut down immediately" flag, for doAction's requests (the
 * same flag for all workers of the action's queue). */
BEGINSetShutdownImmdtPtr
CODESTARTSetShutdownImmdtPtr;
	__atomic_store_n(&pData->shutdownImmdt, pPtr, __ATOMIC_RELAXED);
ENDSetShutdownImmdtPtr

/* ---- the digest timer ---- */

static int timespec_cmp(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? (a->tv_sec < b->tv_sec ? -1 : 1)
				       : (a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec);
}

static void timespec_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Post a digest's parts (resuming after the last part posted). */
static rsRetVal postDigest(instanceData *pData)
{
	credref_t *cr = credrefAcquire(pData);
	rsRetVal r;

	if (cr == NULL)
		return RS_RET_SUSPENDED;
	r = postParts(pData->timerWrkr, &pData->timerWrkr->cur, &cr->c);
	credrefRelease(pData, cr);
	return r;
}

/* A digest is about to go out (floodMut held).  If it is the one that was
 * going out when the state was saved (before a stop or a crash: flood
 * hands it out again, unchanged), it goes on after its last part posted
 * as a reply to it, and X's "duplicate content" for its next part means
 * "posted".  What goes out is saved before its first request. */
static void startDigestLocked(instanceData *pData, pending_alert *a)
{
	flood_progress p = { 0 };
	char err[512];

	a->digest = true;
	if (flood_resume(pData->flood, NULL, &p)) {
		if (p.nparts == (int)a->parts.n && p.next < p.nparts) {
			a->next = (size_t)p.next;
			a->maybe_upto = a->next + 1;
			memcpy(a->last_id, p.last_id, sizeof(a->last_id));
		} else { /* shaped differently now: any part may have gone out */
			a->maybe_upto = a->parts.n;
		}
	}
	p = (flood_progress){ .next = (int)a->next, .nparts = (int)a->parts.n };
	memcpy(p.last_id, a->last_id, sizeof(p.last_id));
	flood_progress_set(pData->flood, NULL, &p);
	if (saveStateLocked(pData, err, sizeof(err)) != 0) {
		pthread_mutex_unlock(&pData->floodMut);
		logSaveError(pData, err);
		pthread_mutex_lock(&pData->floodMut);
	}
}

/* One timer thread per action: it wakes when flood control says a digest
 * may be due or a budget frees up, and posts the digest.  A digest that
 * fails is retried as it is (same parts, from the first not yet posted). */
static void *digestTimer(void *arg)
{
	instanceData *pData = arg;
	pending_alert *a = &pData->timerWrkr->cur;
	flood_digest d;
	int active = 0;
	time_t retryAt = 0;
	char err[512];
	struct timespec saveAt = { 0, 0 }; /* no save before this */

	pthread_setname_np(pthread_self(), "omtw:digest"); /* for top -H, ps -L */

	pthread_mutex_lock(&pData->floodMut);
	while (!pData->timerStop) {
		time_t now = time(NULL), wake;
		struct timespec until;

		if (pData->saveDue) { /* counted or held alerts: at most statefile.sync ms old */
			struct timespec t;
			clock_gettime(CLOCK_REALTIME, &t);
			if (timespec_cmp(&t, &saveAt) >= 0) {
				pData->saveDue = 0;
				if (saveStateLocked(pData, err, sizeof(err)) != 0) {
					pthread_mutex_unlock(&pData->floodMut);
					logSaveError(pData, err);
					pthread_mutex_lock(&pData->floodMut);
				}
				clock_gettime(CLOCK_REALTIME, &saveAt);
				timespec_add_ms(&saveAt, pData->syncMs);
			}
		}

		if (!active && flood_digest_take(pData->flood, now, pData->shape.maxparts, &d)) {
			pending_alert_clear(a);
			if (digest_compose(&d, &pData->shape, &a->parts) == OMTW_OK && a->parts.n > 0) {
				active = 1;
				startDigestLocked(pData, a);
			} else {
				flood_digest_free(&d); /* out of memory: next tick */
			}
			retryAt = now;
		}
		if (active && now >= retryAt && now >= flood_blocked_until(pData->flood)) {
			rsRetVal r;
			pthread_mutex_unlock(&pData->floodMut);
			r = postDigest(pData);
			pthread_mutex_lock(&pData->floodMut);
			now = time(NULL);
			if (r == RS_RET_OK) {
				STATSCOUNTER_INC(pData->ctrDigests, pData->mutCtrDigests);
				STATSCOUNTER_ADD(pData->ctrDigested, pData->mutCtrDigested, d.total);
				flood_digest_done(pData->flood, &d, (int)a->parts.n, now);
				flood_digest_free(&d);
				pending_alert_clear(a);
				active = 0;
				if (saveStateLocked(pData, err, sizeof(err)) != 0) {
					pthread_mutex_unlock(&pData->floodMut);
					logSaveError(pData, err);
					pthread_mutex_lock(&pData->floodMut);
				}
				continue;
			}
			retryAt = now + (pData->fcfg.digest_interval < DIGEST_RETRY_MAX
					 ? pData->fcfg.digest_interval : DIGEST_RETRY_MAX);
		}
		wake = active ? retryAt : flood_next_event(pData->flood, now);
		if (active && flood_blocked_until(pData->flood) > wake)
			wake = flood_blocked_until(pData->flood);
		if (wake <= now)
			wake = now + 1;
		until = (struct timespec){ .tv_sec = wake };
		if (pData->saveDue && timespec_cmp(&saveAt, &until) < 0)
			until = saveAt;
		/* floodMut was let go while the state was written or a digest
		 * posted: a stop signalled then found no one waiting */
		if (__atomic_load_n(&pData->timerStop, __ATOMIC_RELAXED))
			break;
		pthread_cond_timedwait(&pData->timerCond, &pData->floodMut, &until);
	}
	pthread_mutex_unlock(&pData->floodMut);
	if (active)
		flood_digest_free(&d);
	return NULL;
}

/* Activation: restore the saved state and start the digest timer. */
static void startFlood(instanceData *pData)
{
	char err[4600];
	omtw_err e;
	xapi_config cfg = {
		.endpoint = pData->endpoint, .cacert = pData->cacert, .capath = pData->capath,
		.proxy = pData->proxy, .timeout_ms = pData->timeoutMs,
		.user_agent = "omtwitter/" OMTWITTER_VERSION,
	};

	if ((e = flood_load(pData->flood, pData->statePath, time(NULL), err, sizeof(err))) != OMTW_OK)
		LogError(0, RS_RET_IO_ERROR, "omtwitter[%s]: %s", pData->name, err);
	pData->activated = 1;
	if ((pData->timerWrkr = calloc(1, sizeof(*pData->timerWrkr))) == NULL ||
	    xapi_client_new(&cfg, &pData->timerWrkr->api, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_ERR, "omtwitter[%s]: cannot start the digest timer: %s; held and "
			 "repeated alerts are kept but no digest is posted", pData->name,
			 pData->timerWrkr ? err : "out of memory");
		free(pData->timerWrkr);
		pData->timerWrkr = NULL;
		return;
	}
	pData->timerWrkr->pData = pData;
	xapi_client_set_stop(pData->timerWrkr->api, &pData->timerStop);
	/* like rsyslog's own workers: signals are for rsyslogd's main thread */
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pData->timer, NULL, digestTimer, pData);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		LogError(rc, RS_RET_ERR, "omtwitter[%s]: cannot start the digest timer", pData->name);
		return;
	}
	pData->timerStarted = 1;
}

/* Stop the timer and save the state (shutdown; a new configuration). */
static void stopFlood(instanceData *pData)
{
	if (pData->timerStarted) {
		pthread_mutex_lock(&pData->floodMut);
		__atomic_store_n(&pData->timerStop, 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&pData->timerCond);
		pthread_mutex_unlock(&pData->floodMut);
		pthread_join(pData->timer, NULL);
		pData->timerStarted = 0;
	}
	if (pData->timerWrkr) {
		xapi_client_free(pData->timerWrkr->api);
		pending_alert_clear(&pData->timerWrkr->cur);
		free(pData->timerWrkr);
		pData->timerWrkr = NULL;
	}
	if (pData->flood && pData->statePath)
		saveState(pData);
	flood_free(pData->flood);
	pData->flood = NULL;
	keymemo_free(pData->memo);
	pData->memo = NULL;
}

/* HUP: reopen the errorfile (logrotate) and reread the credentials, so a
 * fixed file takes effect without a restart (a bad new file keeps the
 * old), and save the flood state. */
BEGINdoHUP
	credref_t *fresh = NULL, *old = NULL;
CODESTARTdoHUP;
	if (loadCreds(pData, &fresh) == RS_RET_OK) {
		pthread_mutex_lock(&pData->mut);
		old = pData->creds;
		pData->creds = fresh;
		ratelog_reset(&pData->logAuth);
		pthread_mutex_unlock(&pData->mut);
		credrefRelease(pData, old);
	}
	pthread_mutex_lock(&pData->mut);
	errorfile_close(&pData->errors);
	pthread_mutex_unlock(&pData->mut);
	saveState(pData); /* a HUP is a moment to be durable; the digest timer runs on */
ENDdoHUP

static rsRetVal setupStats(instanceData *pData)
{
	DEFiRet;
	static const struct {
		const char *name;
		size_t off;
	} ctrs[] = {
		{ "submitted", offsetof(instanceData, ctrSubmitted) },
		{ "posted", offsetof(instanceData, ctrPosted) },
		{ "deduplicated", offsetof(instanceData, ctrDeduplicated) },
		{ "digested", offsetof(instanceData, ctrDigested) },
		{ "digests", offsetof(instanceData, ctrDigests) },
		{ "requests", offsetof(instanceData, ctrRequests) },
		{ "failures", offsetof(instanceData, ctrFailures) },
		{ "ratelimited", offsetof(instanceData, ctrRatelimited) },
		{ "retries", offsetof(instanceData, ctrRetries) },
		{ "reposted", offsetof(instanceData, ctrReposted) },
	};

	CHKiRet(statsobj.Construct(&pData->stats));
	CHKiRet(statsobj.SetName(pData->stats, (uchar *)pData->name));
	CHKiRet(statsobj.SetOrigin(pData->stats, (uchar *)"omtwitter"));
	for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++) {
		intctr_t *c = (intctr_t *)((char *)pData + ctrs[i].off);
		*c = 0;
		CHKiRet(statsobj.AddCounter(pData->stats, (uchar *)ctrs[i].name,
					    ctrType_IntCtr, CTR_FLAG_RESETTABLE, c));
	}
	CHKiRet(statsobj.ConstructFinalize(pData->stats));
finalize_it:
	RETiRet;
}

/* Make sure the default template exists in the configuration being loaded. */
static rsRetVal ensureDefaultTemplate(void)
{
	DEFiRet;
	char line[] = DFLT_TPL_LINE;
	uchar *p = (uchar *)line;

	if (tplFind(loadConf, (char *)DFLT_TPL_NAME, sizeof(DFLT_TPL_NAME) - 1) == NULL &&
	    tplAddLine(loadConf, DFLT_TPL_NAME, &p) == NULL)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
finalize_it:
	RETiRet;
}

/* The word-valued parameters: mode, split, urls. */
static rsRetVal setChoice(instanceData *pData, const char *pn, es_str_t *val)
{
	DEFiRet;
	static const struct {
		const char *param, *word;
		int value;
	} choices[] = {
		{ "mode", "tweet", 0 }, { "mode", "dm", 1 },
		{ "split", "thread", TT_SPLIT_THREAD }, { "split", "truncate", TT_SPLIT_TRUNCATE },
		{ "urls", "defang", TT_URLS_DEFANG }, { "urls", "keep", TT_URLS_KEEP },
	};
	char *v = es_str2cstr(val, NULL);
	size_t i;

	CHKmalloc(v);
	for (i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (!strcmp(choices[i].param, pn) && !strcasecmp(choices[i].word, v))
			break;
	if (i == sizeof(choices) / sizeof(choices[0])) {
		char words[64] = "";
		for (size_t k = 0; k < sizeof(choices) / sizeof(choices[0]); k++)
			if (!strcmp(choices[k].param, pn))
				snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
					 words[0] ? ", " : "", choices[k].word);
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter '%s': '%s' is not one of %s",
			 pData->name, pn, v, words);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (!strcmp(pn, "mode"))
		pData->dm = choices[i].value;
	else if (!strcmp(pn, "split"))
		pData->shape.split = (tt_split)choices[i].value;
	else
		pData->shape.urls = (tt_urls)choices[i].value;
finalize_it:
	free(v);
	RETiRet;
}

static rsRetVal checkShape(instanceData *pData)
{
	DEFiRet;
	long max = pData->dm ? DM_MAXLENGTH : TWEET_MAXLENGTH_MAX;

	if (pData->dm && (pData->recipient == NULL || !xapi_is_user_id(pData->recipient))) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: mode=\"dm\" needs parameter "
			 "'recipient': the numeric user id to message (not a @handle; "
			 "omtwitter-auth --verify shows an account's id)", pData->name);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (!pData->dm && pData->recipient) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'recipient' is only "
			 "used with mode=\"dm\"", pData->name);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->shape.maxlength == -1)
		pData->shape.maxlength = pData->dm ? DM_MAXLENGTH : TWEET_MAXLENGTH;
	if (pData->shape.maxlength < 10 || pData->shape.maxlength > max) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'maxlength' must be "
			 "between 10 and %ld weighted characters for mode=\"%s\"", pData->name,
			 max, pData->dm ? "dm" : "tweet");
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->shape.urls == TT_URLS_KEEP && pData->shape.maxlength < KEEP_MIN_LENGTH) {
		/* a kept URL counts 23 and cannot be split: it must fit a part */
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: with urls=\"keep\" parameter "
			 "'maxlength' must be at least %d (a URL counts 23 and a thread part also "
			 "carries \" (k/n)\")", pData->name, KEEP_MIN_LENGTH);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->shape.maxparts < 1 || pData->shape.maxparts > TWEETTEXT_MAX_PARTS) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'maxparts' must be "
			 "between 1 and %d", pData->name, TWEETTEXT_MAX_PARTS);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
finalize_it:
	RETiRet;
}

/* Flood control parameters; the state file's name. */
static rsRetVal checkFlood(instanceData *pData)
{
	DEFiRet;
	const flood_config *c = &pData->fcfg;
	static const struct {
		const char *param;
		long min, max;
		const char *unit;
	} range[] = {
		{ "dedup.window", 0, 86400 * 7, "seconds (0: no dedup)" },
		{ "ratelimit.interval", 0, 86400 * 7, "seconds (0: no local limit)" },
		{ "ratelimit.burst", 1, FLOOD_BUDGET_MAX, "posts" },
		{ "budget.daily", 0, FLOOD_BUDGET_MAX, "posts (0: no daily cap)" },
		{ "digest.interval", 1, 86400 * 7, "seconds" },
		{ "dedup.maxentries", 1, FLOOD_ENTRIES_MAX, "alerts" },
		{ "statefile.sync", 0, 60000, "milliseconds (0: save before acknowledging each alert)" },
	};
	long values[] = { c->dedup_window, c->rl_interval, c->rl_burst, c->budget_daily,
			  c->digest_interval, (long)c->maxentries, pData->syncMs };

	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		if (values[i] < range[i].min || values[i] > range[i].max) {
			LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter '%s' must be between "
				 "%ld and %ld %s", pData->name, range[i].param, range[i].min,
				 range[i].max, range[i].unit);
			ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
		}
	if (pData->stateName == NULL) {
		/* omtwitter-<action name>.state, the name made file-safe */
		CHKmalloc(pData->stateName = malloc(strlen(pData->name) + sizeof("omtwitter-.state")));
		char *p = pData->stateName + sprintf(pData->stateName, "omtwitter-");
		for (const char *q = pData->name; *q; q++)
			*p++ = (isalnum((unsigned char)*q) || strchr("._-", *q)) ? *q : '_';
		strcpy(p, ".state");
	}
	if (flood_new(c, time(NULL), &pData->flood) != OMTW_OK || keymemo_new(&pData->memo) != OMTW_OK)
		ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
finalize_it:
	RETiRet;
}

/* A file (PARAM) in a directory that does not exist would pass the check
 * and then fail at every write; one in a directory others can write could
 * be replaced or pre-created by them. */
static rsRetVal checkFileDir(const instanceData *p, const char *param, const char *path, int private)
{
	char err[4200];
	omtw_err e = errorfile_check_dir(path, private, err, sizeof(err));

	if (e == OMTW_OK)
		return RS_RET_OK;
	LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter '%s': %s is in %s%s", p->name, param,
		 path, err, e == OMTW_EPERM ? ": they could replace the file; use a directory only "
		 "rsyslogd's user can write" : ": create the directory, or give it (or "
		 "global(workDirectory)) a directory that exists");
	return RS_RET_CONFIG_ERROR;
}

/* errorfile: by default beside the state file (rsyslog's work directory),
 * <statefile without .state>.errors.jsonl; errorfile="" turns it off. */
static rsRetVal resolveErrorFile(instanceData *p)
{
	DEFiRet;
	size_t n = strlen(p->statePath);

	errorfile_close(&p->errors);
	free(p->errorFile);
	p->errorFile = NULL;
	errorfile_init(&p->errors, NULL);
	if (p->errorName != NULL && p->errorName[0] == '\0')
		FINALIZE;
	if (p->errorName != NULL) {
		CHKmalloc(p->errorFile = strdup(p->errorName));
	} else {
		if (n > 6 && !strcmp(p->statePath + n - 6, ".state"))
			n -= 6;
		CHKmalloc(p->errorFile = malloc(n + sizeof(".errors.jsonl")));
		sprintf(p->errorFile, "%.*s.errors.jsonl", (int)n, p->statePath);
	}
	CHKiRet(checkFileDir(p, "errorfile", p->errorFile, 1));
	errorfile_init(&p->errors, p->errorFile);
finalize_it:
	RETiRet;
}

/* Where each action keeps its flood state: the work directory is known
 * only once the whole configuration is loaded (global() applies late). */
static rsRetVal resolveStatePaths(modConfData_t *mc)
{
	DEFiRet;
	const char *workDir = (const char *)glbl.GetWorkDir(mc->pConf);

	for (instanceData *p = mc->actions; p; p = p->next) {
		free(p->statePath);
		p->statePath = NULL;
		if (p->stateName[0] == '/') {
			CHKmalloc(p->statePath = strdup(p->stateName));
		} else if (workDir[0] == '\0') {
			LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: flood control keeps its state "
				 "in rsyslog's work directory: set global(workDirectory=\"/var/spool/"
				 "rsyslog\"), or give an absolute parameter 'statefile'", p->name);
			ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
		} else {
			CHKmalloc(p->statePath = malloc(strlen(workDir) + strlen(p->stateName) + 2));
			sprintf(p->statePath, "%s/%s", workDir, p->stateName);
		}
		CHKiRet(checkFileDir(p, "statefile", p->statePath, 0));
		CHKiRet(resolveErrorFile(p));
		for (instanceData *o = mc->actions; o != p; o = o->next)
			if (!strcmp(o->statePath, p->statePath)) {
				LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: action '%s' already keeps "
					 "its flood state in %s: give each action its own name (or "
					 "parameter 'statefile')", p->name, o->name, p->statePath);
				ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
			}
	}
finalize_it:
	RETiRet;
}

static rsRetVal checkParams(instanceData *pData)
{
	DEFiRet;
	char err[512];

	CHKiRet(checkShape(pData));
	CHKiRet(checkFlood(pData));

	if (xapi_check_endpoint(pData->endpoint, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'endpoint': %s",
			 pData->name, err);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->proxy != NULL && xapi_check_proxy(pData->proxy, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'proxy': %s", pData->name, err);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->timeoutMs <= 0) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'timeout' must be a "
			 "positive number of milliseconds (default %d)", pData->name, DFLT_TIMEOUT_MS);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->cacert && access(pData->cacert, R_OK) != 0) {
		LogError(errno, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'tls.cacert': "
			 "cannot read '%s'", pData->name, pData->cacert);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	if (pData->capath && access(pData->capath, R_OK | X_OK) != 0) {
		LogError(errno, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'tls.capath': "
			 "cannot read directory '%s'", pData->name, pData->capath);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
	CHKiRet(loadCreds(pData, &pData->creds));
finalize_it:
	RETiRet;
}

BEGINnewActInst
	struct cnfparamvals *pvals;
CODESTARTnewActInst;
	if ((pvals = nvlstGetParams(lst, &actpblk, NULL)) == NULL)
		ABORT_FINALIZE(RS_RET_MISSING_CNFPARAMS);
	CHKiRet(createInstance(&pData));
	/* the action's name first: every message below names the action */
	for (int i = 0; i < actpblk.nParams; ++i)
		if (pvals[i].bUsed && !strcmp(actpblk.descr[i].name, "name"))
			CHKmalloc(pData->name = es_str2cstr(pvals[i].val.d.estr, NULL));
	if (pData->name == NULL)
		CHKmalloc(pData->name = strdup("omtwitter"));
	for (int i = 0; i < actpblk.nParams; ++i) {
		const char *pn = actpblk.descr[i].name;
		char *v;

		if (!pvals[i].bUsed || !strcmp(pn, "name"))
			continue;
		if (!strcmp(pn, "timeout")) {
			pData->timeoutMs = (long)pvals[i].val.d.n;
			continue;
		}
		if (!strcmp(pn, "maxlength")) {
			pData->shape.maxlength = (long)pvals[i].val.d.n;
			continue;
		}
		if (!strcmp(pn, "maxparts")) {
			pData->shape.maxparts = (int)pvals[i].val.d.n;
			continue;
		}
		long *num = !strcmp(pn, "dedup.window") ? &pData->fcfg.dedup_window
			  : !strcmp(pn, "ratelimit.interval") ? &pData->fcfg.rl_interval
			  : !strcmp(pn, "ratelimit.burst") ? &pData->fcfg.rl_burst
			  : !strcmp(pn, "budget.daily") ? &pData->fcfg.budget_daily
			  : !strcmp(pn, "digest.interval") ? &pData->fcfg.digest_interval : NULL;
		if (num) {
			*num = (long)pvals[i].val.d.n;
			continue;
		}
		if (!strcmp(pn, "statefile.sync")) {
			pData->syncMs = (long)pvals[i].val.d.n;
			continue;
		}
		if (!strcmp(pn, "dedup.maxentries")) {
			/* negative values wrap far above the maximum and are refused */
			pData->fcfg.maxentries = (size_t)pvals[i].val.d.n;
			continue;
		}
		if (!strcmp(pn, "mode") || !strcmp(pn, "split") || !strcmp(pn, "urls")) {
			CHKiRet(setChoice(pData, pn, pvals[i].val.d.estr));
			continue;
		}
		CHKmalloc(v = es_str2cstr(pvals[i].val.d.estr, NULL));
		char **dst = !strcmp(pn, "credentials") ? &pData->credPath
			   : !strcmp(pn, "endpoint") ? &pData->endpoint
			   : !strcmp(pn, "template") ? &pData->tplName
			   : !strcmp(pn, "tls.cacert") ? &pData->cacert
			   : !strcmp(pn, "tls.capath") ? &pData->capath
			   : !strcmp(pn, "proxy") ? &pData->proxy
			   : !strcmp(pn, "errorfile") ? &pData->errorName
			   : !strcmp(pn, "dedup.key") ? &pData->dedupTpl
			   : !strcmp(pn, "statefile") ? &pData->stateName
			   : &pData->recipient;
		free(*dst);
		*dst = v;
	}
	if (pData->endpoint == NULL)
		CHKmalloc(pData->endpoint = strdup(XAPI_DEFAULT_ENDPOINT));
	CHKiRet(checkParams(pData));
	CHKiRet(setupStats(pData));

	CODE_STD_STRING_REQUESTnewActInst(pData->dedupTpl ? 2 : 1);
	if (pData->tplName == NULL)
		CHKiRet(ensureDefaultTemplate());
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, (uchar *)strdup(pData->tplName ? pData->tplName : DFLT_TPL_NAME),
			     OMSR_NO_RQD_TPL_OPTS));
	if (pData->dedupTpl)
		CHKiRet(OMSRsetEntry(*ppOMSR, 1, (uchar *)strdup(pData->dedupTpl), OMSR_NO_RQD_TPL_OPTS));
	/* remembered for activation, which starts the digest timer */
	if (loadModConf) {
		pData->next = loadModConf->actions;
		loadModConf->actions = pData;
	}
CODE_STD_FINALIZERnewActInst;
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &actpblk);
ENDnewActInst

BEGINbeginCnfLoad
CODESTARTbeginCnfLoad;
	loadModConf = pModConf;
	pModConf->pConf = pConf;
ENDbeginCnfLoad

BEGINendCnfLoad
CODESTARTendCnfLoad;
	loadModConf = NULL;
ENDendCnfLoad

BEGINcheckCnf
CODESTARTcheckCnf;
	iRet = resolveStatePaths(pModConf);
ENDcheckCnf

BEGINactivateCnf
CODESTARTactivateCnf;
	for (instanceData *p = pModConf->actions; p; p = p->next)
		startFlood(p);
ENDactivateCnf

BEGINfreeCnf
CODESTARTfreeCnf;
ENDfreeCnf

NO_LEGACY_CONF_parseSelectorAct

BEGINmodExit
CODESTARTmodExit;
	curl_global_cleanup();
	objRelease(statsobj, CORE_COMPONENT);
	objRelease(glbl, CORE_COMPONENT);
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt;
CODEqueryEtryPt_STD_OMOD_QUERIES
CODEqueryEtryPt_STD_OMOD8_QUERIES
CODEqueryEtryPt_STD_CONF2_OMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_doHUP
CODEqueryEtryPt_SetShutdownImmdtPtr
ENDqueryEtryPt

/* The rsyslog version whose headers this module was compiled with. */
#ifndef OMTW_BUILT_FOR_RSYSLOG
#define OMTW_BUILT_FOR_RSYSLOG VERSION
#endif

/* rsyslog's loader checks nothing but CURR_MOD_IF_VERSION (6 since 2010),
 * yet its interfaces change between releases: refuse to run in a daemon of
 * another version than the headers', where calls could reach the wrong
 * functions.  When the version cannot be learnt the package pin guards. */
static rsRetVal checkHostVersion(void)
{
	char running[32];

	if (hostversion_of_program(HOSTVERSION_RSYSLOGD_MARKER, running, sizeof(running)) != 0) {
		DBGPRINTF("omtwitter: could not learn the running rsyslogd's version; built for %s\n",
			  OMTW_BUILT_FOR_RSYSLOG);
		return RS_RET_OK;
	}
	if (strcmp(running, OMTW_BUILT_FOR_RSYSLOG) == 0)
		return RS_RET_OK;
	LogError(0, RS_RET_INTERFACE_NOT_SUPPORTED,
		 "omtwitter: this module was built for rsyslog %s but is loaded into rsyslogd %s; "
		 "rsyslog's module interfaces differ between versions, so it refuses to load. "
		 "Fix: rebuild omtwitter against the rsyslog %s source (contrib/get-rsyslog-source.sh, "
		 "then ./configure --with-rsyslog-source=DIR), or install the rsyslog-omtwitter "
		 "package built for rsyslog %s",
		 OMTW_BUILT_FOR_RSYSLOG, running, running, running);
	return RS_RET_INTERFACE_NOT_SUPPORTED;
}

BEGINmodInit()
CODESTARTmodInit;
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr;
	CHKiRet(checkHostVersion());
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	CHKiRet(objUse(glbl, CORE_COMPONENT));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		LogError(0, RS_RET_ERR, "omtwitter: curl_global_init failed");
		ABORT_FINALIZE(RS_RET_ERR);
	}
ENDmodInit
