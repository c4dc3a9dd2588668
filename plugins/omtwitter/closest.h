/* closest.h - the known name closest to a mistyped one, for "did you
 * mean" hints (rsyslog's own message for an unknown parameter only says
 * "typo in config file?"). */
#ifndef CLOSEST_H
#define CLOSEST_H
#include <stddef.h>

/* The name among names[0..n) at the smallest edit distance from name
 * (insertions, deletions, substitutions and swaps of neighbours count 1;
 * ASCII case is ignored), if that distance is at most maxdist and no other
 * name is as close; else NULL.  Names longer than 64 bytes never match. */
const char *closest_name(const char *name, const char *const *names, size_t n, int maxdist);

#endif
