/* urls.c - find the URLs X (twitter-text) would detect in a post's text.
 *
 * A URL is an optional http:// or https://, a domain whose last label is a
 * top-level domain X knows (tlds.c), an optional :port and an optional
 * path and query.  After a scheme the host may be internationalised (each
 * label's Punycode form at most 63 characters); without one only the TLD
 * may be.  The scan is linear: candidate starts are word boundaries and
 * every domain is read at most DOMAIN_MAX bytes far.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "punycode.h"
#include "tlds.h"
#include "urls.h"

#define DOMAIN_MAX 255
#define LABEL_MAX 63
#define URL_MAX 4096

/* Decode one code point (clean text is valid UTF-8; be safe anyway). */
static size_t cp_at(const char *s, size_t len, size_t i, int32_t *c)
{
	utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
					      (utf8proc_ssize_t)(len - i), c);
	if (r <= 0) {
		*c = 0xFFFD;
		return 1;
	}
	return (size_t)r;
}

static int is_ascii_alnum(int32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Latin letters with diacritics count as ASCII-host characters for X. */
static int is_latin(int32_t c)
{
	return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || c == 0x253 || c == 0x254 ||
	       c == 0x256 || c == 0x257 || c == 0x259 || c == 0x25B || c == 0x263 || c == 0x268 ||
	       c == 0x26F || c == 0x272 || c == 0x289 || c == 0x28B || c == 0x2BB ||
	       (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF);
}

/* Letters, marks and digits beyond ASCII may form internationalised labels. */
static int is_unicode_label_char(int32_t c)
{
	if (c < 0x80)
		return 0;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
		return 1;
	default:
		return 0;
	}
}

/* What may not come right before a URL: it would be part of a word, a
 * mention, a cashtag or a hashtag instead. */
static int blocks_url(int32_t c)
{
	return is_ascii_alnum(c) || c == '@' || c == 0xFF20 || c == '$' || c == '#' ||
	       c == 0xFF03 || c == 0xFFFE || c == 0xFEFF || c == 0xFFFF;
}

static int tld_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

/* Is s[0..len) (case-insensitively for ASCII) a known top-level domain? */
static int known_tld(const char *s, size_t len)
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	buf[len] = '\0';
	/* as twitter-text: any Punycode label is a TLD, xn--[-0-9a-z]+ */
	if (len > 4 && strncmp(buf, "xn--", 4) == 0 && strspn(buf + 4, "-0123456789abcdefghijklmnopqrstuvwxyz") == len - 4)
		return 1;
	return bsearch(buf, tweettext_tlds, tweettext_ntlds, sizeof(char *), tld_cmp) != NULL;
}

/* Characters of a path or query (besides letters and digits). */
static int path_char(int32_t c)
{
	return c > 0x7F ? (c == 0x2013 || is_latin(c) || (c >= 0x400 && c <= 0x4FF))
			: (is_ascii_alnum(c) || strchr("!*';:=+,.$/%#[]-_~&|@()", (int)c) != NULL);
}

/* Non-ASCII characters a host may hold after http(s)://: twitter-text takes
 * everything but white space, the invalid characters and bidi controls. */
static int is_host_char(int32_t c)
{
	if (c < 0x80 || c == 0xFFFE || c == 0xFEFF || c == 0xFFFF || c == 0x180E || c == 0x061C ||
	    c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
		return 0;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
		return 0;
	default:
		return 1;
	}
}

/* Read the domain at s+i and return its end, or 0.  The domain is the
 * longest run of labels that ends in a known top-level domain, where a TLD
 * may also end inside a label when what follows cannot continue it
 * ("example.comだよね" is example.com).  Without a scheme (bare) labels are
 * ASCII or Latin and only the TLD may be internationalised.  As in
 * twitter-text, the domain is judged as a whole once found: a label whose
 * DNS (Punycode) form exceeds 63 characters, or an "xn--" host that is not
 * ASCII, rejects the URL instead of shortening it. */
static size_t domain_end(const char *s, size_t len, size_t i, int bare)
{
	size_t best = 0, pos = i, limit = i + DOMAIN_MAX < len ? i + DOMAIN_MAX : len;
	int labels = 0, prev_us = 0, poisoned = 0;

	while (pos < limit) {
		int32_t cps[LABEL_MAX + 1], c = 0, last = 0, next;
		size_t ls = pos, ncp = 0;
		int us = 0, wide = 0;

		while (pos < limit) {
			size_t n = cp_at(s, len, pos, &c);
			int ascii_like = is_ascii_alnum(c) || c == '-' || c == '_' || is_latin(c);
			if (!ascii_like && !is_host_char(c))
				break;
			if (ncp == 0 && (c == '-' || c == '_'))
				return best;
			if (!ascii_like) {
				if (bare && labels == 0)
					return best;
				wide = 1;
			}
			us |= c == '_';
			if (ncp <= LABEL_MAX)
				cps[ncp++] = c;
			last = c;
			pos += n;
			if (labels == 0 || us || prev_us)
				continue;
			next = 0;
			if (pos < len)
				cp_at(s, len, pos, &next);
			if (!(next == '@' || next == '+' || next == '-' || is_ascii_alnum(next)) &&
			    known_tld(s + ls, pos - ls)) {
				if (poisoned)
					return 0;
				best = pos;
			}
		}
		if (ncp == 0 || last == '-' || last == '_' || (bare && wide))
			break;
		labels++;
		if (ncp > LABEL_MAX || punycode_label_len(cps, ncp) > LABEL_MAX)
			poisoned = 1;
		prev_us = us;
		if (pos < limit && s[pos] == '.' && pos + 1 < len)
			pos++;
		else
			break;
	}
	if (best && strncmp(s + i, "xn--", 4) == 0)
		for (size_t q = i; q < best;) {
			int32_t c;
			q += cp_at(s, len, q, &c);
			if (c >= 0x80 && !is_latin(c))
				return 0;
		}
	return best;
}

