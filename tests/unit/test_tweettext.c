/* test_tweettext.c - repair, NFC, weighted length and splitting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tap.h"
#include "tsv.h"
#include "tweettext.h"
#include "urls.h"

#define FFFD "\xEF\xBF\xBD"

static void check_clean(const char *in, size_t len, const char *want, const char *what)
{
	char *got = NULL;

	ok(tweettext_clean(in, len, &got) == OMTW_OK, "clean: %s", what);
	is_str(got, want, "clean: %s gives the expected text", what);
	free(got);
}
#define CLEAN(lit, want, what) check_clean(lit, sizeof(lit) - 1, want, what)

static void test_repair(void)
{
	CLEAN("plain text", "plain text", "plain ASCII is unchanged");
	CLEAN("a\xC0\xAF" "b", "a" FFFD FFFD "b", "an overlong 2-byte form: one U+FFFD per byte (both bytes are invalid)");
	CLEAN("a\xE0\x80\xAF" "b", "a" FFFD FFFD FFFD "b", "an overlong 3-byte form");
	CLEAN("a\xED\xA0\x80" "b", "a" FFFD FFFD FFFD "b", "a UTF-16 surrogate");
	CLEAN("a\xF4\x90\x80\x80" "b", "a" FFFD FFFD FFFD FFFD "b", "a code point above U+10FFFF");
	CLEAN("a\xF0\x9F\x90" "b", "a" FFFD "b", "a truncated 4-byte sequence: one U+FFFD (maximal subpart)");
	CLEAN("a\xE6\x97" , "a" FFFD, "a sequence truncated by the end of input");
	CLEAN("a\xF5\xFF" "b", "a" FFFD FFFD "b", "bytes that never occur in UTF-8");
	CLEAN("a\x80" "b", "a" FFFD "b", "a lone continuation byte");
	CLEAN("x\0y", "x y", "a NUL byte becomes a space");
	CLEAN("a\tb\r\nc\x1b[31md\x7f" "e", "a b c [31md e", "C0 controls and DEL become spaces, runs collapse");
	CLEAN("a\xC2\x85" "b\xC2\x9B" "c", "a b c", "C1 controls (NEL, CSI) become spaces");
	CLEAN("disk#011full#012now#000!", "disk full now !", "rsyslog's #ooo escapes of controls become spaces");
	CLEAN("issue #123 and #8 and #177", "issue #123 and #8 and", "#ooo of printable characters stay; #177 (DEL) goes");
	CLEAN("a\xC2\xA0\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\xA8" "d", "a b c d", "Unicode spaces and line separators collapse to one space");
	CLEAN("   padded \t ", "padded", "leading and trailing white space is trimmed");
	CLEAN("\xEF\xBB\xBF" "bom\xEF\xBF\xBE\xEF\xBF\xBF", "bom" FFFD FFFD, "BOM removed, U+FFFE/U+FFFF (refused by X) replaced");
	CLEAN("", "", "empty input");
	CLEAN(" \t\n ", "", "white space only");
}

static void test_nfc(void)
{
	CLEAN("cafe\xCC\x81", "caf\xC3\xA9", "e + combining acute composes to U+00E9");
	CLEAN("A\xCC\x81" "B", "\xC3\x81" "B", "A + U+0301 composes");
	CLEAN("\xE2\x84\xAB", "\xC3\x85", "U+212B ANGSTROM SIGN normalises to U+00C5");
	CLEAN("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "\xED\x95\x9C", "Hangul jamo compose to a syllable");
	CLEAN("A\xEF\xAC\xAC", "A\xD7\xA9\xD6\xBC\xD7\x81", "U+FB2C decomposes (composition exclusion)");
	CLEAN("x\xCC\x81\xCC\xB8", "x\xCC\xB8\xCC\x81", "combining marks are put in canonical order");
}

/* ---- a second, deliberately simple weighted length: the judge ----
 * The shaping checks below must not judge parts with the code they test.
 * This is X's rule as xapi.md section 5 states it (twitter-text v3), written
 * for these tests and sharing nothing with tweettext.c: weight 1 for U+0000-
 * U+10FF, U+2000-U+200D, U+2010-U+201F, U+2032-U+2037, 2 for any other code
 * point; with emoji (v3) an emoji sequence counts 2 however long it is, with
 * emoji 0 (v2) every code point is weighed on its own.  It handles only what
 * the texts it judges hold (the shaped parts here, and the conformance rows
 * without URLs): no URLs at all (a text with "://" or ".com" gets -1: not
 * judged), and as emoji sequences only a pictograph (U+1F000-U+1FAFF, U+2600-
 * U+27BF; regional indicators pair up) followed by skin tones, VS16, tags or
 * ZWJ + anything, and a keycap (a character, [VS16,] U+20E3).  It reads
 * valid UTF-8 only (clean text).  Checked against the conformance data's
 * expected lengths in test_conformance_lengths. */
