/* test_admission.c - a new alert in: the memo's short cut gives exactly the
 * verdicts flood control gives on its own; shaping only for posts; the
 * dedup key decides which alert it is; the state-change callback; the
 * end of a dedup window, exactly, with threads of several parts; paced
 * budgets restarted from a state file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "tap.h"

#define T0 1800000000

static int changes;
static void on_change(void *arg)
{
	(void)arg;
	changes++;
}

typedef struct fixture {
	flood *f;
	keymemo *m;
	tt_config shape;
	pthread_mutex_t mut;
	admission ad;
} fixture;

static void fixture_init(fixture *x, const flood_config *fc)
{
	memset(x, 0, sizeof(*x));
	x->shape = (tt_config){ 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	pthread_mutex_init(&x->mut, NULL);
	/* as the engine: no memo when alerts are grouped into incidents */
	if (flood_new(fc, T0, &x->f) != OMTW_OK || (!flood_groups(x->f) && keymemo_new(&x->m) != OMTW_OK))
		abort();
	x->ad = (admission){ x->f, x->m, &x->shape, &x->mut, on_change, NULL };
}

static void fixture_free(fixture *x)
{
	flood_free(x->f);
	keymemo_free(x->m);
	pthread_mutex_destroy(&x->mut);
}

static flood_verdict admit(fixture *x, const char *text, const char *key, time_t now, tt_parts *p)
{
	flood_verdict v = (flood_verdict)-1;
	flood_ticket t;
	tt_parts own;

	if (admission_admit(&x->ad, text, key, now, &v, &t, p ? p : &own) != OMTW_OK)
		return (flood_verdict)-1;
	if (v == FLOOD_POST)
		flood_posted(x->f, &t);
	if (!p)
		tweettext_parts_free(&own);
	return v;
}

/* A night of alerts: a few texts repeating (raw variants included), a
 * budget that runs out; the same sequence through flood_admit alone (the
 * key being the prepared text) must give the same verdicts and counts. */
static void same_verdicts(int group)
{
	flood_config fc = { 600, 3600, 10, 17, 900, 64, group, 0.5, 0, 0 };
	const char *texts[] = { "disk full on db1", "disk  full on db1", "fan failure", "disk full on db1\t",
				"caf\xc3\xa9 down", "cafe\xcc\x81 down", "link down http://a.example/x",
				"sensor 7 out of range", "sensor 8 out of range" };
	size_t nt = sizeof(texts) / sizeof(texts[0]);
	fixture x;
	flood *plain;
	int differ = 0, counted = 0, held = 0, posted = 0;
	unsigned int seed = 7;

	fixture_init(&x, &fc);
	flood_new(&fc, T0, &plain);
	for (int i = 0; i < 5000; i++) {
		char uniq[64];
		const char *t = texts[rand_r(&seed) % nt];
		time_t now = T0 + i / 3;

		if (rand_r(&seed) % 5 == 0) { /* a fifth are new alerts: budgets run out, the table evicts */
			if (group == FLOOD_GROUP_EXACT) {
				snprintf(uniq, sizeof(uniq), "sensor %d out of range", 100 + i);
			} else { /* a word, not a number, differs: another incident */
				char w[8];
				for (int k = 0, v = i; k < 3; k++, v /= 26)
					w[k] = (char)('a' + v % 26);
				w[3] = '\0';
				snprintf(uniq, sizeof(uniq), "zone %s tripped", w);
			}
			t = uniq;
		}
		char *prep = NULL;
		flood_verdict want, got;
		flood_ticket tk;
		tt_parts parts;

		tweettext_prepare(t, strlen(t), TT_URLS_DEFANG, &prep);
		flood_admit(plain, prep, strlen(prep), prep, strlen(prep), 1, now, &want, &tk);
		if (want == FLOOD_POST)
			flood_posted(plain, &tk);
		free(prep);
		got = admit(&x, t, NULL, now, &parts);
		differ += got != want;
		counted += got == FLOOD_COUNTED;
		held += got == FLOOD_HELD;
		posted += got == FLOOD_POST;
		if (got != FLOOD_POST && parts.n != 0)
			differ++; /* shaped for nothing */
		tweettext_parts_free(&parts);
	}
	const char *g = group == FLOOD_GROUP_EXACT ? "exact" : "template";
	ok(differ == 0, "group %s, 5000 alerts: the same verdicts as flood control alone (%d posted, %d counted, %d held)",
	   g, posted, counted, held);
	ok(counted > 3000 && posted > 0 && held > 500,
	   "the run met every verdict, repeats mostly");
	ok(flood_pending(x.f, NULL) == flood_pending(plain, NULL), "the same counts wait for the digest");
	flood_digest dx, dp;
	int same = flood_digest_take(x.f, T0 + 86400, 4, &dx) && flood_digest_take(plain, T0 + 86400, 4, &dp) &&
		   dx.nitems == dp.nitems && dx.nitems > 0;
	for (size_t i = 0; same && i < dx.nitems; i++)
		same = strcmp(dx.items[i].text, dp.items[i].text) == 0 && dx.items[i].count == dp.items[i].count;
	ok(same, "and the same digest rows (values included): %s", dx.nitems ? dx.items[0].text : "-");
	flood_digest_free(&dx);
	flood_digest_free(&dp);
	flood_free(plain);
	fixture_free(&x);
}

