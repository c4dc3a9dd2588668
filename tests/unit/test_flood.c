/* test_flood.c - flood control with a fake clock: dedup windows, budgets,
 * server limits, digests, eviction, state round trip and bad state files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "flood.h"
#include "tap.h"

#define T0 1800000000 /* 2027-01-15 08:00:00 UTC */

static flood_verdict admit(flood *f, const char *text, int nposts, time_t now)
{
	flood_verdict v = (flood_verdict)-1;
	if (flood_admit(f, text, strlen(text), text, strlen(text), nposts, now, &v, NULL) != OMTW_OK)
		return (flood_verdict)-1;
	return v;
}

static unsigned long long pending(flood *f)
{
	return flood_pending(f, NULL);
}

static void test_dedup_window(void)
{
	flood *f;

	ok(flood_new(&(flood_config){ 0 }, T0, &f) == OMTW_EINVAL, "a config without digest interval is refused");
	flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	ok(admit(f, "disk full", 1, T0) == FLOOD_POST, "first alert: posted");
	ok(admit(f, "disk full", 1, T0 + 1) == FLOOD_COUNTED, "same alert 1 s later: counted");
	ok(admit(f, "fan failure", 1, T0 + 2) == FLOOD_POST, "another alert: posted");
	ok(admit(f, "disk full", 1, T0 + 599) == FLOOD_COUNTED, "599 s later: still inside the window");
	ok(admit(f, "disk full", 1, T0 + 1198) == FLOOD_COUNTED,
	   "each repeat extends the window: 599 s after the last one, still counted");
	ok(admit(f, "disk full", 1, T0 + 1798) == FLOOD_POST, "after 600 s of silence: posted again");
	ok(admit(f, "disk full", 1, T0 + 1799) == FLOOD_COUNTED, "and a new window opened");
	is_int(pending(f), 4, "the four repeats wait for the digest");
	flood_free(f);

	flood_new(&(flood_config){ 0, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	ok(admit(f, "x", 1, T0) == FLOOD_POST && admit(f, "x", 1, T0) == FLOOD_POST,
	   "dedup.window 0: repeats are posted");
	flood_free(f);
}

/* flood_count_repeat: the id alone counts a repeat (what a memo of seen
 * texts uses), exactly as flood_admit would; anything else is left alone. */
static void test_count_repeat(void)
{
	flood *f;
	flood_ticket t, other;
	flood_verdict v;

	flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	ok(flood_admit(f, "disk full", 9, "disk full", 9, 1, T0, &v, &t) == OMTW_OK && v == FLOOD_POST,
	   "an alert is posted; its ticket is its id");
	flood_posted(f, &t);
	flood_clean(f);
	ok(flood_count_repeat(f, &t, T0 + 10) && pending(f) == 1 && flood_dirty(f),
	   "its id counts a repeat within the window (state changed)");
	ok(flood_count_repeat(f, &t, T0 + 609), "the repeat extended the window");
	ok(!flood_count_repeat(f, &t, T0 + 1209) && pending(f) == 2, "after the window: not a repeat, nothing counted");
	ok(admit(f, "disk full", 1, T0 + 1209) == FLOOD_POST, "so the full path posts it");
	memset(&other, 0x5a, sizeof(other));
	ok(!flood_count_repeat(f, &other, T0 + 1210), "an unknown id is not a repeat");
	flood_free(f);

	flood_new(&(flood_config){ 0, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	flood_admit(f, "x", 1, "x", 1, 1, T0, &v, &t);
	ok(!flood_count_repeat(f, &t, T0), "dedup.window 0: never a repeat");
	flood_free(f);
}

static void test_local_bucket(void)
{
	flood *f;

	flood_new(&(flood_config){ 0, 3600, 3, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	ok(admit(f, "a1", 1, T0) == FLOOD_POST && admit(f, "a2", 1, T0 + 10) == FLOOD_POST &&
	   admit(f, "a3", 1, T0 + 20) == FLOOD_POST, "burst 3: three posts");
	ok(admit(f, "a4", 1, T0 + 30) == FLOOD_HELD, "the fourth is held");
	ok(admit(f, "a5", 1, T0 + 3600) == FLOOD_HELD,
	   "one interval after the first post one post is free, kept for the digest");
	ok(admit(f, "a6", 1, T0 + 3620) == FLOOD_POST,
	   "when two are free, an alert may take one (the other stays for the digest)");
	is_int(pending(f), 2, "two alerts held");
	ok(admit(f, "big", 4, T0 + 3620) == FLOOD_HELD, "a thread of 4 parts does not fit a burst of 3");
	is_int(flood_next_event(f, T0 + 3620), T0 + 3620,
	       "a digest is due at once: its interval closed and the bucket has room");
	flood_free(f);

	flood_new(&(flood_config){ 0, 3600, 2, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	admit(f, "b1", 1, T0);
	admit(f, "b2", 1, T0 + 10);
	ok(admit(f, "b3", 1, T0 + 20) == FLOOD_HELD, "burst 2 spent: held");
	is_int(flood_next_event(f, T0 + 20), T0 + 3600,
	       "the timer sleeps until the bucket frees a post (after the digest interval)");
	flood_free(f);
}

static void test_daily_budget(void)
{
	flood *f;
	int posted = 0;

	flood_new(&(flood_config){ 0, 0, 0, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	for (int i = 0; i < 17; i++) {
		char t[16];
		snprintf(t, sizeof(t), "alert %d", i);
		posted += admit(f, t, 1, T0 + i * 60) == FLOOD_POST;
	}
	is_int(posted, 17, "17 alerts in an hour, daily budget 17, nothing held: all posted");
	ok(admit(f, "alert 17", 1, T0 + 3600) == FLOOD_HELD, "the 18th is held");
	ok(admit(f, "alert 18", 1, T0 + FLOOD_DAY) == FLOOD_HELD,
	   "24 h after the first post one is free, kept for the digest");
	ok(admit(f, "alert 19", 1, T0 + FLOOD_DAY + 60) == FLOOD_POST,
	   "a minute later two are free: the alert takes one");
	flood_free(f);
}

/* An alert the engine forgot before it was delivered (its list of alerts
 * waiting for a retry was full) comes back from rsyslog inside its own
 * dedup window: it resumes, once, without spending the budget again; a
 * repeat after that is a repeat. */
static void test_forgotten(void)
{
	flood *f;
	flood_ticket t;
	flood_verdict v = (flood_verdict)-1;
	flood_progress p = { .next = 1, .nparts = 2, .last_id = "1790000000000000777" }, q;

	flood_new(&(flood_config){ 600, 0, 0, 2, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	flood_admit(f, "disk full", 9, "disk full", 9, 2, T0, &v, &t);
	ok(v == FLOOD_POST, "posted first (two parts, daily budget 2)");
	ok(admit(f, "disk full", 2, T0 + 5) == FLOOD_COUNTED, "before it is forgotten the same text is a repeat");
	flood_progress_forgotten(f, &t, &p);
	ok(admit(f, "disk full", 2, T0 + 10) == FLOOD_POST,
	   "forgotten, then handed back within its window: posted again, not counted as a repeat of itself");
	memset(&q, 0, sizeof(q));
	ok(flood_resume(f, &t, &q) == 1 && q.next == 1 && q.nparts == 2 && !strcmp(q.last_id, "1790000000000000777"),
	   "it resumes where it stood: after part 1, as a reply to its post");
	ok(admit(f, "other alert", 1, T0 + 20) == FLOOD_HELD,
	   "the budget was spent once for it: an alert of one part is held (2 of 2 spent)");
	ok(admit(f, "disk full", 2, T0 + 30) == FLOOD_COUNTED, "once resumed, the same text is a repeat again");
	is_int(pending(f), 3, "the two repeats and the held alert wait for a digest");
	flood_free(f);
}

static void test_server_view(void)
{
	flood *f;
	flood_limit lim[FLOOD_SRV_N] = { { -1, -1 }, { 1, T0 + 500 }, { -1, -1 } };

	flood_new(&(flood_config){ 0, 0, 0, 0, 60, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	flood_server_view(f, lim, T0);
	ok(admit(f, "s1", 1, T0) == FLOOD_POST, "the server allows one more post: posted");
	ok(admit(f, "s2", 1, T0 + 1) == FLOOD_HELD, "its 24 h remaining is spent: held");
	is_int(flood_next_event(f, T0 + 1), T0 + 500, "the digest waits for the server's reset time");
	ok(admit(f, "s3", 1, T0 + 500) == FLOOD_POST, "after the reset: posted");
	lim[1] = (flood_limit){ -1, -1 };
	lim[0] = (flood_limit){ 0, 0 };
	flood_server_view(f, lim, T0 + 600);
	ok(admit(f, "s4", 1, T0 + 600) == FLOOD_POST, "a view with reset 0 makes no sense and is ignored");
	lim[0] = (flood_limit){ 0, T0 + 30L * FLOOD_DAY };
	flood_server_view(f, lim, T0 + 600);
	ok(admit(f, "s5", 1, T0 + 600) == FLOOD_POST, "a reset a month ahead makes no sense and is ignored");
	flood_free(f);

	/* 429: blocked until the reset */
	flood_new(&(flood_config){ 0, 0, 0, 0, 60, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	flood_block_until(f, T0 + 100);
	admit(f, "b", 1, T0);
	ok(admit(f, "c", 1, T0) == FLOOD_POST, "a 429 does not hold alerts (they wait, suspended)");
	is_int(flood_blocked_until(f), T0 + 100, "the block time is kept");
	flood_free(f);
}

static void test_digest_counts(void)
{
	flood *f;
	flood_digest d;
	int posted = 0;

	/* 10,000 identical alerts: one post, one digest of 9,999 */
	flood_new(&(flood_config){ 1000, 3600, 10, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	for (int i = 0; i < 10000; i++)
		posted += admit(f, "disk full on db1", 1, T0 + i / 100) == FLOOD_POST;
	is_int(posted, 1, "10,000 identical alerts: one post");
	ok(!flood_digest_take(f, T0 + 899, 4, &d), "no digest before the interval closes");
	ok(flood_digest_take(f, T0 + 900, 4, &d), "a digest when it closes");
	is_int(d.total, 9999, "it carries 9,999 alerts");
	ok(d.nitems == 1 && d.items[0].count == 9999 && strcmp(d.items[0].text, "disk full on db1") == 0,
	   "one distinct text with its exact count");
	is_int(d.maxposts, 4, "the budget allows a thread of 4");
	admit(f, "disk full on db1", 1, T0 + 901); /* arrives while the digest is in flight */
	flood_digest_done(f, &d, 1, T0 + 902);
	flood_digest_free(&d);
	is_int(pending(f), 1, "counts that arrived meanwhile stay for the next digest");
	ok(!flood_digest_take(f, T0 + 1000, 4, &d), "the next period starts when the digest went out");
	flood_free(f);

	/* 100 distinct alerts with burst 5: 5 posts, digests add up to 95 */
	unsigned long long digested = 0;
	flood_new(&(flood_config){ 600, 3600, 5, 0, 60, 1000, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	posted = 0;
	for (int i = 0; i < 100; i++) {
		char t[32];
		snprintf(t, sizeof(t), "distinct alert %03d", i);
		posted += admit(f, t, 1, T0) == FLOOD_POST;
	}
	is_int(posted, 5, "burst 5: five posts (nothing waited for a digest yet)");
	for (time_t now = T0; now < T0 + 3 * 3600; now += 60)
		if (flood_digest_take(f, now, 4, &d)) {
			digested += d.total;
			flood_digest_done(f, &d, 1, now);
			flood_digest_free(&d);
		}
	is_int(digested, 95, "digests add up to exactly 95");
	is_int(pending(f), 0, "nothing left");
	flood_free(f);
}

static void test_eviction(void)
{
	flood *f;
	flood_digest d;
	unsigned long long distinct = 0;

	flood_new(&(flood_config){ 600, 3600, 1, 0, 60, 10, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	admit(f, "first", 1, T0); /* takes the only post */
	for (int i = 0; i < 50; i++) {
		char t[32];
		snprintf(t, sizeof(t), "alert %02d", i % 25);
		admit(f, t, 1, T0 + 1);
	}
	is_int(flood_pending(f, &distinct), 50, "50 held alerts in a table of 10: the count is exact");
	ok(distinct >= 25, "distinct counts at least the 25 texts (%llu)", distinct);
	ok(flood_digest_take(f, T0 + 3600, 4, &d), "a digest once the bucket frees");
	unsigned long long listed = 0;
	for (size_t i = 0; i < d.nitems; i++)
		listed += d.items[i].count;
	is_int(listed + d.others, 50, "listed plus others is exactly 50");
	ok(d.nitems <= 10, "at most maxentries texts are listed");
	flood_digest_done(f, &d, 1, T0 + 3600);
	flood_digest_free(&d);
	is_int(pending(f), 0, "all accounted for");
	flood_free(f);
}

static void test_digest_text(void)
{
	flood *f;
	flood_digest d;
	tt_parts p;
	tt_config shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };

	flood_new(&(flood_config){ 600, 3600, 1, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	admit(f, "first", 1, T0);
	for (int i = 0; i < 37; i++)
		admit(f, "disk full on db1", 1, T0 + 1);
	admit(f, "fan failure on db2", 1, T0 + 2);
	flood_digest_take(f, T0 + 3600, 1, &d);
	ok(digest_compose(&d, &shape, &p, NULL) == OMTW_OK && p.n == 1, "a small digest is one post");
	is_str(p.n ? p.part[0] : NULL,
	       "Digest 2027-01-15 08:00\u201309:00 UTC: 38 alerts, 2 distinct. "
	       "[\u00d737] disk full on db1 [\u00d71] fan failure on db2",
	       "it says the period, the total, the distinct count and each text with its count");
	tweettext_parts_free(&p);
	flood_digest_free(&d);
	flood_free(f);

	/* 500 distinct alerts: as many as fit, the rest summed up */
	flood_new(&(flood_config){ 600, 3600, 3, 0, 900, 1000, FLOOD_GROUP_EXACT, 0, 0, 0 }, T0, &f);
	admit(f, "first", 3, T0); /* a thread of 3 takes the burst */
	for (int i = 0; i < 500; i++) {
		char t[64];
		snprintf(t, sizeof(t), "service %03d on host%03d is down", i, i);
		for (int k = 0; k <= (i < 3 ? 3 - i : 0); k++)
			admit(f, t, 1, T0 + 5);
	}
	flood_digest_take(f, T0 + 3600, 3, &d);
	if (!ok(digest_compose(&d, &shape, &p, NULL) == OMTW_OK && p.n == 3, "a big digest fills the 3 posts allowed"))
		for (size_t i = 0; i < p.n; i++)
			printf("#   part %zu: %s\n", i, p.part[i]);
	int sane = !p.truncated;
	for (size_t i = 0; i < p.n; i++)
		sane &= tweettext_weighted_length(p.part[i], strlen(p.part[i]), 0) <= 280;
	ok(sane, "each part fits 280 and nothing was cut mid-item");
	ok(p.n && strstr(p.part[0], "[\u00d74] service 000 on host000 is down") != NULL,
	   "the most frequent comes first");
	ok(p.n && strstr(p.part[p.n - 1], " more (") != NULL, "the rest is summed up at the end");
	/* the listed counts plus the "more" count are the total */
	unsigned long long listed = 0, more = 0, n;
	for (size_t i = 0; i < p.n; i++) {
		const char *s = p.part[i];
		while ((s = strstr(s, "[\u00d7")) != NULL) {
			s += strlen("[\u00d7");
			listed += strtoull(s, NULL, 10);
		}
		if ((s = strstr(p.part[i], " more (")) && sscanf(s, " more (%llu", &n) == 1)
			more = n;
	}
	is_int(listed + more, 506, "listed counts plus the rest are exactly the 506 alerts");
	tweettext_parts_free(&p);
	flood_digest_free(&d);
	flood_free(f);
}

static void test_state(void)
{
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[512], aside[160];
	flood_config c = { 600, 3600, 2, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	flood *f, *g;
	flood_digest d;
	struct stat st;
	FILE *fp;

	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/omtwitter-test.state", dir);
	flood_new(&c, T0, &f);
	ok(flood_load(f, path, T0, err, sizeof(err)) == OMTW_OK, "no state file: a clean start");
	const char *quoted = "held \"quoted\" \\ text \u00e9";
	flood_ticket tk;
	flood_verdict vk;
	flood_admit(f, quoted, strlen(quoted), quoted, strlen(quoted), 1, T0, &vk, &tk);
	flood_posted(f, &tk);
	for (int i = 1; i < 5; i++)
		admit(f, quoted, 1, T0 + i);
	admit(f, "another", 1, T0 + 10);
	ok(flood_dirty(f), "admissions make the state dirty");
	ok(flood_save(f, path, err, sizeof(err)) == OMTW_OK, "state saved");
	stat(path, &st);
	is_int(st.st_mode & 0777, 0600, "the state file is 0600");

	flood_new(&c, T0 + 20, &g);
	if (!ok(flood_load(g, path, T0 + 20, err, sizeof(err)) == OMTW_OK, "state loaded"))
		printf("#   %s\n", err);
	is_int(pending(g), pending(f), "the counts survive");
	ok(admit(g, "held \"quoted\" \\ text \u00e9", 1, T0 + 30) == FLOOD_COUNTED,
	   "the dedup window survives");
	ok(admit(g, "new one", 1, T0 + 30) == FLOOD_HELD, "the budget already spent is still spent");
	ok(flood_digest_take(g, T0 + 3600, 4, &d) && d.total == pending(f) + 2,
	   "the next digest carries the alerts held before the restart");
	flood_digest_free(&d);
	flood_free(g);
	flood_free(f);

	/* an alert whose post was never confirmed is posted again after a restart */
	flood_config open = { 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	flood_ticket t1, t2;
	flood_verdict v1, v2;
	flood_new(&open, T0, &f);
	flood_admit(f, "one", 3, "one", 3, 1, T0, &v1, &t1);
	flood_admit(f, "two", 3, "two", 3, 1, T0, &v2, &t2);
	flood_posted(f, &t2);
	ok(v1 == FLOOD_POST && v2 == FLOOD_POST && admit(f, "one", 1, T0 + 1) == FLOOD_COUNTED,
	   "an alert being posted already dedups its repeats");
	flood_save(f, path, err, sizeof(err));
	flood_free(f);
	flood_new(&open, T0 + 5, &f);
	flood_load(f, path, T0 + 5, err, sizeof(err));
	ok(admit(f, "one", 1, T0 + 5) == FLOOD_POST, "after a restart an unconfirmed post is posted again");
	ok(admit(f, "two", 1, T0 + 5) == FLOOD_COUNTED, "a confirmed post keeps its dedup window");
	is_int(pending(f), 2, "the repeats counted before and after the restart are kept");
	flood_free(f);

	/* bad files are moved aside, never trusted */
	static const char *const bad[] = {
		"not json at all", "{\"format\":\"something-else\",\"version\":1}",
		"{\"format\":\"omtwitter-flood-state\",\"version\":99}",
		"{\"format\":\"omtwitter-flood-state\",\"version\":1,\"period_start\":-5}", "",
		"{\"format\":\"omtwitter-flood-state\",\"version\":1,\"saved\":0,\"period_start\":0,"
		"\"blocked_until\":0,\"others\":[0,0],\"local\":[],\"daily\":[],"
		"\"server\":[[-1,-1],[-1,-1],[-1,-1]],\"entries\":[[\"zz\",\"t\",0,1]]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fp = fopen(path, "w");
		fputs(bad[i], fp);
		fclose(fp);
		flood_new(&c, T0, &g);
		err[0] = '\0';
		int refused = flood_load(g, path, T0, err, sizeof(err)) == OMTW_EINVAL;
		ok(refused && strstr(err, "moved to") && access(path, F_OK) != 0 && pending(g) == 0,
		   "bad state file %zu refused, moved aside, clean start", i);
		if (i == 0)
			printf("#   %s\n", err);
		char *p = strstr(err, "moved to ");
		if (p) {
			snprintf(aside, sizeof(aside), "%.*s", (int)strcspn(p + 9, " "), p + 9);
			unlink(aside);
		}
		flood_free(g);
	}
	rmdir(dir);
}

/* ---- incidents (FLOOD_GROUP_TEMPLATE) ---- */

static flood *grouping(long window, long burst, size_t maxentries)
{
	flood *f = NULL;

	if (flood_new(&(flood_config){ window, 3600, burst, 0, 900, maxentries, FLOOD_GROUP_TEMPLATE, 0.5, 0, 0 }, T0, &f) !=
	    OMTW_OK) {
		printf("Bail out! flood_new (template) failed\n");
		exit(1);
	}
	return f;
}

static void test_incidents(void)
{
	flood *f;
	flood_digest d;
	flood_ticket t1, t2, t3;
	flood_verdict v;
	char line[96];

	ok(flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, 7, 0.5, 0, 0 }, T0, &f) == OMTW_EINVAL,
	   "an unknown group is refused");
	ok(flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, FLOOD_GROUP_TEMPLATE, 1.5, 0, 0 }, T0, &f) == OMTW_EINVAL,
	   "a similarity above 1 is refused");
	ok(flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, FLOOD_GROUP_TEMPLATE, -0.1, 0, 0 }, T0, &f) == OMTW_EINVAL,
	   "a similarity below 0 is refused");

	/* 1,400 failed logins that differ in the user: one incident */
	f = grouping(7200, 5, 100);
	const char *first = "sshd: failed login for invalid user u0827";
	flood_admit(f, first, strlen(first), first, strlen(first), 1, T0, &v, &t1);
	is_int(v, FLOOD_POST, "the first line of an incident is posted");
	ok(flood_incident(&t1) == 1, "its ticket names incident 1 (%llu)", flood_incident(&t1));
	flood_posted(f, &t1);
	int counted = 0;
	for (int i = 1; i < 1400; i++) {
		if (i == 1)
			snprintf(line, sizeof(line), "sshd: failed login for invalid user u0832");
		else if (i % 2)
			snprintf(line, sizeof(line), "sshd: failed login for invalid user admin");
		else
			snprintf(line, sizeof(line), "sshd: failed login for invalid user u%04d", 1000 + i);
		counted += admit(f, line, 1, T0 + 1 + i / 100) == FLOOD_COUNTED;
	}
	is_int(counted, 1399, "the 1,399 others are counted as the same incident, not posted");
	flood_admit(f, "raid md0 degraded", 17, "raid md0 degraded", 17, 1, T0 + 20, &v, &t2);
	ok(v == FLOOD_POST && flood_incident(&t2) == 2, "a line whose leading words differ is another incident, posted");
	flood_posted(f, &t2);
	flood_admit(f, "disk /var full on db1", 21, "disk /var full on db1", 21, 1, T0 + 21, &v, &t3);
	ok(v == FLOOD_POST && flood_incident(&t3) == 3, "so is a disk alert");
	flood_posted(f, &t3);
	ok(admit(f, "disk /var full on db7", 1, T0 + 22) == FLOOD_COUNTED, "the disk filling on another host joins it");
	is_int(flood_incidents(f), 3, "three incidents remembered");
	is_int(pending(f), 1400, "1,399 + 1 alerts wait for the digest: every alert in exactly one count");
	ok(flood_digest_take(f, T0 + 3600, 1, &d) && d.nitems == 2, "a digest of two rows");
	if (d.nitems == 2) {
		is_str(d.items[0].text, "sshd: failed login for invalid user <*> (admin, u0832, u1002, +698)",
		       "the row: the template, the most frequent values (first seen first among equals), the rest");
		is_int(d.items[0].count, 1399, "and the exact count");
		is_str(d.items[1].text, "disk /var full on db<*> (db7)", "one value: no '+'");
	}
	tt_parts p;
	tt_config shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	ok(digest_compose(&d, &shape, &p, NULL) == OMTW_OK && p.n == 1 &&
	   strstr(p.part[0], "[\u00d71399] sshd: failed login for invalid user <*> (admin, u0832, u1002, +698)"),
	   "the digest post shows the row with its count");
	if (p.n)
		printf("#   %s\n", p.part[0]);
	tweettext_parts_free(&p);
	flood_digest_done(f, &d, 1, T0 + 3600);
	flood_digest_free(&d);
	is_int(pending(f), 0, "all accounted for after the digest");
	admit(f, "sshd: failed login for invalid user zed", 1, T0 + 3700);
	ok(flood_digest_take(f, T0 + 3600 + 900, 1, &d) && d.nitems == 1 &&
	   strcmp(d.items[0].text, "sshd: failed login for invalid user <*> (zed)") == 0,
	   "the values are counted afresh for the next digest (%s)", d.nitems ? d.items[0].text : "-");
	flood_digest_free(&d);
	flood_free(f);

	/* the miner forgets the least recently seen incident: its count moves to "others" */
	f = grouping(600, 1, 5);
	admit(f, "first alert of all", 1, T0);
	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "kind%c thing happened", 'a' + i); /* 20 incidents */
		admit(f, line, 1, T0 + 1);
		admit(f, line, 1, T0 + 2);
	}
	unsigned long long distinct = 0;
	is_int(flood_pending(f, &distinct), 40, "40 held alerts of 20 incidents in a miner of 5: exact");
	is_int(flood_incidents(f), 5, "the miner remembers 5");
	ok(flood_digest_take(f, T0 + 3600, 1, &d), "a digest");
	unsigned long long listed = 0;
	for (size_t i = 0; i < d.nitems; i++)
		listed += d.items[i].count;
	ok(d.nitems <= 5 && listed + d.others == 40, "rows (%zu) plus others: exactly 40", d.nitems);
	ok(d.others == 30 && d.others_distinct == 15, "the 15 forgotten incidents are in others (%llu, %llu)", d.others,
	   d.others_distinct);
	flood_digest_done(f, &d, 1, T0 + 3600);
	flood_digest_free(&d);
	is_int(pending(f), 0, "all accounted for");
	flood_free(f);

	/* exact grouping keeps today's behaviour: each text its own alert */
	flood_new(&(flood_config){ 600, 3600, 5, 0, 900, 100, FLOOD_GROUP_EXACT, 0.5, 0, 0 }, T0, &f);
	admit(f, "disk /var full on db1", 1, T0);
	ok(admit(f, "disk /var full on db2", 1, T0 + 1) == FLOOD_POST, "group exact: another host is another alert");
	flood_admit(f, "x", 1, "x", 1, 1, T0 + 2, &v, &t1);
	is_int(flood_incident(&t1), 0, "and its ticket names no incident");
	is_int(flood_incidents(f), 0, "no miner");
	flood_free(f);

	/* without a dedup window nothing is the same alert: keys stay exact */
	flood_new(&(flood_config){ 0, 0, 0, 0, 900, 100, FLOOD_GROUP_TEMPLATE, 0.5, 0, 0 }, T0, &f);
	ok(!flood_groups(f), "group template without a dedup window does not group");
	flood_admit(f, "disk /var full on db1", 21, "disk /var full on db1", 21, 1, T0, &v, &t1);
	flood_admit(f, "disk /var full on db2", 21, "disk /var full on db2", 21, 1, T0, &v, &t2);
	ok(flood_incident(&t1) == 0 && memcmp(t1.id, t2.id, sizeof(t1.id)) != 0,
	   "two lines of one template keep tickets of their own (a post's progress is its own)");
	flood_free(f);
	f = grouping(600, 1, 10);
	ok(flood_groups(f), "with a window it groups");
	flood_free(f);
}

static void test_incidents_state(void)
{
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[512];
	flood *f, *g;
	flood_digest d;
	flood_ticket t1, t2;
	flood_verdict v;
	FILE *fp;

	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/omtwitter-test.state", dir);
	f = grouping(600, 1, 100);
	flood_admit(f, "link eth0 down, speed 100Mb/s", 29, "link eth0 down, speed 100Mb/s", 29, 1, T0, &v, &t1);
	flood_posted(f, &t1);
	admit(f, "link eth1 down, speed 1000Mb/s", 1, T0 + 1);
	admit(f, "link eth2 down, speed 10Mb/s", 1, T0 + 2);
	admit(f, "link eth2 down, speed 10Mb/s", 1, T0 + 3);
	ok(flood_save(f, path, err, sizeof(err)) == OMTW_OK, "state saved");
	fp = fopen(path, "r");
	char buf[8192] = "";
	size_t n = fp ? fread(buf, 1, sizeof(buf) - 1, fp) : 0;
	buf[n] = '\0';
	if (fp)
		fclose(fp);
	ok(strstr(buf, "\"incidents\":{\"last\":1,\"list\":[[1,5,[0,2,3],[\"link\",[\"eth<*>\",\"eth<*>\"],\"down,\",\"speed\","
		  "[\"<*>Mb\\/s\",\"<*>Mb\\/s\"]]]]}") != NULL,
	   "the file holds the incident: its template, slot by slot");
	ok(strstr(buf, "[[\"eth2 10Mb\\/s\",2],[\"eth1 1000Mb\\/s\",1]]") != NULL ||
	   strstr(buf, "[[\"eth1 1000Mb\\/s\",1],[\"eth2 10Mb\\/s\",2]]") != NULL,
	   "and the values counted for the digest");
	g = grouping(600, 1, 100);
	if (!ok(flood_load(g, path, T0 + 10, err, sizeof(err)) == OMTW_OK, "state loaded"))
		printf("#   %s\n", err);
	flood_admit(g, "link eth7 down, speed 100Mb/s", 29, "link eth7 down, speed 100Mb/s", 29, 1, T0 + 20, &v, &t2);
	ok(v == FLOOD_COUNTED && flood_incident(&t2) == 1, "after the restart a line of it joins the same incident");
	flood_admit(g, "fan 2 failed", 12, "fan 2 failed", 12, 1, T0 + 3600, &v, &t2);
	is_int(flood_incident(&t2), 2, "a new incident is numbered on");
	ok(flood_digest_take(g, T0 + 3601, 1, &d) && d.nitems >= 1, "a digest");
	if (d.nitems)
		is_str(d.items[0].text, "link eth<*> down, speed <*>Mb/s (eth2 10Mb/s, eth1 1000Mb/s, eth7 100Mb/s)",
		       "its row has the values counted before and after the restart");
	flood_digest_free(&d);
	flood_free(g);
	flood_free(f);

	/* a file saved before incidents (or with group exact) loads: its counts go out under their text */
	fp = fopen(path, "w");
	fputs("{\"format\":\"omtwitter-flood-state\",\"version\":1,\"saved\":0,\"period_start\":0,"
	      "\"blocked_until\":0,\"others\":[0,0],\"local\":[],\"daily\":[],"
	      "\"server\":[[-1,-1],[-1,-1],[-1,-1]],\"entries\":[[\"0123456789abcdef0123456789abcdef\","
	      "\"disk full on db1\",0,4]]}", fp);
	fclose(fp);
	g = grouping(600, 1, 100);
	ok(flood_load(g, path, T0, err, sizeof(err)) == OMTW_OK && pending(g) == 4,
	   "a state file of the format before incidents loads, its 4 alerts kept");
	ok(flood_digest_take(g, T0 + 3600, 1, &d) && d.nitems == 1 && strcmp(d.items[0].text, "disk full on db1") == 0,
	   "and they go out under their text");
	flood_digest_free(&d);
	flood_free(g);

	/* bad incidents: the file is refused as a whole */
	static const char *const bad[] = {
		"[[1,2,[0],[\"disk\"]]]",              /* ntok and slots disagree */
		"[[0,1,[0],[\"disk\"]]]",              /* id 0 */
		"[[9,1,[0],[\"disk\"]]]",              /* id above last */
		"[[1,1,[0],[null]]]",                  /* a leading word at a variable */
		"[[1,1,[0],[\"di sk\"]]]",             /* a blank in a token */
		"[[1,1,[0],[[\"disk\"]]]]",            /* numbers without <*> */
		"[[1,1,[0],[5]]]",                     /* a number as a slot */
		"[[1,1,[0],[\"disk\"]],[1,1,[0],[\"fan\"]]]", /* an id twice */
		"[[1,1,[0,0],[\"disk\"]]]",            /* leading words out of order */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fp = fopen(path, "w");
		fprintf(fp, "{\"format\":\"omtwitter-flood-state\",\"version\":1,\"saved\":0,\"period_start\":0,"
			"\"blocked_until\":0,\"others\":[0,0],\"local\":[],\"daily\":[],"
			"\"server\":[[-1,-1],[-1,-1],[-1,-1]],\"entries\":[],\"incidents\":{\"last\":5,\"list\":%s}}",
			bad[i]);
		fclose(fp);
		g = grouping(600, 1, 100);
		err[0] = '\0';
		int refused = flood_load(g, path, T0, err, sizeof(err)) == OMTW_EINVAL;
		ok(refused && strstr(err, "an incident") && flood_incidents(g) == 0, "bad incident %zu refused (%s)", i,
		   i == 0 ? err : "");
		char *p = strstr(err, "moved to ");
		if (p) {
			char aside[200];
			snprintf(aside, sizeof(aside), "%.*s", (int)strcspn(p + 9, " "), p + 9);
			unlink(aside);
		}
		flood_free(g);
	}
	/* the good form of the same record loads (the checks above are not vacuous) */
	fp = fopen(path, "w");
	fputs("{\"format\":\"omtwitter-flood-state\",\"version\":1,\"saved\":0,\"period_start\":0,"
	      "\"blocked_until\":0,\"others\":[0,0],\"local\":[],\"daily\":[],"
	      "\"server\":[[-1,-1],[-1,-1],[-1,-1]],\"entries\":[],\"incidents\":{\"last\":5,\"list\":[[1,2,[0],[\"disk\",null]]]}}",
	      fp);
	fclose(fp);
	g = grouping(600, 1, 100);
	ok(flood_load(g, path, T0, err, sizeof(err)) == OMTW_OK && flood_incidents(g) == 1, "the good record loads");
	flood_admit(g, "disk 42", 7, "disk 42", 7, 1, T0, &v, &t1);
	is_int(flood_incident(&t1), 1, "a line of it joins it (a variable slot: null)");
	flood_admit(g, "other thing", 11, "other thing", 11, 1, T0, &v, &t1);
	is_int(flood_incident(&t1), 6, "and ids continue after 'last'");
	flood_free(g);
	unlink(path);
	rmdir(dir);
}

/* ---- digests only with news (digest_repeat) ---- */

/* A digest at now, if one is due: its text's rows ("" if none), done at once. */
static int digest_now(flood *f, time_t now, char *rows, size_t size, unsigned long long *total)
{
	flood_digest d;
	size_t o = 0;

	rows[0] = '\0';
	if (!flood_digest_take(f, now, 4, &d))
		return 0;
	for (size_t i = 0; i < d.nitems && o < size; i++)
		o += (size_t)snprintf(rows + o, size - o, "%s[%llu%s] %s", i ? "; " : "", d.items[i].count,
				      d.items[i].quiet ? " quiet" : "", d.items[i].text);
	if (total)
		*total = d.total;
	flood_digest_done(f, &d, 1, now);
	flood_digest_free(&d);
	return 1;
}

static void test_news_only(void)
{
	/* window 600, burst 10/3600, no daily cap, digests every 900, restated every 3600 */
	flood_config c = { 600, 3600, 10, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 3600, 0 };
	flood *f;
	char rows[1024];
	unsigned long long total, digested = 0, posted = 0, all = 0;
	flood_verdict v;

	ok(flood_new(&(flood_config){ 600, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, -1, 0 }, T0, &f) == OMTW_EINVAL,
	   "a negative digest_repeat is refused");
	flood_new(&c, T0, &f);
	/* a disk fills at T0 and keeps firing every 10 s for 2 hours */
	for (time_t t = T0; t < T0 + 7200; t += 10) {
		v = admit(f, "disk full on db1", 1, t);
		all++;
		posted += v == FLOOD_POST;
		if ((t - T0) % 900 == 0 && t > T0 && digest_now(f, t, rows, sizeof(rows), &total)) {
			digested += total;
			printf("#   %ld: %s\n", (long)(t - T0), rows);
			ok(t - T0 >= 3600, "no digest of an alert already shown before digest_repeat (at +%lds: %s)",
			   (long)(t - T0), rows);
		}
	}
	is_int(posted, 1, "the first line is posted, the rest counted");
	ok(digested == 360, "one restatement at +3600 with the 360 counted since the post (%llu)", digested);
	/* the next restatement: digest_repeat after the last */
	ok(digest_now(f, T0 + 7200, rows, sizeof(rows), &total) && total == 359 &&
	   strcmp(rows, "[359] disk full on db1") == 0, "at +7200 the next one, with the 359 since (%s)", rows);
	digested += total;
	is_int(posted + digested + pending(f), all, "posted + digested + waiting = every alert");
	ok(!digest_now(f, T0 + 7200 + 1800, rows, sizeof(rows), NULL), "quiet alone sends no digest");
	ok(admit(f, "raid degraded on db2", 1, T0 + 9000) == FLOOD_POST, "a new alert is posted at once");
	/* the raid alert's repeats are not news; a fan held by the budget is */
	char fill[32];
	for (int i = 0; i < 9; i++) {
		snprintf(fill, sizeof(fill), "filler %d", i);
		admit(f, fill, 1, T0 + 9001);
	}
	ok(admit(f, "fan failure on db3", 1, T0 + 9100) == FLOOD_HELD, "the budget spent: a new alert is held");
	ok(digest_now(f, T0 + 10800, rows, sizeof(rows), &total), "a held alert is news: a digest at the next close");
	ok(strstr(rows, "[1] fan failure on db3") && strstr(rows, "[0 quiet] disk full on db1"),
	   "it has the news and says the disk went quiet: %s", rows);
	ok(strstr(rows, "raid") == NULL, "the raid alert, shown at +9000, is not restated before +12600");
	{
		/* how the phone shows it */
		flood_digest q = { .from = T0 + 9900, .to = T0 + 10800, .total = 3, .distinct = 2, .maxposts = 1 };
		flood_item it[3] = { { "fan failure on db3", 1, { { 0 } }, 0, 0 },
				     { "link down", 2, { { 0 } }, T0 + 9100, 2 },
				     { "disk full on db1", 0, { { 0 } }, T0 + 7190, 719 } };
		tt_config shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
		tt_parts p;
		q.items = it;
		q.nitems = 3;
		ok(digest_compose(&q, &shape, &p, NULL) == OMTW_OK && p.n == 1, "a digest with quiet rows composes");
		is_str(p.n ? p.part[0] : NULL,
		       "Digest 2027-01-15 10:45\u201311:00 UTC: 3 alerts, 2 distinct. [\u00d71] fan failure on db3 "
		       "[\u00d72] link down (quiet since 10:31) Quiet since 09:59: disk full on db1 (\u00d7719 in all).",
		       "a row that went quiet says since when; one that is only quiet says it and its count in all");
		tweettext_parts_free(&p);
	}
	flood_digest d;
	ok(!flood_digest_take(f, T0 + 10800 + 900, 4, &d), "the same picture is not sent again");
	flood_free(f);

	/* restarts keep what was shown: no restatement right after one */
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[256];
	flood *g;
	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/s.state", dir);
	flood_new(&c, T0, &f);
	admit(f, "disk full on db1", 1, T0);
	for (time_t t = T0 + 10; t < T0 + 600; t += 10)
		admit(f, "disk full on db1", 1, t);
	ok(flood_save(f, path, err, sizeof(err)) == OMTW_OK, "saved");
	flood_new(&c, T0 + 600, &g);
	ok(flood_load(g, path, T0 + 600, err, sizeof(err)) == OMTW_OK, "loaded");
	ok(!digest_now(g, T0 + 900, rows, sizeof(rows), NULL), "after a restart the alert shown before is no news (%s)", rows);
	ok(digest_now(g, T0 + 3600, rows, sizeof(rows), &total) && total == 59 && strstr(rows, "quiet"),
	   "it is restated at +3600 with its 59, and quiet: %s", rows);
	flood_free(g);
	flood_free(f);
	unlink(path);
	rmdir(dir);
}

/* ---- pacing ---- */

static void test_pacing(void)
{
	/* B 17: capacity 3, one post back every 86400 / 14 = 6171.4 s */
	flood_config c = { 0, 3600, 100, 17, 900, 1000, FLOOD_GROUP_EXACT, 0, 14400, 1 };
	flood *f;
	char t[64], rows[2048];
	int posted = 0;
	unsigned long long total = 0;

	is_int(FLOOD_PACE_CAPACITY(17), 3, "B 17 saves up 3 posts");
	is_int(FLOOD_PACE_CAPACITY(1000), 200, "B 1000 saves up 200");
	is_int(FLOOD_PACE_CAPACITY(2), 1, "B 2 saves up 1");
	flood_new(&c, T0, &f);
	for (int i = 0; i < 10; i++) {
		snprintf(t, sizeof(t), "service %c down", 'a' + i);
		posted += admit(f, t, 1, T0) == FLOOD_POST;
	}
	is_int(posted, 3, "a storm of 10 new alerts: the first 3 are posted at once, the rest held");
	ok(!digest_now(f, T0 + 900, rows, sizeof(rows), NULL), "no post left at the next close: the held wait");
	is_int(flood_next_event(f, T0 + 900), T0 + 6172, "the timer wakes when a post comes back (6172 s)");
	ok(!digest_now(f, T0 + 6171, rows, sizeof(rows), NULL), "not a second before");
	ok(digest_now(f, T0 + 6172, rows, sizeof(rows), &total) && total == 7,
	   "then one digest shows all 7 held alerts: news takes one post (%llu: %s)", total, rows);
	/* a restatement leaves one post for news */
	flood_free(f);
	flood_config w = { 600, 3600, 100, 17, 900, 1000, FLOOD_GROUP_EXACT, 0, 1800, 1 };
	flood_new(&w, T0, &f);
	admit(f, "disk full", 1, T0);
	admit(f, "raid degraded", 1, T0);
	admit(f, "fan failed", 1, T0);
	for (time_t x = T0 + 10; x < T0 + 1800; x += 10)
		admit(f, "disk full", 1, x); /* still firing, window open */
	ok(!digest_now(f, T0 + 1800, rows, sizeof(rows), NULL), "a restatement due with one post in hand (%.2f) waits: "
	   "it must leave one for news", 1800.0 / 6171.4);
	ok(admit(f, "link down", 1, T0 + 6200) == FLOOD_POST, "a new alert takes the one post that came back");
	ok(!digest_now(f, T0 + 6300, rows, sizeof(rows), NULL), "the restatement still waits");
	ok(digest_now(f, T0 + 6200 + 2 * 6172, rows, sizeof(rows), &total) && strstr(rows, "disk full"),
	   "with two posts back it goes out: %s", rows);
	flood_free(f);

	/* a thread longer than the 3 saved up goes once they are full, and
	 * empties them; not before (else a 4-part alert could never go) */
	flood_new(&c, T0, &f);
	ok(admit(f, "short one", 1, T0) == FLOOD_POST, "one post of the 3 saved up");
	ok(admit(f, "a long alert", 4, T0 + 1) == FLOOD_HELD, "a 4-part thread with 2 in hand is held");
	flood_free(f);
	flood_new(&c, T0, &f);
	ok(admit(f, "a long alert", 4, T0) == FLOOD_POST, "a 4-part thread with the 3 saved up is posted");
	ok(admit(f, "next one", 1, T0 + 1) == FLOOD_HELD, "and empties them: the next new alert is held");
	ok(admit(f, "one later", 1, T0 + 6172) == FLOOD_POST, "until a post comes back (6172 s)");
	flood_free(f);

	/* three days of a new alert every minute: never more than 17 posts in
	 * 24 h, and spread over the day, not spent in the first hour */
	time_t stamps[1000];
	size_t n = 0;
	int first_hour = 0, max24 = 0, ndigests = 0;
	long long waiting_day2 = -1;
	flood_new(&c, T0, &f);
	for (time_t x = T0; x < T0 + 3 * 86400; x += 60) {
		snprintf(t, sizeof(t), "node%ld down", (long)(x - T0) / 60);
		if (admit(f, t, 1, x) == FLOOD_POST && n < 1000)
			stamps[n++] = x;
		if ((x - T0) % 900 == 0 && digest_now(f, x, rows, sizeof(rows), NULL) && n < 1000) {
			stamps[n++] = x;
			ndigests++;
		}
		if (x == T0 + 86400 + 600)
			waiting_day2 = (long long)flood_pending(f, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		int k = 0;
		for (size_t j = i; j < n && stamps[j] < stamps[i] + 86400; j++)
			k++;
		if (k > max24)
			max24 = k;
		first_hour += stamps[i] < T0 + 3600;
	}
	/* Worked by hand: the 3 saved up go at minutes 0, 1 and 2; the k-th post
	 * back is due at k * 86400 / 14 s and the next new alert (one a minute)
	 * takes it, so no digest ever has a post to go with.  In 3 days 41 come
	 * back (the 42nd is due at the very end): 44 posts.  The 24 h from the
	 * second post hold it, the third and 14 back: 16 (from the first: 3 +
	 * 13); the first hour only the 3 saved up (the first back at 6171 s). */
	is_int(max24, 16, "never more than budget.daily = 17 posts in any 24 h: at most 16 (2 saved up + 14 back)");
	is_int(first_hour, 3, "the first hour spends the 3 saved up, no more");
	is_int(n, 44, "over 3 days: 44 posts (3 saved up + 41 back, one every 86400 / 14 s)");
	is_int(ndigests, 0, "each post back goes to the next new alert: no digest");
	int on_time = n == 44 && stamps[0] == T0 && stamps[1] == T0 + 60 && stamps[2] == T0 + 120;
	for (size_t k = 1; on_time && k <= 41; k++) {
		long due = (long)(k * 86400 / 14), at = (long)(stamps[k + 2] - T0);
		if (at < due || at > due + 60) {
			on_time = 0;
			printf("#   post back %zu at %ld s, due at %ld s\n", k, at, due);
		}
	}
	ok(on_time, "each post back goes within the minute it is due (k * 86400 / 14 s)");
	/* ten minutes into the second day: 1,451 alerts (minutes 0..1450), 17
	 * posted (3 + the 14 back by 86400 s), none in a digest */
	is_int(waiting_day2, 1451 - 17, "a day later the other 1,434 alerts still wait, every one counted");
	flood_free(f);

	/* the state keeps what pacing has in hand */
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[256];
	flood *g;
	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/p.state", dir);
	flood_new(&c, T0, &f);
	admit(f, "a", 1, T0);
	admit(f, "b", 1, T0);
	ok(flood_save(f, path, err, sizeof(err)) == OMTW_OK, "saved with one post in hand");
	flood_new(&c, T0 + 10, &g);
	ok(flood_load(g, path, T0 + 10, err, sizeof(err)) == OMTW_OK, "loaded");
	ok(admit(g, "c", 1, T0 + 10) == FLOOD_POST && admit(g, "d", 1, T0 + 10) == FLOOD_HELD,
	   "after the restart one post is in hand, not three");
	flood_free(g);
	flood_free(f);
	unlink(path);
	rmdir(dir);
}

/* The worked example of doc/omtwitter.md before its two late incidents: a
 * night of 5,000 alerts with the default settings (the legacy free tier's
 * 17 posts a day), straight through flood control (the doc's timeline is
 * omtwitter-replay's of tests/data/night.log, which replay.sh checks). */
static void night(long digest_interval, int group, long repeat, int pace, int *nposts, int *ndigests,
		  unsigned long long *nwaiting, int verdicts[3])
{
	const time_t start = 1795816800; /* 2026-11-27 22:00:00 UTC */
	flood_config c = { 600, 3600, 10, 17, digest_interval, 10000, group, 0.5, repeat, pace };
	tt_config shape = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	flood *f;
	flood_digest d;
	unsigned long long alerts = 0, digested = 0;
	int posts = 0, digests = 0, singles = 0;
	char line[128];

	verdicts[0] = verdicts[1] = verdicts[2] = 0;
	flood_new(&c, start, &f);
	for (time_t t = start; t < start + 8 * 3600; t++) {
		long s = (long)(t - start);
		const char *texts[3];
		int n = 0;
		if (s % 10 == 0)
			texts[n++] = "disk /var full on db1";
		if (s >= 3600 && s < 7 * 3600 && s % 30 == 0)
			texts[n++] = "raid md0 degraded on db2";
		if (s >= 3 * 3600 && s < 3 * 3600 + 7000 && s % 5 == 0) {
			snprintf(line, sizeof(line), "sshd: failed login for invalid user u%04ld", s % 9973);
			texts[n++] = line;
		}
		for (int i = 0; i < n; i++) {
			flood_verdict v = admit(f, texts[i], 1, t);
			alerts++;
			verdicts[0] += v == FLOOD_POST;
			verdicts[1] += v == FLOOD_COUNTED;
			verdicts[2] += v == FLOOD_HELD;
			if (v == FLOOD_POST) {
				struct tm tm;
				char when[16];
				gmtime_r(&t, &tm);
				strftime(when, sizeof(when), "%H:%M:%S", &tm);
				printf("# %s post    %s\n", when, texts[i]);
				posts++;
				singles++;
			}
		}
		if (flood_digest_take(f, t, shape.maxparts, &d)) {
			tt_parts p;
			struct tm tm;
			char when[16];
			if (digest_compose(&d, &shape, &p, NULL) == OMTW_OK) {
				gmtime_r(&t, &tm);
				strftime(when, sizeof(when), "%H:%M:%S", &tm);
				printf("# %s digest  %zu part%s: %.*s...\n", when, p.n, p.n == 1 ? "" : "s",
				       120, p.part[0]);
				posts += (int)p.n;
				digests++;
				digested += d.total;
				flood_digest_done(f, &d, (int)p.n, t);
				tweettext_parts_free(&p);
			}
			flood_digest_free(&d);
		}
	}
	unsigned long long waiting = flood_pending(f, NULL);
	printf("# by 06:00: %d posts (%d alerts, %d digests), %llu alerts in digests, %llu waiting\n",
	       posts, singles, digests, digested, waiting);
	ok(posts <= 17, "no more than budget.daily posts (%d)", posts);
	is_int(singles + digested + waiting, alerts, "every alert is posted, in a digest, or waiting for one");
	*nposts = singles;
	*ndigests = digests;
	*nwaiting = waiting;
	flood_free(f);
}

/* The night's verdicts, worked by hand: 2,880 disk alerts (every 10 s for
 * 8 h), 720 raid alerts (every 30 s from 23:00 to 05:00) and 1,400 failed
 * logins (every 5 s from 01:00 for 7000 s), each of another user.  Every
 * disk and raid alert after its first comes within the dedup window (600 s)
 * of the one before: 2,879 + 719 counted.  With group=template the logins
 * are one incident: its first posted, 1,399 counted; with group=exact each
 * is new: posted while the budget lasts, then held. */
static void check_verdicts(const int v[3], int post, int counted, int held, const char *what)
{
	if (!ok(v[0] == post && v[1] == counted && v[2] == held, "%s: %d posted, %d counted, %d held",
		what, post, counted, held))
		printf("#   got %d, %d, %d\n", v[0], v[1], v[2]);
}

static void test_night(void)
{
	int posts, digests, v[3];
	unsigned long long waiting;

	printf("# the night with the defaults (digest.interval 900, digest.repeat 14400)\n");
	night(900, FLOOD_GROUP_TEMPLATE, 14400, 1, &posts, &digests, &waiting, v);
	ok(posts == 3 && digests == 2 && waiting == 1661,
	   "defaults: 3 alerts posted (the brute force is one incident), 2 digests (restatements after 4 h, "
	   "paced), 1661 alerts waiting at 06:00 (%d, %d, %llu)", posts, digests, waiting);
	check_verdicts(v, 3, 2879 + 719 + 1399, 0, "defaults: one post per incident (3 saved up for them)");
	printf("# the same night with group=exact, digest.repeat=0 (before incidents and news-only digests)\n");
	night(900, FLOOD_GROUP_EXACT, 0, 0, &posts, &digests, &waiting, v);
	ok(posts == 4 && digests == 13 && waiting == 3377,
	   "group=exact, digest.repeat=0: 4 alerts posted, 13 digests, 3377 alerts waiting at 06:00");
	/* disk, raid and the first 2 logins posted (4 + 13 digests: 17), the
	 * other 1,398 logins held */
	check_verdicts(v, 4, 2879 + 719, 1400 - 2, "group=exact: every login its own alert");
	printf("# group=template, digest.repeat=0\n");
	night(900, FLOOD_GROUP_TEMPLATE, 0, 0, &posts, &digests, &waiting, v);
	ok(posts == 3 && digests == 14 && waiting == 3077,
	   "digest.repeat=0: 3 alerts posted, 14 digests, the budget spent by 01:30");
	check_verdicts(v, 3, 2879 + 719 + 1399, 0, "digest.repeat=0: one post per incident");
}

/* dedup.maxentries is bounded so that a full state file loads again: the
 * JSON of an entry with the worst text stays within FLOOD_ENTRY_JSON_MAX */
static void test_state_bound(void)
{
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[512], key[32], text[FLOOD_TEXT_MAX + 1];
	flood_config one = { 600, 3600, 1, 1, 900, 60, FLOOD_GROUP_EXACT, 0, 0, 0 }; /* one post, then everything is held */
	flood_config big = one;
	flood *f = NULL;
	struct stat st;
	flood_verdict v;
	long base = 0, per = 0;

	big.maxentries = FLOOD_ENTRIES_MAX + 1;
	ok(flood_new(&big, T0, &f) != OMTW_OK, "maxentries above FLOOD_ENTRIES_MAX (%d) is refused",
	   FLOOD_ENTRIES_MAX);
	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/bound.state", dir);
	flood_new(&one, T0, &f);
	memset(text, 0x01, FLOOD_TEXT_MAX); /* control characters: the longest escapes */
	text[FLOOD_TEXT_MAX] = '\0';
	for (int i = 0; i <= 51; i++) {
		if (i == 1 || i == 51) { /* sizes after 1 and after 51 alerts held */
			flood_save(f, path, err, sizeof(err));
			stat(path, &st);
			if (i == 1)
				base = (long)st.st_size;
			else
				per = ((long)st.st_size - base) / 50;
		}
		snprintf(key, sizeof(key), "key %d", i);
		flood_admit(f, key, strlen(key), text, FLOOD_TEXT_MAX, 1, T0, &v, NULL);
	}
	ok(v == FLOOD_HELD, "50 alerts with the worst text are held (kept in the state)");
	ok(per <= FLOOD_ENTRY_JSON_MAX, "each takes at most FLOOD_ENTRY_JSON_MAX (%d) bytes of state (%ld)",
	   FLOOD_ENTRY_JSON_MAX, per);
	ok(per > 5 * FLOOD_TEXT_MAX, "and its text was kept whole, escaped (more than %d bytes)",
	   5 * FLOOD_TEXT_MAX);
	unlink(path);
	rmdir(dir);
	flood_free(f);
}

/* A state file saved by a clock 10 days ahead (issue #14, time): loaded
 * now, its times are clamped, so budgets, windows and a 429 block last no
 * longer than they would have from now. */
static void test_state_future(void)
{
	char dir[] = "/tmp/test_flood.XXXXXX", path[128], err[512];
	flood_config c = { 600, 3600, 2, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	time_t ahead = T0 + 10 * FLOOD_DAY;
	flood_limit lim[FLOOD_SRV_N];
	flood *f, *g;

	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return;
	snprintf(path, sizeof(path), "%s/future.state", dir);
	flood_new(&c, ahead, &f);
	flood_ticket tk;
	flood_verdict v;
	flood_admit(f, "future one", 10, "future one", 10, 1, ahead, &v, &tk);
	flood_posted(f, &tk); /* its post was confirmed: its dedup window counts */
	ok(v == FLOOD_POST && admit(f, "future two", 1, ahead) == FLOOD_POST &&
	   admit(f, "future three", 1, ahead) == FLOOD_HELD, "ten days ahead: the burst of 2 is spent");
	ok(admit(f, "future one", 1, ahead + 1) == FLOOD_COUNTED, "a repeat within the window is counted");
	for (int i = 0; i < FLOOD_SRV_N; i++)
		lim[i] = (flood_limit){ 0, (long long)ahead + 600 };
	flood_server_view(f, lim, ahead);
	ok(flood_save(f, path, err, sizeof(err)) == OMTW_OK, "saved with those times");

	flood_new(&c, T0, &g);
	if (!ok(flood_load(g, path, T0, err, sizeof(err)) == OMTW_OK, "loaded ten days earlier"))
		printf("#   %s\n", err);
	ok(admit(g, "future one", 1, T0 + 601) != FLOOD_COUNTED,
	   "a dedup window is at most dedup.window from now, not 10 days");
	ok(admit(g, "later", 1, T0 + 3601) == FLOOD_POST,
	   "the spent burst is free again an interval after now (not 10 days later)");
	flood_free(g);
	flood_free(f);
	unlink(path);
	rmdir(dir);
}

/* The wall clock steps back 5 hours (issue #14, time): budgets, windows and
 * the digest period follow it, so nothing waits 5 hours longer. */
static void test_clock_step(void)
{
	flood_config c = { 600, 3600, 2, 17, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	time_t ahead = T0 + 5 * 3600;
	flood_ticket tk;
	flood_verdict v;
	flood *f;

	flood_new(&c, ahead, &f);
	flood_admit(f, "step one", 8, "step one", 8, 1, ahead, &v, &tk);
	flood_posted(f, &tk);
	ok(v == FLOOD_POST && admit(f, "step two", 1, ahead) == FLOOD_POST &&
	   admit(f, "step three", 1, ahead) == FLOOD_HELD, "the burst of 2 spent, one alert held");
	ok(admit(f, "step one", 1, ahead + 1) == FLOOD_COUNTED, "a repeat within the window is counted");
	/* the clock is set back by 5 hours */
	time_t next = flood_next_event(f, T0);
	ok(next >= T0 + 3590 && next <= T0 + 3600,
	   "the held alert's digest is due when the budget frees, an hour after the new now (T0%+lld)",
	   (long long)(next - T0));
	ok(admit(f, "step one", 1, T0 + 601) != FLOOD_COUNTED, "the dedup window ends dedup.window after the step");
	ok(admit(f, "step four", 1, T0 + 3601) == FLOOD_POST, "the burst is free an interval after the step");
	flood_free(f);
}

static char *json_at(flood *f, time_t now)
{
	char *s = NULL;
	return flood_state_json(f, now, &s) == OMTW_OK ? s : NULL;
}

static void hexid(const flood_ticket *t, char out[33])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", t->id[i]);
}

/* A fresh flood with the document s loaded; NULL (and why) if refused. */
static flood *parsed(const flood_config *c, const char *s, time_t now, const char **why)
{
	flood *g = NULL;

	flood_new(c, now, &g);
	if (flood_state_parse(g, s, strlen(s), now, why) != OMTW_OK) {
		flood_free(g);
		return NULL;
	}
	return g;
}

/* Whatever the module saves, a restart loads: random admissions, posts,
 * digests and clock steps under several configurations, the state saved
 * and loaded after every step; a refused load, or counts that differ,
 * fail.  The soak found one: an alert back after its dedup window while its
 * counts still waited for a digest (an episode's total below its pending
 * count) made the file "malformed", and the restart started with no counts. */
static void test_state_roundtrip(void)
{
	static const flood_config cs[] = {
		{ 20, 10, 5, 100000, 5, 1000, FLOOD_GROUP_EXACT, 0, 0, 1 }, /* the soak's */
		{ 20, 10, 2, 17, 5, 8, FLOOD_GROUP_EXACT, 0, 30, 1 },      /* small: evictions, budget */
		{ 0, 0, 0, 0, 5, 100, FLOOD_GROUP_EXACT, 0, 0, 0 },        /* no dedup window */
		{ 30, 60, 3, 50, 10, 16, FLOOD_GROUP_TEMPLATE, 0.5, 60, 1 },
	};
	unsigned long long rng = 14;

	for (size_t k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
		flood *f;
		flood_digest d;
		flood_ticket posting[8];
		size_t nposting = 0;
		int taken = 0, bad = 0, steps = 0;
		time_t now = T0;
		const char *why = "";

		flood_new(&cs[k], now, &f);
		for (; steps < 3000 && !bad; steps++) {
			unsigned op;
			char text[96], *json = NULL;
			flood *g;
			unsigned long long pf, pg, df, dg;

			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			op = (unsigned)(rng >> 33);
			if (op % 16 < 9) {
				flood_verdict v;
				flood_ticket t;
				int a = (int)(op / 64 % 6), b = (int)(op / 512 % 3);
				switch (op / 16 % 4) {
				case 0: snprintf(text, sizeof(text), "disk %d%% full on db%d", a, b); break;
				case 1: snprintf(text, sizeof(text), "link down on port %d (%d)", a, b); break;
				case 2: snprintf(text, sizeof(text), "sshd: failed login for u%d from 10.0.0.%d", a, b); break;
				default: snprintf(text, sizeof(text), "kernel: I/O error, sector %d%d", a, b); break;
				}
				if (flood_admit(f, text, strlen(text), text, strlen(text), 1 + (op / 2048 % 4 == 0),
						now, &v, &t) == OMTW_OK && v == FLOOD_POST && nposting < 8)
					posting[nposting++] = t;
			} else if (op % 16 == 9 && nposting > 0) {
				flood_posted(f, &posting[--nposting]);
			} else if (op % 16 == 10 && !taken) {
				if ((taken = flood_digest_take(f, now, 4, &d)) != 0) {
					flood_progress p = { .next = 0, .nparts = 1 };
					flood_progress_set(f, NULL, &p); /* as the engine does */
					for (size_t i = 0; i < d.nitems; i++)
						if (d.items[i].quiet && d.items[i].total < d.items[i].count) {
							bad = 1;
							why = "a quiet row says fewer \"in all\" than its count";
						}
				}
			} else if (op % 16 == 11 && taken) {
				flood_digest_done(f, &d, 1, now);
				flood_digest_free(&d);
				taken = 0;
			} else if (op % 16 == 13 && nposting > 0) { /* a thread's first part out */
				flood_progress p = { .next = 1, .nparts = 2 };
				snprintf(p.last_id, sizeof(p.last_id), "%u", op);
				flood_progress_set(f, &posting[nposting - 1], &p);
			} else if (op % 16 == 12) {
				now += (time_t)(op / 16 % 40); /* past windows and digest intervals */
			} else {
				now += (time_t)(op / 16 % 2);
			}
			if (bad)
				break;
			if (flood_state_json(f, now, &json) != OMTW_OK) {
				bad = 1;
				why = "not saved";
				break;
			}
			g = parsed(&cs[k], json, now, &why);
			if (g == NULL) {
				free(json);
				bad = 1;
				break;
			}
			free(json);
			pf = flood_pending(f, &df);
			pg = flood_pending(g, &dg);
			if (pf != pg || df != dg) {
				bad = 1;
				why = "the counts differ";
			}
			flood_free(g);
		}
		if (!ok(!bad, "configuration %zu: 3000 random steps, each state saved loads with its counts", k))
			printf("#   step %d: %s\n", steps, why);
		if (taken)
			flood_digest_free(&d);
		flood_free(f);
	}

	/* a file saved before the fix: an episode's total below its count, in
	 * an entry and in a quiet row of the digest being posted; loaded, and
	 * "in all" is then at least the count */
	{
		static const flood_config c = { 20, 0, 0, 0, 5, 100, FLOOD_GROUP_EXACT, 0, 30, 0 };
		char doc[1024];
		flood *g;
		flood_digest d;
		const char *why = "";

		snprintf(doc, sizeof(doc), "{\"format\":\"omtwitter-flood-state\",\"version\":1,"
			 "\"saved\":%lld,\"period_start\":%lld,\"blocked_until\":0,\"others\":[0,0],"
			 "\"local\":[],\"daily\":[],\"server\":[[-1,-1],[-1,-1],[-1,-1]],"
			 "\"entries\":[[\"e582feb56efb9cce0f4a11c00f04bb70\",\"r19 disk 99%% full\",%lld,19,"
			 "{\"shown\":%lld,\"seen\":%lld,\"total\":11}]],\"posting\":[]}",
			 (long long)T0, (long long)T0 - 10, (long long)T0 - 1, (long long)T0 - 100, (long long)T0 - 2);
		g = parsed(&c, doc, T0, &why);
		if (!ok(g != NULL, "an entry whose total (11) is below its count (19) loads"))
			printf("#   %s\n", why);
		if (g != NULL) {
			is_int((long long)pending(g), 19, "its 19 counts wait for the digest");
			if (ok(flood_digest_take(g, T0 + 5, 4, &d) && d.nitems == 1, "a digest takes its row")) {
				is_int((long long)d.items[0].count, 19, "the row's count");
				is_int((long long)d.items[0].total, 19, "gone quiet: \"in all\" repaired to its count");
				flood_digest_free(&d);
			}
			flood_free(g);
		}
	}
}

/* Issue #14, points 3 and 4: how far a post got is in the state file until
 * it is delivered, so a restart knows that its next part may have reached
 * X and continues a thread as replies to its last part. */
static void test_progress(void)
{
	flood_config c = { 600, 3600, 10, 100, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 }, nodedup = { 0, 0, 0, 0, 900, 100, FLOOD_GROUP_EXACT, 0, 0, 0 };
	flood_ticket t, u;
	flood_verdict v;
	flood_progress p = { .next = 1, .nparts = 3, .last_id = "1790000000000000123" }, q;
	char hex[33], want[200], *s;
	const char *why = NULL;
	flood *f, *g;

	flood_new(&c, T0, &f);
	flood_admit(f, "a long alert", 12, "a long alert", 12, 3, T0, &v, &t);
	flood_admit(f, "short", 5, "short", 5, 1, T0, &v, &u);
	hexid(&t, hex);
	s = json_at(f, T0);
	snprintf(want, sizeof(want), "\"posting\":[[\"%s\",0,0,\"\"]", hex);
	ok(s && strstr(s, want), "an alert about to be posted is saved as being posted, no part yet");
	free(s);
	flood_progress_set(f, &t, &p);
	flood_posted(f, &u);
	s = json_at(f, T0);
	snprintf(want, sizeof(want), "\"posting\":[[\"%s\",1,3,\"1790000000000000123\"]]", hex);
	if (!ok(s && strstr(s, want), "part 1 of 3 posted: the record names the part and its id"))
		printf("#   %s\n", s ? s : "(null)");
	g = s ? parsed(&c, s, T0 + 60, &why) : NULL;
	free(s);
	ok(g != NULL, "the state loads");
	memset(&q, 0, sizeof(q));
	ok(g && flood_resume(g, &t, &q) == 1 && q.next == 1 && q.nparts == 3 &&
	   !strcmp(q.last_id, "1790000000000000123"), "after the restart the thread resumes at part 2, "
	   "as a reply to part 1's post");
	ok(g && flood_resume(g, &t, &q) == 0, "once: the record is used up");
	ok(g && flood_resume(g, &u, &q) == 0, "a delivered alert is not resumed");
	flood_free(g);

	/* delivered: the record ends */
	flood_posted(f, &t);
	s = json_at(f, T0);
	ok(s && strstr(s, "\"posting\":[]") && strstr(s, hex), "delivered: no record, the dedup window stays");
	free(s);
	flood_free(f);

	/* without dedup, the entry only carries the record */
	flood_new(&nodedup, T0, &f);
	flood_admit(f, "x", 1, "x", 1, 1, T0, &v, &t);
	hexid(&t, hex);
	s = json_at(f, T0);
	ok(v == FLOOD_POST && s && strstr(s, hex), "dedup off: an alert being posted is saved too");
	g = s ? parsed(&nodedup, s, T0 + 1, &why) : NULL;
	ok(g && flood_resume(g, &t, &q) == 1 && q.next == 0, "and after a restart it may have reached X");
	flood_free(g);
	free(s);
	flood_posted(f, &t);
	s = json_at(f, T0);
	ok(s && !strstr(s, hex) && strstr(s, "\"entries\":[]"), "delivered: nothing of it is kept");
	free(s);

	/* without a dedup window a delivered post is kept as "posted" for
	 * FLOOD_REPLAY_GRACE: a queue's replay after a crash is recognised */
	flood_admit(f, "y", 1, "y", 1, 1, T0, &v, &t);
	hexid(&t, hex);
	flood_progress_set(f, &t, &(flood_progress){ .next = 1, .nparts = 1, .last_id = "77" });
	flood_posted(f, &t);
	s = json_at(f, T0);
	snprintf(want, sizeof(want), "[\"%s\",1,1,\"77\",%lld]", hex, (long long)T0 + FLOOD_REPLAY_GRACE);
	if (!ok(s && strstr(s, want), "dedup off, delivered: saved as posted until %d s later", FLOOD_REPLAY_GRACE))
		printf("#   %s\n", s ? s : "(null)");
	g = s ? parsed(&nodedup, s, T0 + 5, &why) : NULL;
	memset(&q, 0, sizeof(q));
	ok(g && flood_resume(g, &t, &q) == 1 && q.finished == 1, "a replay right after a restart: every part "
	   "may have reached X");
	flood_free(g);
	g = s ? parsed(&nodedup, s, T0 + FLOOD_REPLAY_GRACE, &why) : NULL;
	ok(g && flood_resume(g, &t, &q) == 0, "after the grace the same text is a new alert");
	flood_free(g);
	free(s);
	s = json_at(f, T0 + FLOOD_REPLAY_GRACE);
	ok(s && !strstr(s, hex), "and the record is no longer saved");
	free(s);

	/* the digest's progress */
	flood_progress_set(f, NULL, &(flood_progress){ .next = 2, .nparts = 4, .last_id = "55" });
	s = json_at(f, T0);
	ok(s && strstr(s, "\"digest_posting\":[2,4,\"55\"]"), "a digest going out is saved with its progress");
	g = s ? parsed(&nodedup, s, T0 + 1, &why) : NULL;
	ok(g && flood_resume(g, NULL, &q) == 1 && q.next == 2 && q.nparts == 4 && !strcmp(q.last_id, "55"),
	   "and loads again");
	flood_free(g);
	free(s);
	flood_free(f);

	/* the digest going out is saved whole: after a restart the same one is
	 * taken again first, never its counts a second time in a bigger one */
	flood_config one = { 600, 600, 1, 100, 900, 100, FLOOD_GROUP_EXACT, 0, 3600, 0 }; /* quiet told */
	flood_digest d, d2;
	flood_new(&one, T0, &f);
	admit(f, "first", 1, T0);
	for (int i = 0; i < 3; i++)
		admit(f, "held b", 1, T0 + 1 + i);
	ok(pending(f) == 3 && flood_digest_take(f, T0 + 900, 4, &d) && d.total == 3, "a digest of 3 is taken");
	flood_progress_set(f, NULL, &(flood_progress){ .nparts = 1 });
	s = json_at(f, T0 + 900);
	ok(s && strstr(s, "\"digest_posting\":[0,1,\"\",{\"from\":") && strstr(s, "\"items\":[[\"held b\",3,1800000003,3]]"),
	   "the digest going out is in the state file with what it says");
	g = s ? parsed(&one, s, T0 + 950, &why) : NULL;
	free(s);
	if (g)
		admit(g, "held c", 1, T0 + 951); /* a new alert after the restart */
	memset(&d2, 0, sizeof(d2));
	ok(g && flood_digest_take(g, T0 + 952, 4, &d2) && d2.total == 3 && d2.from == d.from && d2.to == d.to &&
	   d2.nitems == 1 && !strcmp(d2.items[0].text, "held b"), "after a restart the same digest is "
	   "taken again at once, unchanged (not 4 alerts)");
	ok(g && flood_resume(g, NULL, &q) == 1 && q.next == 0, "and it may have reached X");
	if (g)
		flood_digest_done(g, &d2, 1, T0 + 953);
	ok(g && pending(g) == 1, "done: its 3 are subtracted once, the new alert waits");
	s = g ? json_at(g, T0 + 953) : NULL;
	ok(s && !strstr(s, "digest_posting"), "and the record ends");
	free(s);
	flood_digest_free(&d2);
	flood_digest_free(&d);
	flood_free(g);
	flood_free(f);

	/* a record is checked like everything else in the file */
	static const char *const bad[] = {
		"[[\"ID\",4,3,\"1\"]]",          /* next beyond the parts */
		"[[\"ID\",1,26,\"1\"]]",         /* more parts than a thread has */
		"[[\"ID\",1,3,\"12a\"]]",        /* not an id */
		"[[\"ID\",0,3,\"12\"]]",         /* an id before any part */
		"[[\"ID\",1,3,\"1234567890123456789012345678901234\"]]", /* too long */
		"[[\"ID\",1,3]]",                /* short */
		"[[\"00000000000000000000000000000000\",1,3,\"1\"]]", /* not a listed alert */
		"[[\"ID\",1,3,\"1\"],[\"ID\",1,3,\"1\"]]", /* twice */
		"[[\"ID\",1,3,\"1\",1800000000]]",     /* "posted until" for an unfinished post */
		"[[\"ID\",3,3,\"1\",0]]",              /* "posted until" 0 */
		"[[\"ID\",3,3,\"1\",1800000000,1]]",   /* too long */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rec[300] = "", doc[1000];
		for (const char *b = bad[i]; *b; ) { /* ID: the listed alert's id */
			size_t o = strlen(rec);
			if (!strncmp(b, "ID", 2)) {
				snprintf(rec + o, sizeof(rec) - o, "0123456789abcdef0123456789abcdef");
				b += 2;
			} else {
				rec[o] = *b++;
				rec[o + 1] = '\0';
			}
		}
		snprintf(doc, sizeof(doc), "{\"format\":\"omtwitter-flood-state\",\"version\":1,"
			 "\"saved\":0,\"period_start\":0,\"blocked_until\":0,\"others\":[0,0],"
			 "\"local\":[],\"daily\":[],\"server\":[[-1,-1],[-1,-1],[-1,-1]],"
			 "\"entries\":[[\"0123456789abcdef0123456789abcdef\",\"t\",0,0]],\"posting\":%s}", rec);
		g = parsed(&c, doc, T0, &why);
		ok(g == NULL && why && strstr(why, "posting"), "bad posting record %zu refused", i);
		flood_free(g);
		if (i == 0) { /* the control: the same document with a good record loads */
			snprintf(doc, sizeof(doc), "{\"format\":\"omtwitter-flood-state\",\"version\":1,"
				 "\"saved\":0,\"period_start\":0,\"blocked_until\":0,\"others\":[0,0],"
				 "\"local\":[],\"daily\":[],\"server\":[[-1,-1],[-1,-1],[-1,-1]],"
				 "\"entries\":[[\"0123456789abcdef0123456789abcdef\",\"t\",0,0]],"
				 "\"posting\":[[\"0123456789abcdef0123456789abcdef\",3,3,\"1\"]]}");
			g = parsed(&c, doc, T0, &why);
			ok(g != NULL, "control: a good record in the same document loads");
			flood_free(g);
		}
	}
}

int main(void)
{
	test_state_roundtrip();
	test_progress();
	test_clock_step();
	test_state_future();
	test_state_bound();
	test_dedup_window();
	test_count_repeat();
	test_local_bucket();
	test_daily_budget();
	test_forgotten();
	test_server_view();
	test_digest_counts();
	test_eviction();
	test_digest_text();
	test_state();
	test_incidents();
	test_incidents_state();
	test_news_only();
	test_pacing();
	test_night();
	return tap_done();
}
