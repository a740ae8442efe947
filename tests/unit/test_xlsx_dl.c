/*
 * wz_xlsx.c opens libzip and expat itself, with the first workbook
 * (dlopen).  Here it is built with a library name that no system has:
 * a workbook must then fail as a read error that says why, with
 * EX_UNAVAILABLE, and every later workbook the same way.  (The reader's
 * own tests, in test_xlsx, run with the real libraries.)
 */
#include "dl_missing.h"
#define WZ_SO_ZIP	WZ_TEST_MISSING_SO
#include "../../lib/wz_xlsx.c"

#include <fcntl.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

static void
test_missing_library(void **state)
{
	struct wz_xlsx_opts o;
	struct wz_xlsx_row *row;
	struct wz_xlsx *x;
	int i, fd;

	(void)state;
	memset(&o, 0, sizeof(o));
	for (i = 0; i < 2; i++) {
		fd = open("/dev/null", O_RDONLY);
		assert_true(fd >= 0);
		x = wz_xlsx_open(fd, "PK\003\004", 4, &o);
		assert_non_null(x);
		assert_int_equal(wz_xlsx_next(x, &row), WZ_FATAL);
		assert_non_null(says_missing(wz_xlsx_error(x),
		    "could not be loaded"));
		assert_int_equal(wz_xlsx_errstatus(x), EX_UNAVAILABLE);
		wz_xlsx_close(x);
		close(fd);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
	};

	wz_setprogname("test_xlsx_dl");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
