/* test_engine.c - the delivery engine with a fake clock and a scripted X:
 * what is posted when (fresh alerts, repeats, threads, retries that resume
 * where they stopped, 429s, permanent refusals, duplicate content, empty
 * alerts, the budget and its digests, digest retries), the state file
 * across a restart, and the timer's wake-ups. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "tap.h"

#define T0 1800000000LL /* 2027-01-15 08:00:00 UTC */
#define MS(s) ((long long)(s) * 1000)
#define MAXREC 64

/* The connection the engine must hand to every send. */
static int conn_token;
#define CONN ((void *)&conn_token)

typedef struct sent_part {
	char *text, *reply_to;
	size_t index, nparts;
	bool digest;
} sent_part;

typedef struct fx {
	long long now_ms;                /* the clock */
	/* X, scripted: the answers the next sends get, in order */
	xapi_result script[16];
	size_t nscript, used;
	int overrun;                     /* sends beyond the script */
	int send_errors;                 /* the next sends fail (out of memory) */
	int bad_conn;                    /* sends not given CONN */
	sent_part sent[MAXREC];
	size_t nsent;
	unsigned long long ctr[ENGINE_CTR_N];
	struct { engine_log cause; char *msg; } log[MAXREC];
	size_t nlog;
	struct { char *text, *part; } kept[8];
	size_t nkept;
	int keep_rc;                     /* what keep_refused answers */
	int wakes;
	size_t nadmitted;
	flood_ticket ticket;             /* the last admitted alert's */
	flood_verdict verdict;
	size_t ndigested, named;
	unsigned long long digest_total;
	char digest_item0[128];
	engine_config cfg;
	int own_errorfile;      /* no keep_refused: the engine writes cfg.errorfile */
	engine *e;
	/* run once inside the next send, as the worker would meanwhile */
	void (*during_send)(struct fx *x);
	const char *path;       /* the state file during_send looks at */
	int saw;                /* what during_send found */
} fx;

static long long fake_now(void *arg)
{
	return ((fx *)arg)->now_ms;
}

static char *dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		abort();
	return d;
}

static omtw_err fake_send(void *arg, void *conn, const engine_part *p, xapi_result *res)
{
	fx *x = arg;
	sent_part *s;

	if (conn != CONN)
		x->bad_conn++;
	if (x->during_send) {
		void (*f)(fx *) = x->during_send;

		x->during_send = NULL;
		f(x);
	}
	if (x->nsent == MAXREC)
		abort();
	s = &x->sent[x->nsent++];
	s->text = dup_or_null(p->text);
	s->reply_to = dup_or_null(p->reply_to);
	s->index = p->index;
	s->nparts = p->nparts;
	s->digest = p->digest;
	if (x->send_errors > 0) {
		x->send_errors--;
		return OMTW_ENOMEM;
	}
	if (x->used == x->nscript) { /* not scripted: a test that sends too much */
		x->overrun++;
		memset(res, 0, sizeof(*res));
		res->outcome = XAPI_TRANSIENT;
		res->window.remaining = res->user24.remaining = res->app24.remaining = -1;
		snprintf(res->error, sizeof(res->error), "unscripted send");
		return OMTW_OK;
	}
	*res = x->script[x->used++];
	return OMTW_OK;
}

static void fake_count(void *arg, engine_counter c, unsigned long long n)
{
	((fx *)arg)->ctr[c] += n;
}

static void fake_log(void *arg, engine_log cause, const char *msg)
{
	fx *x = arg;

	if (x->nlog == MAXREC)
		abort();
	x->log[x->nlog].cause = cause;
	x->log[x->nlog++].msg = dup_or_null(msg);
}

static int fake_keep(void *arg, const char *text, const char *part, const xapi_result *res)
{
	fx *x = arg;

	(void)res;
	if (x->nkept == sizeof(x->kept) / sizeof(x->kept[0]))
		abort();
	x->kept[x->nkept].text = dup_or_null(text);
	x->kept[x->nkept++].part = dup_or_null(part);
	return x->keep_rc;
}

static void fake_wake(void *arg)
{
	((fx *)arg)->wakes++;
}

static void fake_admitted(void *arg, const flood_ticket *id, flood_verdict v)
{
	fx *x = arg;

	x->nadmitted++;
	x->ticket = *id;
	x->verdict = v;
}

static void fake_digested(void *arg, const flood_digest *d, size_t named)
{
	fx *x = arg;

	x->ndigested++;
	x->named = named;
	x->digest_total = d->total;
	snprintf(x->digest_item0, sizeof(x->digest_item0), "%s", d->nitems ? d->items[0].text : "");
}

static const engine_ops fake_ops = {
	.now_ms = fake_now, .send = fake_send, .count = fake_count, .log = fake_log,
	.keep_refused = fake_keep, .wake = fake_wake, .admitted = fake_admitted,
	.digested = fake_digested,
};

/* An action with no budgets and a 10-minute dedup window, no state file. */
static void fx_init(fx *x)
{
	memset(x, 0, sizeof(*x));
	x->now_ms = MS(T0);
	x->cfg = (engine_config){
		.flood = { 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 },
		.shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG },
		.sync_ms = 1000,
		.state_path = NULL,
		.endpoint = "https://api.test.invalid",
		.errorfile = "/var/log/omtwitter-refused.log",
		.pending_max = 16,
	};
}

static void fx_start(fx *x)
{
	engine_ops ops = fake_ops;

	ops.arg = x;
	if (x->own_errorfile)
		ops.keep_refused = NULL;
	if (engine_new(&x->cfg, &ops, &x->e) != OMTW_OK)
		abort();
}

/* Forget what was recorded (the engine and the clock stay). */
static void fx_forget(fx *x)
{
	for (size_t i = 0; i < x->nsent; i++) {
		free(x->sent[i].text);
		free(x->sent[i].reply_to);
	}
	for (size_t i = 0; i < x->nlog; i++)
		free(x->log[i].msg);
	for (size_t i = 0; i < x->nkept; i++) {
		free(x->kept[x->nkept - 1 - i].text);
		free(x->kept[x->nkept - 1 - i].part);
	}
	x->nsent = x->nlog = x->nkept = 0;
	x->nscript = x->used = 0;
	x->overrun = x->bad_conn = x->send_errors = 0;
	memset(x->ctr, 0, sizeof(x->ctr));
	x->wakes = 0;
	x->nadmitted = x->ndigested = 0;
}

static void fx_done(fx *x)
{
	if (x->overrun || x->bad_conn)
		ok(0, "%d send(s) beyond the script, %d without the connection", x->overrun, x->bad_conn);
	engine_free(x->e);
	x->e = NULL;
	fx_forget(x);
}

static void script(fx *x, xapi_result r)
{
	if (x->nscript == sizeof(x->script) / sizeof(x->script[0]))
		abort();
	x->script[x->nscript++] = r;
}

/* An answer; X's limits unknown (-1) unless a test sets them. */
static xapi_result answer(xapi_outcome o, long status, const char *id, const char *error)
{
	xapi_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.status = status;
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.error, sizeof(r.error), "%s", error);
	r.window = r.user24 = r.app24 = (xapi_limit){ -1, -1, -1 };
	return r;
}

