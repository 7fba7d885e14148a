/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv.h in memory: life cycle, the sticky error, add/get/take/free/exists
 * for every type, move, append, iteration and navigation, clone, dump,
 * the flags, and the abort-on-misuse rules.  Packing and transport have
 * their own files.  Names follow <function>__<behaviour>.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/nv.h>

static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n;

	d = opendir("/proc/self/fd");
	cr_assert_not_null(d);
	n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return (n - 1);	/* the directory's own descriptor */
}

static bool
fd_open(int fd)
{

	return (fcntl(fd, F_GETFD) != -1);
}

static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	cr_assert_eq(fstat(a, &sa), 0);
	cr_assert_eq(fstat(b, &sb), 0);
	return (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/*
 * Life cycle and the sticky error.
 */
Test(nvlist_create, __empty_without_error)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	cr_assert_not_null(nvl);
	cr_assert(nvlist_empty(nvl));
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_flags(nvl), 0);
	cr_assert_not(nvlist_in_array(nvl));
	cr_assert_null(nvlist_get_parent(nvl, NULL));
	nvlist_destroy(nvl);
}

Test(nvlist_create, __keeps_public_flags)
{
	nvlist_t *nvl;

	nvl = nvlist_create(NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE);
	cr_assert_eq(nvlist_flags(nvl), NV_FLAG_IGNORE_CASE |
	    NV_FLAG_NO_UNIQUE);
	nvlist_destroy(nvl);
}

Test(nvlist_create, __private_flags_abort, .signal = SIGABRT)
{

	(void)nvlist_create(0x80);
}

Test(nvlist_destroy, __null_is_harmless)
{

	errno = 1234;
	nvlist_destroy(NULL);
	cr_assert_eq(errno, 1234);
}

Test(nvlist_destroy, __preserves_errno)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "fd", STDIN_FILENO);
	nvlist_add_string(nvl, "s", "x");
	errno = EPERM;
	nvlist_destroy(nvl);
	cr_assert_eq(errno, EPERM);
}

Test(nvlist_destroy, __closes_every_descriptor_once)
{
	nvlist_t *nvl, *child;
	int before, fds[3], dup0;

	before = count_fds();
	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_descriptor(child, "c", STDIN_FILENO);
	nvlist_add_descriptor(nvl, "a", STDIN_FILENO);
	fds[0] = fds[1] = fds[2] = STDERR_FILENO;
	nvlist_add_descriptor_array(nvl, "arr", fds, 3);
	nvlist_move_nvlist(nvl, "child", child);
	nvlist_append_nvlist_array(nvl, "na", child = nvlist_create(0));
	nvlist_destroy(child);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(count_fds(), before + 5);
	dup0 = nvlist_get_descriptor(nvl, "a");
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
	cr_assert_not(fd_open(dup0));
	cr_assert(fd_open(STDIN_FILENO));
	cr_assert(fd_open(STDERR_FILENO));
}

Test(nvlist_destroy, __list_owned_by_parent_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_move_nvlist(nvl, "c", child);
	nvlist_destroy((nvlist_t *)nvlist_get_nvlist(nvl, "c"));
}

Test(nvlist_destroy, __deep_nesting_without_recursion)
{
	nvlist_t *nvl, *child;
	int i;

	/* Far deeper than any stack would allow a recursive destroy. */
	nvl = nvlist_create(0);
	for (i = 0; i < 200000; i++) {
		child = nvlist_create(0);
		nvlist_move_nvlist(child, "c", nvl);
		nvl = child;
	}
	cr_assert_eq(nvlist_error(nvl), 0);
	nvlist_destroy(nvl);
}

Test(nvlist_error, __null_list_is_enomem)
{

	cr_assert_eq(nvlist_error(NULL), ENOMEM);
}

Test(nvlist_set_error, __first_error_sticks)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EINVAL);
	nvlist_set_error(nvl, ENOMEM);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_set_error, __zero_and_null_are_ignored)
{
	nvlist_t *nvl;

	nvlist_set_error(NULL, EINVAL);
	nvl = nvlist_create(0);
	nvlist_set_error(nvl, 0);
	cr_assert_eq(nvlist_error(nvl), 0);
	nvlist_destroy(nvl);
}

Test(nvlist_set_error, __later_adds_do_nothing)
{
	nvlist_t *nvl;
	char *s;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EPERM);
	errno = 0;
	nvlist_add_number(nvl, "n", 1);
	cr_assert_eq(errno, EPERM);
	s = strdup("moved");
	nvlist_move_string(nvl, "s", s);	/* freed: ASan checks */
	nvlist_move_descriptor(nvl, "d", dup(STDIN_FILENO));
	cr_assert_eq(nvlist_error(nvl), EPERM);
	nvlist_destroy(nvl);
}

Test(nvlist_empty, __list_in_error_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EINVAL);
	(void)nvlist_empty(nvl);
}

Test(nvlist_flags, __list_in_error_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EINVAL);
	(void)nvlist_flags(nvl);
}

Test(nvlist_exists, __list_in_error_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EINVAL);
	(void)nvlist_exists(nvl, "x");
}

Test(nvlist_get_number, __list_in_error_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "x", 1);
	nvlist_set_error(nvl, EINVAL);
	(void)nvlist_get_number(nvl, "x");
}

Test(nvlist_get_number, __bad_pointer_aborts, .signal = SIGABRT)
{
	uint64_t junk[16];

	memset(junk, 0x5a, sizeof(junk));
	(void)nvlist_get_number((const nvlist_t *)junk, "x");
}

/*
 * add and get, type by type.
 */
