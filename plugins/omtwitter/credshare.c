/* credshare.c - the credentials an action's threads share (see credshare.h). */
#include <pthread.h>
#include <stdlib.h>

#include "credshare.h"

typedef struct credref {
	omtw_creds c; /* first: a credref is found from its omtw_creds */
	int refs;     /* under the share's mut; the share's own counts one */
} credref;

struct credshare {
	pthread_mutex_t mut;
	credref *cur;
};

static void drop(credshare *s, credref *r)
{
	int last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&s->mut);
	last = --r->refs == 0;
	pthread_mutex_unlock(&s->mut);
	if (last) {
		credfile_clear(&r->c); /* wipes the secrets */
		free(r);
	}
}

omtw_err credshare_new(credshare **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return OMTW_ENOMEM;
	pthread_mutex_init(&(*out)->mut, NULL);
	return OMTW_OK;
}

void credshare_free(credshare *s)
{
	if (s == NULL)
		return;
	drop(s, s->cur);
	pthread_mutex_destroy(&s->mut);
	free(s);
}

omtw_err credshare_load(credshare *s, const char *path, char *err, size_t errlen)
{
	credref *r = calloc(1, sizeof(*r)), *old;
	omtw_err e;

	if (r == NULL)
		return OMTW_ENOMEM;
	if ((e = credfile_load(path, &r->c, err, errlen)) != OMTW_OK) {
		free(r);
		return e;
	}
	r->refs = 1;
	pthread_mutex_lock(&s->mut);
	old = s->cur;
	s->cur = r;
	pthread_mutex_unlock(&s->mut);
	drop(s, old);
	return OMTW_OK;
}

const omtw_creds *credshare_acquire(credshare *s)
{
	credref *r;

	pthread_mutex_lock(&s->mut);
	if ((r = s->cur) != NULL)
		r->refs++;
	pthread_mutex_unlock(&s->mut);
	return r ? &r->c : NULL;
}

void credshare_release(credshare *s, const omtw_creds *c)
{
	drop(s, (credref *)(void *)c);
}