static void test_same_verdicts(void)
{
	same_verdicts(FLOOD_GROUP_EXACT);
	same_verdicts(FLOOD_GROUP_TEMPLATE);
}

static void test_incidents(void)
{
	fixture x;
	tt_parts p;
	flood_config fc = { 600, 0, 0, 0, 900, 100, FLOOD_GROUP_TEMPLATE, 0.5, 0, 0 };
	flood_digest d;

	fixture_init(&x, &fc);
	ok(admit(&x, "sshd: failed login for invalid user u0827", NULL, T0, &p) == FLOOD_POST && p.n == 1 &&
	   strcmp(p.part[0], "sshd: failed login for invalid user u0827") == 0,
	   "the first line of an incident is posted as it is, not as its template");
	tweettext_parts_free(&p);
	ok(admit(&x, "sshd: failed login for invalid user admin", NULL, T0 + 1, &p) == FLOOD_COUNTED && p.n == 0,
	   "a line that differs in the user: counted, not shaped");
	ok(admit(&x, "sshd:  failed login for invalid user	admin", NULL, T0 + 2, NULL) == FLOOD_COUNTED,
	   "and again, with other blanks");
	ok(admit(&x, "disk /var full on db1", NULL, T0 + 3, NULL) == FLOOD_POST, "another incident: posted");
	/* dedup.key: the key is what is grouped */
	ok(admit(&x, "host db1 is down", "db1 down", T0 + 4, NULL) == FLOOD_POST, "key 'db1 down': posted");
	ok(admit(&x, "host db2 is down", "db2 down", T0 + 5, NULL) == FLOOD_COUNTED,
	   "key 'db2 down': the same incident, counted");
	ok(admit(&x, "host db2 is down", "  ", T0 + 6, NULL) == FLOOD_POST,
	   "a blank key: the text decides (another incident), posted");
	ok(flood_digest_take(x.f, T0 + 900, 1, &d) && d.nitems == 2, "a digest of two rows");
	if (d.nitems == 2) {
		is_str(d.items[0].text, "sshd: failed login for invalid user <*> (admin)", "the row has the template and the value");
		is_int(d.items[0].count, 2, "and the count of the two");
		is_str(d.items[1].text, "db<*> down (db2)", "the key's row shows the key's template");
	}
	flood_digest_free(&d);
	fixture_free(&x);
}

