/* oauth1.c - OAuth 1.0a request signing (RFC 5849 section 3, HMAC-SHA1). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libestr.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "oauth1.h"

void oauth1_params_init(oauth1_params *p)
{
	memset(p, 0, sizeof(*p));
}

void oauth1_params_free(oauth1_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	oauth1_params_init(p);
}

static omtw_err params_push(oauth1_params *p, char *name, char *value)
{
	if (name == NULL || value == NULL)
		goto oom;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		oauth1_param *v = realloc(p->v, cap * sizeof(*v));
		if (v == NULL)
			goto oom;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].name = name;
	p->v[p->n].value = value;
	p->n++;
	return OMTW_OK;
oom:
	free(name);
	free(value);
	return OMTW_ENOMEM;
}

omtw_err oauth1_params_add(oauth1_params *p, const char *name, const char *value)
{
	return params_push(p, strdup(name), strdup(value));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode one form-urlencoded component into a new C string. */
static omtw_err form_decode(const char *s, size_t len, char **out)
{
	char *d = malloc(len + 1);
	size_t o = 0;

	if (d == NULL)
		return OMTW_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(d);
				return OMTW_EINVAL;
			}
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	*out = d;
	return OMTW_OK;
}

omtw_err oauth1_params_add_form(oauth1_params *p, const char *form, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;
		char *name, *value;
		omtw_err e;

		while (end < len && form[end] != '&')
			end++;
		if (end > i) { /* empty pairs ("a&&b") carry nothing */
			for (eq = i; eq < end && form[eq] != '='; eq++)
				;
			if ((e = form_decode(form + i, eq - i, &name)) != OMTW_OK)
				return e;
			e = eq < end ? form_decode(form + eq + 1, end - eq - 1, &value)
				     : form_decode("", 0, &value);
			if (e != OMTW_OK) {
				free(name);
				return e;
			}
			if ((e = params_push(p, name, value)) != OMTW_OK)
				return e;
		}
		i = end + 1;
	}
	return OMTW_OK;
}

/* Percent-encode len bytes of s into o (room for 3 * len); returns the end. */
static char *encode_into(char *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	/* RFC 3986 unreserved: ALPHA DIGIT - . _ ~ (one bit per ASCII byte) */
	static const unsigned long long unreserved[2] = { 0x03FF600000000000ULL, 0x47FFFFFE87FFFFFEULL };

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 128 && (unreserved[c >> 6] >> (c & 63) & 1)) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	return o;
}

char *oauth1_encode(const char *s, size_t len)
{
	char *out = malloc(3 * len + 1);

	if (out != NULL)
		*encode_into(out, s, len) = '\0';
	return out;
}

static char *encode_str(const char *s)
{
	return oauth1_encode(s, strlen(s));
}

/* Split a URL with libcurl's parser: base URI parts and the raw query. */
static omtw_err split_url(const char *url, char **base, char **query)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	es_str_t *s = NULL;
	omtw_err e = OMTW_EINVAL;

	*base = NULL;
	if (query)
		*query = NULL;
	if (u == NULL)
		return OMTW_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto done;
	/* only an explicit port is returned; drop it when it is the default */
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    ((strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0) ||
	     (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0))) {
		curl_free(port);
		port = NULL;
	}
	if (query && curl_url_get(u, CURLUPART_QUERY, query, 0) != CURLUE_OK)
		*query = NULL;
	for (char *c = scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	e = OMTW_ENOMEM;
	if ((s = es_newStr(128)) == NULL ||
	    es_addBuf(&s, scheme, strlen(scheme)) || es_addBuf(&s, "://", 3) ||
	    es_addBuf(&s, host, strlen(host)) ||
	    (port && (es_addChar(&s, ':') || es_addBuf(&s, port, strlen(port)))) ||
	    es_addBuf(&s, path, strlen(path)) ||
	    (*base = es_str2cstr(s, NULL)) == NULL)
		goto done;
	e = OMTW_OK;
done:
	if (e != OMTW_OK && query && *query) {
		curl_free(*query);
		*query = NULL;
	}
	if (s)
		es_deleteStr(s);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return e;
}

omtw_err oauth1_base_uri(const char *url, char **out)
{
	return split_url(url, out, NULL);
}

