/* test_errorfile.c - refused alerts kept as JSON lines, safely. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errorfile.h"
#include "tap.h"

static char dir[] = "/tmp/test_errorfile.XXXXXX";

static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n = fp ? fread(buf, 1, size - 1, fp) : 0;

	buf[n] = '\0';
	if (fp)
		fclose(fp);
	return n;
}

int main(void)
{
	char path[300], link[300], target[300], buf[4096], err[512];
	errorfile ef;
	struct stat st;
	errorfile_entry e = { 1796300100, "alerts", "HTTP 400: Invalid Request", "disk \"full\"\non db1", NULL, 400 };

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/refused.jsonl", dir);
	errorfile_init(&ef, path);
	ok(errorfile_append(&ef, &e) == OMTW_OK, "a refused alert is appended");
	e.text = "part two\npart three";
	e.part = "2/3";
	ok(errorfile_append(&ef, &e) == OMTW_OK, "and a refused part of a thread");
	errorfile_close(&ef);
	slurp(path, buf, sizeof(buf));
	is_str(buf, "{\"time\":\"2026-12-03T12:15:00Z\",\"action\":\"alerts\",\"status\":400,"
		    "\"error\":\"HTTP 400: Invalid Request\",\"text\":\"disk \\\"full\\\"\\non db1\"}\n"
		    "{\"time\":\"2026-12-03T12:15:00Z\",\"action\":\"alerts\",\"status\":400,"
		    "\"error\":\"HTTP 400: Invalid Request\",\"text\":\"part two\\npart three\",\"part\":\"2\\/3\"}\n",
	       "one JSON line each: time (UTC), action, status, error, text (escaped), part");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link.jsonl", dir);
	fclose(fopen(target, "w"));
	ok(symlink(target, link) == 0, "a symbolic link to another file");
	errorfile_init(&ef, link);
	errno = 0;
	ok(errorfile_append(&ef, &e) == OMTW_EIO && errno == ELOOP, "is not written through (ELOOP)");
	ok(stat(target, &st) == 0 && st.st_size == 0, "the file it points to is untouched");
	errorfile_close(&ef);

	snprintf(path, sizeof(path), "%s/fifo.jsonl", dir);
	mkfifo(path, 0600);
	errorfile_init(&ef, path);
	alarm(10); /* a hang ends the test */
	ok(errorfile_append(&ef, &e) == OMTW_EIO, "a FIFO without a reader is refused at once");
	alarm(0);

	snprintf(path, sizeof(path), "%s/x.jsonl", dir);
	ok(errorfile_check_dir(path, 1, err, sizeof(err)) == OMTW_OK, "a private directory is fine");
	snprintf(path, sizeof(path), "%s/none/x.jsonl", dir);
	ok(errorfile_check_dir(path, 0, err, sizeof(err)) == OMTW_EINVAL &&
	   strstr(err, "none, which cannot be used (No such file or directory)"), "a missing directory is refused");
	snprintf(path, sizeof(path), "%s/target/x.jsonl", dir);
	ok(errorfile_check_dir(path, 0, err, sizeof(err)) == OMTW_EINVAL && strstr(err, "(not a directory)"),
	   "so is a file in the directory's place");
	snprintf(path, sizeof(path), "%s/pub", dir);
	mkdir(path, 0777);
	chmod(path, 01777);
	snprintf(path, sizeof(path), "%s/pub/x.jsonl", dir);
	ok(errorfile_check_dir(path, 1, err, sizeof(err)) == OMTW_EPERM &&
	   strstr(err, "a directory other users can write to (mode 1777)"), "a directory others can write is refused");
	ok(errorfile_check_dir(path, 0, err, sizeof(err)) == OMTW_OK, "unless privacy is not asked for");
	ok(errorfile_check_dir("/x.jsonl", 1, err, sizeof(err)) == OMTW_OK, "a file in / is checked against /");

	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	if (system(buf) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
