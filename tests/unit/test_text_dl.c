/*
 * wz_text.c opens OpenCC itself, with the first text that has a
 * traditional character (dlopen).  Here it is built with a library name
 * that no system has: such a text must then come out as it went in,
 * with one message that says why, and the next such text too, without a
 * second message.  (test_csv runs the normaliser with the real OpenCC.)
 */
#include "dl_missing.h"
#define WZ_SO_OPENCC	WZ_TEST_MISSING_SO
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
	const char *p;
	char buf[1024], *s;
	int fd, saved, i;

	(void)state;
	fd = err_file("test_text_dl");
	assert_true(fd >= 0);
	saved = dup(2);
	assert_true(dup2(fd, 2) == 2);
	for (i = 0; i < 2; i++) {
		s = wz_normalize(trad, strlen(trad));
		assert_string_equal(s, trad);
		free(s);
	}
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	assert_true(err_read(fd, buf, sizeof(buf)) > 0);
	p = says_missing(buf, "OpenCC cannot be loaded");
	assert_non_null(p);
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
