/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Operations on cap_rights_t values.  Pure functions of their arguments;
 * nothing here talks to the kernel.
 *
 * FreeBSD asserts on malformed rights in these functions; a malformed right
 * is a programming error, not a run-time condition.  We do the same, always
 * (not only without NDEBUG), and say which value was wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/capsicum.h>

#include "capsicum_impl.h"

#define	RIGHTS_MASK	0x01FFFFFFFFFFFFFFULL	/* clears version and index */

/* Word index of a right, from its one-hot index bits; -1 if malformed. */
static int
right_to_index(uint64_t right)
{
	switch (CAPIDXBIT(right)) {
	case 1:
		return (0);
	case 2:
		return (1);
	default:
		return (-1);
	}
}

static _Noreturn void
bad_right(const char *func, uint64_t right)
{

	fprintf(stderr, "%s: invalid capability right 0x%016llx\n", func,
	    (unsigned long long)right);
	abort();
}

static _Noreturn void
bad_rights(const char *func, const cap_rights_t *rights)
{

	fprintf(stderr, "%s: invalid cap_rights_t {0x%016llx, 0x%016llx}\n",
	    func, (unsigned long long)rights->cr_rights[0],
	    (unsigned long long)rights->cr_rights[1]);
	abort();
}

/*
 * Check one right given to a variadic function: version bits zero and a
 * valid word index.
 */
static int
check_right(const char *func, uint64_t right)
{
	int idx;

	idx = right_to_index(right);
	if (CAPRVER(right) != 0 || idx < 0)
		bad_right(func, right);
	return (idx);
}

static void
check_rights(const char *func, const cap_rights_t *rights)
{

	if (!cap_rights_is_valid(rights))
		bad_rights(func, rights);
}

cap_rights_t *
__cap_rights_init(int version, cap_rights_t *rights, ...)
{
	va_list ap;
	uint64_t right;
	int idx;

	if (version != CAP_RIGHTS_VERSION_00) {
		fprintf(stderr, "cap_rights_init: unknown version %d\n",
		    version);
		abort();
	}
	CAP_NONE(rights);
	va_start(ap, rights);
	while ((right = va_arg(ap, uint64_t)) != 0) {
		idx = check_right("cap_rights_init", right);
		rights->cr_rights[idx] |= right;
	}
	va_end(ap);
	return (rights);
}

cap_rights_t *
__cap_rights_set(cap_rights_t *rights, ...)
{
	va_list ap;
	uint64_t right;
	int idx;

	check_rights("cap_rights_set", rights);
	va_start(ap, rights);
	while ((right = va_arg(ap, uint64_t)) != 0) {
		idx = check_right("cap_rights_set", right);
		rights->cr_rights[idx] |= right;
	}
	va_end(ap);
	return (rights);
}

cap_rights_t *
__cap_rights_clear(cap_rights_t *rights, ...)
{
	va_list ap;
	uint64_t right;
	int idx;

	check_rights("cap_rights_clear", rights);
	va_start(ap, rights);
	while ((right = va_arg(ap, uint64_t)) != 0) {
		idx = check_right("cap_rights_clear", right);
		rights->cr_rights[idx] &= ~(right & RIGHTS_MASK);
	}
	va_end(ap);
	return (rights);
}

bool
__cap_rights_is_set(const cap_rights_t *rights, ...)
{
	va_list ap;
	uint64_t right;
	bool ret;
	int idx;

	check_rights("cap_rights_is_set", rights);
	ret = true;
	va_start(ap, rights);
	while ((right = va_arg(ap, uint64_t)) != 0) {
		idx = check_right("cap_rights_is_set", right);
		if ((rights->cr_rights[idx] & right) != right)
			ret = false;
	}
	va_end(ap);
	return (ret);
}

bool
cap_rights_is_valid(const cap_rights_t *rights)
{
	cap_rights_t all;
	int i;

	if (rights == NULL)
		return (false);
	if (CAPVER(rights) != CAP_RIGHTS_VERSION_00)
		return (false);
	CAP_ALL(&all);
	for (i = 0; i < CAPARSIZE_MAX; i++) {
		if (right_to_index(rights->cr_rights[i]) != i)
			return (false);
		if (i > 0 && CAPRVER(rights->cr_rights[i]) != 0)
			return (false);
		if ((rights->cr_rights[i] & ~all.cr_rights[i]) != 0)
			return (false);
	}
	return (true);
}

bool
cap_rights_is_empty(const cap_rights_t *rights)
{
	cap_rights_t none;

	check_rights("cap_rights_is_empty", rights);
	CAP_NONE(&none);
	return (rights->cr_rights[0] == none.cr_rights[0] &&
	    rights->cr_rights[1] == none.cr_rights[1]);
}

cap_rights_t *
cap_rights_merge(cap_rights_t *dst, const cap_rights_t *src)
{
	int i;

	check_rights("cap_rights_merge", dst);
	check_rights("cap_rights_merge", src);
	for (i = 0; i < CAPARSIZE_MAX; i++)
		dst->cr_rights[i] |= src->cr_rights[i];
	return (dst);
}

cap_rights_t *
cap_rights_remove(cap_rights_t *dst, const cap_rights_t *src)
{
	int i;

	check_rights("cap_rights_remove", dst);
	check_rights("cap_rights_remove", src);
	for (i = 0; i < CAPARSIZE_MAX; i++)
		dst->cr_rights[i] &= ~(src->cr_rights[i] & RIGHTS_MASK);
	return (dst);
}

bool
cap_rights_contains(const cap_rights_t *big, const cap_rights_t *little)
{
	int i;

	check_rights("cap_rights_contains", big);
	check_rights("cap_rights_contains", little);
	for (i = 0; i < CAPARSIZE_MAX; i++) {
		if ((big->cr_rights[i] & little->cr_rights[i]) !=
		    little->cr_rights[i])
			return (false);
	}
	return (true);
}

/* Internal: true if the two rights sets are equal. */
bool
capsicum_rights_equal(const cap_rights_t *a, const cap_rights_t *b)
{

	return (a->cr_rights[0] == b->cr_rights[0] &&
	    a->cr_rights[1] == b->cr_rights[1]);
}
