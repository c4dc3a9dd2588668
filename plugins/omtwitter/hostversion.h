/* hostversion.h - the version of the program a module is loaded into.
 *
 * rsyslog gives a module no call that returns the daemon's version, and its
 * module interfaces change between releases without a version bump (a
 * module built for 8.2302 and loaded by 8.2504 calls glbl functions by
 * slot number and silently reaches other functions).  Every rsyslogd
 * carries its version in the text of its start message, "[origin
 * software=\"rsyslogd\" swVersion=\"8.2302.0\" ...", in its read-only
 * image: reading it there is how the module learns the running version.
 */
#ifndef HOSTVERSION_H
#define HOSTVERSION_H

#include <stddef.h>

/* The marker that precedes the version in rsyslogd's image. */
#define HOSTVERSION_RSYSLOGD_MARKER "software=\"rsyslogd\" swVersion=\""

/* Find MARKER in MEM[0..LEN) followed by a version (digits and dots, with
 * at least one dot, at most OUTLEN-1 characters) and a closing '"'; the
 * first such occurrence is copied to OUT.  0 when found, -1 if not. */
int hostversion_scan(const char *mem, size_t len, const char *marker, char *out, size_t outlen);

/* The same search in the main program's read-only loaded segments (not in
 * the shared objects).  0 when found, -1 if not. */
int hostversion_of_program(const char *marker, char *out, size_t outlen);
/* Is the running rsyslogd the version `built` (the headers' version)?
 * 0 yes; 1 unknown (not found in the program: the package pin guards);
 * -1 no, with the message and the fix in err. */
int hostversion_check_rsyslogd(const char *built, char *err, size_t errlen);

#endif
