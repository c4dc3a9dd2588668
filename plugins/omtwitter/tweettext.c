/* tweettext.c - shaping hostile log text into X posts (see tweettext.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tweettext.h"
#include "urls.h"

#define W_URL (23 * TWEETTEXT_SCALE)
#define W_EMOJI 200
#define ELLIPSIS "\xE2\x80\xA6" /* U+2026, weight 2 */
#define W_ELLIPSIS 200

/* ---- repair ------------------------------------------------------------ */

/* Bytes of the maximal ill-formed subpart starting at s (Unicode 3.9,
 * "substitution of maximal subparts"): each such subpart becomes one U+FFFD. */
static size_t bad_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t need;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 1;
	for (size_t k = 1; k < need; k++) {
		if (k >= len || s[k] < lo || s[k] > hi)
			return k;
		lo = 0x80, hi = 0xBF;
	}
	return need; /* not reached for input utf8proc rejected */
}

/* rsyslog escapes control characters on input as '#' and three octal digits. */
static int escaped_control(const unsigned char *s, size_t len)
{
	int v;

	if (len < 4 || s[0] != '#' || s[1] < '0' || s[1] > '3' ||
	    s[2] < '0' || s[2] > '7' || s[3] < '0' || s[3] > '7')
		return 0;
	v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
	return v < 0x20 || v == 0x7F;
}

static int is_blank(utf8proc_int32_t c)
{
	utf8proc_category_t cat;

	if (c == ' ' || c < 0x20 || (c >= 0x7F && c <= 0x9F)) /* controls become blanks */
		return 1;
	if (c < 0x7F)
		return 0;
	cat = utf8proc_category(c);
	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP;
}

omtw_err tweettext_clean(const char *in, size_t len, char **out)
{
	const unsigned char *s = (const unsigned char *)in;
	utf8proc_uint8_t *buf, *nfc = NULL;
	utf8proc_ssize_t r;
	size_t o = 0, i = 0;
	int pending_space = 0;

	*out = NULL;
	if (len > TWEETTEXT_MAX_INPUT) {
		len = TWEETTEXT_MAX_INPUT; /* cut on a character boundary */
		while (len > 0 && (s[len] & 0xC0) == 0x80 && TWEETTEXT_MAX_INPUT - len < 3)
			len--;
	}
	/* every input byte yields at most 3 output bytes (a U+FFFD) */
	if ((buf = malloc(3 * len + 1)) == NULL)
		return OMTW_ENOMEM;
	while (i < len) {
		utf8proc_int32_t c;
		size_t n;

		if (s[i] < 0x80 && s[i] != '#') { /* most log text: plain ASCII */
			c = s[i];
			n = 1;
		} else if (escaped_control(s + i, len - i)) {
			c = ' ';
			n = 4;
		} else if ((r = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c)) > 0) {
			n = (size_t)r;
		} else {
			c = 0xFFFD;
			n = bad_utf8_len(s + i, len - i);
		}
		i += n;
		if (c == 0xFEFF) /* byte order mark / zero-width no-break space: invisible */
			continue;
		if (c == 0xFFFE || c == 0xFFFF) /* X refuses posts with these */
			c = 0xFFFD;
		if (is_blank(c)) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space)
			buf[o++] = ' ';
		pending_space = 0;
		if (c < 0x80)
			buf[o++] = (utf8proc_uint8_t)c;
		else
			o += (size_t)utf8proc_encode_char(c, buf + o);
	}
	buf[o] = '\0';
	/* text of code points below U+0300 (lead bytes below 0xCC) is NFC
	 * already: nothing in that range decomposes or composes */
	for (i = 0; i < o && buf[i] < 0xCC; i++)
		;
	if (i == o) {
		*out = (char *)buf;
		return OMTW_OK;
	}
	r = utf8proc_map(buf, (utf8proc_ssize_t)o, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	free(buf);
	if (r < 0)
		return r == UTF8PROC_ERROR_NOMEM ? OMTW_ENOMEM : OMTW_EINVAL;
	*out = (char *)nfc;
	return OMTW_OK;
}

/* ---- weights and units ------------------------------------------------- */

static int cp_weight(utf8proc_int32_t c)
{
	if (c <= 0x10FF || (c >= 0x2000 && c <= 0x200D) || (c >= 0x2010 && c <= 0x201F) ||
	    (c >= 0x2032 && c <= 0x2037))
		return 100;
	return 200;
}

/* A unit is what is never split: a grapheme cluster, or a whole URL. */
typedef struct unit {
	size_t off, len;
	int w;       /* weight in hundredths */
	int space;   /* a single ' ' (a place to break) */
} unit;