static xapi_result delivered(const char *id)
{
	return answer(XAPI_DELIVERED, 201, id, "");
}

static xapi_result transient(void)
{
	return answer(XAPI_TRANSIENT, 503, "", "HTTP 503: Service Unavailable");
}

static xapi_result permanent(void)
{
	return answer(XAPI_PERMANENT, 400, "", "HTTP 400: Invalid Request");
}

static xapi_result duplicate(void)
{
	return answer(XAPI_DUPLICATE, 403, "", "HTTP 403: You are not allowed to create a Tweet with duplicate content.");
}

static xapi_result ratelimited(long long reset)
{
	xapi_result r = answer(XAPI_RATELIMITED, 429, "", "HTTP 429: Too Many Requests");

	r.window = (xapi_limit){ 300, 0, reset };
	return r;
}

/* Counters as one string, so a check shows them all: "sub=1 post=1 ...". */
static const char *ctrs(const fx *x)
{
	static char s[256];
	static const char *name[] = { "sub", "post", "dedup", "digested", "digests",
				      "req", "fail", "rl", "retry", "repost" }; /* held, delivered: test_every_alert */
	size_t o = 0;

	s[0] = '\0';
	for (size_t i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%s=%llu", i ? " " : "", name[i], x->ctr[i]);
	return s;
}

/* How many messages of this cause contain sub ("" any). */
static int logged(const fx *x, engine_log cause, const char *sub)
{
	int n = 0;

	for (size_t i = 0; i < x->nlog; i++)
		if (x->log[i].cause == cause && strstr(x->log[i].msg, sub))
			n++;
	return n;
}

static const char *sent_text(const fx *x, size_t i)
{
	return i < x->nsent ? x->sent[i].text : NULL;
}

static const char *sent_reply(const fx *x, size_t i)
{
	return i < x->nsent ? (x->sent[i].reply_to ? x->sent[i].reply_to : "(none)") : NULL;
}

static int zero_ticket(const flood_ticket *t)
{
	for (size_t i = 0; i < sizeof(t->id); i++)
		if (t->id[i])
			return 0;
	return 1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((buf = calloc(1, (size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int file_has(const char *path, const char *sub)
{
	char *s = slurp(path);
	int r = s && strstr(s, sub) != NULL;

	free(s);
	return r;
}

/* The temporary directory of the state files. */
static char tmpdir[] = "/tmp/test_engine.XXXXXX";

static void state_file(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s.json", tmpdir, name);
}

/* A thread of three parts with maxlength 40. */
#define LONG_TEXT "raid md0 degraded on db2: disk sdb failed, rebuilding onto the spare sdc now"
#define PART1 "raid md0 degraded on db2: disk (1/3)"
#define PART2 "sdb failed, rebuilding onto the (2/3)"
#define PART3 "spare sdc now (3/3)"

/* A fresh alert: one post. */
static void test_fresh(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	script(&x, delivered("1001"));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "fresh alert: DONE");
	is_int(x.nsent, 1, "sent once");
	is_str(sent_text(&x, 0), "disk full on db1", "its text");
	is_str(sent_reply(&x, 0), "(none)", "not a reply");
	ok(x.nsent == 1 && x.sent[0].index == 0 && x.sent[0].nparts == 1 && !x.sent[0].digest,
	   "part 1 of 1, not a digest");
	is_str(ctrs(&x), "sub=1 post=1 dedup=0 digested=0 digests=0 req=1 fail=0 rl=0 retry=0 repost=0",
	       "counters: submitted, requests, posted 1");
	ok(x.nadmitted == 1 && x.verdict == FLOOD_POST && !zero_ticket(&x.ticket),
	   "admitted once as POST with a real ticket");
	ok(x.bad_conn == 0, "the connection given to engine_submit reaches send");
	is_int(x.nlog, 0, "nothing logged");
	is_int(engine_pending(x.e), 0, "nothing waits for a digest");
	fx_done(&x);
}

/* A repeat inside dedup.window is counted; after the window it is posted. */
static void test_repeat(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	script(&x, delivered("1101"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 10);
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "repeat 10 s later: DONE");
	is_int(x.nsent, 1, "the repeat is not sent");
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 1, "it is counted as deduplicated");
	ok(x.nadmitted == 2 && x.verdict == FLOOD_COUNTED, "its verdict is COUNTED");
	is_int(engine_pending(x.e), 1, "it waits for the digest");
	x.now_ms = MS(T0 + 609);
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	is_int(x.nsent, 1, "599 s after the last repeat: still inside the window");
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 2, "counted again");
	x.now_ms = MS(T0 + 1209);
	script(&x, delivered("1102"));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "after the window: DONE");
	is_int(x.nsent, 2, "after 600 s of silence it is posted again");
	is_str(sent_text(&x, 1), "disk full on db1", "the same text");
	is_str(ctrs(&x), "sub=4 post=2 dedup=2 digested=0 digests=0 req=2 fail=0 rl=0 retry=0 repost=0",
	       "counters after the second post");
	fx_done(&x);

	/* the dedup key decides, not the text */
	fx_init(&x);
	fx_start(&x);
	script(&x, delivered("1103"));
	engine_submit(x.e, CONN, "disk full on db1 at 08:00", "disk-db1");
	engine_submit(x.e, CONN, "disk full on db1 at 08:01", "disk-db1");
	ok(x.nsent == 1 && x.ctr[ENGINE_CTR_DEDUPLICATED] == 1, "another text with the same key is a repeat");
	fx_done(&x);
}

/* A long alert is a thread: each part a reply to the one before. */
static void test_thread(void)
{
	fx x;

	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	fx_start(&x);
	script(&x, delivered("2001"));
	script(&x, delivered("2002"));
	script(&x, delivered("2003"));
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_DONE, "thread: DONE");
	is_int(x.nsent, 3, "three parts sent");
	is_str(sent_text(&x, 0), PART1, "part 1");
	is_str(sent_text(&x, 1), PART2, "part 2");
	is_str(sent_text(&x, 2), PART3, "part 3");
	is_str(sent_reply(&x, 0), "(none)", "part 1 is no reply");
	is_str(sent_reply(&x, 1), "2001", "part 2 replies to part 1");
	is_str(sent_reply(&x, 2), "2002", "part 3 replies to part 2");
	ok(x.nsent == 3 && x.sent[0].index == 0 && x.sent[1].index == 1 && x.sent[2].index == 2 &&
	   x.sent[0].nparts == 3 && x.sent[2].nparts == 3, "indexes 0..2 of 3");
	is_str(ctrs(&x), "sub=1 post=3 dedup=0 digested=0 digests=0 req=3 fail=0 rl=0 retry=0 repost=0",
	       "one alert, three requests, three parts posted");
	fx_done(&x);
}

/* A transient failure mid-thread: rsyslog's retry resumes at the part that
 * failed, as a reply to the last part posted, not admitted a second time. */
static void test_resume(void)
{
	fx x;

	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	fx_start(&x);
	script(&x, delivered("3001"));
	script(&x, transient());
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_SUSPEND, "transient failure on part 2: SUSPEND");
	is_int(x.nsent, 2, "parts 1 and 2 tried");
	is_int(logged(&x, ENGINE_LOG_TRANSIENT, "https://api.test.invalid"), 1,
	       "the transient failure is logged with the endpoint");
	x.now_ms = MS(T0 + 10);
	script(&x, delivered("3002"));
	script(&x, delivered("3003"));
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_DONE, "rsyslog's retry: DONE");
	is_int(x.nsent, 4, "the retry sent two parts");
	is_str(sent_text(&x, 2), PART2, "it resumed at part 2");
	is_int(x.nsent > 2 ? x.sent[2].index : 99, 1, "index 1");
	is_str(sent_reply(&x, 2), "3001", "as a reply to part 1");
	is_str(sent_text(&x, 3), PART3, "then part 3");
	is_str(sent_reply(&x, 3), "3002", "replying to part 2");
	is_str(ctrs(&x), "sub=1 post=3 dedup=0 digested=0 digests=0 req=4 fail=0 rl=0 retry=1 repost=0",
	       "submitted once, one retry, four requests");
	is_int(x.nadmitted, 1, "flood control admitted it once");
	is_int(engine_pending(x.e), 0, "nothing counted for a digest");
	x.now_ms = MS(T0 + 20);
	engine_submit(x.e, CONN, LONG_TEXT, NULL);
	ok(x.nsent == 4 && x.ctr[ENGINE_CTR_DEDUPLICATED] == 1, "delivered, its dedup window opened");
	fx_done(&x);

	/* a send that cannot even be made (out of memory): the alert waits */
	fx_init(&x);
	fx_start(&x);
	x.send_errors = 1;
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_SUSPEND, "send error: SUSPEND");
	script(&x, delivered("3101"));
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "the retry posts it");
	ok(x.nsent == 2 && x.ctr[ENGINE_CTR_RETRIES] == 1 && x.ctr[ENGINE_CTR_SUBMITTED] == 1 &&
	   x.ctr[ENGINE_CTR_POSTED] == 1, "one retry, one alert, one post");
	fx_done(&x);
}

