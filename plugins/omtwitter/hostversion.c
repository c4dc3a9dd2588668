/* hostversion.c - the version of the program a module is loaded into, read
 * from a marker string in the program's read-only image (see hostversion.h).
 */
#include "hostversion.h"

#include <link.h>
#include <string.h>

int hostversion_scan(const char *mem, size_t len, const char *marker, char *out, size_t outlen)
{
	size_t mlen = strlen(marker);
	const char *end = mem + len;
	const char *p = mem;

	if (mlen == 0 || outlen < 2)
		return -1;
	while ((p = memmem(p, (size_t)(end - p), marker, mlen)) != NULL) {
		const char *v = p + mlen, *q = v;
		int dots = 0;

		while (q < end && ((*q >= '0' && *q <= '9') || *q == '.') && (size_t)(q - v) < outlen) {
			dots += *q == '.';
			q++;
		}
		/* the marker itself (a string the caller passed) is followed by a
		 * NUL, a format string by '%': only "digits.dots" then '"' counts */
		if (q < end && *q == '"' && q > v && dots > 0 && (size_t)(q - v) < outlen &&
		    *v != '.' && q[-1] != '.') {
			memcpy(out, v, (size_t)(q - v));
			out[q - v] = '\0';
			return 0;
		}
		p++;
	}
	return -1;
}

struct search {
	const char *marker;
	char *out;
	size_t outlen;
	int found;
};

static int scan_program(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct search *s = arg;

	(void)size;
	/* the first object is the main program; the shared objects follow */
	for (int i = 0; i < info->dlpi_phnum && !s->found; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) || (ph->p_flags & PF_W))
			continue;
		if (hostversion_scan((const char *)(info->dlpi_addr + ph->p_vaddr), ph->p_filesz,
				     s->marker, s->out, s->outlen) == 0)
			s->found = 1;
	}
	return 1; /* stop after the main program */
}

int hostversion_of_program(const char *marker, char *out, size_t outlen)
{
	struct search s = { marker, out, outlen, 0 };

	dl_iterate_phdr(scan_program, &s);
	return s.found ? 0 : -1;
}