static int ref_cps(const char *text, unsigned long *cp, int max)
{
	const unsigned char *s = (const unsigned char *)text;
	int n = 0;

	while (*s && n < max) {
		int len = *s < 0x80 ? 1 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : 4;
		unsigned long c = len == 1 ? *s : len == 2 ? *s & 0x1Fu : len == 3 ? *s & 0x0Fu : *s & 0x07u;
		for (int k = 1; k < len; k++)
			c = c << 6 | (s[k] & 0x3Fu);
		cp[n++] = c;
		s += len;
	}
	return n;
}

static int ref_pictograph(unsigned long c)
{
	return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF);
}

static long ref_weight(const char *text, int emoji)
{
	static unsigned long cp[70000];
	int n, i = 0;
	long w = 0;

	if (strstr(text, "://") || strstr(text, ".com") || strlen(text) >= sizeof(cp) / sizeof(*cp))
		return -1;
	n = ref_cps(text, cp, (int)(sizeof(cp) / sizeof(*cp)));
	while (i < n) {
		unsigned long c = cp[i];
		int keycap = (i + 1 < n && cp[i + 1] == 0x20E3) ||
			     (i + 2 < n && cp[i + 1] == 0xFE0F && cp[i + 2] == 0x20E3);
		if (emoji && (ref_pictograph(c) || keycap)) {
			if (c >= 0x1F1E6 && c <= 0x1F1FF && i + 1 < n && cp[i + 1] >= 0x1F1E6 && cp[i + 1] <= 0x1F1FF)
				i++; /* a flag: two regional indicators */
			i++;
			while (i < n) {
				if ((cp[i] >= 0x1F3FB && cp[i] <= 0x1F3FF) || cp[i] == 0xFE0F || cp[i] == 0x20E3 ||
				    (cp[i] >= 0xE0020 && cp[i] <= 0xE007F))
					i++;
				else if (cp[i] == 0x200D && i + 1 < n)
					i += 2;
				else
					break;
			}
			w += 2;
			continue;
		}
		w += c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) ||
		     (c >= 0x2032 && c <= 0x2037) ? 1 : 2;
		i++;
	}
	return w;
}

/* The reference on hand-worked values (the same as test_weights'). */
static void test_reference(void)
{
	ok(ref_weight("hello", 1) == 5 && ref_weight("", 1) == 0, "reference: ASCII 1 each, empty 0");
	ok(ref_weight("\xE6\x97\xA5\xE6\x9C\xAC", 1) == 4 && ref_weight("\xE9\xBF\xBF", 1) == 2 &&
	   ref_weight("\xE4\xB8\x80", 1) == 2, "reference: CJK ideographs (U+65E5, U+672C, U+9FFF, U+4E00) 2 each");
	ok(ref_weight("\xC3\xA9\xE1\x83\xBF\xE1\x84\x80", 1) == 4, "reference: U+00E9, U+10FF 1; U+1100 2");
	ok(ref_weight("\xE2\x80\x94\xE2\x80\xB2\xE2\x80\xA6", 1) == 4, "reference: U+2014, U+2032 1; U+2026 2");
	ok(ref_weight("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 x", 1) == 4 &&
	   ref_weight("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 x", 0) == 10,
	   "reference: a ZWJ family is 2 (v3), 3 x 2 + 2 ZWJ (v2)");
	ok(ref_weight("http://x.co", 1) == -1, "reference: no judgement on a URL");
}

