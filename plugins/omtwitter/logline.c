/* logline.c - the time stamp and the alert text of one line of a log file
 * (see logline.h).  Parsed by hand: the stamps have fixed widths, and a
 * replay reads millions of lines. */
#include "logline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define AUTO_REASON "no time stamp of a format rsyslog writes " \
	"(RFC 3164 \"Mmm dd hh:mm:ss\", RFC 5424 or ISO 8601)"

static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* A stamp, broken down; OFF (seconds east of UTC) only if ZONED. */
struct stamp {
	int year, mon, day, hour, min, sec;
	int zoned;
	long off;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static void say(char *err, size_t errlen, const char *reason)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", reason);
}

/* "not an RFC 3164 line: hour 24 out of range (0-23)"; returns -1. */
__attribute__((format(printf, 4, 5)))
static int bad(char *err, size_t errlen, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return -1;
	n = snprintf(err, errlen, "not an %s line: ", what);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Exactly N digits at P, before END: 0 and *V, or -1. */
static int digits(const char *p, const char *end, int n, int *v)
{
	int x = 0;

	if (end - p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return 0;
}

/* The length of the "<PRI>" (0 to 191) at P: 0 if there is none, -1 if
 * P starts with '<' but not with a priority. */
static int pri_len(const char *p, const char *end)
{
	const char *d;
	int v = 0;

	if (p == end || *p != '<')
		return 0;
	for (d = p + 1; d < end && d - p <= 3 && is_digit(*d); d++)
		v = v * 10 + (*d - '0');
	if (d == p + 1 || d == end || *d != '>' || v > 191)
		return -1;
	return (int)(d - p) + 1;
}

/* 1-12 for the month name at P (3 bytes, any case), 0 if none. */
static int month_of(const char *p)
{
	char m[3];

	for (int i = 0; i < 3; i++)
		m[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 'a' + 'A' : p[i]);
	for (int i = 0; i < 12; i++) {
		const char *n = month_names + 3 * i;

		if (m[0] == n[0] && m[1] == n[1] - 'a' + 'A' && m[2] == n[2] - 'a' + 'A')
			return i + 1;
	}
	return 0;
}

static int days_in(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon - 1] + (mon == 2 && leap);
}

/* The numbers of a stamp in their ranges; a leap second (60) becomes 59,
 * since time_t has none. */
static int check_stamp(struct stamp *s, const char *what, char *err, size_t errlen)
{
	if (s->mon < 1 || s->mon > 12)
		return bad(err, errlen, what, "month %d out of range (1-12)", s->mon);
	if (s->day < 1 || s->day > days_in(s->year, s->mon))
		return bad(err, errlen, what, "day %d out of range (%.3s %d has %d days)", s->day,
			   month_names + 3 * (s->mon - 1), s->year, days_in(s->year, s->mon));
	if (s->hour > 23)
		return bad(err, errlen, what, "hour %d out of range (0-23)", s->hour);
	if (s->min > 59)
		return bad(err, errlen, what, "minute %d out of range (0-59)", s->min);
	if (s->sec > 60)
		return bad(err, errlen, what, "second %d out of range (0-60)", s->sec);
	if (s->sec == 60)
		s->sec = 59;
	return 0;
}

static void to_tm(const struct stamp *s, int min, int sec, struct tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = s->year - 1900;
	tm->tm_mon = s->mon - 1;
	tm->tm_mday = s->day;
	tm->tm_hour = s->hour;
	tm->tm_min = min;
	tm->tm_sec = sec;
	tm->tm_isdst = -1;
}

/* A stamp without a zone is the local time of the machine, as rsyslog
 * writes it: mktime decides whether summer time applies.  With TZ unset,
 * glibc's mktime stats /etc/localtime on every call (~5 us): the reader
 * keeps the last local hour, and while the zone's offset is the same at
 * its start and its end, a stamp in it is that hour's start plus mm:ss. */
/* mktime, but the same answer whatever was asked before: glibc resolves a
 * local time that occurs twice (the hour the clocks go back) by its
 * previous call's offset.  Of two instants showing the time, the earlier
 * (summer time) is taken; a time the clocks skipped is normalised. */
static time_t local_epoch(const struct tm *in)
{
	time_t best = 0, t;
	int found = 0;

	for (int dst = 1; dst >= 0; dst--) {
		struct tm tm = *in, back;
		tm.tm_isdst = dst;
		t = mktime(&tm);
		if (localtime_r(&t, &back) && back.tm_year == in->tm_year && back.tm_mon == in->tm_mon &&
		    back.tm_mday == in->tm_mday && back.tm_hour == in->tm_hour &&
		    back.tm_min == in->tm_min && back.tm_sec == in->tm_sec && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	if (!found) {
		struct tm tm = *in;
		tm.tm_isdst = -1;
		best = mktime(&tm);
	}
	return best;
}

static time_t epoch_of(logline_reader *r, const struct stamp *s)
{
	struct tm tm;
	long long key = s->year * 1000000LL + s->mon * 10000 + s->day * 100 + s->hour;
	time_t end;

	if (s->zoned) {
		to_tm(s, s->min, s->sec, &tm);
		return timegm(&tm) - s->off;
	}
	if (key != r->hour_key) {
		to_tm(s, 0, 0, &tm);
		r->hour_start = local_epoch(&tm);
		to_tm(s, 59, 59, &tm);
		end = local_epoch(&tm);
		r->hour_key = key;
		r->hour_even = end - r->hour_start == 3599;
	}
	if (r->hour_even)
		return r->hour_start + s->min * 60 + s->sec;
	to_tm(s, s->min, s->sec, &tm); /* the zone changes in this hour */
	return local_epoch(&tm);
}

/* The ISO 8601 stamp at *PP: "YYYY-MM-DDThh:mm:ss", an optional fraction,
 * an optional zone ("Z", "+hh:mm", "+hhmm", "-hh:mm", "-hhmm"). */
static int iso_stamp(const char **pp, const char *end, struct stamp *s, const char *what, char *err,
		     size_t errlen)
{
	const char *p = *pp;

	if (end - p < 19 || digits(p, end, 4, &s->year) || p[4] != '-' ||
	    digits(p + 5, end, 2, &s->mon) || p[7] != '-' || digits(p + 8, end, 2, &s->day) ||
	    p[10] != 'T' || digits(p + 11, end, 2, &s->hour) || p[13] != ':' ||
	    digits(p + 14, end, 2, &s->min) || p[16] != ':' || digits(p + 17, end, 2, &s->sec))
		return bad(err, errlen, what, "no time stamp \"YYYY-MM-DDThh:mm:ss\"");
	p += 19;
	if (p < end && *p == '.') {
		const char *f = ++p;

		while (p < end && p - f <= 9 && is_digit(*p))
			p++;
		if (p == f || p - f > 9)
			return bad(err, errlen, what, "not 1 to 9 digits after the seconds' '.'");
	}
	s->zoned = 0;
	s->off = 0;
	if (p < end && *p == 'Z') {
		s->zoned = 1;
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		char sign = *p++;
		int zh, zm;

		if (digits(p, end, 2, &zh))
			return bad(err, errlen, what, "no zone offset \"%chh:mm\"", sign);
		p += 2;
		if (p < end && *p == ':')
			p++;
		if (digits(p, end, 2, &zm))
			return bad(err, errlen, what, "no zone offset \"%chh:mm\"", sign);
		p += 2;
		if (zm > 59 || zh * 60 + zm > 14 * 60)
			return bad(err, errlen, what, "zone offset %c%02d:%02d out of range (-14:00 to +14:00)",
				   sign, zh, zm);
		s->zoned = 1;
		s->off = (sign == '-' ? -1 : 1) * (zh * 3600L + zm * 60L);
	}
	if (check_stamp(s, what, err, errlen))
		return -1;
	*pp = p;
	return 0;
}

/* What follows the stamp of an RFC 3164 or ISO line: " host tag: msg", or
 * " host msg" when the word after the host does not end with ':'. */
static int host_and_msg(const char *p, const char *end, const char **msg, size_t *msglen,
			const char *what, char *err, size_t errlen)
{
	const char *w;

	if (p < end && *p != ' ')
		return bad(err, errlen, what, "no space after the time stamp");
	p = skip_spaces(p, end);
	if (p == end)
		return bad(err, errlen, what, "no host name after the time stamp");
	while (p < end && *p != ' ')
		p++;
	p = skip_spaces(p, end);
	for (w = p; w < end && *w != ' '; w++)
		;
	if (w > p && w[-1] == ':')
		p = skip_spaces(w, end);
	*msg = p;
	*msglen = (size_t)(end - p);
	return 0;
}

/* Seconds since the epoch of a stamp read as UTC, for comparing two. */
static time_t naive(int year, int mon, int day, long secs)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_sec = (int)secs;
	return timegm(&tm);
}

/* How far back the lines of merged files may go without being a New Year
 * (the caller decides what it tolerates; more is reported by it). */
#define JITTER 86400

/* An RFC 3164 stamp has no year: the reader's, and the next one once the
 * month goes back (Dec -> Jan).  But merged files go back a little at a
 * month's end ("Dec  1 00:00:01" then "Nov 30 23:59:59": the same year)
 * and at New Year ("Jan  1 00:00:01" then "Dec 31 23:59:59": the year
 * before): a stamp less than JITTER before the previous one is not read as
 * a year later. */
static int year_of(const logline_reader *r, const struct stamp *s)
{
	long secs = s->hour * 3600L + s->min * 60L + s->sec;
	time_t prev;

	if (r->prev_mon == 0 || s->mon == r->prev_mon)
		return r->year;
	prev = naive(r->year, r->prev_mon, r->prev_day, r->prev_secs);
	if (s->mon < r->prev_mon)
		return naive(r->year, s->mon, s->day, secs) >= prev - JITTER ? r->year : r->year + 1;
	if (s->mon == 12 && r->prev_mon == 1 && naive(r->year - 1, 12, s->day, secs) >= prev - JITTER)
		return r->year - 1;
	return r->year;
}

/* "[<PRI>]Mmm dd hh:mm:ss host tag: msg"; the day may be space-padded. */
static int parse_3164(logline_reader *r, const char *p, const char *end, time_t *t,
		      const char **msg, size_t *msglen, char *err, size_t errlen)
{
	static const char what[] = "RFC 3164";
	struct stamp s;
	int n = pri_len(p, end);

	if (n < 0)
		return bad(err, errlen, what, "no priority \"<0>\" to \"<191>\" after the '<'");
	p += n;
	if (end - p < 3 || (s.mon = month_of(p)) == 0) {
		if (end - p >= 3 && is_alpha(p[0]) && is_alpha(p[1]) && is_alpha(p[2]))
			return bad(err, errlen, what, "unknown month \"%.3s\"", p);
		return bad(err, errlen, what, "no month name (Jan to Dec) at the start");
	}
	p += 3;
	if (p == end || *p != ' ')
		return bad(err, errlen, what, "no space after the month");
	p++;
	if (p < end && *p == ' ') /* "Nov  7" */
		p++;
	if (p == end || !is_digit(*p))
		return bad(err, errlen, what, "no day of the month after the month");
	s.day = *p++ - '0';
	if (p < end && is_digit(*p))
		s.day = s.day * 10 + (*p++ - '0');
	if (end - p < 9 || *p != ' ' || digits(p + 1, end, 2, &s.hour) || p[3] != ':' ||
	    digits(p + 4, end, 2, &s.min) || p[6] != ':' || digits(p + 7, end, 2, &s.sec))
		return bad(err, errlen, what, "no time \"hh:mm:ss\" after the day");
	p += 9;
	s.year = year_of(r, &s);
	s.zoned = 0;
	s.off = 0;
	if (check_stamp(&s, what, err, errlen) || host_and_msg(p, end, msg, msglen, what, err, errlen))
		return -1;
	/* the year moves only with a line that parses */
	r->year = s.year;
	r->prev_mon = s.mon;
	r->prev_day = s.day;
	r->prev_secs = s.hour * 3600L + s.min * 60L + s.sec;
	*t = epoch_of(r, &s);
	return 0;
}

/* "[<PRI>]YYYY-MM-DDThh:mm:ss[.f][zone] host tag: msg". */
static int parse_iso(logline_reader *r, const char *p, const char *end, time_t *t,
		     const char **msg, size_t *msglen, char *err, size_t errlen)
{
	static const char what[] = "ISO 8601";
	struct stamp s;
	int n = pri_len(p, end);

	if (n < 0)
		return bad(err, errlen, what, "no priority \"<0>\" to \"<191>\" after the '<'");
	p += n;
	if (iso_stamp(&p, end, &s, what, err, errlen) ||
	    host_and_msg(p, end, msg, msglen, what, err, errlen))
		return -1;
	*t = epoch_of(r, &s);
	return 0;
}

/* The structured data at *PP: "-", or "[id ...]" elements, one after the
 * other; a quoted value may hold "\]" and "\"". */
static int structured_data(const char **pp, const char *end, const char *what, char *err,
			   size_t errlen)
{
	const char *p = *pp;

	if (p < end && *p == '-') {
		*pp = p + 1;
		return 0;
	}
	if (p == end || *p != '[')
		return bad(err, errlen, what, "no structured data (\"-\" or \"[...]\")");
	while (p < end && *p == '[') {
		int quoted = 0;

		p++;
		if (p == end || *p == ' ' || *p == ']' || *p == '"' || *p == '=')
			return bad(err, errlen, what, "structured data element without an SD-ID");
		for (; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (p == end)
			return bad(err, errlen, what, "structured data not closed by ']'");
		p++;
	}
	*pp = p;
	return 0;
}

/* "<PRI>1 stamp host app procid msgid SD[ msg]"; the stamp must have a
 * zone, any other header field may be "-". */
static int parse_5424(logline_reader *r, const char *p, const char *end, time_t *t,
		      const char **msg, size_t *msglen, char *err, size_t errlen)
{
	static const char what[] = "RFC 5424";
	static const char *const fields[] = { "HOSTNAME", "APP-NAME", "PROCID", "MSGID" };
	struct stamp s;
	int n = pri_len(p, end);

	if (n <= 0)
		return bad(err, errlen, what, "no priority \"<0>\" to \"<191>\" at the start");
	p += n;
	if (p < end && *p >= '1' && *p <= '9')
		for (n = 1, p++; p < end && n < 3 && is_digit(*p); n++)
			p++;
	else
		n = 0;
	if (n == 0 || p == end || *p != ' ')
		return bad(err, errlen, what, "no version (\"1 \") after the priority");
	p++;
	if (p < end && *p == '-' && (p + 1 == end || p[1] == ' '))
		return bad(err, errlen, what, "no time stamp (it is \"-\")");
	if (iso_stamp(&p, end, &s, what, err, errlen))
		return -1;
	if (!s.zoned)
		return bad(err, errlen, what, "time stamp without a zone (\"Z\" or \"+hh:mm\")");
	for (int i = 0; i < 4; i++) {
		if (end - p < 2 || p[0] != ' ' || p[1] == ' ')
			return bad(err, errlen, what, "no %s after the %s", fields[i],
				   i ? fields[i - 1] : "time stamp");
		for (p++; p < end && *p != ' '; p++)
			;
	}
	if (p == end || *p != ' ')
		return bad(err, errlen, what, "no structured data after the MSGID");
	p++;
	if (structured_data(&p, end, what, err, errlen))
		return -1;
	if (p < end && *p != ' ')
		return bad(err, errlen, what, "no space after the structured data");
	if (p < end)
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) /* the UTF-8 BOM */
		p += 3;
	p = skip_spaces(p, end);
	*t = epoch_of(r, &s);
	*msg = p;
	*msglen = (size_t)(end - p);
	return 0;
}

/* The format a line looks like, LOGLINE_AUTO if none: the parser of that
 * format then says what is wrong with it. */
static logline_format guess(const char *p, const char *end)
{
	int n = pri_len(p, end);

	if (n < 0)
		return LOGLINE_AUTO;
	if (n > 0 && p + n < end && p[n] >= '1' && p[n] <= '9') {
		const char *v = p + n + 1;

		while (v < end && v - (p + n) < 3 && is_digit(*v))
			v++;
		if (v < end && *v == ' ')
			return LOGLINE_RFC5424;
	}
	p += n;
	if (end - p >= 5 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
	    p[4] == '-')
		return LOGLINE_ISO;
	if (end - p >= 5 && is_alpha(p[0]) && is_alpha(p[1]) && is_alpha(p[2]) && p[3] == ' ' &&
	    (p[4] == ' ' || is_digit(p[4])))
		return LOGLINE_RFC3164;
	return LOGLINE_AUTO;
}

int logline_format_parse(const char *word, logline_format *out)
{
	static const char *const words[] = { "auto", "rfc3164", "rfc5424", "iso", "none" };
	static const logline_format formats[] = { LOGLINE_AUTO, LOGLINE_RFC3164, LOGLINE_RFC5424,
						  LOGLINE_ISO, LOGLINE_NONE };

	for (size_t i = 0; word && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(word, words[i]) == 0) {
			*out = formats[i];
			return 0;
		}
	return -1;
}

void logline_reader_init(logline_reader *r, logline_format format, int year, time_t none_start,
			 long spacing)
{
	memset(r, 0, sizeof(*r));
	r->format = format;
	r->year = year;
	r->none_start = none_start;
	r->none_spacing = spacing;
}

int logline_parse(logline_reader *r, const char *line, size_t len, time_t *t, const char **msg,
		  size_t *msglen, char *err, size_t errlen)
{
	const char *end;
	logline_format f = r->format;

	if (len && line[len - 1] == '\r')
		len--;
	end = line + len;
	if (f == LOGLINE_NONE) {
		*t = r->none_start + (time_t)r->lines++ * r->none_spacing;
		*msg = line;
		*msglen = len;
		return 0;
	}
	if (len == 0) {
		say(err, errlen, "empty line");
		return -1;
	}
	if (f == LOGLINE_AUTO && (f = guess(line, end)) == LOGLINE_AUTO) {
		say(err, errlen, AUTO_REASON);
		return -1;
	}
	if ((f == LOGLINE_RFC3164 ? parse_3164(r, line, end, t, msg, msglen, err, errlen)
	     : f == LOGLINE_RFC5424 ? parse_5424(r, line, end, t, msg, msglen, err, errlen)
				    : parse_iso(r, line, end, t, msg, msglen, err, errlen)) != 0)
		return -1;
	if (*t < 0) { /* no log line is that old; the replay's clock starts at 1970 */
		say(err, errlen, "a time stamp before 1970-01-01T00:00:00Z");
		return -1;
	}
	return 0;
}
