/* xapi.c - X API v2 client: signed requests over a kept-alive curl handle. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libfastjson/json.h>
#include <openssl/crypto.h>

#include "oauth1.h"
#include "xapi.h"

/* The Authorization header of the next JSON POST, signed after the last
 * one: X signs no JSON body, so it fits any text.  Signing cold costs about
 * 0.1 ms (OpenSSL's lookups and DRBG), which would sit between the alert and
 * its post.  Used once (its nonce), for the same path and keys only, and
 * only while younger than presign_ttl seconds (X accepts timestamps within
 * minutes of its clock). */
typedef struct presigned {
	char *header;   /* "Authorization: OAuth ..."; NULL when none */
	char *path;
	char *keys;     /* the four keys, NUL-separated: the same credentials */
	size_t keyslen;
	time_t made;
} presigned;

struct xapi_client {
	CURL *curl;
	char *endpoint;          /* without a trailing '/' */
	char *body;              /* response body of the current call */
	size_t len;
	long presign_ttl;
	presigned next;
	const int *stop;         /* give up while *stop (xapi_client_set_stop) */
	char curlerr[CURL_ERROR_SIZE];
};

static int stopping(const xapi_client *c)
{
	return c->stop && __atomic_load_n(c->stop, __ATOMIC_RELAXED) != 0;
}

/* libcurl's progress callback (about once a second while waiting, more
 * often while data flows): nonzero aborts the transfer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stopping(arg);
}

void xapi_client_set_stop(xapi_client *c, const int *flag)
{
	c->stop = flag;
}

const char *xapi_outcome_name(xapi_outcome o)
{
	switch (o) {
	case XAPI_DELIVERED:    return "delivered";
	case XAPI_DUPLICATE:    return "duplicate";
	case XAPI_RATELIMITED:  return "rate-limited";
	case XAPI_UNAUTHORIZED: return "unauthorized";
	case XAPI_NO_CREDITS:   return "out of credits";
	case XAPI_ACCOUNT:      return "account-level refusal";
	case XAPI_TRANSIENT:    return "transient failure";
	case XAPI_PERMANENT:    return "permanent refusal";
	}
	return "unknown";
}

static int is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1; /* libcurl resolves it to loopback itself */
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && n < sizeof(buf) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}

/* Does PATH name one of X's API paths (a segment "2" or "1.1" after any
 * prefix)?  "/2", "/2/", "/2/tweets", "/x-api/2/tweets", "/1.1/..." do. */
static int is_api_path(const char *path)
{
	for (const char *p = path; (p = strchr(p, '/')) != NULL; p++) {
		const char *seg = p + 1;
		size_t n = strcspn(seg, "/");

		if ((n == 1 && seg[0] == '2') || (n == 3 && !strncmp(seg, "1.1", 3)))
			return 1;
	}
	return 0;
}

omtw_err xapi_check_endpoint(const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *part = NULL;
	omtw_err e = OMTW_EINVAL;

	if (u == NULL)
		return OMTW_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		omtw_errmsg(err, errlen, "endpoint '%s' is not a valid URL (example: https://api.x.com)", url);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
		omtw_errmsg(err, errlen, "endpoint must not contain user information");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		omtw_errmsg(err, errlen, "endpoint '%s' must not have a query or fragment", url);
		goto done;
	}
	/* X's docs print the base URL with its version ("https://api.x.com/2");
	 * the module adds /2/tweets itself, so that form would post to
	 * /2/2/tweets, get 404 for every alert.  A path prefix of a proxy in
	 * front of the API stays allowed. */
	if (curl_url_get(u, CURLUPART_PATH, &part, 0) == CURLUE_OK && is_api_path(part)) {
		omtw_errmsg(err, errlen, "endpoint '%s' must not name an API path ('%s'): give the API's "
			    "base URL, e.g. https://api.x.com (the module adds /2/tweets or the DM path itself)",
			    url, part);
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		omtw_errmsg(err, errlen, "endpoint '%s': scheme must be https", url);
		goto done;
	}
	if (strcmp(scheme, "http") == 0 && !is_loopback(host)) {
		omtw_errmsg(err, errlen, "endpoint '%s': plain http is only allowed to a loopback "
			    "host (127.0.0.0/8, ::1, localhost); use https", url);
		goto done;
	}
	e = OMTW_OK;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(part);
	curl_url_cleanup(u);
	return e;
}

