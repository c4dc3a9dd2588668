/* replay.c - a fuzz harness run over its seed corpus as a plain unit test,
 * in every build (gcc, valgrind, ASan+UBSan), so the regression inputs that
 * fuzzing found keep being checked without clang or libFuzzer.
 * CORPUS names the directory under tests/fuzz/corpus/.
 *
 * A harness reports a broken invariant by printing it to stderr and
 * calling abort() (libFuzzer then stops with a crash artifact).  Here each
 * input runs in a child process of its own, so one broken invariant is one
 * "not ok" naming the input, and the remaining inputs are still checked:
 * the input passes only when the child ran it and exited 0 (a signal, a
 * sanitizer's or valgrind's error exit, or a leak report at exit fails). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (1 << 20)

static int plain_file(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Run one input in a child; 0 when every invariant held, else the wait
 * status (or -1 when no child could be made) with *why describing it. */
static int run_child(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(STDOUT_FILENO, STDERR_FILENO); /* what it says lands next to its "not ok" */
		LLVMFuzzerTestOneInput(buf, len);
		fflush(NULL);
		exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		snprintf(why, whylen, "killed by signal %d (%s)%s", WTERMSIG(st), strsignal(WTERMSIG(st)),
			 WTERMSIG(st) == SIGABRT ? ": an invariant is broken, see stderr" : "");
	else
		snprintf(why, whylen, "exited with status %d", WEXITSTATUS(st));
	return st ? st : -1;
}

int main(void)
{
	const char *src = getenv("OMTW_SRCDIR");
	char dir[4096], path[4352], why[256];
	struct dirent **names = NULL;
	uint8_t *buf = malloc(REPLAY_MAX_INPUT);
	int n;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : "..", CORPUS);
	n = scandir(dir, &names, plain_file, alphasort);
	if (!ok(n > 0 && buf != NULL, "the %s corpus is readable", CORPUS))
		return tap_done();
	for (int i = 0; i < n; i++) {
		FILE *f;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if ((f = fopen(path, "rb")) != NULL) {
			len = fread(buf, 1, REPLAY_MAX_INPUT, f);
			fclose(f);
			why[0] = '\0';
			if (!ok(run_child(buf, len, why, sizeof(why)) == 0, "%s/%s (%zu bytes): the invariants hold",
				CORPUS, names[i]->d_name, len))
				printf("#   %s\n", why);
		} else {
			ok(0, "%s/%s is readable", CORPUS, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	free(buf);
	return tap_done();
}