static void test_parts_and_key(void)
{
	fixture x;
	tt_parts p;
	flood_config fc = { 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };

	fixture_init(&x, &fc);
	changes = 0;
	ok(admit(&x, "bird_alert  BGP down", NULL, T0, &p) == FLOOD_POST && p.n == 1 &&
	   strcmp(p.part[0], "bird_alert BGP down") == 0, "a new alert is posted, shaped (blanks folded)");
	tweettext_parts_free(&p);
	ok(changes == 0, "a post is not a state change for the timer (the caller saves around it)");
	ok(admit(&x, "bird_alert  BGP down", NULL, T0 + 1, &p) == FLOOD_COUNTED && p.n == 0 && changes == 1,
	   "its exact repeat: counted through the memo, not shaped, the timer told");
	ok(admit(&x, "bird_alert BGP down", NULL, T0 + 2, NULL) == FLOOD_COUNTED,
	   "another text that prepares to the same: counted too");
	ok(admit(&x, "  ", NULL, T0 + 3, &p) == FLOOD_POST && (p.n == 0 || p.part[0][0] == '\0'),
	   "a blank alert is not counted: it goes on to be refused as empty");
	tweettext_parts_free(&p);
	ok(admit(&x, "  ", NULL, T0 + 4, &p) == FLOOD_POST, "and again (never a repeat of itself)");
	tweettext_parts_free(&p);
	/* dedup key: the host decides */
	ok(admit(&x, "host_alert A", "db1", T0 + 5, NULL) == FLOOD_POST, "key db1: posted");
	ok(admit(&x, "host_alert B", "db1", T0 + 6, NULL) == FLOOD_COUNTED, "other text, same key: counted");
	ok(admit(&x, "host_alert B", "db1", T0 + 7, NULL) == FLOOD_COUNTED, "and its memo hit too");
	ok(admit(&x, "host_alert B", "db2", T0 + 8, NULL) == FLOOD_POST, "same text, other key: posted");
	ok(admit(&x, "host_alert A", "db1", T0 + 700, NULL) == FLOOD_POST,
	   "after the window the memo's id is not a repeat: posted again");
	fixture_free(&x);
}

/* A text of `words` copies of word (5 bytes with its space, no trailing
 * space): 130 of them are 649 characters, which by the documented rules
 * (280 a post, each part of a thread ending in " (k/n)": 274 characters
 * of text a part, broken at a space) need 3 parts: 2 parts hold at most
 * 548, 3 hold 822 (less what breaking at spaces costs, a few). */
static char *repeated(const char *word, int words)
{
	size_t wl = strlen(word), n = (size_t)words * (wl + 1);
	char *s = malloc(n);

	if (s == NULL)
		abort();
	for (int i = 0; i < words; i++) {
		memcpy(s + (size_t)i * (wl + 1), word, wl);
		s[(size_t)i * (wl + 1) + wl] = ' ';
	}
	s[n - 1] = '\0';
	return s;
}

/* The parts of a thread of 3 as the doc describes them: each ends in
 * " (k/3)", none is empty. */
static int thread_of_3(const tt_parts *p)
{
	if (p->n != 3)
		return 0;
	for (size_t k = 0; k < 3; k++) {
		char suffix[16];
		size_t l = strlen(p->part[k]);
		int sl = snprintf(suffix, sizeof(suffix), " (%zu/3)", k + 1);
		if (l <= (size_t)sl || strcmp(p->part[k] + l - (size_t)sl, suffix) != 0)
			return 0;
	}
	return 1;
}

static flood_verdict admit_parts(fixture *x, const char *text, time_t now, size_t *nparts, int *thread3)
{
	tt_parts p = { 0 };
	flood_verdict v = admit(x, text, NULL, now, &p);

	*nparts = p.n;
	if (thread3)
		*thread3 = thread_of_3(&p);
	tweettext_parts_free(&p);
	return v;
}

/* Exactly at the end of its dedup window (dedup.window seconds after it
 * was last seen: not "less than dedup.window seconds ago", so not a
 * repeat) an alert is new again: it is shaped and a thread of n parts
 * costs n posts of every budget, as on its first showing.  Every expected
 * verdict below is worked out by hand from the doc's rules (flood.h,
 * doc/omtwitter.md "Flood control"), not asked of flood control. */
