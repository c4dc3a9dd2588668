/* engine_timer.c - the thread that runs an engine's timer (see
 * engine_timer.h).
 *
 * The engine's wake callback runs under the engine's lock and takes mut
 * here; the thread never holds mut while it calls the engine, so the two
 * locks are never taken the other way round.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine_timer.h"

struct engine_timer {
	engine *e;
	void *conn;
	pthread_t thread;
	pthread_mutex_t mut; /* guards the fields below */
	pthread_cond_t cond;
	int woken;           /* due earlier than the engine last said */
	int stop;            /* also the requests' stop flag (read atomically) */
	int started;
	char name[16];
};

static void *run(void *arg)
{
	engine_timer *t = arg;

	pthread_setname_np(pthread_self(), t->name); /* for top -H, ps -L */
	pthread_mutex_lock(&t->mut);
	while (!t->stop) {
		long long next;
		struct timespec until;

		t->woken = 0;
		pthread_mutex_unlock(&t->mut);
		next = engine_tick(t->e, t->conn);
		pthread_mutex_lock(&t->mut);
		until = (struct timespec){ .tv_sec = next / 1000, .tv_nsec = (next % 1000) * 1000000L };
		/* woken or stopped while the engine ran: no one was waiting then */
		if (!t->stop && !t->woken)
			pthread_cond_timedwait(&t->cond, &t->mut, &until);
	}
	pthread_mutex_unlock(&t->mut);
	return NULL;
}

omtw_err engine_timer_new(engine *e, void *conn, engine_timer **out)
{
	engine_timer *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (t == NULL)
		return OMTW_ENOMEM;
	t->e = e;
	t->conn = conn;
	pthread_mutex_init(&t->mut, NULL);
	pthread_cond_init(&t->cond, NULL); /* CLOCK_REALTIME: the engine's times are wall-clock */
	*out = t;
	return OMTW_OK;
}

int *engine_timer_stop_flag(engine_timer *t)
{
	return &t->stop;
}

int engine_timer_start(engine_timer *t, const char *name)
{
	sigset_t all, old;
	int rc;

	snprintf(t->name, sizeof(t->name), "%s", name);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->thread, NULL, run, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t->started = rc == 0;
	return rc;
}

void engine_timer_wake(engine_timer *t)
{
	pthread_mutex_lock(&t->mut);
	t->woken = 1;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->mut);
}

void engine_timer_free(engine_timer *t)
{
	if (t == NULL)
		return;
	if (t->started) {
		pthread_mutex_lock(&t->mut);
		__atomic_store_n(&t->stop, 1, __ATOMIC_RELAXED);
		pthread_cond_signal(&t->cond);
		pthread_mutex_unlock(&t->mut);
		pthread_join(t->thread, NULL);
	}
	pthread_mutex_destroy(&t->mut);
	pthread_cond_destroy(&t->cond);
	free(t);
}
