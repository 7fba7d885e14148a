#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Run one libFuzzer binary for a bounded time.
#
# usage: fuzz.sh BINARY SECONDS
#
# The corpus lives in build/fuzz/corpus-NAME and persists between runs;
# the harness writes its seeds into it (NV_FUZZ_SEED_DIR).  Crash inputs
# land in build/fuzz/NAME-crash-*.  Exits non-zero if the fuzzer found a
# crash, leak or timeout, and prints the number of executions either way.

set -u
bin=$1
secs=$2
name=$(basename "$bin")
dir=$(dirname "$bin")
corpus="$dir/corpus-$name"
log="$dir/$name.log"

mkdir -p "$corpus"
echo "== fuzz $name for ${secs}s (corpus $corpus)"
NV_FUZZ_SEED_DIR="$corpus" \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" "$corpus" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/$name-" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ $rc -ne 0 ]; then
	tail -n 60 "$log"
	echo "FUZZ FAILED: $name (exit $rc) after ${execs:-?} executions"
	exit 1
fi
echo "$name: ${execs:-?} executions in ${secs}s, no crash"