Test(nvlist_add_null, __exists_as_null_only)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "n");
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert(nvlist_exists(nvl, "n"));
	cr_assert(nvlist_exists_null(nvl, "n"));
	cr_assert(nvlist_exists_type(nvl, "n", NV_TYPE_NULL));
	cr_assert_not(nvlist_exists_bool(nvl, "n"));
	cr_assert_not(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(nvlist_add_bool, __get_returns_value)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_bool(nvl, "t", true);
	nvlist_add_bool(nvl, "f", false);
	cr_assert(nvlist_exists_bool(nvl, "t"));
	cr_assert(nvlist_get_bool(nvl, "t"));
	cr_assert_not(nvlist_get_bool(nvl, "f"));
	nvlist_destroy(nvl);
}

Test(nvlist_add_number, __get_returns_value)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "zero", 0);
	nvlist_add_number(nvl, "max", UINT64_MAX);
	cr_assert(nvlist_exists_number(nvl, "max"));
	cr_assert_eq(nvlist_get_number(nvl, "zero"), 0);
	cr_assert_eq(nvlist_get_number(nvl, "max"), UINT64_MAX);
	nvlist_destroy(nvl);
}

Test(nvlist_add_string, __copies_value)
{
	nvlist_t *nvl;
	char buf[8];

	nvl = nvlist_create(0);
	strcpy(buf, "abc");
	nvlist_add_string(nvl, "s", buf);
	nvlist_add_string(nvl, "empty", "");
	buf[0] = 'X';
	cr_assert(nvlist_exists_string(nvl, "s"));
	cr_assert_str_eq(nvlist_get_string(nvl, "s"), "abc");
	cr_assert_str_eq(nvlist_get_string(nvl, "empty"), "");
	nvlist_destroy(nvl);
}

Test(nvlist_add_string, __null_value_is_einval)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "s", NULL);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	cr_assert_eq(errno, EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_stringf, __formats_value)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_stringf(nvl, "s", "%s-%d", "x", 42);
	cr_assert_str_eq(nvlist_get_string(nvl, "s"), "x-42");
	nvlist_destroy(nvl);
}

static void
add_v(nvlist_t *nvl, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nvlist_add_stringv(nvl, name, fmt, ap);
	va_end(ap);
}

Test(nvlist_add_stringv, __formats_value)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	add_v(nvl, "s", "%05u", 7u);
	cr_assert_str_eq(nvlist_get_string(nvl, "s"), "00007");
	nvlist_destroy(nvl);
}

Test(nvlist_add_binary, __copies_value)
{
	unsigned char data[5] = { 0, 1, 2, 0, 255 };
	const unsigned char *got;
	nvlist_t *nvl;
	size_t size;

	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "b", data, sizeof(data));
	data[0] = 9;
	cr_assert(nvlist_exists_binary(nvl, "b"));
	got = nvlist_get_binary(nvl, "b", &size);
	cr_assert_eq(size, 5);
	cr_assert_eq(got[0], 0);
	cr_assert_eq(got[4], 255);
	cr_assert_eq((uintptr_t)got % 16, 0, "binary values are aligned");
	cr_assert_not_null(nvlist_get_binary(nvl, "b", NULL));
	nvlist_destroy(nvl);
}

Test(nvlist_add_binary, __empty_or_null_is_einval)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "b", "x", 0);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "b", NULL, 3);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_descriptor, __duplicates_close_on_exec)
{
	nvlist_t *nvl;
	int fd;

	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDOUT_FILENO);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert(nvlist_exists_descriptor(nvl, "d"));
	fd = nvlist_get_descriptor(nvl, "d");
	cr_assert_neq(fd, STDOUT_FILENO);
	cr_assert(same_file(fd, STDOUT_FILENO));
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	nvlist_destroy(nvl);
	cr_assert_not(fd_open(fd));
}

Test(nvlist_add_descriptor, __closed_descriptor_is_ebadf)
{
	nvlist_t *nvl;
	int fd;

	fd = dup(STDIN_FILENO);
	close(fd);
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", fd);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", -1);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist, __copies_child)
{
	nvlist_t *nvl, *child;
	const nvlist_t *got;

	nvl = nvlist_create(0);
	child = nvlist_create(NV_FLAG_IGNORE_CASE);
	nvlist_add_number(child, "x", 5);
	nvlist_add_nvlist(nvl, "c", child);
	nvlist_add_number(child, "y", 6);
	cr_assert(nvlist_exists_nvlist(nvl, "c"));
	got = nvlist_get_nvlist(nvl, "c");
	cr_assert_neq(got, child);
	cr_assert_eq(nvlist_get_number(got, "X"), 5);
	cr_assert_not(nvlist_exists(got, "y"));
	cr_assert_eq(nvlist_flags(got), NV_FLAG_IGNORE_CASE);
	nvlist_destroy(child);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist, __child_in_error_passes_error_on)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_set_error(child, ENOTSUP);
	nvlist_add_nvlist(nvl, "c", child);
	cr_assert_eq(nvlist_error(nvl), ENOTSUP);
	nvlist_destroy(child);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist, __null_child_is_einval)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_nvlist(nvl, "c", NULL);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist, __self_is_copied)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 1);
	nvlist_add_nvlist(nvl, "me", nvl);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_get_number(nvlist_get_nvlist(nvl, "me"), "n"), 1);
	nvlist_destroy(nvl);
}

/*
 * Names.
 */
Test(nvlist_add_number, __duplicate_name_is_eexist)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "x", 1);
	nvlist_add_string(nvl, "x", "other type, same name");
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	cr_assert_eq(errno, EEXIST);
	nvlist_destroy(nvl);
}

Test(nvlist_add_number, __name_length_limit)
{
	nvlist_t *nvl;
	char *name;

	name = malloc(NV_NAME_MAX + 1);
	memset(name, 'n', NV_NAME_MAX);
	name[NV_NAME_MAX - 1] = '\0';	/* NV_NAME_MAX - 1 characters */
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, name, 1);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_get_number(nvl, name), 1);
	nvlist_destroy(nvl);
	name[NV_NAME_MAX - 1] = 'n';
	name[NV_NAME_MAX] = '\0';	/* NV_NAME_MAX characters */
	nvl = nvlist_create(0);
	nvlist_add_number(nvl, name, 1);
	cr_assert_eq(nvlist_error(nvl), ENAMETOOLONG);
	nvlist_destroy(nvl);
	free(name);
}