/* The account-level answers suspend without a block and are logged by cause. */
static void test_account_answers(void)
{
	static const struct { xapi_outcome o; long status; engine_log cause; const char *what; } c[] = {
		{ XAPI_UNAUTHORIZED, 401, ENGINE_LOG_AUTH, "credentials" },
		{ XAPI_NO_CREDITS, 402, ENGINE_LOG_CREDITS, "out of credits" },
		{ XAPI_ACCOUNT, 403, ENGINE_LOG_ACCOUNT, "attach the app to a Project" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fx x;
		xapi_result r = answer(c[i].o, c[i].status, "", "refused");

		r.fix = "attach the app to a Project";
		fx_init(&x);
		fx_start(&x);
		script(&x, r);
		is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_SUSPEND, "HTTP %ld: SUSPEND", c[i].status);
		is_int(logged(&x, c[i].cause, c[i].what), 1, "HTTP %ld: logged under its cause", c[i].status);
		is_int(engine_blocked_until(x.e), 0, "HTTP %ld: no block", c[i].status);
		ok(x.ctr[ENGINE_CTR_FAILURES] == 0 && x.nkept == 0, "HTTP %ld: not a failure, not kept", c[i].status);
		script(&x, delivered("3201"));
		is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "HTTP %ld: the retry posts", c[i].status);
		ok(x.nsent == 2 && x.ctr[ENGINE_CTR_SUBMITTED] == 1 && x.ctr[ENGINE_CTR_POSTED] == 1,
		   "HTTP %ld: one alert, one post", c[i].status);
		fx_done(&x);
	}
}

/* 429: no request before the reset time the server gave. */
static void test_429(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	script(&x, ratelimited(T0 + 120));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_SUSPEND, "429: SUSPEND");
	is_int(engine_blocked_until(x.e), T0 + 120, "blocked until the reset the server gave");
	is_int(x.ctr[ENGINE_CTR_RATELIMITED], 1, "counted as rate limited");
	is_int(logged(&x, ENGINE_LOG_LIMITED, "in 120 s"), 1, "logged with the wait");
	x.now_ms = MS(T0 + 60);
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_SUSPEND, "a retry before the reset: SUSPEND");
	is_int(x.nsent, 1, "without a request");
	x.now_ms = MS(T0 + 119) + 999;
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_SUSPEND, "1 ms before the reset: SUSPEND");
	is_int(x.nsent, 1, "still no request");
	x.now_ms = MS(T0 + 120);
	script(&x, delivered("4001"));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "at the reset: DONE");
	is_int(x.nsent, 2, "posted");
	is_str(sent_text(&x, 1), "disk full on db1", "the same alert");
	ok(x.ctr[ENGINE_CTR_SUBMITTED] == 1 && x.ctr[ENGINE_CTR_POSTED] == 1 && x.ctr[ENGINE_CTR_REQUESTS] == 2 &&
	   x.ctr[ENGINE_CTR_RATELIMITED] == 1 && x.ctr[ENGINE_CTR_FAILURES] == 0, "one alert, two requests, one 429");
	is_int(x.nadmitted, 1, "admitted once");
	fx_done(&x);

	/* a new alert while X's window is exhausted: the server's budget holds it */
	fx_init(&x);
	fx_start(&x);
	script(&x, ratelimited(T0 + 120));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 30);
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "a new alert during the 429: DONE");
	ok(x.nsent == 1 && x.verdict == FLOOD_HELD && engine_pending(x.e) == 1,
	   "held for the digest (remaining 0 until the reset), no request");
	fx_done(&x);

	/* a 429 without a reset time: a minute */
	fx_init(&x);
	fx_start(&x);
	script(&x, answer(XAPI_RATELIMITED, 429, "", "HTTP 429"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	is_int(engine_blocked_until(x.e), T0 + 60, "429 without headers: blocked for 60 s");
	x.now_ms = MS(T0 + 30);
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_SUSPEND,
	       "a new alert during that block: admitted, SUSPEND");
	ok(x.nsent == 1 && x.verdict == FLOOD_POST, "without a request");
	x.now_ms = MS(T0 + 60);
	script(&x, delivered("4101"));
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "handed back after the block: DONE");
	ok(x.nsent == 2 && x.nadmitted == 2 && x.ctr[ENGINE_CTR_SUBMITTED] == 2, "posted, not admitted again");
	fx_done(&x);

	/* the earliest exhausted family's reset; a non-exhausted one is ignored */
	fx_init(&x);
	fx_start(&x);
	{
		xapi_result r = ratelimited(T0 + 900);
		r.user24 = (xapi_limit){ 100, 0, T0 + 300 };
		r.app24 = (xapi_limit){ 100, 5, T0 + 200 };
		script(&x, r);
	}
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	is_int(engine_blocked_until(x.e), T0 + 300, "the earliest reset among the exhausted limits");
	fx_done(&x);

	/* a reset more than a day ahead is not believed */
	fx_init(&x);
	fx_start(&x);
	script(&x, ratelimited(T0 + 30 * 3600));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	is_int(engine_blocked_until(x.e), T0 + 60, "a reset 30 h ahead: a minute instead");
	fx_done(&x);
}

