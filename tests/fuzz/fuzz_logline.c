/* fuzz_logline.c - the lines of a hostile log file, as omtwitter-replay
 * reads them.  The input is split at '\n' into lines (the whole input is
 * also tried as one line: logline_parse takes any bytes), each in a buffer
 * of exactly its length so that AddressSanitizer sees a read past it.
 * Under three zones (UTC; Berlin's summer time; Lord Howe's of 30 minutes),
 * for every line and every format (auto, rfc3164, rfc5424, iso, none):
 *
 * - a refusal gives a one-line reason of printable ASCII that fits ERR
 *   (and ERR may be NULL, of 0 bytes or too small: the result is the same,
 *   and the reason is cut short);
 * - an acceptance gives the message inside the line, running to its end
 *   without the final CR, starting after the time stamp and not with a
 *   space; a stamp that is a date that exists (no Feb 29 in 2100); and a
 *   time that is the stamp's: a zoned stamp's exactly, a local one an
 *   instant that shows its wall clock under TZ (or, in the gap of a change
 *   to summer time, one next to it), in the reader's year for a first RFC
 *   3164 line, and for the others not before the epoch (omtwitter-replay's
 *   report takes a negative time for "never") nor after 9999 and a zone;
 * - the result depends on nothing but the reader and the line: a second
 *   fresh reader, after mktime converted a time of the other season (glibc's
 *   mktime starts from the offset it found last), gets the same;
 * - at most one explicit format accepts a line, and auto accepts exactly
 *   the lines one of them accepts, with its time and message;
 * - none takes the whole line, at none_start + i * spacing.
 *
 * Then the lines in order, through one reader per format (the year of the
 * RFC 3164 stamps rolls over as year_of in logline.c says): auto agrees with
 * the rfc3164 reader on every line that one accepts (a refused line moves no
 * state, and a line rfc3164 accepts is one auto reads as RFC 3164), and with
 * a fresh rfc5424 or iso reader on the other lines it accepts; two auto
 * passes agree; none counts the lines; and from one accepted RFC 3164 line
 * to the next, the time goes back by less than a day when the month changes
 * (the JITTER of merged files), by less than a month within one month, and
 * forward by less than a year, in a year from YEAR - 1 (Dec 31 after Jan 1)
 * to YEAR + the number of such lines.  (So a file never goes back by a year:
 * the rollover needs the month to go back by more than a day.)
 *
 * And logline_format_parse takes the five words and nothing else (the
 * start of the input as a word).
 *
 * A broken property prints what it is, the zone and the line, and aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NONE_START 1800000000
#define SPACING 7
#define DAY 86400L
#define SLACK (3 * 3600L) /* a change of the zone's offset (summer time) */
#define ZONE (15 * 3600L) /* the widest offset of a stamp (+-14:00), and more */
#define NFMT 5

static const logline_format formats[NFMT] = { LOGLINE_AUTO, LOGLINE_RFC3164, LOGLINE_RFC5424, LOGLINE_ISO,
					      LOGLINE_NONE };
static const char *const names[NFMT] = { "auto", "rfc3164", "rfc5424", "iso", "none" };

/* each zone with the year given to its readers (2024: a leap year) */
static const struct {
	const char *tz;
	int year;
} zones[] = {
	{ "UTC0", 2026 },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 2024 },
	{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026 },
};
static const char *tz_now = "";

typedef struct result {
	int rc;
	time_t t;
	size_t off, msglen; /* of the message in the line */
	char err[256];
} result;

static void print_result(const char *what, const result *r)
{
	if (r->rc == 0)
		fprintf(stderr, "  %s: accepted, t %lld, message at %zu, %zu bytes\n", what, (long long)r->t, r->off,
			r->msglen);
	else
		fprintf(stderr, "  %s: refused (rc %d): %s\n", what, r->rc, r->err);
}

/* The property WHAT is broken by LINE: say so, and abort. */
static void fail(const char *what, const char *fmt, const char *line, size_t len, const result *x,
		 const result *y)
{
	fprintf(stderr, "fuzz_logline: %s\n  TZ=%s, format %s, line (%zu bytes): \"", what, tz_now, fmt, len);
	for (size_t i = 0; i < len && i < 200; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "%s\"\n", len > 200 ? "..." : "");
	if (x)
		print_result("got", x);
	if (y)
		print_result("and", y);
	abort();
}

#define CHECK(cond, what, fmt, line, len, x, y)                  \
	do {                                                     \
		if (!(cond))                                     \
			fail(what, fmt, line, len, x, y);        \
	} while (0)