Test(nvlist_add_number, __null_name_is_einval)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, NULL, 1);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_number, __null_list_sets_enomem)
{
	char *s;

	errno = 0;
	nvlist_add_number(NULL, "x", 1);
	cr_assert_eq(errno, ENOMEM);
	s = strdup("leak check: moved values are freed");
	nvlist_move_string(NULL, "s", s);
	cr_assert_eq(errno, ENOMEM);
}

Test(nvlist_exists, __empty_name_is_a_name)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "", 3);
	cr_assert(nvlist_exists(nvl, ""));
	cr_assert_eq(nvlist_get_number(nvl, ""), 3);
	cr_assert_not(nvlist_exists(nvl, "x"));
	nvlist_destroy(nvl);
}

Test(nvlist_create, __ignore_case_matches_any_case)
{
	nvlist_t *nvl;

	nvl = nvlist_create(NV_FLAG_IGNORE_CASE);
	nvlist_add_number(nvl, "Name", 1);
	cr_assert(nvlist_exists_number(nvl, "NAME"));
	cr_assert(nvlist_exists(nvl, "name"));
	cr_assert_eq(nvlist_get_number(nvl, "nAmE"), 1);
	nvlist_add_number(nvl, "nAME", 2);
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
}

Test(nvlist_create, __case_matters_by_default)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "Name", 1);
	nvlist_add_number(nvl, "name", 2);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_get_number(nvl, "Name"), 1);
	cr_assert_eq(nvlist_get_number(nvl, "name"), 2);
	cr_assert_not(nvlist_exists(nvl, "NAME"));
	nvlist_destroy(nvl);
}

Test(nvlist_create, __no_unique_allows_duplicates_first_wins)
{
	nvlist_t *nvl;
	const char *name;
	void *cookie;
	int n;

	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_number(nvl, "x", 1);
	nvlist_add_number(nvl, "x", 2);
	nvlist_add_string(nvl, "x", "s");
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_get_number(nvl, "x"), 1);
	cr_assert_str_eq(nvlist_get_string(nvl, "x"), "s");
	nvlist_free_number(nvl, "x");
	cr_assert_eq(nvlist_get_number(nvl, "x"), 2);
	n = 0;
	cookie = NULL;
	while ((name = nvlist_next(nvl, NULL, &cookie)) != NULL)
		n++;
	cr_assert_eq(n, 2);
	nvlist_destroy(nvl);
}

/*
 * Long lists use a hash index; these check it against the list.
 */
Test(nvlist_exists, __many_names)
{
	nvlist_t *nvl;
	char name[32];
	int i;

	nvl = nvlist_create(0);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "key%d", i);
		nvlist_add_number(nvl, name, (uint64_t)i);
	}
	cr_assert_eq(nvlist_error(nvl), 0);
	for (i = 0; i < 5000; i += 3) {
		snprintf(name, sizeof(name), "key%d", i);
		nvlist_free_number(nvl, name);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "key%d", i);
		cr_assert_eq(nvlist_exists_number(nvl, name), i % 3 != 0);
		if (i % 3 != 0)
			cr_assert_eq(nvlist_get_number(nvl, name), (uint64_t)i);
	}
	nvlist_add_number(nvl, "key1", 0);
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
}

Test(nvlist_exists, __many_names_ignore_case_no_unique)
{
	nvlist_t *nvl;
	char name[32];
	int i;

	nvl = nvlist_create(NV_FLAG_IGNORE_CASE | NV_FLAG_NO_UNIQUE);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "Key%d", i % 100);
		nvlist_add_number(nvl, name, (uint64_t)i);
	}
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "KEY%d", i);
		cr_assert_eq(nvlist_get_number(nvl, name), (uint64_t)i);
		nvlist_free(nvl, name);
		cr_assert_eq(nvlist_get_number(nvl, name), (uint64_t)i + 100);
	}
	nvlist_destroy(nvl);
}

/*
 * Lookups of missing or wrongly typed elements abort.
 */
Test(nvlist_get_number, __missing_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	(void)nvlist_get_number(nvl, "nope");
}

Test(nvlist_get_string, __wrong_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 1);
	(void)nvlist_get_string(nvl, "n");
}

Test(nvlist_take_bool, __missing_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	(void)nvlist_take_bool(nvl, "nope");
}

Test(nvlist_free_nvlist, __missing_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 1);
	nvlist_free_nvlist(nvl, "n");
}

Test(nvlist_free, __missing_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_free(nvl, "nope");
}

Test(nvlist_exists_type, __invalid_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	(void)nvlist_exists_type(nvl, "x", 99);
}

Test(nvlist_get_descriptor_array, __missing_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	(void)nvlist_get_descriptor_array(nvl, "x", NULL);
}

/*
 * Arrays: add, get, append.
 */
Test(nvlist_add_bool_array, __get_returns_copy)
{
	bool v[3] = { true, false, true };
	const bool *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_add_bool_array(nvl, "a", v, 3);
	v[0] = false;
	cr_assert(nvlist_exists_bool_array(nvl, "a"));
	got = nvlist_get_bool_array(nvl, "a", &n);
	cr_assert_eq(n, 3);
	cr_assert(got[0] && !got[1] && got[2]);
	nvlist_destroy(nvl);
}

Test(nvlist_add_number_array, __get_returns_copy)
{
	uint64_t v[4] = { 0, 1, UINT64_MAX, 42 };
	const uint64_t *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_add_number_array(nvl, "a", v, 4);
	cr_assert(nvlist_exists_number_array(nvl, "a"));
	got = nvlist_get_number_array(nvl, "a", &n);
	cr_assert_eq(n, 4);
	cr_assert_arr_eq(got, v, sizeof(v));
	cr_assert_not_null(nvlist_get_number_array(nvl, "a", NULL));
	nvlist_destroy(nvl);
}

