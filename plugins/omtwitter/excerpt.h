/* excerpt.h - a short, one-line, printable excerpt of an alert, for the log
 * line that reports it (a refused alert's text must be findable from the
 * log, but a log line must not carry newlines or control characters). */
#ifndef EXCERPT_H
#define EXCERPT_H

#include <stddef.h>

/* Write to OUT (OUTLEN bytes, at least MAXBYTES + 4) at most MAXBYTES bytes
 * of TEXT, whole characters only, then "…" if TEXT was longer.  Control
 * characters (C0, DEL, C1, U+2028/2029) become a space, bytes that are not
 * UTF-8 a '?'.  Returns the length written; 0 (and "") if OUTLEN is too
 * small. */
size_t excerpt(const char *text, size_t maxbytes, char *out, size_t outlen);

#endif
