/* errorfile.h - where alerts X refused for good are kept: one JSON line
 * each, appended to a 0600 file that is never written through a symbolic
 * link, in a directory only its owner's user may write.  Not thread-safe:
 * the caller locks. */
#ifndef ERRORFILE_H
#define ERRORFILE_H

#include <stddef.h>
#include <time.h>

#include "omtw_err.h"

typedef struct errorfile {
	const char *path; /* not owned */
	int fd;           /* -1: not open (opened on the first append) */
} errorfile;

/* A refused alert: part is "k/n" when part k of a thread was refused (text
 * then holds parts k..n), else NULL. */
typedef struct errorfile_entry {
	time_t time;
	const char *action, *error, *text, *part;
	long status;
} errorfile_entry;

void errorfile_init(errorfile *ef, const char *path);
/* Append one line; OMTW_EIO with errno set when it could not be written
 * (ELOOP: the path is a symbolic link). */
omtw_err errorfile_append(errorfile *ef, const errorfile_entry *e);
/* Close it (HUP, shutdown): the next append reopens the path. */
void errorfile_close(errorfile *ef);

/* Can a file at path be kept where it is?  Its directory must exist and,
 * when private, must not be writable by other users.  OMTW_EINVAL /
 * OMTW_EPERM with the reason ("DIR, which cannot be used (...)" or "DIR,
 * a directory other users can write to (mode NNNN)") in err. */
omtw_err errorfile_check_dir(const char *path, int private, char *err, size_t errlen);

#endif
