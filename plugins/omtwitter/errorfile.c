/* errorfile.c - where alerts X refused for good are kept (errorfile.h). */
#include "errorfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libfastjson/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void errorfile_init(errorfile *ef, const char *path)
{
	ef->path = path;
	ef->fd = -1;
}

omtw_err errorfile_append(errorfile *ef, const errorfile_entry *e)
{
	struct fjson_object *o = fjson_object_new_object();
	char ts[32];
	struct tm tm;
	const char *line;
	omtw_err rc = OMTW_EIO;
	int err = ENOMEM;

	if (o == NULL)
		goto done;
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&e->time, &tm));
	fjson_object_object_add(o, "time", fjson_object_new_string(ts));
	fjson_object_object_add(o, "action", fjson_object_new_string(e->action));
	fjson_object_object_add(o, "status", fjson_object_new_int((int)e->status));
	fjson_object_object_add(o, "error", fjson_object_new_string(e->error));
	fjson_object_object_add(o, "text", fjson_object_new_string(e->text));
	if (e->part)
		fjson_object_object_add(o, "part", fjson_object_new_string(e->part));
	if ((line = fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN)) == NULL)
		goto done;
	/* no symlink (another user's trap), no FIFO that would block */
	if (ef->fd < 0)
		ef->fd = open(ef->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
			      O_NOFOLLOW | O_NONBLOCK, 0600);
	if (ef->fd >= 0 && write(ef->fd, line, strlen(line)) >= 0 && write(ef->fd, "\n", 1) >= 0)
		rc = OMTW_OK;
	err = errno;
done:
	if (o)
		fjson_object_put(o);
	errno = rc == OMTW_OK ? 0 : err;
	return rc;
}

void errorfile_close(errorfile *ef)
{
	if (ef->fd >= 0)
		close(ef->fd);
	ef->fd = -1;
}

omtw_err errorfile_check_dir(const char *path, int private, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;
	int rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	rc = stat(dir, &st);
	if (rc != 0 || !S_ISDIR(st.st_mode)) {
		omtw_errmsg(err, errlen, "%s, which cannot be used (%s)", dir,
			    rc == 0 ? "not a directory" : strerror(errno));
		return OMTW_EINVAL;
	}
	if (private && (st.st_mode & S_IWOTH)) {
		omtw_errmsg(err, errlen, "%s, a directory other users can write to (mode %04o)", dir,
			    (unsigned)(st.st_mode & 07777));
		return OMTW_EPERM;
	}
	return OMTW_OK;
}