omtw_err xapi_check_proxy(const char *url, char *err, size_t errlen)
{
	static const char *const schemes[] = { "http", "https", "socks4", "socks4a", "socks5", "socks5h" };
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	omtw_err e = OMTW_EINVAL;

	if (u == NULL)
		return OMTW_ENOMEM;
	/* no default scheme: "proxy:3128" would be guessed as http by libcurl;
	 * socks* are no URL schemes libcurl's parser knows, hence NON_SUPPORT */
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		omtw_errmsg(err, errlen, "not a proxy URL (example: http://proxy.example:3128)");
		goto done;
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(scheme, schemes[i]) == 0)
			e = OMTW_OK;
	if (e != OMTW_OK)
		omtw_errmsg(err, errlen, "proxy scheme '%s' is not one of http, https, socks4, socks4a, "
			    "socks5, socks5h", scheme);
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return e;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	xapi_client *c = userp;
	size_t n = size * nmemb, room = XAPI_MAX_RESPONSE - c->len;

	if (n > room) /* keep the head; the status line already decided */
		n = room;
	memcpy(c->body + c->len, data, n);
	c->len += n;
	c->body[c->len] = '\0';
	return size * nmemb;
}

omtw_err xapi_client_new(const xapi_config *cfg, xapi_client **out,
			 char *err, size_t errlen)
{
	const char *ep = cfg->endpoint ? cfg->endpoint : XAPI_DEFAULT_ENDPOINT;
	xapi_client *c;
	omtw_err e;
	size_t n;

	*out = NULL;
	if ((e = xapi_check_endpoint(ep, err, errlen)) != OMTW_OK)
		return e;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->body = malloc(XAPI_MAX_RESPONSE + 1)) == NULL ||
	    (c->endpoint = strdup(ep)) == NULL) {
		e = OMTW_ENOMEM;
		goto fail;
	}
	n = strlen(c->endpoint);
	while (n && c->endpoint[n - 1] == '/')
		c->endpoint[--n] = '\0';
	c->presign_ttl = cfg->presign_ttl < 0 ? 0 : cfg->presign_ttl;
	if ((c->curl = curl_easy_init()) == NULL) {
		omtw_errmsg(err, errlen, "curl_easy_init failed");
		e = OMTW_ECURL;
		goto fail;
	}
	CURL *h = c->curl;
	/* Never CURLOPT_VERBOSE: it would print the Authorization header. */
	if (curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms) ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms) ||
	    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curlerr) ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, c) ||
	    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) ||
	    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) ||
	    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c) ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, cfg->user_agent ? cfg->user_agent : "omtwitter") ||
	    (cfg->cacert && curl_easy_setopt(h, CURLOPT_CAINFO, cfg->cacert)) ||
	    (cfg->capath && curl_easy_setopt(h, CURLOPT_CAPATH, cfg->capath)) ||
	    /* "": no proxy, whatever http_proxy or ALL_PROXY in rsyslogd's
	     * environment say; only the action's 'proxy' parameter sets one */
	    curl_easy_setopt(h, CURLOPT_PROXY, cfg->proxy ? cfg->proxy : "")) {
		omtw_errmsg(err, errlen, "libcurl does not support a required option "
			    "(needs libcurl >= 7.85 with TLS)");
		e = OMTW_ECURL;
		goto fail;
	}
	*out = c;
	return OMTW_OK;
fail:
	xapi_client_free(c);
	return e;
}

static void presigned_clear(presigned *p)
{
	free(p->header);
	free(p->path);
	if (p->keys)
		OPENSSL_clear_free(p->keys, p->keyslen);
	memset(p, 0, sizeof(*p));
}

void xapi_client_free(xapi_client *c)
{
	if (c == NULL)
		return;
	presigned_clear(&c->next);
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->endpoint);
	free(c->body);
	free(c);
}

