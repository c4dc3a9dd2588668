/* omtwitter.c - rsyslog output module: alerts become X (Twitter) posts.
 *
 * This file is rsyslog glue only: parameters, action entry points and
 * statistics counters.  What is posted when (flood control, results,
 * retries, digests, the state file) is the engine's (engine.c), which
 * omtwitter-replay runs too; signing, the HTTP client and the credentials
 * file are rsyslog-independent units as well.
 *
 * Delivery (design section 6): one alert per doAction call.  Transient
 * failures return RS_RET_SUSPENDED; permanent refusals are logged, counted,
 * written to the errorfile and return RS_RET_OK -- never RS_RET_DATAFAIL,
 * which wedges the action on 8.2302.  The module stays non-transactional:
 * 8.2302's legacy transactional path treats the FORCE_TERM of a shutdown
 * during an outage as a hard error of every message in the batch and
 * drops them all (measured: 20 alerts lost across a restart; none
 * without it); the engine saves the flood state with a bounded delay
 * instead (statefile.sync).  Digests are posted by a timer thread per
 * action that calls the engine, started at activation and stopped (state
 * saved) when the action is freed.
 *
 * Concurrency & locking:
 *  - instanceData is shared by all workers of an action and read-only after
 *    newActInst, but for the credentials (credshare.c, replaced on HUP) and
 *    the engine and its timer (engine.c, engine_timer.c), which lock their
 *    own state.
 *  - wrkrInstanceData_t belongs to one worker thread: its curl handle needs
 *    no lock.  doHUP runs on the HUP thread and only calls credshare and the
 *    engine.  pData->timer is set once, at activation (atomically: the
 *    engine's wake callback may read it from a worker).
 *  - Statistics counters are atomic (STATSCOUNTER_*).
 *  - Credentials are reference counted, so a HUP can replace them while a
 *    worker is in the middle of a request with the old ones.
 */
#include "config.h"
#include "rsyslog.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "conf.h"
#include "errmsg.h"
#include "glbl.h"
#include "module-template.h"
#include "rsconf.h"
#include "statsobj.h"
#include "syslogd-types.h"
#include "template.h"

#include "actparams.h"
#include "actpaths.h"
#include "actconn.h"
#include "closest.h"
#include "credshare.h"
#include "engine.h"
#include "engine_timer.h"
#include "hostversion.h"
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
	actparams ap;           /* what shapes the posts (actparams.h): mode, recipient,
				 * maxlength, ..., flood control, statefile.sync */

	credshare *creds;       /* replaced on HUP (its own lock) */

	char *dedupTpl;         /* template of the dedup key, NULL: the alert text */
	char *stateName;        /* parameter statefile */
	char *statePath;        /* where the flood state lives */
	engine *engine;         /* what is posted when; NULL until activated */
	engine_timer *timer;    /* calls the engine: digests, saves */
	xapi_client *timerApi;  /* the timer's connection */
	int *shutdownImmdt;     /* rsyslog's, see SetShutdownImmdtPtr */
	struct _instanceData *next; /* the module's actions in one configuration */

	statsobj_t *stats;
	intctr_t ctrs[ENGINE_CTR_N];
	DEF_ATOMIC_HELPER_MUT64(mutCtrs)
} instanceData;

#define PENDING_MIN 1024 /* undelivered alerts remembered (engine_config) */

