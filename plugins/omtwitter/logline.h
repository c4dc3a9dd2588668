/* logline.h - the time stamp and the alert text of one line of a log file,
 * for omtwitter-replay, which feeds old logs through the engine on a
 * virtual clock.
 *
 * The formats are those rsyslog writes or receives: RFC 3164 ("Nov 27
 * 22:00:00 host tag: msg", local time, no year), RFC 5424, and ISO 8601
 * stamps (RSYSLOG_FileFormat, RSYSLOG_ForwardFormat, journald short-iso).
 * The alert text is what rsyslog's %msg% would be: the text after the tag,
 * without its leading spaces.  No allocation; a line is never read past
 * its length (it may hold any bytes, NUL included).
 */
#ifndef LOGLINE_H
#define LOGLINE_H

#include <stddef.h>
#include <time.h>

typedef enum logline_format {
	LOGLINE_AUTO,    /* each line's own format: merged files may mix them */
	LOGLINE_RFC3164, /* "Mmm dd hh:mm:ss host tag: msg", optional <PRI> */
	LOGLINE_RFC5424, /* "<PRI>1 stamp host app procid msgid SD msg" */
	LOGLINE_ISO,     /* "[<PRI>]YYYY-MM-DDThh:mm:ss[.f][zone] host tag: msg" */
	LOGLINE_NONE     /* no time stamp: the whole line is the alert */
} logline_format;

/* "auto", "rfc3164", "rfc5424", "iso" or "none": 0 and *OUT; -1 if the
 * word is none of them. */
int logline_format_parse(const char *word, logline_format *out);

/* The state across the lines of one input. */
typedef struct logline_reader {
	logline_format format;
	int year;          /* of RFC 3164 stamps: +1 when the month goes back, but not
	                    * for a step back of under a day (merged files; see .c) */
	time_t none_start; /* NONE: line i (from 0) is at none_start + i * none_spacing */
	long none_spacing;
	/* private */
	int prev_mon;        /* the last RFC 3164 stamp: month (1-12; 0: none yet), */
	int prev_day;        /* day */
	long prev_secs;      /* and seconds into that day */
	unsigned long lines; /* lines seen under NONE */
	long long hour_key;  /* the local hour last converted (YYYYMMDDhh); 0: none */
	time_t hour_start;   /* its hh:00:00 */
	int hour_even;       /* the zone's offset is the same all through it */
} logline_reader;

/* YEAR is that of the first RFC 3164 line (the caller's --year, or the
 * current year).  NONE_START and SPACING matter only for LOGLINE_NONE.
 * Local time is that of TZ when the reader first meets a stamp's hour: TZ
 * must not change during the reader's life. */
void logline_reader_init(logline_reader *r, logline_format format, int year, time_t none_start,
			 long spacing);

/* Parse LINE[0..LEN) (without its newline; a final CR is ignored).  0 with
 * *T (seconds since the epoch, fractions dropped; stamps without a zone are
 * local time, as rsyslog writes them), *MSG (pointing into LINE) and
 * *MSGLEN; -1 with a one-line reason in ERR (without file or line number:
 * the caller adds them).  ERR may be NULL. */
int logline_parse(logline_reader *r, const char *line, size_t len, time_t *t, const char **msg,
		  size_t *msglen, char *err, size_t errlen);

#endif