Test(nvlist_add_string_array, __get_returns_copy)
{
	const char *v[3] = { "one", "", "three" };
	const char * const *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_add_string_array(nvl, "a", v, 3);
	cr_assert(nvlist_exists_string_array(nvl, "a"));
	got = nvlist_get_string_array(nvl, "a", &n);
	cr_assert_eq(n, 3);
	cr_assert_neq(got[0], v[0]);
	cr_assert_str_eq(got[0], "one");
	cr_assert_str_eq(got[1], "");
	cr_assert_str_eq(got[2], "three");
	nvlist_destroy(nvl);
}

Test(nvlist_add_string_array, __null_element_is_einval)
{
	const char *v[2] = { "one", NULL };
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist_array, __elements_are_copies_in_array)
{
	const nvlist_t * const *got;
	const nvlist_t *v[2];
	nvlist_t *a, *b, *nvl;
	void *cookie;
	size_t n;

	a = nvlist_create(0);
	b = nvlist_create(0);
	nvlist_add_number(a, "x", 1);
	nvlist_add_string(b, "y", "two");
	v[0] = a;
	v[1] = b;
	nvl = nvlist_create(0);
	nvlist_add_nvlist_array(nvl, "arr", v, 2);
	nvlist_destroy(a);
	nvlist_destroy(b);
	cr_assert(nvlist_exists_nvlist_array(nvl, "arr"));
	got = nvlist_get_nvlist_array(nvl, "arr", &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(nvlist_get_number(got[0], "x"), 1);
	cr_assert_str_eq(nvlist_get_string(got[1], "y"), "two");
	cr_assert(nvlist_in_array(got[0]));
	cr_assert(nvlist_in_array(got[1]));
	cr_assert_eq(nvlist_get_array_next(got[0]), got[1]);
	cr_assert_null(nvlist_get_array_next(got[1]));
	cr_assert_eq(nvlist_get_parent(got[1], &cookie), nvl);
	cr_assert_str_eq(nvlist_next(nvl, NULL, &(void *){ NULL }), "arr");
	cr_assert_eq(nvlist_get_pararr(got[0], &cookie), got[1]);
	cr_assert_null(cookie);
	cr_assert_eq(nvlist_get_pararr(got[1], &cookie), nvl);
	cr_assert_not_null(cookie);
	nvlist_destroy(nvl);
}

Test(nvlist_add_nvlist_array, __null_element_is_einval)
{
	const nvlist_t *v[2];
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	v[0] = nvl;
	v[1] = NULL;
	nvlist_add_nvlist_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_add_descriptor_array, __duplicates_each)
{
	const int *got;
	nvlist_t *nvl;
	size_t n;
	int fds[2] = { STDIN_FILENO, STDERR_FILENO };

	nvl = nvlist_create(0);
	nvlist_add_descriptor_array(nvl, "a", fds, 2);
	cr_assert(nvlist_exists_descriptor_array(nvl, "a"));
	got = nvlist_get_descriptor_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert(same_file(got[0], STDIN_FILENO));
	cr_assert(same_file(got[1], STDERR_FILENO));
	cr_assert_neq(got[0], STDIN_FILENO);
	nvlist_destroy(nvl);
}

Test(nvlist_add_descriptor_array, __bad_descriptor_is_ebadf_no_leak)
{
	nvlist_t *nvl;
	int before, fds[2] = { STDIN_FILENO, -1 };

	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_add_descriptor_array(nvl, "a", fds, 2);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
}

Test(nvlist_add_number_array, __zero_items_or_null_is_einval)
{
	uint64_t v = 1;
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number_array(nvl, "a", &v, 0);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_add_bool_array(nvl, "a", NULL, 1);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_append_bool_array, __creates_then_grows)
{
	const bool *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_append_bool_array(nvl, "a", true);
	nvlist_append_bool_array(nvl, "a", false);
	nvlist_append_bool_array(nvl, "a", true);
	got = nvlist_get_bool_array(nvl, "a", &n);
	cr_assert_eq(n, 3);
	cr_assert(got[0] && !got[1] && got[2]);
	nvlist_destroy(nvl);
}

Test(nvlist_append_number_array, __creates_then_grows)
{
	const uint64_t *got;
	nvlist_t *nvl;
	size_t n;
	uint64_t i;

	nvl = nvlist_create(0);
	for (i = 0; i < 1000; i++)
		nvlist_append_number_array(nvl, "a", i * 3);
	got = nvlist_get_number_array(nvl, "a", &n);
	cr_assert_eq(n, 1000);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(got[i], i * 3);
	nvlist_destroy(nvl);
}

Test(nvlist_append_string_array, __creates_then_grows)
{
	const char * const *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_append_string_array(nvl, "a", "x");
	nvlist_append_string_array(nvl, "a", "yy");
	got = nvlist_get_string_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(got[0], "x");
	cr_assert_str_eq(got[1], "yy");
	nvlist_append_string_array(nvl, "a", NULL);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_append_nvlist_array, __creates_then_grows)
{
	const nvlist_t * const *got;
	nvlist_t *nvl, *e;
	size_t n;

	nvl = nvlist_create(0);
	e = nvlist_create(0);
	nvlist_add_number(e, "i", 0);
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_free_number(e, "i");
	nvlist_add_number(e, "i", 1);
	nvlist_add_descriptor(e, "fd", STDIN_FILENO);
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_destroy(e);
	got = nvlist_get_nvlist_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(nvlist_get_number(got[0], "i"), 0);
	cr_assert_eq(nvlist_get_number(got[1], "i"), 1);
	cr_assert_eq(nvlist_get_array_next(got[0]), got[1]);
	cr_assert(nvlist_in_array(got[1]));
	nvlist_append_nvlist_array(nvl, "a", NULL);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_append_descriptor_array, __creates_then_grows)
{
	const int *got;
	nvlist_t *nvl;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_append_descriptor_array(nvl, "a", STDIN_FILENO);
	nvlist_append_descriptor_array(nvl, "a", STDOUT_FILENO);
	got = nvlist_get_descriptor_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert(same_file(got[1], STDOUT_FILENO));
	nvlist_append_descriptor_array(nvl, "a", -1);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	nvlist_destroy(nvl);
}

Test(nvlist_append_number_array, __other_type_same_name_is_eexist)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "a", "s");
	nvlist_append_number_array(nvl, "a", 1);
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
	nvl = nvlist_create(NV_FLAG_NO_UNIQUE);
	nvlist_add_string(nvl, "a", "s");
	nvlist_append_number_array(nvl, "a", 1);
	nvlist_append_number_array(nvl, "a", 2);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(nvlist_get_number_array(nvl, "a", NULL)[1], 2);
	nvlist_destroy(nvl);
}

