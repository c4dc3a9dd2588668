/* pending.c - the alerts of an action not yet delivered (see pending.h). */
#include <stdlib.h>
#include <string.h>

#include "pending.h"

void pending_alert_clear(pending_alert *a)
{
	free(a->key);
	tweettext_parts_free(&a->parts);
	memset(a, 0, sizeof(*a));
}

void pending_alert_free(pending_alert *a)
{
	if (a) {
		pending_alert_clear(a);
		free(a);
	}
}

void pending_init(pending_list *l, size_t max)
{
	pthread_mutex_init(&l->mut, NULL);
	l->newest = NULL;
	l->n = 0;
	l->max = max;
}

void pending_free(pending_list *l)
{
	while (l->newest) {
		pending_alert *a = l->newest;
		l->newest = a->older;
		pending_alert_free(a);
	}
	l->n = 0;
	pthread_mutex_destroy(&l->mut);
}

pending_alert *pending_take(pending_list *l, const char *key)
{
	pending_alert *a;

	pthread_mutex_lock(&l->mut);
	for (a = l->newest; a; a = a->older)
		if (!a->busy && strcmp(a->key, key) == 0) {
			a->busy = true;
			break;
		}
	pthread_mutex_unlock(&l->mut);
	return a;
}

pending_alert *pending_add(pending_list *l, pending_alert *a)
{
	pending_alert **p, **victim = NULL, *gone = NULL;

	a->busy = true;
	pthread_mutex_lock(&l->mut);
	a->older = l->newest;
	l->newest = a;
	if (++l->n > l->max) {
		for (p = &l->newest; *p; p = &(*p)->older)
			if (!(*p)->busy)
				victim = p; /* the last one seen is the oldest */
		if (victim) {
			gone = *victim;
			*victim = gone->older;
			l->n--;
		}
	}
	pthread_mutex_unlock(&l->mut);
	return gone;
}

void pending_release(pending_list *l, pending_alert *a, bool done)
{
	pending_alert **p;

	pthread_mutex_lock(&l->mut);
	a->busy = false;
	if (done)
		for (p = &l->newest; *p; p = &(*p)->older)
			if (*p == a) {
				*p = a->older;
				l->n--;
				break;
			}
	pthread_mutex_unlock(&l->mut);
	if (done)
		pending_alert_free(a);
}
