/* fuzz_response.c - X's answers: status, rate-limit header value, body.
 * Input: 2 bytes of status (100 + their value % 500), a header value up to
 * the first '\n' (none without one), the body.
 *
 * - xapi_header_number is exactly the reference here: blanks (space, tab)
 *   around one or more decimal digits whose value fits a long long, else
 *   -1 (a limit, remaining count or reset time is -1 or >= 0);
 * - xapi_classify, of the body and of each answer xapi.md documents, under
 *   the input's status: the status is kept; the outcome follows the status
 *   as design section 6 and xapi.h say: 2xx delivered, 429 rate limited,
 *   401 unauthorized, 402 out of credits, 403 duplicate, account or
 *   permanent, 404 account or permanent, 408, 1xx, 3xx and 5xx transient,
 *   any other 4xx permanent; a fix exactly for an account refusal; an id
 *   only when delivered, 1 to 31 digits, found in the body; the message a
 *   bounded line of printable text, starting with the status ("HTTP 503"
 *   or "accepted (HTTP 201)"), empty only for a delivery with its id;
 * - each documented answer under its own status gets its documented
 *   outcome (a created post's or DM's id, the duplicate, the usage cap, the
 *   permission, enrolment and authentication refusals, the refusal with no
 *   documented meaning, an HTML error page).
 * A broken invariant prints what it is and aborts. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, long status, const xapi_result *res)
{
	fprintf(stderr, "fuzz_response: invariant broken: %s (status %ld", what, status);
	if (res)
		fprintf(stderr, ", outcome %s, id '%.31s', error '%.511s'", xapi_outcome_name(res->outcome), res->id,
			res->error);
	fprintf(stderr, ")\n");
	abort();
}

/* The reference reading of a rate-limit header value. */
static long long ref_header_number(const char *s)
{
	long long v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return *s ? -1 : v;
}

/* The documented answers (doc xapi.md, "Errors"), each with its status. */
static const struct answer {
	long status;
	xapi_outcome outcome;
	const char *id; /* for a delivery */
	const char *body;
} answers[] = {
	{ 201, XAPI_DELIVERED, "1860000000000000001",
	  "{\"data\":{\"id\":\"1860000000000000001\",\"text\":\"disk full on db1\","
	  "\"edit_history_tweet_ids\":[\"1860000000000000001\"]}}" },
	{ 201, XAPI_DELIVERED, "1712345678901234567",
	  "{\"data\":{\"dm_conversation_id\":\"1-2\",\"dm_event_id\":\"1712345678901234567\"}}" },
	{ 200, XAPI_DELIVERED, "", "{\"data\":{\"text\":\"no id\"}}" },
	{ 201, XAPI_DELIVERED, "", "{\"data\":{\"id\":\"12a\"}}" },
	{ 201, XAPI_DELIVERED, "", "<html>Created</html>" },
	{ 403, XAPI_DUPLICATE, "",
	  "{\"detail\":\"You are not allowed to create a Tweet with duplicate content.\","
	  "\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}" },
	{ 403, XAPI_ACCOUNT, "",
	  "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"Your client app is not configured with "
	  "the appropriate oauth1 app permissions for this endpoint.\","
	  "\"type\":\"https://api.twitter.com/2/problems/oauth1-permissions\"}" },
	{ 403, XAPI_ACCOUNT, "",
	  "{\"client_id\":\"1\",\"detail\":\"When authenticating requests to the Twitter API v2 endpoints, "
	  "you must use keys and tokens from a Twitter developer App that is attached to a Project.\","
	  "\"registration_url\":\"https://developer.twitter.com/en/docs/projects/overview\","
	  "\"title\":\"Client Forbidden\",\"required_enrollment\":\"Appropriate Level of API Access\","
	  "\"reason\":\"client-not-enrolled\",\"type\":\"https://api.twitter.com/2/problems/client-forbidden\"}" },
	{ 403, XAPI_ACCOUNT, "",
	  "{\"title\":\"Unsupported Authentication\",\"detail\":\"Authenticating with OAuth 2.0 Application-Only "
	  "is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, "
	  "OAuth 2.0 User Context].\",\"type\":\"https://api.twitter.com/2/problems/unsupported-authentication\","
	  "\"status\":403}" },
	{ 403, XAPI_PERMANENT, "",
	  "{\"detail\":\"You are not permitted to perform this action.\",\"type\":\"about:blank\","
	  "\"title\":\"Forbidden\",\"status\":403}" },
	{ 429, XAPI_RATELIMITED, "",
	  "{\"title\":\"UsageCapExceeded\",\"period\":\"Monthly\",\"scope\":\"Product\",\"detail\":\"Usage cap "
	  "exceeded: Monthly product cap\",\"type\":\"https://api.twitter.com/2/problems/usage-capped\"}" },
	{ 429, XAPI_RATELIMITED, "", "{\"errors\":[{\"code\":88,\"message\":\"Rate limit exceeded\"}]}" },
	{ 401, XAPI_UNAUTHORIZED, "",
	  "{\"title\":\"Unauthorized\",\"type\":\"about:blank\",\"status\":401,\"detail\":\"Unauthorized\"}" },
	{ 402, XAPI_NO_CREDITS, "",
	  "{\"title\":\"CreditsDepleted\",\"detail\":\"Your enrolled account does not have any credits\","
	  "\"type\":\"https://api.x.com/2/problems/credits\"}" },
	{ 400, XAPI_PERMANENT, "",
	  "{\"errors\":[{\"parameters\":{\"text\":[\"\"]},\"message\":\"Invalid text\"}],"
	  "\"title\":\"Invalid Request\",\"detail\":\"One or more parameters to your request was invalid.\","
	  "\"type\":\"https://api.twitter.com/2/problems/invalid-request\"}" },
	{ 503, XAPI_TRANSIENT, "", "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>" },
	{ 503, XAPI_TRANSIENT, "",
	  "{\"title\":\"Service Unavailable\",\"detail\":\"Service Unavailable\",\"type\":\"about:blank\","
	  "\"status\":503}" },
	{ 503, XAPI_TRANSIENT, "", "{\"errors\":[{\"message\":\"Over capacity\",\"code\":130}]}" },
	{ 401, XAPI_UNAUTHORIZED, "", "{\"errors\":[{\"code\":135,\"message\":\"Timestamp out of bounds.\"}]}" },
	{ 500, XAPI_TRANSIENT, "", "{\"errors\":[{\"code\":131,\"message\":\"Internal error\"}]}" },
	{ 408, XAPI_TRANSIENT, "", "" },
};
#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

