/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnv.h: each accessor returns the element when one of that name and type
 * exists, else the default, and never aborts on a missing element.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/dnv.h>
#include <sys/nv.h>

static nvlist_t *
filled(void)
{
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 7);
	nvlist_add_string(nvl, "string", "s");
	child = nvlist_create(0);
	nvlist_add_number(child, "x", 1);
	nvlist_move_nvlist(nvl, "nvlist", child);
	nvlist_add_descriptor(nvl, "descriptor", STDIN_FILENO);
	nvlist_add_binary(nvl, "binary", "bin", 3);
	cr_assert_eq(nvlist_error(nvl), 0);
	return (nvl);
}

Test(dnvlist_get_bool, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert(dnvlist_get_bool(nvl, "bool", false));
	cr_assert_not(dnvlist_get_bool(nvl, "none", false));
	cr_assert(dnvlist_get_bool(nvl, "none", true));
	/* Another type under the name counts as missing. */
	cr_assert_not(dnvlist_get_bool(nvl, "number", false));
	nvlist_destroy(nvl);
}

Test(dnvlist_get_number, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert_eq(dnvlist_get_number(nvl, "number", 1), 7);
	cr_assert_eq(dnvlist_get_number(nvl, "none", 99), 99);
	cr_assert_eq(dnvlist_get_number(nvl, "string", 98), 98);
	nvlist_destroy(nvl);
}

Test(dnvlist_get_string, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert_str_eq(dnvlist_get_string(nvl, "string", "d"), "s");
	cr_assert_str_eq(dnvlist_get_string(nvl, "none", "d"), "d");
	cr_assert_null(dnvlist_get_string(nvl, "none", NULL));
	nvlist_destroy(nvl);
}

Test(dnvlist_get_nvlist, __present_and_missing)
{
	nvlist_t *nvl, *def;

	nvl = filled();
	def = nvlist_create(0);
	cr_assert_eq(nvlist_get_number(dnvlist_get_nvlist(nvl, "nvlist", def),
	    "x"), 1);
	cr_assert_eq(dnvlist_get_nvlist(nvl, "none", def), def);
	nvlist_destroy(def);
	nvlist_destroy(nvl);
}

Test(dnvlist_get_descriptor, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert_eq(dnvlist_get_descriptor(nvl, "descriptor", -1),
	    nvlist_get_descriptor(nvl, "descriptor"));
	cr_assert_eq(dnvlist_get_descriptor(nvl, "none", -1), -1);
	nvlist_destroy(nvl);
}

Test(dnvlist_get_binary, __present_and_missing)
{
	nvlist_t *nvl;
	const void *p;
	size_t size;

	nvl = filled();
	p = dnvlist_get_binary(nvl, "binary", &size, "default", 7);
	cr_assert_eq(size, 3);
	cr_assert_eq(memcmp(p, "bin", 3), 0);
	p = dnvlist_get_binary(nvl, "none", &size, "default", 7);
	cr_assert_eq(size, 7);
	cr_assert_str_eq(p, "default");
	cr_assert_null(dnvlist_get_binary(nvl, "none", NULL, NULL, 0));
	nvlist_destroy(nvl);
}

Test(dnvlist_take_bool, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert(dnvlist_take_bool(nvl, "bool", false));
	cr_assert_not(nvlist_exists(nvl, "bool"));
	cr_assert_not(dnvlist_take_bool(nvl, "bool", false));
	nvlist_destroy(nvl);
}

Test(dnvlist_take_number, __present_and_missing)
{
	nvlist_t *nvl;

	nvl = filled();
	cr_assert_eq(dnvlist_take_number(nvl, "number", 0), 7);
	cr_assert_eq(dnvlist_take_number(nvl, "number", 5), 5);
	nvlist_destroy(nvl);
}

Test(dnvlist_take_string, __present_and_missing)
{
	nvlist_t *nvl;
	char def[] = "def", *s;

	nvl = filled();
	s = dnvlist_take_string(nvl, "string", def);
	cr_assert_str_eq(s, "s");
	free(s);
	cr_assert_eq(dnvlist_take_string(nvl, "string", def), def);
	nvlist_destroy(nvl);
}

Test(dnvlist_take_nvlist, __present_and_missing)
{
	nvlist_t *nvl, *child;

	nvl = filled();
	child = dnvlist_take_nvlist(nvl, "nvlist", NULL);
	cr_assert_not_null(child);
	cr_assert_null(nvlist_get_parent(child, NULL));
	nvlist_destroy(child);
	cr_assert_null(dnvlist_take_nvlist(nvl, "nvlist", NULL));
	nvlist_destroy(nvl);
}

Test(dnvlist_take_descriptor, __present_and_missing)
{
	nvlist_t *nvl;
	int fd;

	nvl = filled();
	fd = dnvlist_take_descriptor(nvl, "descriptor", -1);
	cr_assert_geq(fd, 0);
	cr_assert_neq(fcntl(fd, F_GETFD), -1);
	close(fd);
	cr_assert_eq(dnvlist_take_descriptor(nvl, "descriptor", -1), -1);
	nvlist_destroy(nvl);
}

Test(dnvlist_take_binary, __present_and_missing)
{
	nvlist_t *nvl;
	size_t size;
	void *p;
	char def[] = "def";

	nvl = filled();
	p = dnvlist_take_binary(nvl, "binary", &size, def, 4);
	cr_assert_eq(size, 3);
	cr_assert_eq(memcmp(p, "bin", 3), 0);
	free(p);
	cr_assert_eq(dnvlist_take_binary(nvl, "binary", &size, def, 4), def);
	cr_assert_eq(size, 4);
	nvlist_destroy(nvl);
}

Test(dnvlist_get_number, __list_in_error_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = nvlist_create(0);
	nvlist_set_error(nvl, ENOMEM);
	(void)dnvlist_get_number(nvl, "x", 0);
}
