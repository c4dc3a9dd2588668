/* punycode.c - Punycode (RFC 3492) output length of a domain label.
 *
 * Written from the RFC's algorithm (section 6.3) with its parameters;
 * counts the digits the encoder would emit instead of emitting them.
 */
#include "punycode.h"

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72, INITIAL_N = 128 };

/* Bias adaptation, RFC 3492 section 6.1. */
static uint32_t adapt(uint32_t delta, uint32_t npoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

long punycode_label_len(const int32_t *cp, size_t n)
{
	uint32_t next = INITIAL_N, delta = 0, bias = INITIAL_BIAS, h, b = 0;
	long out;

	for (size_t i = 0; i < n; i++)
		b += cp[i] < 0x80;
	if (b == n)
		return (long)n;
	out = 4 + (long)b + (b > 0); /* "xn--", the basic code points, '-' */
	h = b;
	while (h < n) {
		uint32_t m = UINT32_MAX;
		for (size_t i = 0; i < n; i++)
			if ((uint32_t)cp[i] >= next && (uint32_t)cp[i] < m)
				m = (uint32_t)cp[i];
		if (m - next > (UINT32_MAX - delta) / (h + 1))
			return -1;
		delta += (m - next) * (h + 1);
		next = m;
		for (size_t i = 0; i < n; i++) {
			if ((uint32_t)cp[i] < next && ++delta == 0)
				return -1;
			if ((uint32_t)cp[i] != next)
				continue;
			/* one variable-length integer for delta */
			uint32_t q = delta;
			for (uint32_t k = BASE;; k += BASE) {
				uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
				if (q < t)
					break;
				out++;
				q = (q - t) / (BASE - t);
			}
			out++;
			bias = adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		next++;
	}
	return out;
}
