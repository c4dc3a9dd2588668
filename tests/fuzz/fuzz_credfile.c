/* fuzz_credfile.c - the credentials file parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	omtw_creds c;
	char err[512];

	err[0] = '\0';
	if (credfile_parse((const char *)data, size, "fuzz.cred", &c, err, sizeof(err)) == OMTW_OK) {
		/* a parsed file has every required key */
		if (!c.consumer_key || !c.consumer_secret || !c.access_token || !c.access_token_secret)
			abort();
		credfile_clear(&c);
	} else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0') {
		abort(); /* a refusal always says why */
	}
	return 0;
}
