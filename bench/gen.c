/*
 * gen - write realistic sheets of any size with a fixed seed, for make
 * bench and the stress tests:
 *
 *     gen findings [-T TOWNSHIPS] [-H PERCENT] N [SEED]
 *                             findings as a county office writes them
 *     gen roster N [SEED]     cadre roster rows (one role each)
 *     gen penalties N         a wz-penalty stream of N liable parties,
 *                             the input of wz-ledger append
 *
 * The findings mix the conduct the rules name (funds diverted, days in
 * village short, data faked, grades) with ordinary text that breaks
 * nothing, quoted commas and quotes, amounts in 元 and 万元, and some
 * complaints found untrue.  -T spreads them over that many townships
 * (default 4: 东河镇 西山乡 南川镇 北坪乡, then 第5镇 ...), -H makes that
 * percentage of rows hit a rule (default 40).  With neither, the output
 * is what it has always been for a given N and SEED.
 *
 * The penalty stream has no randomness: ten articles per finding, a
 * liable person per row, the tiers in turn; its values column's amount=
 * and liable_rank fill the ledger's amount and liable_rank columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long rng;
static unsigned ntowns = 4;	/* -T */
static unsigned hitpct = 40;	/* -H */

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

#define PICK(a) (a[rnd(sizeof(a) / sizeof(a[0]))])

static const char *towns[] = { "东河镇", "西山乡", "南川镇", "北坪乡" };
static const char *villages[] = { "柳湾村", "杏林村", "石岔村", "高庄村",
	"马河村", "李家沟村", "王庄村", "新堡村", "上店村", "下湾村" };
static const char *sur[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄",
	"周", "吴", "徐", "孙", "马", "朱", "胡", "郭" };
static const char *given[] = { "某某", "某", "建国", "红梅", "志强", "海燕",
	"德明", "玉兰", "文华", "国庆" };
static const char *posts[] = { "村党支部书记", "村委会主任", "村文书",
	"村会计", "副镇长", "镇党委书记", "镇长", "驻村工作队队长",
	"驻村工作队队员", "第一书记", "帮扶责任人", "扶贫站站长",
	"县农业农村局副局长", "县扶贫办主任", "县水务局股长" };
static const char *sources[] = { "审计", "巡察", "信访举报", "媒体报道",
	"专项督查" };
/* Templates: {Y} year, {M} month, {N} a count, {A} an amount. */
static const char *hits[] = {
	"{Y}年{M}月，在危房改造补助发放中，将专项扶贫资金{A}挪用于村委会办公场所维修。",
	"该同志{Y}年全年驻村仅{N}天，未达到规定天数，“两头跑”问题突出。",
	"{Y}年在贫困户识别中优亲厚友，将其亲属纳入建档立卡，涉及补助资金{A}。",
	"在{Y}年产业扶贫项目中截留、挤占到户资金{A}，群众反映强烈。",
	"大数据管理平台信息录入不精准，{N}户数据与实际不符，被市级通报批评（{Y}年）。",
	"对群众反映的问题不调查、不答复，造成媒体负面报道，{Y}年{M}月。",
	"向建档立卡申请人索要财物，收受“好处费”{A}。",
};
static const char *misses[] = {
	"{Y}年{M}月，按计划完成危房改造{N}户，资金{A}已全部拨付到户，台账齐全。",
	"驻村工作队全年驻村{N}天，帮扶措施落实到位，群众满意度较高（{Y}年）。",
	"组织召开脱贫攻坚专题会议{N}次，研究部署产业扶贫工作，\"一户一策\"已完成。",
	"开展扶贫政策宣传{N}场，发放资料{N}份，群众知晓率明显提升。",
};

