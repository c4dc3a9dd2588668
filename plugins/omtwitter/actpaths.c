/* actpaths.c - where an action keeps its files (see actpaths.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actpaths.h"
#include "errorfile.h"

omtw_err actpaths_state(const char *name, const char *param, const char *workdir, char **out,
			char *err, size_t errlen)
{
	char *file = NULL;
	size_t n;

	*out = NULL;
	if (param && param[0] == '/')
		return (*out = strdup(param)) ? OMTW_OK : OMTW_ENOMEM;
	if (workdir == NULL || workdir[0] == '\0') {
		snprintf(err, errlen, "flood control keeps its state in rsyslog's work directory: set "
			 "global(workDirectory=\"/var/spool/rsyslog\"), or give an absolute parameter "
			 "'statefile'");
		return OMTW_EINVAL;
	}
	if (param == NULL) { /* omtwitter-<action name>.state, the name made file-safe */
		if ((file = malloc(strlen(name) + sizeof("omtwitter-.state"))) == NULL)
			return OMTW_ENOMEM;
		char *p = file + sprintf(file, "omtwitter-");
		for (const char *q = name; *q; q++)
			*p++ = (isalnum((unsigned char)*q) || strchr("._-", *q)) ? *q : '_';
		strcpy(p, ".state");
		param = file;
	}
	n = strlen(workdir) + strlen(param) + 2;
	if ((*out = malloc(n)) != NULL)
		snprintf(*out, n, "%s/%s", workdir, param);
	free(file);
	return *out ? OMTW_OK : OMTW_ENOMEM;
}

omtw_err actpaths_errorfile(const char *param, const char *statepath, char **out)
{
	size_t n = strlen(statepath);

	*out = NULL;
	if (param != NULL)
		return param[0] == '\0' || (*out = strdup(param)) ? OMTW_OK : OMTW_ENOMEM;
	if (n > 6 && !strcmp(statepath + n - 6, ".state"))
		n -= 6;
	if ((*out = malloc(n + sizeof(".errors.jsonl"))) == NULL)
		return OMTW_ENOMEM;
	sprintf(*out, "%.*s.errors.jsonl", (int)n, statepath);
	return OMTW_OK;
}

omtw_err actpaths_check_dir(const char *param, const char *path, int private, char *err, size_t errlen)
{
	char why[4096];
	omtw_err e = errorfile_check_dir(path, private, why, sizeof(why));

	if (e != OMTW_OK)
		snprintf(err, errlen, "parameter '%s': %s is in %s%s", param, path, why,
			 e == OMTW_EPERM ? ": they could replace the file; use a directory only "
			 "rsyslogd's user can write" : ": create the directory, or give it (or "
			 "global(workDirectory)) a directory that exists");
	return e;
}
