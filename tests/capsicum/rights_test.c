/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cap_rights_t operations: layout, constants and the pure functions.
 * Expected values are FreeBSD's, computed from its header definitions
 * (freebsd-api.md §1).
 */
#include <signal.h>
#include <string.h>

#include <sys/capsicum.h>

#include "harness.h"

Test(rights_layout, two_words_of_64_bits)
{
	cap_rights_t r;

	cr_assert_eq(sizeof(cap_rights_t), 16);
	cr_assert_eq(CAP_RIGHTS_VERSION, 0);
	CAP_NONE(&r);
	cr_assert_eq(r.cr_rights[0], 0x0200000000000000ULL);
	cr_assert_eq(r.cr_rights[1], 0x0400000000000000ULL);
	cr_assert_eq(CAPARSIZE(&r), 2);
	cr_assert_eq(CAPVER(&r), 0);
}

Test(rights_layout, freebsd_values)
{

	cr_assert_eq(CAP_READ, 0x0200000000000001ULL);
	cr_assert_eq(CAP_WRITE, 0x0200000000000002ULL);
	cr_assert_eq(CAP_SEEK, 0x020000000000000CULL);
	cr_assert_eq(CAP_PREAD, 0x020000000000000DULL);
	cr_assert_eq(CAP_MMAP_X, 0x020000000000003CULL);
	cr_assert_eq(CAP_MMAP_RWX, 0x020000000000003FULL);
	cr_assert_eq(CAP_LOOKUP, 0x0200000000000400ULL);
	cr_assert_eq(CAP_FSTATAT, 0x0200000000080400ULL);
	cr_assert_eq(CAP_UNLINKAT, 0x0200000010000400ULL);
	cr_assert_eq(CAP_ACCEPT, 0x0200000020000000ULL);
	cr_assert_eq(CAP_BINDAT, 0x0200008000000400ULL);
	cr_assert_eq(CAP_RENAMEAT_TARGET, 0x0200040000000400ULL);
	cr_assert_eq(CAP_ALL0, 0x020007FFFFFFFFFFULL);
	cr_assert_eq(CAP_MAC_GET, 0x0400000000000001ULL);
	cr_assert_eq(CAP_EVENT, 0x0400000000000020ULL);
	cr_assert_eq(CAP_IOCTL, 0x0400000000000080ULL);
	cr_assert_eq(CAP_PDKILL, 0x0400000000000800ULL);
	cr_assert_eq(CAP_KQUEUE_CHANGE, 0x0400000000100000ULL);
	cr_assert_eq(CAP_KQUEUE, 0x0400000000100040ULL);
	cr_assert_eq(CAP_RECV, CAP_READ);
	cr_assert_eq(CAP_SEND, CAP_WRITE);
	cr_assert_eq(CAP_POLL_EVENT, CAP_EVENT);
	cr_assert_eq(ENOTCAPABLE, 135);
	cr_assert_eq(ECAPMODE, 134);
	cr_assert_eq(CAP_IOCTLS_ALL, (ssize_t)(~(size_t)0 >> 1));
}

Test(rights_layout, linux_rights_in_unused_bits)
{
	uint64_t freebsd1 = CAPRIGHT(1, 0x1FFFFFULL);
	uint64_t linux1[] = { CAP_PDGETFD, CAP_SETNS, CAP_FSIGNAL,
	    CAP_SIGNALFD, CAP_NOTIFY_MARK, CAP_EPOLL_CTL };
	unsigned int i;

	for (i = 0; i < sizeof(linux1) / sizeof(linux1[0]); i++) {
		cr_assert_eq(CAPIDXBIT(linux1[i]), 2);
		cr_assert_eq(linux1[i] & freebsd1 & 0x01FFFFFFFFFFFFFFULL, 0,
		    "Linux right %d overlaps FreeBSD's", i);
		cr_assert_eq(linux1[i] & ~CAP_ALL1, 0);
	}
}

Test(rights_layout, fcntl_bits_use_linux_numbers)
{

	cr_assert_eq(CAP_FCNTL_GETFL, 1U << F_GETFL);
	cr_assert_eq(CAP_FCNTL_SETFL, 1U << F_SETFL);
	cr_assert_eq(CAP_FCNTL_GETOWN, 1U << F_GETOWN);
	cr_assert_eq(CAP_FCNTL_SETOWN, 1U << F_SETOWN);
	cr_assert_eq(CAP_FCNTL_ALL, 0x318);
}

