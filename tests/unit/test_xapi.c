/* test_xapi.c - endpoint policy, response classification, transport errors,
 * rate-limit headers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tap.h"
#include "xapi.h"

static void check_endpoint(const char *url, int accept, const char *want)
{
	char err[512] = "";
	omtw_err e = xapi_check_endpoint(url, err, sizeof(err));

	ok((e == OMTW_OK) == accept, "%s endpoint %s", accept ? "accepts" : "refuses", url);
	if (!accept && want && !ok(strstr(err, want) != NULL, "the refusal of %s explains: %s", url, want))
		printf("#   message: %s\n", err);
}

static void test_endpoints(void)
{
	check_endpoint("https://api.x.com", 1, NULL);
	check_endpoint("https://api.x.com/", 1, NULL);
	check_endpoint("https://proxy.example/x-api", 1, NULL);
	check_endpoint("http://127.0.0.1:8080", 1, NULL);
	check_endpoint("http://127.9.9.9", 1, NULL);
	check_endpoint("http://localhost:1234", 1, NULL);
	check_endpoint("http://[::1]:1234", 1, NULL);
	check_endpoint("http://api.x.com", 0, "only allowed to a loopback host");
	check_endpoint("http://10.0.0.1", 0, "only allowed to a loopback host");
	check_endpoint("http://[::2]", 0, "only allowed to a loopback host");
	check_endpoint("http://127.0.0.1.evil.example", 0, "only allowed to a loopback host");
	check_endpoint("ftp://api.x.com", 0, "scheme must be https");
	check_endpoint("api.x.com", 0, "not a valid URL");
	check_endpoint("https://user:pw@api.x.com", 0, "user information");
	check_endpoint("https://api.x.com/?a=b", 0, "query or fragment");
	check_endpoint("", 0, "not a valid URL");
}

static void classify(long status, const char *body, xapi_outcome want, const char *want_msg)
{
	xapi_result r;

	memset(&r, 0, sizeof(r));
	xapi_classify(status, body, body ? strlen(body) : 0, &r);
	if (!ok(r.outcome == want, "HTTP %ld is %s", status, xapi_outcome_name(want)))
		printf("#   got %s\n", xapi_outcome_name(r.outcome));
	if (want_msg && !ok(strstr(r.error, want_msg) != NULL, "HTTP %ld message: %s", status, want_msg))
		printf("#   message: %s\n", r.error);
}

static void test_classify(void)
{
	xapi_result r;
	const char *created = "{\"data\":{\"id\":\"1445880548472328192\",\"text\":\"hi\"}}";

	memset(&r, 0, sizeof(r));
	xapi_classify(201, created, strlen(created), &r);
	ok(r.outcome == XAPI_DELIVERED, "201 is delivered");
	is_str(r.id, "1445880548472328192", "the post id is parsed");
	const char *dm = "{\"data\":{\"dm_conversation_id\":\"1-2\",\"dm_event_id\":\"1122334455667788990\"}}";
	xapi_classify(201, dm, strlen(dm), &r);
	is_str(r.id, "1122334455667788990", "a DM event id is parsed");
	classify(201, "not json", XAPI_DELIVERED, "no usable id (not JSON)");
	classify(200, "{\"data\":{\"id\":\"12a\"}}", XAPI_DELIVERED, "no usable id");
	classify(201, "[1,2]", XAPI_DELIVERED, "no usable id");

	classify(403, "{\"detail\":\"You are not allowed to create a Tweet with duplicate content.\","
		      "\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403}",
		 XAPI_DUPLICATE, "duplicate content");
	classify(403, "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"Your client app is not "
		      "configured with the appropriate oauth1 app permissions for this endpoint.\","
		      "\"type\":\"https://api.twitter.com/2/problems/oauth1-permissions\"}",
		 XAPI_PERMANENT, "Forbidden: Your client app is not configured");
	classify(401, "{\"title\":\"Unauthorized\",\"type\":\"about:blank\",\"status\":401,\"detail\":\"Unauthorized\"}",
		 XAPI_UNAUTHORIZED, "Unauthorized");
	classify(402, "{\"title\":\"CreditsDepleted\",\"detail\":\"Your enrolled account does not have any credits\"}",
		 XAPI_NO_CREDITS, "CreditsDepleted");
	classify(429, "{\"errors\":[{\"code\":88,\"message\":\"Rate limit exceeded\"}]}",
		 XAPI_RATELIMITED, "Rate limit exceeded");
	classify(503, "{\"title\":\"Service Unavailable\",\"detail\":\"Service Unavailable\",\"type\":\"about:blank\",\"status\":503}",
		 XAPI_TRANSIENT, "Service Unavailable");
	classify(503, "{\"errors\":[{\"message\":\"Over capacity\",\"code\":130}]}", XAPI_TRANSIENT, "Over capacity");
	classify(500, "<html>oops</html>", XAPI_TRANSIENT, "HTTP 500 (no JSON error body)");
	classify(502, NULL, XAPI_TRANSIENT, "HTTP 502");
	classify(408, NULL, XAPI_TRANSIENT, NULL);
	classify(301, NULL, XAPI_TRANSIENT, NULL);
	classify(400, "{\"title\":\"Invalid Request\",\"detail\":\"One or more parameters to your request was invalid.\"}",
		 XAPI_PERMANENT, "Invalid Request: One or more");
	classify(404, "{}", XAPI_PERMANENT, "HTTP 404");
	classify(413, "{\"title\":\"x\\ny\\u0001z\"}", XAPI_PERMANENT, "x y z");
	classify(400, "{\"title\":", XAPI_PERMANENT, "HTTP 400: {\"title\":");
	classify(401, "Invalid request token.", XAPI_UNAUTHORIZED, "HTTP 401: Invalid request token.");
	classify(503, "<html><body>down</body></html>", XAPI_TRANSIENT, "HTTP 503 (no JSON error body)");
}

/* A loopback port that nothing listens on. */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

