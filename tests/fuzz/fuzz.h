/*
 * fuzz.h - helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * The library reports every bad input on stderr, which would fill the
 * fuzzing log with millions of lines and slow the run.  fuzz_quiet()
 * points the C library's `stderr` (which is all wz_msg() writes to) at
 * /dev/null; libFuzzer keeps its own copy of the original FILE and the
 * sanitizers write to descriptor 2, so their reports still reach the log.
 * Set FUZZ_VERBOSE=1 to see the library's messages while reproducing a
 * crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static inline void
fuzz_quiet(void)
{
	FILE *null;

	if (getenv("FUZZ_VERBOSE") != NULL)
		return;
	if ((null = fopen("/dev/null", "w")) == NULL)
		abort();
	stderr = null;
}

/* A memory file holding p[0..n), positioned at its start. */
static inline int
fuzz_memfd(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz", 0);

	if (fd == -1)
		abort();
	if (n > 0 && write(fd, p, n) != (ssize_t)n)
		abort();
	if (lseek(fd, 0, SEEK_SET) == -1)
		abort();
	return fd;
}

static char fuzz_path[256];

static inline void
fuzz_file_remove(void)
{
	if (fuzz_path[0] != '\0')
		unlink(fuzz_path);
}

/*
 * A real file holding p[0..n), for the APIs that take a path (the rules
 * loader, the ledger).  The name is fixed per process (one suffix per
 * target), in /dev/shm when it exists, rewritten on every call and
 * removed at exit.
 */
static inline const char *
fuzz_file(const char *suffix, const uint8_t *p, size_t n)
{
	char *path = fuzz_path;
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	FILE *fp;

	if (fuzz_path[0] == '\0')
		atexit(fuzz_file_remove);
	snprintf(path, sizeof(fuzz_path), "%s/wz-fuzz-%ld%s", dir,
	    (long)getpid(), suffix);
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, fp) != n)
		abort();
	if (fclose(fp) != 0)
		abort();
	return path;
}

/* The shipped rules folder: $WENZE_RULES, else rules/ (run.sh runs from
 * the top of the tree). */
static inline const char *
fuzz_rules_dir(void)
{
	const char *d = getenv("WENZE_RULES");

	return d != NULL && *d != '\0' ? d : "rules";
}

#endif
