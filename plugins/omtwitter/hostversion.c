/* hostversion.c - the version of the program a module is loaded into, read
 * from a marker string in the program's read-only image (see hostversion.h).
 */
#include "hostversion.h"

#include <link.h>
#include <stdio.h>
#include <string.h>

/* The image of a program built with AddressSanitizer has poisoned redzones
 * between its globals, and ASan checks every range memmem() or memcmp()
 * reads: the search is therefore written out byte by byte, in a function
 * ASan leaves alone.  It runs once per load over a few MB at most. */
__attribute__((no_sanitize_address))
int hostversion_scan(const char *mem, size_t len, const char *marker, char *out, size_t outlen)
{
	size_t mlen = strlen(marker);

	if (mlen == 0 || outlen < 2 || len < mlen)
		return -1;
	for (size_t at = 0; at + mlen <= len; at++) {
		size_t i = 0, v, q;
		int dots = 0;

		while (i < mlen && mem[at + i] == marker[i])
			i++;
		if (i < mlen)
			continue;
		v = q = at + mlen;
		while (q < len && q - v < outlen && ((mem[q] >= '0' && mem[q] <= '9') || mem[q] == '.')) {
			dots += mem[q] == '.';
			q++;
		}
		/* the marker itself (a string the caller passed) is followed by a
		 * NUL, a format string by '%': only "digits.dots" then '"' counts */
		if (q < len && mem[q] == '"' && q > v && q - v < outlen && dots > 0 &&
		    mem[v] != '.' && mem[q - 1] != '.') {
			for (size_t k = v; k < q; k++)
				out[k - v] = mem[k];
			out[q - v] = '\0';
			return 0;
		}
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

int hostversion_check_rsyslogd(const char *built, char *err, size_t errlen)
{
	char running[32];

	if (hostversion_of_program(HOSTVERSION_RSYSLOGD_MARKER, running, sizeof(running)) != 0)
		return 1;
	if (strcmp(running, built) == 0)
		return 0;
	snprintf(err, errlen, "this module was built for rsyslog %s but is loaded into rsyslogd %s; "
		 "rsyslog's module interfaces differ between versions, so it refuses to load. Fix: "
		 "rebuild omtwitter against the rsyslog %s source (contrib/get-rsyslog-source.sh, then "
		 "./configure --with-rsyslog-source=DIR), or install the rsyslog-omtwitter package "
		 "built for rsyslog %s", built, running, running, running);
	return -1;
}