/*
 * move: ownership passes, or the value is freed.  ASan's leak checker
 * confirms the frees; descriptor counts confirm the closes.
 */
Test(nvlist_move_string, __takes_ownership)
{
	nvlist_t *nvl;
	char *s;

	s = strdup("hello");
	nvl = nvlist_create(0);
	nvlist_move_string(nvl, "s", s);
	cr_assert_eq(nvlist_get_string(nvl, "s"), s);
	nvlist_destroy(nvl);
}

Test(nvlist_move_string, __frees_on_duplicate)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "s");
	nvlist_move_string(nvl, "s", strdup("freed"));
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_move_string(nvl, "s", NULL);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_binary, __takes_ownership_or_frees)
{
	nvlist_t *nvl;
	size_t size;
	void *p;

	p = malloc(10);
	memset(p, 7, 10);
	nvl = nvlist_create(0);
	nvlist_move_binary(nvl, "b", p, 10);
	cr_assert_eq(nvlist_get_binary(nvl, "b", &size), p);
	cr_assert_eq(size, 10);
	nvlist_move_binary(nvl, "b", malloc(3), 3);
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
	nvl = nvlist_create(0);
	nvlist_move_binary(nvl, "b", malloc(3), 0);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_descriptor, __takes_ownership_or_closes)
{
	nvlist_t *nvl;
	int before, fd;

	before = count_fds();
	fd = dup(STDIN_FILENO);
	nvl = nvlist_create(0);
	nvlist_move_descriptor(nvl, "d", fd);
	cr_assert_eq(nvlist_get_descriptor(nvl, "d"), fd);
	nvlist_move_descriptor(nvl, "d", dup(STDIN_FILENO));
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	cr_assert_eq(count_fds(), before + 1);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
	cr_assert_not(fd_open(fd));
}

Test(nvlist_move_descriptor, __closed_descriptor_is_ebadf)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_move_descriptor(nvl, "d", -1);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist, __takes_ownership)
{
	nvlist_t *nvl, *child;
	void *cookie;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_number(child, "x", 1);
	nvlist_move_nvlist(nvl, "c", child);
	cr_assert_eq(nvlist_get_nvlist(nvl, "c"), child);
	cr_assert_eq(nvlist_get_parent(child, &cookie), nvl);
	cr_assert_not_null(cookie);
	cr_assert_eq(nvlist_get_pararr(child, NULL), nvl);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist, __child_in_error_is_destroyed)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_string(child, "s", "leak check");
	nvlist_set_error(child, ENOSPC);
	nvlist_move_nvlist(nvl, "c", child);
	cr_assert_eq(nvlist_error(nvl), ENOSPC);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist, __into_itself_is_einval)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	nvlist_move_nvlist(nvl, "me", nvl);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);

	/* Nor into its own descendant. */
	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_move_nvlist(nvl, "c", child);
	nvlist_move_nvlist(child, "loop", nvl);
	cr_assert_eq(nvlist_error(child), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist, __list_of_another_is_einval)
{
	nvlist_t *a, *b, *child;

	a = nvlist_create(0);
	b = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_move_nvlist(a, "c", child);
	nvlist_move_nvlist(b, "c", child);
	cr_assert_eq(nvlist_error(b), EINVAL);
	cr_assert_eq(nvlist_get_nvlist(a, "c"), child);
	nvlist_destroy(a);
	nvlist_destroy(b);
}

Test(nvlist_move_bool_array, __takes_ownership_or_frees)
{
	nvlist_t *nvl;
	bool *v;

	v = calloc(4, sizeof(bool));
	v[2] = true;
	nvl = nvlist_create(0);
	nvlist_move_bool_array(nvl, "a", v, 4);
	cr_assert_eq(nvlist_get_bool_array(nvl, "a", NULL), v);
	nvlist_move_bool_array(nvl, "a", calloc(1, 1), 1);
	cr_assert_eq(nvlist_error(nvl), EEXIST);
	nvlist_destroy(nvl);
}

Test(nvlist_move_number_array, __takes_ownership_or_frees)
{
	nvlist_t *nvl;
	uint64_t *v;
	size_t n;

	v = calloc(3, sizeof(*v));
	v[1] = 9;
	nvl = nvlist_create(0);
	nvlist_move_number_array(nvl, "a", v, 3);
	cr_assert_eq(nvlist_get_number_array(nvl, "a", &n)[1], 9);
	cr_assert_eq(n, 3);
	nvlist_move_number_array(nvl, "b", calloc(1, 8), 0);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_string_array, __takes_ownership_or_frees)
{
	nvlist_t *nvl;
	char **v;

	v = calloc(2, sizeof(*v));
	v[0] = strdup("a");
	v[1] = strdup("b");
	nvl = nvlist_create(0);
	nvlist_move_string_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_get_string_array(nvl, "a", NULL), (const char **)v);
	v = calloc(2, sizeof(*v));
	v[0] = strdup("freed");
	nvlist_move_string_array(nvl, "b", v, 2);	/* v[1] is NULL */
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_descriptor_array, __takes_ownership_or_closes)
{
	nvlist_t *nvl;
	int before, *v;

	before = count_fds();
	v = malloc(2 * sizeof(*v));
	v[0] = dup(STDIN_FILENO);
	v[1] = dup(STDIN_FILENO);
	nvl = nvlist_create(0);
	nvlist_move_descriptor_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_get_descriptor_array(nvl, "a", NULL), v);
	v = malloc(2 * sizeof(*v));
	v[0] = dup(STDIN_FILENO);
	v[1] = -1;
	nvlist_move_descriptor_array(nvl, "b", v, 2);
	cr_assert_eq(nvlist_error(nvl), EBADF);
	cr_assert_eq(count_fds(), before + 2);
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before);
}

