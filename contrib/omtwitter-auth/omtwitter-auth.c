/* omtwitter-auth - one-time OAuth 1.0a PIN exchange for omtwitter.
 *
 * request token -> authorize URL -> PIN -> access token -> credentials file
 * (written atomically, mode 0600) -> GET /2/users/me -> the rsyslog lines
 * to use it.  The consumer key and secret come from the environment or the
 * terminal, never from argv; no secret is ever printed.
 *
 * Exit status: 0 success, 1 remote or authorization failure, 2 usage or
 * local error.
 */
#include "omtw-config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "credfile.h"
#include "errorfile.h"
#include "xapi.h"

#define EXIT_REMOTE 1
#define EXIT_LOCAL 2
#define TIMEOUT_MS 30000

struct options {
	const char *endpoint;
	const char *cacert;
	const char *output;
	const char *verify;
	const char *owner;
	const char *dm_to;  /* --dm-to HANDLE: print a DM configuration for it */
	int force;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: omtwitter-auth [--endpoint URL] [--cacert FILE] [--owner USER[:GROUP]]\n"
		"                      [--force] --output FILE\n"
		"       omtwitter-auth --verify FILE [--dm-to @HANDLE] [--endpoint URL] [--cacert FILE]\n"
		"\n"
		"Authorizes omtwitter to post as an X account (OAuth 1.0a PIN flow) and writes\n"
		"the credentials file the rsyslog action reads.\n"
		"\n"
		"  --output FILE      write the credentials here (mode 0600; never replaces an\n"
		"                     existing file unless --force), in a directory only root\n"
		"                     can write, e.g. /etc/rsyslog.d\n"
		"  --owner USER[:GROUP]  chown the file; with a GROUP, mode 0640 (for rsyslogd\n"
		"                     running as that group)\n"
		"  --force            replace an existing FILE\n"
		"  --verify FILE      check an existing credentials file (permissions and a live\n"
		"                     GET /2/users/me) and print the account\n"
		"  --dm-to @HANDLE    with --verify: look up HANDLE's numeric user id and print\n"
		"                     an action for direct messages to it, to add beside the\n"
		"                     posting one\n"
		"  --endpoint URL     API base URL (default %s)\n"
		"  --cacert FILE      CA certificates to verify the endpoint with\n"
		"  --help, --version\n"
		"\n"
		"The app's consumer key and secret are read from OMTWITTER_CONSUMER_KEY and\n"
		"OMTWITTER_CONSUMER_SECRET, or asked for on the terminal (the secret without\n"
		"echo). The PIN is read from standard input.\n"
		"Exit status: 0 success, 1 remote or authorization failure, 2 usage or local error.\n",
		XAPI_DEFAULT_ENDPOINT);
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Drop surrounding white space in place (a pasted key often brings some:
 * X would answer a plain 401), wiping the bytes given up. */
static void trim(char *s)
{
	size_t len = strlen(s), start = 0, end = len;

	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	OPENSSL_cleanse(s + (end - start), len - (end - start));
	s[end - start] = '\0';
}

/* Read one line from f into a new string, trimmed; NULL at EOF. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;

	if (getline(&line, &cap, f) < 0) {
		free(line);
		return NULL;
	}
	trim(line);
	return line;
}

/* Ask on the controlling terminal, without echo for secrets.  NULL at the
 * end of input, or with *no_tty set when there is no terminal. */
static char *ask_tty(const char *prompt, int echo, int *no_tty)
{
	struct termios old, quiet;
	char *answer;
	FILE *tty = fopen("/dev/tty", "r+");
	int restore = 0;

	if ((*no_tty = tty == NULL))
		return NULL;
	/* echo off before the prompt, as getpass does: TCSAFLUSH drops what
	 * was typed before it, so an answer typed at the prompt must come after */
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	fputs(prompt, tty);
	fflush(tty);
	answer = read_line(tty);
	if (restore)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	if (answer == NULL) /* Ctrl-D: end the prompt's line */
		fputc('\n', tty);
	fclose(tty);
	return answer;
}

/* The app's consumer key or secret (what) from the environment variable
 * env, or asked for on the terminal; trimmed, and one that the
 * credentials file can hold.  NULL after saying what happened. */
