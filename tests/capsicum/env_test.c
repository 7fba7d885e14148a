/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * env.c: the environment and decimal numbers without libc, as cap_enter()
 * uses them, checked against libc's own getenv()/setenv().
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "capsicum/capsicum_impl.h"

extern char **environ;

Test(utoa, every_digit_count)
{
	char buf[CAPSICUM_UTOA_LEN], want[32];
	unsigned long v[] = { 0, 7, 10, 99, 200, 4294967295UL, ULONG_MAX };

	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%lu", v[i]);
		cr_assert_str_eq(capsicum_utoa(v[i], buf), want);
	}
}

Test(getenv, finds_only_the_whole_name)
{
	cr_assert_eq(setenv("CAPSICUM_ENV_TEST", "1", 1), 0);
	cr_assert_eq(setenv("CAPSICUM_ENV_TESTX", "2", 1), 0);
	cr_assert_eq(setenv("CAPSICUM_ENV_EMPTY", "", 1), 0);
	cr_assert_str_eq(capsicum_getenv("CAPSICUM_ENV_TEST"), "1");
	cr_assert_str_eq(capsicum_getenv("CAPSICUM_ENV_TESTX"), "2");
	cr_assert_str_eq(capsicum_getenv("CAPSICUM_ENV_EMPTY"), "");
	cr_assert_null(capsicum_getenv("CAPSICUM_ENV"));
	cr_assert_null(capsicum_getenv("CAPSICUM_ENV_TESTXY"));
	cr_assert_null(capsicum_getenv("NOT_THERE_AT_ALL"));
	cr_assert_eq(clearenv(), 0);
	cr_assert_null(capsicum_getenv("CAPSICUM_ENV_TEST"));
}

Test(setenv_static, adds_then_replaces_in_place)
{
	static char a[] = "CAPSICUM_ENV_STATIC=17";
	static char b[] = "CAPSICUM_ENV_STATIC=18";
	static char bad[] = "NO_EQUALS_SIGN";

	cr_assert_null(getenv("CAPSICUM_ENV_STATIC"));
	cr_assert_eq(capsicum_setenv_static(a), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "17");
	/* libc still manages the environment it no longer allocated. */
	cr_assert_eq(setenv("CAPSICUM_ENV_OTHER", "x", 1), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "17");
	cr_assert_str_eq(capsicum_getenv("CAPSICUM_ENV_OTHER"), "x");
	cr_assert_eq(capsicum_setenv_static(b), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "18");
	cr_assert_eq(unsetenv("CAPSICUM_ENV_STATIC"), 0);
	cr_assert_null(capsicum_getenv("CAPSICUM_ENV_STATIC"));
	cr_assert_eq(capsicum_setenv_static(bad), -1);
	cr_assert_null(getenv("NO_EQUALS_SIGN"));
	/* A value set by setenv() first is replaced, not doubled. */
	cr_assert_eq(setenv("CAPSICUM_ENV_STATIC", "1", 1), 0);
	cr_assert_eq(capsicum_setenv_static(a), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "17");
	unsigned int n = 0;
	for (char **e = environ; *e != NULL; e++)
		n += strncmp(*e, "CAPSICUM_ENV_STATIC=", 20) == 0;
	cr_assert_eq(n, 1);
}

Test(setenv_static, large_and_empty_environments)
{
	static char a[] = "CAPSICUM_ENV_STATIC=1";
	static char b[] = "CAPSICUM_ENV_MORE=2";
	char name[32];

	cr_assert_eq(clearenv(), 0);
	cr_assert_eq(capsicum_setenv_static(a), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "1");
	/* The second variable cannot reuse the array it is in. */
	cr_assert_eq(capsicum_setenv_static(b), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "1");
	cr_assert_str_eq(getenv("CAPSICUM_ENV_MORE"), "2");
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "CAPSICUM_FILL_%d", i);
		cr_assert_eq(setenv(name, "v", 1), 0);
	}
	cr_assert_eq(unsetenv("CAPSICUM_ENV_STATIC"), 0);
	cr_assert_eq(capsicum_setenv_static(a), 0);
	cr_assert_str_eq(getenv("CAPSICUM_ENV_STATIC"), "1");
	cr_assert_str_eq(getenv("CAPSICUM_FILL_99"), "v");
}