Test(cap_rights_init, returns_pointer_and_sets_both_words)
{
	cap_rights_t r, *p;

	p = cap_rights_init(&r, CAP_READ, CAP_EVENT, CAP_FSTAT);
	cr_assert_eq(p, &r);
	cr_assert(cap_rights_is_set(&r, CAP_READ));
	cr_assert(cap_rights_is_set(&r, CAP_EVENT));
	cr_assert(cap_rights_is_set(&r, CAP_READ, CAP_FSTAT, CAP_EVENT));
	cr_assert_not(cap_rights_is_set(&r, CAP_WRITE));
	cr_assert_not(cap_rights_is_set(&r, CAP_READ, CAP_WRITE));
	cr_assert(cap_rights_is_valid(&r));
}

Test(cap_rights_init, empty_is_none)
{
	cap_rights_t r;

	cap_rights_init(&r);
	cr_assert(cap_rights_is_empty(&r));
	cr_assert(cap_rights_is_valid(&r));
}

Test(cap_rights_set, adds_and_returns_pointer)
{
	cap_rights_t r;

	cap_rights_init(&r, CAP_READ);
	cr_assert_eq(cap_rights_set(&r, CAP_WRITE, CAP_IOCTL), &r);
	cr_assert(cap_rights_is_set(&r, CAP_READ, CAP_WRITE, CAP_IOCTL));
}

Test(cap_rights_clear, keeps_index_bits)
{
	cap_rights_t r;

	cap_rights_init(&r, CAP_READ, CAP_WRITE, CAP_EVENT);
	cr_assert_eq(cap_rights_clear(&r, CAP_WRITE, CAP_EVENT), &r);
	cr_assert(cap_rights_is_set(&r, CAP_READ));
	cr_assert_not(cap_rights_is_set(&r, CAP_WRITE));
	cr_assert_not(cap_rights_is_set(&r, CAP_EVENT));
	cr_assert(cap_rights_is_valid(&r));
	/* Clearing a composite clears its bits, including shared ones. */
	cap_rights_init(&r, CAP_LOOKUP, CAP_FSTAT);
	cap_rights_clear(&r, CAP_FSTATAT);
	cr_assert_not(cap_rights_is_set(&r, CAP_LOOKUP));
	cr_assert(cap_rights_is_empty(&r));
}

Test(cap_rights_is_set, composite_needs_every_bit)
{
	cap_rights_t r;

	cap_rights_init(&r, CAP_SEEK_TELL, CAP_READ);
	cr_assert_not(cap_rights_is_set(&r, CAP_PREAD));
	cap_rights_set(&r, CAP_SEEK);
	cr_assert(cap_rights_is_set(&r, CAP_PREAD));
}

Test(cap_rights_is_valid, rejects_malformed)
{
	cap_rights_t r;

	cap_rights_init(&r, CAP_READ);
	cr_assert(cap_rights_is_valid(&r));
	r.cr_rights[0] |= 1ULL << 62;		/* version 1 */
	cr_assert_not(cap_rights_is_valid(&r));
	cap_rights_init(&r, CAP_READ);
	r.cr_rights[1] = CAPRIGHT(0, 0);	/* wrong index in word 1 */
	cr_assert_not(cap_rights_is_valid(&r));
	cap_rights_init(&r, CAP_READ);
	r.cr_rights[0] |= CAP_UNUSED0_44;	/* unassigned bit */
	cr_assert_not(cap_rights_is_valid(&r));
	cap_rights_init(&r, CAP_READ);
	r.cr_rights[1] |= 1ULL << 63;		/* version bits in word 1 */
	cr_assert_not(cap_rights_is_valid(&r));
	cr_assert_not(cap_rights_is_valid(NULL));
}

