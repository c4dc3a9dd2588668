/* replay.c - a fuzz harness run over its seed corpus as a plain unit test,
 * in every build (gcc, valgrind, ASan+UBSan), so the regression inputs that
 * fuzzing found keep being checked without clang or libFuzzer.  The
 * harnesses abort() on a broken invariant, which fails the test.
 * CORPUS names the directory under tests/fuzz/corpus/. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int plain_file(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(void)
{
	const char *src = getenv("OMTW_SRCDIR");
	char dir[4096], path[4352];
	struct dirent **names = NULL;
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : "..", CORPUS);
	n = scandir(dir, &names, plain_file, alphasort);
	if (!ok(n > 0, "the %s corpus is readable", CORPUS))
		return tap_done();
	for (int i = 0; i < n; i++) {
		FILE *f;
		uint8_t *buf = malloc(1 << 20);
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (buf && (f = fopen(path, "rb")) != NULL) {
			len = fread(buf, 1, 1 << 20, f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, len);
			ok(1, "%s/%s (%zu bytes): the invariants hold", CORPUS, names[i]->d_name, len);
		} else {
			ok(0, "%s/%s is readable", CORPUS, names[i]->d_name);
		}
		free(buf);
		free(names[i]);
	}
	free(names);
	return tap_done();
}