Test(nvlist_move_nvlist_array, __takes_ownership)
{
	const nvlist_t * const *got;
	nvlist_t *nvl, **v;
	size_t n;

	v = malloc(2 * sizeof(*v));
	v[0] = nvlist_create(0);
	v[1] = nvlist_create(0);
	nvlist_add_number(v[1], "x", 2);
	nvl = nvlist_create(0);
	nvlist_move_nvlist_array(nvl, "a", v, 2);
	got = nvlist_get_nvlist_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_eq(got[1], v[1]);
	cr_assert(nvlist_in_array(v[0]));
	cr_assert_eq(nvlist_get_array_next(v[0]), v[1]);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist_array, __repeated_element_is_einval)
{
	nvlist_t *nvl, *e, **v;

	e = nvlist_create(0);
	nvlist_add_string(e, "s", "destroyed once");
	v = malloc(2 * sizeof(*v));
	v[0] = v[1] = e;
	nvl = nvlist_create(0);
	nvlist_move_nvlist_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_error(nvl), EINVAL);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist_array, __element_in_error_passes_error_on)
{
	nvlist_t *nvl, **v;

	v = malloc(2 * sizeof(*v));
	v[0] = nvlist_create(0);
	v[1] = nvlist_create(0);
	nvlist_set_error(v[1], EDOM);
	nvl = nvlist_create(0);
	nvlist_move_nvlist_array(nvl, "a", v, 2);
	cr_assert_eq(nvlist_error(nvl), EDOM);
	nvlist_destroy(nvl);
}

Test(nvlist_move_nvlist_array, __list_in_error_destroys_elements)
{
	nvlist_t *nvl, **v;

	v = malloc(sizeof(*v));
	v[0] = nvlist_create(0);
	nvlist_add_string(v[0], "s", "x");
	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EIO);
	nvlist_move_nvlist_array(nvl, "a", v, 1);
	cr_assert_eq(errno, EIO);
	nvlist_destroy(nvl);
}

/*
 * take: the value leaves the list and belongs to the caller.
 */
Test(nvlist_take_number, __removes_element)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 7);
	nvlist_add_bool(nvl, "b", true);
	cr_assert_eq(nvlist_take_number(nvl, "n"), 7);
	cr_assert(nvlist_take_bool(nvl, "b"));
	cr_assert(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(nvlist_take_string, __caller_frees)
{
	nvlist_t *nvl;
	char *s;

	nvl = nvlist_create(0);
	nvlist_add_string(nvl, "s", "taken");
	nvlist_move_string(nvl, "m", strdup("moved"));
	s = nvlist_take_string(nvl, "s");
	cr_assert_str_eq(s, "taken");
	free(s);
	s = nvlist_take_string(nvl, "m");
	cr_assert_str_eq(s, "moved");
	free(s);
	cr_assert(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(nvlist_take_binary, __caller_frees)
{
	nvlist_t *nvl;
	size_t size;
	char *b;

	nvl = nvlist_create(0);
	nvlist_add_binary(nvl, "b", "abc", 3);
	b = nvlist_take_binary(nvl, "b", &size);
	cr_assert_eq(size, 3);
	cr_assert_eq(memcmp(b, "abc", 3), 0);
	free(b);
	nvlist_destroy(nvl);
}

Test(nvlist_take_nvlist, __detaches_child)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	nvlist_add_number(child, "x", 1);
	nvlist_add_nvlist(nvl, "c", child);
	nvlist_destroy(child);
	child = nvlist_take_nvlist(nvl, "c");
	cr_assert_null(nvlist_get_parent(child, NULL));
	cr_assert_eq(nvlist_get_number(child, "x"), 1);
	nvlist_destroy(nvl);
	nvlist_destroy(child);
}

Test(nvlist_take_descriptor, __caller_closes)
{
	nvlist_t *nvl;
	int before, fd;

	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_add_descriptor(nvl, "d", STDIN_FILENO);
	fd = nvlist_take_descriptor(nvl, "d");
	nvlist_destroy(nvl);
	cr_assert(fd_open(fd));
	close(fd);
	cr_assert_eq(count_fds(), before);
}

Test(nvlist_take_bool_array, __caller_frees)
{
	nvlist_t *nvl;
	size_t n;
	bool *b;

	nvl = nvlist_create(0);
	nvlist_append_bool_array(nvl, "a", true);
	b = nvlist_take_bool_array(nvl, "a", &n);
	cr_assert_eq(n, 1);
	cr_assert(b[0]);
	free(b);
	nvlist_destroy(nvl);
}

Test(nvlist_take_number_array, __caller_frees)
{
	nvlist_t *nvl;
	uint64_t *v;
	size_t n;

	nvl = nvlist_create(0);
	nvlist_append_number_array(nvl, "a", 5);
	v = nvlist_take_number_array(nvl, "a", &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0], 5);
	free(v);
	nvlist_destroy(nvl);
}

Test(nvlist_take_string_array, __caller_frees_each)
{
	nvlist_t *nvl;
	char **v;
	size_t n, i;

	nvl = nvlist_create(0);
	nvlist_append_string_array(nvl, "a", "x");
	nvlist_append_string_array(nvl, "a", "y");
	v = nvlist_take_string_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(v[1], "y");
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	nvlist_destroy(nvl);
}

Test(nvlist_take_nvlist_array, __detaches_elements)
{
	nvlist_t *nvl, *e, **v;
	size_t n, i;

	nvl = nvlist_create(0);
	e = nvlist_create(0);
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_append_nvlist_array(nvl, "a", e);
	nvlist_destroy(e);
	v = nvlist_take_nvlist_array(nvl, "a", &n);
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++) {
		cr_assert_not(nvlist_in_array(v[i]));
		cr_assert_null(nvlist_get_parent(v[i], NULL));
		cr_assert_null(nvlist_get_array_next(v[i]));
		nvlist_destroy(v[i]);
	}
	free(v);
	cr_assert(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(nvlist_take_descriptor_array, __caller_closes)
{
	nvlist_t *nvl;
	int before, *v;
	size_t n;

	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_append_descriptor_array(nvl, "a", STDIN_FILENO);
	v = nvlist_take_descriptor_array(nvl, "a", &n);
	nvlist_destroy(nvl);
	cr_assert_eq(n, 1);
	cr_assert(fd_open(v[0]));
	close(v[0]);
	free(v);
	cr_assert_eq(count_fds(), before);
}

/*
 * free
 */
Test(nvlist_free, __any_type)
{
	nvlist_t *nvl;
	int before;

	before = count_fds();
	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "null");
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 1);
	nvlist_add_string(nvl, "string", "s");
	nvlist_add_nvlist(nvl, "nvlist", nvl);
	nvlist_add_binary(nvl, "binary", "b", 1);
	nvlist_append_bool_array(nvl, "bool_array", true);
	nvlist_append_number_array(nvl, "number_array", 1);
	nvlist_append_string_array(nvl, "string_array", "s");
	nvlist_append_nvlist_array(nvl, "nvlist_array", nvl);
	nvlist_add_descriptor(nvl, "descriptor", STDIN_FILENO);
	nvlist_append_descriptor_array(nvl, "descriptor_array", STDIN_FILENO);
	cr_assert_eq(nvlist_error(nvl), 0);
	cr_assert_eq(count_fds(), before + 2);
	nvlist_free_null(nvl, "null");
	nvlist_free_bool(nvl, "bool");
	nvlist_free_number(nvl, "number");
	nvlist_free_string(nvl, "string");
	nvlist_free_nvlist(nvl, "nvlist");
	nvlist_free_binary(nvl, "binary");
	nvlist_free_bool_array(nvl, "bool_array");
	nvlist_free_number_array(nvl, "number_array");
	nvlist_free_string_array(nvl, "string_array");
	nvlist_free_nvlist_array(nvl, "nvlist_array");
	nvlist_free_descriptor(nvl, "descriptor");
	cr_assert_eq(count_fds(), before + 1);
	nvlist_free_type(nvl, "descriptor_array", NV_TYPE_DESCRIPTOR_ARRAY);
	cr_assert(nvlist_empty(nvl));
	cr_assert_eq(count_fds(), before);
	nvlist_destroy(nvl);
}

