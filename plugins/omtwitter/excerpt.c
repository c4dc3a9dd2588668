/* excerpt.c - a short, one-line, printable excerpt of an alert. */
#include "excerpt.h"

#include <string.h>
#include <utf8proc.h>

size_t excerpt(const char *text, size_t maxbytes, char *out, size_t outlen)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
	size_t len = strlen(text), i = 0, o = 0;

	if (outlen < maxbytes + 4) {
		if (outlen)
			out[0] = '\0';
		return 0;
	}
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
		size_t in = n < 0 ? 1 : (size_t)n;
		int ctrl = n >= 0 && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029);
		size_t w = (n < 0 || ctrl) ? 1 : in;

		if (o + w > maxbytes)
			break;
		if (n < 0)
			out[o] = '?';
		else if (ctrl)
			out[o] = ' ';
		else
			memcpy(out + o, s + i, w);
		o += w;
		i += in;
	}
	if (i < len) {
		memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
		o += 3;
	}
	out[o] = '\0';
	return o;
}
