/* omtwitter.c - rsyslog output module: alerts become X (Twitter) posts.
 *
 * This file is rsyslog glue only: parameters, action entry points and
 * statistics counters.  Signing (oauth1), the HTTP client (xapi) and the
 * credentials file (credfile) are rsyslog-independent units.
 *
 * Delivery (design section 6): one alert per doAction call, non-transactional,
 * because both transactional styles of 8.2302 replay messages after a failed
 * batch and would post duplicates.  Transient failures return
 * RS_RET_SUSPENDED; permanent refusals are logged, counted, written to the
 * errorfile and return RS_RET_OK -- never RS_RET_DATAFAIL, which wedges the
 * action on 8.2302.
 *
 * Concurrency & locking:
 *  - instanceData is shared by all workers of an action.  After newActInst
 *    it is read-only except for the fields under pData->mut: the current
 *    credentials (swapped on HUP), the rate-limit deadline, the errorfile
 *    descriptor and the log-once flags.
 *  - wrkrInstanceData_t belongs to one worker thread: its curl handle needs
 *    no lock.  doHUP runs on the HUP thread and only touches pData under mut.
 *  - Statistics counters are atomic (STATSCOUNTER_*).
 *  - Credentials are reference counted, so a HUP can replace them while a
 *    worker is in the middle of a request with the old ones.
 */
#include "config.h"
#include "rsyslog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libfastjson/json.h>

#include "conf.h"
#include "errmsg.h"
#include "module-template.h"
#include "rsconf.h"
#include "statsobj.h"
#include "syslogd-types.h"
#include "template.h"

#include "credfile.h"
#include "tweettext.h"
#include "xapi.h"

MODULE_TYPE_OUTPUT
MODULE_TYPE_NOKEEP
MODULE_CNFNAME("omtwitter")

DEF_OMOD_STATIC_DATA
DEFobjCurrIf(statsobj)

/* The default template: the message text, trimmed by the module. */
#define DFLT_TPL_NAME " OmTwitterMsg"
#define DFLT_TPL_LINE "\"%msg%\""
#define DFLT_TIMEOUT_MS 10000
#define TWEET_MAXLENGTH 280     /* X's limit for a post */
#define TWEET_MAXLENGTH_MAX 25000 /* long posts of X Premium accounts */
#define DM_MAXLENGTH 10000      /* X's limit for a direct message */

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
	char *errorFile;
	long timeoutMs;
	int dm;                 /* mode="dm": direct messages to recipient */
	char *recipient;
	tt_config shape;        /* maxlength, split, maxparts, urls */

	pthread_mutex_t mut;    /* guards the fields below */
	credref_t *creds;
	time_t suspendedUntil;  /* no request before this (429 reset time) */
	int errorFd;            /* -1: not open */
	int loggedAuth;         /* a 401 was logged since the last success */
	int loggedCredits;      /* a 402 was logged since the last success */

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
} instanceData;

/* The alert a worker is delivering.  rsyslog hands a suspended message to
 * the same worker again, so a thread resumes at the first part not yet
 * posted instead of posting earlier parts twice. */
typedef struct alertState {
	char *key;              /* the rendered template text: which alert */
	tt_parts parts;
	size_t next;            /* first part not yet posted */
	char lastId[32];        /* id of the last part posted: the reply target */
} alertState_t;

typedef struct wrkrInstanceData {
	instanceData *pData;
	xapi_client *api;
	alertState_t cur;
	xapi_outcome lastLogged; /* last transient cause logged by this worker */
	int justFailed;         /* doAction suspended; tryResume waits one interval */
} wrkrInstanceData_t;

