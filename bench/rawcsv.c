/*
 * rawcsv - the yardstick of make bench: libcsv's raw parse of a file with
 * callbacks that only count fields and records (DESIGN.md "Performance").
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <csv.h>

static unsigned long nfields, nrecords;

static void
cb1(void *s, size_t n, void *data)
{
	(void)s;
	(void)n;
	(void)data;
	nfields++;
}

static void
cb2(int c, void *data)
{
	(void)c;
	(void)data;
	nrecords++;
}

int
main(int argc, char *argv[])
{
	static char buf[64 * 1024];
	struct csv_parser p;
	ssize_t n;
	int fd = 0;

	if (argc > 1 && (fd = open(argv[1], O_RDONLY)) == -1) {
		perror(argv[1]);
		return 66;
	}
	if (csv_init(&p, CSV_STRICT) != 0)
		return 71;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (csv_parse(&p, buf, (size_t)n, cb1, cb2, NULL) !=
		    (size_t)n) {
			fprintf(stderr, "rawcsv: %s\n",
			    csv_strerror(csv_error(&p)));
			return 65;
		}
	csv_fini(&p, cb1, cb2, NULL);
	csv_free(&p);
	printf("%lu records, %lu fields\n", nrecords, nfields);
	return 0;
}