Test(nvlist_free_type, __wrong_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "n", 1);
	nvlist_free_type(nvl, "n", NV_TYPE_STRING);
}

/*
 * Iteration and navigation.
 */
Test(nvlist_next, __visits_in_insertion_order)
{
	const char *expect[] = { "z", "a", "m" };
	nvlist_t *nvl;
	const char *name;
	void *cookie;
	int i, type;

	nvl = nvlist_create(0);
	nvlist_add_number(nvl, "z", 1);
	nvlist_add_string(nvl, "a", "x");
	nvlist_add_null(nvl, "m");
	cookie = NULL;
	i = 0;
	while ((name = nvlist_next(nvl, &type, &cookie)) != NULL) {
		cr_assert_str_eq(name, expect[i]);
		cr_assert_eq(type, i == 0 ? NV_TYPE_NUMBER : i == 1 ?
		    NV_TYPE_STRING : NV_TYPE_NULL);
		i++;
	}
	cr_assert_eq(i, 3);
	cr_assert_str_eq(nvlist_next(nvl, NULL, NULL), "z");
	nvlist_destroy(nvl);
}

Test(nvlist_next, __empty_list)
{
	nvlist_t *nvl;
	void *cookie;

	nvl = nvlist_create(0);
	cookie = NULL;
	cr_assert_null(nvlist_next(nvl, NULL, &cookie));
	nvlist_destroy(nvl);
}

Test(nvlist_next, __foreign_cookie_aborts, .signal = SIGABRT)
{
	nvlist_t *a, *b;
	void *cookie;

	a = nvlist_create(0);
	b = nvlist_create(0);
	nvlist_add_null(a, "x");
	nvlist_add_null(b, "x");
	cookie = NULL;
	(void)nvlist_next(a, NULL, &cookie);
	(void)nvlist_next(b, NULL, &cookie);
}

/*
 * The whole-tree walk that nv(3) documents: nvlist_next through each
 * list, nvlist_get_pararr to climb out.
 */
Test(nvlist_get_pararr, __walks_whole_tree)
{
	const nvlist_t *cur;
	nvlist_t *nvl, *child, *e;
	const char *name;
	char seen[256];
	void *cookie;
	int type;

	nvl = nvlist_create(0);
	child = nvlist_create(0);
	e = nvlist_create(0);
	nvlist_add_number(child, "c1", 1);
	nvlist_add_number(e, "e1", 1);
	nvlist_add_number(nvl, "top1", 1);
	nvlist_move_nvlist(nvl, "child", child);
	nvlist_append_nvlist_array(nvl, "arr", e);
	nvlist_free_number(e, "e1");
	nvlist_add_number(e, "e2", 2);
	nvlist_append_nvlist_array(nvl, "arr", e);
	nvlist_destroy(e);
	nvlist_add_number(nvl, "top2", 2);

	seen[0] = '\0';
	cur = nvl;
	cookie = NULL;
	do {
		while ((name = nvlist_next(cur, &type, &cookie)) != NULL) {
			strcat(seen, name);
			strcat(seen, " ");
			if (type == NV_TYPE_NVLIST) {
				cur = nvlist_get_nvlist(cur, name);
				cookie = NULL;
			} else if (type == NV_TYPE_NVLIST_ARRAY) {
				cur = nvlist_get_nvlist_array(cur, name,
				    NULL)[0];
				cookie = NULL;
			}
		}
	} while ((cur = nvlist_get_pararr(cur, &cookie)) != NULL);
	cr_assert_str_eq(seen, "top1 child c1 arr e1 e2 top2 ");
	nvlist_destroy(nvl);
}