static int cmp_pair(const void *a, const void *b)
{
	const oauth1_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* The normalised parameter string of params plus an already split query. */
static omtw_err normalize(const char *query, const oauth1_params *params, char **out)
{
	oauth1_params all, enc;
	es_str_t *s = NULL;
	omtw_err e = OMTW_OK;

	oauth1_params_init(&all);
	oauth1_params_init(&enc);
	*out = NULL;
	if (query && (e = oauth1_params_add_form(&all, query, strlen(query))) != OMTW_OK)
		goto done;
	/* sort by encoded name, then encoded value, in byte order (3.4.1.3.2) */
	for (size_t i = 0; i < all.n; i++)
		if ((e = params_push(&enc, encode_str(all.v[i].name), encode_str(all.v[i].value))))
			goto done;
	for (size_t i = 0; params && i < params->n; i++)
		if ((e = params_push(&enc, encode_str(params->v[i].name), encode_str(params->v[i].value))))
			goto done;
	if (enc.n > 1) /* qsort on a NULL array is undefined even for 0 */
		qsort(enc.v, enc.n, sizeof(*enc.v), cmp_pair);
	e = OMTW_ENOMEM;
	if ((s = es_newStr(256)) == NULL)
		goto done;
	for (size_t i = 0; i < enc.n; i++) {
		if ((i && es_addChar(&s, '&')) ||
		    es_addBuf(&s, enc.v[i].name, strlen(enc.v[i].name)) ||
		    es_addChar(&s, '=') ||
		    es_addBuf(&s, enc.v[i].value, strlen(enc.v[i].value)))
			goto done;
	}
	if ((*out = es_str2cstr(s, NULL)) == NULL)
		goto done;
	e = OMTW_OK;
done:
	if (s)
		es_deleteStr(s);
	oauth1_params_free(&all);
	oauth1_params_free(&enc);
	return e;
}

omtw_err oauth1_normalized_params(const char *url, const oauth1_params *params,
				  char **out)
{
	char *base = NULL, *query = NULL;
	omtw_err e;

	*out = NULL;
	if ((e = split_url(url, &base, &query)) == OMTW_OK)
		e = normalize(query, params, out);
	free(base);
	curl_free(query);
	return e;
}

omtw_err oauth1_base_string(const char *method, const char *url,
			    const oauth1_params *params, char **out)
{
	char *base = NULL, *query = NULL, *norm = NULL, *ebase = NULL, *enorm = NULL;
	omtw_err e;

	*out = NULL;
	/* the URL is parsed once: base string URI and query from the same split */
	if ((e = split_url(url, &base, &query)) != OMTW_OK ||
	    (e = normalize(query, params, &norm)) != OMTW_OK)
		goto done;
	e = OMTW_ENOMEM;
	if ((ebase = encode_str(base)) == NULL || (enorm = encode_str(norm)) == NULL)
		goto done;
	size_t len = strlen(method) + strlen(ebase) + strlen(enorm) + 3;
	if ((*out = malloc(len)) == NULL)
		goto done;
	snprintf(*out, len, "%s&%s&%s", method, ebase, enorm);
	for (char *c = *out; *c != '&'; c++) /* the method is upper case */
		*c = (char)toupper((unsigned char)*c);
	e = OMTW_OK;
done:
	free(base);
	curl_free(query);
	free(norm);
	free(ebase);
	free(enorm);
	return e;
}

omtw_err oauth1_signature(const char *base, const char *consumer_secret,
			  const char *token_secret, char out[OAUTH1_SIGNATURE_LEN + 1])
{
	char *ec = encode_str(consumer_secret);
	char *et = encode_str(token_secret ? token_secret : "");
	char *key = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t klen = 0;
	omtw_err e = OMTW_ENOMEM;

	if (ec == NULL || et == NULL)
		goto done;
	klen = strlen(ec) + 1 + strlen(et);
	if ((key = malloc(klen + 1)) == NULL)
		goto done;
	snprintf(key, klen + 1, "%s&%s", ec, et);
	e = OMTW_ECRYPTO;
	if (HMAC(EVP_sha1(), key, (int)klen, (const unsigned char *)base, strlen(base),
		 md, &mdlen) == NULL || mdlen != 20)
		goto done;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	e = OMTW_OK;
done:
	/* the key is the secret itself: wipe every copy */
	if (ec)
		OPENSSL_cleanse(ec, strlen(ec));
	if (et)
		OPENSSL_cleanse(et, strlen(et));
	if (key)
		OPENSSL_cleanse(key, klen);
	OPENSSL_cleanse(md, sizeof(md));
	free(ec);
	free(et);
	free(key);
	return e;
}

omtw_err oauth1_nonce(char out[OAUTH1_NONCE_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[OAUTH1_NONCE_LEN / 2];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return OMTW_ECRYPTO;
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[OAUTH1_NONCE_LEN] = '\0';
	return OMTW_OK;
}

/* Append k="enc(v)" to the header, with the ", " separator after the first
 * (encoded on the stack: no allocation for the usual short fields). */
static int header_add(es_str_t **h, int *first, const char *k, const char *v)
{
	size_t kl = strlen(k), vl = strlen(v), need = 3 * (kl + vl) + 5;
	char stackbuf[512], *buf = need <= sizeof(stackbuf) ? stackbuf : malloc(need), *o;
	int r;

	if (buf == NULL)
		return 1;
	o = buf;
	if (!*first) {
		*o++ = ',';
		*o++ = ' ';
	}
	o = encode_into(o, k, kl);
	*o++ = '=';
	*o++ = '"';
	o = encode_into(o, v, vl);
	*o++ = '"';
	r = es_addBuf(h, buf, (es_size_t)(o - buf));
	*first = 0;
	if (buf != stackbuf)
		free(buf);
	return r;
}

omtw_err oauth1_authorization(const oauth1_keys *keys, const oauth1_request *req,
			      char **header_out)
{
	oauth1_params sig;     /* everything signed */
	oauth1_params proto;   /* the protocol parameters sent in the header */
	char nonce[OAUTH1_NONCE_LEN + 1], ts[24], signature[OAUTH1_SIGNATURE_LEN + 1];
	char *base = NULL;
	es_str_t *h = NULL;
	int first = 1;
	omtw_err e;

	*header_out = NULL;
	oauth1_params_init(&sig);
	oauth1_params_init(&proto);
	if (req->nonce == NULL && (e = oauth1_nonce(nonce)) != OMTW_OK)
		goto done;
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	if ((e = oauth1_params_add(&proto, "oauth_consumer_key", keys->consumer_key)) ||
	    (e = oauth1_params_add(&proto, "oauth_nonce", req->nonce ? req->nonce : nonce)) ||
	    (e = oauth1_params_add(&proto, "oauth_signature_method", "HMAC-SHA1")) ||
	    (e = oauth1_params_add(&proto, "oauth_timestamp", req->timestamp ? req->timestamp : ts)) ||
	    (keys->token && (e = oauth1_params_add(&proto, "oauth_token", keys->token))) ||
	    (req->with_version && (e = oauth1_params_add(&proto, "oauth_version", "1.0"))))
		goto done;
	for (size_t i = 0; req->extra && i < req->extra->n; i++)
		if ((e = oauth1_params_add(&proto, req->extra->v[i].name, req->extra->v[i].value)))
			goto done;
	/* a form body is signed too; otherwise what is signed is what is sent */
	for (size_t i = 0; req->form_body && i < proto.n; i++)
		if ((e = oauth1_params_add(&sig, proto.v[i].name, proto.v[i].value)))
			goto done;
	if (req->form_body &&
	    (e = oauth1_params_add_form(&sig, req->form_body, strlen(req->form_body))))
		goto done;
	if ((e = oauth1_base_string(req->method, req->url, req->form_body ? &sig : &proto, &base)) ||
	    (e = oauth1_signature(base, keys->consumer_secret, keys->token_secret, signature)) ||
	    (e = oauth1_params_add(&proto, "oauth_signature", signature)))
		goto done;
	qsort(proto.v, proto.n, sizeof(*proto.v), cmp_pair);
	e = OMTW_ENOMEM;
	if ((h = es_newStr(512)) == NULL || es_addBuf(&h, "OAuth ", 6))
		goto done;
	if (req->realm && header_add(&h, &first, "realm", req->realm))
		goto done;
	for (size_t i = 0; i < proto.n; i++)
		if (header_add(&h, &first, proto.v[i].name, proto.v[i].value))
			goto done;
	if ((*header_out = es_str2cstr(h, NULL)) == NULL)
		goto done;
	e = OMTW_OK;
done:
	if (h)
		es_deleteStr(h);
	free(base);
	oauth1_params_free(&sig);
	oauth1_params_free(&proto);
	return e;
}