static char *consumer_value(const char *env, const char *what, const char *prompt, int echo)
{
	const char *v = getenv(env);
	char *answer;
	int no_tty;

	if (v != NULL) {
		if ((answer = strdup(v)) == NULL) {
			fprintf(stderr, "omtwitter-auth: out of memory\n");
			return NULL;
		}
		trim(answer);
		if (*answer == '\0') {
			fprintf(stderr, "omtwitter-auth: %s is set but empty: set it to the app's %s, "
				"or unset it to be asked for it on the terminal\n", env, what);
			wipe_free(answer);
			return NULL;
		}
	} else if ((answer = ask_tty(prompt, echo, &no_tty)) == NULL || *answer == '\0') {
		if (answer == NULL && no_tty)
			fprintf(stderr, "omtwitter-auth: no terminal to ask for the %s on: set %s\n",
				what, env);
		else
			fprintf(stderr, "omtwitter-auth: no %s given (%s at the prompt)\n", what,
				answer ? "an empty answer" : "end of input");
		wipe_free(answer);
		return NULL;
	}
	/* the credentials file takes no space, control or non-ASCII character */
	for (const char *c = answer; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
			fprintf(stderr, "omtwitter-auth: the %s %s%s contains a space, a control or "
				"a non-ASCII character: copy it again from the X developer console\n",
				what, v ? "in " : "typed at the prompt", v ? env : "");
			wipe_free(answer);
			return NULL;
		}
	return answer;
}

static int parse_owner(const char *spec, uid_t *uid, gid_t *gid)
{
	char *copy = strdup(spec), *colon;
	struct passwd *pw;
	struct group *gr;
	int ok = 0;

	if (copy == NULL)
		return 0;
	if ((colon = strchr(copy, ':')) != NULL)
		*colon++ = '\0';
	if ((pw = getpwnam(copy)) == NULL) {
		fprintf(stderr, "omtwitter-auth: --owner: no such user '%s'\n", copy);
		goto done;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (colon) {
		if ((gr = getgrnam(colon)) == NULL) {
			fprintf(stderr, "omtwitter-auth: --owner: no such group '%s'\n", colon);
			goto done;
		}
		*gid = gr->gr_gid;
	}
	ok = 1;
done:
	free(copy);
	return ok;
}

/* Refuse an output the module would refuse, or that cannot be written,
 * before anything is asked of X: the request token and its PIN work once.
 * The module refuses a credentials file in a directory other users can
 * write to (they could replace it); errorfile_check_dir applies that rule. */
static int output_dir_ok(const char *path)
{
	const char *slash = strrchr(path, '/');
	char why[4200], dir[4096];
	omtw_err e = errorfile_check_dir(path, 1, why, sizeof(why));

	if (e == OMTW_EPERM) {
		fprintf(stderr, "omtwitter-auth: --output %s is in %s; omtwitter refuses a "
			"credentials file there, as other users could replace it: not starting the "
			"authorization (fix: write it in a directory only root can write, e.g. "
			"/etc/rsyslog.d)\n", path, why);
		return 0;
	}
	if (e != OMTW_OK) {
		fprintf(stderr, "omtwitter-auth: --output %s is in %s: not starting the "
			"authorization (fix: create the directory first)\n", path, why);
		return 0;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "omtwitter-auth: --output %s: cannot write in %s (%s): not starting "
			"the authorization (fix: run it as a user who can write there, e.g. root)\n",
			path, dir, strerror(errno));
		return 0;
	}
	return 1;
}

/* "step failed: HTTP 401: Unauthorized" for any failed exchange. */
static int remote_failure(const char *step, const xapi_result *res)
{
	fprintf(stderr, "omtwitter-auth: %s failed: %s\n", step, res->error);
	if (res->outcome == XAPI_UNAUTHORIZED)
		fprintf(stderr, "omtwitter-auth: check the consumer key and secret; also check "
			"the clock\n");
	return EXIT_REMOTE;
}

/* One action for the file at abspath: posts, or DMs to recipient.  The DM
 * action has a name (and so a queue file and flood state file) of its own,
 * so that rsyslogd takes it beside the posting action. */
static void print_action(const struct options *o, const char *abspath, const char *recipient)
{
	const char *name = recipient ? "bird_alert_dm" : "bird_alert";

	printf("if $msg contains \"bird_alert\" then {\n"
	       "    action(type=\"omtwitter\" name=\"%s\"\n"
	       "           credentials=\"%s\"\n", name, abspath);
	if (recipient)
		printf("           mode=\"dm\" recipient=\"%s\"\n", recipient);
	if (o->endpoint)
		printf("           endpoint=\"%s\"\n", o->endpoint);
	if (o->cacert)
		printf("           tls.cacert=\"%s\"\n", o->cacert);
	printf("           queue.type=\"Disk\" queue.filename=\"omtwitter_%s\"\n"
	       "           queue.checkpointInterval=\"1\" queue.dequeueBatchSize=\"1\"\n"
	       "           queue.size=\"100000\" queue.maxDiskSpace=\"64m\"\n"
	       "           action.resumeRetryCount=\"-1\" action.resumeInterval=\"10\")\n"
	       "}\n", name);
}

