/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cnv.h: access through the cookie from nvlist_next(), for every type;
 * a cookie of another type aborts.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/cnv.h>
#include <sys/nv.h>

/* The cookie of the element with this name. */
static void *
cookie_of(const nvlist_t *nvl, const char *want)
{
	const char *name;
	void *cookie;

	cookie = NULL;
	while ((name = nvlist_next(nvl, NULL, &cookie)) != NULL) {
		if (strcmp(name, want) == 0)
			return (cookie);
	}
	cr_assert_fail("no element %s", want);
	return (NULL);
}

static nvlist_t *
filled(void)
{
	const char *sa[] = { "a", "b" };
	uint64_t na[] = { 1, 2 };
	bool ba[] = { true, false };
	nvlist_t *nvl, *child;

	nvl = nvlist_create(0);
	nvlist_add_bool(nvl, "bool", true);
	nvlist_add_number(nvl, "number", 7);
	nvlist_add_string(nvl, "string", "s");
	child = nvlist_create(0);
	nvlist_add_number(child, "x", 1);
	nvlist_add_nvlist(nvl, "nvlist", child);
	nvlist_append_nvlist_array(nvl, "nvlist_array", child);
	nvlist_append_nvlist_array(nvl, "nvlist_array", child);
	nvlist_destroy(child);
	nvlist_add_descriptor(nvl, "descriptor", STDIN_FILENO);
	nvlist_append_descriptor_array(nvl, "descriptor_array", STDIN_FILENO);
	nvlist_add_binary(nvl, "binary", "bin", 3);
	nvlist_add_bool_array(nvl, "bool_array", ba, 2);
	nvlist_add_number_array(nvl, "number_array", na, 2);
	nvlist_add_string_array(nvl, "string_array", sa, 2);
	cr_assert_eq(nvlist_error(nvl), 0);
	return (nvl);
}

Test(cnvlist_name, __and_type)
{
	nvlist_t *nvl;
	void *c;

	nvl = filled();
	c = cookie_of(nvl, "number");
	cr_assert_str_eq(cnvlist_name(c), "number");
	cr_assert_eq(cnvlist_type(c), NV_TYPE_NUMBER);
	cr_assert_eq(cnvlist_type(cookie_of(nvl, "string_array")),
	    NV_TYPE_STRING_ARRAY);
	nvlist_destroy(nvl);
}

Test(cnvlist_get, __every_type)
{
	nvlist_t *nvl;
	size_t n;

	nvl = filled();
	cr_assert(cnvlist_get_bool(cookie_of(nvl, "bool")));
	cr_assert_eq(cnvlist_get_number(cookie_of(nvl, "number")), 7);
	cr_assert_str_eq(cnvlist_get_string(cookie_of(nvl, "string")), "s");
	cr_assert_eq(nvlist_get_number(cnvlist_get_nvlist(cookie_of(nvl,
	    "nvlist")), "x"), 1);
	cr_assert_eq(cnvlist_get_descriptor(cookie_of(nvl, "descriptor")),
	    nvlist_get_descriptor(nvl, "descriptor"));
	cr_assert_eq(memcmp(cnvlist_get_binary(cookie_of(nvl, "binary"), &n),
	    "bin", 3), 0);
	cr_assert_eq(n, 3);
	cr_assert_not(cnvlist_get_bool_array(cookie_of(nvl, "bool_array"),
	    &n)[1]);
	cr_assert_eq(n, 2);
	cr_assert_eq(cnvlist_get_number_array(cookie_of(nvl, "number_array"),
	    &n)[1], 2);
	cr_assert_str_eq(cnvlist_get_string_array(cookie_of(nvl,
	    "string_array"), &n)[1], "b");
	cr_assert_eq(nvlist_get_number(cnvlist_get_nvlist_array(cookie_of(nvl,
	    "nvlist_array"), &n)[1], "x"), 1);
	cr_assert_eq(n, 2);
	cr_assert_eq(cnvlist_get_descriptor_array(cookie_of(nvl,
	    "descriptor_array"), &n)[0], nvlist_get_descriptor_array(nvl,
	    "descriptor_array", NULL)[0]);
	cr_assert_eq(n, 1);
	nvlist_destroy(nvl);
}