/* Copy a server-supplied string for a log line: no control characters. */
static void copy_clean(char *dst, size_t dstlen, const char *src)
{
	size_t o = 0;

	for (; *src && o + 1 < dstlen; src++)
		dst[o++] = (unsigned char)*src < 0x20 || *src == 0x7f ? ' ' : *src;
	while (o && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

static const char *jstr(struct fjson_object *o, const char *key)
{
	struct fjson_object *v;

	if (o && fjson_object_object_get_ex(o, key, &v) && fjson_object_is_type(v, fjson_type_string))
		return fjson_object_get_string(v);
	return NULL;
}

/* 403 and 404 answers that are about the app, the account, the endpoint
 * or the DM recipient, not about the alert: the alert waits for the fix.
 * Matched on X's problem type (its last path segment: the host part
 * changes between spec versions) or, where X gives none, on its words.
 * First match wins; see doc "Delivery semantics". */
static const struct account_refusal {
	long status;           /* 0: 403 or 404 */
	const char *type;      /* problem type's last segment, or NULL */
	const char *words;     /* in detail or title (case-sensitive), or NULL */
	const char *fix;
} account_refusals[] = {
	{ 403, "oauth1-permissions", "oauth1 app permissions",
	  "set the app's permission to 'Read and write' ('Read, write, and Direct messages' for "
	  "mode=\"dm\") in the X developer console, then regenerate the access token and secret "
	  "(the permission is part of them), write them with omtwitter-auth and send rsyslogd a HUP" },
	{ 403, "client-forbidden", "client-not-enrolled",
	  "attach the app to a Project in the X developer console (an app outside a Project "
	  "cannot use API v2)" },
	{ 403, "unsupported-authentication", NULL,
	  "the credentials file must hold OAuth 1.0a user tokens: write it with omtwitter-auth" },
	{ 403, NULL, "suspended",
	  "the alert account is suspended: resolve it on x.com, then send rsyslogd a HUP" },
	{ 403, NULL, "locked",
	  "the alert account is locked: log in on x.com to unlock it, then send rsyslogd a HUP" },
	{ 403, NULL, "send messages to",
	  "the recipient does not accept direct messages from the alert account: have them "
	  "follow it (or allow messages from everyone)" },
	{ 404, NULL, NULL,
	  "the API path was not found: check parameter 'endpoint' (the API's base URL, e.g. "
	  "https://api.x.com) and, for mode=\"dm\", parameter 'recipient' (a numeric user id)" },
};

static const char *account_fix(long status, const char *type, const char *title, const char *detail)
{
	const char *seg = type ? strrchr(type, '/') : NULL;

	seg = seg ? seg + 1 : type;
	for (size_t i = 0; i < sizeof(account_refusals) / sizeof(account_refusals[0]); i++) {
		const struct account_refusal *a = &account_refusals[i];

		if (a->status != status)
			continue;
		if ((!a->type && !a->words) || (a->type && seg && strcmp(seg, a->type) == 0) ||
		    (a->words && ((detail && strstr(detail, a->words)) || (title && strstr(title, a->words)))))
			return a->fix;
	}
	return NULL;
}

void xapi_classify(long status, const char *body, size_t len, xapi_result *res)
{
	struct fjson_tokener *tok = fjson_tokener_new();
	struct fjson_object *root = NULL, *data = NULL, *errs = NULL;
	const char *title = NULL, *detail = NULL, *type = NULL, *id;
	char msg[sizeof(res->error)] = "";

	res->status = status;
	res->id[0] = '\0';
	res->fix = NULL;
	if (tok && body && len)
		root = fjson_tokener_parse_ex(tok, body, (int)len);
	if (root && !fjson_object_is_type(root, fjson_type_object)) {
		fjson_object_put(root);
		root = NULL;
	}
	if (root) {
		/* v2 problem shape: title/detail; v1.1 shape: errors[].message */
		title = jstr(root, "title");
		detail = jstr(root, "detail");
		type = jstr(root, "type");
		if (!detail && fjson_object_object_get_ex(root, "errors", &errs) &&
		    fjson_object_is_type(errs, fjson_type_array) && fjson_object_array_length(errs) > 0)
			detail = jstr(fjson_object_array_get_idx(errs, 0), "message");
		if (!detail && !title && fjson_object_object_get_ex(root, "errors", &errs) &&
		    fjson_object_is_type(errs, fjson_type_array) && fjson_object_array_length(errs) > 0)
			detail = jstr(fjson_object_array_get_idx(errs, 0), "detail");
	}
	/* "HTTP 403: Forbidden: <detail>": status, then X's own words */
	if (title && detail && strcmp(title, detail) != 0)
		snprintf(msg, sizeof(msg), "HTTP %ld: %s: %s", status, title, detail);
	else if (title || detail)
		snprintf(msg, sizeof(msg), "HTTP %ld: %s", status, detail ? detail : title);

	if (status >= 200 && status < 300) {
		res->outcome = XAPI_DELIVERED;
		if (root && fjson_object_object_get_ex(root, "data", &data) &&
		    (id = jstr(data, "id") ? jstr(data, "id") : jstr(data, "dm_event_id")) != NULL &&
		    strlen(id) < sizeof(res->id) && strspn(id, "0123456789") == strlen(id) && *id)
			strcpy(res->id, id);
		else
			snprintf(msg, sizeof(msg), "accepted (HTTP %ld) but the response carries no "
				 "usable id%s", status, root ? "" : " (not JSON)");
	} else if (status == 429) {
		res->outcome = XAPI_RATELIMITED;
	} else if (status == 401) {
		res->outcome = XAPI_UNAUTHORIZED;
	} else if (status == 402) {
		res->outcome = XAPI_NO_CREDITS;
	} else if (status == 403 && detail && strstr(detail, "duplicate content")) {
		res->outcome = XAPI_DUPLICATE;
	} else if ((status == 403 || status == 404) &&
		   (res->fix = account_fix(status, type, title, detail)) != NULL) {
		res->outcome = XAPI_ACCOUNT;
	} else if (status == 408 || status >= 500 || status < 200 || (status >= 300 && status < 400)) {
		res->outcome = XAPI_TRANSIENT;
	} else {
		res->outcome = XAPI_PERMANENT;
	}
	if (!msg[0] && res->outcome != XAPI_DELIVERED) {
		if (root == NULL && body && len && len < 200 && !memchr(body, '<', len))
			snprintf(msg, sizeof(msg), "HTTP %ld: %.*s", status, (int)len, body);
		else
			snprintf(msg, sizeof(msg), "HTTP %ld%s", status, root ? "" : " (no JSON error body)");
	}
	copy_clean(res->error, sizeof(res->error), msg);
	if (root)
		fjson_object_put(root);
	if (tok)
		fjson_tokener_free(tok);
}

long long xapi_header_number(const char *value)
{
	const char *p;
	char *end;
	long long v;

	for (p = value; *p == ' ' || *p == '\t'; p++)
		;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoll(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	return errno == ERANGE || *end != '\0' ? -1 : v;
}

static long long header_num(CURL *h, const char *name)
{
	struct curl_header *hd;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return -1;
	return xapi_header_number(hd->value);
}

static void read_limit(CURL *h, const char *prefix, xapi_limit *l)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-limit", prefix);
	l->limit = header_num(h, name);
	snprintf(name, sizeof(name), "%s-remaining", prefix);
	l->remaining = header_num(h, name);
	snprintf(name, sizeof(name), "%s-reset", prefix);
	l->reset = header_num(h, name);
}

/* Describe a failed transfer so the operator sees the cause at once. */
static void transport_error(xapi_client *c, CURLcode rc, xapi_result *res)
{
	const char *what;

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		what = "TLS certificate verification failed"; break;
	case CURLE_SSL_CACERT_BADFILE:
		what = "cannot use the CA certificate file (tls.cacert)"; break;
	case CURLE_SSL_CONNECT_ERROR:
		what = "TLS handshake failed"; break;
	case CURLE_COULDNT_RESOLVE_HOST:
		what = "cannot resolve the endpoint's host"; break;
	case CURLE_COULDNT_CONNECT:
		what = "cannot connect to the endpoint"; break;
	case CURLE_OPERATION_TIMEDOUT:
		what = "request timed out"; break;
	case CURLE_ABORTED_BY_CALLBACK:
		what = "stopped (shutting down)"; break;
	case CURLE_SEND_FAIL_REWIND: /* see upload: not sent a second time */
		what = "the connection was lost after the request was sent"; break;
	default:
		what = "transfer failed"; break;
	}
	if (rc == CURLE_SEND_FAIL_REWIND) /* libcurl's words ("rewind") would puzzle */
		snprintf(res->error, sizeof(res->error), "%s; it may have arrived (curl error %d)", what, (int)rc);
	else
		snprintf(res->error, sizeof(res->error), "%s: %s (curl error %d)", what,
			 c->curlerr[0] ? c->curlerr : curl_easy_strerror(rc), (int)rc);
	res->outcome = XAPI_TRANSIENT;
}

/* *out = "Authorization: OAuth ..." for one request. */
static omtw_err sign_header(const oauth1_keys *keys, const char *method, const char *url,
			    const oauth1_params *extra, char **out)
{
	oauth1_request req = { .method = method, .url = url, .extra = extra, .with_version = true };
	char *auth = NULL;
	omtw_err e;

	*out = NULL;
	if ((e = oauth1_authorization(keys, &req, &auth)) != OMTW_OK)
		return e;
	if ((*out = malloc(strlen(auth) + 16)) != NULL)
		sprintf(*out, "Authorization: %s", auth);
	free(auth);
	return *out ? OMTW_OK : OMTW_ENOMEM;
}

static size_t keys_len(const oauth1_keys *k)
{
	return strlen(k->consumer_key) + strlen(k->consumer_secret) + strlen(k->token) +
	       strlen(k->token_secret) + 4;
}

static int keys_match(const presigned *p, const oauth1_keys *k)
{
	const char *s = p->keys, *v[4] = { k->consumer_key, k->consumer_secret, k->token,
					    k->token_secret };

	if (k->token == NULL || k->token_secret == NULL || keys_len(k) != p->keyslen)
		return 0;
	for (int i = 0; i < 4; s += strlen(s) + 1, i++)
		if (strcmp(s, v[i]) != 0)
			return 0;
	return 1;
}

/* The header signed ahead for this path and these keys, if still fresh;
 * it is handed over (*header) and never used again. */
static int presigned_take(xapi_client *c, const oauth1_keys *keys, const char *path,
			  char **header)
{
	presigned *p = &c->next;
	time_t now = time(NULL);
	int fresh = p->header && strcmp(p->path, path) == 0 && now >= p->made &&
		    now - p->made < c->presign_ttl && keys_match(p, keys);

	if (fresh) {
		*header = p->header;
		p->header = NULL;
	}
	presigned_clear(p);
	return fresh;
}

/* Sign the next request to url (path) ahead; nothing when that fails. */
static void presign(xapi_client *c, const oauth1_keys *keys, const char *url, const char *path)
{
	presigned *p = &c->next;
	char *o;

	presigned_clear(p);
	if (c->presign_ttl <= 0 || keys->token == NULL || keys->token_secret == NULL)
		return;
	p->keyslen = keys_len(keys);
	if ((p->keys = o = malloc(p->keyslen)) == NULL || (p->path = strdup(path)) == NULL) {
		presigned_clear(p);
		return;
	}
	o = stpcpy(o, keys->consumer_key) + 1;
	o = stpcpy(o, keys->consumer_secret) + 1;
	o = stpcpy(o, keys->token) + 1;
	stpcpy(o, keys->token_secret);
	p->made = time(NULL);
	if (sign_header(keys, "POST", url, NULL, &p->header) != OMTW_OK)
		presigned_clear(p);
}

/* Sign and perform one request.  A JSON body is never signed (X's rule);
 * extra holds protocol parameters such as oauth_callback/oauth_verifier.
 * POST without a body sends an empty one.  The response body stays in c. */
/* A request body handed to libcurl through a read callback that cannot be
 * rewound once read: when a kept-alive connection dies after a request was
 * sent, libcurl would send it again on a new connection, the same
 * signature and all (a nonce used twice: X answers 401), and an alert that
 * had arrived would be answered "duplicate content".  Unable to rewind, it
 * reports the failure instead; the caller's retry is signed afresh and
 * knows that the first try may have arrived.  (A rewind before anything
 * was read is allowed: libcurl 8.14 asks for one at the start of the
 * transfer after such a failure.) */
typedef struct upload {
	const char *p;
	size_t left, len;
} upload;

static size_t read_body(char *buf, size_t size, size_t n, void *arg)
{
	upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

static int seek_body(void *arg, curl_off_t offset, int origin)
{
	const upload *u = arg;

	return offset == 0 && origin == SEEK_SET && u->left == u->len ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

static omtw_err perform(xapi_client *c, const oauth1_keys *keys, const char *method,
			const char *path, const oauth1_params *extra, const char *json,
			xapi_result *res)
{
	struct curl_slist *hdrs = NULL, *tmp;
	char *url = NULL, *authhdr = NULL;
	upload up = { json ? json : "", json ? strlen(json) : 0, json ? strlen(json) : 0 };
	size_t ulen = strlen(c->endpoint) + strlen(path) + 1;
	int post = strcmp(method, "POST") == 0;
	int ahead = post && json && extra == NULL; /* its header can be signed ahead */
	omtw_err e = OMTW_ENOMEM;
	CURLcode rc;

	memset(res, 0, sizeof(*res));
	res->window.limit = res->window.remaining = res->window.reset = -1;
	res->user24 = res->app24 = res->window;
	c->len = 0;
	c->body[0] = '\0';
	c->curlerr[0] = '\0';
	if ((url = malloc(ulen)) == NULL)
		goto done;
	snprintf(url, ulen, "%s%s", c->endpoint, path);
	if (ahead && presigned_take(c, keys, path, &authhdr)) {
		res->presigned = 1;
	} else if ((e = sign_header(keys, method, url, extra, &authhdr)) != OMTW_OK) {
		goto done;
	}
	e = OMTW_ENOMEM;
#define ADD_HDR(s) do { if ((tmp = curl_slist_append(hdrs, (s))) == NULL) goto done; hdrs = tmp; } while (0)
	ADD_HDR(authhdr);
	ADD_HDR("Accept: application/json");
	ADD_HDR("Expect:");
	if (json)
		ADD_HDR("Content-Type: application/json");
#undef ADD_HDR
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
	if (post) {
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, read_body);
		curl_easy_setopt(c->curl, CURLOPT_READDATA, &up);
		curl_easy_setopt(c->curl, CURLOPT_SEEKFUNCTION, seek_body);
		curl_easy_setopt(c->curl, CURLOPT_SEEKDATA, &up);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)up.left);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	/* without a body to refuse the rewind, libcurl would resend a request
	 * lost on a dead kept-alive connection with the same nonce (X: 401):
	 * such a request (a rare one) gets a connection of its own */
	curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, json ? 0L : 1L);
	rc = stopping(c) ? CURLE_ABORTED_BY_CALLBACK : curl_easy_perform(c->curl);
	res->curl_code = (int)rc;
	if (rc != CURLE_OK) {
		transport_error(c, rc, res);
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &res->status);
		xapi_classify(res->status, c->body, c->len, res);
		read_limit(c->curl, "x-rate-limit", &res->window);
		read_limit(c->curl, "x-user-limit-24hour", &res->user24);
		read_limit(c->curl, "x-app-limit-24hour", &res->app24);
	}
	e = OMTW_OK;
	if (ahead && !stopping(c)) /* after the answer: off the next alert's path */
		presign(c, keys, url, path);
