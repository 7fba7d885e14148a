#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# make check: install into a scratch prefix and build the README's example
# against it with pkg-config, shared and static, then run both.
set -eu
b=$1
d=$(mktemp -d /tmp/capsicum-install.XXXXXX)
trap 'rm -rf "$d"' EXIT
make -s install PREFIX="$d/prefix" B="$b" >/dev/null
export PKG_CONFIG_PATH="$d/prefix/lib/pkgconfig"
sed -n '/^```c$/,/^```$/p' README.md | sed '1d;$d' > "$d/prog.c"
cc -Wall -Wextra -Werror "$d/prog.c" -o "$d/prog" \
    $(pkg-config --cflags --libs capsicum) -Wl,-rpath,"$d/prefix/lib"
cc -static "$d/prog.c" -o "$d/prog-static" \
    $(pkg-config --static --cflags --libs capsicum) 2>/dev/null
echo "installed library works" > "$d/in"
for p in prog prog-static; do
	out=$("$d/$p" "$d/in" 2>"$d/err")
	err=$(cat "$d/err")
	if [ "$out" != "installed library works" ] ||
	    [ "$err" != "$p: open: Not permitted in capability mode" ]; then
		echo "check-install: $p printed '$out' and '$err'" >&2
		exit 1
	fi
done
echo "install: headers, libraries and pkg-config module work (shared and static)"
