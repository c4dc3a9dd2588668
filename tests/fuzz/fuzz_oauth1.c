/* fuzz_oauth1.c - percent-encoding, form parsing, base string URIs and the
 * signature base string from arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oauth1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *enc = oauth1_encode((const char *)data, size), *url, *base = NULL, *uri = NULL;
	oauth1_params p;

	if (enc == NULL)
		abort();
	/* only the unreserved set and %XX with upper-case hex */
	for (const char *c = enc; *c; c++)
		if (*c == '%') {
			if (!strchr("0123456789ABCDEF", c[1]) || !c[1] || !strchr("0123456789ABCDEF", c[2]) || !c[2])
				abort();
			c += 2;
		} else if (!(strchr("-._~", *c) || (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= 'a' && *c <= 'z'))) {
			abort();
		}
	free(enc);
	oauth1_params_init(&p);
	oauth1_params_add_form(&p, (const char *)data, size);
	if ((url = malloc(size + 1)) == NULL)
		abort();
	memcpy(url, data, size);
	url[size] = '\0';
	if (oauth1_base_uri(url, &uri) == OMTW_OK)
		free(uri);
	if (oauth1_base_string("POST", url, &p, &base) == OMTW_OK)
		free(base);
	oauth1_params_free(&p);
	free(url);
	return 0;
}
