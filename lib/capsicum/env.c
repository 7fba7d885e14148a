/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The environment, and numbers as text, without libc.
 *
 * cap_enter() usually runs in a freshly forked process, where each page
 * first touched costs a fault: glibc's setenv() took 17 us there (its
 * code, malloc, the tsearch tree of values), getenv() 3-4 us a call and
 * the first snprintf() 14 us (measured with clock_gettime around each
 * step in forked children on the project VM).  These do the same with
 * the library's own code and one page of static memory.
 */
#include <stddef.h>
#include <stdlib.h>

#include "capsicum_impl.h"

extern char **environ;

/* Does entry start with "name="? */
static const char *
env_match(const char *entry, const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		if (entry[i] != name[i])
			return (NULL);
	}
	return (entry[i] == '=' ? entry + i + 1 : NULL);
}

const char *
capsicum_getenv(const char *name)
{
	char **e;
	const char *v;

	for (e = environ; e != NULL && *e != NULL; e++) {
		if ((v = env_match(*e, name)) != NULL)
			return (v);
	}
	return (NULL);
}

/*
 * Make entry ("NAME=value", which the caller keeps alive) part of the
 * environment.  The new array (static: the library sets one variable) is
 * built whole and then published with one store, so a reader in another thread sees the old or the new one; glibc
 * treats an array it did not allocate as the program's and copies it on
 * its next setenv().  Like setenv(), not safe against a concurrent
 * setenv() in another thread.
 */
int
capsicum_setenv_static(char *entry)
{
	static char *small[64];
	char **e, **ne;
	size_t n, i, len;

	for (len = 0; entry[len] != '=' && entry[len] != '\0'; len++)
		continue;
	if (entry[len] != '=')
		return (-1);
	for (n = 0, e = environ; e != NULL && *e != NULL; e++, n++) {
		for (i = 0; i < len && (*e)[i] == entry[i]; i++)
			continue;
		if (i == len && (*e)[len] == '=') {
			*e = entry;
			return (0);
		}
	}
	/* Too many, or the array is already ours: libc's way. */
	if (n + 2 > sizeof(small) / sizeof(small[0]) || environ == small)
		return (putenv(entry) == 0 ? 0 : -1);
	ne = small;
	for (i = 0; i < n; i++)
		ne[i] = environ[i];
	ne[n] = entry;
	ne[n + 1] = NULL;
	environ = ne;
	return (0);
}

char *
capsicum_utoa(unsigned long n, char buf[CAPSICUM_UTOA_LEN])
{
	char *p;

	p = buf + CAPSICUM_UTOA_LEN - 1;
	*p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	return (p);
}