static void check_len(const char *s, long want, const char *what)
{
	long got = tweettext_weighted_length(s, strlen(s), 1);
	if (!ok(got == want, "weighted length of %s is %ld", what, want))
		printf("#   got %ld\n", got);
}

static void test_weights(void)
{
	char buf[4096];

	check_len("", 0, "the empty text");
	check_len("hello", 5, "ASCII");
	check_len("\xC3\xA9\xE1\x83\xBF", 2, "Latin and Georgian (below U+1100)");
	check_len("\xE1\x84\x80", 2, "U+1100 (first code point outside the weight-1 range)");
	check_len("\xE2\x80\x94\xE2\x80\xB2\xE2\x80\xA6", 4, "U+2014 and U+2032 (weight 1), U+2026 (weight 2)");
	check_len("\xE6\x97\xA5\xE6\x9C\xAC", 4, "two CJK ideographs");
	check_len("H\xF0\x9F\x90\xB1\xE2\x98\xBA\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6",
		  7, "H + cat + smiley + family ZWJ sequence (conformance: 7)");
	check_len("\xF0\x9F\x99\x8B\xF0\x9F\x8F\xBD\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x8E\xA4", 4,
		  "emoji with skin tone + ZWJ singer (conformance: 4)");
	check_len("1\xE2\x83\xA3", 2, "a keycap (conformance: 2)");
	check_len("\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA", 2, "a flag (two regional indicators)");
	check_len("\xF0\x9F\x8F\xB4\xF3\xA0\x81\xA7\xF3\xA0\x81\xA2\xF3\xA0\x81\xA5\xF3\xA0\x81\xAE\xF3\xA0\x81\xA7\xF3\xA0\x81\xBF",
		  2, "a tag-sequence flag (England)");
	check_len("A\xD7\xA9\xD6\xBC\xD7\x81", 4, "A + U+FB2C after NFC (conformance v2: 4)");
	/* 140 family emoji = 980 code points, weight 280 (conformance) */
	buf[0] = '\0';
	for (int i = 0; i < 140; i++)
		strcat(buf, "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6");
	check_len(buf, 280, "140 family ZWJ sequences");
}

/* Strip " (k/n)" and a final ellipsis; append the bare text to acc. */
static void strip_part(const char *part, char *acc, size_t cap)
{
	char tmp[8192];
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", part);
	n = strlen(tmp);
	if (n && tmp[n - 1] == ')') {
		char *p = strrchr(tmp, '(');
		if (p && p > tmp && p[-1] == ' ')
			n = (size_t)(p - 1 - tmp);
	}
	tmp[n] = '\0';
	if (n >= 3 && memcmp(tmp + n - 3, "\xE2\x80\xA6", 3) == 0)
		tmp[n - 3] = '\0';
	strncat(acc, tmp, cap - strlen(acc) - 1);
}

static void no_spaces(char *s)
{
	char *o = s;
	for (; *s; s++)
		if (*s != ' ')
			*o++ = *s;
	*o = '\0';
}

