/*
 * dl_missing.h - for the test_*_dl tests, each of which builds one
 * library file with a library name that no system has, so that its
 * dlopen fails.  Include this first, then define the file's WZ_SO_*
 * as WZ_TEST_MISSING_SO before including the file itself.
 */
#ifndef DL_MISSING_H
#define DL_MISSING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WZ_TEST_MISSING_SO	"libwenze-test-missing.so.0"

/* A fresh file, already unlinked, for stderr to go to: its descriptor. */
static inline int
err_file(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/%s.XXXXXX", name);
	if ((fd = mkstemp(path)) >= 0)
		unlink(path);
	return fd;
}

/* What was written to fd, NUL-terminated in buf; closes fd. */
static inline ssize_t
err_read(int fd, char *buf, size_t size)
{
	ssize_t n;

	n = pread(fd, buf, size - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/*
 * The check each test makes of the message: that it says what (such as
 * "libcrypto cannot be loaded") and names the missing library.  Returns
 * where what is, or NULL.
 */
static inline const char *
says_missing(const char *msg, const char *what)
{
	const char *p;

	if ((p = strstr(msg, what)) == NULL ||
	    strstr(msg, WZ_TEST_MISSING_SO) == NULL)
		return NULL;
	return p;
}

#endif /* DL_MISSING_H */