Test(cnvlist_take, __every_type)
{
	nvlist_t *nvl, *child, **nvls;
	char *s, **sa;
	uint64_t *na;
	bool *ba;
	void *bin;
	int fd, *fds;
	size_t n, i;

	nvl = filled();
	cr_assert(cnvlist_take_bool(cookie_of(nvl, "bool")));
	cr_assert_eq(cnvlist_take_number(cookie_of(nvl, "number")), 7);
	s = cnvlist_take_string(cookie_of(nvl, "string"));
	cr_assert_str_eq(s, "s");
	free(s);
	child = cnvlist_take_nvlist(cookie_of(nvl, "nvlist"));
	cr_assert_null(nvlist_get_parent(child, NULL));
	nvlist_destroy(child);
	fd = cnvlist_take_descriptor(cookie_of(nvl, "descriptor"));
	cr_assert_neq(fcntl(fd, F_GETFD), -1);
	close(fd);
	bin = cnvlist_take_binary(cookie_of(nvl, "binary"), &n);
	cr_assert_eq(n, 3);
	free(bin);
	ba = cnvlist_take_bool_array(cookie_of(nvl, "bool_array"), &n);
	cr_assert(n == 2 && ba[0]);
	free(ba);
	na = cnvlist_take_number_array(cookie_of(nvl, "number_array"), &n);
	cr_assert(n == 2 && na[1] == 2);
	free(na);
	sa = cnvlist_take_string_array(cookie_of(nvl, "string_array"), &n);
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++)
		free(sa[i]);
	free(sa);
	nvls = cnvlist_take_nvlist_array(cookie_of(nvl, "nvlist_array"), &n);
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++)
		nvlist_destroy(nvls[i]);
	free(nvls);
	fds = cnvlist_take_descriptor_array(cookie_of(nvl, "descriptor_array"),
	    &n);
	cr_assert_eq(n, 1);
	close(fds[0]);
	free(fds);
	cr_assert(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(cnvlist_free, __every_type)
{
	nvlist_t *nvl;

	nvl = filled();
	cnvlist_free_bool(cookie_of(nvl, "bool"));
	cnvlist_free_number(cookie_of(nvl, "number"));
	cnvlist_free_string(cookie_of(nvl, "string"));
	cnvlist_free_nvlist(cookie_of(nvl, "nvlist"));
	cnvlist_free_nvlist_array(cookie_of(nvl, "nvlist_array"));
	cnvlist_free_descriptor(cookie_of(nvl, "descriptor"));
	cnvlist_free_descriptor_array(cookie_of(nvl, "descriptor_array"));
	cnvlist_free_binary(cookie_of(nvl, "binary"));
	cnvlist_free_bool_array(cookie_of(nvl, "bool_array"));
	cnvlist_free_number_array(cookie_of(nvl, "number_array"));
	cnvlist_free_string_array(cookie_of(nvl, "string_array"));
	cr_assert(nvlist_empty(nvl));
	nvlist_destroy(nvl);
}

Test(cnvlist_get_number, __wrong_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = filled();
	(void)cnvlist_get_number(cookie_of(nvl, "string"));
}

Test(cnvlist_take_string, __wrong_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = filled();
	(void)cnvlist_take_string(cookie_of(nvl, "number"));
}

Test(cnvlist_free_bool, __wrong_type_aborts, .signal = SIGABRT)
{
	nvlist_t *nvl;

	nvl = filled();
	cnvlist_free_bool(cookie_of(nvl, "number"));
}

Test(cnvlist_name, __bad_cookie_aborts, .signal = SIGABRT)
{
	uint64_t junk[16];

	memset(junk, 0, sizeof(junk));
	(void)cnvlist_name(junk);
}