typedef struct wrkrInstanceData {
	instanceData *pData;
	xapi_client *api;
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
	{ "group", eCmdHdlrGetWord, 0 },
	{ "group.similarity", eCmdHdlrGetWord, 0 },
	{ "ratelimit.interval", eCmdHdlrInt, 0 },
	{ "ratelimit.burst", eCmdHdlrInt, 0 },
	{ "budget.daily", eCmdHdlrInt, 0 },
	{ "budget.pace", eCmdHdlrGetWord, 0 },
	{ "digest.interval", eCmdHdlrInt, 0 },
	{ "digest.repeat", eCmdHdlrInt, 0 },
	{ "statefile", eCmdHdlrString, 0 },
	{ "statefile.sync", eCmdHdlrInt, 0 },
	{ "name", eCmdHdlrGetWord, 0 } /* the core's own; read for messages and stats */
};
static struct cnfparamblk actpblk = {
	CNFPARAMBLK_VERSION, sizeof(actpdescr) / sizeof(struct cnfparamdescr), actpdescr
};
/* The parameters kept as text, and where (the rest: timeout, actparams). */
static const struct {
	const char *name;
	size_t off;
} textParams[] = {
	{ "name", offsetof(instanceData, name) }, { "credentials", offsetof(instanceData, credPath) },
	{ "endpoint", offsetof(instanceData, endpoint) }, { "template", offsetof(instanceData, tplName) },
	{ "tls.cacert", offsetof(instanceData, cacert) }, { "tls.capath", offsetof(instanceData, capath) },
	{ "proxy", offsetof(instanceData, proxy) }, { "errorfile", offsetof(instanceData, errorName) },
	{ "dedup.key", offsetof(instanceData, dedupTpl) }, { "statefile", offsetof(instanceData, stateName) },
};
#define N_TEXT_PARAMS (sizeof(textParams) / sizeof(textParams[0]))
#define TEXT_PARAM(p, k) (*(char **)((char *)(p) + textParams[k].off))

/* (Re)load the credentials file, logging why not. */
static rsRetVal loadCreds(instanceData *pData)
{
	char err[512];
	omtw_err e;

	if (pData->creds == NULL && credshare_new(&pData->creds) != OMTW_OK)
		return RS_RET_OUT_OF_MEMORY;
	if ((e = credshare_load(pData->creds, pData->credPath, err, sizeof(err))) == OMTW_OK)
		return RS_RET_OK;
	if (e == OMTW_ENOMEM)
		return RS_RET_OUT_OF_MEMORY;
	LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: parameter 'credentials': %s", pData->name, err);
	return RS_RET_CONFIG_ERROR;
}

/* ---- what the engine needs from rsyslog's side ---- */

