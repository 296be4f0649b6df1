#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command as root under a Debian 6.1 kernel in QEMU (TCG), chrooted into
# the host's root (shared read-only over 9p), in the repository's root. The
# command's stdout, stderr and exit status come back as the script's own.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
vmdir=$repo/build/vm

pkg=linux-image-6.1.0-56-amd64
mem=1G
cpus=2
numa=0
timeout=600
results=
verbose=0
cmd=()

kdir=
kver=
tmp=
fetch=
qemu_pid=
qemu_rc=
drains=()

usage() {
	cat <<EOF
usage: scripts/vmtest.sh [options] [--] COMMAND [ARG]...

Boot a Debian kernel package under QEMU and run COMMAND there as root, chrooted
into the host's root (read-only) with the repository's root as its working
directory. COMMAND's stdout and stderr become ours; so does its exit status.

  --kernel PACKAGE   kernel package (default $pkg)
  --mem SIZE         guest memory, MiB or with an M or G suffix (default $mem)
  --cpus N           virtual CPUs (default $cpus)
  --numa N           split memory and CPUs evenly over N NUMA nodes
  --timeout SECONDS  kill the guest after this long (default $timeout)
  --results DIR      host directory the guest can write, at \$OOMTRACE_RESULTS
                     (/run/results) in the guest (default: a new directory
                     under build/vm/results/); the kernel console goes to
                     DIR/console.log
  -v, --verbose      show the guest's boot messages and QEMU's diagnostics
  -h, --help         show this help

The guest's module tree is at \$OOMTRACE_MODULES, and modprobe finds it
through \$MODPROBE_OPTIONS. Exit status: COMMAND's; 124 if the guest timed
out; 125 if it died without reporting one; 1 or 2 for vmtest's own errors.
EOF
}

die() {
	echo "vmtest: $*" >&2
	exit 1
}

usage_error() {
	echo "vmtest: $*; see 'scripts/vmtest.sh --help'" >&2
	exit 2
}

# need VALUE_OF_OPTION REGEX OPTION: reject a missing or malformed value.
need() {
	[[ $1 =~ $2 ]] || usage_error "invalid value '$1' for $3"
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--*=*)
			set -- "${1%%=*}" "${1#*=}" "${@:2}"
			continue ;;
		--kernel | --mem | --cpus | --numa | --timeout | --results)
			[ $# -ge 2 ] || usage_error "$1 needs a value" ;;
		esac
		case $1 in
		--kernel) need "$2" '^linux-image-[0-9][a-z0-9.+-]*$' "$1"; pkg=$2; shift ;;
		--mem) need "$2" '^[1-9][0-9]*[MG]?$' "$1"; mem=$2; shift ;;
		--cpus) need "$2" '^[1-9][0-9]*$' "$1"; cpus=$2; shift ;;
		--numa) need "$2" '^[1-9][0-9]*$' "$1"; numa=$2; shift ;;
		--timeout) need "$2" '^[1-9][0-9]*$' "$1"; timeout=$2; shift ;;
		--results) need "$2" '.' "$1"; results=$2; shift ;;
		-v | --verbose) verbose=1 ;;
		-h | --help) usage; exit 0 ;;
		--) shift; break ;;
		-*) usage_error "unknown option '$1'" ;;
		*) break ;;
		esac
		shift
	done
	[ $# -gt 0 ] || usage_error "no command given"
	cmd=("$@")
}

check_deps() {
	local p missing=()

	for p in qemu-system-x86 busybox-static kmod xz-utils; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "missing packages: ${missing[*]} (apt-get install ${missing[*]})"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$tmp" "$fetch"
}

# extract_vmlinux BZIMAGE OUT: QEMU boots the uncompressed ELF kernel through
# its PVH entry point, which saves the seconds TCG spends in the bzImage's xz
# decompressor (and, with it, KASLR: the guest's kernel addresses are fixed).
# The boot protocol header says where the payload is.
extract_vmlinux() {
	local setup_sects offset length

	setup_sects=$(od -An -t u1 -j 0x1f1 -N 1 "$1")
	read -r offset length < <(od -An -t u4 -j 0x248 -N 8 "$1")
	dd if="$1" iflag=skip_bytes,count_bytes skip=$(((setup_sects + 1) * 512 + offset)) \
		count="$length" bs=1M status=none | xz -dc --single-stream >"$2"
}

