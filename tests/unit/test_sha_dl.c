/*
 * wz_sha.c opens libcrypto itself, with the first digest (dlopen).
 * Here it is built with a library name that no system has: the first
 * digest must then end the program with EX_UNAVAILABLE and a message
 * that says why, not a crash.  (test_ledger and the golden cases digest
 * with the real libcrypto.)
 */
#define WZ_SO_CRYPTO	"libwenze-test-missing.so.0"
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
	char path[] = "/tmp/test_sha_dl.XXXXXX", buf[1024];
	int fd, st;
	ssize_t n;
	pid_t pid;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	if ((pid = fork()) == 0) {
		dup2(fd, 2);
		(void)wz_sha_new();
		_exit(0);	/* not reached: wz_sha_new() must exit */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EX_UNAVAILABLE);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "libcrypto cannot be loaded"));
	assert_non_null(strstr(buf, "libwenze-test-missing.so.0"));
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
