/* wz_cli.c - see wz_cli.h. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "wz_base.h"
#include "wz_cli.h"
#include "wz_rules.h"
#include "wz_rx.h"

void
wz_cli_init(struct wz_cli *c, char **argv, void (*usage)(FILE *))
{
	setlocale(LC_ALL, "");
	wz_setprogname(argv[0]);
	/* getopt's own messages (an unknown option) begin with argv[0]:
	 * the program's name, as ours do, not the path it was run by */
	argv[0] = (char *)wz_progname;
	signal(SIGPIPE, SIG_IGN);
	memset(c, 0, sizeof(*c));
	c->usage = usage;
}

void
wz_cli_usage_error(struct wz_cli *c, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		wz_vmsg(NULL, 0, fmt, ap);
		va_end(ap);
	}
	if (c->usage != NULL)
		c->usage(stderr);
	exit(EX_USAGE);
}

static const char *
encoding_arg(struct wz_cli *c, const char *opt, const char *arg)
{
	if (strcasecmp(arg, "UTF-8") == 0 || strcasecmp(arg, "UTF8") == 0)
		return "UTF-8";
	if (strcasecmp(arg, "GB18030") == 0)
		return "GB18030";
	if (strcasecmp(arg, "GBK") == 0 || strcasecmp(arg, "GB2312") == 0)
		return "GBK";
	wz_cli_usage_error(c, "%s: unknown encoding '%s' (UTF-8, GB18030 or "
	    "GBK)", opt, arg);
}

static size_t
size_arg(struct wz_cli *c, const char *opt, const char *arg)
{
	size_t v;

	if (wz_parse_size(arg, &v) == -1 || v == 0)
		wz_cli_usage_error(c, "%s: '%s' is not a size (e.g. 64M)",
		    opt, arg);
	return v;
}

/* A count from 1 to max, or exit 64. */
static unsigned long
count_arg(struct wz_cli *c, const char *opt, const char *arg,
    long long max)
{
	const char *es;
	long long v;

	v = wz_strtonum(arg, 1, max, &es);
	if (es != NULL)
		wz_cli_usage_error(c, "%s: '%s' is %s", opt, arg, es);
	return (unsigned long)v;
}

int
wz_cli_option(struct wz_cli *c, int ch, const char *arg)
{
	const char *es;

	switch (ch) {
	case 't':
		c->in.tsv = c->out.tsv = 1;
		return 1;
	case WZ_OPT_ENCODING:
		c->in.encoding = encoding_arg(c, "--encoding", arg);
		return 1;
	case WZ_OPT_OUT_ENCODING:
		c->out.encoding = encoding_arg(c, "--out-encoding", arg);
		return 1;
	case WZ_OPT_SKIP:
		c->in.skip = (unsigned long)wz_strtonum(arg, 0, 1000000, &es);
		if (es != NULL)
			wz_cli_usage_error(c, "--skip: '%s' is %s", arg, es);
		return 1;
	case WZ_OPT_NO_HEADER:
		c->in.no_header = 1;
		return 1;
	case WZ_OPT_EXCEL:
		c->out.bom = 1;
		return 1;
	case WZ_OPT_EXCEL_SAFE:
		c->out.excel_safe = 1;
		return 1;
	case WZ_OPT_MAX_FIELD:
		c->in.max_field = size_arg(c, "--max-field", arg);
		return 1;
	case WZ_OPT_MAX_ROW:
		c->in.max_row = size_arg(c, "--max-row", arg);
		return 1;
	case WZ_OPT_MAX_COLS:
		c->in.max_cols = size_arg(c, "--max-cols", arg);
		return 1;
	case WZ_OPT_SHEET:
		if (*arg == '\0')
			wz_cli_usage_error(c, "--sheet: a sheet name or number");
		c->in.sheet = arg;
		return 1;
	case WZ_OPT_MAX_XLSX:
		c->in.max_xlsx = size_arg(c, "--max-xlsx", arg);
		return 1;
	case WZ_OPT_LABELS:
		if (strcmp(arg, "zh") != 0 && strcmp(arg, "en") != 0)
			wz_cli_usage_error(c, "--labels: 'zh' or 'en'");
		c->labels = arg;
		return 1;
	case WZ_OPT_MAX_RULES:
		c->max_rules = count_arg(c, "--max-rules", arg, 10000000);
		return 1;
	case WZ_OPT_MATCH_LIMIT:
		c->match_limit = count_arg(c, "--match-limit", arg,
		    4000000000LL);
		return 1;
	case WZ_OPT_DEPTH_LIMIT:
		c->depth_limit = count_arg(c, "--depth-limit", arg,
		    4000000000LL);
		return 1;
	case WZ_OPT_VERSION:
		printf("%s (wenze) %s\n", wz_progname, WZ_VERSION);
		exit(0);
	case WZ_OPT_HELP:
		if (c->usage != NULL)
			c->usage(stdout);
		wz_cli_common_help(stdout);
		exit(0);
	case '?':
		wz_cli_usage_error(c, NULL);
	default:
		return 0;
	}
}

