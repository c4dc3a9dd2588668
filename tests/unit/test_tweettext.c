/* test_tweettext.c - text shaping. */
#include <stdlib.h>

#include "tap.h"
#include "tweettext.h"

static void check_trim(const char *in, const char *want)
{
	char *got = tweettext_trim(in);
	is_str(got, want, "trim '%s'", in);
	free(got);
}

int main(void)
{
	check_trim(" bird_alert disk full ", "bird_alert disk full");
	check_trim("\t\r\n x y \n\v\f", "x y");
	check_trim("", "");
	check_trim("   ", "");
	check_trim("\xC2\xA0keep\xC2\xA0", "\xC2\xA0keep\xC2\xA0");
	check_trim("inner  space", "inner  space");
	return tap_done();
}
