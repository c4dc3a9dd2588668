/* test_logline.c - the time stamp and the alert text of a log line, for the
 * replay tool.  The expected epochs were computed with `date -u -d ... +%s`,
 * not with the code under test. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logline.h"
#include "tap.h"

static char err[256];

/* Parse LINE[0..LEN) from a buffer of exactly LEN bytes (no NUL after it:
 * AddressSanitizer and valgrind see a read past the end).  0 and the
 * message as a string in MSG, or -1 and the reason in err. */
static int parse_n(logline_reader *r, const char *line, size_t len, time_t *t, char *msg, size_t msgcap)
{
	char *copy = malloc(len ? len : 1);
	const char *m = NULL;
	size_t mlen = 0;
	int rc;

	memcpy(copy, line, len);
	err[0] = '\0';
	msg[0] = '\0';
	*t = -1;
	rc = logline_parse(r, copy, len, t, &m, &mlen, err, sizeof(err));
	if (rc == 0) {
		if (m < copy || m + mlen > copy + len || mlen >= msgcap)
			rc = -2; /* the message is not inside the line */
		else {
			memcpy(msg, m, mlen);
			msg[mlen] = '\0';
		}
	}
	free(copy);
	return rc;
}

/* One check: LINE parses to WANT_T and WANT_MSG. */
static void parses(logline_reader *r, const char *line, long long want_t, const char *want_msg, const char *what)
{
	char msg[256];
	time_t t;
	int rc = parse_n(r, line, strlen(line), &t, msg, sizeof(msg));

	if (!ok(rc == 0 && (long long)t == want_t && strcmp(msg, want_msg) == 0, "%s", what))
		printf("#   line: '%s'\n#   got:  rc %d, %lld, '%s' (%s)\n#   want: rc 0, %lld, '%s'\n", line, rc,
		       (long long)t, msg, err, want_t, want_msg);
}

/* One check: LINE is refused, with a reason that contains WANT. */
static void refuses(logline_reader *r, const char *line, const char *want, const char *what)
{
	char msg[256];
	time_t t;
	int rc = parse_n(r, line, strlen(line), &t, msg, sizeof(msg));

	if (!ok(rc == -1 && strstr(err, want) != NULL, "%s", what))
		printf("#   line: '%s'\n#   got:  rc %d, '%s'\n#   want: rc -1, '...%s...'\n", line, rc, err, want);
}

static logline_reader fresh(logline_format f, int year)
{
	logline_reader r;

	logline_reader_init(&r, f, year, 0, 0);
	return r;
}

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void format_words(void)
{
	static const char *const words[] = { "auto", "rfc3164", "rfc5424", "iso", "none" };
	static const logline_format want[] = { LOGLINE_AUTO, LOGLINE_RFC3164, LOGLINE_RFC5424, LOGLINE_ISO,
					       LOGLINE_NONE };

	for (int i = 0; i < 5; i++) {
		logline_format f = (logline_format)-1;

		ok(logline_format_parse(words[i], &f) == 0 && f == want[i], "format word \"%s\"", words[i]);
	}
	for (int i = 0; i < 3; i++) {
		static const char *const badw[] = { "RFC3164", "", "json" };
		logline_format f = LOGLINE_NONE;

		ok(logline_format_parse(badw[i], &f) == -1 && f == LOGLINE_NONE,
		   "format word \"%s\" is unknown and leaves the format alone", badw[i]);
	}
}