void
wz_cli_common_help(FILE *fp)
{
	fputs(
"Stream options (every program):\n"
"  -t, --tsv              read and write TSV (\\t \\n \\r \\\\ escaped)\n"
"      --encoding ENC     input is UTF-8 (default), GB18030 or GBK\n"
"      --out-encoding ENC write GB18030 or GBK instead of UTF-8\n"
"      --excel            write a UTF-8 BOM so Excel reads the CSV right\n"
"      --excel-safe       neutralise cells that start with = + - @\n"
"      --skip N           skip N rows above the header\n"
"      --no-header        the input has no header; columns are 1, 2, ...\n"
"      --max-field SIZE   longest field accepted (default 8M)\n"
"      --max-row SIZE     largest record accepted (default 32M)\n"
"      --max-cols N       most fields in a record (default 10000)\n"
"      --sheet NAME|N     .xlsx input: this sheet (default: the first shown)\n"
"      --max-xlsx SIZE    .xlsx input: most bytes inflated (default 256M)\n"
"      --labels zh|en     add labels beside codes\n"
"      --help, --version\n"
"Exit status: 0 ok, 1 rows rejected, 64 usage, 65 data error,\n"
"66 cannot open input, 74 I/O error, 78 bad rule or config file.\n",
	    fp);
}

void
wz_cli_rules_help(FILE *fp)
{
	fputs(
"Rule limits:\n"
"      --max-rules N      most articles in a document and in all (100000)\n"
"      --match-limit N    PCRE2 match limit per pattern and row (1000000)\n"
"      --depth-limit N    PCRE2 depth limit per pattern and row (1000)\n"
"A row on which a pattern reaches a limit is reported, never taken as\n"
"a row the pattern does not match.\n",
	    fp);
}

struct wz_ruleset *
wz_cli_rules_new(const struct wz_cli *c)
{
	struct wz_ruleset *rs;

	if (c->match_limit > 0 || c->depth_limit > 0)
		wz_rx_set_limits(c->match_limit > 0 ? c->match_limit :
		    WZ_RX_MATCH_LIMIT, c->depth_limit > 0 ? c->depth_limit :
		    WZ_RX_DEPTH_LIMIT);
	rs = wz_rules_new();
	if (c->max_rules > 0)
		rs->max_rules = c->max_rules;
	return rs;
}

struct wz_writer *
wz_cli_stdout(struct wz_cli *c)
{
	struct wz_writer *w = wz_writer_new(STDOUT_FILENO, "<stdout>", &c->out);

	if (w == NULL)
		wz_cli_usage_error(c, "unsupported output encoding");
	return w;
}

struct wz_reader *
wz_cli_open(struct wz_cli *c, const char *path)
{
	struct wz_reader *r = wz_reader_open(path, &c->in);

	if (r == NULL)
		wz_sysmsg(path, "cannot open");
	return r;
}

void
wz_cli_reader_msg(struct wz_reader *r)
{
	wz_msg(wz_reader_name(r), wz_reader_errline(r), "%s",
	    wz_reader_error(r));
}

int
wz_cli_finish(struct wz_writer *w, int status)
{
	if (w != NULL && wz_writer_close(w) != 0 && status < EX_IOERR)
		return EX_IOERR;
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return status;
		wz_sysmsg("<stdout>", "write error");
		return EX_IOERR;
	}
	return status;
}