static int path_end_char(int32_t c)
{
	return is_ascii_alnum(c) || (c < 0x80 && strchr("=_#/-+", (int)c) != NULL) ||
	       is_latin(c) || (c >= 0x400 && c <= 0x4FF);
}

/* Extend a URL over :port, path and query; returns its end. */
static size_t url_tail(const char *s, size_t len, size_t e)
{
	size_t p = e, limit, good;
	int depth = 0;

	if (p < len && s[p] == ':' && p + 1 < len && s[p + 1] >= '0' && s[p + 1] <= '9') {
		size_t q = p + 1;
		while (q < len && s[q] >= '0' && s[q] <= '9')
			q++;
		e = p = q;
	}
	limit = e + URL_MAX < len ? e + URL_MAX : len;
	if (p < len && s[p] == '/') {
		/* the path ends at its last path-ending character or closing ')' */
		good = ++p;
		while (p < limit) {
			int32_t c;
			size_t n = cp_at(s, len, p, &c);
			if (!path_char(c))
				break;
			if (c == '(')
				depth++;
			else if (c == ')' && --depth < 0)
				break; /* an unbalanced ')' closes a parenthesis around the URL */
			p += n;
			if (path_end_char(c) || (c == ')' && depth == 0))
				good = p;
		}
		e = p = good;
	}
	if (p < len && s[p] == '?') {
		/* an ASCII query that ends in [A-Za-z0-9-_&=#/] */
		good = 0;
		for (p++; p < limit && s[p] > 0x20 && s[p] < 0x7F &&
			  (is_ascii_alnum(s[p]) || strchr("!?*'();:&=+$/%#[]-_.,~|@", s[p])); p++)
			if (is_ascii_alnum(s[p]) || strchr("-_&=#/", s[p]))
				good = p + 1;
		if (good)
			e = good;
	}
	return e;
}

static int starts_scheme(const char *s, size_t len, size_t i, size_t *scheme_len)
{
	if (i + 7 <= len && strncasecmp(s + i, "http://", 7) == 0) {
		*scheme_len = 4;
		return 7;
	}
	if (i + 8 <= len && strncasecmp(s + i, "https://", 8) == 0) {
		*scheme_len = 5;
		return 8;
	}
	return 0;
}

omtw_err urls_find(const char *s, size_t len, url_span **spans, size_t *n)
{
	url_span *v = NULL;
	size_t cap = 0, i = 0;
	int32_t prev = ' ';

	*spans = NULL;
	*n = 0;
	if (memchr(s, '.', len) == NULL)
		return OMTW_OK; /* every URL has a dot before its TLD */
	while (i < len) {
		int32_t c;
		size_t step = cp_at(s, len, i, &c), scheme_len = 0, host, end, e;
		int sl;

		if (blocks_url(prev) || !(is_ascii_alnum(c) || is_unicode_label_char(c))) {
			prev = c;
			i += step;
			continue;
		}
		sl = starts_scheme(s, len, i, &scheme_len);
		host = i + (size_t)sl;
		e = domain_end(s, len, host, sl == 0);
		if (e == 0) {
			prev = c;
			i += step;
			continue;
		}
		end = url_tail(s, len, e);
		/* a bare domain glued to a word by - _ . or / is not a URL */
		if (sl == 0 && (prev == '-' || prev == '_' || prev == '.' || prev == '/')) {
			i = end;
			prev = (int32_t)(unsigned char)s[end - 1];
			continue;
		}
		/* t.co links: the slug (at most 40 characters) ends the URL */
		if (sl && end - host > 5 && strncasecmp(s + host, "t.co/", 5) == 0) {
			size_t q = host + 5;
			while (q < end && is_ascii_alnum((unsigned char)s[q]))
				q++;
			if (q - host - 5 > 40) {
				i = end;
				prev = (int32_t)(unsigned char)s[end - 1];
				continue;
			}
			if (q < end && s[q] != '?')
				end = q;
		}
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			url_span *nv = realloc(v, ncap * sizeof(*nv));
			if (nv == NULL) {
				free(v);
				*n = 0;
				return OMTW_ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		v[*n].start = i;
		v[*n].end = end;
		v[*n].scheme_len = sl ? scheme_len : 0;
		(*n)++;
		i = end;
		prev = end > 0 ? (int32_t)(unsigned char)s[end - 1] : ' ';
	}
	*spans = v;
	return OMTW_OK;
}