/* Shape text and check the invariants every result must keep. */
static void check_shape(const char *text, tt_config cfg, size_t want_parts, int want_trunc,
			const char *what)
{
	tt_parts p;
	char *clean = NULL, acc[70000] = "";
	int fits = 1, suffixes = 1, whole = 1;

	ok(tweettext_shape(text, strlen(text), &cfg, &p) == OMTW_OK, "shape: %s", what);
	if (!ok(p.n == want_parts, "%s: %zu part(s)", what, want_parts))
		printf("#   got %zu\n", p.n);
	ok(p.truncated == want_trunc, "%s: %s", what, want_trunc ? "marked truncated" : "nothing dropped");
	for (size_t k = 0; k < p.n; k++) {
		/* judged by the reference, not by tweettext_weighted_length */
		long w = ref_weight(p.part[k], 1);
		if (w > cfg.maxlength || w <= 0) {
			fits = 0;
			printf("#   part %zu weighs %ld (tweettext says %ld): %s\n", k + 1, w,
			       tweettext_weighted_length(p.part[k], strlen(p.part[k]), cfg.urls == TT_URLS_KEEP), p.part[k]);
		}
		char sfx[32];
		snprintf(sfx, sizeof(sfx), " (%zu/%zu)", k + 1, p.n);
		if (p.n > 1 && (strlen(p.part[k]) < strlen(sfx) ||
				strcmp(p.part[k] + strlen(p.part[k]) - strlen(sfx), sfx) != 0))
			suffixes = 0;
		/* a part never starts inside a character cluster */
		utf8proc_int32_t c;
		utf8proc_iterate((const utf8proc_uint8_t *)p.part[k], -1, &c);
		utf8proc_category_t cat = utf8proc_category(c);
		if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME ||
		    cat == UTF8PROC_CATEGORY_MC || c == 0x200D || (c >= 0x1F3FB && c <= 0x1F3FF)) {
			whole = 0;
			printf("#   part %zu starts inside a cluster\n", k + 1);
		}
		strip_part(p.part[k], acc, sizeof(acc));
	}
	ok(whole, "%s: no part starts inside a character cluster", what);
	ok(fits, "%s: every part weighs at most %ld (by the reference)", what, cfg.maxlength);
	ok(suffixes, "%s: %s", what, p.n > 1 ? "every part ends in its (k/n)" : "no (k/n) on a single post");
	if (!want_trunc) {
		tweettext_clean(text, strlen(text), &clean);
		no_spaces(clean);
		no_spaces(acc);
		ok(strcmp(clean, acc) == 0, "%s: the parts hold the whole text, in order, nothing split apart", what);
		free(clean);
	} else {
		ok(p.n > 0 && strstr(p.part[p.n - 1], "\xE2\x80\xA6") != NULL, "%s: the last part shows the ellipsis", what);
	}
	tweettext_parts_free(&p);
}

static char *repeat(const char *unit, size_t times)
{
	size_t ul = strlen(unit);
	char *s = malloc(ul * times + 1);

	for (size_t i = 0; i < times; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * times] = '\0';
	return s;
}

static void test_split(void)
{
	tt_config thread = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	tt_config trunc = { 280, TT_SPLIT_TRUNCATE, 4, TT_URLS_DEFANG };
	char *s;

	s = repeat("x", 280);
	check_shape(s, thread, 1, 0, "exactly 280 characters");
	free(s);
	s = repeat("x", 281);
	check_shape(s, thread, 2, 0, "281 characters without spaces");
	free(s);
	s = repeat("word ", 200); /* 1000 characters */
	check_shape(s, thread, 4, 0, "1000 characters of words");
	free(s);
	s = repeat("\xE6\x97\xA5", 300); /* CJK only: weight 600 */
	check_shape(s, thread, 3, 0, "300 CJK ideographs (no spaces at all)");
	free(s);
	s = repeat("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 ", 150);
	check_shape(s, thread, 2, 0, "150 ZWJ family emoji and spaces (weight 450)");
	free(s);
	s = repeat("a\xCC\x81\xCC\xB8", 400); /* combining marks that do not compose fully */
	check_shape(s, thread, 3, 0, "400 letters with two combining marks each (weight 800)");
	free(s);
	s = repeat("0123456789 ", 200);
	check_shape(s, thread, 4, 1, "2200 characters: maxparts reached, truncated");
	free(s);
	s = repeat("0123456789 ", 200);
	check_shape(s, trunc, 1, 1, "split=truncate: one post with an ellipsis");
	free(s);
	tt_config many = { 280, TT_SPLIT_THREAD, 25, TT_URLS_DEFANG };
	s = repeat("abcdefghi ", 500); /* 5000 characters: 10+ parts, two-digit suffixes */
	check_shape(s, many, 19, 0, "5000 characters with maxparts=25 (two-digit part numbers)");
	free(s);

	/* words are not cut when a space is near the end of a part */
	tt_parts p;
	s = repeat("abcdefghij ", 40);
	tweettext_shape(s, strlen(s), &thread, &p);
	ok(p.n == 2 && strncmp(p.part[0] + strlen(p.part[0]) - 16, "abcdefghij (1/2)", 16) == 0,
	   "a part breaks at a space, not inside a word");
	tweettext_parts_free(&p);
	free(s);

	/* a 1 MB line: bounded, linear, truncated */
	s = repeat("megabyte ", 1024 * 1024 / 9);
	ok(tweettext_shape(s, strlen(s), &thread, &p) == OMTW_OK && p.n == 4 && p.truncated,
	   "a 1 MB line becomes 4 parts, marked truncated");
	tweettext_parts_free(&p);
	free(s);

	/* a single cluster longer than a part (a base with 400 combining marks)
	 * is broken between code points as a last resort: every part fits */
	char *zalgo = malloc(1 + 400 * 2 + 1);
	strcpy(zalgo, "a");
	for (int k = 0; k < 400; k++)
		strcat(zalgo, "\u0301");
	tt_config z = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	int fits = tweettext_shape(zalgo, strlen(zalgo), &z, &p) == OMTW_OK && p.n == 2;
	for (size_t k = 0; k < p.n; k++)
		fits &= ref_weight(p.part[k], 1) > 0 && ref_weight(p.part[k], 1) <= 280;
	ok(fits, "a cluster of 401 code points becomes 2 parts, each at most 280 (by the reference)");
	tweettext_parts_free(&p);
	free(zalgo);

	tt_config bad = { 280, TT_SPLIT_THREAD, 0, TT_URLS_DEFANG };
	ok(tweettext_shape("x", 1, &bad, &p) == OMTW_EINVAL, "maxparts 0 is refused");
}