typedef struct cluster {
	size_t off, len;
	int sum, ncp;
	int pict, ri, keycap, vs16;
} cluster;

/* An emoji counts 2 however many code points it has (twitter-text v3's
 * discounted emoji): flags, keycaps, and pictographs with modifiers, ZWJ
 * sequences or an emoji presentation selector. */
static int cluster_weight(const cluster *c)
{
	if (c->ri || c->keycap || (c->pict && (c->sum >= 200 || c->vs16)))
		return W_EMOJI;
	return c->sum;
}

/* Split clean text into units; URL spans (sorted) become single units
 * weighing url_weight, or their characters' weight when url_weight < 0. */
static omtw_err make_units(const char *text, size_t len, const url_span *spans, size_t nspans,
			   int url_weight, unit **out, size_t *nout)
{
	const unsigned char *s = (const unsigned char *)text;
	unit *u = malloc((len + 1) * sizeof(*u));
	size_t n = 0, i = 0, sp = 0;
	utf8proc_int32_t prev = 0, c;
	utf8proc_int32_t state = 0;
	cluster cl = { 0 };

	*out = NULL;
	*nout = 0;
	if (u == NULL)
		return OMTW_ENOMEM;
	while (i <= len) {
		utf8proc_ssize_t r = 0;
		int brk = 1;

		if (i < len) {
			r = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
			if (r <= 0) { /* clean text is valid; be safe anyway */
				c = 0xFFFD;
				r = 1;
			}
			brk = cl.ncp == 0 || utf8proc_grapheme_break_stateful(prev, c, &state);
		}
		if (brk && cl.ncp > 0) {
			/* close the cluster: extend the current URL unit, or add one */
			int w = cluster_weight(&cl);
			if (n > 0 && sp < nspans && u[n - 1].off >= spans[sp].start &&
			    u[n - 1].off < spans[sp].end && cl.off < spans[sp].end) {
				u[n - 1].len = cl.off + cl.len - u[n - 1].off;
				if (url_weight < 0)
					u[n - 1].w += w;
			} else {
				while (sp < nspans && spans[sp].end <= cl.off)
					sp++;
				u[n].off = cl.off;
				u[n].len = cl.len;
				u[n].space = cl.len == 1 && s[cl.off] == ' ';
				u[n].w = w;
				if (sp < nspans && cl.off >= spans[sp].start && cl.off < spans[sp].end &&
				    url_weight >= 0)
					u[n].w = url_weight;
				n++;
			}
			memset(&cl, 0, sizeof(cl));
		}
		if (i == len)
			break;
		if (cl.ncp == 0)
			cl.off = i;
		cl.len = i + (size_t)r - cl.off;
		cl.ncp++;
		cl.sum += cp_weight(c);
		const utf8proc_property_t *p = utf8proc_get_property(c);
		if (cl.ncp == 1) {
			cl.pict = p->boundclass == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC;
			cl.ri = p->boundclass == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR;
		}
		cl.keycap |= c == 0x20E3;
		cl.vs16 |= c == 0xFE0F;
		prev = c;
		i += (size_t)r;
	}
	*out = u;
	*nout = n;
	return OMTW_OK;
}

