/* test_engine_timer.c - the thread that runs an engine's timer, on the
 * real clock: it sends a digest that falls due with no help from the
 * caller, a wake makes it tick at once instead of sleeping until the time
 * the engine named, and freeing it raises the stop flag a request in
 * progress watches and joins the thread promptly.
 *
 * No fixed sleeps decide a result: the test polls what the callbacks
 * recorded until a deadline (generous, to survive valgrind); an alarm
 * turns a hang into a failure. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "engine_timer.h"
#include "tap.h"

/* The connections handed to engine_submit and to the timer. */
static int submit_token, timer_token;
#define CONN_SUBMIT ((void *)&submit_token)
#define CONN_TIMER ((void *)&timer_token)

#define DEADLINE_MS 10000 /* how long a poll waits for what must happen */
#define PROMPT_MS 5000    /* a free that takes longer is taken for a hang */

typedef struct fx {
	pthread_mutex_t mut;     /* guards what the callbacks record */
	pthread_t main;
	long long offset_ms;     /* added to the real clock (atomic) */
	/* the timer thread, seen from its calls to now_ms */
	int timer_calls;
	int timer_blocks_signals; /* SIGHUP, SIGINT, SIGTERM, SIGALRM and SIGUSR1 all blocked */
	char timer_name[32];
	/* sends */
	int nsent, ndigests;
	int digest_on_timer;     /* the digest was sent from the timer thread */
	int digest_conn_ok;      /* with the timer's connection */
	int alert_off_main;      /* an alert (not a digest) sent off the main thread */
	char digest[512];
	int verdict;             /* the last alert's (a flood_verdict) */
	/* a digest request that waits for the stop flag */
	int block_digest, in_send, saw_stop;
	int *stop;
	engine *e;
} fx;

static long long real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int blocks_signals(void)
{
	sigset_t cur;
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM, SIGALRM, SIGUSR1 };

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!sigismember(&cur, sigs[i]))
			return 0;
	return 1;
}

static long long fx_now(void *arg)
{
	fx *x = arg;

	if (!pthread_equal(pthread_self(), x->main)) {
		pthread_mutex_lock(&x->mut);
		if (x->timer_calls++ == 0) {
			x->timer_blocks_signals = blocks_signals();
			pthread_getname_np(pthread_self(), x->timer_name, sizeof(x->timer_name));
		}
		pthread_mutex_unlock(&x->mut);
	}
	return real_ms() + __atomic_load_n(&x->offset_ms, __ATOMIC_SEQ_CST);
}

static omtw_err fx_send(void *arg, void *conn, const engine_part *p, xapi_result *res)
{
	fx *x = arg;
	int off_main = !pthread_equal(pthread_self(), x->main), block;

	pthread_mutex_lock(&x->mut);
	x->nsent++;
	if (p->digest) {
		x->ndigests++;
		x->digest_on_timer = off_main;
		x->digest_conn_ok = conn == CONN_TIMER;
		snprintf(x->digest, sizeof(x->digest), "%s", p->text);
	} else if (off_main) {
		x->alert_off_main++;
	}
	block = p->digest && x->block_digest;
	if (block)
		x->in_send = 1;
	pthread_mutex_unlock(&x->mut);
	if (block) { /* a request that ends when the timer is stopped, as xapi's does */
		long long until = mono_ms() + DEADLINE_MS;
		int seen;

		while (!(seen = __atomic_load_n(x->stop, __ATOMIC_SEQ_CST)) && mono_ms() < until)
			pause_ms(1);
		pthread_mutex_lock(&x->mut);
		x->saw_stop = seen;
		pthread_mutex_unlock(&x->mut);
	}
	memset(res, 0, sizeof(*res));
	res->outcome = XAPI_DELIVERED;
	res->status = 201;
	snprintf(res->id, sizeof(res->id), "%d", 9000 + x->nsent);
	res->window = res->user24 = res->app24 = (xapi_limit){ -1, -1, -1 };
	return OMTW_OK;
}

static void fx_count(void *arg, engine_counter c, unsigned long long n)
{
	(void)arg, (void)c, (void)n;
}

static void fx_log(void *arg, engine_log cause, const char *msg)
{
	(void)arg;
	printf("# engine log %d: %s\n", (int)cause, msg);
}

static void fx_admitted(void *arg, const flood_ticket *id, flood_verdict v)
{
	fx *x = arg;

	(void)id;
	pthread_mutex_lock(&x->mut);
	x->verdict = (int)v;
	pthread_mutex_unlock(&x->mut);
}

/* An engine on the real clock (plus x->offset_ms), no state file: digests
 * every digest_interval seconds, one post per 2 s (so a second distinct
 * alert right after the first is held). */
