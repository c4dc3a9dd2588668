/* fuzz_credfile.c - the credentials file parser, judged by a reference
 * reader written here from credfile.h and design section 4: lines split
 * at '\n', white space (isspace: CR of CRLF too) trimmed at both ends,
 * blank lines and '#' comments skipped; every other line "key = value"
 * with one of the six keys, each at most once, a value of printable ASCII
 * without spaces (0x21-0x7E); no NUL byte; the four secrets required,
 * user_id and screen_name optional.
 * - credfile_parse accepts exactly what the reference accepts, with the
 *   same six values (absent optional keys NULL);
 * - a refusal always says why, in a bounded message that never contains a
 *   value the file gave (a secret), and the output is left cleared;
 * - an accepted file written back as key=value lines parses to the same.
 * A broken invariant prints what it is and aborts. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NKEYS 6
static const char *const keys[NKEYS] = { "consumer_key", "consumer_secret", "access_token", "access_token_secret",
					 "user_id", "screen_name" };

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_credfile: invariant broken: %s\n", what);
	abort();
}

static char **slot(omtw_creds *c, int i)
{
	char **s[NKEYS] = { &c->consumer_key, &c->consumer_secret, &c->access_token, &c->access_token_secret,
			    &c->user_id, &c->screen_name };
	return s[i];
}

/* The reference: 1 when the file is good, with its values in v[]. */
static int ref_parse(const char *buf, size_t len, char *v[NKEYS])
{
	size_t pos = 0;

	memset(v, 0, NKEYS * sizeof(*v));
	if (memchr(buf, '\0', len))
		return 0;
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos), *eq;
		size_t n = nl ? (size_t)(nl - l) : len - pos, klen;
		int k;

		pos += n + 1;
		while (n && isspace((unsigned char)l[0]))
			l++, n--;
		while (n && isspace((unsigned char)l[n - 1]))
			n--;
		if (n == 0 || l[0] == '#')
			continue;
		if ((eq = memchr(l, '=', n)) == NULL)
			return 0;
		for (klen = (size_t)(eq - l); klen && isspace((unsigned char)l[klen - 1]); klen--)
			;
		for (k = 0; k < NKEYS; k++)
			if (strlen(keys[k]) == klen && memcmp(keys[k], l, klen) == 0)
				break;
		if (k == NKEYS || v[k])
			return 0;
		n -= (size_t)(eq + 1 - l);
		l = eq + 1;
		while (n && isspace((unsigned char)l[0]))
			l++, n--;
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)l[i] <= 0x20 || (unsigned char)l[i] >= 0x7F)
				return 0;
		if ((v[k] = strndup(l, n)) == NULL)
			abort();
	}
	return v[0] && v[1] && v[2] && v[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char *want[NKEYS];
	omtw_creds c;
	char err[512];
	int ok, good;

	memset(err, 'X', sizeof(err));
	err[0] = '\0';
	memset(&c, 0xA5, sizeof(c));
	ok = credfile_parse(buf, size, "fuzz.cred", &c, err, sizeof(err)) == OMTW_OK;
	good = ref_parse(buf, size, want);
	if (ok != good)
		fail(good ? "a good credentials file is accepted" : "a bad credentials file is refused");
	if (ok) {
		char *again, *o;
		size_t len = 1;
		omtw_creds d;

		for (int k = 0; k < NKEYS; k++) {
			char *got = *slot(&c, k);
			if ((got == NULL) != (want[k] == NULL) || (got && strcmp(got, want[k]) != 0))
				fail("each key has the file's value, an absent optional one NULL");
			len += got ? strlen(keys[k]) + strlen(got) + 2 : 0;
		}
		/* written back, it reads the same */
		if ((again = o = malloc(len)) == NULL)
			abort();
		for (int k = NKEYS - 1; k >= 0; k--)
			if (*slot(&c, k))
				o += sprintf(o, "%s=%s\n", keys[k], *slot(&c, k));
		if (credfile_parse(again, (size_t)(o - again), "again", &d, err, sizeof(err)) != OMTW_OK)
			fail("the values written back parse");
		for (int k = 0; k < NKEYS; k++)
			if ((*slot(&d, k) == NULL) != (*slot(&c, k) == NULL) ||
			    (*slot(&d, k) && strcmp(*slot(&d, k), *slot(&c, k)) != 0))
				fail("the values written back read the same");
		credfile_clear(&d);
		credfile_clear(&c);
		free(again);
	} else {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			fail("a refusal always says why");
		for (int k = 0; k < NKEYS; k++)
			if (*slot(&c, k) != NULL)
				fail("a refusal leaves nothing behind");
		/* no value is repeated (it may be a secret): the value of each
		 * line with a '=', of 6 bytes or more, is not in err */
		for (size_t pos = 0; pos < size;) {
			const char *l = buf + pos, *nl = memchr(l, '\n', size - pos), *eq;
			size_t n = nl ? (size_t)(nl - l) : size - pos;
			pos += n + 1;
			if ((eq = memchr(l, '=', n)) != NULL) {
				const char *v = eq + 1;
				size_t vn = n - (size_t)(v - l);
				while (vn && isspace((unsigned char)*v))
					v++, vn--;
				while (vn && isspace((unsigned char)v[vn - 1]))
					vn--;
				int digit = 0, blank = 0;
				for (size_t i = 0; i < vn; i++) {
					digit |= v[i] >= '0' && v[i] <= '9';
					blank |= (unsigned char)v[i] <= 0x20;
				}
				/* (a digit and no blank: not a piece of the message's own words) */
				if (vn >= 6 && digit && !blank && memmem(err, strlen(err), v, vn))
					fail("a refusal never repeats a value");
			}
		}
	}
	for (int k = 0; k < NKEYS; k++)
		free(want[k]);
	return 0;
}
