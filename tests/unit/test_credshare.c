/* test_credshare.c - the credentials an action's threads share: a reload
 * replaces them while a request in progress keeps the ones it took, a bad
 * file leaves the current ones in place.  Run under valgrind too: a set
 * freed while still acquired is an invalid read there, one never freed a
 * leak. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credshare.h"
#include "tap.h"

#define CREDS_A "consumer_key=ck-A\n" \
	"consumer_secret=cs-A-SECRET\n" \
	"access_token=1-at-A\n" \
	"access_token_secret=ats-A-SECRET\n" \
	"user_id=1\n" \
	"screen_name=alerts_a\n"
#define CREDS_B "consumer_key=ck-B\n" \
	"consumer_secret=cs-B-SECRET\n" \
	"access_token=2-at-B\n" \
	"access_token_secret=ats-B-SECRET\n"

static char dir[] = "/tmp/test_credshare.XXXXXX";

static const char *write_file(const char *name, const char *content, mode_t mode)
{
	static char path[4][300];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL || fputs(content, f) < 0 || fclose(f) != 0)
		abort();
	if (chmod(p, mode) != 0)
		abort();
	return p;
}

/* The four keys, "-" for a NULL one, so a check shows them all. */
static const char *show(const omtw_creds *c)
{
	static char s[512];

	if (c == NULL)
		return "(no credentials)";
	snprintf(s, sizeof(s), "%s %s %s %s %s %s", c->consumer_key ? c->consumer_key : "-",
		 c->consumer_secret ? c->consumer_secret : "-", c->access_token ? c->access_token : "-",
		 c->access_token_secret ? c->access_token_secret : "-", c->user_id ? c->user_id : "-",
		 c->screen_name ? c->screen_name : "-");
	return s;
}

#define SHOW_A "ck-A cs-A-SECRET 1-at-A ats-A-SECRET 1 alerts_a"
#define SHOW_B "ck-B cs-B-SECRET 2-at-B ats-B-SECRET - -"

static void test_empty(void)
{
	credshare *s = NULL;

	is_int(credshare_new(&s), OMTW_OK, "a share is made");
	ok(s != NULL, "and returned");
	ok(credshare_acquire(s) == NULL, "never loaded: acquire gives NULL");
	credshare_release(s, NULL); /* what a caller does with that NULL */
	ok(credshare_acquire(s) == NULL, "still NULL after releasing the NULL");
	credshare_free(s);    /* never loaded (valgrind: no leak) */
	credshare_free(NULL); /* fine */
}

static void test_reload(void)
{
	credshare *s;
	const char *path = write_file("creds", CREDS_A, 0600);
	const omtw_creds *a, *a2, *b, *cur;
	char err[512] = "";

	if (credshare_new(&s) != OMTW_OK)
		abort();
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_OK, "a good 0600 file loads");
	is_str(err, "", "with no message");
	a = credshare_acquire(s);
	is_str(show(a), SHOW_A, "acquire gives its values");
	a2 = credshare_acquire(s);
	ok(a2 == a, "a second acquire gives the same set");
	credshare_release(s, a2);
	is_str(show(a), SHOW_A, "releasing one of two references leaves the set intact");

	write_file("creds", CREDS_B, 0600); /* the operator changes the file, then HUP */
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_OK, "the changed file loads while the old set is held");
	is_str(show(a), SHOW_A, "the set held still shows the old values");
	b = credshare_acquire(s);
	is_str(show(b), SHOW_B, "a new acquire gives the new ones");
	ok(a != b, "as another set");
	credshare_release(s, a);
	is_str(show(b), SHOW_B, "releasing the old set leaves the new one");
	credshare_release(s, b);
	cur = credshare_acquire(s);
	is_str(show(cur), SHOW_B, "released by every user, the current set is still the share's");
	credshare_release(s, cur);

	/* refusals: the current set stays */
	write_file("creds", CREDS_A, 0644);
	err[0] = '\0';
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_EPERM, "a world-readable (0644) file is refused");
	if (!ok(strstr(err, path) != NULL && strstr(err, "chmod 0600") != NULL, "the message names the file and the fix"))
		printf("#   message: %s\n", err);
	cur = credshare_acquire(s);
	is_str(show(cur), SHOW_B, "the previous credentials stay current");
	ok(cur && strstr(cur->consumer_secret, "SECRET") != NULL, "(their secrets do contain 'SECRET')");
	ok(strstr(err, "SECRET") == NULL, "the message shows no secret");
	credshare_release(s, cur);

	write_file("creds", "consumer_key=ck-C\nconsumer_secret=cs-C-SECRET\naccess_token=3-at-C\n", 0600);
	err[0] = '\0';
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_EINVAL, "a file missing a key is refused");
	if (!ok(strstr(err, "lacks 'access_token_secret'") != NULL, "the message names the missing key"))
		printf("#   message: %s\n", err);
	ok(strstr(err, "SECRET") == NULL, "and shows no secret");
	cur = credshare_acquire(s);
	is_str(show(cur), SHOW_B, "the previous credentials stay current");
	credshare_release(s, cur);

	unlink(path);
	err[0] = '\0';
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_EIO, "a file that is gone is refused");
	if (!ok(strstr(err, "No such file or directory") != NULL, "with the cause"))
		printf("#   message: %s\n", err);
	cur = credshare_acquire(s);
	is_str(show(cur), SHOW_B, "the previous credentials stay current");
	credshare_release(s, cur);

	credshare_free(s); /* nothing acquired: frees the current set (valgrind: no leak) */
}

