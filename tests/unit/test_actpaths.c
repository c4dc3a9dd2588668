/* test_actpaths.c - where an action keeps its state file and its
 * errorfile, and whether their directories will do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actpaths.h"
#include "tap.h"

#define NO_WORKDIR "flood control keeps its state in rsyslog's work directory: set " \
	"global(workDirectory=\"/var/spool/rsyslog\"), or give an absolute parameter 'statefile'"

/* Not NULL and not a real allocation: shows whether *out was set. */
static char untouched;
#define UNSET ((char *)&untouched)

static char dir[] = "/tmp/test_actpaths.XXXXXX";

/* actpaths_state's result (or "(error N)"), freed here. */
static const char *state(const char *name, const char *param, const char *workdir)
{
	static char buf[512];
	char err[512] = "", *out = UNSET;
	omtw_err e = actpaths_state(name, param, workdir, &out, err, sizeof(err));

	if (e != OMTW_OK)
		snprintf(buf, sizeof(buf), "(error %d)", (int)e);
	else
		snprintf(buf, sizeof(buf), "%s", out && out != UNSET ? out : "(null)");
	if (out != UNSET)
		free(out);
	return buf;
}

static void test_state(void)
{
	char err[512], *out;

	is_str(state("alerts", "/var/lib/omtw/flood.state", "/var/spool/rsyslog"), "/var/lib/omtw/flood.state",
	       "an absolute statefile is used as it is");
	is_str(state("alerts", "/var/lib/omtw/flood.state", NULL), "/var/lib/omtw/flood.state",
	       "an absolute statefile needs no work directory");
	is_str(state("alerts", "flood.state", "/var/spool/rsyslog"), "/var/spool/rsyslog/flood.state",
	       "a relative statefile is in the work directory");
	is_str(state("alerts", "sub/flood.state", "/var/spool/rsyslog"), "/var/spool/rsyslog/sub/flood.state",
	       "a relative path with a directory too");
	is_str(state("alerts", NULL, "/var/spool/rsyslog"), "/var/spool/rsyslog/omtwitter-alerts.state",
	       "by default omtwitter-<name>.state in the work directory");
	is_str(state("my alerts/x", NULL, "/var/spool/rsyslog"), "/var/spool/rsyslog/omtwitter-my_alerts_x.state",
	       "the name made file-safe: blank and slash become '_'");
	is_str(state("db-1.prod_x", NULL, "/w"), "/w/omtwitter-db-1.prod_x.state",
	       "letters, digits, '.', '_' and '-' are kept");
	is_str(state("a\xc3\xa9:*?\\b", NULL, "/w"), "/w/omtwitter-a______b.state",
	       "every other byte (UTF-8 ones each, ':', '*', '?', '\\') becomes '_'");
	is_str(state("../../etc/x", NULL, "/w"), "/w/omtwitter-.._.._etc_x.state",
	       "a name cannot climb out of the work directory");

	out = UNSET;
	err[0] = '\0';
	is_int(actpaths_state("alerts", "flood.state", NULL, &out, err, sizeof(err)), OMTW_EINVAL,
	       "a relative statefile without a work directory (NULL) is refused");
	is_str(err, NO_WORKDIR, "the message says to set global(workDirectory) or give an absolute 'statefile'");
	ok(out == NULL, "and *out is NULL");
	out = UNSET;
	err[0] = '\0';
	is_int(actpaths_state("alerts", "flood.state", "", &out, err, sizeof(err)), OMTW_EINVAL,
	       "an empty work directory counts as none");
	is_str(err, NO_WORKDIR, "same message");
	ok(out == NULL, "*out NULL");
	out = UNSET;
	err[0] = '\0';
	is_int(actpaths_state("alerts", NULL, "", &out, err, sizeof(err)), OMTW_EINVAL,
	       "the default statefile needs a work directory too");
	is_str(err, NO_WORKDIR, "same message for the default");
	ok(out == NULL, "*out NULL");
}

/* actpaths_errorfile's result: the path, "(off)" or "(error N)". */
static const char *errorfile(const char *param, const char *statepath)
{
	static char buf[512];
	char *out = UNSET;
	omtw_err e = actpaths_errorfile(param, statepath, &out);

	if (e != OMTW_OK)
		snprintf(buf, sizeof(buf), "(error %d)", (int)e);
	else if (out == UNSET)
		snprintf(buf, sizeof(buf), "(not set)");
	else
		snprintf(buf, sizeof(buf), "%s", out ? out : "(off)");
	if (out != UNSET)
		free(out);
	return buf;
}

