/* bench_sign.c - what signing one X API request costs, against one raw
 * HMAC-SHA1 of the same base string, in the same process and run.
 *
 * Prints ns per operation (median of 7 rounds) and the ratios:
 *   raw HMAC       OpenSSL HMAC(EVP_sha1()) of the request's base string
 *   signature      oauth1_signature: key encoding + HMAC + base64
 *   base+sign      base string (encode, sort, join) + signature
 *   header         oauth1_authorization with a fixed nonce: everything
 *                  the module does per request except the random nonce
 *   header+nonce   the same with a fresh nonce from OpenSSL's CSPRNG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "oauth1.h"

#define ROUNDS 7

static const oauth1_keys KEYS = {
	"xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
	"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
	"LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
};
static const char *URL = "https://api.x.com/2/tweets";

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static volatile unsigned sink;

/* ns per call of op (median over ROUNDS rounds of n calls) */
static double measure(void (*op)(const char *), const char *base, long n)
{
	double r[ROUNDS];

	for (int k = 0; k < ROUNDS; k++) {
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			op(base);
		r[k] = (now_ns() - t0) / (double)n;
	}
	qsort(r, ROUNDS, sizeof(r[0]), cmp);
	return r[ROUNDS / 2];
}

static void raw_hmac(const char *base)
{
	static const char key[] = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&"
				  "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha1(), key, (int)sizeof(key) - 1, (const unsigned char *)base, strlen(base), md, &len);
	sink += md[0];
}

static void signature(const char *base)
{
	char sig[OAUTH1_SIGNATURE_LEN + 1];

	oauth1_signature(base, KEYS.consumer_secret, KEYS.token_secret, sig);
	sink += (unsigned char)sig[0];
}

static oauth1_params proto; /* the protocol parameters of one request */

static void base_and_sign(const char *unused)
{
	char *base = NULL, sig[OAUTH1_SIGNATURE_LEN + 1];

	(void)unused;
	oauth1_base_string("POST", URL, &proto, &base);
	oauth1_signature(base, KEYS.consumer_secret, KEYS.token_secret, sig);
	sink += (unsigned char)sig[0];
	free(base);
}

static void header(const char *nonce)
{
	oauth1_request req = { .method = "POST", .url = URL, .nonce = nonce,
			       .timestamp = "1800000000", .with_version = true };
	char *h = NULL;

	oauth1_authorization(&KEYS, &req, &h);
	sink += (unsigned char)h[0];
	free(h);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	char *base = NULL;
	double raw, sig, bs, hdr, hdrn;

	oauth1_params_init(&proto);
	oauth1_params_add(&proto, "oauth_consumer_key", KEYS.consumer_key);
	oauth1_params_add(&proto, "oauth_nonce", "0123456789abcdef0123456789abcdef");
	oauth1_params_add(&proto, "oauth_signature_method", "HMAC-SHA1");
	oauth1_params_add(&proto, "oauth_timestamp", "1800000000");
	oauth1_params_add(&proto, "oauth_token", KEYS.token);
	oauth1_params_add(&proto, "oauth_version", "1.0");
	if (oauth1_base_string("POST", URL, &proto, &base) != OMTW_OK)
		return 1;
	/* warm up caches, OpenSSL's algorithm fetch and the allocator */
	measure(raw_hmac, base, n / 10);
	measure(header, NULL, n / 10);

	raw = measure(raw_hmac, base, n);
	sig = measure(signature, base, n);
	bs = measure(base_and_sign, base, n);
	hdr = measure(header, "0123456789abcdef0123456789abcdef", n);
	hdrn = measure(header, NULL, n);
	printf("signing one POST /2/tweets (base string %zu bytes), %ld calls x %d rounds, median:\n",
	       strlen(base), n, ROUNDS);
	printf("  %-34s %8.0f ns   1.00x\n", "raw HMAC-SHA1 of the base string", raw);
	printf("  %-34s %8.0f ns   %.2fx\n", "signature (key, HMAC, base64)", sig, sig / raw);
	printf("  %-34s %8.0f ns   %.2fx\n", "base string + signature", bs, bs / raw);
	printf("  %-34s %8.0f ns   %.2fx   (target <= 3x)\n", "Authorization header, fixed nonce", hdr, hdr / raw);
	printf("  %-34s %8.0f ns   %.2fx\n", "Authorization header, fresh nonce", hdrn, hdrn / raw);
	free(base);
	oauth1_params_free(&proto);
	return 0;
}
