/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The packed form: golden byte vectors written by hand from the format
 * description (docs/nv.md, FreeBSD's layout), round trips of every type,
 * the other byte order, and malformed input of every kind, which must
 * fail with the documented errno and never crash or leak.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/nv.h>

/* Little- and big-endian integer bytes. */
#define	BY(x, n)	((unsigned char)(((uint64_t)(x) >> (8 * (n))) & 0xff))
#define	L16(x)	BY(x, 0), BY(x, 1)
#define	L64(x)	BY(x, 0), BY(x, 1), BY(x, 2), BY(x, 3),			\
		BY(x, 4), BY(x, 5), BY(x, 6), BY(x, 7)
#define	B16(x)	BY(x, 1), BY(x, 0)
#define	B64(x)	BY(x, 7), BY(x, 6), BY(x, 5), BY(x, 4),			\
		BY(x, 3), BY(x, 2), BY(x, 1), BY(x, 0)

/* List header: magic 'l', version 0, flags, descriptors, size. */
#define	LHDR(fl, nd, sz)	0x6c, 0x00, (fl), L64(nd), L64(sz)
#define	BHDR(fl, nd, sz)	0x6c, 0x00, ((fl) | 0x80), B64(nd), B64(sz)
/* Pair header: type, namesize, datasize, nitems. */
#define	LPAIR(t, ns, ds, ni)	(t), L16(ns), L64(ds), L64(ni)
#define	BPAIR(t, ns, ds, ni)	(t), B16(ns), B64(ds), B64(ni)
/* The UP (255) and NEXT (254) markers: a pair header and an empty name. */
#define	LMARK(t)		LPAIR(t, 1, 0, 0), 0
#define	BMARK(t)		BPAIR(t, 1, 0, 0), 0

static const unsigned char empty_le[] = { LHDR(0, 0, 0) };

static const unsigned char number_le[] = {
	LHDR(0, 0, 29),
	LPAIR(3, 2, 8, 0), 'a', 0, L64(1),
};

/* { "n": { "x": true } } */
static const unsigned char nested_le[] = {
	LHDR(0, 0, 82),
	LPAIR(5, 2, 41, 0), 'n', 0,
	LHDR(0, 0, 42),
	LPAIR(2, 2, 1, 0), 'x', 0, 1,
	LMARK(255),
};
static const unsigned char nested_be[] = {
	BHDR(0, 0, 82),
	BPAIR(5, 2, 41, 0), 'n', 0,
	BHDR(0, 0, 42),
	BPAIR(2, 2, 1, 0), 'x', 0, 1,
	BMARK(255),
};

/* { "a": [ {}, { "b": null } ] } */
static const unsigned char array_le[] = {
	LHDR(0, 0, 120),
	LPAIR(11, 2, 16, 2), 'a', 0,
	LHDR(0, 0, 80),
	LMARK(254),
	LHDR(0, 0, 41),
	LPAIR(1, 2, 0, 0), 'b', 0,
	LMARK(254),
};
static const unsigned char array_be[] = {
	BHDR(0, 0, 120),
	BPAIR(11, 2, 16, 2), 'a', 0,
	BHDR(0, 0, 80),
	BMARK(254),
	BHDR(0, 0, 41),
	BPAIR(1, 2, 0, 0), 'b', 0,
	BMARK(254),
};

/* The value types that need no nesting, in one list. */
static const unsigned char types_le[] = {
	LHDR(0, 0, 138),
	LPAIR(4, 2, 3, 0), 's', 0, 'h', 'i', 0,
	LPAIR(7, 4, 2, 0), 'b', 'i', 'n', 0, 0xde, 0xad,
	LPAIR(8, 3, 2, 2), 'b', 'a', 0, 1, 0,
	LPAIR(9, 3, 16, 2), 'n', 'a', 0, L64(1), L64(0x0102030405060708ULL),
	LPAIR(10, 3, 5, 2), 's', 'a', 0, 'x', 0, 'y', 'z', 0,
};
static const unsigned char types_be[] = {
	BHDR(0, 0, 138),
	BPAIR(4, 2, 3, 0), 's', 0, 'h', 'i', 0,
	BPAIR(7, 4, 2, 0), 'b', 'i', 'n', 0, 0xde, 0xad,
	BPAIR(8, 3, 2, 2), 'b', 'a', 0, 1, 0,
	BPAIR(9, 3, 16, 2), 'n', 'a', 0, B64(1), B64(0x0102030405060708ULL),
	BPAIR(10, 3, 5, 2), 's', 'a', 0, 'x', 0, 'y', 'z', 0,
};

/* NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE, a null twice. */
static const unsigned char flags_le[] = {
	LHDR(3, 0, 42),
	LPAIR(1, 2, 0, 0), 'k', 0,
	LPAIR(1, 2, 0, 0), 'K', 0,
};

static bool
host_is_le(void)
{
	uint16_t one = 1;

	return (*(unsigned char *)&one == 1);
}

static void
assert_packs_to(const nvlist_t *nvl, const unsigned char *want, size_t len)
{
	unsigned char *buf;
	size_t size, i;

	cr_assert_eq(nvlist_size(nvl), len);
	buf = nvlist_pack(nvl, &size);
	cr_assert_not_null(buf);
	cr_assert_eq(size, len);
	for (i = 0; i < len; i++)
		cr_assert_eq(buf[i], want[i], "byte %zu: got 0x%02x, want 0x%02x",
		    i, buf[i], want[i]);
	free(buf);
}

static void
expect_fail(const void *buf, size_t len, int flags, int error)
{
	nvlist_t *nvl;

	errno = 0;
	nvl = nvlist_unpack(buf, len, flags);
	cr_assert_null(nvl, "unpack of a malformed message succeeded");
	cr_assert_eq(errno, error, "errno %d, want %d", errno, error);
}

/* A writable copy of a vector with one byte changed. */
static unsigned char *
patched(const unsigned char *v, size_t len, size_t off, unsigned char byte)
{
	unsigned char *p;

	p = malloc(len);
	memcpy(p, v, len);
	p[off] = byte;
	return (p);
}

static void
expect_patch_fails(const unsigned char *v, size_t len, size_t off,
    unsigned char byte, int error)
{
	unsigned char *p;

	p = patched(v, len, off, byte);
	expect_fail(p, len, 0, error);
	free(p);
}

/*
 * Golden vectors.
 */
Test(nvlist_pack, __empty_golden)
{
	nvlist_t *nvl;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(0);
	assert_packs_to(nvl, empty_le, sizeof(empty_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __number_golden)
{
	nvlist_t *nvl;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "a", 1);
	assert_packs_to(nvl, number_le, sizeof(number_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __nested_golden)
{
	nvlist_t *nvl, *child;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_bool(child, "x", true);
	nvlist_move_nvlist(nvl, "n", child);
	assert_packs_to(nvl, nested_le, sizeof(nested_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __nvlist_array_golden)
{
	nvlist_t *nvl, *e;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(0);
	e = nvlist_create(0);
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_add_null(e, "b");
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_destroy(e);
	assert_packs_to(nvl, array_le, sizeof(array_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __value_types_golden)
{
	const char *sa[] = { "x", "yz" };
	uint64_t na[] = { 1, 0x0102030405060708ULL };
	bool ba[] = { true, false };
	nvlist_t *nvl;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "s", "hi");
	nvlist_add_binary(nvl, "bin", "\xde\xad", 2);
	nvlist_add_bool_array(nvl, "ba", ba, 2);
	nvlist_add_number_array(nvl, "na", na, 2);
	nvlist_add_string_array(nvl, "sa", sa, 2);
	assert_packs_to(nvl, types_le, sizeof(types_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __flags_golden)
{
	nvlist_t *nvl;

	if (!host_is_le())
		cr_skip_test("golden vectors are little-endian");
	nvl = nvlist_create(NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE);
	nvlist_add_null(nvl, "k");
	nvlist_add_null(nvl, "K");
	assert_packs_to(nvl, flags_le, sizeof(flags_le));
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __descriptors_are_eopnotsupp)
{
	nvlist_t *nvl, *child;
	void *buf;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_descriptor(child, "d", STDIN_FILENO);
	nvlist_move_nvlist(nvl, "c", child);
	errno = 0;
	cr_assert_null(nvlist_pack(nvl, NULL));
	cr_assert_eq(errno, EOPNOTSUPP);
	nvlist_free_descriptor((nvlist_t *)nvlist_get_nvlist(nvl, "c"), "d");
	buf = nvlist_pack(nvl, NULL);
	cr_assert_not_null(buf);
	free(buf);
	nvlist_destroy(nvl);
}

Test(nvlist_pack, __list_in_error_fails)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, ENOBUFS);
	errno = 0;
	cr_assert_null(nvlist_pack(nvl, NULL));
	cr_assert_eq(errno, ENOBUFS);
	nvlist_destroy(nvl);
	cr_assert_null(nvlist_pack(NULL, NULL));
	cr_assert_eq(errno, ENOMEM);
}

/*
 * Unpacking the vectors, in both byte orders.
 */
Test(nvlist_unpack, __nested_both_byte_orders)
{
	const nvlist_t *child;
	nvlist_t *nvl;
	int i;

	for (i = 0; i < 2; i++) {
		nvl = nvlist_unpack(i == 0 ? nested_le : nested_be,
		    sizeof(nested_le), 0);
		cr_assert_not_null(nvl);
		child = nvlist_get_nvlist(nvl, "n");
		cr_assert(nvlist_get_bool(child, "x"));
		cr_assert_eq(nvlist_get_parent(child, NULL), nvl);
		if (host_is_le())
			assert_packs_to(nvl, nested_le, sizeof(nested_le));
		nvlist_destroy(nvl);
	}
}

Test(nvlist_unpack, __nvlist_array_both_byte_orders)
{
	const nvlist_t * const *arr;
	nvlist_t *nvl;
	size_t n;
	int i;

	for (i = 0; i < 2; i++) {
		nvl = nvlist_unpack(i == 0 ? array_le : array_be,
		    sizeof(array_le), 0);
		cr_assert_not_null(nvl);
		arr = nvlist_get_nvlist_array(nvl, "a", &n);
		cr_assert_eq(n, 2);
		cr_assert(nvlist_empty(arr[0]));
		cr_assert(nvlist_exists_null(arr[1], "b"));
		cr_assert(nvlist_in_array(arr[0]) && nvlist_in_array(arr[1]));
		cr_assert_eq(nvlist_get_array_next(arr[0]), arr[1]);
		if (host_is_le())
			assert_packs_to(nvl, array_le, sizeof(array_le));
		nvlist_destroy(nvl);
	}
}

Test(nvlist_unpack, __value_types_both_byte_orders)
{
	const char * const *sa;
	const uint64_t *na;
	const bool *ba;
	const unsigned char *bin;
	nvlist_t *nvl;
	size_t n;
	int i;

	for (i = 0; i < 2; i++) {
		nvl = nvlist_unpack(i == 0 ? types_le : types_be,
		    sizeof(types_le), 0);
		cr_assert_not_null(nvl);
		cr_assert_str_eq(nvlist_get_string(nvl, "s"), "hi");
		bin = nvlist_get_binary(nvl, "bin", &n);
		cr_assert(n == 2 && bin[0] == 0xde && bin[1] == 0xad);
		ba = nvlist_get_bool_array(nvl, "ba", &n);
		cr_assert(n == 2 && ba[0] && !ba[1]);
		na = nvlist_get_number_array(nvl, "na", &n);
		cr_assert(n == 2 && na[0] == 1 &&
		    na[1] == 0x0102030405060708ULL);
		sa = nvlist_get_string_array(nvl, "sa", &n);
		cr_assert_eq(n, 2);
		cr_assert_str_eq(sa[0], "x");
		cr_assert_str_eq(sa[1], "yz");
		if (host_is_le())
			assert_packs_to(nvl, types_le, sizeof(types_le));
		nvlist_destroy(nvl);
	}
}

Test(nvlist_unpack, __flags_must_match_sender)
{
	nvlist_t *nvl;

	expect_fail(flags_le, sizeof(flags_le), 0, EILSEQ);
	expect_fail(flags_le, sizeof(flags_le), NV_FLAG_NO_UNIQUE, EILSEQ);
	expect_fail(number_le, sizeof(number_le), NV_FLAG_IGNORE_CASE, EILSEQ);
	nvl = nvlist_unpack(flags_le, sizeof(flags_le),
	    NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE);
	cr_assert_not_null(nvl);
	cr_assert(nvlist_exists_null(nvl, "K"));
	nvlist_destroy(nvl);
}

Test(nvlist_unpack, __duplicate_name_is_eexist)
{
	unsigned char *p;

	/* flags_le with the flags cleared: two names equal only in case. */
	p = patched(flags_le, sizeof(flags_le), 2, 0);
	p[sizeof(flags_le) - 2] = 'k';
	expect_fail(p, sizeof(flags_le), 0, EEXIST);
	p[2] = NV_FLAG_NO_UNIQUE;
	expect_fail(p, sizeof(flags_le), 0, EILSEQ);
	nvlist_destroy(nvlist_unpack(p, sizeof(flags_le), NV_FLAG_NO_UNIQUE));
	free(p);
}

Test(nvlist_unpack, __ignore_case_duplicate_is_eexist)
{
	unsigned char *p;

	p = patched(flags_le, sizeof(flags_le), 2, NV_FLAG_IGNORE_CASE);
	expect_fail(p, sizeof(flags_le), NV_FLAG_IGNORE_CASE, EEXIST);
	free(p);
}

/*
 * Round trips of every type, nested inside lists and arrays.
 */
static nvlist_t *
every_type(void)
{
	const char *sa[] = { "", "two", "three" };
	uint64_t na[] = { 0, UINT64_MAX };
	bool ba[] = { false, true, true };
	nvlist_t *nvl, *child, *e;

	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "null");
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 0xfeedfacecafebeefULL);
	nvlist_add_string(nvl, "string", "value");
	nvlist_add_binary(nvl, "binary", "\0\1\2", 3);
	nvlist_add_bool_array(nvl, "bool_array", ba, 3);
	nvlist_add_number_array(nvl, "number_array", na, 2);
	nvlist_add_string_array(nvl, "string_array", sa, 3);
	child = nvlist_clone(nvl);
	e = nvlist_create(NV_FLAG_IGNORE_CASE);
	nvlist_add_number(e, "Elem", 1);
	nvlist_append_nvlist_array(child, "nvlist_array", e);
	nvlist_append_nvlist_array(child, "nvlist_array", e);
	nvlist_destroy(e);
	nvlist_move_nvlist(nvl, "nvlist", child);
	nvlist_add_nvlist(nvl, "nvlist2", child);
	cr_assert_eq(nvlist_error(nvl), 0);
	return (nvl);
}

static void
check_every_type(const nvlist_t *nvl)
{
	const char * const *sa;
	const uint64_t *na;
	const bool *ba;
	const char *bin;
	size_t n;

	cr_assert(nvlist_exists_null(nvl, "null"));
	cr_assert(nvlist_get_bool(nvl, "bool"));
	cr_assert_eq(nvlist_get_number(nvl, "number"), 0xfeedfacecafebeefULL);
	cr_assert_str_eq(nvlist_get_string(nvl, "string"), "value");
	bin = nvlist_get_binary(nvl, "binary", &n);
	cr_assert(n == 3 && memcmp(bin, "\0\1\2", 3) == 0);
	ba = nvlist_get_bool_array(nvl, "bool_array", &n);
	cr_assert(n == 3 && !ba[0] && ba[1] && ba[2]);
	na = nvlist_get_number_array(nvl, "number_array", &n);
	cr_assert(n == 2 && na[0] == 0 && na[1] == UINT64_MAX);
	sa = nvlist_get_string_array(nvl, "string_array", &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(sa[0], "");
	cr_assert_str_eq(sa[2], "three");
}

Test(nvlist_unpack, __every_type_round_trip)
{
	const nvlist_t * const *arr;
	const nvlist_t *child;
	nvlist_t *nvl, *copy;
	void *buf, *buf2;
	size_t size, size2, n;

	nvl = every_type();
	buf = nvlist_pack(nvl, &size);
	cr_assert_not_null(buf);
	cr_assert_eq(size, nvlist_size(nvl));
	copy = nvlist_unpack(buf, size, 0);
	cr_assert_not_null(copy);
	check_every_type(copy);
	child = nvlist_get_nvlist(copy, "nvlist");
	check_every_type(child);
	check_every_type(nvlist_get_nvlist(copy, "nvlist2"));
	arr = nvlist_get_nvlist_array(child, "nvlist_array", &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(nvlist_flags(arr[1]), NV_FLAG_IGNORE_CASE);
	cr_assert_eq(nvlist_get_number(arr[1], "ELEM"), 1);
	buf2 = nvlist_pack(copy, &size2);
	cr_assert_eq(size2, size);
	cr_assert_eq(memcmp(buf, buf2, size), 0);
	free(buf);
	free(buf2);
	nvlist_destroy(nvl);
	nvlist_destroy(copy);
}

Test(nvlist_unpack, __taken_values_are_owned)
{
	nvlist_t *nvl;
	void *buf;
	char **sa, *s;
	size_t size, n, i;

	nvl = every_type();
	buf = nvlist_pack(nvl, &size);
	nvlist_destroy(nvl);
	nvl = nvlist_unpack(buf, size, 0);
	free(buf);
	s = nvlist_take_string(nvl, "string");
	cr_assert_str_eq(s, "value");
	free(s);
	free(nvlist_take_binary(nvl, "binary", NULL));
	nvlist_append_string_array(nvl, "string_array", "four");
	sa = nvlist_take_string_array(nvl, "string_array", &n);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(sa[3], "four");
	for (i = 0; i < n; i++)
		free(sa[i]);
	free(sa);
	nvlist_destroy(nvl);
}

Test(nvlist_unpack, __depth_limit)
{
	nvlist_t *nvl, *child, *copy;
	void *buf;
	size_t size;
	int i;

	/* 128 lists below the top unpack; 129 do not. */
	nvl = nvlist_create(0);
	for (i = 0; i < 128; i++) {
		child = nvlist_create(0);
		nvlist_move_nvlist(child, "c", nvl);
		nvl = child;
	}
	buf = nvlist_pack(nvl, &size);
	copy = nvlist_unpack(buf, size, 0);
	cr_assert_not_null(copy);
	nvlist_destroy(copy);
	free(buf);
	child = nvlist_create(0);
	nvlist_move_nvlist(child, "c", nvl);
	nvl = child;
	buf = nvlist_pack(nvl, &size);
	expect_fail(buf, size, 0, EINVAL);
	free(buf);
	nvlist_destroy(nvl);
}

Test(nvlist_unpack, __depth_limit_counts_arrays)
{
	nvlist_t *nvl, *child;
	void *buf;
	size_t size;
	int i;

	nvl = nvlist_create(0);
	for (i = 0; i < 129; i++) {
		child = nvlist_create(0);
		nvlist_append_nvlist_array(child, "a", nvl);
		nvlist_destroy(nvl);
		nvl = child;
	}
	buf = nvlist_pack(nvl, &size);
	expect_fail(buf, size, 0, EINVAL);
	free(buf);
	nvlist_destroy(nvl);
}

/*
 * Malformed input.
 */
Test(nvlist_unpack, __every_truncation_is_einval)
{
	const struct {
		const unsigned char	*v;
		size_t			 len;
	} vec[] = {
		{ number_le, sizeof(number_le) },
		{ nested_le, sizeof(nested_le) },
		{ array_le, sizeof(array_le) },
		{ types_le, sizeof(types_le) },
		{ types_be, sizeof(types_be) },
	};
	unsigned char *p;
	size_t i, len;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		for (len = 0; len < vec[i].len; len++) {
			/* A copy of exactly len bytes, so ASan sees overreads. */
			p = malloc(len + 1);
			memcpy(p, vec[i].v, len);
			expect_fail(p, len, 0, EINVAL);
			free(p);
		}
	}
}

Test(nvlist_unpack, __trailing_bytes_are_einval)
{
	unsigned char buf[sizeof(nested_le) + 1];

	memcpy(buf, nested_le, sizeof(nested_le));
	buf[sizeof(nested_le)] = 0;
	expect_fail(buf, sizeof(buf), 0, EINVAL);
}

Test(nvlist_unpack, __null_buffer_is_einval)
{

	expect_fail(NULL, 0, 0, EINVAL);
}

Test(nvlist_unpack, __bad_header_is_einval)
{

	expect_patch_fails(number_le, sizeof(number_le), 0, 0x6d, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 1, 1, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 2, 0x04, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 2, 0x40, EINVAL);
	/* Size one too big, one too small, and absurd. */
	expect_patch_fails(number_le, sizeof(number_le), 11, 30, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 11, 28, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 18, 0x80, EINVAL);
	/* A descriptor count with no descriptors. */
	expect_patch_fails(number_le, sizeof(number_le), 3, 1, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), 10, 0xff, EINVAL);
}

Test(nvlist_unpack, __bad_pair_header_is_einval)
{
	size_t pair = 19;

	/* Types 0, 13 and 200 do not exist. */
	expect_patch_fails(number_le, sizeof(number_le), pair, 0, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair, 13, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair, 200, EINVAL);
	/* Name sizes 0, 1 (the NUL falls elsewhere), 3, huge. */
	expect_patch_fails(number_le, sizeof(number_le), pair + 1, 0, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair + 1, 1, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair + 1, 3, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair + 2, 0x10,
	    EINVAL);
	/* Name not NUL-terminated. */
	expect_patch_fails(number_le, sizeof(number_le), pair + 20, 'b',
	    EINVAL);
	/* Data size larger than what is left, and wrong for a number. */
	expect_patch_fails(number_le, sizeof(number_le), pair + 3, 9, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair + 3, 4, EINVAL);
	expect_patch_fails(number_le, sizeof(number_le), pair + 10, 0x80,
	    EINVAL);
	/* A number has no items. */
	expect_patch_fails(number_le, sizeof(number_le), pair + 11, 1, EINVAL);
}

Test(nvlist_unpack, __bad_values_are_einval)
{
	/* Offsets into types_le: data of "s", "bin", "ba", "na", "sa". */
	size_t s = 19 + 19 + 2, bin = s + 3 + 19 + 4, ba = bin + 2 + 19 + 3;
	size_t na = ba + 2 + 19 + 3, sa = na + 16 + 19 + 3;

	/* String without its NUL, and with an inner NUL. */
	expect_patch_fails(types_le, sizeof(types_le), s + 2, 'x', EINVAL);
	expect_patch_fails(types_le, sizeof(types_le), s + 1, 0, EINVAL);
	/* Bool array values must be 0 or 1. */
	expect_patch_fails(types_le, sizeof(types_le), ba, 2, EINVAL);
	/* Bool array count disagreeing with its size. */
	expect_patch_fails(types_le, sizeof(types_le), ba - 3 - 8, 1, EINVAL);
	/* Number array count disagreeing with its size. */
	expect_patch_fails(types_le, sizeof(types_le), na - 3 - 8, 3, EINVAL);
	/* String array: too few NULs for its count, and too many. */
	expect_patch_fails(types_le, sizeof(types_le), sa + 1, 'q', EINVAL);
	expect_patch_fails(types_le, sizeof(types_le), sa + 3, 0, EINVAL);
	expect_patch_fails(types_le, sizeof(types_le), sa + 4, 'q', EINVAL);
	/* Binary of size zero: the "bin" pair's size, and the rest moved. */
	expect_patch_fails(types_le, sizeof(types_le), bin - 4 - 16, 0,
	    EINVAL);
}

Test(nvlist_unpack, __bad_bool_is_einval)
{
	unsigned char v[] = {
		LHDR(0, 0, 22),
		LPAIR(2, 2, 1, 0), 'b', 0, 2,
	};

	expect_fail(v, sizeof(v), 0, EINVAL);
	v[sizeof(v) - 1] = 1;
	nvlist_destroy(nvlist_unpack(v, sizeof(v), 0));
}

Test(nvlist_unpack, __bad_nesting_is_einval)
{
	/* nested_le: 40 = child header, 59 = "x" pair, 81 = UP marker. */
	expect_patch_fails(nested_le, sizeof(nested_le), 81, 254, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 81, 1, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 100, 'x', EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 82, 2, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 84, 1, EINVAL);
	/* Nested list: data size 0, items not 0, bad child header. */
	expect_patch_fails(nested_le, sizeof(nested_le), 22, 0, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 30, 1, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 40, 0x6d, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 42, 0x80, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 51, 43, EINVAL);
	expect_patch_fails(nested_le, sizeof(nested_le), 43, 1, EINVAL);
}

Test(nvlist_unpack, __child_flags_are_its_own)
{
	nvlist_t *nvl;
	unsigned char *p;

	p = patched(nested_le, sizeof(nested_le), 42, NV_FLAG_IGNORE_CASE);
	nvl = nvlist_unpack(p, sizeof(nested_le), 0);
	cr_assert_not_null(nvl);
	cr_assert_eq(nvlist_flags(nvlist_get_nvlist(nvl, "n")),
	    NV_FLAG_IGNORE_CASE);
	cr_assert(nvlist_get_bool(nvlist_get_nvlist(nvl, "n"), "X"));
	nvlist_destroy(nvl);
	free(p);
}

Test(nvlist_unpack, __markers_out_of_place_are_einval)
{
	unsigned char up_top[] = {
		LHDR(0, 0, 20),
		LMARK(255),
	};
	unsigned char next_top[] = {
		LHDR(0, 0, 20),
		LMARK(254),
	};

	expect_fail(up_top, sizeof(up_top), 0, EINVAL);
	expect_fail(next_top, sizeof(next_top), 0, EINVAL);
	/* array_le: 59 = first NEXT marker; UP inside an array element. */
	expect_patch_fails(array_le, sizeof(array_le), 59, 255, EINVAL);
	/* The last NEXT replaced by a NULL pair: element left open. */
	expect_patch_fails(array_le, sizeof(array_le), 119, 1, EINVAL);
}

Test(nvlist_unpack, __nvlist_array_counts_are_checked)
{
	unsigned char *p;
	nvlist_t *nvl;

	/* array_le: 19 = pair header; 22 = datasize; 30 = nitems. */
	expect_patch_fails(array_le, sizeof(array_le), 30, 0, EINVAL);
	expect_patch_fails(array_le, sizeof(array_le), 30, 3, EINVAL);
	expect_patch_fails(array_le, sizeof(array_le), 22, 17, EINVAL);
	/* A count of 2^56: refused before anything is allocated. */
	p = patched(array_le, sizeof(array_le), 37, 1);
	p[30] = 0;
	p[22] = 0;
	expect_fail(p, sizeof(array_le), 0, EINVAL);
	free(p);
	/* 4-byte pointers in datasize, as a 32-bit FreeBSD sends. */
	p = patched(array_le, sizeof(array_le), 22, 8);
	nvl = nvlist_unpack(p, sizeof(array_le), 0);
	cr_assert_not_null(nvl);
	nvlist_destroy(nvl);
	free(p);
}

Test(nvlist_unpack, __mixed_byte_order_is_einval)
{

	/* The child header claims big-endian inside a little-endian list. */
	expect_patch_fails(nested_le, sizeof(nested_le), 42, 0x80, EINVAL);
}

Test(nvlist_unpack, __descriptor_without_descriptors_is_einval)
{
	unsigned char v[] = {
		LHDR(0, 1, 29),
		LPAIR(6, 2, 8, 0), 'd', 0, L64(0),
	};

	expect_fail(v, sizeof(v), 0, EINVAL);
	v[3] = 0;
	expect_fail(v, sizeof(v), 0, EINVAL);
}

/*
 * Random corruption of valid messages: no crash, no leak, and whatever
 * is accepted must pack and unpack again.
 */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_rand(void)
{

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

Test(nvlist_unpack, __random_corruption_is_safe)
{
	nvlist_t *src, *nvl, *again;
	unsigned char *buf, *p, *re;
	size_t size, resize;
	int i, j, flips, accepted;

	src = every_type();
	buf = nvlist_pack(src, &size);
	nvlist_destroy(src);
	p = malloc(size);
	accepted = 0;
	for (i = 0; i < 20000; i++) {
		memcpy(p, buf, size);
		flips = 1 + (int)(next_rand() % 4);
		for (j = 0; j < flips; j++)
			p[next_rand() % size] ^= (unsigned char)(1 <<
			    (next_rand() % 8));
		nvl = nvlist_unpack(p, size, (int)(next_rand() % 4));
		if (nvl == NULL)
			continue;
		accepted++;
		re = nvlist_pack(nvl, &resize);
		cr_assert_not_null(re);
		again = nvlist_unpack(re, resize, nvlist_flags(nvl));
		cr_assert_not_null(again);
		nvlist_destroy(again);
		nvlist_destroy(nvl);
		free(re);
	}
	cr_log_info("%d of 20000 corrupted messages were accepted", accepted);
	free(p);
	free(buf);
}

Test(nvlist_size, __matches_pack_for_every_type)
{
	nvlist_t *nvl;
	void *buf;
	size_t size;

	const nvlist_t *child;
	nvlist_t *copy;

	nvl = every_type();
	buf = nvlist_pack(nvl, &size);
	cr_assert_eq(size, nvlist_size(nvl));
	free(buf);
	/* A nested list packs on its own as a top-level list would. */
	child = nvlist_get_nvlist(nvl, "nvlist");
	buf = nvlist_pack(child, &size);
	cr_assert_eq(size, nvlist_size(child));
	copy = nvlist_unpack(buf, size, 0);
	cr_assert_not_null(copy);
	check_every_type(copy);
	nvlist_destroy(copy);
	free(buf);
	nvlist_destroy(nvl);
}
