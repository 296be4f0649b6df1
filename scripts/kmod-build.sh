#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build kmod/oomtrace.ko once per kernel: build/kmod/KVER/oomtrace.ko.
# usage: scripts/kmod-build.sh [KVER]...   (default: every kernel whose
# headers are installed under /lib/modules/KVER/build)
# Kbuild writes its objects next to the sources, so each kernel gets its own
# copy of them under build/kmod/KVER; the source tree stays clean.
# V=1 shows Kbuild's commands.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${OUTPUT:-$repo/build}/kmod

if [ $# -eq 0 ]; then
	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && set -- "$@" "$(basename "$(dirname "$d")")"
	done
	if [ $# -eq 0 ]; then
		echo "kmod-build: no kernel headers under /lib/modules/*/build (apt-get install linux-headers-6.1.0-56-amd64)" >&2
		exit 1
	fi
fi

for kver in "$@"; do
	kdir=/lib/modules/$kver/build
	if [ ! -e "$kdir/Makefile" ]; then
		echo "kmod-build: no headers for $kver at $kdir" >&2
		exit 1
	fi
	dir=$out/$kver
	mkdir -p "$dir"
	for f in Kbuild oomtrace.c compat.h; do
		cmp -s "$repo/kmod/$f" "$dir/$f" || cp "$repo/kmod/$f" "$dir/$f"
	done
	printf '  %-8s %s\n' KMOD "$dir/oomtrace.ko"
	make -s -C "$kdir" M="$dir" V="${V:-0}" modules
done