long tweettext_weighted_length(const char *s, size_t len, int count_urls)
{
	url_span *spans = NULL;
	size_t nspans = 0, n = 0;
	unit *u = NULL;
	long sum = 0;

	if (count_urls && urls_find(s, len, &spans, &nspans) != OMTW_OK)
		return -1;
	if (make_units(s, len, spans, nspans, W_URL, &u, &n) != OMTW_OK) {
		free(spans);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		sum += u[i].w;
	free(u);
	free(spans);
	return sum / TWEETTEXT_SCALE;
}

/* ---- defanging --------------------------------------------------------- */

/* Defang s; when out_spans is given, also report where the rewritten URLs
 * are in the result (so they are not split). */
static omtw_err defang(const char *s, size_t len, char **out, url_span **out_spans, size_t *nout)
{
	url_span *spans = NULL;
	size_t n = 0, o = 0, dots = 0, pos = 0;
	char *d;
	omtw_err e;

	*out = NULL;
	if ((e = urls_find(s, len, &spans, &n)) != OMTW_OK)
		return e;
	for (size_t k = 0; k < n; k++)
		for (size_t i = spans[k].start; i < spans[k].end; i++)
			dots += s[i] == '.';
	if ((d = malloc(len + 2 * dots + 1)) == NULL) {
		free(spans);
		return OMTW_ENOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = spans[k].start;
		memcpy(d + o, s + pos, i - pos);
		o += i - pos;
		spans[k].start = o;
		if (spans[k].scheme_len >= 4) { /* http -> hxxp, keeping the case */
			d[o++] = s[i];
			d[o++] = s[i + 1] == 'T' ? 'X' : 'x';
			d[o++] = s[i + 2] == 'T' ? 'X' : 'x';
			i += 3;
		}
		for (; i < spans[k].end; i++) {
			if (s[i] == '.') {
				memcpy(d + o, "[.]", 3);
				o += 3;
			} else {
				d[o++] = s[i];
			}
		}
		spans[k].end = o;
		pos = i;
	}
	memcpy(d + o, s + pos, len - pos);
	o += len - pos;
	d[o] = '\0';
	*out = d;
	if (out_spans) {
		*out_spans = spans;
		*nout = n;
	} else {
		free(spans);
	}
	return OMTW_OK;
}

omtw_err tweettext_defang(const char *s, size_t len, char **out)
{
	return defang(s, len, out, NULL, NULL);
}

/* ---- fitting ----------------------------------------------------------- */

static int digits(size_t n)
{
	int d = 1;
	while (n >= 10)
		n /= 10, d++;
	return d;
}

/* The end of the part starting at unit i with budget b: a break at a
 * space in the last third when there is one, else as much as fits.  *next
 * is where the following part starts. */
static size_t part_end(const unit *u, size_t n, size_t i, long b, size_t *next)
{
	long sum = 0, at_space = -1;
	size_t j = i, brk = 0;

	while (j < n && sum + u[j].w <= b) {
		if (u[j].space && j > i && sum >= 2 * b / 3) {
			brk = j;
			at_space = sum;
		}
		sum += u[j].w;
		j++;
	}
	if (j == n) {
		*next = n;
		return n;
	}
	if (j == i) { /* one unit larger than a part: never stall */
		*next = i + 1;
		return i + 1;
	}
	if (at_space >= 0) {
		*next = brk + 1;
		return brk;
	}
	*next = j;
	return j;
}

static size_t skip_spaces(const unit *u, size_t n, size_t i)
{
	while (i < n && u[i].space)
		i++;
	return i;
}

/* Greedy split with budget b per part: the number of parts needed. */
static size_t count_parts(const unit *u, size_t n, long b)
{
	size_t parts = 0, i = skip_spaces(u, n, 0), next;

	while (i < n) {
		size_t end = part_end(u, n, i, b, &next);
		/* a cluster heavier than a part is broken over several */
		parts += end == i + 1 && u[i].w > b && b > 0 ? (size_t)((u[i].w + b - 1) / b) : 1;
		i = skip_spaces(u, n, next);
	}
	return parts;
}

static omtw_err add_part(tt_parts *p, const char *text, const unit *u, size_t from, size_t to,
			 int ellipsis, const char *suffix)
{
	size_t start, end, slen = suffix ? strlen(suffix) : 0;
	char *s;

	while (to > from && u[to - 1].space)
		to--;
	start = from < to ? u[from].off : 0;
	end = from < to ? u[to - 1].off + u[to - 1].len : 0;
	if ((s = malloc(end - start + 3 + slen + 1)) == NULL)
		return OMTW_ENOMEM;
	memcpy(s, text + start, end - start);
	size_t o = end - start;
	if (ellipsis) {
		memcpy(s + o, ELLIPSIS, 3);
		o += 3;
	}
	if (suffix)
		memcpy(s + o, suffix, slen);
	s[o + slen] = '\0';
	p->part[p->n++] = s;
	return OMTW_OK;
}

/* The last part added, as X will count it: with urls="defang" any URL the
 * cut created is defanged in place; *over is how much it exceeds maxlength
 * (in weight units, <= 0 when it fits). */
static omtw_err recheck_part(tt_parts *p, const tt_config *cfg, long *over)
{
	char *s = p->part[p->n - 1], *d = NULL;
	long w;
	omtw_err e;

	if (cfg->urls == TT_URLS_DEFANG) {
		if ((e = tweettext_defang(s, strlen(s), &d)) != OMTW_OK)
			return e;
		if (strcmp(d, s) != 0) {
			free(s);
			p->part[p->n - 1] = s = d;
		} else {
			free(d);
		}
	}
	w = tweettext_weighted_length(s, strlen(s), cfg->urls == TT_URLS_KEEP);
	*over = (w - cfg->maxlength) * TWEETTEXT_SCALE;
	return OMTW_OK;
}

/* Whether unit u holds more than one code point (so it can be split). */
static int several_cps(const char *text, const unit *u)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)text + u->off,
					      (utf8proc_ssize_t)u->len, &c);
	return (size_t)(r > 0 ? r : 1) < u->len;
}