/* Weighted length by tweettext of the NFC form of len bytes of text. */
static long nfc_length(const char *text, size_t len)
{
	char *pre = strndup(text, len);
	utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)pre);
	long w = tweettext_weighted_length((char *)nfc, strlen((char *)nfc), 1);

	free(nfc);
	free(pre);
	return w;
}

/* UTF-8 byte length of one code point starting at s. */
static size_t cp_len(const char *s)
{
	unsigned char b = (unsigned char)*s;
	return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* The code point at s. */
static utf8proc_int32_t cp_at(const char *s)
{
	utf8proc_int32_t c = -1;
	utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
	return c;
}

/* Does text hold X's invalid characters U+FFFE, U+FEFF, U+FFFF? */
static int has_invalid(const char *t)
{
	return strstr(t, "\xEF\xBF\xBE") || strstr(t, "\xEF\xBB\xBF") || strstr(t, "\xEF\xBF\xBF");
}

/* Does text hold an emoji sequence (where v2 and v3 differ)? */
static int has_emoji(const char *t)
{
	for (; *t; t += cp_len(t)) {
		utf8proc_int32_t c = cp_at(t);
		if ((c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) || c == 0x20E3)
			return 1;
	}
	return 0;
}

/* The data's validRangeEnd of an overflowing text: the prefix through that
 * UTF-16 index (of the text as given, before NFC) fits in 280, and with the
 * next character (a code point with the marks, joiners and modifiers that
 * go with it; a URL whole, up to the next space) it weighs more than 280. */
static void check_valid_range(const char *what, const char *text, long vre)
{
	const char *p = text, *next;
	long units = 0;

	while (*p && units <= vre) {
		units += cp_at(p) >= 0x10000 ? 2 : 1;
		p += cp_len(p);
	}
	if (!ok(units == vre + 1 && *p, "%s: validRangeEnd %ld falls between two characters", what, vre))
		return;
	next = p + cp_len(p);
	if (strncmp(p, "http", 4) == 0) {
		next = p + strcspn(p, " ");
	} else {
		for (;;) {
			utf8proc_int32_t c = *next ? cp_at(next) : -1;
			utf8proc_category_t cat = c < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
			if (c < 0)
				break;
			if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_MC ||
			    c == 0xFE0F || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F))
				next += cp_len(next);
			else if (c == 0x200D && next[cp_len(next)])
				next += cp_len(next) + cp_len(next + cp_len(next));
			else
				break;
		}
	}
	long in = nfc_length(text, (size_t)(p - text)), over = nfc_length(text, (size_t)(next - text));
	if (!ok(in <= 280 && over > 280, "%s: the text through validRangeEnd fits, one character more does not",
		what))
		printf("#   through %ld: %ld, one more: %ld\n", vre, in, over);
}

