#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Check the Debian packages a build step needs.  As root, install the missing
# ones; otherwise print the exact command and fail.
#
# usage: deps.sh build|test|fuzz|casper

set -u
case "${1:-build}" in
build)	pkgs="gcc make pkg-config libseccomp-dev" ;;
test)	pkgs="libcriterion-dev mandoc util-linux" ;;
fuzz)	pkgs="clang libclang-rt-dev" ;;
casper)	pkgs="dnsmasq" ;;
*)	echo "deps.sh: unknown set '$1'" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "missing build dependencies; run as root:" >&2
	echo "    $cmd" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
if ! $cmd >/dev/null 2>&1; then
	apt-get update >/dev/null 2>&1
	$cmd >/dev/null || { echo "deps.sh: '$cmd' failed" >&2; exit 1; }
fi