static long long clockMs(void *arg)
{
	struct timespec t;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One part, signed with the current credentials, over the caller's
 * connection (a worker's, or the timer's). */
static omtw_err sendPart(void *arg, void *conn, const engine_part *p, xapi_result *res)
{
	instanceData *pData = arg;
	const omtw_creds *cr = credshare_acquire(pData->creds);
	omtw_err e;

	if (cr == NULL)
		return OMTW_EINVAL;
	if (pData->ap.dm)
		e = xapi_send_dm(conn, cr, pData->ap.recipient, p->text, res);
	else
		e = xapi_post_tweet(conn, cr, p->text, p->reply_to, res);
	credshare_release(pData->creds, cr);
	return e;
}

static void countEvent(void *arg, engine_counter c, unsigned long long n)
{
	instanceData *pData = arg;

	STATSCOUNTER_ADD(pData->ctrs[c], pData->mutCtrs, n);
}

/* The engine's messages (its errors already limited in rate). */
static void logEvent(void *arg, engine_log cause, const char *msg)
{
	instanceData *pData = arg;

	if (cause == ENGINE_LOG_DEBUG) {
		DBGPRINTF("omtwitter[%s]: %s\n", pData->name, msg);
	} else if (cause <= ENGINE_LOG_ERROR) {
		LogError(0, cause == ENGINE_LOG_REFUSED ? RS_RET_DATAFAIL : cause <= ENGINE_LOG_LIMITED
			 ? RS_RET_SUSPENDED : RS_RET_IO_ERROR, "omtwitter[%s]: %s", pData->name, msg);
	} else {
		LogMsg(0, RS_RET_OK, cause == ENGINE_LOG_WARNING ? LOG_WARNING : LOG_INFO,
		       "omtwitter[%s]: %s", pData->name, msg);
	}
}

/* The engine is due earlier than it said (called under its lock). */
static void wakeTimer(void *arg)
{
	engine_timer *t = __atomic_load_n(&((instanceData *)arg)->timer, __ATOMIC_ACQUIRE);

	if (t != NULL)
		engine_timer_wake(t);
}

BEGINcreateInstance
CODESTARTcreateInstance;
	actparams_init(&pData->ap);
	pData->timeoutMs = ACTCONN_DEFAULT_TIMEOUT_MS;
ENDcreateInstance

static omtw_err newClient(instanceData *pData, long presign, xapi_client **out, char *err, size_t errlen)
{
	xapi_config cfg = {
		.endpoint = pData->endpoint, .cacert = pData->cacert, .capath = pData->capath,
		.proxy = pData->proxy, .timeout_ms = pData->timeoutMs,
		.user_agent = "omtwitter/" OMTWITTER_VERSION, .presign_ttl = presign,
	};
	return xapi_client_new(&cfg, out, err, errlen);
}

BEGINcreateWrkrInstance
	char err[512];
CODESTARTcreateWrkrInstance;
	/* alerts come in bursts: a worker signs its next post ahead */
	if (newClient(pData, XAPI_PRESIGN_TTL, &pWrkrData->api, err, sizeof(err)) != OMTW_OK) {
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
	if (pData->stats != NULL)
		statsobj.Destruct(&pData->stats);
	credshare_free(pData->creds);
	for (size_t k = 0; k < N_TEXT_PARAMS; k++)
		free(TEXT_PARAM(pData, k));
	free(pData->statePath);
	free(pData->errorFile);
	actparams_clear(&pData->ap);
ENDfreeInstance

BEGINfreeWrkrInstance
CODESTARTfreeWrkrInstance;
	xapi_client_free(pWrkrData->api);
ENDfreeWrkrInstance

BEGINdbgPrintInstInfo
CODESTARTdbgPrintInstInfo;
	/* paths and URLs only: the secrets stay in the credentials file */
	dbgprintf("omtwitter[%s]: endpoint=%s credentials=%s template=%s timeout=%ld errorfile=%s\n",
		  pData->name, pData->endpoint, pData->credPath, pData->tplName,
		  pData->timeoutMs, pData->errorFile ? pData->errorFile : "(none)");
	dbgprintf("omtwitter[%s]: dedup.window=%ld ratelimit=%ld/%lds budget.daily=%ld "
		  "digest.interval=%ld maxentries=%zu group=%s/%.2f statefile=%s sync=%ldms\n", pData->name,
		  pData->ap.flood.dedup_window, pData->ap.flood.rl_burst, pData->ap.flood.rl_interval,
		  pData->ap.flood.budget_daily, pData->ap.flood.digest_interval, pData->ap.flood.maxentries,
		  pData->ap.flood.group == FLOOD_GROUP_EXACT ? "exact" : "template", pData->ap.flood.similarity,
		  pData->statePath ? pData->statePath : "(unresolved)", pData->ap.sync_ms);
ENDdbgPrintInstInfo

/* Right after a failed attempt, report "still suspended" once, so the core
 * sleeps action.resumeInterval before the next try instead of hammering the
 * API; after a 429, stay suspended until the reset time the server gave. */
BEGINtryResume
CODESTARTtryResume;
	if (pWrkrData->justFailed ||
	    (pWrkrData->pData->engine && time(NULL) < engine_blocked_until(pWrkrData->pData->engine)))
		iRet = RS_RET_SUSPENDED;
	pWrkrData->justFailed = 0;
ENDtryResume

BEGINdoAction
	instanceData *pData;
	int cancelState;
CODESTARTdoAction;
	/* rsyslog may cancel this thread at a stop; not in here, where that
	 * could leave a lock held (ours, libcurl's, OpenSSL's) and hang the
	 * stop itself.  A stop ends a slow request through the stop flag. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancelState);
	pData = pWrkrData->pData;
	xapi_client_set_stop(pWrkrData->api, __atomic_load_n(&pData->shutdownImmdt, __ATOMIC_RELAXED));
	if (pData->engine == NULL) { /* the module's configuration check failed (logged) */
		LogError(0, RS_RET_DISABLE_ACTION, "omtwitter[%s]: not activated because of the "
			 "configuration error above; the action is disabled", pData->name);
		iRet = RS_RET_DISABLE_ACTION;
	} else if (engine_submit(pData->engine, pWrkrData->api, (const char *)ppString[0],
				 pData->dedupTpl ? (const char *)ppString[1] : NULL) != ENGINE_DONE) {
		iRet = RS_RET_SUSPENDED;
	}
	pWrkrData->justFailed = iRet == RS_RET_SUSPENDED;
	pthread_setcancelstate(cancelState, NULL);
ENDdoAction

/* rsyslog's "shut down immediately" flag, for doAction's requests (the
 * same flag for all workers of the action's queue). */
BEGINSetShutdownImmdtPtr
CODESTARTSetShutdownImmdtPtr;
	__atomic_store_n(&pData->shutdownImmdt, pPtr, __ATOMIC_RELAXED);
ENDSetShutdownImmdtPtr

/* Activation: the engine with the saved state, and its timer. */
static void startFlood(instanceData *pData)
{
	char err[512];
	engine_config c = { pData->ap.flood, pData->ap.shape, pData->ap.sync_ms, pData->statePath,
			    pData->endpoint, pData->errorFile, pData->name, PENDING_MIN };
	engine_ops ops = { .arg = pData, .now_ms = clockMs, .send = sendPart, .count = countEvent,
			   .log = logEvent, .wake = wakeTimer };
	engine_timer *t = NULL;
	int rc;

	if (engine_new(&c, &ops, &pData->engine) != OMTW_OK) {
		LogError(0, RS_RET_OUT_OF_MEMORY, "omtwitter[%s]: out of memory", pData->name);
		return;
	}
	engine_load(pData->engine);
	if (newClient(pData, 0, &pData->timerApi, err, sizeof(err)) != OMTW_OK ||
	    engine_timer_new(pData->engine, pData->timerApi, &t) != OMTW_OK) {
		LogError(0, RS_RET_ERR, "omtwitter[%s]: cannot start the digest timer: %s; held and "
			 "repeated alerts are kept but no digest is posted", pData->name,
			 pData->timerApi ? "out of memory" : err);
		return;
	}
	xapi_client_set_stop(pData->timerApi, engine_timer_stop_flag(t));
	if ((rc = engine_timer_start(t, "omtw:digest")) != 0) {
		LogError(rc, RS_RET_ERR, "omtwitter[%s]: cannot start the digest timer", pData->name);
		engine_timer_free(t);
		return;
	}
	__atomic_store_n(&pData->timer, t, __ATOMIC_RELEASE);
}

/* Stop the timer and save the state (shutdown; a new configuration). */
static void stopFlood(instanceData *pData)
{
	engine_timer_free(pData->timer);
	pData->timer = NULL;
	xapi_client_free(pData->timerApi);
	pData->timerApi = NULL;
	engine_free(pData->engine); /* saves the state */
	pData->engine = NULL;
}

/* HUP: reopen the errorfile (logrotate) and reread the credentials, so a
 * fixed file takes effect without a restart (a bad new file keeps the
 * old), and save the flood state. */
BEGINdoHUP
CODESTARTdoHUP;
	iRet = loadCreds(pData); /* a bad new file keeps the old (logged) */
	if (pData->engine) /* reopens the errorfile, saves: a HUP is a moment to be durable */
		engine_hup(pData->engine, iRet == RS_RET_OK);
	iRet = RS_RET_OK;
ENDdoHUP

static rsRetVal setupStats(instanceData *pData)
{
	DEFiRet;
	CHKiRet(statsobj.Construct(&pData->stats));
	CHKiRet(statsobj.SetName(pData->stats, (uchar *)pData->name));
	CHKiRet(statsobj.SetOrigin(pData->stats, (uchar *)"omtwitter"));
	for (size_t i = 0; i < ENGINE_CTR_N; i++) {
		pData->ctrs[i] = 0;
		CHKiRet(statsobj.AddCounter(pData->stats, (uchar *)engine_counter_names[i], ctrType_IntCtr,
					    CTR_FLAG_RESETTABLE, &pData->ctrs[i]));
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

/* Where each action keeps its flood state and its errorfile: the work
 * directory is known only once the whole configuration is loaded
 * (global() applies late). */
static rsRetVal resolveStatePaths(modConfData_t *mc)
{
	DEFiRet;
	const char *workDir = (const char *)glbl.GetWorkDir(mc->pConf);
	char err[4400];
	omtw_err e;

	for (instanceData *p = mc->actions; p; p = p->next) {
		free(p->statePath);
		free(p->errorFile);
		p->statePath = p->errorFile = NULL;
		if ((e = actpaths_state(p->name, p->stateName, workDir, &p->statePath, err, sizeof(err))) != OMTW_OK ||
		    (e = actpaths_check_dir("statefile", p->statePath, 0, err, sizeof(err))) != OMTW_OK ||
		    (e = actpaths_errorfile(p->errorName, p->statePath, &p->errorFile)) != OMTW_OK ||
		    (p->errorFile && (e = actpaths_check_dir("errorfile", p->errorFile, 1, err, sizeof(err))) != OMTW_OK)) {
			if (e == OMTW_ENOMEM)
				ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
			LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: %s", p->name, err);
			ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
		}
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
	char err[4600];
	actconn conn = { pData->endpoint, pData->proxy, pData->cacert, pData->capath, pData->timeoutMs };

	if (actparams_check(&pData->ap, err, sizeof(err)) != OMTW_OK ||
	    actconn_check(&conn, err, sizeof(err)) != OMTW_OK) {
		LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: %s", pData->name, err);
		return RS_RET_CONFIG_ERROR;
	}
	return loadCreds(pData);
}

/* rsyslog says only "not known -- typo in config file?" of a parameter it
 * does not know (after this returns): name the closest known one.  The
 * core reads queue.* after this, so those are not judged here. */
static void hintUnknown(const char *action, struct nvlst *lst)
{
	const char *names[sizeof(actpdescr) / sizeof(actpdescr[0])];
	size_t n = sizeof(actpdescr) / sizeof(actpdescr[0]);

	for (size_t i = 0; i < n; i++)
		names[i] = actpdescr[i].name;
	for (; lst; lst = lst->next) {
		char *name;
		const char *hint;
		if (lst->bUsed || (name = es_str2cstr(lst->name, NULL)) == NULL)
			continue;
		if (strncasecmp(name, "queue.", 6) != 0 && (hint = closest_name(name, names, n, 2)) != NULL)
			LogError(0, RS_RET_PARAM_ERROR, "omtwitter[%s]: parameter '%s' is not known; did you mean '%s'?",
				 action, name, hint);
		free(name);
	}
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
	hintUnknown(pData->name, lst);
	for (int i = 0; i < actpblk.nParams; ++i) {
		const char *pn = actpblk.descr[i].name;
		char err[512], *v = NULL;
		omtw_err e;
		size_t k;

		if (!pvals[i].bUsed || !strcmp(pn, "name"))
			continue;
		if (actpblk.descr[i].type != eCmdHdlrInt)
			CHKmalloc(v = es_str2cstr(pvals[i].val.d.estr, NULL));
		for (k = 0; k < N_TEXT_PARAMS && strcmp(textParams[k].name, pn); k++)
			;
		if (k < N_TEXT_PARAMS) {
			free(TEXT_PARAM(pData, k));
			TEXT_PARAM(pData, k) = v;
			continue;
		}
		if (!strcmp(pn, "timeout")) {
			pData->timeoutMs = (long)pvals[i].val.d.n;
			continue;
		}
		if (!actparams_known(pn)) {
			free(v);
			LogError(0, RS_RET_INTERNAL_ERROR, "omtwitter: program error, non-handled param '%s'", pn);
			ABORT_FINALIZE(RS_RET_INTERNAL_ERROR);
		}
		e = v ? actparams_set_word(&pData->ap, pn, v, err, sizeof(err))
		      : actparams_set_int(&pData->ap, pn, pvals[i].val.d.n);
		free(v);
		if (e == OMTW_ENOMEM)
			ABORT_FINALIZE(RS_RET_OUT_OF_MEMORY);
		if (e != OMTW_OK) {
			LogError(0, RS_RET_CONFIG_ERROR, "omtwitter[%s]: %s", pData->name, err);
			ABORT_FINALIZE(RS_RET_CONFIG_ERROR);
		}
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
	char err[1024];
	int rc = hostversion_check_rsyslogd(OMTW_BUILT_FOR_RSYSLOG, err, sizeof(err));

	if (rc == 1)
		DBGPRINTF("omtwitter: could not learn the running rsyslogd's version; built for %s\n",
			  OMTW_BUILT_FOR_RSYSLOG);
	if (rc >= 0)
		return RS_RET_OK;
	LogError(0, RS_RET_INTERFACE_NOT_SUPPORTED, "omtwitter: %s", err);
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