Test(cap_rights_merge, union_of_both_words)
{
	cap_rights_t a, b;

	cap_rights_init(&a, CAP_READ, CAP_EVENT);
	cap_rights_init(&b, CAP_WRITE, CAP_IOCTL);
	cr_assert_eq(cap_rights_merge(&a, &b), &a);
	cr_assert(cap_rights_is_set(&a, CAP_READ, CAP_WRITE, CAP_EVENT,
	    CAP_IOCTL));
	cr_assert(cap_rights_is_valid(&a));
}

Test(cap_rights_remove, difference)
{
	cap_rights_t a, b;

	cap_rights_init(&a, CAP_READ, CAP_WRITE, CAP_EVENT);
	cap_rights_init(&b, CAP_WRITE, CAP_EVENT);
	cr_assert_eq(cap_rights_remove(&a, &b), &a);
	cr_assert(cap_rights_is_set(&a, CAP_READ));
	cr_assert_not(cap_rights_is_set(&a, CAP_WRITE));
	cr_assert_not(cap_rights_is_set(&a, CAP_EVENT));
	cr_assert(cap_rights_is_valid(&a));
}

Test(cap_rights_contains, subset_in_both_words)
{
	cap_rights_t big, little, all, none;

	cap_rights_init(&big, CAP_READ, CAP_WRITE, CAP_EVENT);
	cap_rights_init(&little, CAP_READ, CAP_EVENT);
	cr_assert(cap_rights_contains(&big, &little));
	cr_assert_not(cap_rights_contains(&little, &big));
	CAP_ALL(&all);
	CAP_NONE(&none);
	cr_assert(cap_rights_contains(&all, &big));
	cr_assert(cap_rights_contains(&big, &none));
	cr_assert(cap_rights_contains(&all, &all));
	cr_assert(cap_rights_is_valid(&all));
}

Test(cap_rights_is_empty, only_none)
{
	cap_rights_t r;

	CAP_NONE(&r);
	cr_assert(cap_rights_is_empty(&r));
	cap_rights_set(&r, CAP_EVENT);
	cr_assert_not(cap_rights_is_empty(&r));
}

/*
 * FreeBSD asserts on a value that is not a right: a programming error,
 * not an errno.  We abort with a message.
 */
Test(cap_rights_set, aborts_on_version_bits, .signal = SIGABRT)
{
	cap_rights_t r;

	cap_rights_init(&r);
	cap_rights_set(&r, CAP_READ | (1ULL << 62));
}

Test(cap_rights_init, aborts_on_bad_index, .signal = SIGABRT)
{
	cap_rights_t r;

	cap_rights_init(&r, 0x0600000000000001ULL);	/* two index bits */
}

Test(cap_rights_is_set, aborts_on_invalid_set, .signal = SIGABRT)
{
	cap_rights_t r;

	memset(&r, 0, sizeof(r));
	(void)cap_rights_is_set(&r, CAP_READ);
}

Test(cap_rights_merge, aborts_on_invalid_source, .signal = SIGABRT)
{
	cap_rights_t a, b;

	cap_rights_init(&a, CAP_READ);
	memset(&b, 0xff, sizeof(b));
	cap_rights_merge(&a, &b);
}

Test(cap_rights_clear, aborts_on_invalid_set, .signal = SIGABRT)
{
	cap_rights_t r;

	memset(&r, 0, sizeof(r));
	cap_rights_clear(&r, CAP_READ);
}

Test(cap_rights_remove, aborts_on_invalid, .signal = SIGABRT)
{
	cap_rights_t a, b;

	cap_rights_init(&a, CAP_READ);
	memset(&b, 0, sizeof(b));
	cap_rights_remove(&a, &b);
}

Test(cap_rights_contains, aborts_on_invalid, .signal = SIGABRT)
{
	cap_rights_t a, b;

	cap_rights_init(&a, CAP_READ);
	memset(&b, 0, sizeof(b));
	(void)cap_rights_contains(&a, &b);
}

Test(cap_rights_is_empty, aborts_on_invalid, .signal = SIGABRT)
{
	cap_rights_t r;

	memset(&r, 0, sizeof(r));
	(void)cap_rights_is_empty(&r);
}

Test(cap_rights_init, aborts_on_unknown_version, .signal = SIGABRT)
{
	cap_rights_t r;

	__cap_rights_init(1, &r, CAP_READ, 0ULL);
}