/* Verify creds with GET /2/users/me and print the account and config lines. */
static int verify_and_show(xapi_client *api, const omtw_creds *cr, const struct options *o,
			   const char *path)
{
	char name[64], abspath[4096], to[64], to_id[32] = "";
	xapi_result res;

	if (xapi_users_me(api, cr, name, sizeof(name), &res) != OMTW_OK) {
		fprintf(stderr, "omtwitter-auth: out of memory\n");
		return EXIT_LOCAL;
	}
	if (res.outcome != XAPI_DELIVERED)
		return remote_failure("verification (GET /2/users/me)", &res);
	printf("authorized as @%s (%s)\n", name, res.id);
	if (o->dm_to) {
		const char *h = o->dm_to[0] == '@' ? o->dm_to + 1 : o->dm_to;
		omtw_err e = xapi_user_by_name(api, cr, h, to, sizeof(to), &res);
		if (e == OMTW_EINVAL) {
			fprintf(stderr, "omtwitter-auth: --dm-to %s: a handle is 1 to 15 letters, "
				"digits or underscores\n", o->dm_to);
			return EXIT_LOCAL;
		}
		if (e != OMTW_OK) {
			fprintf(stderr, "omtwitter-auth: out of memory\n");
			return EXIT_LOCAL;
		}
		if (res.outcome != XAPI_DELIVERED)
			return remote_failure("looking up the DM recipient", &res);
		snprintf(to_id, sizeof(to_id), "%s", res.id);
		printf("@%s has the user id %s; it must accept direct messages from @%s\n",
		       to, to_id, name);
	}
	if (realpath(path, abspath) == NULL)
		snprintf(abspath, sizeof(abspath), "%s", path);
	if (o->dm_to)
		printf("\nTo also send alerts to @%s as direct messages, add this action to\n"
		       "/etc/rsyslog.d/omtwitter.conf after the lines the first run printed. It has\n"
		       "its own name and queue file, so it sits beside the posting action, and it\n"
		       "loads no module: rsyslogd refuses a second module(load=\"omtwitter\"). If it\n"
		       "is the only omtwitter action, put module(load=\"omtwitter\") before it.\n\n", to);
	else
		printf("\nTo post alerts with it, add to /etc/rsyslog.d/omtwitter.conf:\n\n"
		       "module(load=\"omtwitter\")\n");
	print_action(o, abspath, o->dm_to ? to_id : NULL);
	printf("\nthen check it with: rsyslogd -N1\n");
	return 0;
}

static int do_verify(xapi_client *api, const struct options *o)
{
	omtw_creds cr;
	char err[512];
	int rc;

	if (credfile_load(o->verify, &cr, err, sizeof(err)) != OMTW_OK) {
		fprintf(stderr, "omtwitter-auth: %s\n", err);
		return EXIT_LOCAL;
	}
	rc = verify_and_show(api, &cr, o, o->verify);
	credfile_clear(&cr);
	return rc;
}

