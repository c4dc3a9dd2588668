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

typedef struct wrkrInstanceData {
	instanceData *pData;
	xapi_client *api;
	char *pending;          /* text of the alert last suspended, to count retries */
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
ENDfreeInstance

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance
	xapi_client_free(pWrkrData->api);
	free(pWrkrData->pending);
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

BEGINdoAction
	instanceData *pData;
	credref_t *cr = NULL;
	xapi_result res;
	time_t until;
	char *text = NULL;
CODESTARTdoAction
	pData = pWrkrData->pData;
	if (pWrkrData->pending && strcmp(pWrkrData->pending, (char *)ppString[0]) == 0) {
		STATSCOUNTER_INC(pData->ctrRetries, pData->mutCtrRetries);
	} else {
		STATSCOUNTER_INC(pData->ctrSubmitted, pData->mutCtrSubmitted);
	}
	pthread_mutex_lock(&pData->mut);
	until = pData->suspendedUntil;
	pthread_mutex_unlock(&pData->mut);
	if (time(NULL) < until) /* the server said when; ask no earlier */
		ABORT_FINALIZE(RS_RET_SUSPENDED);

	CHKmalloc(text = tweettext_trim((char *)ppString[0]));
	if (*text == '\0') {
		memset(&res, 0, sizeof(res));
		snprintf(res.error, sizeof(res.error), "empty alert text (nothing to post)");
		consumeRefused(pData, text, &res);
		FINALIZE;
	}
	if ((cr = credrefAcquire(pData)) == NULL)
		ABORT_FINALIZE(RS_RET_SUSPENDED);
	STATSCOUNTER_INC(pData->ctrRequests, pData->mutCtrRequests);
	if (xapi_post_tweet(pWrkrData->api, &cr->c, text, NULL, &res) != OMTW_OK)
		ABORT_FINALIZE(RS_RET_SUSPENDED); /* out of memory: try again later */
	iRet = handleResult(pWrkrData, text, &res);
finalize_it:
	credrefRelease(pData, cr);
	free(text);
	free(pWrkrData->pending);
	pWrkrData->pending = iRet == RS_RET_SUSPENDED ? strdup((char *)ppString[0]) : NULL;
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

static rsRetVal checkParams(instanceData *pData)
{
	DEFiRet;
	char err[512];

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
	for (int i = 0; i < actpblk.nParams; ++i) {
		const char *pn = actpblk.descr[i].name;
		char *v;

		if (!pvals[i].bUsed)
			continue;
		if (!strcmp(pn, "timeout")) {
			pData->timeoutMs = (long)pvals[i].val.d.n;
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
			   : &pData->name;
		free(*dst);
		*dst = v;
	}
	if (pData->name == NULL)
		CHKmalloc(pData->name = strdup("omtwitter"));
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
