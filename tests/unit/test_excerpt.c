/* test_excerpt.c - the excerpt of a refused alert in its log line. */
#include <string.h>

#include "excerpt.h"
#include "tap.h"

static const char *ex(const char *text, size_t max)
{
	static char out[256];

	excerpt(text, max, out, sizeof(out));
	return out;
}

int main(void)
{
	char small[8];

	is_str(ex("disk full on db1", 80), "disk full on db1", "a short alert is its own excerpt");
	is_str(ex("", 80), "", "an empty one is empty");
	is_str(ex("line one\nline two\tend\r", 80), "line one line two end ", "newline, tab and CR become spaces");
	is_str(ex("a\x7f" "b\xc2\x85" "c\xe2\x80\xa8" "d", 80), "a b c d", "DEL, C1 NEL and U+2028 too");
	is_str(ex("abcdefghijkl", 10), "abcdefghij\xe2\x80\xa6", "a longer one is cut at 10 bytes and ends in an ellipsis");
	is_str(ex("abcdefgh\xc3\xa9xyz", 9), "abcdefgh\xe2\x80\xa6", "a 2-byte character that would cross the limit is left out whole");
	is_str(ex("abcdefgh\xc3\xa9", 10), "abcdefgh\xc3\xa9", "one that just fits is kept, without an ellipsis");
	is_str(ex("ok \xff\xfe end", 80), "ok ?? end", "bytes that are not UTF-8 become '?'");
	is_str(ex("\xe2\x82", 80), "??", "so does a truncated sequence");
	is_int((int)excerpt("abc", 10, small, sizeof(small)), 0, "an output buffer smaller than the limit plus the ellipsis is refused");
	is_str(small, "", "and left empty");
	return tap_done();
}
