/* fuzz_tweettext.c - shaping hostile text.  Input: 4 bytes of
 * configuration, then the alert.
 *
 * Judged by the module's own counting (a second opinion, not the oracle):
 * no more than maxparts parts, each within maxlength by
 * tweettext_weighted_length.  Judged independently, here:
 * - the prepared text (clean, URLs defanged or kept) and every part is
 *   valid UTF-8 without control characters or noncharacters U+FFFE/FFFF,
 *   and in NFC (utf8proc's normalisation leaves it as it is); the prepared
 *   text has no blank but ' ', no run of spaces and no space at either end;
 * - printable ASCII without '#' (no rsyslog escapes) is prepared as itself
 *   with blank runs made one space and trimmed (when it has no '.', also
 *   with urls="defang": nothing to defang);
 * - there is at least one part; a thread's part k of n ends in " (k/n)", a
 *   truncated text's last part in an ellipsis "\u2026" (before the suffix);
 *   and the parts, with those markers taken off, are the prepared text in
 *   order: nothing dropped, repeated or invented -- all of it unless it was
 *   truncated, a beginning of it (and not all) if it was.  Compared on a skeleton that
 *   forgets spaces (where parts break), '[' and ']' and the case of ASCII
 *   letters with 't' read as 'x' (a cut may re-defang "http://a.b" as
 *   "hxxp://a[.]b");
 * - with urls="defang", each part weighs at least a floor computed here:
 *   1 for every printable ASCII character, 2 for every CJK ideograph,
 *   kana or Hangul syllable (no emoji holds two of these, and an emoji
 *   counts 2), and that floor is within maxlength.
 * A broken invariant prints what it is and aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tweettext.h"
#include "urls.h"

#define ELLIPSIS "\xE2\x80\xA6"

static void fail(const char *what, const char *s)
{
	fprintf(stderr, "fuzz_tweettext: invariant broken: %s\n", what);
	if (s)
		fprintf(stderr, "  text: '%s'\n", s);
	abort();
}

static int valid_utf8(const char *s)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s), i = 0;
	utf8proc_int32_t c;

	while (i < n) {
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, n - i, &c);
		if (r <= 0 || c == 0xFFFE || c == 0xFFFF || c < 0x20 || (c >= 0x7F && c < 0xA0))
			return 0;
		i += r;
	}
	return 1;
}

static int is_nfc(const char *s)
{
	utf8proc_uint8_t *n = utf8proc_NFC((const utf8proc_uint8_t *)s);
	int same;

	if (n == NULL)
		return 0;
	same = strcmp((const char *)n, s) == 0;
	free(n);
	return same;
}

/* Only ' ' of the blanks, never two, none at either end. */
static int spaces_clean(const char *s)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s), i = 0;
	utf8proc_int32_t c;

	if (n && (s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "  ")))
		return 0;
	while (i < n) {
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, n - i, &c);
		utf8proc_category_t cat;
		if (r <= 0)
			return 0;
		cat = utf8proc_category(c);
		if (c != ' ' && (cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
				 cat == UTF8PROC_CATEGORY_ZP))
			return 0;
		i += r;
	}
	return 1;
}

/* Printable ASCII without '#': trimmed, blank runs as one space. */
static char *ascii_prepared(const uint8_t *d, size_t len)
{
	char *o = malloc(len + 1);
	size_t n = 0;

	if (o == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (d[i] == ' ') {
			if (n && o[n - 1] != ' ')
				o[n++] = ' ';
		} else {
			o[n++] = (char)d[i];
		}
	}
	if (n && o[n - 1] == ' ')
		n--;
	o[n] = '\0';
	return o;
}

/* The skeleton of len bytes of s appended to out. */
static size_t skeleton(const char *s, size_t len, char *out, size_t o)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ' ' || c == '[' || c == ']')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[o++] = c == 't' ? 'x' : c;
	}
	return o;
}

