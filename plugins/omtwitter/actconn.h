/* actconn.h - the checks of an action's connection parameters: endpoint,
 * proxy, timeout, tls.cacert, tls.capath.  The message (without the
 * module's "omtwitter[NAME]: " prefix) names the parameter and the fix.
 */
#ifndef ACTCONN_H
#define ACTCONN_H
#include <stddef.h>
#include "omtw_err.h"

#define ACTCONN_DEFAULT_TIMEOUT_MS 10000

typedef struct actconn {
	const char *endpoint;                 /* the module fills in the default first */
	const char *proxy, *cacert, *capath;  /* NULL: not given */
	long timeout_ms;
} actconn;

/* OMTW_EINVAL with the reason in err for the first parameter refused. */
omtw_err actconn_check(const actconn *c, char *err, size_t errlen);

#endif
