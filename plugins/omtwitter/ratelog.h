/* ratelog.h - one log line per cause per interval, never silence.
 *
 * An API outage makes every retry fail the same way; the operator needs the
 * first failure at once, a reminder while it lasts, and how many were not
 * logged -- not a line per retry.  Not thread-safe: the caller locks.
 */
#ifndef RATELOG_H
#define RATELOG_H

#include <time.h>

#define RATELOG_INTERVAL 300 /* seconds between two lines about one cause */

typedef struct ratelog {
	time_t last;              /* when a line was last logged; 0: never */
	unsigned long suppressed; /* occurrences not logged since then */
} ratelog;

/* Should this occurrence be logged now?  Yes for the first one (after a
 * reset) and then at most once per interval.  When yes, *suppressed gets
 * how many were not logged since the previous line. */
int ratelog_take(ratelog *r, time_t now, long interval, unsigned long *suppressed);

/* The cause went away (a success): its next occurrence is logged at once. */
void ratelog_reset(ratelog *r);

#endif
