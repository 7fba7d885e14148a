#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Run every test binary (built without sanitizers) under valgrind: no
# invalid access, no uninitialised use, no definite leak.  Valgrind does
# not implement seccomp, so tests that need capability mode are skipped
# (CAPSICUM_TEST_VALGRIND); everything else runs.
#
# usage: valgrind.sh BUILDDIR TEST...

set -u
b=$1; shift
export CAPSICUM_TEST_VALGRIND=1
export CAPSICUM_TESTBIN_DIR="$b/tests/bin"
fail=0
for t in "$@"; do
	# Casper services confine themselves with seccomp before serving and
	# refuse to run unconfined; under valgrind they cannot start.  Only
	# the WITHOUT_CASPER suites run.
	case "$t" in
	*/casper/*nocasper*) ;;
	*/casper/*) printf '== %-40s skipped (services need seccomp)\n' "$t"
		continue ;;
	esac
	printf '== %-40s valgrind\n' "$t"
	if ! valgrind -q --trace-children=yes --error-exitcode=99 \
	    --trace-children-skip='*/tests/bin/*' \
	    --leak-check=full --errors-for-leak-kinds=definite \
	    --show-leak-kinds=definite "$t" --jobs 1 >"$b/vg.log" 2>&1; then
		grep -v '^--[0-9]*-- ' "$b/vg.log" | tail -n 40
		echo "FAILED under valgrind: $t"
		fail=1
	else
		tail -n 1 "$b/vg.log"
	fi
done
rm -f "$b/vg.log"
[ $fail -eq 0 ] && echo "valgrind: clean" || echo "valgrind: ERRORS"
exit $fail