/* A permanent refusal: consumed, kept in the errorfile, logged, counted. */
static void test_permanent(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	script(&x, permanent());
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "permanent refusal: DONE");
	is_int(x.nkept, 1, "kept in the errorfile");
	is_str(x.nkept ? x.kept[0].text : NULL, "disk full on db1", "with its text");
	ok(x.nkept == 1 && x.kept[0].part == NULL, "no part for a single post");
	is_int(x.ctr[ENGINE_CTR_FAILURES], 1, "counted as a failure");
	is_int(x.ctr[ENGINE_CTR_POSTED], 0, "not as posted");
	is_int(logged(&x, ENGINE_LOG_REFUSED, "its text was written to /var/log/omtwitter-refused.log"), 1,
	       "logged as refused, naming the errorfile");
	is_int(logged(&x, ENGINE_LOG_REFUSED, "disk full on db1"), 1, "the log names the alert");
	script(&x, delivered("5001"));
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "later alerts are not held up");
	is_int(x.nsent, 2, "the next alert is sent");
	fx_done(&x);

	/* a thread refused at part 2 of 3 */
	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	fx_start(&x);
	script(&x, delivered("5101"));
	script(&x, permanent());
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_DONE, "thread refused at part 2: DONE");
	is_int(x.nsent, 2, "part 3 is not sent");
	is_int(x.nkept, 1, "kept once");
	is_str(x.nkept ? x.kept[0].text : NULL, PART2 "\n" PART3, "parts 2 and 3 kept");
	is_str(x.nkept ? x.kept[0].part : NULL, "2/3", "as part 2/3");
	is_int(logged(&x, ENGINE_LOG_REFUSED, "part 2 of a thread of 3; the 1 part after it was not posted"), 1,
	       "the log says which part and what did not follow");
	is_str(ctrs(&x), "sub=1 post=1 dedup=0 digested=0 digests=0 req=2 fail=1 rl=0 retry=0 repost=0",
	       "one part posted, one failure");
	fx_done(&x);

	/* no errorfile */
	fx_init(&x);
	x.cfg.errorfile = NULL;
	fx_start(&x);
	script(&x, permanent());
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "no errorfile: DONE");
	is_int(x.nkept, 0, "keep_refused not called");
	is_int(logged(&x, ENGINE_LOG_REFUSED, "(no errorfile)"), 1, "the log says (no errorfile)");
	is_int(x.ctr[ENGINE_CTR_FAILURES], 1, "still a failure");
	fx_done(&x);

	/* the errorfile cannot be written */
	fx_init(&x);
	fx_start(&x);
	x.keep_rc = -1;
	script(&x, permanent());
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	ok(x.nkept == 1 && logged(&x, ENGINE_LOG_REFUSED, "written to") == 0 &&
	   logged(&x, ENGINE_LOG_REFUSED, "it is not retried") == 1,
	   "a failed keep: the log does not claim it was written");
	fx_done(&x);
}

/* "Duplicate content": on a first attempt the part goes out again with the
 * time; on a retry it means the earlier try arrived. */
static void test_duplicate(void)
{
	fx x;

	fx_init(&x);
	x.now_ms = MS(T0 + 3 * 3600 + 5 * 60 + 9) + 500; /* 11:05:09.5 UTC */
	fx_start(&x);
	script(&x, duplicate());
	script(&x, delivered("6001"));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "duplicate on a first attempt: DONE");
	is_int(x.nsent, 2, "sent again");
	is_str(sent_text(&x, 1), "disk full on db1 (11:05:09 UTC)", "with the time appended");
	is_int(x.ctr[ENGINE_CTR_REPOSTED], 1, "counted as reposted");
	is_int(x.ctr[ENGINE_CTR_POSTED], 1, "and posted once");
	is_int(logged(&x, ENGINE_LOG_INFO, "duplicate"), 1, "logged at info");
	fx_done(&x);

	/* the reposted text is refused as a duplicate too: taken as posted */
	fx_init(&x);
	fx_start(&x);
	script(&x, duplicate());
	script(&x, duplicate());
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "duplicate twice: DONE");
	ok(x.nsent == 2 && x.ctr[ENGINE_CTR_REPOSTED] == 1 && x.overrun == 0, "reposted once only");
	fx_done(&x);

	/* a duplicate for a retry of the same part: the earlier try arrived */
	fx_init(&x);
	fx_start(&x);
	script(&x, transient());
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 10);
	script(&x, duplicate());
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "duplicate on a retry: DONE");
	is_int(x.nsent, 2, "not sent a third time");
	is_str(sent_text(&x, 1), "disk full on db1", "the retry had the plain text");
	is_str(ctrs(&x), "sub=1 post=1 dedup=0 digested=0 digests=0 req=2 fail=0 rl=0 retry=1 repost=0",
	       "posted, not reposted");
	fx_done(&x);

	/* part 2 of a thread, first attempt, after part 1's retry */
	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	fx_start(&x);
	script(&x, transient());
	engine_submit(x.e, CONN, LONG_TEXT, NULL);
	script(&x, delivered("6101"));
	script(&x, duplicate());
	script(&x, delivered("6102"));
	script(&x, delivered("6103"));
	x.now_ms = MS(T0 + 7);
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_DONE, "thread retried: DONE");
	is_str(sent_text(&x, 3), "sdb failed, rebuilding\xe2\x80\xa6 (08:00:07 UTC)",
	       "part 2 never sent before: reposted with the time, cut to fit");
	is_str(sent_reply(&x, 3), "6101", "still a reply to part 1");
	is_str(sent_reply(&x, 4), "6102", "part 3 replies to the reposted part 2");
	is_int(x.ctr[ENGINE_CTR_REPOSTED], 1, "one repost");
	fx_done(&x);
}

/* An empty alert is refused, never sent. */
static void test_empty(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	x.ticket.id[0] = 0xff; /* the observer must overwrite it */
	is_int(engine_submit(x.e, CONN, "  \t \x01\x02 \r\n  ", NULL), ENGINE_DONE, "empty alert: DONE");
	is_int(x.nsent, 0, "nothing sent");
	is_int(x.ctr[ENGINE_CTR_FAILURES], 1, "a failure counted");
	is_int(x.ctr[ENGINE_CTR_REQUESTS], 0, "no request");
	is_int(x.ctr[ENGINE_CTR_SUBMITTED], 1, "submitted counted");
	ok(x.nadmitted == 1 && zero_ticket(&x.ticket), "the admitted observer gets a zero ticket");
	is_int(logged(&x, ENGINE_LOG_REFUSED, "empty alert text"), 1, "logged as refused: empty");
	is_int(engine_pending(x.e), 0, "not counted for a digest");
	is_int(engine_submit(x.e, CONN, "   ", NULL), ENGINE_DONE, "another empty alert: DONE");
	ok(x.nsent == 0 && x.ctr[ENGINE_CTR_FAILURES] == 2 && x.ctr[ENGINE_CTR_DEDUPLICATED] == 0,
	   "refused again, never a repeat");
	fx_done(&x);
}