/*
 * clone
 */
Test(nvlist_clone, __deep_copy_with_new_descriptors)
{
	nvlist_t *nvl, *copy, *child;
	int before;

	before = count_fds();
	nvl = nvlist_create(NV_FLAG_IGNORE_CASE);
	child = nvlist_create(0);
	nvlist_add_descriptor(child, "fd", STDIN_FILENO);
	nvlist_add_string(child, "s", "x");
	nvlist_move_nvlist(nvl, "child", child);
	nvlist_append_nvlist_array(nvl, "arr", child = nvlist_create(0));
	nvlist_append_nvlist_array(nvl, "arr", child);
	nvlist_destroy(child);
	nvlist_add_number(nvl, "n", 1);
	copy = nvlist_clone(nvl);
	cr_assert_not_null(copy);
	cr_assert_eq(nvlist_flags(copy), NV_FLAG_IGNORE_CASE);
	cr_assert_eq(count_fds(), before + 2);
	cr_assert_neq(nvlist_get_descriptor(nvlist_get_nvlist(copy, "CHILD"),
	    "fd"), nvlist_get_descriptor(nvlist_get_nvlist(nvl, "child"),
	    "fd"));
	cr_assert_str_eq(nvlist_get_string(nvlist_get_nvlist(copy, "child"),
	    "s"), "x");
	cr_assert_eq(nvlist_get_number(copy, "n"), 1);
	cr_assert_eq(nvlist_size(copy), nvlist_size(nvl));
	nvlist_destroy(nvl);
	cr_assert_eq(count_fds(), before + 1);
	nvlist_destroy(copy);
	cr_assert_eq(count_fds(), before);
}

Test(nvlist_clone, __list_in_error_fails)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, EFAULT);
	errno = 0;
	cr_assert_null(nvlist_clone(nvl));
	cr_assert_eq(errno, EFAULT);
	nvlist_destroy(nvl);
	cr_assert_null(nvlist_clone(NULL));
	cr_assert_eq(errno, ENOMEM);
}

Test(nvlist_clone, __deep_nesting)
{
	nvlist_t *nvl, *child, *copy;
	int i;

	nvl = nvlist_create(0);
	for (i = 0; i < 100000; i++) {
		child = nvlist_create(0);
		nvlist_move_nvlist(child, "c", nvl);
		nvl = child;
	}
	copy = nvlist_clone(nvl);
	cr_assert_not_null(copy);
	cr_assert_eq(nvlist_size(copy), nvlist_size(nvl));
	nvlist_destroy(nvl);
	nvlist_destroy(copy);
}

/*
 * dump
 */
static char *
dump_to_string(const nvlist_t *nvl)
{
	char *buf;
	size_t len;
	FILE *fp;

	fp = open_memstream(&buf, &len);
	nvlist_fdump(nvl, fp);
	fclose(fp);
	return (buf);
}

Test(nvlist_fdump, __lists_every_type)
{
	nvlist_t *nvl, *child;
	char *out;

	nvl = nvlist_create(0);
	nvlist_add_null(nvl, "n");
	nvlist_add_bool(nvl, "b", true);
	nvlist_add_number(nvl, "num", 255);
	nvlist_add_string(nvl, "s", "str");
	nvlist_add_binary(nvl, "bin", "\x01\xab", 2);
	nvlist_append_number_array(nvl, "na", 1);
	nvlist_append_number_array(nvl, "na", 2);
	nvlist_append_string_array(nvl, "sa", "x");
	nvlist_append_bool_array(nvl, "ba", false);
	child = nvlist_create(0);
	nvlist_add_number(child, "inner", 1);
	nvlist_move_nvlist(nvl, "child", child);
	out = dump_to_string(nvl);
	cr_assert_str_eq(out,
	    "n (NULL): null\n"
	    "b (BOOL): TRUE\n"
	    "num (NUMBER): 255 (255) (0xff)\n"
	    "s (STRING): [str]\n"
	    "bin (BINARY): 2 01ab\n"
	    "na (NUMBER ARRAY): [ 1 (1) (0x1), 2 (2) (0x2) ]\n"
	    "sa (STRING ARRAY): [ \"x\" ]\n"
	    "ba (BOOL ARRAY): [ FALSE ]\n"
	    "child (NVLIST):\n"
	    "    inner (NUMBER): 1 (1) (0x1)\n");
	free(out);
	nvlist_destroy(nvl);
}

Test(nvlist_fdump, __list_in_error)
{
	nvlist_t *nvl;
	char *out;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, 22);
	out = dump_to_string(nvl);
	cr_assert_str_eq(out, "error: 22\n");
	free(out);
	nvlist_destroy(nvl);
}

Test(nvlist_dump, __writes_to_descriptor)
{
	nvlist_t *nvl;
	char buf[128];
	ssize_t n;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	nvl = nvlist_create(0);
	nvlist_append_nvlist_array(nvl, "a", nvl);
	nvlist_add_descriptor(nvl, "d", p[0]);
	nvlist_dump(nvl, p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_not_null(strstr(buf, "a (NVLIST ARRAY): 1\n    ,\nd (DESCRIPTOR): "));
	close(p[0]);
	nvlist_destroy(nvl);
}