done:
	/* the handle must not keep pointers to what is freed below */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_READDATA, NULL);
	curl_easy_setopt(c->curl, CURLOPT_SEEKDATA, NULL);
	curl_slist_free_all(hdrs);
	free(authhdr);
	free(url);
	return e;
}

static oauth1_keys user_keys(const omtw_creds *cr)
{
	return (oauth1_keys){ cr->consumer_key, cr->consumer_secret,
			      cr->access_token, cr->access_token_secret };
}

omtw_err xapi_post_tweet(xapi_client *c, const omtw_creds *cr, const char *text,
			 const char *reply_to, xapi_result *res)
{
	struct fjson_object *o = fjson_object_new_object(), *s, *r = NULL, *id;
	omtw_err e = OMTW_ENOMEM;

	if (o == NULL || (s = fjson_object_new_string(text)) == NULL)
		goto done;
	fjson_object_object_add(o, "text", s);
	if (reply_to) {
		if ((r = fjson_object_new_object()) == NULL ||
		    (id = fjson_object_new_string(reply_to)) == NULL)
			goto done;
		fjson_object_object_add(r, "in_reply_to_tweet_id", id);
		fjson_object_object_add(o, "reply", r);
		r = NULL;
	}
	const char *json = fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN);
	if (json == NULL)
		goto done;
	oauth1_keys keys = user_keys(cr);
	e = perform(c, &keys, "POST", "/2/tweets", NULL, json, res);