struct modConfData_s {
	rsconf_t *pConf;
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

/* Append one JSON line for an alert X refused for good. */
static void writeErrorFile(instanceData *pData, const char *text, const xapi_result *res)
{
	struct fjson_object *o;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *line;

	if (pData->errorFile == NULL || (o = fjson_object_new_object()) == NULL)
		return;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fjson_object_object_add(o, "time", fjson_object_new_string(ts));
	fjson_object_object_add(o, "action", fjson_object_new_string(pData->name));
	fjson_object_object_add(o, "status", fjson_object_new_int((int)res->status));
	fjson_object_object_add(o, "error", fjson_object_new_string(res->error));
	fjson_object_object_add(o, "text", fjson_object_new_string(text));
	line = fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN);
	pthread_mutex_lock(&pData->mut);
	if (pData->errorFd < 0)
		pData->errorFd = open(pData->errorFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (pData->errorFd < 0 || line == NULL ||
	    write(pData->errorFd, line, strlen(line)) < 0 || write(pData->errorFd, "\n", 1) < 0)
		LogError(errno, RS_RET_IO_ERROR, "omtwitter[%s]: cannot write errorfile '%s'",
			 pData->name, pData->errorFile);
	pthread_mutex_unlock(&pData->mut);
	fjson_object_put(o);
}

/* Log a permanent refusal and account for it; the alert is consumed. */
static void consumeRefused(instanceData *pData, const char *text, const xapi_result *res)
{
	LogError(0, RS_RET_DATAFAIL, "omtwitter[%s]: X refused the alert permanently "
		 "(%s); it is not retried%s%s", pData->name, res->error,
		 pData->errorFile ? " and was written to " : "",
		 pData->errorFile ? pData->errorFile : "");
	STATSCOUNTER_INC(pData->ctrFailures, pData->mutCtrFailures);
	writeErrorFile(pData, text, res);
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
	return t ? t : now + 60;
}

/* True the first time a condition is seen in an episode (reset by the
 * next success), so it is logged once, not once per retry. */
static int firstTime(instanceData *pData, int *flag)
{
	int first;

	pthread_mutex_lock(&pData->mut);
	first = !*flag;
	*flag = 1;
	pthread_mutex_unlock(&pData->mut);
	return first;
}

/* Map a result onto rsyslog's return codes and counters. */
static rsRetVal handleResult(wrkrInstanceData_t *pWrkrData, const char *text, const xapi_result *res)
{
	instanceData *pData = pWrkrData->pData;
	time_t until;

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
		pData->loggedAuth = pData->loggedCredits = 0;
		pthread_mutex_unlock(&pData->mut);
		pWrkrData->lastLogged = XAPI_DELIVERED;
		return RS_RET_OK;
	case XAPI_PERMANENT:
		consumeRefused(pData, text, res);
		return RS_RET_OK;
	case XAPI_RATELIMITED:
		STATSCOUNTER_INC(pData->ctrRatelimited, pData->mutCtrRatelimited);
		until = retryAfter(res);
		pthread_mutex_lock(&pData->mut);
		if (until > pData->suspendedUntil)
			pData->suspendedUntil = until;
		pthread_mutex_unlock(&pData->mut);
		LogError(0, RS_RET_SUSPENDED, "omtwitter[%s]: rate limited by X (%s); "
			 "no request before %lld (in %lld s)", pData->name, res->error,
			 (long long)until, (long long)(until - time(NULL)));
		return RS_RET_SUSPENDED;
	case XAPI_UNAUTHORIZED:
		if (firstTime(pData, &pData->loggedAuth))
			LogError(0, RS_RET_SUSPENDED, "omtwitter[%s]: X rejected the credentials "
				 "(%s); check the keys in the credentials file and the "
				 "clock (NTP), then send rsyslogd a HUP; alerts wait",
				 pData->name, res->error);
		return RS_RET_SUSPENDED;
	case XAPI_NO_CREDITS:
		if (firstTime(pData, &pData->loggedCredits))
			LogError(0, RS_RET_SUSPENDED, "omtwitter[%s]: the X account is out of "
				 "credits (%s); alerts wait until it is topped up",
				 pData->name, res->error);
		return RS_RET_SUSPENDED;
	case XAPI_TRANSIENT:
		if (pWrkrData->lastLogged != XAPI_TRANSIENT)
			LogError(0, RS_RET_SUSPENDED, "omtwitter[%s]: cannot deliver to %s: %s; "
				 "will retry", pData->name, pData->endpoint, res->error);
		pWrkrData->lastLogged = XAPI_TRANSIENT;
		return RS_RET_SUSPENDED;
	}
	return RS_RET_SUSPENDED;
}

BEGINcreateInstance
CODESTARTcreateInstance
	pthread_mutex_init(&pData->mut, NULL);
	pData->errorFd = -1;
	pData->timeoutMs = DFLT_TIMEOUT_MS;
	pData->shape.maxlength = -1; /* depends on the mode */
	pData->shape.split = TT_SPLIT_THREAD;
	pData->shape.maxparts = 4;
	pData->shape.urls = TT_URLS_DEFANG;
ENDcreateInstance

BEGINcreateWrkrInstance
	char err[512];
CODESTARTcreateWrkrInstance
	xapi_config cfg = {
		.endpoint = pData->endpoint, .cacert = pData->cacert, .capath = pData->capath,
		.proxy = pData->proxy, .timeout_ms = pData->timeoutMs,
		.user_agent = "omtwitter/" OMTWITTER_VERSION,
	};
	if (xapi_client_new(&cfg, &pWrkrData->api, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_ERR, "omtwitter[%s]: cannot set up the HTTP client: %s",
			 pData->name, err);
		ABORT_FINALIZE(RS_RET_ERR);
	}
	pWrkrData->lastLogged = XAPI_DELIVERED;
finalize_it:
ENDcreateWrkrInstance

