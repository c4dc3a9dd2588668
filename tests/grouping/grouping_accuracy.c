/* grouping_accuracy.c - how well incidents.c groups real log lines.
 *
 * Reads a labelled set, lines "TEMPLATE_ID<TAB>message", feeds the
 * messages in order to incidents_match and prints the grouping accuracy
 * of Zhu et al., "Tools and Benchmarks for Automated Log Parsing"
 * (ICSE-SEIP 2019): a line is right only if the lines grouped with it are
 * exactly the lines that share its true template; GA = right / all.
 *
 *   ga [-s similarity] [-v] set.tsv...
 *   -v  list the mistakes: each true template that is split over several
 *       incidents or shares one with other templates.
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -O2 -Iplugins/omtwitter \
 *        tests/grouping/grouping_accuracy.c plugins/omtwitter/incidents.c -o /tmp/ga
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incidents.h"

typedef struct row {
	size_t label;   /* index into labels */
	uint64_t inc;   /* incident id */
	char *msg;
} row;

static char **labels;
static size_t nlabels, caplabels;

/* Labels are few (hundreds): a linear search keeps this plain. */
static size_t label_of(const char *s)
{
	for (size_t i = 0; i < nlabels; i++)
		if (strcmp(labels[i], s) == 0)
			return i;
	if (nlabels == caplabels) {
		caplabels = caplabels ? 2 * caplabels : 256;
		labels = realloc(labels, caplabels * sizeof(*labels));
		if (labels == NULL)
			exit(2);
	}
	labels[nlabels] = strdup(s);
	return nlabels++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int run(const char *path, double sim, int verbose)
{
	FILE *f = fopen(path, "r");
	row *rows = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	incidents *m;
	incidents_config c = { sim, 1000000, NULL, NULL };

	if (f == NULL) {
		perror(path);
		return 1;
	}
	nlabels = 0;
	if (incidents_new(&c, &m) != OMTW_OK)
		return 1;
	while ((len = getline(&line, &lcap, f)) > 0) {
		char *tab = memchr(line, '\t', (size_t)len);
		incident_match mm;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (tab == NULL)
			continue;
		*tab = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((rows = realloc(rows, cap * sizeof(*rows))) == NULL)
				return 2;
		}
		rows[n].label = label_of(line);
		rows[n].msg = strdup(tab + 1);
		if (incidents_match(m, tab + 1, (size_t)(line + len - (tab + 1)), &mm) != OMTW_OK)
			return 2;
		rows[n].inc = mm.id;
		n++;
	}
	fclose(f);
	free(line);

	/* Incident ids are 1..next: count lines per label, per incident and
	 * per (label, incident) pair; a line is right when all three agree. */
	uint64_t maxinc = 0;
	for (size_t i = 0; i < n; i++)
		if (rows[i].inc > maxinc)
			maxinc = rows[i].inc;
	size_t *perlabel = calloc(nlabels + 1, sizeof(size_t));
	size_t *perinc = calloc(maxinc + 1, sizeof(size_t));
	size_t *first = calloc(nlabels + 1, sizeof(size_t)); /* a row of each label */
	for (size_t i = 0; i < n; i++) {
		if (perlabel[rows[i].label]++ == 0)
			first[rows[i].label] = i;
		perinc[rows[i].inc]++;
	}
	/* pair counts: for each label the incidents of its lines, sorted */
	size_t right = 0, used = 0;
	uint64_t *incs = malloc((n + 1) * sizeof(uint64_t));
	for (size_t lb = 0; lb < nlabels; lb++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (rows[i].label == lb)
				incs[k++] = rows[i].inc;
		qsort(incs, k, sizeof(*incs), cmp_u64);
		int ok = 0;
		if (incs[0] == incs[k - 1] && perinc[incs[0]] == k) {
			right += k;
			ok = 1;
		}
		if (!verbose || ok)
			continue;
		/* split over incidents, or merged with other labels */
		size_t distinct = 0;
		for (size_t j = 0; j < k; j++)
			distinct += j == 0 || incs[j] != incs[j - 1];
		printf("  WRONG %zu lines, %zu incident(s): %s\n", k, distinct, labels[lb]);
		printf("        e.g. %s\n", rows[first[lb]].msg);
		for (size_t j = 0, shown = 0; j < k && shown < 4; j++) {
			if (j > 0 && incs[j] == incs[j - 1])
				continue;
			size_t mine = 0;
			for (size_t q = j; q < k && incs[q] == incs[j]; q++)
				mine++;
			char tpl[512];
			incidents_template(m, incs[j], tpl, sizeof tpl);
			printf("        inc %llu: %zu of mine, %zu others: %s\n", (unsigned long long)incs[j],
			       mine, perinc[incs[j]] - mine, tpl);
			if (perinc[incs[j]] > mine) /* name one other label merged in */
				for (size_t i = 0; i < n; i++)
					if (rows[i].inc == incs[j] && rows[i].label != lb) {
						printf("          merged with: %s\n", labels[rows[i].label]);
						break;
					}
			shown++;
		}
	}
	for (uint64_t i = 1; i <= maxinc; i++)
		used += perinc[i] > 0;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	printf("%s lines %zu templates %zu incidents %zu GA %.3f\n", name, n, nlabels, used,
	       n ? (double)right / (double)n : 0.0);
	for (size_t i = 0; i < n; i++)
		free(rows[i].msg);
	for (size_t i = 0; i < nlabels; i++)
		free(labels[i]);
	free(rows);
	free(perlabel);
	free(perinc);
	free(first);
	free(incs);
	incidents_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	double sim = INCIDENTS_SIMILARITY_DEFAULT;
	int verbose = 0, rc = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			sim = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [-s similarity] [-v] set.tsv...\n", argv[0]);
			return 2;
		}
	}
	for (; i < argc; i++)
		rc |= run(argv[i], sim, verbose);
	return rc;
}
