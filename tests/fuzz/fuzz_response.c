/* fuzz_response.c - X's answers: status, rate-limit header value, body.
 * Input: 2 bytes of status, a header value up to the first '\n', the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xapi_result res;
	char value[64];
	const uint8_t *nl;
	size_t vlen;
	long status;

	if (size < 2)
		return 0;
	status = 100 + ((data[0] << 8 | data[1]) % 500);
	data += 2;
	size -= 2;
	nl = memchr(data, '\n', size);
	vlen = nl ? (size_t)(nl - data) : 0;
	if (vlen < sizeof(value)) {
		memcpy(value, data, vlen);
		value[vlen] = '\0';
		if (xapi_header_number(value) < -1)
			abort();
	}
	if (nl) {
		size -= vlen + 1;
		data = nl + 1;
	}
	memset(&res, 0, sizeof(res));
	xapi_classify(status, (const char *)data, size, &res);
	/* the message is a bounded C string and the id a bounded one too */
	if (memchr(res.error, '\0', sizeof(res.error)) == NULL || memchr(res.id, '\0', sizeof(res.id)) == NULL)
		abort();
	return 0;
}
