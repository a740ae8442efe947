/*
 * libFuzzer target: the number parsers of lib/wz_num.h (plain numbers,
 * percentages, sums of money, Chinese numerals).
 *
 * Properties beyond "no crash": every parsed value is finite and below
 * the documented bound (1e18); a value printed back with wz_num_format()
 * parses to a value that prints the same (the printed form is a fixed
 * point); wz_num_unit_tail() never claims more bytes than it was given.
 */
#include <math.h>

#include "fuzz.h"

#include "wz_base.h"
#include "wz_num.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_num");
	fuzz_quiet();
	return 0;
}

static void
check(double v)
{
	char buf[64], buf2[64];
	double v2;

	if (!isfinite(v) || fabs(v) >= 1e18)
		abort();
	wz_num_format(v, buf, sizeof(buf));
	if (wz_num_parse(buf, strlen(buf), &v2) != 0)
		abort();
	wz_num_format(v2, buf2, sizeof(buf2));
	if (strcmp(buf, buf2) != 0)
		abort();
	/* A plain number is also an amount of that many yuan. */
	if (wz_num_amount(buf, strlen(buf), &v2) != 0 ||
	    strcmp(buf, wz_num_format(v2, buf2, sizeof(buf2))) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Not NUL-terminated: the parsers take s[0..n). */
	const char *s = (const char *)data;
	static const char *const names[] = { "amount", "days", "distrust",
	    "x_pct" };
	double v;
	size_t i;

	if (wz_num_parse(s, size, &v) == 0)
		check(v);
	if (wz_num_amount(s, size, &v) == 0)
		check(v);
	if (wz_num_percent(s, size, &v) == 0) {
		/* Percent values may be a fraction times 100. */
		if (!isfinite(v) || fabs(v) >= 1e20)
			abort();
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)wz_num_value(wz_num_kind(names[i]), s, size, &v);
	if (wz_num_unit_tail(s, size) > size)
		abort();
	return 0;
}
