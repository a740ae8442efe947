/*
 * libFuzzer target: the UTF-8 validator (each SIMD path against the
 * scalar one) and the normaliser (NFKC, OpenCC, whitespace) with its
 * span map.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wz_base.h"
#include "wz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wz_norm *nm;
	unsigned long nl;
	size_t ok1, ok2, since = 0, n, i, from, to;
	int why1, why2, path;
	const char *out;

	ok1 = wz_utf8_check_lines(data, size, &why1, &nl, &since);
	ok2 = wz_utf8_check_scalar(data, size, &why2);
	if (ok1 != ok2 || why1 != why2)
		abort();
	/* each SIMD path (where the CPU has it) against the scalar one:
	 * the same end, verdict, newlines and distance from the last */
	for (path = 0; path <= 2; path++) {
		unsigned long nlp;
		size_t sincep = 0;
		int whyp;

		if (wz_utf8_check_path(path, data, size, &whyp, &nlp,
		    &sincep) != ok1 || whyp != why1 || nlp != nl ||
		    sincep != since)
			abort();
	}
	if (nm == NULL)
		nm = wz_norm_new();
	out = wz_norm_run(nm, (const char *)data, ok1, &n);
	if (strlen(out) != n)
		abort();
	for (i = 0; i + 1 <= n; i += 1 + (i % 7)) {
		wz_norm_span(nm, i, n, &from, &to);
		if (from > to || to > ok1)
			abort();
	}
	return 0;
}
