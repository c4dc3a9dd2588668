/* bench_floor.c - the physical floor of alert latency: no daemon, no
 * template, no queue, no shaping; a kept-alive libcurl handle posts
 * requests whose Authorization headers were all signed before the clock
 * starts.  Each post's text carries the wall-clock time just before it is
 * sent, like the alert lines of the other runs.  One unmeasured post
 * ("PREFIX_warm") first opens the connection, as a running daemon has it.
 *
 *   bench_floor ENDPOINT CREDENTIALS N INTERVAL_MS PREFIX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "credfile.h"
#include "oauth1.h"

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	omtw_creds cr;
	char err[512], url[1024];
	char **auth;
	long n, interval, fails = 0;
	CURL *h;
	double start;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_floor ENDPOINT CREDENTIALS N INTERVAL_MS PREFIX\n");
		return 2;
	}
	n = atol(argv[3]);
	interval = atol(argv[4]);
	if (credfile_load(argv[2], &cr, err, sizeof(err)) != OMTW_OK) {
		fprintf(stderr, "bench_floor: %s\n", err);
		return 1;
	}
	snprintf(url, sizeof(url), "%s/2/tweets", argv[1]);
	oauth1_keys keys = { cr.consumer_key, cr.consumer_secret, cr.access_token, cr.access_token_secret };
	oauth1_request req = { .method = "POST", .url = url, .with_version = true };
	if ((auth = calloc((size_t)n + 1, sizeof(*auth))) == NULL)
		return 1;
	for (long i = 0; i <= n; i++) { /* all signatures before the clock starts */
		char *v = NULL;
		if (oauth1_authorization(&keys, &req, &v) != OMTW_OK)
			return 1;
		if ((auth[i] = malloc(strlen(v) + 32)) == NULL)
			return 1;
		sprintf(auth[i], "Authorization: %s", v);
		free(v);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	start = mono();
	for (long i = -1; i < n; i++) { /* -1: the warm-up */
		struct curl_slist *hd = NULL;
		struct timespec now, due;
		double d = i < 0 ? 0 : start + i * interval / 1000.0 - mono();
		char body[256];
		long status = 0;

		if (d > 0) {
			due.tv_sec = (time_t)d;
			due.tv_nsec = (long)((d - (double)due.tv_sec) * 1e9);
			nanosleep(&due, NULL);
		}
		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(body, sizeof(body), "{\"text\":\"%s%s %ld %lld.%09ld\"}", argv[5],
			 i < 0 ? "_warm" : "", i, (long long)now.tv_sec, now.tv_nsec);
		hd = curl_slist_append(hd, auth[i + 1]);
		hd = curl_slist_append(hd, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(h) != CURLE_OK ||
		    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 201)
			fails++;
		curl_slist_free_all(hd);
		free(auth[i + 1]);
		if (i < 0)
			start = mono();
	}
	curl_easy_cleanup(h);
	curl_global_cleanup();
	free(auth);
	credfile_clear(&cr);
	if (fails)
		fprintf(stderr, "bench_floor: %ld of %ld posts failed\n", fails, n);
	return fails ? 1 : 0;
}
