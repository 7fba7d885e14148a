/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The escape suites' scratch trees: build one in a fresh temporary
 * directory, run a child in it, remove it.  Everything is made readable
 * and writable by all, since every suite also runs as uid 65534.
 */
#ifndef CAPSICUM_TESTS_ESCAPE_TREE_H
#define	CAPSICUM_TESTS_ESCAPE_TREE_H

#include "harness.h"

static inline void
tree_file(const char *d, const char *name, const char *text)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	cr_assert(fd >= 0 && write(fd, text, strlen(text)) ==
	    (ssize_t)strlen(text), "%s: %s", p, strerror(errno));
	close(fd);
}

static inline void
tree_mkdir(const char *d, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", d, name);
	cr_assert(mkdir(p, 0755) == 0, "%s: %s", p, strerror(errno));
}

static inline void
tree_symlink(const char *d, const char *name, const char *target)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", d, name);
	cr_assert(symlink(target, p) == 0, "%s: %s", p, strerror(errno));
}

static inline void
tree_open_to_all(const char *d)
{
	char p[600];

	snprintf(p, sizeof(p), "chmod -R a+rwX '%s'", d);
	cr_assert(system(p) == 0);
}

/* Run fn(root) in a child (timeout in seconds) on a tree made by make(). */
#define	IN_TREE_OF(make, fn, timeout) do {				\
	char *root_ = (make)();						\
	int st_ = run_child_timeout((fn), root_, (timeout));		\
	test_rmtree(root_);						\
	free(root_);							\
	SKIP_IF_SKIPPED(st_);						\
	cr_assert(WIFEXITED(st_) && WEXITSTATUS(st_) == 0,		\
	    "child %s: %s %d", #fn, WIFEXITED(st_) ? "exit" : "signal",	\
	    WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_));		\
} while (0)

#endif /* !CAPSICUM_TESTS_ESCAPE_TREE_H */