static int printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* glibc's mktime guesses a local time's offset from the one it found last:
 * leave it that of winter or of summer */
static void season(int summer)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = summer ? 6 : 0;
	tm.tm_mday = 1;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	(void)mktime(&tm);
}

/* One parse, checked on its own; the result in *O. */
static void parse(logline_reader *r, const char *fmt, const char *line, size_t len, result *o)
{
	const char *msg = NULL, *end = line + len - (len && line[len - 1] == '\r');
	size_t msglen = (size_t)-1;
	time_t t = -1;

	memset(o->err, 'x', sizeof(o->err)); /* no NUL: the parser must put one */
	o->rc = logline_parse(r, line, len, &t, &msg, &msglen, o->err, sizeof(o->err));
	o->t = 0;
	o->off = o->msglen = 0;
	if (o->rc != 0) {
		CHECK(o->rc == -1, "logline_parse returns 0 or -1", fmt, line, len, NULL, NULL);
		CHECK(memchr(o->err, '\0', sizeof(o->err)) != NULL, "the reason is a string within ERR", fmt, line,
		      len, NULL, NULL);
		CHECK(o->err[0] != '\0' && printable(o->err), "a refusal says why, in one line of printable ASCII",
		      fmt, line, len, o, NULL);
		return;
	}
	o->err[0] = '\0';
	o->t = t;
	o->off = (size_t)(msg - line);
	o->msglen = msglen;
	CHECK(msg != NULL && msg >= line && msg <= end, "the message is inside the line (before a final CR)", fmt,
	      line, len, NULL, NULL);
	CHECK(msglen <= (size_t)(end - msg) && msg + msglen == end,
	      "the message runs to the end of the line, without a final CR", fmt, line, len, o, NULL);
	CHECK(r->format == LOGLINE_NONE || (msg - line >= 14 && (msglen == 0 || *msg != ' ')),
	      "the message follows the stamp, without leading spaces", fmt, line, len, o, NULL);
}

static int same(const result *a, const result *b)
{
	return a->rc == b->rc && (a->rc != 0 || (a->t == b->t && a->off == b->off && a->msglen == b->msglen)) &&
	       strcmp(a->err, b->err) == 0;
}

/* A stamp as written: the wall clock, and the zone if it has one. */
typedef struct wall {
	int y, mo, d, h, mi, s;
	int zoned;
	long off;
} wall;

static int num(const char *p, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*p++ - '0');
	return v;
}

static size_t after_pri(const char *p, size_t len)
{
	size_t i = 1;

	if (len == 0 || p[0] != '<')
		return 0;
	while (i < len && p[i] != '>')
		i++;
	return i + 1;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The stamp of LINE, which format F accepted (so its syntax is good: this
 * only reads the numbers where the format puts them). */
static void stamp_of(logline_format f, const char *p, size_t len, int year, wall *w)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t i = after_pri(p, len);

	memset(w, 0, sizeof(*w));
	if (f == LOGLINE_RFC3164) {
		char m[3];

		for (int k = 0; k < 3; k++)
			m[k] = (char)(p[i + k] >= 'A' && p[i + k] <= 'Z' ? p[i + k] - 'A' + 'a' : p[i + k]);
		for (w->mo = 1; w->mo < 12 && memcmp(months + 3 * (w->mo - 1), m, 3) != 0; w->mo++)
			;
		i += 4;
		if (p[i] == ' ')
			i++;
		w->d = digit(p[i + 1]) ? num(p + i, 2) : num(p + i, 1);
		i += digit(p[i + 1]) ? 3 : 2;
		w->y = year;
		w->h = num(p + i, 2);
		w->mi = num(p + i + 3, 2);
		w->s = num(p + i + 6, 2);
	} else {
		if (f == LOGLINE_RFC5424) {
			while (p[i] != ' ')
				i++;
			i++;
		}
		w->y = num(p + i, 4);
		w->mo = num(p + i + 5, 2);
		w->d = num(p + i + 8, 2);
		w->h = num(p + i + 11, 2);
		w->mi = num(p + i + 14, 2);
		w->s = num(p + i + 17, 2);
		i += 19;
		if (i < len && p[i] == '.')
			for (i++; i < len && digit(p[i]); i++)
				;
		if (i < len && p[i] == 'Z') {
			w->zoned = 1;
		} else if (i < len && (p[i] == '+' || p[i] == '-')) {
			int mm = num(p + i + (p[i + 3] == ':' ? 4 : 3), 2);

			w->zoned = 1;
			w->off = (p[i] == '-' ? -1 : 1) * (num(p + i + 1, 2) * 3600L + mm * 60L);
		}
	}
	if (w->s == 60)
		w->s = 59; /* time_t has no leap second */
}