static void rfc3164(void)
{
	logline_reader r = fresh(LOGLINE_AUTO, 2026);

	parses(&r, "Nov 27 22:00:00 host tag: msg", 1795816800, "msg", "RFC 3164: stamp, host, tag, msg");
	parses(&r, "Nov  7 02:03:04 host sshd[123]: Accepted publickey", 1794016984, "Accepted publickey",
	       "a space-padded day, a tag with [pid]");
	parses(&r, "Nov 7 02:03:04 host kernel: x", 1794016984, "x", "a day without padding");
	parses(&r, "Nov 07 02:03:04 host kernel: x", 1794016984, "x", "a zero-padded day");
	parses(&r, "<13>Nov 27 22:00:00 host tag: msg", 1795816800, "msg", "a <PRI> before the stamp");
	parses(&r, "nov 27 22:00:00 host tag: msg", 1795816800, "msg", "a month name in lower case");
	parses(&r, "Nov 27 22:00:00 host disk full on db1", 1795816800, "disk full on db1",
	       "no tag (the word after the host has no ':'): the msg is all after the host");
	parses(&r, "Nov 27 22:00:00 host a:b c", 1795816800, "a:b c", "a ':' inside the word is no tag");
	parses(&r, "Nov 27 22:00:00 host tag:    spaced  out  ", 1795816800, "spaced  out  ",
	       "the msg's leading spaces go, its trailing ones stay");
	parses(&r, "Nov 27 22:00:00  host  tag:  x", 1795816800, "x", "more spaces around the host");
	parses(&r, "Nov 27 22:00:00 host kernel:", 1795816800, "", "a tag and no msg");
	parses(&r, "Nov 27 22:00:00 host", 1795816800, "", "a host and no msg");
	parses(&r, "Nov 27 22:00:00 host tag: msg\r", 1795816800, "msg", "a final CR is ignored");
	parses(&r, "Nov 27 22:00:00 host tag: a\rb", 1795816800, "a\rb", "a CR inside the line is kept");

	{
		static const char line[] = "Nov 27 22:00:00 host tag: a\0b";
		char msg[64];
		time_t t;
		int rc = parse_n(&r, line, sizeof(line) - 1, &t, msg, sizeof(msg));

		ok(rc == 0 && t == 1795816800 && memcmp(msg, "a\0b", 4) == 0, "a NUL inside the msg is kept (the length counts)");
	}

	r = fresh(LOGLINE_RFC3164, 2016);
	parses(&r, "Dec 31 23:59:60 host t: leap", 1483228799, "leap", "a leap second is the second before it");
	r = fresh(LOGLINE_RFC3164, 2028);
	parses(&r, "Feb 29 12:00:00 host t: x", 1835438400, "x", "Feb 29 in a leap year");
	r = fresh(LOGLINE_RFC3164, 2026);
	refuses(&r, "Feb 29 12:00:00 host t: x", "day 29 out of range (Feb 2026 has 28 days)", "but not in 2026");
	refuses(&r, "Nov 31 12:00:00 host t: x", "day 31 out of range", "nor Nov 31");
}

static void rollover(void)
{
	logline_reader r = fresh(LOGLINE_AUTO, 2026);

	parses(&r, "Dec 31 23:59:59 host t: a", 1798761599, "a", "Dec 31 in the reader's year");
	parses(&r, "Dec 31 23:59:59 host t: a", 1798761599, "a", "the same month again keeps the year");
	parses(&r, "Jan  1 00:00:01 host t: b", 1798761601, "b", "Dec -> Jan: the next year");
	is_int(r.year, 2027, "the reader now counts 2027");
	parses(&r, "Feb  3 04:05:06 host t: c", 1801627506, "c", "a month forward keeps 2027");
	parses(&r, "2026-11-27T22:00:00Z host t: d", 1795816800, "d", "an ISO line between them has its own year");
	parses(&r, "Feb  3 04:05:06 host t: c", 1801627506, "c", "and does not move the RFC 3164 year");

	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Jan 15 12:00:00 host t: a", 1768478400, "a", "Jan 15 2026");
	parses(&r, "Nov 27 22:00:00 host t: b", 1795816800, "b", "Jan -> Nov is forward: still 2026");

	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Dec  1 00:00:05 host t: a", 1796083205, "a", "merged files: Dec 1");
	parses(&r, "Nov 30 23:59:58 host t: b", 1796083198, "b", "Nov 30 seconds before it is the same year");
	parses(&r, "Dec  1 00:00:06 host t: c", 1796083206, "c", "and so is Dec 1 again");
	parses(&r, "Dec 31 23:59:59 host t: d", 1798761599, "d", "Dec 31");
	parses(&r, "Jan  1 00:00:01 host t: e", 1798761601, "e", "New Year");
	parses(&r, "Dec 31 23:59:58 host t: f", 1798761598, "f", "Dec 31 seconds before it is the year before");
	is_int(r.year, 2026, "the reader's year goes back with it");
	parses(&r, "Jan  1 00:00:02 host t: g", 1798761602, "g", "and Jan 1 after it is New Year again");

	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Dec  2 00:00:00 host t: a", 1796169600, "a", "Dec 2");
	parses(&r, "Nov 30 00:00:00 host t: b", 1827532800, "b", "Nov 30 two days before it is a year later");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Dec  1 23:59:59 host t: a", 1796169599, "a", "Dec 1, a second before midnight");
	parses(&r, "Nov 30 23:59:59 host t: b", 1796083199, "b", "a day before it is still the same year");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Dec  1 23:59:59 host t: a", 1796169599, "a", "Dec 1 again");
	parses(&r, "Nov 30 23:59:58 host t: b", 1827619198, "b", "a day and a second before it is a year later");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Jan 15 12:00:00 host t: a", 1768478400, "a", "Jan 15");
	parses(&r, "Dec 31 23:59:59 host t: b", 1798761599, "b", "Dec 31 long after it is the same year (forward)");

	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Dec 31 23:59:59 host t: a", 1798761599, "a", "Dec 31 again");
	refuses(&r, "Jan  1 00:00:01", "no host name", "a refused Jan line");
	is_int(r.year, 2026, "does not move the year");
	parses(&r, "Dec 31 23:59:59 host t: a", 1798761599, "a", "nor the month: Dec is still 2026");
}

