/* actpaths.h - where an action keeps its files (the flood state file and
 * the errorfile), and whether their directories are safe to keep them in.
 * Messages are written without a prefix: the module adds
 * "omtwitter[NAME]: ".
 */
#ifndef ACTPATHS_H
#define ACTPATHS_H
#include <stddef.h>
#include "omtw_err.h"

/* The state file: param if absolute; else param, or by default
 * omtwitter-<name>.state (the name made file-safe), in workdir.  A
 * relative path without a work directory ("" or NULL) is OMTW_EINVAL with
 * the fix in err; OMTW_ENOMEM. */
omtw_err actpaths_state(const char *name, const char *param, const char *workdir, char **out,
			char *err, size_t errlen);
/* The errorfile: *out NULL when param is "" (off); param when given;
 * else beside the state file, <statefile without .state>.errors.jsonl. */
omtw_err actpaths_errorfile(const char *param, const char *statepath, char **out);
/* A file in a directory that does not exist would pass the check and then
 * fail at every write (OMTW_EINVAL); a private file (the errorfile, which
 * holds alerts' texts) in a directory other users can write could be
 * replaced or pre-created by them (OMTW_EPERM).  The message:
 * "parameter 'PARAM': PATH is in ...: fix". */
omtw_err actpaths_check_dir(const char *param, const char *path, int private, char *err, size_t errlen);

#endif
