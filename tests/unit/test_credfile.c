/* test_credfile.c - credentials parsing and permission refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credfile.h"
#include "tap.h"

#define GOOD "# comment\n" \
	"consumer_key=ck123\n" \
	"  consumer_secret = cs-SECRET-1  \n" \
	"\n" \
	"access_token=42-at\n" \
	"access_token_secret=ats-SECRET-2\r\n" \
	"user_id=42\n" \
	"screen_name=alerts\n"

static char dir[] = "/tmp/omtw-credtest-XXXXXX";

static const char *write_file(const char *name, const char *content, mode_t mode)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void check_parse_error(const char *content, const char *want, const char *what)
{
	omtw_creds c;
	char err[512] = "";
	omtw_err e = credfile_parse(content, strlen(content), "F", &c, err, sizeof(err));

	ok(e != OMTW_OK, "refused: %s", what);
	if (!ok(strstr(err, want) != NULL, "message for %s says '%s'", what, want))
		printf("#   message: %s\n", err);
	ok(strstr(err, "SECRET") == NULL, "message for %s shows no secret", what);
	ok(c.consumer_key == NULL && c.consumer_secret == NULL, "nothing kept after refusing %s", what);
}

static void test_parse(void)
{
	omtw_creds c;
	char err[512] = "";

	ok(credfile_parse(GOOD, strlen(GOOD), "F", &c, err, sizeof(err)) == OMTW_OK, "a good file parses");
	is_str(c.consumer_key, "ck123", "consumer_key");
	is_str(c.consumer_secret, "cs-SECRET-1", "consumer_secret, blanks around it trimmed");
	is_str(c.access_token, "42-at", "access_token");
	is_str(c.access_token_secret, "ats-SECRET-2", "access_token_secret, CRLF tolerated");
	is_str(c.user_id, "42", "user_id");
	is_str(c.screen_name, "alerts", "screen_name");
	credfile_clear(&c);
	ok(c.consumer_secret == NULL, "clear frees every field");

	const char *minimal = "consumer_key=a\nconsumer_secret=b\naccess_token=c\naccess_token_secret=d";
	ok(credfile_parse(minimal, strlen(minimal), "F", &c, err, sizeof(err)) == OMTW_OK &&
	   c.user_id == NULL && c.screen_name == NULL, "optional keys may be absent, no final newline needed");
	credfile_clear(&c);

	check_parse_error("consumer_key=a\nconsumer_secret=SECRET\naccess_token=c\n",
			  "lacks 'access_token_secret'", "a missing key");
	check_parse_error("consumer_key=a\nconsumer_key=b\n", "line 2: 'consumer_key' given twice", "a repeated key");
	check_parse_error("consumer_key=a\nSECRETLINEWITHOUTEQUALS\n", "line 2: expected key=value", "a line without '='");
	check_parse_error("consumer_key=a\nbogus_key=SECRET\n", "line 2: unknown key 'bogus_key'", "an unknown key");
	check_parse_error("SECRET-looking=x\n", "line 1: unknown key", "an unknown key that looks like a value");
	check_parse_error("consumer_key=\n", "'consumer_key' is empty", "an empty value");
	check_parse_error("consumer_secret=SECRET with space\n", "contains a space", "a value with a space");
	check_parse_error("consumer_secret=SECRET\x01\n", "control character", "a control character");
}

static void test_nul(void)
{
	omtw_creds c;
	char err[256] = "";
	const char buf[] = "consumer_key=a\0consumer_secret=SECRET\n";

	ok(credfile_parse(buf, sizeof(buf) - 1, "F", &c, err, sizeof(err)) == OMTW_EINVAL &&
	   strstr(err, "NUL byte"), "an embedded NUL byte is refused");
}

static void test_modes(void)
{
	omtw_creds c;
	char err[512];
	const char *p;
	struct { mode_t mode; omtw_err want; const char *what; } cases[] = {
		{ 0600, OMTW_OK, "0600 accepted" },
		{ 0400, OMTW_OK, "0400 accepted" },
		{ 0640, OMTW_OK, "0640 (dedicated group) accepted" },
		{ 0644, OMTW_EPERM, "0644 (world-readable) refused" },
		{ 0602, OMTW_EPERM, "0602 (world-writable) refused" },
		{ 0660, OMTW_EPERM, "0660 (group-writable) refused" },
		{ 0601, OMTW_EPERM, "0601 (other execute) refused" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		p = write_file("creds", GOOD, cases[i].mode);
		omtw_err e = credfile_load(p, &c, err, sizeof(err));
		is_int(e, cases[i].want, "%s", cases[i].what);
		if (cases[i].want == OMTW_EPERM) {
			if (!ok(strstr(err, "chmod 0600") && strstr(err, p), "the refusal names the file and the fix"))
				printf("#   message: %s\n", err);
			ok(strstr(err, "SECRET") == NULL, "the refusal shows no secret");
		}
		credfile_clear(&c);
	}
	char path[300];
	snprintf(path, sizeof(path), "%s/missing", dir);
	ok(credfile_load(path, &c, err, sizeof(err)) == OMTW_EIO && strstr(err, "No such file"),
	   "a missing file is reported with the cause");
	ok(credfile_load(dir, &c, err, sizeof(err)) != OMTW_OK, "a directory is refused");
	char big[CREDFILE_MAX_SIZE + 10];
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = write_file("big", big, 0600);
	ok(credfile_load(p, &c, err, sizeof(err)) == OMTW_ETOOBIG, "an oversized file is refused");
}

/* Set-up the checks depend on: its failure is reported (not ok), its
 * success is no check of its own. */