done:
	if (r)
		fjson_object_put(r);
	if (o)
		fjson_object_put(o);
	return e;
}

int xapi_is_user_id(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 19 && strspn(s, "0123456789") == n;
}

omtw_err xapi_send_dm(xapi_client *c, const omtw_creds *cr, const char *recipient,
		      const char *text, xapi_result *res)
{
	struct fjson_object *o = fjson_object_new_object(), *s;
	char path[96];
	omtw_err e = OMTW_ENOMEM;

	if (!xapi_is_user_id(recipient)) {
		e = OMTW_EINVAL;
		goto done;
	}
	snprintf(path, sizeof(path), "/2/dm_conversations/with/%s/messages", recipient);
	if (o == NULL || (s = fjson_object_new_string(text)) == NULL)
		goto done;
	fjson_object_object_add(o, "text", s);
	const char *json = fjson_object_to_json_string_ext(o, FJSON_TO_STRING_PLAIN);
	if (json == NULL)
		goto done;
	oauth1_keys keys = user_keys(cr);
	e = perform(c, &keys, "POST", path, NULL, json, res);
done:
	if (o)
		fjson_object_put(o);
	return e;
}

/* Find name in a form-urlencoded response; a new string or NULL. */
static char *form_value(const char *body, size_t len, const char *name)
{
	oauth1_params p;
	char *v = NULL;

	oauth1_params_init(&p);
	if (oauth1_params_add_form(&p, body, len) == OMTW_OK)
		for (size_t i = 0; i < p.n && v == NULL; i++)
			if (strcmp(p.v[i].name, name) == 0)
				v = strdup(p.v[i].value);
	oauth1_params_free(&p);
	return v;
}