# Unpack (never install) the kernel package into build/vm/PACKAGE once.
fetch_kernel() {
	kdir=$vmdir/$pkg
	kver=${pkg#linux-image-}
	[ -e "$kdir/lib/modules/$kver/modules.dep" ] && return

	# Unpack next to kdir and rename it into place, so an interrupted or
	# concurrent run never sees a half-unpacked tree.
	mkdir -p "$vmdir"
	fetch=$(mktemp -d "$vmdir/.fetch.XXXXXX")
	if ! (cd "$fetch" && apt-get download -q=2 "$pkg") >"$fetch/log" 2>&1; then
		sed -n '/^E: /{s//vmtest: apt-get: /p;q}' "$fetch/log" >&2
		die "failed to download $pkg (stale package lists? try 'apt-get update')"
	fi
	dpkg -x "$fetch"/*.deb "$fetch/root" || die "failed to unpack $pkg"
	[ -f "$fetch/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"
	extract_vmlinux "$fetch/root/boot/vmlinuz-$kver" "$fetch/root/boot/vmlinux-$kver" ||
		die "failed to extract vmlinux from vmlinuz-$kver"
	# The package ships no modules.dep; the guest's insmod order and
	# modprobe both need it.
	depmod -b "$fetch/root" "$kver" || die "failed to run depmod for $kver"
	mv -T "$fetch/root" "$kdir" 2>/dev/null || true
	[ -e "$kdir/lib/modules/$kver/modules.dep" ] || die "failed to set up $kdir"
}

# Print the .ko paths (relative to the module tree) of the given modules and
# their dependencies, each after everything it depends on. A modules.dep line
# lists a module's whole dependency closure, each entry after those it needs,
# so reading it backwards gives a load order.
load_order() {
	awk -v want="$*" '
	{
		name = $1
		sub(/:$/, "", name)
		sub(/.*\//, "", name)
		sub(/\.ko$/, "", name)
		deps[name] = $0
	}
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			if (!(w[i] in deps)) {
				print "vmtest: no module " w[i] > "/dev/stderr"
				exit 1
			}
			k = split(deps[w[i]], f, " ")
			for (j = k; j >= 1; j--) {
				sub(/:$/, "", f[j])
				if (!seen[f[j]]++)
					print f[j]
			}
		}
	}' "$kdir/lib/modules/$kver/modules.dep"
}

# sh_quote WORD: WORD quoted for any POSIX shell.
sh_quote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# The initramfs: static busybox, the 9p stack's modules, the init script and
# the settings it sources. Rebuilt each run; it takes a few milliseconds.
build_initramfs() {
	local root=$tmp/initramfs kos ko mods=() run a

	mkdir -p "$root"/{bin,dev,proc,sys,host,modules}
	cp /bin/busybox "$root/bin/"
	ln -s busybox "$root/bin/sh"
	cp "$repo/scripts/vm-init.sh" "$root/init"
	kos=$(load_order virtio_pci 9pnet_virtio 9p)
	for ko in $kos; do
		cp "$kdir/lib/modules/$kver/$ko" "$root/modules/"
		mods+=("${ko##*/}")
	done

	run="cd $(sh_quote "$repo") && exec"
	for a in "${cmd[@]}"; do
		run+=" $(sh_quote "$a")"
	done
	{
		echo "modules=$(sh_quote "${mods[*]}")"
		echo "kdir=$(sh_quote "$kdir")"
		echo "repo=$(sh_quote "$repo")"
		echo "kver=$(sh_quote "$kver")"
		echo "run=$(sh_quote "$run")"
	} >"$root/vmtest.conf"

	(cd "$root" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$tmp/initramfs.cpio"
}

# mem_mib: --mem in MiB.
mem_mib() {
	case $mem in
	*G) echo $((${mem%G} * 1024)) ;;
	*M) echo "${mem%M}" ;;
	*) echo "$mem" ;;
	esac
}

# numa_args: append to args one memory backend per node, an even share of
# memory each (the last node takes the remainder), and CPUs in contiguous blocks.
numa_args() {
	local total i size first last node
	total=$(mem_mib)

	for ((i = 0; i < numa; i++)); do
		size=$((total / numa))
		[ $i -lt $((numa - 1)) ] || size=$((size + total % numa))
		first=$((i * cpus / numa))
		last=$(((i + 1) * cpus / numa - 1))
		node=node,nodeid=$i,memdev=m$i
		[ "$last" -lt "$first" ] || node+=,cpus=$first-$last
		args+=(-object "memory-backend-ram,id=m$i,size=${size}M" -numa "$node")
	done
}

