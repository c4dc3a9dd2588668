/* atomicfile.c - all-or-nothing file replacement (temp, fsync, rename). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

omtw_err atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
			  uid_t uid, gid_t gid, int replace, char *err, size_t errlen)
{
	char *dircopy = strdup(path), *tmp = NULL;
	const char *dir;
	int fd = -1, dfd = -1;
	omtw_err e = OMTW_ENOMEM;

	if (dircopy == NULL || (tmp = malloc(strlen(path) + 16)) == NULL) {
		omtw_errmsg(err, errlen, "out of memory");
		goto done;
	}
	dir = dirname(dircopy);
	/* same directory, so link/rename is atomic; O_EXCL-created by mkostemp,
	 * close-on-exec so that no child started meanwhile inherits it */
	sprintf(tmp, "%s.tmpXXXXXX", path);
	e = OMTW_EIO;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		omtw_errmsg(err, errlen, "cannot create a temporary file next to %s: %s",
			    path, strerror(errno));
		tmp[0] = '\0';
		goto done;
	}
	if (fchmod(fd, mode) != 0 ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) != 0) ||
	    write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		omtw_errmsg(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		omtw_errmsg(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (replace ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		if (errno == EEXIST)
			omtw_errmsg(err, errlen, "%s exists; not replacing it without --force", path);
		else
			omtw_errmsg(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto done;
	}
	if (replace)
		tmp[0] = '\0'; /* renamed: nothing to remove */
	/* make the new directory entry durable too */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0) {
		omtw_errmsg(err, errlen, "cannot sync directory %s: %s", dir, strerror(errno));
		goto done;
	}
	e = OMTW_OK;
done:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp && tmp[0])
		unlink(tmp);
	free(tmp);
	free(dircopy);
	return e;
}
