/* test_punycode.c - Punycode lengths against RFC 3492's samples and the
 * 63-character boundary twitter-text's conformance data relies on. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "punycode.h"
#include "tap.h"

/* The ASCII-form length of a UTF-8 label. */
static long len_of(const char *utf8)
{
	int32_t cp[256];
	size_t n = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)utf8;
	utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(utf8), r;

	while (left > 0 && n < 256 && (r = utf8proc_iterate(p, left, &cp[n])) > 0) {
		p += r;
		left -= r;
		n++;
	}
	return punycode_label_len(cp, n);
}

static void check(const char *label, const char *ascii_form, const char *what)
{
	long got = len_of(label), want = (long)strlen(ascii_form);
	if (!ok(got == want, "%s: %ld characters (%s)", what, want, ascii_form))
		printf("#   got %ld\n", got);
}

int main(void)
{
	/* RFC 3492 section 7.1 samples (A), (B), (E), (L), (M) and a classic */
	check("\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F",
	      "xn--egbpdaj6bu4bxfgehfvwxn", "RFC 3492 (A) Arabic");
	check("\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "xn--ihqwcrb4cv8a8dqg056pqjye",
	      "RFC 3492 (B) Chinese");
	check("Pro\u010Dprost\u011Bnemluv\u00ED\u010Desky", "xn--Proprostnemluvesky-uyb24dma41a",
	      "RFC 3492 (E) Czech");
	check("3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "xn--3B-ww4c5e180e575a65lsy2b", "RFC 3492 (L) mixed");
	check("Maji\u3067Koi\u3059\u308B5\u79D2\u524D", "xn--MajiKoi5-783gue6qz075azm5e", "RFC 3492 (M) mixed");
	check("b\u00FCcher", "xn--bcher-kva", "bücher");
	check("a\u272Adf", "xn--adf-il6a", "a symbol inside a label");
	check("example", "example", "an ASCII label stays as it is");
	/* the boundary of twitter-text's "CJK host" conformance cases */
	char lab[256] = "";
	for (int i = 0; i < 5; i++)
		strcat(lab, "\u3042\u3044\u3046\u3048\u304A\u304B\u304D\u304F\u3051\u3053");
	strcat(lab, "\u3042\u3044");
	check(lab, "xn--l8jaaaaajbbbbbqccccydddd4aeeeeiffff6bgggg2chhhh8ciiii4djjjj", "52 kana: 63, fits DNS");
	strcat(lab, "\u3046");
	check(lab, "xn--l8jaaaaajbbbbbqcccccxdddd6aeeeejffff8bgggg4chhhh0diiii6djjjj", "53 kana: 64, too long");
	/* The highest code point, exactly; the ASCII forms worked out with
	 * python3's RFC 3492 codec ("...".encode("punycode"), "xn--" added):
	 * U+10FFFF twice: "xn--dn32ga"; 63 times: "xn--dn32g" + 62 "a" (71);
	 * 3854 "a" + U+10FFFF: the first delta, (0x10FFFF - 128) * 3855 =
	 * 4,294,404,465, is just below 2^32: "xn--" + 3854 "a" + "-tp357616a". */
	int32_t top[3856];
	top[0] = top[1] = 0x10FFFF;
	is_int(punycode_label_len(top, 2), strlen("xn--dn32ga"), "U+10FFFF twice: xn--dn32ga (10)");
	for (int i = 0; i < 63; i++)
		top[i] = 0x10FFFF;
	is_int(punycode_label_len(top, 63), 71, "U+10FFFF 63 times: xn--dn32g and 62 a (71)");
	for (int i = 0; i < 3854; i++)
		top[i] = 'a';
	top[3854] = 0x10FFFF;
	is_int(punycode_label_len(top, 3855), 4 + 3854 + strlen("-tp357616a"),
	       "3854 a and U+10FFFF: a delta near 2^32 encodes without overflow (3868)");
	return tap_done();
}
