/*
 * wz_sha.c opens libcrypto itself, with the first digest (dlopen).
 * Here it is built with a library name that no system has: the first
 * digest must then end the program with EX_UNAVAILABLE and a message
 * that says why, not a crash.  (test_ledger and the golden cases digest
 * with the real libcrypto.)
 */
#include "dl_missing.h"
#define WZ_SO_CRYPTO	WZ_TEST_MISSING_SO
#include "../../lib/wz_sha.c"

#include <fcntl.h>
#include <stddef.h>
#include <setjmp.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

static void
test_missing_crypto(void **state)
{
	char buf[1024];
	int fd, st;
	pid_t pid;

	(void)state;
	fd = err_file("test_sha_dl");
	assert_true(fd >= 0);
	if ((pid = fork()) == 0) {
		dup2(fd, 2);
		(void)wz_sha_new();
		_exit(0);	/* not reached: wz_sha_new() must exit */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EX_UNAVAILABLE);
	assert_true(err_read(fd, buf, sizeof(buf)) > 0);
	assert_non_null(says_missing(buf, "libcrypto cannot be loaded"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_crypto),
	};

	wz_setprogname("test_sha_dl");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
