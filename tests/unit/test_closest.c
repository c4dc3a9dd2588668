/* test_closest.c - "did you mean": the closest known parameter name. */
#include <string.h>

#include "closest.h"
#include "tap.h"

static const char *const names[] = { "credentials", "endpoint", "template", "maxlength", "maxparts", "split",
				     "dedup.window", "dedup.key", "digest.interval", "digest.repeat", "budget.daily",
				     "budget.pace", "group", "group.similarity", "mode", "urls" };
#define N (sizeof(names) / sizeof(names[0]))

static void hint(const char *typo, const char *want)
{
	const char *got = closest_name(typo, names, N, 2);
	is_str(got ? got : "(none)", want ? want : "(none)", "'%s' -> %s", typo, want ? want : "no hint");
}

int main(void)
{
	hint("maxlenght", "maxlength");       /* swapped letters: one edit */
	hint("MaxLength", NULL);              /* the name itself, another case: nothing to hint */
	hint("credential", "credentials");    /* a letter missing */
	hint("endpiont", "endpoint");
	hint("digest.intervall", "digest.interval");
	hint("budget.dayly", "budget.daily");
	hint("dedup.windows", "dedup.window");
	hint("maxpart", "maxparts");
	hint("colour", NULL);                 /* nothing close */
	hint("queue.type", NULL);             /* rsyslog's own, not the module's */
	hint("dedup.ke", "dedup.key");
	hint("mod", "mode");
	hint("url", "urls");
	hint("grup", "group");
	hint("", NULL);
	/* two names equally close: no guess */
	static const char *const two[] = { "abcd", "abce" };
	ok(closest_name("abcf", two, 2, 2) == NULL, "a tie gives no hint");
	ok(closest_name("abcd", two, 2, 2) == NULL, "an exact name gives no hint");
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(closest_name(longname, names, N, 2) == NULL, "a very long name: no hint, no overflow");
	return tap_done();
}