static void test_errorfile(void)
{
	const char *given = "/var/log/omtw-refused.jsonl";
	char *out = NULL;

	is_str(errorfile("", "/var/spool/rsyslog/omtwitter-alerts.state"), "(off)", "errorfile=\"\": off (NULL)");
	is_str(errorfile(given, "/var/spool/rsyslog/omtwitter-alerts.state"), "/var/log/omtw-refused.jsonl",
	       "a given errorfile is used");
	ok(actpaths_errorfile(given, "/s/x.state", &out) == OMTW_OK && out != NULL && out != given &&
	   strcmp(out, given) == 0, "as a copy of the parameter (the caller frees it)");
	free(out);
	is_str(errorfile("relative.jsonl", "/s/x.state"), "relative.jsonl", "a given relative path is not resolved");
	is_str(errorfile(NULL, "/var/spool/rsyslog/omtwitter-alerts.state"),
	       "/var/spool/rsyslog/omtwitter-alerts.errors.jsonl",
	       "by default beside the state file, .state replaced by .errors.jsonl");
	is_str(errorfile(NULL, "/var/lib/omtw/flood.json"), "/var/lib/omtw/flood.json.errors.jsonl",
	       "a state file not ending in .state keeps its name, .errors.jsonl added");
	is_str(errorfile(NULL, "/s/a.state.bak"), "/s/a.state.bak.errors.jsonl",
	       ".state only counts at the end");
	is_str(errorfile(NULL, "/s/a.stat"), "/s/a.stat.errors.jsonl", "nor does a shorter suffix");
}

static void test_check_dir(void)
{
	char path[400], want[1024], err[1024], sub[300], file[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/none/omtwitter-a.state", dir);
	snprintf(want, sizeof(want), "parameter 'statefile': %s/none/omtwitter-a.state is in %s/none, which cannot be "
		 "used (No such file or directory): create the directory, or give it (or global(workDirectory)) "
		 "a directory that exists", dir, dir);
	err[0] = '\0';
	is_int(actpaths_check_dir("statefile", path, 0, err, sizeof(err)), OMTW_EINVAL,
	       "a file in a directory that does not exist is refused (EINVAL)");
	is_str(err, want, "the message names the parameter, the path, the cause and says to create the directory");
	err[0] = '\0';
	is_int(actpaths_check_dir("errorfile", path, 1, err, sizeof(err)), OMTW_EINVAL,
	       "private or not");
	ok(strncmp(err, "parameter 'errorfile': ", 23) == 0 && strstr(err, ": create the directory") != NULL,
	   "named by the parameter given");

	snprintf(file, sizeof(file), "%s/plain", dir);
	if ((f = fopen(file, "w")) != NULL)
		fclose(f);
	snprintf(path, sizeof(path), "%s/x.state", file);
	err[0] = '\0';
	is_int(actpaths_check_dir("statefile", path, 0, err, sizeof(err)), OMTW_EINVAL,
	       "a file where the directory should be is refused");
	if (!ok(strstr(err, "which cannot be used (not a directory): create the directory") != NULL,
		"saying it is not a directory"))
		printf("#   message: %s\n", err);

	snprintf(sub, sizeof(sub), "%s/pub", dir);
	mkdir(sub, 0700);
	chmod(sub, 0777); /* whatever the umask */
	snprintf(path, sizeof(path), "%s/omtwitter-a.errors.jsonl", sub);
	snprintf(want, sizeof(want), "parameter 'errorfile': %s is in %s, a directory other users can write to "
		 "(mode 0777): they could replace the file; use a directory only rsyslogd's user can write",
		 path, sub);
	err[0] = '\0';
	is_int(actpaths_check_dir("errorfile", path, 1, err, sizeof(err)), OMTW_EPERM,
	       "a private file in a mode 0777 directory is refused (EPERM)");
	is_str(err, want, "the message gives the mode and says they could replace the file");
	err[0] = '\0';
	is_int(actpaths_check_dir("statefile", path, 0, err, sizeof(err)), OMTW_OK,
	       "not private (the statefile): others writing is not asked about (errorfile_check_dir's contract)");
	is_str(err, "", "and err is left alone");

	snprintf(sub, sizeof(sub), "%s/private", dir);
	mkdir(sub, 0700);
	chmod(sub, 0700);
	snprintf(path, sizeof(path), "%s/omtwitter-a.errors.jsonl", sub);
	err[0] = '\0';
	is_int(actpaths_check_dir("errorfile", path, 1, err, sizeof(err)), OMTW_OK, "a 0700 directory is fine, private");
	is_int(actpaths_check_dir("statefile", path, 0, err, sizeof(err)), OMTW_OK, "and not private");
	is_str(err, "", "err is left alone");
	is_int(actpaths_check_dir("statefile", "/omtwitter-a.state", 0, err, sizeof(err)), OMTW_OK,
	       "a file in / is checked against /");
}

int main(void)
{
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_state();
	test_errorfile();
	test_check_dir();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