static time_t naive(const wall *w)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = w->y - 1900;
	tm.tm_mon = w->mo - 1;
	tm.tm_mday = w->d;
	tm.tm_hour = w->h;
	tm.tm_min = w->mi;
	tm.tm_sec = w->s;
	return timegm(&tm);
}

static int shows(time_t t, const wall *w)
{
	struct tm tm;

	return localtime_r(&t, &tm) != NULL && tm.tm_year + 1900 == w->y && tm.tm_mon + 1 == w->mo &&
	       tm.tm_mday == w->d && tm.tm_hour == w->h && tm.tm_min == w->mi && tm.tm_sec == w->s;
}

/* How many instants show the local wall clock W (0: skipped by a change to
 * summer time, 2: repeated by the change back); the earliest and latest
 * candidates (W at the offsets of the days around it) in *LO and *HI. */
static int readings(const wall *w, time_t *lo, time_t *hi)
{
	time_t g = naive(w), seen[3];
	int n = 0;

	for (int k = -1; k <= 1; k++) {
		time_t at = g + k * DAY, c;
		struct tm tm;
		int dup = 0;

		if (localtime_r(&at, &tm) == NULL)
			return -1;
		c = g - tm.tm_gmtoff;
		if (k == -1 || c < *lo)
			*lo = c;
		if (k == -1 || c > *hi)
			*hi = c;
		for (int j = 0; j < n; j++)
			dup |= seen[j] == c;
		if (!dup && shows(c, w))
			seen[n++] = c;
	}
	return n;
}

/* T is the instant of the stamp W, a date that exists. */
static int is_instant(time_t t, const wall *w)
{
	time_t lo = 0, hi = 0, g = naive(w);
	struct tm tm;
	int n;

	if (gmtime_r(&g, &tm) == NULL || tm.tm_year + 1900 != w->y || tm.tm_mon + 1 != w->mo || tm.tm_mday != w->d ||
	    tm.tm_hour != w->h || tm.tm_min != w->mi || tm.tm_sec != w->s)
		return 0; /* Feb 30, or Feb 29 of a year that has none */
	if (w->zoned)
		return t == naive(w) - w->off;
	n = readings(w, &lo, &hi);
	if (n > 0)
		return shows(t, w);
	return n == 0 && t >= lo - 3600 && t <= hi + 3600; /* in a gap: next to it */
}

/* A local time that two instants show (the hour repeated in autumn). */
static int ambiguous(logline_format f, const char *line, size_t len, int year)
{
	time_t lo, hi;
	wall w;

	stamp_of(f, line, len, year, &w);
	return !w.zoned && readings(&w, &lo, &hi) > 1;
}

static time_t jan1(int year)
{
	wall w = { year, 1, 1, 0, 0, 0, 1, 0 };

	return naive(&w);
}

/* Every check of one line on its own, under the current TZ: 1 if a format
 * accepts it with a local time (the zone matters), else 0. */
