/* fuzz_tweettext.c - shaping hostile text: every part must be valid UTF-8,
 * fit maxlength by X's count, and there are never more than maxparts.
 * Input: 4 bytes of configuration, then the alert. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "tweettext.h"
#include "urls.h"

static int valid_utf8(const char *s)
{
	utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s), i = 0;
	utf8proc_int32_t c;

	while (i < n) {
		utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, n - i, &c);
		if (r <= 0 || c == 0xFFFE || c == 0xFFFF || c < 0x20 || (c >= 0x7F && c < 0xA0))
			return 0;
		i += r;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tt_config cfg;
	tt_parts p;
	char *prepared = NULL;
	url_span *sp = NULL;
	size_t n = 0;

	if (size < 4)
		return 0;
	cfg.maxlength = 10 + (data[0] | (data[1] & 1) << 8) % 600;
	cfg.split = data[1] & 2 ? TT_SPLIT_TRUNCATE : TT_SPLIT_THREAD;
	cfg.maxparts = 1 + data[2] % TWEETTEXT_MAX_PARTS;
	cfg.urls = data[3] & 1 ? TT_URLS_KEEP : TT_URLS_DEFANG;
	if (cfg.urls == TT_URLS_KEEP && cfg.maxlength < 40)
		cfg.maxlength = 40; /* the module refuses less: a kept URL counts 23 */
	data += 4;
	size -= 4;
	if (tweettext_shape((const char *)data, size, &cfg, &p) != OMTW_OK)
		abort();
	if (p.n > (size_t)cfg.maxparts)
		abort();
	for (size_t i = 0; i < p.n; i++)
		if (!valid_utf8(p.part[i]) ||
		    tweettext_weighted_length(p.part[i], strlen(p.part[i]), cfg.urls == TT_URLS_KEEP) > cfg.maxlength)
			abort();
	tweettext_parts_free(&p);
	if (tweettext_prepare((const char *)data, size, cfg.urls, &prepared) != OMTW_OK || !valid_utf8(prepared))
		abort();
	if (urls_find(prepared, strlen(prepared), &sp, &n) != OMTW_OK)
		abort();
	for (size_t i = 0; i < n; i++)
		if (sp[i].start >= sp[i].end || sp[i].end > strlen(prepared) || (i && sp[i].start < sp[i - 1].end))
			abort();
	free(sp);
	free(prepared);
	return 0;
}
