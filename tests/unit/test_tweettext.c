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
		long w = tweettext_weighted_length(p.part[k], strlen(p.part[k]), cfg.urls == TT_URLS_KEEP);
		if (w > cfg.maxlength || w <= 0) {
			fits = 0;
			printf("#   part %zu weighs %ld: %s\n", k + 1, w, p.part[k]);
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
	ok(fits, "%s: every part weighs at most %ld", what, cfg.maxlength);
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
		fits &= tweettext_weighted_length(p.part[k], strlen(p.part[k]), 0) <= 280;
	ok(fits, "a cluster of 401 code points becomes 2 parts, each at most 280");
	tweettext_parts_free(&p);
	free(zalgo);

	tt_config bad = { 280, TT_SPLIT_THREAD, 0, TT_URLS_DEFANG };
	ok(tweettext_shape("x", 1, &bad, &p) == OMTW_EINVAL, "maxparts 0 is refused");
}

/* twitter-text's weighted-length conformance cases (v3 configuration). */
static void test_conformance_lengths(void)
{
	char line[16384], *f[TSV_MAXF];
	int nf, cases = 0;
	FILE *fp = tsv_open("weighted-length.tsv");

	if (!ok(fp != NULL, "the weighted-length conformance data is readable"))
		return;
	while (tsv_next(fp, line, sizeof(line), f, &nf)) {
		utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)f[1]);
		long got = tweettext_weighted_length((char *)nfc, strlen((char *)nfc), 1);
		if (!ok(got == atol(f[2]), "conformance: %s: %s", f[0], f[2]))
			printf("#   got %ld\n", got);
		free(nfc);
		cases++;
	}
	fclose(fp);
	ok(cases >= 20, "%d conformance cases were run", cases);
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
	ok(out && tweettext_weighted_length(out, strlen(out), 0) <= 280 &&
	   tweettext_weighted_length(out, strlen(out), 0) >= 270, "the result stays within 280 (%ld)",
	   out ? tweettext_weighted_length(out, strlen(out), 0) : -1L);
	ok(out && strlen(out) > sl && !strcmp(out + strlen(out) - sl, suffix) &&
	   !strncmp(out + strlen(out) - sl - 3, "\u2026", 3), "the text is cut, ends in an ellipsis, "
	   "then the whole suffix");
	free(out);
	out = NULL;
	full[0] = '\0'; /* 140 CJK characters weigh 280 */
	for (int i = 0; i < 140; i++)
		strcat(full, "\u6f22");
	ok(tweettext_append(full, suffix, &c, &out) == OMTW_OK && out &&
	   tweettext_weighted_length(out, strlen(out), 0) <= 280 && strstr(out, suffix),
	   "weighted characters are cut by their weight");
	free(out);
}

int main(void)
{
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