# drain NAME CMD...: make the fifo $tmp/NAME for QEMU to write to and have
# CMD read it in the background.
drain() {
	local fifo=$tmp/$1
	shift
	mkfifo "$fifo"
	"$@" <"$fifo" &
	drains+=("$!")
}

# run_qemu: boot the guest; sets qemu_rc.
run_qemu() {
	# panic=-1: a panic reboots at once, which -no-reboot turns into QEMU
	# exiting. tsc=reliable: TCG's TSCs fail the kernel's synchronization
	# check; keep them as clocksource rather than the slower emulated HPET.
	# watchdog_thresh=60: on a busy host a TCG vCPU can stall for half a
	# minute (seen: "soft lockup ... stuck for 26s" in kcompactd during a
	# global OOM), which the default 20 s takes for a hang; at 60 a soft
	# lockup still shows after 120 s, and the tests still fail on it.
	local append="console=ttyS0 panic=-1 tsc=reliable watchdog_thresh=60" f args

	# ttyS0: kernel console; ttyS1, ttyS2: COMMAND's stdout, stderr;
	# ttyS3: its exit status. The guest's init makes ttyS1-3 raw. Serial
	# ports, not virtio-console ones: their writes sometimes hang for good
	# on a busy host (seen here; also lmb/vimto#29). About 200 KB/s is
	# enough for test output; bulk data belongs in the results export.
	drain out cat
	drain err cat >&2
	if [ "$verbose" = 1 ]; then
		drain console tee "$results/console.log" >&2
		exec 3>&2
	else
		drain console cat >"$results/console.log"
		# Only emergencies reach the console; /dev/kmsg still has all.
		append+=" quiet loglevel=1"
		exec 3>"$tmp/qemu.log"	# shown only if QEMU fails
	fi

	args=(-nodefaults -no-user-config -display none -no-reboot
		-machine q35 -accel "tcg,thread=multi" -cpu max
		-smp "$cpus" -m "$(mem_mib)M")
	[ "$numa" = 0 ] || numa_args
	args+=(-kernel "$kdir/boot/vmlinux-$kver" -initrd "$tmp/initramfs.cpio"
		-append "$append"
		-chardev "file,id=console,path=$tmp/console"
		-chardev "file,id=out,path=$tmp/out"
		-chardev "file,id=err,path=$tmp/err"
		-chardev "file,id=status,path=$tmp/status"
		-serial chardev:console -serial chardev:out
		-serial chardev:err -serial chardev:status
		-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap"
		-virtfs "local,path=$repo,mount_tag=repo,security_model=none,readonly=on,multidevs=remap")

	timeout -k 5 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null 2>&3 3>&- &
	qemu_pid=$!
	qemu_rc=0
	wait "$qemu_pid" || qemu_rc=$?
	qemu_pid=

	# A drain whose fifo QEMU never opened still blocks in open(); opening
	# the fifo read-write releases it, and closing it ends its input.
	for f in out err console; do
		: <>"$tmp/$f"
	done
	wait "${drains[@]}"
	exec 3>&-
	[ "$qemu_rc" = 0 ] || [ "$qemu_rc" = 124 ] || [ "$verbose" = 1 ] ||
		cat "$tmp/qemu.log" >&2
}

main() {
	local status

	parse_args "$@"
	check_deps
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	fetch_kernel
	if [ -z "$results" ]; then
		mkdir -p "$vmdir/results"
		results=$(mktemp -d "$vmdir/results/$(date +%Y%m%d-%H%M%S).XXXX")
	fi
	mkdir -p "$results" || die "failed to create $results"
	results=$(cd "$results" && pwd -P)
	[ "$verbose" = 0 ] || echo "vmtest: results in $results" >&2

	tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmtest.XXXXXX")
	build_initramfs
	run_qemu

	[ "$qemu_rc" != 124 ] || { echo "vmtest: guest timed out after $timeout s" >&2; exit 124; }
	[ "$qemu_rc" = 0 ] || die "qemu failed with exit status $qemu_rc"
	read -r status <"$tmp/status" || true
	if ! [[ ${status-} =~ ^[0-9]+$ ]]; then
		echo "vmtest: guest died without reporting an exit status (see $results/console.log)" >&2
		exit 125
	fi
	exit "$status"
}

main "$@"
