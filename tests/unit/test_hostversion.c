/* test_hostversion.c - the running program's version, read from its image. */
#include <string.h>

#include "hostversion.h"
#include "tap.h"

/* A start message as rsyslogd has it, for a made-up program: the search
 * must find it in this test program's own read-only image. */
__attribute__((used)) static const char start_msg[] =
	"[origin software=\"omtwtest\" swVersion=\"9.8765.4\" x-pid=\"%d\"] start";

#define M "software=\"rsyslogd\" swVersion=\""

static int scan(const char *buf, char *out, size_t outlen)
{
	return hostversion_scan(buf, strlen(buf), M, out, outlen);
}

int main(void)
{
	char v[32];

	strcpy(v, "unset");
	ok(scan("x [origin " M "8.2302.0\" x-pid=\"%d\"] start", v, sizeof v) == 0, "a start message is found");
	is_str(v, "8.2302.0", "its version is read up to the quote");
	ok(scan("rsyslogd " M "%s\" and later " M "8.2504.0\"", v, sizeof v) == 0 &&
	   strcmp(v, "8.2504.0") == 0, "a format-string occurrence is skipped, the literal one is taken");
	ok(scan(M "8.2302.0", v, sizeof v) == -1, "no closing quote: not a version");
	ok(scan(M "\"", v, sizeof v) == -1, "an empty version is not one");
	ok(scan(M "82302\"", v, sizeof v) == -1, "a version has a dot");
	ok(scan(M ".2302\"", v, sizeof v) == -1 && scan(M "8.2302.\"", v, sizeof v) == -1,
	   "nor does it begin or end with one");
	ok(scan("software=\"rsyslogd\"  swVersion=\"8.2302.0\"", v, sizeof v) == -1, "only the exact marker counts");
	ok(scan(M "8.2302.0\"", v, 9) == 0 && strcmp(v, "8.2302.0") == 0, "a version that just fits OUT");
	ok(scan(M "8.2302.0\"", v, 8) == -1, "one that does not fit is refused, not cut");
	{
		/* the marker as the buffer's last bytes: nothing is read past it */
		char tail[] = "xx" M;
		ok(hostversion_scan(tail, strlen(tail), M, v, sizeof v) == -1, "a marker at the very end");
		ok(hostversion_scan(tail, strlen(tail) - 1, M, v, sizeof v) == -1, "a marker cut by the end");
	}

	strcpy(v, "unset");
	ok(hostversion_of_program("software=\"omtwtest\" swVersion=\"", v, sizeof v) == 0,
	   "the test program's own image holds its made-up start message");
	is_str(v, "9.8765.4", "and the version in it (the marker given as an argument is skipped)");
	ok(hostversion_of_program("software=\"no-such-program\" swVersion=\"", v, sizeof v) == -1,
	   "a program without the marker: not found");
	return tap_done();
}
