/* tweettext.c - shaping alert text into post text. */
#include <stdlib.h>
#include <string.h>

#include "tweettext.h"

static int is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

char *tweettext_trim(const char *s)
{
	size_t len;

	while (is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && is_space((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}