/* The budget holds an alert; the digest reports it when the budget allows. */
static void test_budget_digest(void)
{
	fx x;
	long long wake;

	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 2, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	fx_start(&x);
	script(&x, delivered("7001"));
	script(&x, delivered("7002"));
	is_int(engine_submit(x.e, CONN, "disk full on db1", NULL), ENGINE_DONE, "alert 1: DONE");
	x.now_ms = MS(T0 + 10);
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "alert 2: DONE");
	x.now_ms = MS(T0 + 20);
	is_int(engine_submit(x.e, CONN, "raid md0 degraded on db3", NULL), ENGINE_DONE, "alert 3: DONE");
	is_int(x.nsent, 2, "burst 2: the third alert is held, not sent");
	ok(x.verdict == FLOOD_HELD, "its verdict is HELD");
	is_int(engine_pending(x.e), 1, "engine_pending counts it");
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 0, "held is not deduplicated");

	x.now_ms = MS(T0 + 899);
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 2, "no digest before the interval closes");
	is_int(wake, MS(T0 + 3600), "the timer sleeps until the bucket frees a post");
	x.now_ms = MS(T0 + 900);
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 2, "at the interval's end the bucket is spent: no digest yet");
	is_int(wake, MS(T0 + 3600), "still waiting for the bucket");

	x.now_ms = MS(T0 + 3600);
	script(&x, delivered("7003"));
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 3, "when the bucket frees a post the digest goes out");
	ok(x.nsent == 3 && x.sent[2].digest && x.sent[2].index == 0 && x.sent[2].nparts == 1,
	   "it is sent as a digest, one part");
	is_str(sent_text(&x, 2), "Digest 2027-01-15 08:00\xe2\x80\x93" "09:00 UTC: 1 alert, 1 distinct. "
	       "[\xc3\x97" "1] raid md0 degraded on db3", "the digest names the held alert");
	is_int(x.ndigested, 1, "the digested observer is called");
	ok(x.named >= 1, "it names at least one item");
	is_int(x.digest_total, 1, "its total");
	is_str(x.digest_item0, "raid md0 degraded on db3", "its first item");
	is_int(x.ctr[ENGINE_CTR_DIGESTS], 1, "counted: digests");
	is_int(x.ctr[ENGINE_CTR_DIGESTED], 1, "counted: digested");
	is_int(x.ctr[ENGINE_CTR_POSTED], 3, "the digest's part counts as posted");
	is_int(engine_pending(x.e), 0, "nothing pending any more");
	is_int(wake, MS(T0 + 3600), "after a digest the timer comes back at once");
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 3, "nothing more to send");
	is_int(wake, MS(T0 + 3600 + 900), "nothing due: the next period's end, in the future");
	ok(wake > x.now_ms, "a time in the future");
	fx_done(&x);
}

