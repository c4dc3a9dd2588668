/* actconn.c - the checks of an action's connection parameters (see
 * actconn.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actconn.h"
#include "xapi.h"

/* Is path of this type (S_IFREG, S_IFDIR)?  errno 0 when it is not. */
static int is(const char *path, mode_t type)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	errno = 0;
	return (st.st_mode & S_IFMT) == type;
}

omtw_err actconn_check(const actconn *c, char *err, size_t errlen)
{
	char why[512];

	if (xapi_check_endpoint(c->endpoint, why, sizeof(why)) != OMTW_OK) {
		snprintf(err, errlen, "parameter 'endpoint': %s", why);
		return OMTW_EINVAL;
	}
	if (c->proxy != NULL && xapi_check_proxy(c->proxy, why, sizeof(why)) != OMTW_OK) {
		snprintf(err, errlen, "parameter 'proxy': %s", why);
		return OMTW_EINVAL;
	}
	if (c->timeout_ms <= 0) {
		snprintf(err, errlen, "parameter 'timeout' must be a positive number of milliseconds "
			 "(default %d)", ACTCONN_DEFAULT_TIMEOUT_MS);
		return OMTW_EINVAL;
	}
	/* the files are read at every start and HUP: refused now, not at the first alert */
	if (c->cacert && (access(c->cacert, R_OK) != 0 || !is(c->cacert, S_IFREG))) {
		snprintf(err, errlen, "parameter 'tls.cacert': cannot read '%s': %s", c->cacert,
			 errno ? strerror(errno) : "not a file");
		return OMTW_EINVAL;
	}
	if (c->capath && (access(c->capath, R_OK | X_OK) != 0 || !is(c->capath, S_IFDIR))) {
		snprintf(err, errlen, "parameter 'tls.capath': cannot read directory '%s': %s", c->capath,
			 errno ? strerror(errno) : "not a directory");
		return OMTW_EINVAL;
	}
	return OMTW_OK;
}