static int do_authorize(xapi_client *api, const struct options *o)
{
	char *ck = NULL, *cs = NULL, *rtoken = NULL, *rsecret = NULL, *pin = NULL, *url;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	mode_t mode = 0600;
	omtw_creds cr;
	xapi_result res;
	char err[512];
	struct stat st;
	int rc = EXIT_LOCAL;

	memset(&cr, 0, sizeof(cr));
	if (o->owner) {
		if (!parse_owner(o->owner, &uid, &gid))
			return EXIT_LOCAL;
		if (strchr(o->owner, ':'))
			mode = 0640;
	}
	if (!o->force && lstat(o->output, &st) == 0) {
		fprintf(stderr, "omtwitter-auth: %s exists; not replacing it without --force\n", o->output);
		return EXIT_LOCAL;
	}
	if (!output_dir_ok(o->output))
		return EXIT_LOCAL;
	if ((ck = consumer_value("OMTWITTER_CONSUMER_KEY", "consumer key (API key)",
				 "Consumer key (API key): ", 1)) == NULL ||
	    (cs = consumer_value("OMTWITTER_CONSUMER_SECRET", "consumer secret (API key secret)",
				 "Consumer secret (API key secret): ", 0)) == NULL)
		goto done;

	if (xapi_request_token(api, ck, cs, &rtoken, &rsecret, &res) != OMTW_OK)
		goto oom;
	if (res.outcome != XAPI_DELIVERED) {
		rc = remote_failure("request token (POST /oauth/request_token)", &res);
		goto done;
	}
	if ((url = xapi_authorize_url(api, rtoken)) == NULL)
		goto oom;
	printf("Open this URL in a browser logged in as the account that will post the alerts,\n"
	       "authorize the app, and enter the PIN it shows:\n\n  %s\n\nPIN: ", url);
	fflush(stdout);
	free(url);
	pin = read_line(stdin);
	if (!isatty(STDIN_FILENO))
		putchar('\n'); /* the PIN was not echoed by a terminal */
	if (pin == NULL || *pin == '\0') {
		fprintf(stderr, "\nomtwitter-auth: no PIN given\n");
		goto done;
	}
	if (strspn(pin, "0123456789") != strlen(pin) || strlen(pin) > 16) {
		fprintf(stderr, "omtwitter-auth: the PIN is a number (like 1234567)\n");
		goto done;
	}
	if (xapi_access_token(api, ck, cs, rtoken, rsecret, pin, &cr, &res) != OMTW_OK)
		goto oom;
	if (res.outcome != XAPI_DELIVERED) {
		fprintf(stderr, "omtwitter-auth: access token (POST /oauth/access_token) failed: %s\n",
			res.error);
		if (res.outcome == XAPI_UNAUTHORIZED)
			fprintf(stderr, "omtwitter-auth: X did not take the PIN: mistyped, shown for "
				"another authorize URL, or too late\n");
		/* the request token lives only in this process, and X takes it once */
		fprintf(stderr, "omtwitter-auth: run omtwitter-auth again for a new authorize URL "
			"and PIN (each request token and its PIN work once)\n");
		rc = EXIT_REMOTE;
		goto done;
	}
	if (credfile_write(o->output, &cr, mode, uid, gid, o->force, err, sizeof(err)) != OMTW_OK) {
		fprintf(stderr, "omtwitter-auth: %s\n", err);
		goto done;
	}
	printf("wrote %s (mode %04o)\n", o->output, (unsigned)mode);
	rc = verify_and_show(api, &cr, o, o->output);
	if (rc != 0)
		fprintf(stderr, "omtwitter-auth: the credentials were written to %s; check them "
			"again later with: omtwitter-auth --verify %s\n", o->output, o->output);
	goto done;
oom:
	fprintf(stderr, "omtwitter-auth: out of memory\n");
done:
	wipe_free(ck);
	wipe_free(cs);
	wipe_free(rtoken);
	wipe_free(rsecret);
	wipe_free(pin);
	credfile_clear(&cr);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "verify", required_argument, NULL, 'V' },
		{ "dm-to", required_argument, NULL, 'd' },
		{ "owner", required_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { 0 };
	xapi_client *api = NULL;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': o.endpoint = optarg; break;
		case 'c': o.cacert = optarg; break;
		case 'o': o.output = optarg; break;
		case 'V': o.verify = optarg; break;
		case 'd': o.dm_to = optarg; break;
		case 'u': o.owner = optarg; break;
		case 'f': o.force = 1; break;
		case 'h': usage(stdout); return 0;
		case 'v': printf("omtwitter-auth %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return EXIT_LOCAL;
		}
	}
	if (optind != argc || (o.output == NULL) == (o.verify == NULL) ||
	    (o.verify && (o.owner || o.force)) || (o.dm_to && !o.verify)) {
		fprintf(stderr, "omtwitter-auth: give either --output FILE or --verify FILE "
			"(--owner and --force only with --output, --dm-to only with --verify)\n");
		usage(stderr);
		return EXIT_LOCAL;
	}
	if (o.cacert && access(o.cacert, R_OK) != 0) {
		fprintf(stderr, "omtwitter-auth: --cacert %s: %s\n", o.cacert, strerror(errno));
		return EXIT_LOCAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "omtwitter-auth: cannot initialise libcurl\n");
		return EXIT_LOCAL;
	}
	xapi_config cfg = { .endpoint = o.endpoint, .cacert = o.cacert, .timeout_ms = TIMEOUT_MS,
			    .user_agent = "omtwitter-auth/" PACKAGE_VERSION };
	if (xapi_client_new(&cfg, &api, err, sizeof(err)) != OMTW_OK) {
		fprintf(stderr, "omtwitter-auth: --endpoint: %s\n", err);
		rc = EXIT_LOCAL;
	} else {
		rc = o.verify ? do_verify(api, &o) : do_authorize(api, &o);
	}
	xapi_client_free(api);
	curl_global_cleanup();
	return rc;
}
