#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Run every test binary.  As root each binary runs twice: as root and as the
# unprivileged user 65534 (setpriv), because enforcement must hold for both.
#
# usage: runtests.sh BUILDDIR TEST...

set -u
b=$1; shift
opts=${CRITERION_OPTS:---jobs 2}
# Leak checking is on; sandboxed children leave with _exit and skip it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail=0
# Criterion binds /tmp/criterion_PID.sock and leaves it behind when killed.
# A later run as uid 65534 that gets the same pid cannot replace a socket
# root left ("Address already in use"): remove those of dead processes.
sweep() {
	for s in /tmp/criterion_*.sock; do
		[ -S "$s" ] || continue
		p=${s#/tmp/criterion_}
		p=${p%.sock}
		[ -d "/proc/$p" ] || rm -f "$s" 2>/dev/null
	done
}
run() {
	label=$1; shift
	sweep
	printf '== %-40s %s\n' "$t" "$label"
	if ! "$@" $opts --short-filename >"$b/test.log" 2>&1; then
		cat "$b/test.log"
		echo "FAILED: $t ($label)"
		fail=1
	else
		tail -n 1 "$b/test.log"
	fi
}

for t in "$@"; do
	run "as $(id -un)" "$t"
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		run "as uid 65534" setpriv --reuid=65534 --regid=65534 \
		    --clear-groups --inh-caps=-all "$t"
	fi
done
rm -f "$b/test.log"
[ $fail -eq 0 ] && echo "all tests passed" || echo "SOME TESTS FAILED"
exit $fail
