/*
 * libFuzzer target: the YAML rule loader (lib/wz_rules.h).  The input is
 * written to a file and loaded with wz_rules_load + wz_rules_finish, and
 * the ruleset is freed.  An input that starts with the line "#real" is
 * loaded after the shipped rules/posts.yaml and rules/headers.yaml, so
 * its references to post codes and header fields resolve and the loader
 * goes on to the checks that need them.
 *
 * Properties beyond "no crash": a ruleset that loads without errors has
 * articles with ids of the form DOC:ARTICLE, each in its document; a
 * ruleset reports at least one error when the input is not loaded at all
 * (load returned errors) and finish is then still safe to call.
 */
#include "fuzz.h"

#include "wz_base.h"
#include "wz_rules.h"

static char *posts, *headers;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_rules_dir();

	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_rules");
	fuzz_quiet();
	posts = wz_aprintf("%s/posts.yaml", dir);
	headers = wz_aprintf("%s/headers.yaml", dir);
	if (access(posts, R_OK) != 0 || access(headers, R_OK) != 0) {
		fprintf(stdout, "fuzz_rules: no %s or %s\n", posts, headers);
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wz_ruleset *rs;
	const char *path;
	int real, nerr = 0;
	size_t i;

	real = size >= 6 && memcmp(data, "#real\n", 6) == 0;
	path = fuzz_file(".yaml", data, size);
	rs = wz_rules_new();
	if (real) {
		if (wz_rules_load(rs, posts) != 0 ||
		    wz_rules_load(rs, headers) != 0)
			abort();
	}
	nerr += wz_rules_load(rs, path);
	nerr += wz_rules_finish(rs);
	if (nerr == 0) {
		for (i = 0; i < rs->narts; i++) {
			const struct wz_article *a = rs->arts[i];

			if (a->id == NULL || a->doc == NULL ||
			    strchr(a->id, ':') == NULL ||
			    wz_rules_article(rs, a->id) == NULL)
				abort();
		}
	}
	wz_rules_free(rs);
	return 0;
}