static void test_transport_error(void)
{
	char url[64], err[256] = "";
	xapi_client *c = NULL;
	xapi_result r;
	omtw_creds cr = { "ck", "consumer-secret-1", "at", "token-secret-2", NULL, NULL };

	ok(xapi_client_new(&(xapi_config){ .endpoint = "http://example.com", .timeout_ms = 1000 },
			   &c, err, sizeof(err)) == OMTW_EINVAL && c == NULL,
	   "a client for a refused endpoint is not created");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	ok(xapi_client_new(&(xapi_config){ .endpoint = url, .timeout_ms = 2000 }, &c, err, sizeof(err)) == OMTW_OK,
	   "a client for a loopback endpoint is created");
	ok(xapi_post_tweet(c, &cr, "hello", NULL, &r) == OMTW_OK, "a post to a closed port returns a result");
	ok(r.outcome == XAPI_TRANSIENT && r.status == 0, "connection refused is a transient failure");
	if (!ok(strstr(r.error, "cannot connect to the endpoint") != NULL, "the message names the cause"))
		printf("#   message: %s\n", r.error);
	ok(strstr(r.error, "secret") == NULL, "no secret in the message");
	ok(r.window.reset == -1 && r.user24.remaining == -1, "no rate-limit headers without a response");
	xapi_client_free(c);
}

/* Serve one canned HTTP response on a loopback port from a child process;
 * returns the port (the child exits after one request). */