static void bad_response(xapi_result *res, const char *what)
{
	res->outcome = XAPI_PERMANENT;
	snprintf(res->error, sizeof(res->error), "HTTP %ld but %s", res->status, what);
}

/* Form-encoded token responses count as success only with HTTP 200. */
static int token_ok(xapi_result *res)
{
	if (res->outcome == XAPI_DELIVERED && res->status != 200)
		bad_response(res, "not the 200 a token endpoint answers with");
	return res->outcome == XAPI_DELIVERED;
}

omtw_err xapi_request_token(xapi_client *c, const char *consumer_key,
			    const char *consumer_secret, char **token, char **secret,
			    xapi_result *res)
{
	oauth1_keys keys = { consumer_key, consumer_secret, NULL, NULL };
	oauth1_params extra;
	char *confirmed = NULL;
	omtw_err e;

	*token = *secret = NULL;
	oauth1_params_init(&extra);
	if ((e = oauth1_params_add(&extra, "oauth_callback", "oob")) != OMTW_OK ||
	    (e = perform(c, &keys, "POST", "/oauth/request_token", &extra, NULL, res)) != OMTW_OK ||
	    !token_ok(res))
		goto done;
	*token = form_value(c->body, c->len, "oauth_token");
	*secret = form_value(c->body, c->len, "oauth_token_secret");
	confirmed = form_value(c->body, c->len, "oauth_callback_confirmed");
	if (*token == NULL || *secret == NULL || **token == '\0')
		bad_response(res, "the response lacks oauth_token/oauth_token_secret");
	else if (confirmed == NULL || strcmp(confirmed, "true") != 0)
		bad_response(res, "the server did not confirm the out-of-band callback "
			     "(oauth_callback_confirmed is not true)");
done:
	if (res->outcome != XAPI_DELIVERED) {
		free(*token);
		free(*secret);
		*token = *secret = NULL;
	}
	free(confirmed);
	oauth1_params_free(&extra);
	return e;
}

