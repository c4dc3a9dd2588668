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

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	test_parse();
	test_nul();
	test_modes();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