static void fx_start(fx *x, long digest_interval)
{
	engine_config cfg = {
		.flood = { 600, 2, 1, 17, digest_interval, 100, FLOOD_GROUP_EXACT, 0, 0, 0 },
		.shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG },
		.sync_ms = 1000,
		.endpoint = "https://api.test.invalid",
		.pending_max = 16,
	};
	engine_ops ops = { .arg = x, .now_ms = fx_now, .send = fx_send, .count = fx_count, .log = fx_log,
			   .admitted = fx_admitted };

	memset(x, 0, sizeof(*x));
	pthread_mutex_init(&x->mut, NULL);
	x->main = pthread_self();
	if (engine_new(&cfg, &ops, &x->e) != OMTW_OK)
		abort();
}

static void fx_done(fx *x)
{
	engine_free(x->e);
	pthread_mutex_destroy(&x->mut);
}

/* Read one recorded int under the lock. */
static int rec(fx *x, const int *field)
{
	int v;

	pthread_mutex_lock(&x->mut);
	v = *field;
	pthread_mutex_unlock(&x->mut);
	return v;
}

/* Poll until *field >= want or ms pass; 1 when it got there. */
static int wait_for(fx *x, const int *field, int want, long ms)
{
	long long until = mono_ms() + ms;

	for (;;) {
		if (rec(x, field) >= want)
			return 1;
		if (mono_ms() >= until)
			return 0;
		pause_ms(2);
	}
}

/* engine_timer_free(t) on a helper thread, joined for at most PROMPT_MS:
 * the ms it took.  A free that does not return is reported as failing the
 * check `what`, and the test bails out (the timer cannot be cleaned up). */
static void *free_timer(void *t)
{
	engine_timer_free(t);
	return NULL;
}

static void free_promptly(engine_timer *t, const char *what)
{
	pthread_t th;
	struct timespec until;
	long long t0 = mono_ms();

	if (pthread_create(&th, NULL, free_timer, t) != 0)
		abort();
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PROMPT_MS / 1000;
	if (pthread_timedjoin_np(th, NULL, &until) != 0) {
		ok(0, "%s (not returned after %d ms)", what, PROMPT_MS);
		printf("Bail out! engine_timer_free does not return\n");
		fflush(stdout);
		_exit(1);
	}
	t0 = mono_ms() - t0;
	printf("# engine_timer_free took %lld ms\n", t0);
	ok(t0 < PROMPT_MS, "%s", what);
}

/* Two distinct alerts: the first posted (on this thread), the second held. */
static void submit_two(fx *x)
{
	is_int(engine_submit(x->e, CONN_SUBMIT, "disk full on db1", NULL), ENGINE_DONE, "alert 1: DONE");
	is_int(rec(x, &x->nsent), 1, "it is posted at once");
	is_int(engine_submit(x->e, CONN_SUBMIT, "fan failure on db2", NULL), ENGINE_DONE, "alert 2: DONE");
	is_int(rec(x, &x->verdict), FLOOD_HELD, "it is held (ratelimit.burst 1)");
	is_int(rec(x, &x->nsent), 1, "and not sent");
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	if (n >= m && strcmp(s + n - m, end) == 0)
		return 1;
	printf("#   got:  '%s'\n#   want: '...%s'\n", s, end);
	return 0;
}

#define DIGEST_END " UTC: 1 alert, 1 distinct. [\xc3\x97" "1] fan failure on db2"

/* A digest falls due on the real clock: the timer thread sends it, the
 * test thread only watches. */
static void test_digest_on_its_own(void)
{
	fx x;
	engine_timer *t = NULL;

	fx_start(&x, 1);
	is_int(engine_timer_new(x.e, CONN_TIMER, &t), OMTW_OK, "a timer is made");
	if (t == NULL)
		abort();
	is_int(engine_timer_start(t, "omtw:digest"), 0, "and started");
	ok(!blocks_signals(), "this thread blocks none of SIGHUP, SIGINT, SIGTERM, SIGALRM, SIGUSR1 after the start");
	submit_two(&x);
	ok(wait_for(&x, &x.ndigests, 1, DEADLINE_MS), "the timer thread sends the digest by itself when it is due");
	ok(rec(&x, &x.digest_on_timer), "from the timer thread");
	ok(rec(&x, &x.digest_conn_ok), "over the timer's connection");
	pthread_mutex_lock(&x.mut);
	ok(strncmp(x.digest, "Digest ", 7) == 0 && ends_with(x.digest, DIGEST_END), "it reports the held alert");
	pthread_mutex_unlock(&x.mut);
	is_int(rec(&x, &x.nsent), 2, "two sends in all: the alert and the digest");
	is_int(rec(&x, &x.alert_off_main), 0, "the timer sent no alert of its own");
	ok(rec(&x, &x.timer_blocks_signals), "the timer thread blocks them all (they are for the main thread)");
	pthread_mutex_lock(&x.mut);
	is_str(x.timer_name, "omtw:digest", "the thread is named");
	pthread_mutex_unlock(&x.mut);
	free_promptly(t, "engine_timer_free stops and joins the thread promptly");
	fx_done(&x);
}

