/* punycode.h - the length of a domain label once encoded for DNS.
 *
 * X accepts a host in a URL only when each label, Punycode-encoded
 * (RFC 3492, "xn--" prefix, no nameprep: that is what twitter-text does),
 * fits DNS's 63 characters.  Only the length is needed, never the text.
 */
#ifndef PUNYCODE_H
#define PUNYCODE_H

#include <stddef.h>
#include <stdint.h>

/* Characters in the ASCII form of the label cp[0..n): n for an ASCII
 * label, 4 + the Punycode length otherwise; -1 when the encoder would
 * overflow (never for labels of DNS size). */
long punycode_label_len(const int32_t *cp, size_t n);

#endif