/* Expand a template into buf. */
static void
expand(char *buf, size_t n, const char *t, int y, int m, int cnt,
    const char *amt)
{
	size_t len = 0;
	char tmp[32];
	const char *ins;

	while (*t != '\0' && len + 1 < n) {
		if (t[0] == '{' && t[1] != '\0' && t[2] == '}') {
			switch (t[1]) {
			case 'Y': snprintf(tmp, sizeof(tmp), "%d", y); break;
			case 'M': snprintf(tmp, sizeof(tmp), "%d", m); break;
			case 'N': snprintf(tmp, sizeof(tmp), "%d", cnt); break;
			default: snprintf(tmp, sizeof(tmp), "%s", amt); break;
			}
			for (ins = tmp; *ins != '\0' && len + 1 < n; ins++)
				buf[len++] = *ins;
			t += 3;
			continue;
		}
		buf[len++] = *t++;
	}
	buf[len] = '\0';
}

static void
amount(char *buf, size_t n)
{
	if (rnd(2))
		snprintf(buf, n, "%u.%u万元", 1 + rnd(80), rnd(10));
	else
		snprintf(buf, n, "%u元", 500 + rnd(50000));
}

/* Write one CSV field, quoting where needed. */
static void
field(const char *s, int last)
{
	const char *p;

	if (strpbrk(s, ",\"\n") == NULL)
		fputs(s, stdout);
	else {
		putchar('"');
		for (p = s; *p; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

static void
findings(unsigned long n)
{
	char text[512], amt[32], name[32], id[32], date[16], money[32];
	unsigned long i;
	char town[32];
	unsigned t;
	int y, hit;

	puts("编号,问题来源,乡镇,村,姓名,职务,问题描述,涉及金额,发现日期,核查结果");
	for (i = 0; i < n; i++) {
		y = 2017 + (int)rnd(4);
		amount(amt, sizeof(amt));
		hit = rnd(100) < hitpct;
		expand(text, sizeof(text), hit ? PICK(hits) : PICK(misses), y,
		    1 + (int)rnd(12), 10 + (int)rnd(200), amt);
		if (rnd(10) == 0)
			strncat(text, "，经核查，反映问题不属实。",
			    sizeof(text) - strlen(text) - 1);
		if (rnd(20) == 0)
			strncat(text, "（涉及\"一户一档\"资料，含逗号,分号;）",
			    sizeof(text) - strlen(text) - 1);
		snprintf(name, sizeof(name), "%s%s", PICK(sur), PICK(given));
		snprintf(id, sizeof(id), "F%07lu", i + 1);
		snprintf(date, sizeof(date), "%d-%02u-%02u", y, 1 + rnd(12),
		    1 + rnd(28));
		snprintf(money, sizeof(money), "%s", hit ? amt : "");
		field(id, 0);
		field(PICK(sources), 0);
		t = rnd(ntowns);
		if (t < sizeof(towns) / sizeof(towns[0]))
			snprintf(town, sizeof(town), "%s", towns[t]);
		else
			snprintf(town, sizeof(town), "第%u镇", t + 1);
		field(town, 0);
		field(PICK(villages), 0);
		field(name, 0);
		field(PICK(posts), 0);
		field(text, 0);
		field(money, 0);
		field(date, 0);
		field(rnd(10) == 0 ? "查无实据" : "属实", 1);
	}
}

/* The GB 11643 check digit of the first 17 digits. */
static char
id_check(const char *d17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10,
	    5, 8, 4, 2 };
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (d17[i] - '0') * w[i];
	return "10X98765432"[sum % 11];
}

/*
 * A province's worth of village cadres: village k of township k % 40 has
 * the five village posts, one holder each, so the single-holder checks
 * see what a real roster gives them.  ID numbers are valid and distinct
 * (region 621199 is not a real county).
 */
static void
roster(unsigned long n)
{
	static const char *vposts[] = { "村党支部书记", "村委会主任", "村文书",
		"村会计", "村监委会主任" };
	char name[48], idn[32], from[16], to[16], town[32], village[32];
	unsigned long i, k;

	puts("姓名,身份证号码,工作单位,职务,乡镇,村,任职时间,免职时间,政治面貌");
	for (i = 0; i < n; i++) {
		k = i / 5;
		snprintf(name, sizeof(name), "%s%s%lu", PICK(sur), PICK(given),
		    i);
		/* Birth date and sequence number from i: distinct. */
		snprintf(idn, sizeof(idn), "621199%04lu%02lu%02lu%03lu",
		    1960 + i / 1000 / 336 % 35, 1 + i / 1000 / 28 % 12,
		    1 + i / 1000 % 28, i % 1000);
		idn[17] = id_check(idn);
		idn[18] = '\0';
		snprintf(town, sizeof(town), "第%lu镇", k % 40 + 1);
		snprintf(village, sizeof(village), "第%lu村", k + 1);
		snprintf(from, sizeof(from), "%u.%02u", 2014 + rnd(3),
		    1 + rnd(12));
		to[0] = '\0';
		field(name, 0);
		field(idn, 0);
		field(town, 0);
		field(vposts[i % 5], 0);
		field(town, 0);
		field(village, 0);
		field(from, 0);
		field(to, 0);
		field(rnd(3) ? "中共党员" : "群众", 1);
	}
}

/*
 * What wz-penalty writes, for wz-ledger append: the finding's columns,
 * then those of match, tier and penalty.  Finding f has ten rows (ten
 * articles), one liable person each; persons repeat every 50,000
 * findings, townships' villages every 300.
 */
static void
penalties(unsigned long n)
{
	static const char *tier[] = { "direct", "main_leader",
		"important_leader" };
	unsigned long i, f;

	puts("编号,单位,问题描述,article,article_text,evidence,severity,"
	    "values,group,liable_id,liable_name,liable_role,liable_rank,"
	    "liable_party_member,tier,proposer,decider,measures,"
	    "alternatives,basis,handled_by,no_promotion_until,rectify_by,"
	    "needs_judgement");
	for (i = 0; i < n; i++) {
		f = i / 10;
		printf("F%07lu,通渭县/平襄镇/村%lu,\"截留扶贫资金%lu元,"
		    "未及时拨付\",tongwei2017:5.%lu,第五条第(%lu)项,截留,"
		    "serious,amount=%lu,town_leader,P%06lu,干部%lu,"
		    "town_secretary,乡科级,y,%s,县委组织部,县委,"
		    "admonish;no_promotion,transfer|suspend,"
		    "tongwei2017:5.%lu;tongwei2017:14,组织部,2026-06-30,"
		    "2025-09-30,y\n", f, f % 300, 1000 + i, i % 10 + 1,
		    i % 10 + 1, 1000 + i, f % 50000, f % 50000, tier[i % 3],
		    i % 10 + 1);
	}
}

static int
usage(void)
{
	fprintf(stderr, "usage: gen findings [-T TOWNSHIPS] [-H PERCENT] "
	    "N [SEED]\n       gen roster N [SEED]\n"
	    "       gen penalties N\n");
	return 64;
}

/* A whole number in [lo, hi], or -1. */
static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	return *s == '\0' || *end != '\0' || v < lo || v > hi ? -1 : v;
}

int
main(int argc, char *argv[])
{
	const char *sheet;
	unsigned long n;
	long v;
	int c;

	if (argc < 2)
		return usage();
	sheet = argv[1];
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "T:H:")) != -1) {
		if (strcmp(sheet, "findings") != 0)
			return usage();
		switch (c) {
		case 'T':
			if ((v = number(optarg, 1, 100000)) < 0)
				return usage();
			ntowns = (unsigned)v;
			break;
		case 'H':
			if ((v = number(optarg, 0, 100)) < 0)
				return usage();
			hitpct = (unsigned)v;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2 || number(argv[0], 0, 2000000000) < 0)
		return usage();
	n = strtoul(argv[0], NULL, 10);
	rng = argc > 1 ? strtoull(argv[1], NULL, 10) : 20170227;
	if (strcmp(sheet, "findings") == 0)
		findings(n);
	else if (strcmp(sheet, "roster") == 0)
		roster(n);
	else if (strcmp(sheet, "penalties") == 0)
		penalties(n);
	else {
		fprintf(stderr, "gen: unknown sheet '%s'\n", sheet);
		return 64;
	}
	return ferror(stdout) ? 74 : 0;
}