static void rfc5424(void)
{
	logline_reader r = fresh(LOGLINE_AUTO, 2000);

	parses(&r, "<34>1 2026-11-27T22:00:00.123456+01:00 host app 123 ID47 - disk full", 1795813200, "disk full",
	       "RFC 5424 with a fraction and +01:00, SD \"-\"");
	parses(&r, "<34>1 2026-11-27T22:00:00.123456+01:00 host app 123 ID47 - \xef\xbb\xbf" "disk full", 1795813200,
	       "disk full", "the BOM before the msg is dropped");
	parses(&r, "<165>1 2026-11-27T22:00:00Z host app - - [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]lication\" "
		   "eventID=\"1011\"][examplePriority@32473 class=\"high\"] msg here",
	       1795816800, "msg here", "two SD elements, one with an escaped ']'");
	parses(&r, "<165>1 2026-11-27T22:00:00Z host app - - [id@1 x=\"a\\\"] b\"] after", 1795816800, "after",
	       "an escaped '\"' keeps a ']' inside the value");
	parses(&r, "<34>1 2026-11-27T22:00:00Z - - - - -", 1795816800, "", "every field NIL and no msg");
	parses(&r, "<34>1 2026-11-27T22:00:00Z h a p m [id]", 1795816800, "", "SD and no msg");
	parses(&r, "<34>1 2026-11-27T22:00:00Z h a p m -   x", 1795816800, "x", "the msg's leading spaces go");
	parses(&r, "<34>1 2026-11-27T03:00:00-05:30 h a p m - x", 1795768200, "x", "a negative offset with minutes");
	parses(&r, "<34>1 2026-11-27T22:00:00+14:00 h a p m - x", 1795766400, "x", "+14:00 is the largest offset");
	parses(&r, "<34>1 2026-11-27T22:00:00-14:00 h a p m - x", 1795867200, "x", "-14:00 the smallest");
	parses(&r, "<34>1 2016-12-31T23:59:60Z h a p m - x", 1483228799, "x", "a leap second");
	refuses(&r, "<34>1 2026-11-27T22:00:00+14:01 h a p m - x", "zone offset +14:01 out of range", "+14:01 is refused");
	refuses(&r, "<34>1 2026-11-27T22:00:00-15:00 h a p m - x", "zone offset -15:00 out of range", "-15:00 too");
	refuses(&r, "<34>1 2026-11-27T22:00:00+01:60 h a p m - x", "zone offset +01:60 out of range", "+01:60 too");
	refuses(&r, "<34>1 2026-11-27T22:00:00 h a p m - x", "time stamp without a zone", "a zone-less stamp");
	refuses(&r, "<34>1 - h a p m - x", "no time stamp (it is \"-\")", "a NIL stamp");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h a p m [id x=\"]\" y", "not closed", "an SD element not closed");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h a p m [] x", "without an SD-ID", "an SD element without an id");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h a p m -x", "no space after the structured data", "SD then no space");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h a p", "no MSGID after the PROCID", "a header cut short");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h  a p m - x", "no APP-NAME", "an empty field");
	refuses(&r, "<34>1 2026-11-27T22:00:00+01 h a p m - x", "no zone offset", "an offset without minutes");
}

