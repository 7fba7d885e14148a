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
# libcasper: a client that opens a service, enters capability mode and
# uses it, through the pkg-config module casper.
cat > "$d/casper.c" <<'EOF2'
#include <err.h>
#include <stdio.h>
#include <sys/capsicum.h>
#include <libcasper.h>
#include <casper/cap_random.h>
#include <casper/cap_netdb.h>

int
main(void)
{
	cap_channel_t *cas, *rnd, *netdb;
	struct protoent *pe;
	unsigned char buf[64];

	if ((cas = cap_init()) == NULL)
		err(1, "cap_init");
	if ((rnd = cap_service_open(cas, "system.random")) == NULL ||
	    (netdb = cap_service_open(cas, "system.netdb")) == NULL)
		err(1, "cap_service_open");
	cap_close(cas);
	if (cap_enter() < 0)
		err(1, "cap_enter");
	if (cap_random_buf(rnd, buf, sizeof(buf)) < 0)
		err(1, "cap_random_buf");
	if ((pe = cap_getprotobyname(netdb, "tcp")) == NULL)
		err(1, "cap_getprotobyname");
	printf("casper works: tcp is %d\n", pe->p_proto);
	return (0);
}
EOF2
# An RPATH (not RUNPATH) also finds libnv and libcapsicum, which
# libcasper.so needs, in the scratch prefix.
cc -Wall -Wextra -Werror "$d/casper.c" -o "$d/casper" \
    $(pkg-config --cflags --libs casper) \
    -Wl,--disable-new-dtags,-rpath,"$d/prefix/lib"
cc -static "$d/casper.c" -o "$d/casper-static" \
    $(pkg-config --static --cflags --libs casper) 2>/dev/null
for p in casper casper-static; do
	out=$("$d/$p" 2>&1)
	if [ "$out" != "casper works: tcp is 6" ]; then
		echo "check-install: $p printed '$out'" >&2
		exit 1
	fi
done
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
echo "install: headers, libraries and pkg-config modules (capsicum, casper) work (shared and static)"
