/* xapi.h - X API v2 client over libcurl.
 *
 * One xapi_client per rsyslog worker: it owns a curl easy handle whose
 * connection (and TLS session) is kept alive between calls.  TLS peer and
 * host verification are always on; plain http is accepted only for
 * loopback endpoints.  Nothing here logs; results carry a message that
 * never contains a secret.
 */
#ifndef XAPI_H
#define XAPI_H

#include <stddef.h>

#include "credfile.h"
#include "omtw_err.h"

#define XAPI_DEFAULT_ENDPOINT "https://api.x.com"
#define XAPI_MAX_RESPONSE (256 * 1024) /* larger bodies are cut, not parsed */
#define XAPI_PRESIGN_TTL 30 /* s: a post's header signed ahead is used this long */

/* What a response means for delivery (design section 6). */
typedef enum xapi_outcome {
	XAPI_DELIVERED,    /* 2xx */
	XAPI_DUPLICATE,    /* 403 duplicate content: an earlier try arrived */
	XAPI_RATELIMITED,  /* 429: wait for the reset time */
	XAPI_UNAUTHORIZED, /* 401: bad keys or clock skew, fixable */
	XAPI_NO_CREDITS,   /* 402: pay-per-use account out of credits */
	XAPI_ACCOUNT,      /* 403/404 about the app, account, endpoint or recipient,
			    * not this alert: fixable, res->fix says how */
	XAPI_TRANSIENT,    /* transport/TLS failure, timeout, 5xx, 408, 1xx/3xx */
	XAPI_PERMANENT     /* any other 4xx: this alert will never be accepted */
} xapi_outcome;

const char *xapi_outcome_name(xapi_outcome o);

/* One rate-limit header family; -1 where the header was absent. */
typedef struct xapi_limit {
	long long limit, remaining, reset;
} xapi_limit;

typedef struct xapi_result {
	xapi_outcome outcome;
	long status;        /* HTTP status; 0 when no response arrived */
	int curl_code;      /* CURLcode of the transfer */
	char id[32];        /* id of the created post / DM event, "" if none */
	char error[512];    /* X's title and detail, or the transport error */
	xapi_limit window;  /* x-rate-limit-* (per endpoint, 15 min) */
	xapi_limit user24;  /* x-user-limit-24hour-* */
	xapi_limit app24;   /* x-app-limit-24hour-* */
	int presigned;      /* its Authorization was signed after the previous post */
	const char *fix;    /* XAPI_ACCOUNT: what the operator must do (static text) */
} xapi_result;

typedef struct xapi_config {
	const char *endpoint;  /* base URL, NULL for XAPI_DEFAULT_ENDPOINT */
	const char *cacert;    /* CA bundle file, NULL for the system store */
	const char *capath;    /* CA directory, NULL for the system store */
	const char *proxy;     /* proxy URL, or NULL: none (the environment's is ignored) */
	long timeout_ms;       /* per request */
	const char *user_agent;
	long presign_ttl;      /* seconds a post's header may be signed ahead; 0: never */
} xapi_config;

typedef struct xapi_client xapi_client;

/* OMTW_EINVAL with a message when url is not an acceptable endpoint. */
omtw_err xapi_check_endpoint(const char *url, char *err, size_t errlen);

/* OMTW_EINVAL with a message when url is not a proxy libcurl can use
 * (http, https, socks4, socks4a, socks5, socks5h with a host).  The
 * message never repeats the URL: it may hold the proxy's password. */
omtw_err xapi_check_proxy(const char *url, char *err, size_t errlen);

omtw_err xapi_client_new(const xapi_config *cfg, xapi_client **out,
			 char *err, size_t errlen);
void xapi_client_free(xapi_client *c);

/* While *flag is nonzero (NULL: never), no request is started and one in
 * progress is given up within about a second: the call ends XAPI_TRANSIENT
 * ("stopped"), so the alert is retried later, not lost.  rsyslog's "shut
 * down immediately" flag, so that a slow answer does not hold up a stop.
 * Read atomically; it may be set by another thread. */
void xapi_client_set_stop(xapi_client *c, const int *flag);

/* POST /2/tweets {"text": text[, "reply": {"in_reply_to_tweet_id": reply_to}]}.
 * Returns OMTW_OK whenever a result was produced (see res->outcome). */
omtw_err xapi_post_tweet(xapi_client *c, const omtw_creds *cr, const char *text,
			 const char *reply_to, xapi_result *res);

/* Is s an X user id (1 to 19 digits)? */
int xapi_is_user_id(const char *s);

/* POST /2/dm_conversations/with/{recipient}/messages {"text": text};
 * recipient is a numeric user id (OMTW_EINVAL otherwise). */
omtw_err xapi_send_dm(xapi_client *c, const omtw_creds *cr, const char *recipient,
		      const char *text, xapi_result *res);

/* The PIN flow (RFC 5849 section 2 with oauth_callback=oob).  Success is
 * res->outcome == XAPI_DELIVERED; otherwise res->error says why. */
omtw_err xapi_request_token(xapi_client *c, const char *consumer_key,
			    const char *consumer_secret, char **token, char **secret,
			    xapi_result *res);
/* The URL the user opens to authorize the request token (malloc'd). */
char *xapi_authorize_url(const xapi_client *c, const char *request_token);
/* Exchange the PIN; fills every field of *out. */
omtw_err xapi_access_token(xapi_client *c, const char *consumer_key,
			   const char *consumer_secret, const char *request_token,
			   const char *request_secret, const char *pin,
			   omtw_creds *out, xapi_result *res);

/* GET /2/users/me: res->id is the user id, username the handle. */
omtw_err xapi_users_me(xapi_client *c, const omtw_creds *cr, char *username,
		       size_t ulen, xapi_result *res);
/* GET /2/users/by/username/HANDLE (HANDLE without "@"): the same for another
 * account, e.g. a DM recipient; OMTW_EINVAL when HANDLE is not a valid
 * handle (1-15 of A-Z a-z 0-9 _), XAPI_PERMANENT when there is no such user. */
int xapi_valid_handle(const char *handle);
omtw_err xapi_user_by_name(xapi_client *c, const omtw_creds *cr, const char *handle,
			   char *username, size_t ulen, xapi_result *res);

/* A rate-limit header's value: a non-negative decimal number (white space
 * around it allowed); -1 when malformed or out of range -- a header that
 * makes no sense must not steer the budgets. */
long long xapi_header_number(const char *value);

/* Classification of a finished HTTP exchange; fills res->outcome, res->id
 * and res->error from status and body (either X error shape). */
void xapi_classify(long status, const char *body, size_t len, xapi_result *res);

#endif
