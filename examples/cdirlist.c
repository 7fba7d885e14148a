/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cdirlist: list a directory and the size of each regular file in it,
 * from capability mode, holding only a read-only directory capability.
 *
 * Shows a directory capability in use (fdopendir, openat beneath it) and
 * what it does not allow: paths outside it, writes inside it.
 *
 * usage: cdirlist [-x] directory
 */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <capsicum_helpers.h>
#include <sys/capsicum.h>

static void
attempt(const char *what, long ret)
{

	if (ret >= 0)
		fprintf(stderr, "cdirlist: %-40s SUCCEEDED (bad)\n", what);
	else
		fprintf(stderr, "cdirlist: %-40s refused: %s (errno %d)\n",
		    what, strerror(errno), errno);
}

int
main(int argc, char **argv)
{
	cap_rights_t rights;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd, fd, xflag;

	xflag = argc > 2 && strcmp(argv[1], "-x") == 0;
	if (argc != 2 + xflag) {
		fprintf(stderr, "usage: cdirlist [-x] directory\n");
		return (2);
	}
	dfd = open(argv[1 + xflag], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		err(1, "%s", argv[1 + xflag]);
	/* Look up and read beneath it; nothing else. */
	cap_rights_init(&rights, CAP_LOOKUP, CAP_READ, CAP_FSTAT, CAP_SEEK,
	    CAP_FCNTL);
	if (caph_rights_limit(dfd, &rights) < 0 || caph_limit_stdio() < 0)
		err(1, "limit");
	caph_cache_catpages();
	if (caph_enter() < 0)
		err(1, "cap_enter");

	if ((dir = fdopendir(dup(dfd))) == NULL)
		err(1, "fdopendir");
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0) {
			warn("%s", de->d_name);
			continue;
		}
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			printf("%10lld %s\n", (long long)st.st_size, de->d_name);
		else
			printf("%10s %s\n", "-", de->d_name);
		close(fd);
	}
	closedir(dir);
	fflush(stdout);
	if (xflag) {
		attempt("openat(dir, \"../../../../../../etc/passwd\")", syscall(SYS_openat,
		    dfd, "../../../../../../etc/passwd", O_RDONLY));
		attempt("openat(dir, \"/etc/passwd\")", syscall(SYS_openat,
		    dfd, "/etc/passwd", O_RDONLY));
		attempt("openat(dir, \"new\", O_CREAT)", syscall(SYS_openat,
		    dfd, "new", O_CREAT | O_WRONLY, 0600));
		attempt("unlinkat(dir, first entry)", syscall(SYS_unlinkat,
		    dfd, "a", 0));
		attempt("open(\"/etc/passwd\")", syscall(SYS_open,
		    "/etc/passwd", O_RDONLY));
	}
	return (0);
}