omtw_err xapi_access_token(xapi_client *c, const char *consumer_key,
			   const char *consumer_secret, const char *request_token,
			   const char *request_secret, const char *pin,
			   omtw_creds *out, xapi_result *res)
{
	oauth1_keys keys = { consumer_key, consumer_secret, request_token, request_secret };
	oauth1_params extra;
	omtw_err e;

	memset(out, 0, sizeof(*out));
	oauth1_params_init(&extra);
	if ((e = oauth1_params_add(&extra, "oauth_verifier", pin)) != OMTW_OK ||
	    (e = perform(c, &keys, "POST", "/oauth/access_token", &extra, NULL, res)) != OMTW_OK ||
	    !token_ok(res))
		goto done;
	out->access_token = form_value(c->body, c->len, "oauth_token");
	out->access_token_secret = form_value(c->body, c->len, "oauth_token_secret");
	out->user_id = form_value(c->body, c->len, "user_id");
	out->screen_name = form_value(c->body, c->len, "screen_name");
	out->consumer_key = strdup(consumer_key);
	out->consumer_secret = strdup(consumer_secret);
	if (!out->access_token || !out->access_token_secret || !*out->access_token ||
	    !out->consumer_key || !out->consumer_secret)
		bad_response(res, "the response lacks oauth_token/oauth_token_secret");
done:
	if (res->outcome != XAPI_DELIVERED)
		credfile_clear(out);
	oauth1_params_free(&extra);
	return e;
}