static void window_boundary(int group)
{
	const char *g = group == FLOOD_GROUP_EXACT ? "exact" : "template";
	/* distinct words: under template grouping also distinct incidents */
	char *L = repeated("kilo", 130), *M = repeated("lima", 130);
	const char *S = "bird_alert rack power lost", *S2 = "bird_alert fibre cut at the exchange";
	size_t n = 0;
	int t3 = 0;
	fixture x;

	/* A: budget.daily 5.  L (3 parts) spends 3 at T0; at T0 + 600, its
	 * window's end, it needs 3 more of the 2 left: held */
	flood_config a = { 600, 0, 0, 5, 900, 100, group, 0.5, 0, 0 };
	fixture_init(&x, &a);
	ok(admit_parts(&x, L, T0, &n, &t3) == FLOOD_POST && t3,
	   "%s, daily 5: a 649-character alert is posted as a thread of 3 (%zu parts)", g, n);
	ok(admit_parts(&x, L, T0 + 600, &n, NULL) == FLOOD_HELD && n == 0,
	   "%s: at its window's end it needs 3 posts, 2 are left: held, not posted as one (%zu parts)", g, n);
	is_int(flood_pending(x.f, NULL), 1, "%s: the held alert waits for the digest", g);
	fixture_free(&x);

	/* B: budget.daily 10, no repeats in between.  L: 3 at T0, 3 more at
	 * T0 + 600 (6); M: 3 (9); S: 1 (10); S2: none left, held */
	flood_config b = { 600, 0, 0, 10, 900, 100, group, 0.5, 0, 0 };
	fixture_init(&x, &b);
	ok(admit_parts(&x, L, T0, &n, &t3) == FLOOD_POST && t3, "%s, daily 10: L posted as a thread of 3", g);
	ok(admit_parts(&x, L, T0 + 599, &n, NULL) == FLOOD_COUNTED && n == 0,
	   "%s: one second before its window's end L is a repeat: counted, not shaped", g);
	fixture_free(&x);
	fixture_init(&x, &b);
	admit_parts(&x, L, T0, &n, NULL);
	ok(admit_parts(&x, L, T0 + 600, &n, &t3) == FLOOD_POST && t3,
	   "%s: exactly at its window's end L is new again: posted, shaped as the thread of 3 it is (%zu parts)",
	   g, n);
	ok(admit_parts(&x, M, T0 + 601, &n, &t3) == FLOOD_POST && t3, "%s: M, another thread of 3: posts 7-9", g);
	ok(admit_parts(&x, S, T0 + 602, &n, NULL) == FLOOD_POST && n == 1, "%s: a one-part alert: post 10", g);
	ok(admit_parts(&x, S2, T0 + 603, &n, NULL) == FLOOD_HELD && n == 0,
	   "%s: the next is held: the boundary's thread spent 3 posts, not 1", g);
	fixture_free(&x);

	/* C: a repeat moves the window's end.  L at T0 (3), a repeat at
	 * T0 + 599 (counted: 1 waits, so one post is kept for the digest;
	 * the window now ends at T0 + 1199); at T0 + 1199 L is new: 3 + 1
	 * kept fit (3 + 4 <= 10), posted (6); M at T0 + 1200: 6 + 3 + 1 = 10,
	 * posted (9); S: 9 + 1 + 1 > 10, held */
	fixture_init(&x, &b);
	admit_parts(&x, L, T0, &n, NULL);
	ok(admit_parts(&x, L, T0 + 599, &n, NULL) == FLOOD_COUNTED, "%s: a repeat at T0 + 599 is counted", g);
	ok(admit_parts(&x, L, T0 + 1198, &n, NULL) == FLOOD_COUNTED && n == 0,
	   "%s: and one at T0 + 1198, inside the window the repeat extended, too", g);
	fixture_free(&x);
	fixture_init(&x, &b);
	admit_parts(&x, L, T0, &n, NULL);
	admit_parts(&x, L, T0 + 599, &n, NULL);
	ok(admit_parts(&x, L, T0 + 1199, &n, &t3) == FLOOD_POST && t3,
	   "%s: at the extended window's end (T0 + 1199) L is posted again as a thread of 3", g);
	ok(admit_parts(&x, M, T0 + 1200, &n, &t3) == FLOOD_POST && t3,
	   "%s: M fits with the digest's post kept (posts 7-9 of 10)", g);
	ok(admit_parts(&x, S, T0 + 1201, &n, NULL) == FLOOD_HELD && n == 0,
	   "%s: S does not (the last post is the digest's): held", g);
	is_int(flood_pending(x.f, NULL), 2, "%s: the repeat and S wait for the digest", g);
	fixture_free(&x);

	/* D: the local bucket, ratelimit.burst 4 an hour: L spends 3; at its
	 * window's end it needs 3 with 1 left: held; a one-part alert then
	 * still needs the digest's post kept: 3 + 1 + 1 > 4, held too */
	flood_config d = { 600, 3600, 4, 0, 900, 100, group, 0.5, 0, 0 };
	fixture_init(&x, &d);
	ok(admit_parts(&x, L, T0, &n, &t3) == FLOOD_POST && t3, "%s, burst 4/h: L posted as a thread of 3", g);
	ok(admit_parts(&x, L, T0 + 600, &n, NULL) == FLOOD_HELD,
	   "%s: at its window's end L needs 3 of the bucket's 1 left: held", g);
	ok(admit_parts(&x, S, T0 + 601, &n, NULL) == FLOOD_HELD,
	   "%s: S: the bucket's last post is kept for the digest: held", g);
	fixture_free(&x);

	/* E: the window's end after a post of a thread, without the memo's
	 * short cut: the same alert under a dedup key (key decides, text is
	 * shaped).  daily 5: the thread at the boundary is held */
	fixture_init(&x, &a);
	{
		tt_parts p = { 0 };
		ok(admit(&x, L, "rack 7", T0, &p) == FLOOD_POST && thread_of_3(&p),
		   "%s, dedup key: a thread of 3 posted", g);
		tweettext_parts_free(&p);
		ok(admit(&x, M, "rack 7", T0 + 300, &p) == FLOOD_COUNTED && p.n == 0,
		   "%s: another text with the same key inside the window: counted (window now ends at T0 + 900)", g);
		tweettext_parts_free(&p);
		ok(admit(&x, M, "rack 7", T0 + 900, &p) == FLOOD_HELD && p.n == 0,
		   "%s: at the window's end it is a 3-part alert with 2 posts left, 1 kept for the digest: held", g);
		tweettext_parts_free(&p);
	}
	fixture_free(&x);
	free(L);
	free(M);
}

