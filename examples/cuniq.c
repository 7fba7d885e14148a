/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cuniq: uniq -c in capability mode.
 *
 * The FreeBSD way to capsicumize a filter: open everything first, limit
 * each descriptor to what the program does with it, load what libc loads
 * lazily, then enter capability mode.  From there on the program can read
 * its input and write its output and nothing else, whatever a bug in the
 * line handling lets an attacker do.
 *
 * usage: cuniq [-x] [file]    (-x: also show escape attempts, refused)
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <capsicum_helpers.h>
#include <sys/capsicum.h>

static void
attempt(const char *what, long ret)
{

	if (ret >= 0)
		fprintf(stderr, "cuniq: %-42s SUCCEEDED (bad)\n", what);
	else
		fprintf(stderr, "cuniq: %-42s refused: %s (errno %d)\n", what,
		    strerror(errno), errno);
}

/* What a compromised parser might try; raw system calls, not libc. */
static void
escape_attempts(int in)
{

	attempt("open(\"/etc/passwd\")", syscall(SYS_open, "/etc/passwd",
	    O_RDONLY));
	attempt("openat(AT_FDCWD, \"/etc/shadow\")", syscall(SYS_openat,
	    AT_FDCWD, "/etc/shadow", O_RDONLY));
	attempt("write(input, ...)", syscall(SYS_write, in, "x", 1));
	attempt("dup2(input, 99) to shed its rights", syscall(SYS_dup2, in,
	    99));
	attempt("kill(parent, SIGTERM)", syscall(SYS_kill, getppid(), 0));
	attempt("socket(AF_INET, SOCK_DGRAM)", syscall(SYS_socket, 2, 2, 0));
}

int
main(int argc, char **argv)
{
	cap_rights_t rights;
	char *line, *prev;
	size_t cap, prevcap;
	ssize_t len;
	long count;
	FILE *in;
	int ch, xflag;

	xflag = 0;
	while ((ch = getopt(argc, argv, "x")) != -1) {
		if (ch != 'x') {
			fprintf(stderr, "usage: cuniq [-x] [file]\n");
			return (2);
		}
		xflag = 1;
	}
	argc -= optind;
	argv += optind;

	/* 1. Acquire: the input file, or stdin. */
	if (argc > 0) {
		if ((in = fopen(argv[0], "r")) == NULL)
			err(1, "%s", argv[0]);
	} else {
		in = stdin;
	}
	/* 2. Limit: the input is read, the output written.  stdin, when it
	 * is the input, gets caph_limit_stdio()'s stream rights. */
	if (caph_limit_stdio() < 0)
		err(1, "caph_limit_stdio");
	cap_rights_init(&rights, CAP_READ, CAP_FSTAT, CAP_SEEK, CAP_EVENT);
	if (in != stdin && caph_rights_limit(fileno(in), &rights) < 0)
		err(1, "cap_rights_limit");
	/* 3. Preload: error messages, then enter. */
	caph_cache_catpages();
	if (caph_enter() < 0)
		err(1, "cap_enter");

	line = prev = NULL;
	cap = prevcap = 0;
	count = 0;
	while ((len = getline(&line, &cap, in)) != -1) {
		if (prev != NULL && strcmp(line, prev) == 0) {
			count++;
			continue;
		}
		if (prev != NULL)
			printf("%7ld %s", count, prev);
		if (prevcap < cap) {
			free(prev);
			prevcap = cap;
			if ((prev = malloc(prevcap)) == NULL)
				err(1, "malloc");
		}
		memcpy(prev, line, (size_t)len + 1);
		count = 1;
	}
	if (ferror(in))
		err(1, "read");
	if (prev != NULL)
		printf("%7ld %s", count, prev);
	if (fflush(stdout) != 0)
		err(1, "write");
	if (xflag)
		escape_attempts(fileno(in));
	free(line);
	free(prev);
	return (0);
}