static int setup_ok(int done, const char *what)
{
	if (!done)
		ok(0, "set-up failed: %s", what);
	return done;
}

/* Owner and place: the file must belong to root or to us, and neither it
 * nor a symbolic link to it may sit in a directory others can write to.
 * Each refusal is set against the same file accepted: what changed between
 * the two is what is refused. */
static void test_owner_and_place(void)
{
	omtw_creds c;
	char err[512] = "", pub[300], link[300], publink[320], target[320];
	const char *p = write_file("owned", GOOD, 0600);

	is_int(credfile_load(p, &c, err, sizeof(err)), OMTW_OK, "a 0600 file of ours in a safe directory loads");
	credfile_clear(&c);
	if (geteuid() == 0) {
		if (setup_ok(chown(p, 65534, 65534) == 0, "hand the file to another user (nobody)")) {
			err[0] = '\0';
			is_int(credfile_load(p, &c, err, sizeof(err)), OMTW_EPERM,
			       "the same file, handed to another user (nobody), is refused");
			if (!ok(strstr(err, "belongs to uid 65534") && strstr(err, "chown"),
				"the refusal says whose it is and the fix"))
				printf("#   message: %s\n", err);
			credfile_clear(&c);
		}
	} else {
		printf("ok %d # SKIP not root: cannot hand a file to another user\n", ++tap_count);
		printf("ok %d # SKIP not root\n", ++tap_count);
	}
	snprintf(pub, sizeof(pub), "%s/public", dir);
	snprintf(target, sizeof(target), "%s/creds", pub);
	FILE *f = NULL;
	if (!setup_ok(mkdir(pub, 0700) == 0 && chmod(pub, 01777) == 0 /* like /tmp */ &&
		      (f = fopen(target, "w")) != NULL && fputs(GOOD, f) >= 0 && fclose(f) == 0 &&
		      chmod(target, 0600) == 0, "a 0600 file in a directory of mode 1777"))
		return;
	err[0] = '\0';
	is_int(credfile_load(target, &c, err, sizeof(err)), OMTW_EPERM,
	       "a file in a directory other users can write to is refused");
	if (!ok(strstr(err, "a directory other users can write to") != NULL && strstr(err, pub),
		"the refusal names the directory and says why"))
		printf("#   message: %s\n", err);
	credfile_clear(&c);
	snprintf(link, sizeof(link), "%s/link", dir);
	unlink(link);
	if (setup_ok(symlink(target, link) == 0, "a symbolic link from a safe directory to it")) {
		err[0] = '\0';
		is_int(credfile_load(link, &c, err, sizeof(err)), OMTW_EPERM, "the link to it is refused too");
		if (!ok(strstr(err, link) && strstr(err, pub) && strstr(err, "a directory other users can write to"),
			"the refusal names the link and the directory it leads into"))
			printf("#   message: %s\n", err);
		credfile_clear(&c);
	}
	p = write_file("safe", GOOD, 0600);
	snprintf(publink, sizeof(publink), "%s/link", pub);
	if (setup_ok(symlink(p, publink) == 0, "a symbolic link in the public directory to a safe file")) {
		err[0] = '\0';
		is_int(credfile_load(publink, &c, err, sizeof(err)), OMTW_EPERM,
		       "a link in a directory others can write to is refused, though its file is safe");
		credfile_clear(&c);
		unlink(publink);
	}
	unlink(link);
	if (setup_ok(symlink(p, link) == 0, "a symbolic link from a safe directory to a safe file")) {
		is_int(credfile_load(link, &c, err, sizeof(err)), OMTW_OK, "a link to a file in a safe directory is fine");
		is_str(c.consumer_key, "ck123", "and it is read through the link");
		credfile_clear(&c);
	}
	unlink(link);
	unlink(target);
	rmdir(pub);
}

