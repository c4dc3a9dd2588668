/* fuzz_oauth1.c - percent-encoding, form parsing, base string URIs, the
 * signature base string and the signature, from arbitrary bytes, each
 * judged by a deliberately simple reference written here (never by the
 * module's own code):
 *
 * - oauth1_encode is exactly RFC 3986 section 2: decoding its output here
 *   gives the input back, every unreserved byte (ALPHA DIGIT - . _ ~) is
 *   itself and every other byte is %XX with upper-case hex (so "%7E" for
 *   '~', or a bare '/', fails);
 * - oauth1_params_add_form gives the pairs of the input split at '&'
 *   (empty pieces skipped), at the first '=', '+' a space and %XX (either
 *   case) decoded; a '%' without two hex digits refuses the input, keeping
 *   the pairs before it;
 * - oauth1_normalized_params of a fixed URL (unsorted query, upper-case
 *   scheme and host, default port) and those pairs is every pair encoded
 *   here, sorted by encoded name then value in byte order (RFC 5849
 *   3.4.1.3.2), joined as name=value with '&';
 * - oauth1_base_string is "POST&" enc(base URI) "&" enc(that string),
 *   the base URI "https://api.x.com/1.1/x.json";
 * - for the input as a URL: a base URI, when there is one, has a lower
 *   case scheme and host, no query, fragment or default port, and the base
 *   string is the method, it and the normalised parameters, as above;
 * - oauth1_signature is base64(HMAC-SHA1(enc(cs) "&" enc(ts), base)),
 *   computed here with OpenSSL, for secrets cut from the input.
 * A broken invariant prints what it is and aborts (libFuzzer keeps the
 * input; the replay test fails it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "oauth1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_URL "HTTPS://Api.X.COM:443/1.1/x.json?z=1&b=%7e+x&a=&b=%2F"
#define FIXED_BASE "https://api.x.com/1.1/x.json"
#define FIXED_QUERY "z=1&b=%7e+x&a=&b=%2F"

static void fail(const char *what, const char *got, const char *want)
{
	fprintf(stderr, "fuzz_oauth1: invariant broken: %s\n", what);
	if (got)
		fprintf(stderr, "  got:  '%s'\n", got);
	if (want)
		fprintf(stderr, "  want: '%s'\n", want);
	abort();
}

#define CHECK(cond, what) do { if (!(cond)) fail(what, NULL, NULL); } while (0)

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

static int upper_hex(char c)
{
	return (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

static int any_hex(char c)
{
	return upper_hex(c) >= 0 ? upper_hex(c) : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* The reference encoder: a new C string. */
static char *ref_encode(const char *s, size_t len)
{
	char *o = malloc(3 * len + 1), *p = o;

	if (o == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = "0123456789ABCDEF"[c / 16];
			*p++ = "0123456789ABCDEF"[c % 16];
		}
	}
	*p = '\0';
	return o;
}

static char *ref_encode_str(const char *s)
{
	return ref_encode(s, strlen(s));
}

/* ENC, the module's encoding of the LEN bytes of IN, decodes to them
 * exactly, and each byte has its one RFC 3986 form. */
static void check_encoding(const char *enc, const char *in, size_t len)
{
	size_t o = 0;

	CHECK(enc != NULL, "oauth1_encode returned NULL");
	for (const char *c = enc; *c; c++) {
		unsigned char b;
		if (*c == '%') {
			int hi = upper_hex(c[1]), lo = hi < 0 ? -1 : upper_hex(c[2]);
			if (hi < 0 || lo < 0)
				fail("'%' is followed by two upper-case hex digits", enc, NULL);
			b = (unsigned char)(hi << 4 | lo);
			if (unreserved(b))
				fail("an unreserved byte is never percent-encoded", enc, NULL);
			c += 2;
		} else {
			b = (unsigned char)*c;
			if (!unreserved(b))
				fail("only unreserved bytes stand for themselves", enc, NULL);
		}
		if (o >= len || (unsigned char)in[o] != b)
			fail("the encoding decodes to its input", enc, NULL);
		o++;
	}
	if (o != len)
		fail("the encoding decodes to all of its input", enc, NULL);
}

/* Decode one form component (len bytes) into a new C string; NULL when a
 * '%' is not followed by two hex digits. */
