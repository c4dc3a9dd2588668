/* bench_incidents.c - the incidents miner alone, on one core: lines/s and
 * memory per incident, on the labelled sets' messages (real message
 * formats: tests/grouping/data), against a baseline in the same run that
 * reads the same lines and counts their tokens (the floor: what any miner
 * must pay).  Prints a markdown table; asserts nothing.
 *
 *   bench_incidents [-n LINES] set.tsv...
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incidents.h"

typedef struct msg {
	const char *s;
	size_t len;
} msg;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t load(char **paths, int n, msg **out)
{
	size_t cnt = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;

	for (int i = 0; i < n; i++) {
		FILE *f = fopen(paths[i], "r");
		if (f == NULL) {
			perror(paths[i]);
			exit(2);
		}
		while ((len = getline(&line, &lcap, f)) > 0) {
			char *tab = memchr(line, '\t', (size_t)len);
			if (tab == NULL)
				continue;
			if (cnt == cap && (*out = realloc(*out, (cap = cap ? 2 * cap : 4096) * sizeof(**out))) == NULL)
				exit(2);
			size_t ml = (size_t)(line + len - tab - 1);
			if (ml && tab[ml] == '\n')
				ml--;
			(*out)[cnt].s = strndup(tab + 1, ml);
			(*out)[cnt++].len = ml;
		}
		fclose(f);
	}
	free(line);
	return cnt;
}

int main(int argc, char **argv)
{
	long total = 2000000;
	int first = 1;
	msg *m = NULL;
	size_t n;
	incidents *inc;
	incidents_config cfg = { INCIDENTS_SIMILARITY_DEFAULT, 10000, NULL, NULL };
	incident_match r;
	unsigned long long tokens = 0, sink = 0;
	double t0, base, mine;
	struct mallinfo2 before, after;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		total = atol(argv[2]);
		first = 3;
	}
	if ((n = load(argv + first, argc - first, &m)) == 0) {
		fprintf(stderr, "usage: bench_incidents [-n LINES] set.tsv...\n");
		return 2;
	}
	/* baseline: walk every byte and count the tokens */
	t0 = now();
	for (long i = 0; i < total; i++) {
		const msg *x = &m[(size_t)i % n];
		int in = 0;
		for (size_t k = 0; k < x->len; k++) {
			int sp = x->s[k] == ' ' || x->s[k] == '\t';
			tokens += !sp && !in;
			in = !sp;
		}
	}
	base = now() - t0;
	before = mallinfo2();
	if (incidents_new(&cfg, &inc) != OMTW_OK)
		return 2;
	t0 = now();
	for (long i = 0; i < total; i++) {
		const msg *x = &m[(size_t)i % n];
		if (incidents_match(inc, x->s, x->len, &r) != OMTW_OK)
			return 2;
		sink += r.id;
	}
	mine = now() - t0;
	after = mallinfo2();
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += m[i].len;
	printf("\n### incidents miner: %ld lines (the %zu messages of %d labelled sets, %.0f bytes and "
	       "%.1f tokens a line on average)\n\n", total, n, argc - first, (double)bytes / (double)n,
	       (double)tokens / (double)total);
	printf("| run | seconds | lines/s |\n|---|---|---|\n");
	printf("| baseline: read and count tokens | %.3f | %.0f |\n", base, (double)total / base);
	printf("| incidents_match (similarity %.2f) | %.3f | %.0f |\n", INCIDENTS_SIMILARITY_DEFAULT, mine,
	       (double)total / mine);
	printf("\n%zu incidents; memory %.0f bytes per incident (heap in use: %zu bytes)\n",
	       incidents_count(inc), (double)(after.uordblks - before.uordblks) / (double)incidents_count(inc),
	       after.uordblks - before.uordblks);
	incidents_free(inc);
	for (size_t i = 0; i < n; i++)
		free((char *)m[i].s);
	free(m);
	return sink == 0; /* keeps the loop */
}
