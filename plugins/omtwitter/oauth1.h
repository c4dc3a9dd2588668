/* oauth1.h - OAuth 1.0a request signing (RFC 5849, HMAC-SHA1).
 *
 * Builds the signature base string from the request URL's query, the
 * protocol parameters and (only) a form-urlencoded body; JSON bodies are
 * never signed.  Thread-safe: no global state.
 */
#ifndef OAUTH1_H
#define OAUTH1_H

#include <stdbool.h>
#include <stddef.h>

#include "omtw_err.h"

#define OAUTH1_NONCE_LEN 32     /* hex characters: 128 random bits */
#define OAUTH1_SIGNATURE_LEN 28 /* base64 of a 20-byte HMAC-SHA1 */

/* A parameter list of decoded (raw) names and values. */
typedef struct oauth1_param {
	char *name;
	char *value;
} oauth1_param;

typedef struct oauth1_params {
	oauth1_param *v;
	size_t n, cap;
} oauth1_params;

void oauth1_params_init(oauth1_params *p);
void oauth1_params_free(oauth1_params *p);
omtw_err oauth1_params_add(oauth1_params *p, const char *name, const char *value);
/* Add the pairs of an application/x-www-form-urlencoded string ('+' is a
 * space, %XX decoded; "a" without '=' is a with an empty value). */
omtw_err oauth1_params_add_form(oauth1_params *p, const char *form, size_t len);

/* RFC 3986 percent-encoding of len bytes: unreserved characters kept,
 * every other byte as %XX uppercase.  Returns NULL when out of memory. */
char *oauth1_encode(const char *s, size_t len);

/* Base string URI (RFC 5849 3.4.1.2): scheme and host lower case, default
 * port dropped, no query or fragment. */
omtw_err oauth1_base_uri(const char *url, char **out);

/* Normalised parameter string (3.4.1.3.2) of params plus the URL's query. */
omtw_err oauth1_normalized_params(const char *url, const oauth1_params *params,
				  char **out);

/* METHOD&enc(base URI)&enc(normalised parameters) */
omtw_err oauth1_base_string(const char *method, const char *url,
			    const oauth1_params *params, char **out);

/* base64(HMAC-SHA1(enc(consumer_secret)&enc(token_secret), base)). */
omtw_err oauth1_signature(const char *base, const char *consumer_secret,
			  const char *token_secret,
			  char out[OAUTH1_SIGNATURE_LEN + 1]);

/* A fresh nonce from OpenSSL's CSPRNG. */
omtw_err oauth1_nonce(char out[OAUTH1_NONCE_LEN + 1]);

typedef struct oauth1_keys {
	const char *consumer_key;
	const char *consumer_secret;
	const char *token;        /* NULL for the request-token step */
	const char *token_secret; /* NULL: empty */
} oauth1_keys;

typedef struct oauth1_request {
	const char *method;    /* "POST" */
	const char *url;       /* full URL, query included */
	const char *form_body; /* form-urlencoded body to sign, or NULL */
	const oauth1_params *extra; /* oauth_callback, oauth_verifier, or NULL */
	const char *realm;     /* sent, never signed; NULL for none */
	const char *nonce;     /* NULL: fresh random nonce */
	const char *timestamp; /* NULL: now */
	bool with_version;     /* send oauth_version="1.0" */
} oauth1_request;

/* The complete "OAuth k="v", ..." value of an Authorization header. */
omtw_err oauth1_authorization(const oauth1_keys *keys, const oauth1_request *req,
			      char **header_out);

#endif