static void iso(void)
{
	logline_reader r = fresh(LOGLINE_AUTO, 2000);

	parses(&r, "2026-11-27T22:00:00.123456+01:00 host tag: msg", 1795813200, "msg", "RSYSLOG_FileFormat");
	parses(&r, "<13>2026-11-27T22:00:00+01:00 host tag: msg", 1795813200, "msg", "RSYSLOG_ForwardFormat");
	parses(&r, "2026-11-27T22:00:00+0100 host sshd[42]: msg", 1795813200, "msg", "journald short-iso (+hhmm)");
	parses(&r, "2026-11-27T22:00:00Z host tag: msg", 1795816800, "msg", "zone Z");
	parses(&r, "2026-11-27T03:00:00-0530 host tag: msg", 1795768200, "msg", "-hhmm");
	parses(&r, "2026-11-27T22:00:00.1Z host no tag here", 1795816800, "no tag here", "one fraction digit, no tag");
	parses(&r, "2026-11-27T22:00:00 host tag: msg", 1795816800, "msg", "no zone: local time (TZ=UTC)");
	refuses(&r, "2026-11-27T22:00:00.1234567890Z host t: x", "not 1 to 9 digits", "a fraction of 10 digits");
	refuses(&r, "2026-11-27T22:00:00.Z host t: x", "not 1 to 9 digits", "a '.' without digits");
	refuses(&r, "2026-13-27T22:00:00Z host t: x", "month 13 out of range", "month 13");
	refuses(&r, "2026-11-27T22:00:00Z", "no host name", "an ISO stamp without host");
	refuses(&r, "2026-11-27T22:00:00Zhost t: x", "no space after the time stamp", "a stamp glued to the host");
	refuses(&r, "2026-11-27 22:00:00 host t: x", "no time stamp \"YYYY-MM-DDThh:mm:ss\"", "a space instead of 'T'");
}

static void timezones(void)
{
	logline_reader r;

	/* Europe/Berlin as a POSIX rule: no tzdata needed (a chroot may lack it);
	 * a reader per TZ, since the reader keeps the local hour it last met */
	use_tz("CET-1CEST,M3.5.0,M10.5.0/3");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Nov 27 22:00:00 host t: x", 1795813200, "x", "Berlin in winter: 22:00 is 21:00 UTC");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Jul  1 12:00:00 host t: x", 1782900000, "x", "Berlin in summer: 12:00 is 10:00 UTC");
	parses(&r, "Jul  1 12:34:56 host t: x", 1782902096, "x", "another stamp in that hour");
	parses(&r, "2026-07-01T12:00:00 host t: x", 1782900000, "x", "a zone-less ISO stamp is local time too");
	parses(&r, "2026-11-27T22:00:00Z host t: x", 1795816800, "x", "a zoned stamp does not depend on TZ");
	parses(&r, "2026-11-27T22:00:00 host t: x", 1795813200, "x", "a zone-less one after it does");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Mar 29 01:59:59 host t: x", 1774745999, "x", "the last second of winter time (+01:00)");
	parses(&r, "Mar 29 03:00:00 host t: x", 1774746000, "x", "the first of summer time (+02:00), one second later");
	parses(&r, "Oct 25 01:59:59 host t: x", 1792886399, "x", "the autumn day, before the repeated hour (+02:00)");
	parses(&r, "Oct 25 03:00:00 host t: x", 1792893600, "x", "and after it (+01:00)");

	/* Lord Howe Island moves its clocks by 30 minutes, at 02:00 local:
	 * the zone changes inside that hour */
	use_tz("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "Oct  4 01:50:00 host t: x", 1791040800, "x", "Lord Howe before the change: +10:30");
	parses(&r, "Oct  4 02:45:00 host t: x", 1791042300, "x", "and after it, in the hour of the change: +11:00");

	use_tz("UTC");
	r = fresh(LOGLINE_AUTO, 2026);
	parses(&r, "2026-07-01T12:00:00 host t: x", 1782907200, "x", "and under TZ=UTC the zone-less one is UTC");
}