/* What any answer with this status may mean. */
static int allowed(long status, xapi_outcome o)
{
	if (status >= 200 && status < 300)
		return o == XAPI_DELIVERED;
	if (status == 429)
		return o == XAPI_RATELIMITED;
	if (status == 401)
		return o == XAPI_UNAUTHORIZED;
	if (status == 402)
		return o == XAPI_NO_CREDITS;
	if (status == 403)
		return o == XAPI_DUPLICATE || o == XAPI_ACCOUNT || o == XAPI_PERMANENT;
	if (status == 404)
		return o == XAPI_ACCOUNT || o == XAPI_PERMANENT;
	if (status == 408 || status < 200 || (status >= 300 && status < 400) || status >= 500)
		return o == XAPI_TRANSIENT;
	return o == XAPI_PERMANENT; /* any other 4xx */
}

/* The checks every classification passes. */
static void check(long status, const char *body, size_t len, const xapi_result *res)
{
	char head[64];
	size_t n, idlen;

	if (res->status != status)
		fail("the status is kept", status, res);
	if (!allowed(status, res->outcome))
		fail("the outcome follows the status", status, res);
	if ((res->outcome == XAPI_ACCOUNT) != (res->fix != NULL && res->fix[0] != '\0'))
		fail("an account refusal, and only one, says how to fix it", status, res);
	/* the id */
	if (memchr(res->id, '\0', sizeof(res->id)) == NULL)
		fail("the id is a bounded C string", status, NULL);
	idlen = strlen(res->id);
	if (idlen && res->outcome != XAPI_DELIVERED)
		fail("only a delivery has an id", status, res);
	if (strspn(res->id, "0123456789") != idlen)
		fail("an id is digits", status, res);
	if (idlen && !memmem(body, len, res->id, idlen) && !memchr(body, '\\', len))
		fail("an id is the body's", status, res);
	/* the message */
	if (memchr(res->error, '\0', sizeof(res->error)) == NULL)
		fail("the message is a bounded C string", status, NULL);
	n = strlen(res->error);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)res->error[i] < 0x20 || res->error[i] == 0x7f)
			fail("the message is one line without control characters", status, res);
	if (n == 0 && (res->outcome != XAPI_DELIVERED || idlen == 0))
		fail("the message says why, unless the post went out with its id", status, res);
	if (n && res->error[n - 1] == ' ')
		fail("the message has no trailing blank", status, res);
	snprintf(head, sizeof(head), "HTTP %ld", status);
	if (n && strncmp(res->error, head, strlen(head)) != 0 &&
	    !(strncmp(res->error, "accepted (", 10) == 0 && strncmp(res->error + 10, head, strlen(head)) == 0))
		fail("the message starts with the status", status, res);
	if (n && strncmp(res->error, head, strlen(head)) == 0 &&
	    (res->error[strlen(head)] >= '0' && res->error[strlen(head)] <= '9'))
		fail("the message starts with the status, not a longer number", status, res);
}

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
		long long got, want;
		memcpy(value, data, vlen);
		value[vlen] = '\0';
		got = xapi_header_number(value);
		want = ref_header_number(value);
		if (got != want) {
			fprintf(stderr, "header value '%s': got %lld, want %lld\n", value, got, want);
			fail("a rate-limit header's value is its decimal number, or -1", status, NULL);
		}
	}
	if (nl) {
		size -= vlen + 1;
		data = nl + 1;
	}
	memset(&res, 0xA5, sizeof(res)); /* classify sets every field it promises */
	xapi_classify(status, (const char *)data, size, &res);
	check(status, (const char *)data, size, &res);
	/* the documented answers, under this status and under their own */
	for (size_t i = 0; i < NANSWERS; i++) {
		const struct answer *a = &answers[i];
		size_t len = strlen(a->body);

		memset(&res, 0xA5, sizeof(res));
		xapi_classify(status, a->body, len, &res);
		check(status, a->body, len, &res);
		if (status != a->status)
			continue;
		if (res.outcome != a->outcome || strcmp(res.id, a->id) != 0) {
			fprintf(stderr, "documented answer %zu: want %s, id '%s'\n", i, xapi_outcome_name(a->outcome),
				a->id);
			fail("a documented answer has its documented outcome", status, &res);
		}
	}
	return 0;
}
