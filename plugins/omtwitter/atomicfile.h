/* atomicfile.h - replace or create a file so that readers and crashes see
 * either the old content or the whole new one, never a mix.
 *
 * Used for the credentials file (omtwitter-auth) and the flood state.
 */
#ifndef ATOMICFILE_H
#define ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "omtw_err.h"

/* Write data to path: a temporary file in the same directory (with mode,
 * and owner uid/gid unless -1), fsync, then rename (replace) or link (never
 * clobber an existing path), then fsync the directory.  On failure OMTW_EIO
 * (or OMTW_ENOMEM) with a message; no temporary file remains. */
omtw_err atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
			  uid_t uid, gid_t gid, int replace, char *err, size_t errlen);

#endif