static void bad_lines(void)
{
	logline_reader r = fresh(LOGLINE_AUTO, 2026);
	const char *reason = "no time stamp of a format rsyslog writes (RFC 3164 \"Mmm dd hh:mm:ss\", RFC 5424 or ISO 8601)";

	refuses(&r, "garbage", reason, "garbage");
	refuses(&r, "The quick brown fox", reason, "words that are not a month and a day");
	refuses(&r, "<999>Nov 27 22:00:00 host t: x", reason, "a priority above 191");
	refuses(&r, "<13>", reason, "a priority alone");
	refuses(&r, "", "empty line", "an empty line");
	refuses(&r, "\r", "empty line", "a line of just a CR");
	refuses(&r, "Foo 27 22:00:00 host t: x", "not an RFC 3164 line: unknown month \"Foo\"", "month Foo");
	refuses(&r, "Nov 27 24:00:00 host t: x", "hour 24 out of range (0-23)", "hour 24");
	refuses(&r, "Nov 27 23:60:00 host t: x", "minute 60 out of range", "minute 60");
	refuses(&r, "Nov 27 23:59:61 host t: x", "second 61 out of range", "second 61");
	refuses(&r, "Nov 32 22:00:00 host t: x", "day 32 out of range", "day 32");
	refuses(&r, "Nov  0 22:00:00 host t: x", "day 0 out of range", "day 0");
	refuses(&r, "Nov 27 22:00", "no time \"hh:mm:ss\"", "a truncated RFC 3164 stamp");
	refuses(&r, "Nov 27 2:00:00 host t: x", "no time \"hh:mm:ss\"", "a one-digit hour");
	refuses(&r, "Nov 27 22:00:00.123 host t: x", "no space after the time stamp", "a fraction in RFC 3164");
	refuses(&r, "2026-11-27T22:00", "no time stamp \"YYYY-MM-DDThh:mm:ss\"", "a truncated ISO stamp");
	refuses(&r, "2026-11-27T22:00:00+01:0", "no zone offset", "a truncated zone");
	refuses(&r, "Nov 27 22:00:00", "no host name after the time stamp", "an RFC 3164 stamp without host");
	refuses(&r, "Nov 27 22:00:00   ", "no host name after the time stamp", "or with spaces only");
	refuses(&r, "<34>1 2026-11-27T22", "not an RFC 5424 line", "a truncated RFC 5424 stamp");

	{
		char small[12];
		time_t t;
		const char *m;
		size_t ml;

		ok(logline_parse(&r, "garbage", 7, &t, &m, &ml, NULL, 0) == -1, "a NULL reason buffer is allowed");
		memset(small, 'x', sizeof(small));
		ok(logline_parse(&r, "garbage", 7, &t, &m, &ml, small, sizeof(small)) == -1 &&
		   strlen(small) == sizeof(small) - 1, "a small reason buffer is cut and terminated");
		memset(small, 'x', sizeof(small));
		ok(logline_parse(&r, "Nov 27 24:00:00 h", 17, &t, &m, &ml, small, sizeof(small)) == -1 &&
		   strlen(small) == sizeof(small) - 1, "also for a format's reason");
	}
}

static void explicit_formats(void)
{
	logline_reader r = fresh(LOGLINE_RFC3164, 2026);

	parses(&r, "Nov 27 22:00:00 host tag: msg", 1795816800, "msg", "rfc3164 reads an RFC 3164 line");
	refuses(&r, "2026-11-27T22:00:00Z host t: x", "not an RFC 3164 line: no month name", "but not an ISO line");
	refuses(&r, "garbage", "not an RFC 3164 line", "garbage gets that format's reason");
	refuses(&r, "<999>Nov 27 22:00:00 host t: x", "not an RFC 3164 line: no priority", "and a bad priority");
	r = fresh(LOGLINE_ISO, 2026);
	parses(&r, "2026-11-27T22:00:00Z host t: x", 1795816800, "x", "iso reads an ISO line");
	refuses(&r, "Nov 27 22:00:00 host tag: msg", "not an ISO 8601 line", "but not an RFC 3164 line");
	refuses(&r, "<34>1 2026-11-27T22:00:00Z h a p m - x", "not an ISO 8601 line", "nor an RFC 5424 line");
	r = fresh(LOGLINE_RFC5424, 2026);
	parses(&r, "<34>1 2026-11-27T22:00:00Z h a p m - x", 1795816800, "x", "rfc5424 reads an RFC 5424 line");
	refuses(&r, "2026-11-27T22:00:00Z host t: x", "not an RFC 5424 line: no priority", "but not an ISO line");
	refuses(&r, "<13>2026-11-27T22:00:00Z host t: x", "not an RFC 5424 line: no version", "nor a forwarded one");
}

static void none(void)
{
	logline_reader r;

	logline_reader_init(&r, LOGLINE_NONE, 2026, 1795816800, 10);
	parses(&r, "first", 1795816800, "first", "NONE: line 0 at the start");
	parses(&r, "", 1795816810, "", "line 1 (empty) one spacing later");
	parses(&r, "  Nov 27 22:00:00 host t: x\r", 1795816820, "  Nov 27 22:00:00 host t: x",
	       "line 2: the whole line (but the CR), a stamp in it is text");
	logline_reader_init(&r, LOGLINE_NONE, 2026, 1795816800, 0);
	parses(&r, "a", 1795816800, "a", "spacing 0: line 0");
	parses(&r, "b", 1795816800, "b", "and line 1 at the same time");
}

int main(void)
{
	use_tz("UTC");
	format_words();
	rfc3164();
	rollover();
	rfc5424();
	iso();
	timezones();
	bad_lines();
	explicit_formats();
	none();
	return tap_done();
}