static void test_window_boundary(void)
{
	window_boundary(FLOOD_GROUP_EXACT);
	window_boundary(FLOOD_GROUP_TEMPLATE);
}

/* Pacing's tokens come back from the state file, but never more than the
 * configured budget's capacity (budget.daily B: B/5 tokens, at least 1):
 * a state saved under budget.daily 50 (10 tokens saved up) restarts
 * under 50 with its 10 and under 10 with 2.  Counted by hand: one-part
 * alerts at the instant of the save (a quick restart: no time for the
 * refill, which would cap the tokens itself), each takes a token. */
static int posts_in_a_row(fixture *x, int max)
{
	int n = 0;

	for (int i = 0; i < max; i++) {
		char t[64];
		snprintf(t, sizeof(t), "bird_alert link %c%c down", 'a' + i % 26, 'a' + i / 26);
		if (admit(x, t, NULL, T0, NULL) != FLOOD_POST)
			break;
		n++;
	}
	return n;
}

static void test_paced_restart(void)
{
	flood_config big = { 600, 0, 0, 50, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 1 };
	flood_config small = { 600, 0, 0, 10, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 1 };
	fixture x;
	char *json = NULL;
	const char *why = NULL;

	fixture_init(&x, &big);
	if (flood_state_json(x.f, T0, &json) != OMTW_OK)
		abort();
	fixture_free(&x);

	fixture_init(&x, &big);
	ok(flood_state_parse(x.f, json, strlen(json), T0, &why) == OMTW_OK, "paced: the state loads (%s)",
	   why ? why : "ok");
	is_int(posts_in_a_row(&x, 30), 10, "budget.daily 50 as when it was saved: its 10 tokens, 10 posts at once");
	fixture_free(&x);

	fixture_init(&x, &small);
	why = NULL;
	ok(flood_state_parse(x.f, json, strlen(json), T0, &why) == OMTW_OK,
	   "the same state under budget.daily 10 loads (%s)", why ? why : "ok");
	is_int(posts_in_a_row(&x, 30), 2, "but holds no more than budget.daily 10's capacity: 2 posts at once");
	fixture_free(&x);
	free(json);
}

int main(void)
{
	test_same_verdicts();
	test_parts_and_key();
	test_incidents();
	test_window_boundary();
	test_paced_restart();
	return tap_done();
}