/* A floor of the weight of s, in characters. */
static long weight_floor(const char *s)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s), i = 0;
	utf8proc_int32_t c;
	long w = 0;

	while (i < n) {
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, n - i, &c);
		if (r <= 0)
			return 0;
		if (c >= 0x20 && c < 0x7F)
			w += 1;
		else if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x3041 && c <= 0x3096) ||
			 (c >= 0x30A1 && c <= 0x30FA) || (c >= 0xAC00 && c <= 0xD7A3))
			w += 2;
		i += r;
	}
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tt_config cfg;
	tt_parts p;
	char *prepared = NULL, *sk_text;
	size_t n = 0, nt, np = 0;
	url_span *sp = NULL;
	int ascii = 1, dot = 0;

	if (size < 4)
		return 0;
	cfg.maxlength = 10 + (data[0] | (data[1] & 1) << 8) % 600;
	cfg.split = data[1] & 2 ? TT_SPLIT_TRUNCATE : TT_SPLIT_THREAD;
	cfg.maxparts = 1 + data[2] % TWEETTEXT_MAX_PARTS;
	cfg.urls = data[3] & 1 ? TT_URLS_KEEP : TT_URLS_DEFANG;
	if (cfg.urls == TT_URLS_KEEP && cfg.maxlength < 40)
		cfg.maxlength = 40; /* the module refuses less: a kept URL counts 23 */
	data += 4;
	size -= 4;

	/* the prepared text */
	if (tweettext_prepare((const char *)data, size, cfg.urls, &prepared) != OMTW_OK)
		fail("any bytes can be prepared", NULL);
	if (!valid_utf8(prepared))
		fail("the prepared text is valid UTF-8 without controls", prepared);
	if (!is_nfc(prepared))
		fail("the prepared text is NFC", prepared);
	if (!spaces_clean(prepared))
		fail("the prepared text's blanks are single spaces inside it", prepared);
	for (size_t i = 0; i < size; i++) {
		ascii &= data[i] >= 0x20 && data[i] < 0x7F && data[i] != '#';
		dot |= data[i] == '.';
	}
	if (ascii && size <= TWEETTEXT_MAX_INPUT && (cfg.urls == TT_URLS_KEEP || !dot)) {
		char *want = ascii_prepared(data, size);
		if (strcmp(prepared, want) != 0) {
			fprintf(stderr, "  want: '%s'\n", want);
			fail("printable ASCII is prepared as itself, blanks collapsed and trimmed", prepared);
		}
		free(want);
	}
	if (urls_find(prepared, strlen(prepared), &sp, &n) != OMTW_OK)
		fail("urls_find runs", NULL);
	for (size_t i = 0; i < n; i++)
		if (sp[i].start >= sp[i].end || sp[i].end > strlen(prepared) || (i && sp[i].start < sp[i - 1].end))
			fail("URL spans are inside the text, in order, not overlapping", prepared);
	free(sp);

	/* the parts */
	if (tweettext_shape((const char *)data, size, &cfg, &p) != OMTW_OK)
		fail("any bytes can be shaped", NULL);
	if (p.n < 1 || p.n > (size_t)cfg.maxparts)
		fail("1 to maxparts parts", NULL);
	if (p.n > 1 && cfg.split != TT_SPLIT_THREAD)
		fail("only a thread has several parts", NULL);
	nt = strlen(prepared);
	if ((sk_text = malloc(nt + 1)) == NULL)
		abort();
	nt = skeleton(prepared, nt, sk_text, 0);
	for (size_t i = 0; i < p.n; i++) {
		const char *s = p.part[i];
		size_t len = strlen(s);
		char suffix[32];

		if (!valid_utf8(s))
			fail("a part is valid UTF-8 without controls", s);
		if (!is_nfc(s))
			fail("a part is NFC", s);
		if (tweettext_weighted_length(s, len, cfg.urls == TT_URLS_KEEP) > cfg.maxlength)
			fail("a part fits maxlength (by the module's count)", s);
		if (cfg.urls == TT_URLS_DEFANG && weight_floor(s) > cfg.maxlength)
			fail("a part fits maxlength (by a floor of its weight)", s);
		if (p.n > 1) {
			size_t sl = (size_t)snprintf(suffix, sizeof(suffix), " (%zu/%zu)", i + 1, p.n);
			if (len < sl || strcmp(s + len - sl, suffix) != 0)
				fail("a thread's part ends in ' (k/n)'", s);
			len -= sl;
		}
		if (p.truncated && i + 1 == p.n) {
			if (len < 3 || memcmp(s + len - 3, ELLIPSIS, 3) != 0)
				fail("a truncated text's last part ends in an ellipsis", s);
			len -= 3;
		}
		/* the part's text comes next in the prepared text */
		{
			char *sk = malloc(len + 1);
			size_t m;
			if (sk == NULL)
				abort();
			m = skeleton(s, len, sk, 0);
			if (np + m > nt || memcmp(sk_text + np, sk, m) != 0) {
				fprintf(stderr, "  prepared: '%s'\n", prepared);
				fail("the parts are the prepared text in order", s);
			}
			np += m;
			free(sk);
		}
	}
	if (!p.truncated && np != nt) {
		fprintf(stderr, "  prepared: '%s'\n", prepared);
		fail("the parts of a text not truncated hold all of it", p.part[p.n - 1]);
	}
	/* (the skeleton does not see a lost '[' or ']') */
	if (p.truncated && np == nt && size <= TWEETTEXT_MAX_INPUT && !strpbrk(prepared, "[]"))
		fail("a truncated text lost something", prepared);
	free(sk_text);
	tweettext_parts_free(&p);
	free(prepared);
	return 0;
}
