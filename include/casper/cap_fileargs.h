/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capsicum for Linux: the system.fileargs Casper service.
 *
 * Source compatible with FreeBSD's <casper/cap_fileargs.h>.  A program
 * names the files it will need (usually its arguments) before cap_enter();
 * afterwards a service process opens, lstat()s or resolves exactly those
 * names for it, and descriptors come back limited to the rights given.
 *
 * Without Casper (WITHOUT_CASPER) every function is the plain libc call
 * with the flags and mode given at initialisation.
 */
#ifndef _CASPER_CAP_FILEARGS_H_
#define	_CASPER_CAP_FILEARGS_H_

#include <sys/types.h>
#include <sys/capsicum.h>
#include <sys/stat.h>
#include <sys/nv.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <libcasper.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	FA_OPEN		1
#define	FA_LSTAT	2
#define	FA_REALPATH	4

#ifdef WITH_CASPER

struct fileargs;
typedef struct fileargs fileargs_t;

fileargs_t	*fileargs_init(int argc, char *argv[], int flags, mode_t mode,
		    cap_rights_t *rightsp, int operations);
fileargs_t	*fileargs_cinit(cap_channel_t *cas, int argc, char *argv[],
		    int flags, mode_t mode, cap_rights_t *rightsp,
		    int operations);
fileargs_t	*fileargs_initnv(nvlist_t *limits);
fileargs_t	*fileargs_cinitnv(cap_channel_t *cas, nvlist_t *limits);

int	 fileargs_lstat(fileargs_t *fa, const char *name, struct stat *sb);
int	 fileargs_open(fileargs_t *fa, const char *name);
FILE	*fileargs_fopen(fileargs_t *fa, const char *name, const char *mode);
char	*fileargs_realpath(fileargs_t *fa, const char *pathname,
	    char *reserved_path);
void	 fileargs_free(fileargs_t *fa);

fileargs_t	*fileargs_wrap(cap_channel_t *chan, int fdflags);
cap_channel_t	*fileargs_unwrap(fileargs_t *fa, int *fdflags);

#else /* !WITH_CASPER */

typedef struct fileargs {
	int	fa_flags;
	mode_t	fa_mode;
} fileargs_t;

static inline fileargs_t *
fileargs_init(int argc, char *argv[], int flags, mode_t mode,
    cap_rights_t *rightsp, int operations)
{
	fileargs_t *fa;

	(void)argc;
	(void)argv;
	(void)rightsp;
	(void)operations;
	if ((fa = (fileargs_t *)malloc(sizeof(*fa))) != NULL) {
		fa->fa_flags = flags;
		fa->fa_mode = mode;
	}
	return (fa);
}

static inline fileargs_t *
fileargs_cinit(cap_channel_t *cas, int argc, char *argv[], int flags,
    mode_t mode, cap_rights_t *rightsp, int operations)
{
	(void)cas;
	return (fileargs_init(argc, argv, flags, mode, rightsp, operations));
}

static inline fileargs_t *
fileargs_initnv(nvlist_t *limits)
{
	fileargs_t *fa;
	int flags;
	mode_t mode;

	flags = nvlist_exists_number(limits, "flags") ?
	    (int)nvlist_get_number(limits, "flags") : 0;
	mode = nvlist_exists_number(limits, "mode") ?
	    (mode_t)nvlist_get_number(limits, "mode") : 0;
	fa = fileargs_init(0, NULL, flags, mode, NULL, 0);
	nvlist_destroy(limits);
	return (fa);
}

static inline fileargs_t *
fileargs_cinitnv(cap_channel_t *cas, nvlist_t *limits)
{
	(void)cas;
	return (fileargs_initnv(limits));
}

static inline int
fileargs_lstat(fileargs_t *fa, const char *name, struct stat *sb)
{
	(void)fa;
	return (lstat(name, sb));
}

static inline int
fileargs_open(fileargs_t *fa, const char *name)
{
	return (open(name, fa->fa_flags, fa->fa_mode));
}

static inline FILE *
fileargs_fopen(fileargs_t *fa, const char *name, const char *mode)
{
	(void)fa;
	return (fopen(name, mode));
}

static inline char *
fileargs_realpath(fileargs_t *fa, const char *pathname, char *reserved_path)
{
	(void)fa;
	return (realpath(pathname, reserved_path));
}

static inline void
fileargs_free(fileargs_t *fa)
{
	free(fa);
}

static inline fileargs_t *
fileargs_wrap(cap_channel_t *chan, int fdflags)
{
	cap_close(chan);
	return (fileargs_init(0, NULL, fdflags, 0, NULL, 0));
}

static inline cap_channel_t *
fileargs_unwrap(fileargs_t *fa, int *fdflags)
{
	if (fdflags != NULL)
		*fdflags = fa->fa_flags;
	fileargs_free(fa);
	return (cap_init());
}

#endif /* WITH_CASPER */

#ifdef __cplusplus
}
#endif

#endif /* !_CASPER_CAP_FILEARGS_H_ */