static int one_line(const char *line, size_t len, int year, int first_zone)
{
	result a[NFMT], b[NFMT];
	logline_reader r;
	int accepted = -1;
	wall w;

	season(0);
	for (int f = 0; f < NFMT; f++) {
		logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
		parse(&r, names[f], line, len, &a[f]);
	}
	for (int f = 1; f <= 3; f++)
		if (a[f].rc == 0) {
			CHECK(accepted < 0, "at most one explicit format accepts a line", names[f], line, len, &a[f],
			      &a[accepted]);
			accepted = f;
		}
	for (int f = 0; f < NFMT; f++) {
		const char *m = NULL;
		size_t ml = 0;
		time_t t = -1;
		char small[8];
		int rc;

		/* the same again, by a fresh reader after another season */
		season(1);
		logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
		parse(&r, names[f], line, len, &b[f]);
		CHECK(same(&a[f], &b[f]),
		      a[f].rc == 0 && f != 4 && accepted > 0 && ambiguous(formats[accepted], line, len, year)
			      ? "a fresh reader gives the same result (not so for a local time in the hour "
				"repeated in autumn: it depends on the offset of the last mktime call)"
			      : "a fresh reader gives the same result",
		      names[f], line, len, &a[f], &b[f]);
		/* no reason buffer, or a small one: the same result (in the first
		 * zone only: the zone plays no part in that) */
		if (!first_zone)
			continue;
		season(0);
		logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
		rc = logline_parse(&r, line, len, &t, &m, &ml, NULL, 0);
		CHECK(rc == a[f].rc && (rc != 0 || (t == a[f].t && (size_t)(m - line) == a[f].off && ml == a[f].msglen)),
		      "without a reason buffer, the same result", names[f], line, len, &a[f], NULL);
		season(0);
		logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
		small[0] = 'x';
		rc = logline_parse(&r, line, len, &t, &m, &ml, small, 0);
		CHECK(rc == a[f].rc && small[0] == 'x', "with a reason buffer of 0 bytes, the same result, nothing written",
		      names[f], line, len, &a[f], NULL);
		season(0);
		logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
		memset(small, 'x', sizeof(small));
		rc = logline_parse(&r, line, len, &t, &m, &ml, small, sizeof(small));
		CHECK(rc == a[f].rc && (rc == 0 || (small[0] != '\0' && memchr(small, '\0', sizeof(small)) != NULL &&
						    strncmp(small, a[f].err, sizeof(small) - 1) == 0)),
		      "with a small reason buffer, the same result and the reason cut short", names[f], line, len,
		      &a[f], NULL);
	}
	CHECK(a[4].rc == 0 && a[4].t == NONE_START && a[4].off == 0 &&
		      a[4].msglen == len - (len && line[len - 1] == '\r'),
	      "none: the whole line (without a final CR), at none_start", "none", line, len, &a[4], NULL);
	CHECK(accepted < 0 ? a[0].rc != 0 : same(&a[0], &a[accepted]),
	      "auto accepts the lines an explicit format accepts, as that format does", "auto", line, len, &a[0],
	      accepted < 0 ? NULL : &a[accepted]);
	if (accepted < 0)
		return 0;
	stamp_of(formats[accepted], line, len, year, &w);
	CHECK(is_instant(a[accepted].t, &w),
	      "the stamp is a date that exists, and the time is its instant (a local one: showing it)",
	      names[accepted], line, len, &a[accepted], NULL);
	if (formats[accepted] == LOGLINE_RFC3164)
		CHECK(w.y == year, "a first RFC 3164 line is in the reader's year", names[accepted], line, len,
		      &a[accepted], NULL);
	else
		CHECK(a[accepted].t >= 0 && a[accepted].t < jan1(10000) + ZONE,
		      "the time is not before 1970-01-01T00:00:00Z (nor after 9999 and a zone's offset)",
		      names[accepted], line, len, &a[accepted], NULL);
	return !w.zoned;
}