/* twitter-text's weighted-length conformance cases: every column.  v3 (what
 * X uses): tweettext's length is the data's; v2 (emoji not discounted): the
 * same wherever the text holds no emoji sequence.  valid: 0 < length <= 280
 * and no invalid character (which tweettext_clean never lets through);
 * validRangeEnd: see check_valid_range.  The reference (ref_weight) must
 * agree with every row it can judge (no URL). */
static int conformance_file(const char *name, int v3)
{
	char line[16384], *f[TSV_MAXF];
	int nf, cases = 0, judged = 0, ranges = 0;
	FILE *fp = tsv_open(name);

	if (!ok(fp != NULL, "the weighted-length conformance data %s is readable", name))
		return 0;
	while (tsv_next(fp, line, sizeof(line), f, &nf)) {
		if (!ok(nf == 5, "%s: %s: 5 columns", name, f[0]))
			continue;
		utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)f[1]);
		long want = atol(f[2]), vre = atol(f[4]), got = -1, ref;
		int valid = atoi(f[3]), same = v3 || !has_emoji(f[1]);
		cases++;
		if (same) {
			got = tweettext_weighted_length((char *)nfc, strlen((char *)nfc), 1);
			if (!ok(got == want, "conformance %s: %s: %ld", v3 ? "v3" : "v2", f[0], want))
				printf("#   got %ld\n", got);
		}
		if ((ref = ref_weight((char *)nfc, v3)) >= 0) {
			judged++;
			if (!ok(ref == want, "the reference agrees (%s): %s: %ld", v3 ? "v3" : "v2", f[0], want))
				printf("#   the reference says %ld\n", ref);
		}
		if (has_invalid(f[1])) {
			char *clean = NULL;
			tweettext_clean(f[1], strlen(f[1]), &clean);
			ok(valid == 0 && clean && !has_invalid(clean),
			   "%s: %s: invalid characters (not valid), which clean removes", name, f[0]);
			free(clean);
		} else if (same) {
			if (!ok((got > 0 && got <= 280) == valid, "%s: %s: %s", name, f[0], valid ? "valid" : "not valid"))
				printf("#   length %ld\n", got);
			if (!valid) {
				check_valid_range(f[0], f[1], vre);
				ranges++;
			}
		}
		free(nfc);
	}
	fclose(fp);
	ok(cases >= 20, "%s: %d conformance cases were run", name, cases);
	ok(judged >= 10 && ranges >= 5, "%s: the reference judged %d of them, %d overflow points checked", name,
	   judged, ranges);
	return cases;
}

static void test_conformance_lengths(void)
{
	conformance_file("weighted-length.tsv", 1);
	conformance_file("weighted-length-v2.tsv", 0);
}

/* "<url1><url2>..." for the URLs found in text. */
static void list_urls(const char *text, char *out, size_t size)
{
	url_span *sp = NULL;
	size_t n = 0;

	out[0] = '\0';
	urls_find(text, strlen(text), &sp, &n);
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(out);
		snprintf(out + l, size - l, "<%.*s>", (int)(sp[k].end - sp[k].start), text + sp[k].start);
	}
	free(sp);
}

/* Host rules beyond the conformance data: a domain is judged as a whole. */
static void test_url_hosts(void)
{
	char got[1024], text[1024], kana70[256] = "";

	for (int i = 0; i < 70; i++)
		strcat(kana70, "\u3042");
	snprintf(text, sizeof(text), "x http://a.com.%s.jp y", kana70);
	list_urls(text, got, sizeof(got));
	is_str(got, "", "a host with an over-long IDN label is no URL, not a shorter one");
	snprintf(text, sizeof(text), "x http://a.com.%s y", kana70);
	list_urls(text, got, sizeof(got));
	is_str(got, "<http://a.com>", "an over-long label after the TLD does not belong to the host");
	list_urls("see http://\u30c6\u30b9\u30c8.\u307f\u3093\u306a/x ok", got, sizeof(got));
	is_str(got, "<http://\u30c6\u30b9\u30c8.\u307f\u3093\u306a/x>", "a Unicode host with an IDN TLD");
	list_urls("\u30c6\u30b9\u30c8.com", got, sizeof(got));
	is_str(got, "", "without a scheme a Unicode host is no URL");
	list_urls("mail.example.com\u3067\u3059", got, sizeof(got));
	is_str(got, "<mail.example.com>", "a bare domain ends where the TLD ends inside a word");
	list_urls("http://a.comcast", got, sizeof(got));
	is_str(got, "<http://a.comcast>", "a longer TLD wins over a prefix of it");
	list_urls("http://a.comx", got, sizeof(got));
	is_str(got, "", "a TLD followed by a letter is no TLD");
	/* twitter-text takes any Punycode label as a TLD: X links these */
	list_urls("see https://evil.xn--p1ai/x now", got, sizeof(got));
	is_str(got, "<https://evil.xn--p1ai/x>", "a Punycode TLD (xn--p1ai, .рф) makes a URL");
	list_urls("see evil.XN--P1AI now", got, sizeof(got));
	is_str(got, "<evil.XN--P1AI>", "without a scheme and in upper case too");
	list_urls("see http://evil.xn-- now", got, sizeof(got));
	is_str(got, "", "but \"xn--\" alone is no TLD");
	{
		char *prep = NULL;
		tweettext_prepare("see https://evil.xn--p1ai/x now", strlen("see https://evil.xn--p1ai/x now"),
				  TT_URLS_DEFANG, &prep);
		is_str(prep ? prep : "", "see hxxps://evil[.]xn--p1ai/x now", "and defanging turns it into no link");
		free(prep);
	}
}