BEGINisCompatibleWithFeature
CODESTARTisCompatibleWithFeature
ENDisCompatibleWithFeature

BEGINfreeInstance
CODESTARTfreeInstance
	if (pData->stats != NULL)
		statsobj.Destruct(&pData->stats);
	if (pData->creds != NULL)
		credrefRelease(pData, pData->creds);
	if (pData->errorFd >= 0)
		close(pData->errorFd);
	pthread_mutex_destroy(&pData->mut);
	free(pData->name);
	free(pData->tplName);
	free(pData->credPath);
	free(pData->endpoint);
	free(pData->cacert);
	free(pData->capath);
	free(pData->proxy);
	free(pData->errorFile);
	free(pData->recipient);
ENDfreeInstance

static void clearAlert(alertState_t *a)
{
	free(a->key);
	tweettext_parts_free(&a->parts);
	memset(a, 0, sizeof(*a));
}

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance
	xapi_client_free(pWrkrData->api);
	clearAlert(&pWrkrData->cur);
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo
	/* paths and URLs only: the secrets stay in the credentials file */
	dbgprintf("omtwitter[%s]: endpoint=%s credentials=%s template=%s timeout=%ld errorfile=%s\n",
		  pData->name, pData->endpoint, pData->credPath, pData->tplName,
		  pData->timeoutMs, pData->errorFile ? pData->errorFile : "(none)");
ENDdbgPrintInstInfo

/* Right after a failed attempt, report "still suspended" once, so the core
 * sleeps action.resumeInterval before the next try instead of hammering the
 * API; after a 429, stay suspended until the reset time the server gave. */
BEGINtryResume
	time_t until;
CODESTARTtryResume
	pthread_mutex_lock(&pWrkrData->pData->mut);
	until = pWrkrData->pData->suspendedUntil;
	pthread_mutex_unlock(&pWrkrData->pData->mut);
	if (pWrkrData->justFailed || time(NULL) < until)
		iRet = RS_RET_SUSPENDED;
	pWrkrData->justFailed = 0;
ENDtryResume

/* Start on a new alert: shape it into its parts. */
static rsRetVal newAlert(wrkrInstanceData_t *pWrkrData, const char *text)
{
	alertState_t *a = &pWrkrData->cur;

	clearAlert(a);
	if ((a->key = strdup(text)) == NULL ||
	    tweettext_shape(text, strlen(text), &pWrkrData->pData->shape, &a->parts) != OMTW_OK) {
		clearAlert(a);
		return RS_RET_OUT_OF_MEMORY;
	}
	return RS_RET_OK;
}

/* Post parts from the first one not yet posted; stop at a failure. */
static rsRetVal postParts(wrkrInstanceData_t *pWrkrData, const omtw_creds *cr)
{
	instanceData *pData = pWrkrData->pData;
	alertState_t *a = &pWrkrData->cur;
	xapi_result res;
	rsRetVal r = RS_RET_OK;
	omtw_err e;

	while (a->next < a->parts.n) {
		const char *part = a->parts.part[a->next];

		STATSCOUNTER_INC(pData->ctrRequests, pData->mutCtrRequests);
		if (pData->dm)
			e = xapi_send_dm(pWrkrData->api, cr, pData->recipient, part, &res);
		else
			e = xapi_post_tweet(pWrkrData->api, cr, part,
					    a->next > 0 && a->lastId[0] ? a->lastId : NULL, &res);
		if (e != OMTW_OK)
			return RS_RET_SUSPENDED; /* out of memory: try again later */
		if ((r = handleResult(pWrkrData, part, &res)) != RS_RET_OK)
			return r;
		if (res.outcome == XAPI_PERMANENT)
			return RS_RET_OK; /* refused for good (logged): the rest cannot follow */
		if (res.id[0])
			memcpy(a->lastId, res.id, sizeof(a->lastId));
		a->next++;
	}
	return r;
}

BEGINdoAction
	instanceData *pData;
	alertState_t *a;
	credref_t *cr = NULL;
	xapi_result res;
	time_t until;
	const char *text;
CODESTARTdoAction
	pData = pWrkrData->pData;
	a = &pWrkrData->cur;
	text = (const char *)ppString[0];
	if (a->key && strcmp(a->key, text) == 0) {
		STATSCOUNTER_INC(pData->ctrRetries, pData->mutCtrRetries);
	} else {
		STATSCOUNTER_INC(pData->ctrSubmitted, pData->mutCtrSubmitted);
		if (newAlert(pWrkrData, text) != RS_RET_OK)
			ABORT_FINALIZE(RS_RET_SUSPENDED); /* out of memory: try again later */
	}
	pthread_mutex_lock(&pData->mut);
	until = pData->suspendedUntil;
	pthread_mutex_unlock(&pData->mut);
	if (time(NULL) < until) /* the server said when; ask no earlier */
		ABORT_FINALIZE(RS_RET_SUSPENDED);

	if (a->parts.n == 0 || a->parts.part[0][0] == '\0') {
		memset(&res, 0, sizeof(res));
		snprintf(res.error, sizeof(res.error), "empty alert text (nothing to post)");
		consumeRefused(pData, "", &res);
		FINALIZE;
	}
	if ((cr = credrefAcquire(pData)) == NULL)
		ABORT_FINALIZE(RS_RET_SUSPENDED);
	iRet = postParts(pWrkrData, &cr->c);