/* The lines in order, through one reader per format. */
static void in_order(const char *const *lines, const size_t *lens, size_t n, int year)
{
	result *seq[4], prev_t = { 0 };
	logline_reader r;
	wall prev = { 0 };
	int have = 0;
	size_t n3164 = 0;

	for (int k = 0; k < 4; k++)
		if ((seq[k] = calloc(n ? n : 1, sizeof(result))) == NULL)
			abort();
	/* 0, 1: auto twice (after different seasons); 2: rfc3164; 3: none */
	for (int k = 0; k < 4; k++) {
		season(k == 1);
		logline_reader_init(&r, k == 2 ? LOGLINE_RFC3164 : k == 3 ? LOGLINE_NONE : LOGLINE_AUTO, year,
				    NONE_START, SPACING);
		for (size_t i = 0; i < n; i++)
			parse(&r, k == 2 ? "rfc3164" : k == 3 ? "none" : "auto", lines[i], lens[i], &seq[k][i]);
	}
	for (size_t i = 0; i < n; i++) {
		const result *au = &seq[0][i], *rf = &seq[2][i], *no = &seq[3][i];
		const char *line = lines[i];
		size_t len = lens[i];

		CHECK(same(au, &seq[1][i]), "in order: a second auto reader gives the same results", "auto", line, len,
		      au, &seq[1][i]);
		CHECK(no->rc == 0 && no->t == NONE_START + (time_t)i * SPACING && no->off == 0,
		      "in order: none puts line i at none_start + i * spacing", "none", line, len, no, NULL);
		if (rf->rc == 0) {
			struct tm tm;
			time_t t = rf->t, back;
			wall w;
			int y, ok = 0;

			CHECK(same(au, rf), "in order: auto agrees with the rfc3164 reader", "auto", line, len, au, rf);
			/* its year: the one of the three around its instant that it shows */
			gmtime_r(&t, &tm);
			for (y = tm.tm_year + 1900 - 1; y <= tm.tm_year + 1900 + 1 && !ok; y++) {
				stamp_of(LOGLINE_RFC3164, line, len, y, &w);
				ok = is_instant(t, &w);
			}
			CHECK(ok, "in order: the time is the RFC 3164 stamp's, in some year", "rfc3164", line, len, rf,
			      NULL);
			n3164++;
			CHECK(w.y >= year - 1 && w.y <= year + (int)n3164,
			      "in order: the RFC 3164 year is from YEAR - 1 to YEAR + the lines", "rfc3164", line, len,
			      rf, NULL);
			if (have) {
				back = prev_t.t - t;
				CHECK(back <= (w.mo == prev.mo ? 31 * DAY : DAY) + SLACK,
				      w.mo == prev.mo ? "in order: within a month, RFC 3164 goes back by less than a month"
						      : "in order: across months, RFC 3164 goes back by less than a day",
				      "rfc3164", line, len, rf, &prev_t);
				CHECK(-back <= 366 * DAY + SLACK, "in order: RFC 3164 goes forward by less than a year",
				      "rfc3164", line, len, rf, &prev_t);
			}
			prev_t = *rf; /* the last accepted RFC 3164 line */
			prev = w;
			have = 1;
		} else if (au->rc == 0) {
			/* an RFC 5424 or ISO line: as a fresh reader of that format reads it */
			result x;
			int agreed = 0;

			for (int f = 2; f <= 3; f++) {
				season(0);
				logline_reader_init(&r, formats[f], year, NONE_START, SPACING);
				parse(&r, names[f], line, len, &x);
				agreed += x.rc == 0 && same(au, &x);
			}
			CHECK(agreed == 1, "in order: auto reads a line rfc3164 refuses as rfc5424 or iso would", "auto",
			      line, len, au, NULL);
		}
	}
	for (int k = 0; k < 4; k++)
		free(seq[k]);
}

/* --format WORD (the start of the first line): one of the five words, or
 * -1 and none of them */
static void format_word(const uint8_t *data, size_t size)
{
	size_t n = 0;
	char *word;
	logline_format f = LOGLINE_AUTO;

	while (n < size && n < 16 && data[n] != '\n' && data[n] != '\0')
		n++;
	if ((word = malloc(n + 1)) == NULL)
		abort();
	memcpy(word, data, n);
	word[n] = '\0';
	if (logline_format_parse(word, &f) == 0) {
		int k = 0;

		while (k < NFMT && strcmp(word, names[k]) != 0)
			k++;
		CHECK(k < NFMT && f == formats[k], "logline_format_parse knows the five words", names[0], word, n,
		      NULL, NULL);
	} else {
		for (int k = 0; k < NFMT; k++)
			CHECK(strcmp(word, names[k]) != 0, "logline_format_parse knows the five words", names[k], word,
			      n, NULL, NULL);
	}
	free(word);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole = malloc(size ? size : 1), **lines, *local;
	size_t *lens, n = 0, start = 0;
	int any = 0;

	format_word(data, size);
	if (whole == NULL || (lines = calloc(size + 1, sizeof(char *))) == NULL ||
	    (lens = calloc(size + 1, sizeof(size_t))) == NULL || (local = calloc(size + 2, 1)) == NULL)
		abort();
	memcpy(whole, data, size);
	/* each line (without its '\n') in a buffer of exactly its length */
	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			if (i == size && start == size && n > 0)
				break; /* a final '\n' ends the last line, it does not start one */
			lens[n] = i - start;
			if ((lines[n] = malloc(lens[n] ? lens[n] : 1)) == NULL)
				abort();
			memcpy(lines[n], data + start, lens[n]);
			n++;
			start = i + 1;
		}
	/* the other zones again only for the lines with a local time: what a
	 * line is and where its message is do not depend on the zone */
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		tz_now = zones[z].tz;
		setenv("TZ", tz_now, 1);
		tzset();
		for (size_t i = 0; i < n + (n > 1); i++) { /* and the whole input as line n */
			const char *l = i < n ? lines[i] : whole;
			size_t ln = i < n ? lens[i] : size;

			if (z == 0)
				any |= local[i] = (char)one_line(l, ln, zones[z].year, 1);
			else if (local[i])
				(void)one_line(l, ln, zones[z].year, 0);
		}
		if (z == 0 || any)
			in_order((const char *const *)lines, lens, n, zones[z].year);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	free(local);
	free(whole);
	return 0;
}
