/*
 * libFuzzer target: citizen identity numbers (lib/wz_idcard.h).
 *
 * Properties beyond "no crash": an accepted number is 18 characters of
 * digits (and a final X) whose check digit is right, whose province
 * exists and whose birth date is real and not after `latest`; it parses
 * again to itself (the normal form is a fixed point) with the same birth
 * date and sex; its mask is deterministic and 16 lowercase hex digits.
 */
#include "fuzz.h"

#include "wz_base.h"
#include "wz_idcard.h"

static struct wz_idmask *mask;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char key[] = "fuzzing key, 32 bytes long......";

	(void)argc;
	(void)argv;
	wz_setprogname("fuzz_idcard");
	fuzz_quiet();
	if ((mask = wz_idmask_new(key, sizeof(key) - 1)) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct wz_idcard id, id2;
	char why[128], h1[WZ_IDMASK_HEXLEN + 1], h2[WZ_IDMASK_HEXLEN + 1];
	wz_day latest = wz_date_days(2024, 6, 30);
	size_t i;
	int rc;

	rc = wz_idcard_parse(s, size, latest, &id, why, sizeof(why));
	if (rc == WZ_ID_BAD && (why[0] == '\0' ||
	    memchr(why, '\0', sizeof(why)) == NULL))
		abort();
	if (rc != WZ_ID_OK)
		return 0;
	if (strlen(id.num) != WZ_IDCARD_LEN)
		abort();
	for (i = 0; i < 17; i++)
		if (id.num[i] < '0' || id.num[i] > '9')
			abort();
	if (wz_idcard_check_digit(id.num) != id.num[17])
		abort();
	if (!wz_idcard_province((id.num[0] - '0') * 10 + id.num[1] - '0'))
		abort();
	if (id.birth == WZ_DAY_NONE || id.birth > latest ||
	    id.birth < wz_date_days(1900, 1, 1))
		abort();
	if (id.male != ((id.num[16] - '0') & 1))
		abort();
	if (wz_idcard_parse(id.num, WZ_IDCARD_LEN, latest, &id2, why,
	    sizeof(why)) != WZ_ID_OK || strcmp(id.num, id2.num) != 0 ||
	    id.birth != id2.birth || id.male != id2.male || id2.upgraded)
		abort();
	wz_idmask_hex(mask, id.num, WZ_IDCARD_LEN, h1);
	wz_idmask_hex(mask, id2.num, WZ_IDCARD_LEN, h2);
	if (strcmp(h1, h2) != 0 || strlen(h1) != WZ_IDMASK_HEXLEN ||
	    strspn(h1, "0123456789abcdef") != WZ_IDMASK_HEXLEN)
		abort();
	return 0;
}
