/*
 * wz_text.c opens OpenCC itself, with the first text that has a
 * traditional character (dlopen).  Here it is built with a library name
 * that no system has: such a text must then come out as it went in,
 * with one message that says why, and the next such text too, without a
 * second message.  (test_csv runs the normaliser with the real OpenCC.)
 */
#define WZ_SO_OPENCC	"libwenze-test-missing.so.0"
#include "../../lib/wz_text.c"

#include <fcntl.h>
#include <stddef.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

static void
test_missing_opencc(void **state)
{
	const char *trad = "挪用專項扶貧資金";
	char path[] = "/tmp/test_text_dl.XXXXXX", buf[1024], *s, *p;
	int fd, saved, i;
	ssize_t n;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	saved = dup(2);
	assert_true(dup2(fd, 2) == 2);
	for (i = 0; i < 2; i++) {
		s = wz_normalize(trad, strlen(trad));
		assert_string_equal(s, trad);
		free(s);
	}
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	p = strstr(buf, "OpenCC cannot be loaded");
	assert_non_null(p);
	assert_non_null(strstr(buf, "libwenze-test-missing.so.0"));
	assert_null(strstr(p + 1, "OpenCC cannot be loaded"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_opencc),
	};

	wz_setprogname("test_text_dl");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
