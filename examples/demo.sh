#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# make demo: sandboxed programs doing real work in capability mode, and
# escape attempts refused by the kernel.
set -eu
b=${1:-build}
d=$(mktemp -d /tmp/capsicum-demo.XXXXXX)
trap 'rm -rf "$d"' EXIT

echo "== What this kernel enforces (capsicum-info)"
"$b/tools/capsicum-info" || true
echo

printf 'apple\napple\nbanana\ncherry\ncherry\ncherry\napple\n' > "$d/fruit"
echo "== cuniq (uniq -c in capability mode) on a file, stdout limited by caph_limit_stdio"
"$b/examples/cuniq" "$d/fruit"
echo
echo "== cuniq reading stdin, then trying to escape (-x)"
"$b/examples/cuniq" -x < "$d/fruit"
echo

mkdir "$d/dir" "$d/dir/sub"
printf 'alpha\n' > "$d/dir/a"
printf 'a longer file\n' > "$d/dir/b"
echo "== cdirlist: a read-only directory capability, then escape attempts"
"$b/examples/cdirlist" -x "$d/dir"
echo
echo "demo: every escape attempt above was refused by the kernel."
