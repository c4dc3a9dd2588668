/* test_pending.c - the undelivered alerts of an action: claims, retries,
 * and the oldest unclaimed one forgotten beyond the maximum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pending.h"
#include "tap.h"

static pending_alert *alert(const char *key)
{
	pending_alert *a = calloc(1, sizeof(*a));

	if (a && (a->key = strdup(key)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

/* Each of keys is in the list, unclaimed (claimed and released again). */
static int all_there(pending_list *l, const char **keys, int n)
{
	for (int i = 0; i < n; i++) {
		pending_alert *a = pending_take(l, keys[i]);
		if (a == NULL)
			return 0;
		pending_release(l, a, false);
	}
	return 1;
}

int main(void)
{
	pending_list l;
	pending_alert *a, *b, *c, *d, *gone;
	const char *abc[] = { "alert A", "alert B", "alert C" };

	pending_init(&l, 3);
	ok(pending_take(&l, "alert A") == NULL, "an empty list has nothing to hand back");
	a = alert("alert A");
	b = alert("alert B");
	if (!ok(a && b, "alerts made"))
		return tap_done();
	pending_add(&l, a);
	ok(a->busy && l.n == 1, "an added alert is claimed by its worker");
	ok(pending_take(&l, "alert A") == NULL, "a claimed alert is not handed to another worker");
	a->next = 1; /* its first part went out */
	pending_release(&l, a, false);
	ok(!a->busy && l.n == 1, "released to retry: it stays, unclaimed");
	ok(pending_take(&l, "alert A") == a && a->busy && a->next == 1,
	   "rsyslog hands it back: the same alert, claimed again, resuming at its next part");
	pending_release(&l, a, false);
	ok(pending_take(&l, "alert a") == NULL && pending_take(&l, "alert A ") == NULL,
	   "only the exact text is the same alert");

	pending_add(&l, b);
	pending_release(&l, b, false);
	c = alert("alert C");
	pending_add(&l, c);
	pending_release(&l, c, false);
	ok(l.n == 3 && all_there(&l, abc, 3), "three alerts kept at a maximum of three");
	a = pending_take(&l, "alert A"); /* the oldest, claimed: never forgotten */
	d = alert("alert D");
	gone = pending_add(&l, d);
	ok(gone != NULL && strcmp(gone->key, "alert B") == 0, "the one forgotten is handed to the caller");
	pending_alert_free(gone);
	ok(l.n == 3 && a != NULL && pending_take(&l, "alert B") == NULL,
	   "a fourth: the oldest unclaimed one (B) is forgotten, the claimed older one (A) is not");
	ok(all_there(&l, (const char *[]){ "alert C" }, 1) && a->busy && d->busy, "C stays; A and D stay claimed");
	pending_release(&l, d, true);
	ok(l.n == 2 && pending_take(&l, "alert D") == NULL, "delivered: released as done, it is gone");
	pending_release(&l, a, true);
	c = pending_take(&l, "alert C");
	pending_release(&l, c, true);
	ok(l.n == 0 && l.newest == NULL, "all delivered: the list is empty");

	/* a full list of claimed alerts grows rather than drop one being posted */
	pending_alert *held[5];
	for (int i = 0; i < 5; i++) {
		char k[16];
		snprintf(k, sizeof(k), "held %d", i);
		held[i] = alert(k);
		if (held[i])
			pending_add(&l, held[i]);
	}
	ok(l.n == 5, "five claimed alerts at a maximum of three: none dropped while posted");
	for (int i = 0; i < 5; i++)
		if (held[i])
			pending_release(&l, held[i], false);
	pending_alert *e = alert("alert E");
	gone = pending_add(&l, e);
	ok(gone != NULL && strcmp(gone->key, "held 0") == 0, "the oldest unclaimed one is handed to the caller");
	pending_alert_free(gone);
	pending_alert *h1 = pending_take(&l, "held 1");
	ok(l.n == 5 && pending_take(&l, "held 0") == NULL && h1 != NULL,
	   "the next add forgets the oldest unclaimed one (one at a time)");
	if (h1)
		pending_release(&l, h1, false);
	pending_release(&l, e, false);
	pending_free(&l); /* valgrind: everything freed */
	pending_alert_free(NULL);
	return tap_done();
}