static int count_entries(const char *d)
{
	char cmd[300];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", d);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void test_write(void)
{
	omtw_creds c = { "ck", "cs-SECRET", "1-at", "ats-SECRET", "1", "alerts" }, back;
	char sub[300], path[400], err[512] = "";
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/w", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/out.cred", sub);
	ok(credfile_write(path, &c, 0600, (uid_t)-1, (gid_t)-1, 0, err, sizeof(err)) == OMTW_OK,
	   "credentials are written");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "with mode 0600");
	ok(credfile_load(path, &back, err, sizeof(err)) == OMTW_OK, "and read back by the same parser");
	is_str(back.access_token_secret, "ats-SECRET", "every value round-trips");
	is_str(back.screen_name, "alerts", "optional values too");
	credfile_clear(&back);
	is_int(count_entries(sub), 1, "no temporary file is left");

	c.consumer_key = "changed";
	err[0] = '\0';
	ok(credfile_write(path, &c, 0600, (uid_t)-1, (gid_t)-1, 0, err, sizeof(err)) == OMTW_EIO &&
	   strstr(err, "exists; not replacing it without --force"), "an existing file is not replaced");
	credfile_load(path, &back, err, sizeof(err));
	is_str(back.consumer_key, "ck", "and keeps its content");
	credfile_clear(&back);
	is_int(count_entries(sub), 1, "no temporary file is left after refusing");
	ok(credfile_write(path, &c, 0640, (uid_t)-1, (gid_t)-1, 1, err, sizeof(err)) == OMTW_OK,
	   "with force it is replaced");
	credfile_load(path, &back, err, sizeof(err));
	is_str(back.consumer_key, "changed", "by the new content");
	credfile_clear(&back);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640, "0640 when asked for");
	is_int(count_entries(sub), 1, "no temporary file is left after replacing");

	snprintf(path, sizeof(path), "%s/nodir/out.cred", sub);
	ok(credfile_write(path, &c, 0600, (uid_t)-1, (gid_t)-1, 0, err, sizeof(err)) == OMTW_EIO &&
	   strstr(err, "cannot create a temporary file next to"), "a missing directory is reported");
	c.access_token = NULL;
	snprintf(path, sizeof(path), "%s/partial.cred", sub);
	ok(credfile_write(path, &c, 0600, (uid_t)-1, (gid_t)-1, 0, err, sizeof(err)) == OMTW_EINVAL,
	   "incomplete credentials are not written");
	ok(strstr(err, "SECRET") == NULL, "no secret in any of these messages");
}

/* A FIFO at the credentials path must not hang a config load or a HUP:
 * opening it for reading would wait for a writer. */
static void test_fifo(void)
{
	char path[300], err[512] = "";
	omtw_creds c;
	omtw_err e;

	snprintf(path, sizeof(path), "%s/fifo.cred", dir);
	if (!ok(mkfifo(path, 0600) == 0, "a FIFO at the credentials path"))
		return;
	alarm(10); /* a hang ends the test (SIGALRM) instead of passing later */
	e = credfile_load(path, &c, err, sizeof(err));
	alarm(0);
	if (!ok(e == OMTW_EINVAL && strstr(err, "is not a regular file") != NULL,
		"is refused at once as not a regular file"))
		printf("#   %s\n", err);
	unlink(path);
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	test_fifo();
	test_parse();
	test_nul();
	test_modes();
	test_owner_and_place();
	test_write();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
