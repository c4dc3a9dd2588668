/* credfile.h - the credentials file (design section 4).
 *
 * Plain key=value lines, '#' comments, no quoting.  Refused when a key is
 * missing or the file is readable or writable by others or group-writable.
 * Error messages name the file, the line and the key, never a value.
 */
#ifndef CREDFILE_H
#define CREDFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "omtw_err.h"

#define CREDFILE_MAX_SIZE 65536

typedef struct omtw_creds {
	char *consumer_key;
	char *consumer_secret;
	char *access_token;
	char *access_token_secret;
	char *user_id;     /* optional: NULL when absent */
	char *screen_name; /* optional: NULL when absent */
} omtw_creds;

/* Parse and check the file at path into *out (zeroed first). */
omtw_err credfile_load(const char *path, omtw_creds *out, char *err, size_t errlen);

/* Parse a buffer (no permission checks); name is used in messages. */
omtw_err credfile_parse(const char *buf, size_t len, const char *name,
			omtw_creds *out, char *err, size_t errlen);

/* OMTW_OK when a file of this type and mode may hold secrets. */
omtw_err credfile_check_mode(mode_t mode, const char *name, char *err, size_t errlen);

/* Write creds to path atomically: a temporary file in the same directory
 * created with mode (0600, or 0640 for a dedicated group) and owner
 * (uid/gid (uid_t)-1/(gid_t)-1 to keep), written, fsynced, then linked into
 * place -- never replacing an existing file unless force, which renames --
 * and the directory fsynced.  On failure nothing is left behind. */
omtw_err credfile_write(const char *path, const omtw_creds *c, mode_t mode,
			uid_t uid, gid_t gid, int force, char *err, size_t errlen);

/* Wipe and free every field. */
void credfile_clear(omtw_creds *c);

#endif