/* digest.interval 3600: the timer sleeps for an hour.  The clock jumps
 * past the digest's time; only a wake makes the timer see it now. */
static void test_wake(void)
{
	fx x;
	engine_timer *t = NULL;
	long long t0;
	int ticks;

	fx_start(&x, 3600);
	if (engine_timer_new(x.e, CONN_TIMER, &t) != OMTW_OK || t == NULL)
		abort();
	is_int(engine_timer_start(t, "omtw:a-very-long-action-name"), 0, "a timer with a long name is started");
	ok(wait_for(&x, &x.timer_calls, 1, DEADLINE_MS), "it ticks once at the start");
	submit_two(&x);
	pause_ms(300); /* can only hide a busy timer, never fail a good one */
	ticks = rec(&x, &x.timer_calls);
	is_int(ticks, 1, "then it sleeps: no other tick in the next 300 ms");
	__atomic_store_n(&x.offset_ms, 3700LL * 1000, __ATOMIC_SEQ_CST); /* the digest is due now */
	is_int(rec(&x, &x.ndigests), 0, "no digest before the wake");
	t0 = mono_ms();
	engine_timer_wake(t);
	ok(wait_for(&x, &x.ndigests, 1, DEADLINE_MS), "woken, the timer ticks at once and sends the digest now due");
	printf("# the digest went out %lld ms after the wake\n", mono_ms() - t0);
	ok(rec(&x, &x.timer_calls) > ticks, "the tick was the timer thread's");
	ok(rec(&x, &x.digest_on_timer), "so was the digest");
	pthread_mutex_lock(&x.mut);
	ok(ends_with(x.digest, DIGEST_END), "it reports the held alert");
	is_str(x.timer_name, "omtw:a-very-lon", "the name is cut to what a thread name holds (15 bytes)");
	pthread_mutex_unlock(&x.mut);
	free_promptly(t, "a timer asleep for an hour is stopped and joined promptly");
	fx_done(&x);
}

/* The stop flag: down until the timer is freed; then raised, so a request
 * in progress on the timer thread ends and the thread can be joined. */
static void test_stop_flag(void)
{
	fx x;
	engine_timer *t = NULL;
	int *flag, *again;

	fx_start(&x, 3600);
	if (engine_timer_new(x.e, CONN_TIMER, &t) != OMTW_OK || t == NULL)
		abort();
	flag = engine_timer_stop_flag(t);
	again = engine_timer_stop_flag(t);
	ok(flag != NULL && *flag == 0, "the stop flag is down before the start");
	ok(again == flag, "the same flag every time");
	x.stop = flag;
	x.block_digest = 1;
	is_int(engine_timer_start(t, "omtw:stop"), 0, "started");
	ok(wait_for(&x, &x.timer_calls, 1, DEADLINE_MS), "it ticks once at the start");
	submit_two(&x);
	__atomic_store_n(&x.offset_ms, 3700LL * 1000, __ATOMIC_SEQ_CST);
	engine_timer_wake(t);
	ok(wait_for(&x, &x.in_send, 1, DEADLINE_MS), "the digest's request is in progress on the timer thread");
	is_int(__atomic_load_n(flag, __ATOMIC_SEQ_CST), 0, "the flag is down while the timer runs");
	ok(engine_timer_stop_flag(t) == flag, "and still the same flag");
	free_promptly(t, "engine_timer_free returns once the request in progress has ended");
	is_int(rec(&x, &x.saw_stop), 1, "it raised the flag: the request in progress saw it");
	fx_done(&x);
}

int main(void)
{
	sigset_t sigs;
	fx x;
	engine_timer *t = NULL;

	/* a known mask to start from: the timer must block these itself */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGALRM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
	alarm(60);  /* a hang (a timer never joined) ends the test */

	test_digest_on_its_own();
	test_wake();
	test_stop_flag();

	/* freed without being started: no thread to join; NULL is fine */
	fx_start(&x, 1);
	if (engine_timer_new(x.e, CONN_TIMER, &t) != OMTW_OK)
		abort();
	engine_timer_free(t);
	engine_timer_free(NULL);
	fx_done(&x);
	return tap_done();
}
