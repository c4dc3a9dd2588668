/* tsv.h - read the conformance data files of tests/unit/data.
 *
 * Lines: fields separated by TAB; '#' starts a comment line.  Escapes in a
 * field: \\ \t \n \uXXXX \UXXXXXXXX (any code point, as UTF-8).
 */
#ifndef TSV_H
#define TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define TSV_MAXF 16

/* Unescape field f in place. */
static void tsv_unescape(char *f)
{
	char *o = f;

	while (*f) {
		if (*f != '\\') {
			*o++ = *f++;
			continue;
		}
		f++;
		if (*f == 'u' || *f == 'U') {
			int digits = *f == 'u' ? 4 : 8;
			char hex[9] = { 0 };
			memcpy(hex, f + 1, (size_t)digits);
			o += utf8proc_encode_char((utf8proc_int32_t)strtol(hex, NULL, 16), (utf8proc_uint8_t *)o);
			f += 1 + digits;
		} else {
			*o++ = *f == 't' ? '\t' : *f == 'n' ? '\n' : *f;
			f++;
		}
	}
	*o = '\0';
}

/* Next data line of f split into fields (pointers into line); 0 at EOF. */
static int tsv_next(FILE *fp, char *line, size_t cap, char **fields, int *nf)
{
	while (fgets(line, (int)cap, fp)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		*nf = 0;
		for (char *p = line; p && *nf < TSV_MAXF;) {
			char *tab = strchr(p, '\t');
			if (tab)
				*tab = '\0';
			fields[(*nf)++] = p;
			p = tab ? tab + 1 : NULL;
		}
		for (int i = 0; i < *nf; i++)
			tsv_unescape(fields[i]);
		return 1;
	}
	return 0;
}

static FILE *tsv_open(const char *name)
{
	char path[1024];
	const char *src = getenv("OMTW_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/unit/data/%s", src ? src : "../..", name);
	return fopen(path, "r");
}

#endif