static int canned_server(const char *response, pid_t *child)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), c, port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 1) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0)
		return -1;
	port = ntohs(a.sin_port);
	if ((*child = fork()) == 0) {
		char req[8192];
		size_t got = 0;
		ssize_t r;
		alarm(10);
		if ((c = accept(s, NULL, NULL)) < 0)
			_exit(1);
		/* read the head and the small body that follows it */
		while (got < sizeof(req) - 1 && (r = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)r;
			req[got] = '\0';
			char *body = strstr(req, "\r\n\r\n"), *cl = strcasestr(req, "content-length:");
			if (body && (!cl || strlen(body + 4) >= strtoul(cl + 15, NULL, 10)))
				break;
		}
		if (write(c, response, strlen(response)) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(s);
	return port;
}

static void limits_from(const char *headers, xapi_result *r)
{
	char url[64], err[256], resp[2048];
	xapi_client *c = NULL;
	omtw_creds cr = { "ck", "consumer-secret-1", "at", "token-secret-2", NULL, NULL };
	const char *body = "{\"data\":{\"id\":\"1860000000000000001\",\"text\":\"x\"}}";
	pid_t child = -1;
	int port;

	snprintf(resp, sizeof(resp), "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
		 "%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", headers, strlen(body), body);
	memset(r, 0, sizeof(*r));
	if ((port = canned_server(resp, &child)) < 0)
		return;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	if (xapi_client_new(&(xapi_config){ .endpoint = url, .timeout_ms = 5000 }, &c, err, sizeof(err)) == OMTW_OK)
		xapi_post_tweet(c, &cr, "x", NULL, r);
	xapi_client_free(c);
	waitpid(child, NULL, 0);
}

/* x-rate-limit-*, x-user-limit-24hour-*, x-app-limit-24hour-* (xapi.md). */
static void test_limit_headers(void)
{
	xapi_result r;

	limits_from("x-rate-limit-limit: 100\r\nx-rate-limit-remaining: 99\r\n"
		    "x-rate-limit-reset: 1800000900\r\nx-user-limit-24hour-limit: 17\r\n"
		    "x-user-limit-24hour-remaining: 0\r\nx-user-limit-24hour-reset: 1800050000\r\n"
		    "x-app-limit-24hour-limit: 10000\r\nx-app-limit-24hour-remaining: 9000\r\n"
		    "x-app-limit-24hour-reset: 1800060000\r\n", &r);
	ok(r.outcome == XAPI_DELIVERED && strcmp(r.id, "1860000000000000001") == 0, "a 201 with all limit headers");
	ok(r.window.limit == 100 && r.window.remaining == 99 && r.window.reset == 1800000900,
	   "x-rate-limit-* read");
	ok(r.user24.limit == 17 && r.user24.remaining == 0 && r.user24.reset == 1800050000,
	   "x-user-limit-24hour-* read");
	ok(r.app24.limit == 10000 && r.app24.remaining == 9000 && r.app24.reset == 1800060000,
	   "x-app-limit-24hour-* read");

	limits_from("", &r);
	ok(r.outcome == XAPI_DELIVERED && r.window.remaining == -1 && r.window.reset == -1 &&
	   r.user24.remaining == -1 && r.app24.reset == -1, "missing headers read as unknown (-1)");

	limits_from("x-rate-limit-remaining: 12abc\r\nx-rate-limit-reset: -5\r\n"
		    "x-user-limit-24hour-remaining: \r\nx-user-limit-24hour-reset: 0x10\r\n"
		    "x-app-limit-24hour-remaining: 99999999999999999999999\r\n"
		    "x-app-limit-24hour-reset:  1800060000 \r\n", &r);
	ok(r.window.remaining == -1 && r.window.reset == -1, "malformed and negative values read as unknown");
	ok(r.user24.remaining == -1 && r.user24.reset == -1, "empty and hex values read as unknown");
	ok(r.app24.remaining == -1, "a value beyond 64 bits reads as unknown");
	ok(r.app24.reset == 1800060000, "white space around a value is fine");
}

/* DM recipients are looked up by handle: only X's handle alphabet goes into
 * the request path. */
static void test_handles(void)
{
	ok(xapi_valid_handle("alice_ops") && xapi_valid_handle("A") &&
	   xapi_valid_handle("abcdefghijklmn5"), "handles of 1 to 15 letters, digits, underscores");
	ok(!xapi_valid_handle("") && !xapi_valid_handle("abcdefghijklmnop") &&
	   !xapi_valid_handle("@alice") && !xapi_valid_handle("a b") &&
	   !xapi_valid_handle("../me") && !xapi_valid_handle("al%2fice") &&
	   !xapi_valid_handle("\xc3\xa9"), "empty, 16 long, '@', space, path, escapes, non-ASCII refused");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_handles();
	test_endpoints();
	test_classify();
	test_transport_error();
	test_limit_headers();
	curl_global_cleanup();
	return tap_done();
}