/* A single unit heavier than a part's room (a base with hundreds of
 * combining marks, a tiny maxlength, or text that X would count heavier
 * alone than inside the alert): the last resort is to break it between code
 * points.  The first bytes that fit room (at least one code point) become
 * unit i's head; the rest stays unit i for the next part, weighed by its
 * code points (it may be the tail of a URL, which no longer counts 23). */
static void split_unit(const char *text, unit *u, long room, unit *head)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text + u->off;
	size_t o = 0;
	long w = 0, rest = 0;

	while (o < u->len) {
		utf8proc_int32_t c;
		utf8proc_ssize_t r = utf8proc_iterate(s + o, (utf8proc_ssize_t)(u->len - o), &c);
		if (r <= 0)
			r = 1, c = 0xFFFD;
		if (o > 0 && (w + cp_weight(c) > room || o + (size_t)r == u->len))
			break; /* at least one code point each side */
		w += cp_weight(c);
		o += (size_t)r;
	}
	*head = *u;
	head->len = o;
	head->w = (int)w;
	u->off += o;
	u->len -= o;
	for (size_t k = 0; k < u->len;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t r = utf8proc_iterate(s + o + k, (utf8proc_ssize_t)(u->len - k), &c);
		if (r <= 0)
			r = 1, c = 0xFFFD;
		rest += cp_weight(c);
		k += (size_t)r;
	}
	u->w = (int)rest;
}

static omtw_err fit(const char *text, unit *u, size_t n, const tt_config *cfg,
		    int cut, tt_parts *p)
{
	long max = cfg->maxlength * TWEETTEXT_SCALE, total = 0, b = max;
	size_t parts = 1, i, next, end;
	int d = 0;
	char suffix[32];
	omtw_err e;

	for (i = 0; i < n; i++)
		total += u[i].w;
	if ((p->part = calloc((size_t)cfg->maxparts + 1, sizeof(char *))) == NULL)
		return OMTW_ENOMEM;
	if (total <= max && !cut)
		return add_part(p, text, u, 0, n, 0, NULL);
	if (cfg->split == TT_SPLIT_THREAD && cfg->maxparts > 1) {
		/* the suffix " (k/n)" takes room; its width depends on n */
		for (d = 1; d <= 3; d++) {
			b = max - (4 + 2 * d) * TWEETTEXT_SCALE;
			parts = count_parts(u, n, b);
			if (parts > (size_t)cfg->maxparts)
				parts = (size_t)cfg->maxparts;
			if (digits(parts) <= d)
				break;
		}
		if (parts <= 1) { /* it fits after all (only a cut input gets here) */
			parts = 1;
			b = max;
		}
	}
	i = skip_spaces(u, n, 0);
	for (size_t k = 1; k <= parts; k++) {
		int last = k == parts, trunc, split = 0, bare = 0;
		long room = b, over;

		if (parts > 1)
			snprintf(suffix, sizeof(suffix), " (%zu/%zu)", k, parts);
		for (;;) {
			unit saved = u[i];
			end = part_end(u, n, i, room, &next);
			/* in the last part a unit heavier than the room is dropped */
			trunc = last && (end < n || cut || bare || (end == i + 1 && u[i].w > room));
			if (trunc) { /* the last part may need an ellipsis */
				end = part_end(u, n, i, room - W_ELLIPSIS, &next);
				if (bare || (end == i + 1 && u[i].w > room - W_ELLIPSIS))
					end = i; /* not even one more unit fits: just the ellipsis */
			}
			if (!trunc && end == i + 1 && several_cps(text, &u[i]) && (split || u[i].w > room)) {
				/* one unit heavier than the part: break it */
				unit head;
				split = 1;
				split_unit(text, &u[i], room, &head);
				e = add_part(p, text, &head, 0, 1, 0, parts > 1 ? suffix : NULL);
				next = i; /* the rest of the unit starts the next part */
			} else {
				split = 0;
				e = add_part(p, text, u, i, end, trunc, parts > 1 ? suffix : NULL);
			}
			if (e != OMTW_OK)
				return e;
			/* a cut can make a URL of what was none ("aaa…aaa.cz" with a
			 * label too long to be a host becomes "aaa.cz"): check the part
			 * as X will see it, and shorten it until it fits */
			if ((e = recheck_part(p, cfg, &over)) != OMTW_OK)
				return e;
			if (over <= 0 || end <= i)
				break; /* fits (a bare ellipsis and suffix always do) */
			if (!split && end == i + 1 && !last && !several_cps(text, &u[i]))
				break; /* one code point and a suffix always fit: not reached */
			free(p->part[--p->n]);
			u[i] = saved;
			if (split) {
				/* a head counts at most 2 per code point: this ends */
				room -= over > TWEETTEXT_SCALE ? over : TWEETTEXT_SCALE;
			} else if (end > i + 1) {
				room -= over > u[end - 1].w ? over : u[end - 1].w;
				if (room < u[i].w)
					room = u[i].w; /* next: the first unit alone */
			} else if (trunc || last) {
				bare = 1;
			} else { /* one unit that counts more alone than in the text */
				split = 1;
				room -= over;
			}
		}
		if (trunc)
			p->truncated = 1;
		i = skip_spaces(u, n, next);
	}
	return OMTW_OK;
}