/* twitter-text's URL extraction conformance cases. */
static void test_conformance_urls(void)
{
	char line[16384], *f[TSV_MAXF], got[8192], want[8192];
	int nf, cases = 0;
	FILE *fp = tsv_open("urls.tsv");

	if (!ok(fp != NULL, "the URL conformance data is readable"))
		return;
	while (tsv_next(fp, line, sizeof(line), f, &nf)) {
		want[0] = '\0';
		list_urls(f[1], got, sizeof(got));
		for (int k = 2; k < nf; k++) {
			size_t l = strlen(want);
			snprintf(want + l, sizeof(want) - l, "<%s>", f[k]);
		}
		is_str(got, want, "urls: %s", f[0]);
		cases++;
	}
	fclose(fp);
	ok(cases >= 100, "%d URL conformance cases were run", cases);
}

/* A text X refused as a duplicate goes out again with the time appended,
 * still within the limit (issue #14, point 3). */
static void test_append(void)
{
	tt_config c = { 280, TT_SPLIT_THREAD, 4, TT_URLS_DEFANG };
	const char *suffix = " (13:05:09 UTC)";
	char full[1200], *out = NULL;
	size_t sl = strlen(suffix);

	ok(tweettext_append("disk full on db1", suffix, &c, &out) == OMTW_OK, "append to a short text");
	is_str(out, "disk full on db1 (13:05:09 UTC)", "a text with room: the suffix is added as it is");
	free(out);
	out = NULL;
	memset(full, 'a', 280);
	full[280] = '\0';
	ok(tweettext_append(full, suffix, &c, &out) == OMTW_OK && out != NULL, "append to a full part");
	ok(out && ref_weight(out, 1) <= 280 && ref_weight(out, 1) >= 270,
	   "the result stays within 280 (%ld by the reference)", out ? ref_weight(out, 1) : -1L);
	ok(out && strlen(out) > sl && !strcmp(out + strlen(out) - sl, suffix) &&
	   !strncmp(out + strlen(out) - sl - 3, "\u2026", 3), "the text is cut, ends in an ellipsis, "
	   "then the whole suffix");
	free(out);
	out = NULL;
	full[0] = '\0'; /* 140 CJK characters weigh 280 */
	for (int i = 0; i < 140; i++)
		strcat(full, "\u6f22");
	omtw_err e = tweettext_append(full, suffix, &c, &out);
	ok(e == OMTW_OK && out && ref_weight(out, 1) > 0 && ref_weight(out, 1) <= 280 &&
	   ref_weight(out, 1) >= 270 && strstr(out, suffix),
	   "weighted characters are cut by their weight (%ld by the reference)", out ? ref_weight(out, 1) : -1L);
	free(out);
}

int main(void)
{
	test_reference();
	test_append();
	test_conformance_lengths();
	test_conformance_urls();
	test_url_hosts();
	test_repair();
	test_nfc();
	test_weights();
	test_split();
	return tap_done();
}