finalize_it:
	credrefRelease(pData, cr);
	if (iRet != RS_RET_SUSPENDED)
		clearAlert(a); /* done with this alert, delivered or consumed */
	pWrkrData->justFailed = iRet == RS_RET_SUSPENDED;
ENDdoAction

/* HUP: reopen the errorfile (logrotate) and reread the credentials, so a
 * fixed file takes effect without a restart.  A bad new file keeps the old. */
BEGINdoHUP
	credref_t *fresh = NULL, *old = NULL;
CODESTARTdoHUP
	if (loadCreds(pData, &fresh) == RS_RET_OK) {
		pthread_mutex_lock(&pData->mut);
		old = pData->creds;
		pData->creds = fresh;
		pData->loggedAuth = 0;
		pthread_mutex_unlock(&pData->mut);
		credrefRelease(pData, old);
	}
	pthread_mutex_lock(&pData->mut);
	if (pData->errorFd >= 0) {
		close(pData->errorFd);
		pData->errorFd = -1;
	}
	pthread_mutex_unlock(&pData->mut);
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
	if (pData->shape.maxparts < 1 || pData->shape.maxparts > TWEETTEXT_MAX_PARTS) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'maxparts' must be "
			 "between 1 and %d", pData->name, TWEETTEXT_MAX_PARTS);
		ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
	}
finalize_it:
	RETiRet;
}

static rsRetVal checkParams(instanceData *pData)
{
	DEFiRet;
	char err[512];

	CHKiRet(checkShape(pData));

	if (xapi_check_endpoint(pData->endpoint, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'endpoint': %s",
			 pData->name, err);
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
CODESTARTnewActInst
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
			   : !strcmp(pn, "errorfile") ? &pData->errorFile
			   : &pData->recipient;
		free(*dst);
		*dst = v;
	}
	if (pData->endpoint == NULL)
		CHKmalloc(pData->endpoint = strdup(XAPI_DEFAULT_ENDPOINT));
	CHKiRet(checkParams(pData));
	CHKiRet(setupStats(pData));

	CODE_STD_STRING_REQUESTnewActInst(1)
	if (pData->tplName == NULL)
		CHKiRet(ensureDefaultTemplate());
	CHKiRet(OMSRsetEntry(*ppOMSR, 0, (uchar *)strdup(pData->tplName ? pData->tplName : DFLT_TPL_NAME),
			     OMSR_NO_RQD_TPL_OPTS));
CODE_STD_FINALIZERnewActInst
	if (pvals != NULL)
		cnfparamvalsDestruct(pvals, &actpblk);
ENDnewActInst

BEGINbeginCnfLoad
CODESTARTbeginCnfLoad
	loadModConf = pModConf;
	pModConf->pConf = pConf;
ENDbeginCnfLoad

BEGINendCnfLoad
CODESTARTendCnfLoad
	loadModConf = NULL;
ENDendCnfLoad

BEGINcheckCnf
CODESTARTcheckCnf
ENDcheckCnf

BEGINactivateCnf
CODESTARTactivateCnf
ENDactivateCnf

BEGINfreeCnf
CODESTARTfreeCnf
ENDfreeCnf

NO_LEGACY_CONF_parseSelectorAct

BEGINmodExit
CODESTARTmodExit
	curl_global_cleanup();
	objRelease(statsobj, CORE_COMPONENT);
ENDmodExit

BEGINqueryEtryPt
CODESTARTqueryEtryPt
CODEqueryEtryPt_STD_OMOD_QUERIES
CODEqueryEtryPt_STD_OMOD8_QUERIES
CODEqueryEtryPt_STD_CONF2_OMOD_QUERIES
CODEqueryEtryPt_STD_CONF2_QUERIES
CODEqueryEtryPt_doHUP
ENDqueryEtryPt

BEGINmodInit()
CODESTARTmodInit
	*ipIFVersProvided = CURR_MOD_IF_VERSION;
CODEmodInit_QueryRegCFSLineHdlr
	CHKiRet(objUse(statsobj, CORE_COMPONENT));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		LogError(0, RS_RET_ERR, "omtwitter: curl_global_init failed");
		ABORT_FINALIZE(RS_RET_ERR);
	}
ENDmodInit