void tweettext_parts_free(tt_parts *p)
{
	for (size_t i = 0; p->part && i < p->n; i++)
		free(p->part[i]);
	free(p->part);
	memset(p, 0, sizeof(*p));
}

omtw_err tweettext_prepare(const char *in, size_t len, tt_urls urls, char **out)
{
	char *clean = NULL;
	omtw_err e;

	*out = NULL;
	/* without a dot there is no URL to defang */
	if ((e = tweettext_clean(in, len, &clean)) != OMTW_OK || urls == TT_URLS_KEEP ||
	    strchr(clean, '.') == NULL) {
		*out = clean;
		return e;
	}
	e = tweettext_defang(clean, strlen(clean), out);
	free(clean);
	return e;
}

omtw_err tweettext_shape(const char *in, size_t len, const tt_config *cfg, tt_parts *out)
{
	char *clean = NULL, *text = NULL;
	url_span *spans = NULL;
	size_t nspans = 0, n = 0;
	unit *u = NULL;
	omtw_err e;

	memset(out, 0, sizeof(*out));
	if (cfg->maxlength < 10 || cfg->maxparts < 1 || cfg->maxparts > TWEETTEXT_MAX_PARTS)
		return OMTW_EINVAL;
	if ((e = tweettext_clean(in, len, &clean)) != OMTW_OK)
		goto done;
	if (cfg->urls == TT_URLS_DEFANG) {
		if ((e = defang(clean, strlen(clean), &text, &spans, &nspans)) != OMTW_OK)
			goto done;
		/* a rewritten URL stays whole unless it would not fit a part */
		e = make_units(text, strlen(text), spans, nspans, -1, &u, &n);
		for (size_t i = 0; e == OMTW_OK && i < n; i++)
			if (u[i].w > cfg->maxlength * TWEETTEXT_SCALE / 2) {
				free(u);
				u = NULL;
				e = make_units(text, strlen(text), NULL, 0, -1, &u, &n);
				break;
			}
	} else {
		text = clean;
		clean = NULL;
		if ((e = urls_find(text, strlen(text), &spans, &nspans)) != OMTW_OK)
			goto done;
		e = make_units(text, strlen(text), spans, nspans, W_URL, &u, &n);
	}
	if (e != OMTW_OK)
		goto done;
	e = fit(text, u, n, cfg, len > TWEETTEXT_MAX_INPUT, out);
done:
	if (e != OMTW_OK)
		tweettext_parts_free(out);
	free(u);
	free(spans);
	free(text);
	free(clean);
	return e;
}

omtw_err tweettext_append(const char *part, const char *suffix, const tt_config *cfg, char **out)
{
	int urls = cfg->urls == TT_URLS_KEEP;
	long ws = tweettext_weighted_length(suffix, strlen(suffix), urls);
	tt_config one = { cfg->maxlength - ws, TT_SPLIT_TRUNCATE, 1, cfg->urls };
	tt_parts cut = { 0 };
	const char *head = part;
	omtw_err e;

	*out = NULL;
	if (tweettext_weighted_length(part, strlen(part), urls) > one.maxlength) {
		if ((e = tweettext_shape(part, strlen(part), &one, &cut)) != OMTW_OK)
			return e;
		head = cut.n ? cut.part[0] : "";
	}
	if ((*out = malloc(strlen(head) + strlen(suffix) + 1)) != NULL)
		sprintf(*out, "%s%s", head, suffix);
	tweettext_parts_free(&cut);
	return *out ? OMTW_OK : OMTW_ENOMEM;
}
