/* closest.c - the known name closest to a mistyped one (see closest.h). */
#include <string.h>

#include "closest.h"

#define NAME_MAX_LEN 64

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int min3(int a, int b, int c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* Optimal string alignment distance (Damerau-Levenshtein without
 * overlapping edits): a typo's swapped letters count one edit. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return NAME_MAX_LEN + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = lower(a[i - 1]) != lower(b[j - 1]);
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

const char *closest_name(const char *name, const char *const *names, size_t n, int maxdist)
{
	const char *best = NULL;
	int bestd = maxdist + 1, ties = 0;

	for (size_t i = 0; i < n; i++) {
		int dist = distance(name, names[i]);
		if (dist < bestd) {
			bestd = dist;
			best = names[i];
			ties = 0;
		} else if (dist == bestd) {
			ties++;
		}
	}
	return best && ties == 0 && bestd > 0 ? best : NULL;
}