/* A digest that fails is retried as it is; its counts are subtracted once. */
static void test_digest_retry(void)
{
	fx x;
	long long wake;
	char *first;

	fx_init(&x);
	x.cfg.flood = (flood_config){ 7200, 600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	fx_start(&x);
	script(&x, delivered("8001"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 30);
	engine_submit(x.e, CONN, "disk full on db1", NULL);    /* counted */
	engine_submit(x.e, CONN, "fan failure on db2", NULL);  /* held */
	is_int(engine_pending(x.e), 2, "one counted, one held");
	is_int(x.nsent, 1, "one post");

	x.now_ms = MS(T0 + 900);
	script(&x, transient());
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 2, "the digest is tried at the interval's end");
	ok(x.nsent == 2 && x.sent[1].digest, "as a digest");
	is_int(x.ndigested, 0, "it failed: not reported as digested");
	is_int(x.ctr[ENGINE_CTR_DIGESTS], 0, "nor counted");
	is_int(engine_pending(x.e), 2, "its alerts still wait");
	is_int(wake, MS(T0 + 930), "retried after 30 s");
	is_int(logged(&x, ENGINE_LOG_TRANSIENT, "will retry"), 1, "the failure is logged");

	x.now_ms = MS(T0 + 910);
	engine_submit(x.e, CONN, "disk full on db1", NULL); /* arrives while the digest waits */
	is_int(engine_pending(x.e), 3, "a repeat arrives meanwhile");
	wake = engine_tick(x.e, CONN);
	is_int(x.nsent, 2, "no retry before its time");
	is_int(wake, MS(T0 + 930), "the timer still says 30 s after the failure");

	x.now_ms = MS(T0 + 930);
	script(&x, delivered("8002"));
	engine_tick(x.e, CONN);
	is_int(x.nsent, 3, "the digest is retried");
	first = x.nsent >= 2 ? x.sent[1].text : NULL;
	is_str(sent_text(&x, 2), first ? first : "(none)", "with the same text");
	is_str(sent_text(&x, 2), "Digest 2027-01-15 08:00\xe2\x80\x93" "08:15 UTC: 2 alerts, 2 distinct. "
	       "[\xc3\x97" "1] disk full on db1 [\xc3\x97" "1] fan failure on db2", "which reports the two alerts");
	is_int(x.digest_total, 2, "the digest's total");
	is_int(x.ctr[ENGINE_CTR_DIGESTED], 2, "digested counted once");
	is_int(x.ctr[ENGINE_CTR_DIGESTS], 1, "one digest");
	is_int(engine_pending(x.e), 1, "its counts subtracted once: the later repeat still waits");
	x.now_ms = MS(T0 + 931);
	engine_tick(x.e, CONN);
	is_int(x.nsent, 3, "no second digest at once");
	fx_done(&x);

	/* a digest refused by a 429 waits for the reset */
	fx_init(&x);
	x.cfg.flood = (flood_config){ 7200, 600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	fx_start(&x);
	script(&x, delivered("8101"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 900);
	script(&x, ratelimited(T0 + 1000));
	wake = engine_tick(x.e, CONN);
	ok(x.nsent == 2 && x.sent[1].digest, "the digest is tried");
	is_int(wake, MS(T0 + 1000), "a 429: the timer waits for the reset");
	x.now_ms = MS(T0 + 999);
	engine_tick(x.e, CONN);
	is_int(x.nsent, 2, "not before the reset");
	x.now_ms = MS(T0 + 1000);
	script(&x, delivered("8102"));
	engine_tick(x.e, CONN);
	ok(x.nsent == 3 && x.ctr[ENGINE_CTR_DIGESTED] == 1 && engine_pending(x.e) == 0,
	   "at the reset the digest goes out");
	fx_done(&x);
}

/* A digest cut by a stop goes out again after the restart, unchanged,
 * and its counts are subtracted once. */
static void test_digest_restart(void)
{
	char path[160];
	const char *text = "Digest 2027-01-15 08:00\xe2\x80\x93" "08:15 UTC: 2 alerts, 2 distinct. "
			   "[\xc3\x97" "1] disk full on db1 [\xc3\x97" "1] fan failure on db2";
	fx x;

	state_file(path, sizeof(path), "digest-restart");
	fx_init(&x);
	x.cfg.flood = (flood_config){ 7200, 600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	fx_start(&x);
	script(&x, delivered("8201"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 30);
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	x.now_ms = MS(T0 + 900);
	script(&x, transient());
	engine_tick(x.e, CONN);
	is_str(sent_text(&x, 1), text, "the digest is tried");
	fx_done(&x); /* stopped before it is retried */

	fx_init(&x);
	x.cfg.flood = (flood_config){ 7200, 600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 1000);
	fx_start(&x);
	engine_load(x.e);
	is_int(engine_pending(x.e), 2, "after the restart its alerts still wait");
	script(&x, duplicate()); /* the try before the stop had arrived */
	engine_tick(x.e, CONN);
	is_int(x.nsent, 1, "the digest is sent again");
	is_str(sent_text(&x, 0), text, "unchanged");
	ok(x.nsent == 1 && x.sent[0].digest, "as a digest");
	is_int(x.ctr[ENGINE_CTR_REPOSTED], 0, "its duplicate content means it had arrived: no repost");
	is_int(x.ctr[ENGINE_CTR_DIGESTS], 1, "one digest");
	is_int(x.ctr[ENGINE_CTR_DIGESTED], 2, "of two alerts");
	is_int(engine_pending(x.e), 0, "its counts subtracted once");
	fx_done(&x);

}

/* The state file: held alerts saved before they are acknowledged (sync 0),
 * still held after a restart; a thread cut by a stop resumes after it. */
static void test_state(void)
{
	char path[160];
	fx x;

	state_file(path, sizeof(path), "state");

	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	fx_start(&x);
	engine_load(x.e); /* no file yet: a clean start */
	is_int(logged(&x, ENGINE_LOG_ERROR, ""), 0, "no state file: nothing to complain about");
	script(&x, delivered("9001"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	ok(!file_has(path, "fan failure on db2"), "before the held alert: not in the file");
	x.now_ms = MS(T0 + 5);
	is_int(engine_submit(x.e, CONN, "fan failure on db2", NULL), ENGINE_DONE, "held alert: DONE");
	is_int(x.nsent, 1, "it is held");
	ok(file_has(path, "fan failure on db2"), "sync 0: saved before engine_submit returned");
	fx_done(&x);

	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 60);
	fx_start(&x);
	is_int(engine_pending(x.e), 0, "a new engine before engine_load: nothing");
	engine_load(x.e);
	is_int(engine_pending(x.e), 1, "after a restart the held alert is still held");
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	ok(x.nsent == 0, "the budget spent before the restart still counts");
	fx_done(&x);

	/* a thread cut after part 1 by a stop */
	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 100);
	fx_start(&x);
	engine_load(x.e);
	script(&x, delivered("9101"));
	script(&x, transient());
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_SUSPEND, "thread cut at part 2");
	ok(file_has(path, "\"9101\""), "part 1's id is saved at once (a crash would not save it later)");
	fx_done(&x); /* rsyslogd stops */

	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 200);
	fx_start(&x);
	engine_load(x.e);
	script(&x, delivered("9102"));
	script(&x, delivered("9103"));
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_DONE, "after the restart the alert comes back: DONE");
	is_int(x.nsent, 2, "two parts sent");
	is_str(sent_text(&x, 0), PART2, "it resumes at part 2");
	is_str(sent_reply(&x, 0), "9101", "as a reply to part 1's id");
	is_str(sent_text(&x, 1), PART3, "then part 3");
	is_str(sent_reply(&x, 1), "9102", "replying to part 2");
	is_int(logged(&x, ENGINE_LOG_INFO, "resuming a thread"), 1, "the resumption is logged");
	fx_done(&x);

	/* a file that is not state: logged, moved aside, a clean start */
	{
		FILE *f = fopen(path, "w");
		if (f) {
			fputs("{ not json", f);
			fclose(f);
		}
	}
	fx_init(&x);
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	fx_start(&x);
	engine_load(x.e);
	is_int(logged(&x, ENGINE_LOG_ERROR, ""), 1, "a bad state file is logged as an error");
	is_int(engine_pending(x.e), 0, "and the action starts clean");
	fx_done(&x);

}

/* The timer is woken when a held alert changes the state to save. */
static void test_wake(void)
{
	char path[160];
	fx x;
	long long wake;

	state_file(path, sizeof(path), "wake");

	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 1000;
	fx_start(&x);
	script(&x, delivered("9501"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_tick(x.e, CONN); /* saves the post's window */
	x.wakes = 0;
	x.now_ms = MS(T0 + 5);
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	is_int(x.nsent, 1, "the second alert is held");
	is_int(x.wakes, 1, "a held alert wakes the timer");
	ok(!file_has(path, "fan failure on db2"), "sync 1000: not saved on the alert's path");
	engine_submit(x.e, CONN, "raid md0 degraded on db3", NULL);
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	is_int(x.wakes, 1, "one wake-up per sync period, not per alert");
	wake = engine_tick(x.e, CONN);
	ok(file_has(path, "fan failure on db2") && file_has(path, "raid md0 degraded on db3"),
	   "the timer saved the held alerts");
	ok(wake > x.now_ms, "and sleeps");
	x.now_ms = MS(T0 + 5) + 400;
	engine_submit(x.e, CONN, "cpu hot on db4", NULL);
	is_int(x.wakes, 2, "the next change wakes it again");
	wake = engine_tick(x.e, CONN);
	ok(!file_has(path, "cpu hot on db4"), "400 ms after the last save: not saved yet");
	is_int(wake, MS(T0 + 5) + 1000, "the next save is due sync_ms after the last one");
	x.now_ms = MS(T0 + 5) + 1000;
	engine_tick(x.e, CONN);
	ok(file_has(path, "cpu hot on db4"), "saved when it is due");
	fx_done(&x);

	/* no state file: nothing to save, no wake-up */
	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.sync_ms = 1000;
	fx_start(&x);
	script(&x, delivered("9601"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	is_int(x.wakes, 0, "no state_path: no wake-up");
	fx_done(&x);

	/* sync 0: saved on the path, no wake-up for a held alert */
	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 7200);
	fx_start(&x);
	script(&x, delivered("9701"));
	engine_submit(x.e, CONN, "cpu hot on db4", NULL);
	engine_tick(x.e, CONN);
	x.wakes = 0;
	engine_submit(x.e, CONN, "psu lost on db5", NULL);
	is_int(x.wakes, 0, "sync 0: a held alert is saved at once, no wake-up");
	fx_done(&x);

}

/* While the timer posts a digest and X is slow to answer (2 s here), the
 * worker goes on counting alerts: it saves them itself once a save is due,
 * so a crash during a slow digest loses no more than statefile.sync. */
static void slow_digest_answer(fx *x)
{
	x->now_ms += 2000;
	engine_submit(x->e, CONN, "raid md0 degraded on db3", NULL);
	x->saw = file_has(x->path, "raid md0 degraded on db3");
}

static void test_save_during_digest(void)
{
	char path[160];
	fx x;

	state_file(path, sizeof(path), "slowdigest");
	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 1000;
	fx_start(&x);
	script(&x, delivered("9801"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_tick(x.e, CONN); /* saves the post's window */
	x.now_ms = MS(T0 + 10);
	engine_submit(x.e, CONN, "fan failure on db2", NULL);
	is_int(x.nsent, 1, "burst 1: the second alert is held");
	x.now_ms = MS(T0 + 3600);
	script(&x, delivered("9802"));
	x.path = path;
	x.saw = -1;
	x.during_send = slow_digest_answer;
	engine_tick(x.e, CONN);
	ok(x.nsent == 2 && x.sent[1].digest, "the digest was posted");
	is_int(x.saw, 1, "an alert counted while the digest waited 2 s for X was saved meanwhile");
	ok(file_has(path, "raid md0 degraded on db3"), "and is in the state file after the digest");
	fx_done(&x);

	/* no digest posting: the worker leaves the save to the timer */
	fx_init(&x);
	x.cfg.flood = (flood_config){ 600, 3600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 1000;
	x.now_ms = MS(T0 + 7200);
	fx_start(&x);
	script(&x, delivered("9803"));
	engine_submit(x.e, CONN, "psu lost on db5", NULL);
	engine_tick(x.e, CONN);
	x.now_ms = MS(T0 + 7205);
	engine_submit(x.e, CONN, "ups on battery", NULL);
	ok(!file_has(path, "ups on battery"), "a held alert with no digest posting: not saved on the worker's path");
	fx_done(&x);
}

/* Errors are logged once per cause per 300 s with the count of those not
 * logged; a post that arrives makes the next delivery error news again. */
static void test_log_rate(void)
{
	fx x;

	fx_init(&x);
	fx_start(&x);
	script(&x, transient());
	script(&x, transient());
	script(&x, transient());
	engine_submit(x.e, CONN, "fan failed on db1", NULL);
	x.now_ms = MS(T0 + 10);
	engine_submit(x.e, CONN, "fan failed on db1", NULL);
	x.now_ms = MS(T0 + 20);
	engine_submit(x.e, CONN, "fan failed on db1", NULL);
	is_int(logged(&x, ENGINE_LOG_TRANSIENT, "cannot deliver"), 1, "three transient failures in 20 s: one error line");
	x.now_ms = MS(T0 + 301);
	script(&x, transient());
	engine_submit(x.e, CONN, "fan failed on db1", NULL);
	is_int(logged(&x, ENGINE_LOG_TRANSIENT, "[2 more like this in the last 300 s]"), 1,
	       "300 s later: the next line says how many were not logged");
	x.now_ms = MS(T0 + 310);
	script(&x, delivered("7001"));
	engine_submit(x.e, CONN, "fan failed on db1", NULL);
	script(&x, transient());
	engine_submit(x.e, CONN, "psu failed on db2", NULL);
	is_int(logged(&x, ENGINE_LOG_TRANSIENT, "cannot deliver"), 3, "after a post arrives, the next failure is logged at once");
	script(&x, permanent());
	script(&x, permanent());
	engine_submit(x.e, CONN, "bad alert one", NULL);
	engine_submit(x.e, CONN, "bad alert two", NULL);
	is_int(logged(&x, ENGINE_LOG_REFUSED, "X refused"), 1, "refusals have their own limit: one line for two");
	fx_done(&x);
}

/* Without a keep_refused callback the engine appends refused alerts to
 * cfg.errorfile itself (one JSON line each), reopens it after a HUP, and
 * logs (limited) when it cannot write it. */
static void test_own_errorfile(void)
{
	char path[160], line[4096];
	FILE *f;
	fx x;
	int lines = 0, first = 0, second = 0;

	snprintf(path, sizeof(path), "%s/refused.jsonl", tmpdir);
	fx_init(&x);
	x.own_errorfile = 1;
	x.cfg.errorfile = path;
	x.cfg.name = "alerts";
	fx_start(&x);
	script(&x, permanent());
	engine_submit(x.e, CONN, "bad alert one", NULL);
	ok(access(path, F_OK) == 0, "a refused alert creates the errorfile");
	is_int(logged(&x, ENGINE_LOG_REFUSED, path), 1, "the log line names it");
	engine_hup(x.e, 0); /* logrotate moved it away: the next refusal writes a new one */
	char moved[200];
	snprintf(moved, sizeof(moved), "%s.1", path);
	rename(path, moved);
	script(&x, permanent());
	engine_submit(x.e, CONN, "bad alert two", NULL);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			lines++;
			second += strstr(line, "\"bad alert two\"") && strstr(line, "\"alerts\"") && strstr(line, "400");
		}
		fclose(f);
	}
	if ((f = fopen(moved, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			first += strstr(line, "\"bad alert one\"") != NULL;
		fclose(f);
	}
	ok(first == 1, "the first refusal is in the rotated file");
	ok(lines == 1 && second == 1, "after the HUP the second is alone in a new file, with the action's name and the status");
	fx_done(&x);
	unlink(path);
	unlink(moved);

	fx_init(&x);
	x.own_errorfile = 1;
	x.cfg.errorfile = "/nonexistent-dir-omtw/refused.jsonl";
	fx_start(&x);
	script(&x, permanent());
	engine_submit(x.e, CONN, "bad alert three", NULL);
	is_int(logged(&x, ENGINE_LOG_ERRORFILE, "cannot write errorfile '/nonexistent-dir-omtw/refused.jsonl'"), 1,
	       "an errorfile that cannot be written is logged");
	is_int(x.ctr[ENGINE_CTR_FAILURES], 1, "and the refusal still counted");
	fx_done(&x);
}

/* Bugs found while writing these tests (all fixed). */
static void test_bugs(void)
{
	char path[160];
	fx x;

	/* A. A thread cut by a stop was admitted again after the restart and
	 * charged the budget a second time: with the bucket spent by its own
	 * first admission it was held, and the thread stayed cut at part 1. */
	state_file(path, sizeof(path), "bugs");
	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	x.cfg.flood = (flood_config){ 600, 3600, 3, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	fx_start(&x);
	engine_load(x.e);
	script(&x, delivered("9901"));
	script(&x, transient());
	is_int(engine_submit(x.e, CONN, LONG_TEXT, NULL), ENGINE_SUSPEND, "a thread cut by a stop, budget spent: a thread of 3 (burst 3) cut at part 2");
	fx_done(&x);
	fx_init(&x);
	x.cfg.shape.maxlength = 40;
	x.cfg.flood = (flood_config){ 600, 3600, 3, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	x.cfg.state_path = path;
	x.cfg.sync_ms = 0;
	x.now_ms = MS(T0 + 100);
	fx_start(&x);
	engine_load(x.e);
	script(&x, delivered("9902"));
	script(&x, delivered("9903"));
	engine_submit(x.e, CONN, LONG_TEXT, NULL);
	is_int(x.nsent, 2, "a thread cut by a stop, budget spent: after the restart the thread resumes although its first admission spent the bucket");
	is_str(sent_text(&x, 0), PART2, "a thread cut by a stop, budget spent: at part 2");
	is_int(engine_pending(x.e), 0, "a thread cut by a stop, budget spent: it is not held for a digest");
	fx_done(&x);

	/* B. An undelivered alert forgotten by the pending list (pending_max)
	 * and handed back by rsyslog was admitted again inside its own dedup
	 * window: counted as a repeat of itself, never posted (until
	 * 2026-12-05 a TODO here).  Its first try may have reached X, so a
	 * "duplicate content" answer now means it arrived. */
	fx_init(&x);
	x.cfg.pending_max = 1;
	fx_start(&x);
	script(&x, transient());
	script(&x, transient());
	engine_submit(x.e, CONN, "alert A", NULL);
	engine_submit(x.e, CONN, "alert B", NULL); /* A is forgotten */
	script(&x, delivered("9911"));
	x.now_ms = MS(T0 + 10);
	is_int(engine_submit(x.e, CONN, "alert A", NULL), ENGINE_DONE, "forgotten by the pending list: A handed back: DONE");
	is_int(x.nsent, 3, "forgotten by the pending list: A handed back after it was forgotten is posted");
	is_str(sent_text(&x, 2), "alert A", "forgotten by the pending list: its own text, nothing added");
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 0, "forgotten by the pending list: not counted as a repeat of itself");
	script(&x, duplicate());
	x.now_ms = MS(T0 + 20);
	is_int(engine_submit(x.e, CONN, "alert B", NULL), ENGINE_DONE,
	       "forgotten by the pending list: B handed back, X says its first try arrived: DONE");
	is_int(x.nsent, 4, "forgotten by the pending list: B not posted again with the time added");
	is_int(x.ctr[ENGINE_CTR_REPOSTED], 0, "forgotten by the pending list: nothing reposted");
	is_int(x.ctr[ENGINE_CTR_POSTED], 2, "forgotten by the pending list: A and B posted");
	engine_submit(x.e, CONN, "alert A", NULL);
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 1, "forgotten by the pending list: after that, A is a repeat again");
	is_int(x.nsent, 4, "forgotten by the pending list: and not posted");
	fx_done(&x);

	/* C. A digest X refuses for good is counted as a digest X accepted
	 * (counters "digests" and "digested": "accepted by X", doc). */
	fx_init(&x);
	x.cfg.flood = (flood_config){ 7200, 600, 1, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	fx_start(&x);
	script(&x, delivered("9921"));
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	engine_submit(x.e, CONN, "disk full on db1", NULL);
	x.now_ms = MS(T0 + 900);
	script(&x, permanent());
	engine_tick(x.e, CONN);
	ok(x.nsent == 2 && x.sent[1].digest && x.nkept == 1, "a digest refused for good: the digest is refused and kept");
	is_int(x.ctr[ENGINE_CTR_DIGESTS], 0, "a digest refused for good: a refused digest is not counted in digests");
	is_int(x.ctr[ENGINE_CTR_DIGESTED], 0, "a digest refused for good: nor its alerts in digested");
	fx_done(&x);
}

/* Every alert is in a counter (issue 18, point 2): submitted = delivered +
 * deduplicated + held + failures (+ in flight); holding starts and
 * delivering again after an outage are logged once. */
static void test_every_alert(void)
{
	fx x;

	fx_init(&x);
	x.cfg.flood.rl_interval = 3600;
	x.cfg.flood.rl_burst = 3;
	fx_start(&x);
	script(&x, delivered("9001"));
	script(&x, delivered("9002"));
	is_int(engine_submit(x.e, CONN, "alert one", NULL), ENGINE_DONE, "alert 1 posted");
	is_int(engine_submit(x.e, CONN, "alert one", NULL), ENGINE_DONE, "its repeat counted");
	is_int(engine_submit(x.e, CONN, "alert two", NULL), ENGINE_DONE, "alert 2 posted");
	is_int(engine_submit(x.e, CONN, "alert three", NULL), ENGINE_DONE, "alert 3 held (one post kept for the digest)");
	is_int(engine_submit(x.e, CONN, "alert four", NULL), ENGINE_DONE, "alert 4 held");
	is_int(x.ctr[ENGINE_CTR_SUBMITTED], 5, "submitted 5");
	is_int(x.ctr[ENGINE_CTR_DELIVERED], 2, "delivered 2");
	is_int(x.ctr[ENGINE_CTR_DEDUPLICATED], 1, "deduplicated 1");
	is_int(x.ctr[ENGINE_CTR_HELD], 2, "held 2");
	is_int(x.ctr[ENGINE_CTR_SUBMITTED], x.ctr[ENGINE_CTR_DELIVERED] + x.ctr[ENGINE_CTR_DEDUPLICATED] +
	       x.ctr[ENGINE_CTR_HELD] + x.ctr[ENGINE_CTR_FAILURES], "submitted = delivered + deduplicated + held + failures");
	is_int(logged(&x, ENGINE_LOG_INFO, "budget spent: holding alerts for a digest (the next may go out at "
		      "2027-01-15 08:15 UTC)"), 1, "holding is logged once, with when the next digest may go out");
	fx_done(&x);

	/* an outage: the alert waits, and the first delivery after it says so */
	fx_init(&x);
	fx_start(&x);
	script(&x, transient());
	script(&x, transient());
	script(&x, delivered("9101"));
	script(&x, delivered("9102"));
	is_int(engine_submit(x.e, CONN, "link down", NULL), ENGINE_SUSPEND, "X unavailable: the alert waits");
	x.now_ms += 60000;
	is_int(engine_submit(x.e, CONN, "link down", NULL), ENGINE_SUSPEND, "still unavailable a minute later");
	x.now_ms += 180000;
	is_int(engine_submit(x.e, CONN, "link down", NULL), ENGINE_DONE, "4 min after the first try it is posted");
	is_int(logged(&x, ENGINE_LOG_INFO, "delivering again after 240 s; 1 alert waited"), 1,
	       "the delivery after the outage says how long it lasted and how many alerts waited");
	is_int(engine_submit(x.e, CONN, "fan down", NULL), ENGINE_DONE, "the next one is posted");
	is_int(logged(&x, ENGINE_LOG_INFO, "delivering again"), 1, "and says nothing more");
	is_int(x.ctr[ENGINE_CTR_SUBMITTED], 2, "submitted 2 (a retry is no new alert)");
	is_int(x.ctr[ENGINE_CTR_DELIVERED], 2, "delivered 2");
	fx_done(&x);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_fresh();
	test_repeat();
	test_thread();
	test_resume();
	test_account_answers();
	test_429();
	test_permanent();
	test_duplicate();
	test_empty();
	test_budget_digest();
	test_digest_retry();
	test_digest_restart();
	test_state();
	test_wake();
	test_save_during_digest();
	test_log_rate();
	test_own_errorfile();
	test_bugs();
	test_every_alert();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