/* A user object answer ({"data":{"id","username",...}}), or X's "not found"
 * shape (HTTP 200 with only "errors"). */
static omtw_err get_user(xapi_client *c, const omtw_creds *cr, const char *path,
			 char *username, size_t ulen, xapi_result *res)
{
	oauth1_keys keys = user_keys(cr);
	struct fjson_object *root, *data, *errs;
	const char *name = NULL;
	omtw_err e;

	username[0] = '\0';
	if ((e = perform(c, &keys, "GET", path, NULL, NULL, res)) != OMTW_OK ||
	    res->outcome != XAPI_DELIVERED)
		return e;
	root = fjson_tokener_parse(c->body);
	if (root && fjson_object_object_get_ex(root, "data", &data))
		name = jstr(data, "username");
	if (name && res->id[0] && strlen(name) < ulen && strspn(name,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name)) {
		strcpy(username, name);
	} else if (root && fjson_object_object_get_ex(root, "errors", &errs) &&
		   fjson_object_is_type(errs, fjson_type_array) && fjson_object_array_length(errs) > 0) {
		const char *d = jstr(fjson_object_array_get_idx(errs, 0), "detail");
		res->outcome = XAPI_PERMANENT;
		res->id[0] = '\0';
		snprintf(res->error, sizeof(res->error), "%s", d ? d : "no such user");
	} else {
		bad_response(res, "the response lacks data.id/data.username");
	}
	if (root)
		fjson_object_put(root);
	return OMTW_OK;
}

omtw_err xapi_users_me(xapi_client *c, const omtw_creds *cr, char *username,
		       size_t ulen, xapi_result *res)
{
	return get_user(c, cr, "/2/users/me", username, ulen, res);
}

int xapi_valid_handle(const char *handle)
{
	size_t n = strlen(handle);

	return n >= 1 && n <= 15 &&
	       strspn(handle, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

omtw_err xapi_user_by_name(xapi_client *c, const omtw_creds *cr, const char *handle,
			   char *username, size_t ulen, xapi_result *res)
{
	char path[64];

	if (!xapi_valid_handle(handle))
		return OMTW_EINVAL;
	snprintf(path, sizeof(path), "/2/users/by/username/%s", handle);
	return get_user(c, cr, path, username, ulen, res);
}

char *xapi_authorize_url(const xapi_client *c, const char *request_token)
{
	char *enc = oauth1_encode(request_token, strlen(request_token)), *url = NULL;
	size_t len;

	if (enc == NULL)
		return NULL;
	len = strlen(c->endpoint) + strlen(enc) + 32;
	if ((url = malloc(len)) != NULL)
		snprintf(url, len, "%s/oauth/authorize?oauth_token=%s", c->endpoint, enc);
	free(enc);
	return url;
}