/* The first load is refused: the share stays empty. */
static void test_first_refused(void)
{
	credshare *s;
	char err[512] = "";
	const char *path = write_file("open", CREDS_A, 0644);

	if (credshare_new(&s) != OMTW_OK)
		abort();
	is_int(credshare_load(s, path, err, sizeof(err)), OMTW_EPERM, "a first load refused");
	ok(err[0] != '\0', "says why");
	ok(credshare_acquire(s) == NULL, "leaves no credentials");
	credshare_free(s);
}

/* Threads take and drop the set while the main thread reloads: each one
 * sees a whole set (A's key with A's secret), never one freed under it. */
#define NTHREADS 4
#define ROUNDS 300
#define RELOADS 60

typedef struct worker {
	credshare *s;
	int torn, none, seen;
} worker;

static void *work(void *arg)
{
	worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		const omtw_creds *c = credshare_acquire(w->s);

		if (c == NULL) {
			w->none++;
			continue;
		}
		if (!((strcmp(c->consumer_key, "ck-A") == 0 && strcmp(c->access_token_secret, "ats-A-SECRET") == 0) ||
		      (strcmp(c->consumer_key, "ck-B") == 0 && strcmp(c->access_token_secret, "ats-B-SECRET") == 0)))
			w->torn++;
		w->seen++;
		sched_yield();
		credshare_release(w->s, c);
	}
	return NULL;
}

static void test_threads(void)
{
	credshare *s;
	worker w[NTHREADS];
	pthread_t th[NTHREADS];
	const char *pa = write_file("a", CREDS_A, 0600), *pb = write_file("b", CREDS_B, 0600);
	char err[512];
	int failed = 0, torn = 0, none = 0, seen = 0, started = 0;

	if (credshare_new(&s) != OMTW_OK || credshare_load(s, pa, err, sizeof(err)) != OMTW_OK)
		abort();
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (worker){ .s = s };
		if (pthread_create(&th[i], NULL, work, &w[i]) == 0)
			started++;
		else
			break;
	}
	for (int i = 0; i < RELOADS; i++)
		if (credshare_load(s, i % 2 ? pa : pb, err, sizeof(err)) != OMTW_OK)
			failed++;
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		torn += w[i].torn;
		none += w[i].none;
		seen += w[i].seen;
	}
	is_int(started, NTHREADS, "%d threads acquire and release while the set is reloaded", NTHREADS);
	is_int(failed, 0, "%d reloads, alternating two files", RELOADS);
	is_int(seen, NTHREADS * ROUNDS, "every acquire gives a set");
	is_int(none, 0, "never none");
	is_int(torn, 0, "always a whole set: A's key with A's secret or B's with B's");
	credshare_free(s);
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_empty();
	test_reload();
	test_first_refused();
	test_threads();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
