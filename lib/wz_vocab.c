/*
 * wz_vocab.c - the fixed vocabularies of DESIGN.md "Vocabularies": measure
 * codes, responsibility tiers, severities, article kinds, ranks, levels
 * and the canonical header fields.  Codes are what streams carry; the
 * Chinese labels are what people read.
 */
#include <stddef.h>
#include <string.h>

#include "wz_rules.h"

/* Mildest first within each family; order counts up across the table. */
static const struct wz_measure measures[] = {
	/* 问责、组织处理 */
	{ "reminder_letter",	"org", "书面提醒", 1, 0 },
	{ "written_check",	"org", "书面检查", 2, 0 },
	{ "talk",		"org", "约谈", 3, 0 },
	{ "warning_talk",	"org", "警示约谈", 4, 0 },
	{ "notice_criticism",	"org", "通报批评", 5, 0 },
	{ "admonish",		"org", "诫勉谈话", 6, 0 },
	{ "remind_talk",	"org", "谈话提醒", 7, 0 },
	{ "criticize_educate",	"org", "批评教育", 8, 0 },
	{ "transfer",		"org", "调离工作岗位", 9, 0 },
	{ "recall",		"org", "召回", 10, 0 },
	{ "suspend",		"org", "停职检查", 11, 0 },
	{ "org_adjust",		"org", "组织调整", 12, 0 },
	{ "order_resign",	"org", "责令辞职", 13, 0 },
	{ "remove",		"org", "免职", 14, 0 },
	{ "demote",		"org", "降职", 15, 0 },
	{ "unit_warning",	"org", "警告(单位)", 16, 0 },
	{ "reorganize",		"org", "改组", 17, 0 },
	/* their side effects */
	{ "no_excellent",	"org", "取消评优", 18, 1 },
	{ "team_grade_average",	"org", "评定为一般班子", 19, 1 },
	{ "team_grade_poor",	"org", "评定为较差班子", 20, 1 },
	{ "no_promotion",	"org", "一定期限内不得提拔", 21, 1 },
	{ "deduct_score",	"org", "扣减考核分值", 22, 1 },
	{ "suspend_funds",	"org", "暂停拨付", 23, 1 },
	{ "rectify",		"org", "书面报告原因并限期整改", 24, 1 },
	{ "pay_link",		"org", "与绩效报酬挂钩", 25, 1 },
	/* 党纪处分 */
	{ "party_warning",	"party", "党内警告", 1, 0 },
	{ "party_serious_warning", "party", "党内严重警告", 2, 0 },
	{ "party_remove_post",	"party", "撤销党内职务", 3, 0 },
	{ "party_probation",	"party", "留党察看", 4, 0 },
	{ "party_expel",	"party", "开除党籍", 5, 0 },
	/* 政务处分 */
	{ "gov_warning",	"gov", "警告", 1, 0 },
	{ "gov_demerit",	"gov", "记过", 2, 0 },
	{ "gov_major_demerit",	"gov", "记大过", 3, 0 },
	{ "gov_downgrade",	"gov", "降级", 4, 0 },
	{ "gov_dismiss_post",	"gov", "撤职", 5, 0 },
	{ "gov_discharge",	"gov", "开除", 6, 0 },
	/* 移送、追缴 */
	{ "refer_discipline",	"refer", "移送纪检监察机关", 1, 0 },
	{ "refer_judicial",	"refer", "移送司法机关", 2, 0 },
	{ "recover",		"refer", "追缴/追偿", 3, 0 },
};

const struct wz_measure *
wz_measure_find(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(measures) / sizeof(measures[0]); i++)
		if (strcmp(measures[i].code, code) == 0)
			return &measures[i];
	return NULL;
}

const struct wz_measure *
wz_measure_all(size_t *n)
{
	*n = sizeof(measures) / sizeof(measures[0]);
	return measures;
}

const char *
wz_family_zh(const char *family)
{
	if (strcmp(family, "org") == 0)
		return "问责、组织处理";
	if (strcmp(family, "party") == 0)
		return "党纪处分";
	if (strcmp(family, "gov") == 0)
		return "政务处分";
	if (strcmp(family, "refer") == 0)
		return "移送、追缴";
	return NULL;
}

static const char *const sev_code[] = { "", "minor", "serious", "grave" };
static const char *const sev_zh[] = { "", "情节较轻", "情节较重", "情节严重" };

const char *
wz_severity_code(enum wz_severity s)
{
	return (unsigned)s <= WZ_SEV_GRAVE ? sev_code[s] : "";
}

const char *
wz_severity_zh(enum wz_severity s)
{
	return (unsigned)s <= WZ_SEV_GRAVE ? sev_zh[s] : "";
}

int
wz_severity_parse(const char *s, enum wz_severity *out)
{
	int i;

	for (i = WZ_SEV_MINOR; i <= WZ_SEV_GRAVE; i++)
		if (strcmp(s, sev_code[i]) == 0) {
			*out = (enum wz_severity)i;
			return 0;
		}
	return -1;
}

static const char *const tiers[][2] = {
	{ "direct", "直接责任" },
	{ "main_leader", "主要领导责任" },
	{ "important_leader", "重要领导责任" },
	{ "collective", "集体责任" },
};

const char *
wz_tier_zh(const char *tier)
{
	size_t i;

	for (i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		if (strcmp(tier, tiers[i][0]) == 0)
			return tiers[i][1];
	return NULL;
}

static const char *const kinds[] = {
	"conduct", "duty", "tier", "authority", "measure", "procedure",
	"principle", "scope"
};

const char *
wz_kind_code(enum wz_art_kind k)
{
	return (unsigned)k < sizeof(kinds) / sizeof(kinds[0]) ? kinds[k] : "";
}

int
wz_kind_parse(const char *s, enum wz_art_kind *out)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(s, kinds[i]) == 0) {
			*out = (enum wz_art_kind)i;
			return 0;
		}
	return -1;
}

int
wz_rank_valid(const char *rank)
{
	static const char *const v[] = { "省部级", "厅局级", "县处级", "乡科级",
	    "村干部", "一般干部", NULL };

	return wz_in_list(rank, v);
}

int
wz_level_valid(const char *level)
{
	static const char *const v[] = { "province", "city", "county",
	    "department", "township", "village", "paired", "team",
	    "inspector", NULL };

	return wz_in_list(level, v);
}

int
wz_field_valid(const char *field)
{
	static const char *const v[] = { "id", "name", "id_number", "gender",
	    "party", "unit", "title", "county", "township", "village",
	    "place", "text", "source", "status", "amount", "days", "grade",
	    "distrust", "year", "date", "found_date", "valid_from",
	    "valid_to", "link_township", "link_village", "phone", "note",
	    NULL };

	return wz_in_list(field, v);
}