static char *ref_form_decode(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	size_t o = 0;

	if (d == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || any_hex(s[i + 1]) < 0 || any_hex(s[i + 2]) < 0) {
				free(d);
				return NULL;
			}
			d[o++] = (char)(any_hex(s[i + 1]) * 16 + any_hex(s[i + 2]));
			i += 2;
		} else {
			d[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	d[o] = '\0';
	return d;
}

/* The pairs of a form string, appended to p by plain means; 0 when it
 * holds a bad escape (the pairs before it are kept). */
static int ref_form(oauth1_params *p, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (s + i)) : end - i;
			char *name = ref_form_decode(s + i, nlen);
			char *value = name == NULL ? NULL : eq ? ref_form_decode(eq + 1, end - i - nlen - 1) : strdup("");
			if (name == NULL || value == NULL) {
				free(name);
				free(value);
				return 0;
			}
			if (p->n == p->cap) {
				p->cap = p->cap ? 2 * p->cap : 8;
				if ((p->v = realloc(p->v, p->cap * sizeof(*p->v))) == NULL)
					abort();
			}
			p->v[p->n].name = name;
			p->v[p->n].value = value;
			p->n++;
		}
		i = end + 1;
	}
	return 1;
}

static void ref_free(oauth1_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int by_name_value(const void *a, const void *b)
{
	const oauth1_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* The normalised parameter string of the pairs of query (a form string)
 * and params, by the reference encoder and sort. */
static char *ref_normalized(const char *query, const oauth1_params *params)
{
	oauth1_params all = { 0 }, enc = { 0 };
	size_t len = 1;
	char *out, *o;

	if (!ref_form(&all, query, strlen(query)))
		abort(); /* the fixed query is well-formed */
	enc.n = enc.cap = all.n + params->n;
	if ((enc.v = calloc(enc.n + 1, sizeof(*enc.v))) == NULL)
		abort();
	for (size_t i = 0; i < enc.n; i++) {
		const oauth1_param *x = i < all.n ? &all.v[i] : &params->v[i - all.n];
		enc.v[i].name = ref_encode_str(x->name);
		enc.v[i].value = ref_encode_str(x->value);
		len += strlen(enc.v[i].name) + strlen(enc.v[i].value) + 2;
	}
	qsort(enc.v, enc.n, sizeof(*enc.v), by_name_value);
	if ((out = o = malloc(len)) == NULL)
		abort();
	*o = '\0';
	for (size_t i = 0; i < enc.n; i++)
		o += sprintf(o, "%s%s=%s", i ? "&" : "", enc.v[i].name, enc.v[i].value);
	ref_free(&all);
	ref_free(&enc);
	return out;
}

static char *ref_base_string(const char *method, const char *base_uri, const char *norm)
{
	char *eb = ref_encode_str(base_uri), *en = ref_encode_str(norm);
	size_t len = strlen(method) + strlen(eb) + strlen(en) + 3;
	char *out = malloc(len);

	if (out == NULL)
		abort();
	snprintf(out, len, "%s&%s&%s", method, eb, en);
	free(eb);
	free(en);
	return out;
}

/* A base URI of an arbitrary URL: scheme://host[:port]/path, the scheme
 * and host in lower case, a default port dropped, no query or fragment. */
static void check_base_uri(const char *uri)
{
	const char *host = strstr(uri, "://"), *c, *rest;
	size_t slen;

	if (host == NULL)
		fail("a base URI has a scheme", uri, NULL);
	slen = (size_t)(host - uri);
	host += 3;
	for (c = uri; c < host; c++)
		if (*c >= 'A' && *c <= 'Z')
			fail("a base URI's scheme is lower case", uri, NULL);
	rest = host[0] == '[' ? strchr(host, ']') : host; /* an IPv6 address */
	if (rest == NULL)
		fail("a base URI's IPv6 host is closed", uri, NULL);
	rest += strcspn(rest, ":/");
	for (c = host; c < rest; c++)
		if (*c >= 'A' && *c <= 'Z')
			fail("a base URI's host is lower case", uri, NULL);
	if ((slen == 5 && memcmp(uri, "https", 5) == 0 && strncmp(rest, ":443/", 5) == 0) ||
	    (slen == 4 && memcmp(uri, "http", 4) == 0 && strncmp(rest, ":80/", 4) == 0))
		fail("a base URI has no default port", uri, NULL);
	if (strpbrk(uri, "?#"))
		fail("a base URI has no query or fragment", uri, NULL);
}

static void check_signature(const char *base, const char *cs, const char *ts)
{
	char sig[OAUTH1_SIGNATURE_LEN + 1], *ec = ref_encode_str(cs), *et = ref_encode_str(ts), *key;
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 8];
	unsigned int mdlen = 0;

	if ((key = malloc(strlen(ec) + strlen(et) + 2)) == NULL)
		abort();
	sprintf(key, "%s&%s", ec, et);
	if (HMAC(EVP_sha1(), key, (int)strlen(key), (const unsigned char *)base, strlen(base), md, &mdlen) == NULL)
		abort();
	EVP_EncodeBlock(b64, md, (int)mdlen);
	memset(sig, 0, sizeof(sig));
	if (oauth1_signature(base, cs, ts, sig) != OMTW_OK)
		fail("oauth1_signature signs", NULL, NULL);
	if (strcmp(sig, (const char *)b64) != 0)
		fail("the signature is base64(HMAC-SHA1(enc(cs)&enc(ts), base))", sig, (const char *)b64);
	free(key);
	free(ec);
	free(et);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *enc = oauth1_encode(s, size), *url, *base = NULL, *uri = NULL, *norm = NULL, *want, *want2;
	oauth1_params p, ref = { 0 };
	int accepted, ref_accepted;

	/* the encoding */
	check_encoding(enc, s, size);
	free(enc);

	/* the form */
	oauth1_params_init(&p);
	accepted = oauth1_params_add_form(&p, s, size) == OMTW_OK;
	ref_accepted = ref_form(&ref, s, size);
	if (accepted != ref_accepted)
		fail(ref_accepted ? "a well-formed form is accepted" : "a bad %-escape in a form is refused", NULL,
		     NULL);
	if (p.n != ref.n)
		fail("the form has as many pairs as it has non-empty pieces", NULL, NULL);
	for (size_t i = 0; i < p.n; i++) {
		if (strcmp(p.v[i].name, ref.v[i].name) != 0)
			fail("a form pair's name is decoded", p.v[i].name, ref.v[i].name);
		if (strcmp(p.v[i].value, ref.v[i].value) != 0)
			fail("a form pair's value is decoded", p.v[i].value, ref.v[i].value);
	}

	/* normalised parameters and the base string of a fixed URL */
	want = ref_normalized(FIXED_QUERY, &ref);
	if (oauth1_normalized_params(FIXED_URL, &p, &norm) != OMTW_OK)
		fail("the fixed URL's parameters normalise", NULL, NULL);
	if (strcmp(norm, want) != 0)
		fail("the normalised parameters are the encoded pairs, sorted by name then value", norm, want);
	if (oauth1_base_uri(FIXED_URL, &uri) != OMTW_OK || strcmp(uri, FIXED_BASE) != 0)
		fail("the fixed URL's base URI", uri, FIXED_BASE);
	free(uri);
	uri = NULL;
	want2 = ref_base_string("POST", FIXED_BASE, want);
	if (oauth1_base_string("post", FIXED_URL, &p, &base) != OMTW_OK)
		fail("the fixed URL has a base string", NULL, NULL);
	if (strcmp(base, want2) != 0)
		fail("the base string is METHOD&enc(base URI)&enc(normalised parameters)", base, want2);
	/* and its signature, with secrets cut from the input */
	{
		size_t half = size / 2;
		char *cs = malloc(half + 1), *ts = malloc(size - half + 1);
		if (cs == NULL || ts == NULL)
			abort();
		memcpy(cs, s, half);
		cs[half] = '\0';
		memcpy(ts, s + half, size - half);
		ts[size - half] = '\0';
		check_signature(base, cs, ts);
		free(cs);
		free(ts);
	}
	free(base);
	free(norm);
	free(want);
	free(want2);
	base = norm = NULL;

	/* the input as a URL */
	if ((url = malloc(size + 1)) == NULL)
		abort();
	memcpy(url, data, size);
	url[size] = '\0';
	if (oauth1_base_uri(url, &uri) == OMTW_OK) {
		check_base_uri(uri);
		if (oauth1_normalized_params(url, &p, &norm) == OMTW_OK) {
			want = ref_base_string("POST", uri, norm);
			if (oauth1_base_string("POST", url, &p, &base) != OMTW_OK)
				fail("a URL with a base URI and parameters has a base string", NULL, NULL);
			if (strcmp(base, want) != 0)
				fail("the base string of a URL is POST&enc(its base URI)&enc(its parameters)", base,
				     want);
			free(want);
			free(base);
			free(norm);
		} else if (oauth1_base_string("POST", url, &p, &base) == OMTW_OK) {
			fail("a URL whose query does not parse has no base string", base, NULL);
		}
		free(uri);
	} else if (oauth1_base_string("POST", url, &p, &base) == OMTW_OK) {
		fail("a URL without a base URI has no base string", base, NULL);
	}
	oauth1_params_free(&p);
	ref_free(&ref);
	free(url);
	return 0;
}
