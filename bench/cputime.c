/*
 * cputime - run a command and print its exit status, user and system CPU
 * seconds to the microsecond, and peak resident set in KB, on one line to
 * stderr or to the file of -o FILE.  /usr/bin/time prints hundredths,
 * which is a fifth of a 100,000-row run of make bench.
 *
 *	cputime [-o FILE] COMMAND [ARG ...]
 */
#include <sys/resource.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage ru;
	const char *outpath = NULL;
	FILE *out = stderr;
	pid_t pid;
	int st, code;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		outpath = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: cputime [-o FILE] COMMAND [ARG ...]\n");
		return 64;
	}
	if ((pid = fork()) == -1) {
		perror("cputime: fork");
		return 71;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "cputime: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR) {
			perror("cputime: wait4");
			return 71;
		}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		perror(outpath);
		return 73;
	}
	fprintf(out, "%d %ld.%06ld %ld.%06ld %ld\n", code,
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
	if (out != stderr)
		fclose(out);
	return code;
}
