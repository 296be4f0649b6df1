#!/bin/sh
# Run CMD inside cgroup CG, or not at all: a memory hog that failed to join
# its scratch memory cgroup would bring a global OOM. A CG that is no cgroup
# (a plain directory takes a write to "cgroup.procs" as a new file) fails too.
#   scripts/in-cgroup.sh CG CMD [ARG...]; exits 100 when it refuses.
cg=$1
shift
refuse() {
	why=$1
	shift
	echo "in-cgroup: $why: refusing to run $*" >&2
	exit 100
}
case $(stat -f -c %T "$cg" 2>/dev/null) in
cgroupfs | cgroup2fs) ;;
*) refuse "$cg is not a cgroup" "$@" ;;
esac
echo $$ > "$cg/cgroup.procs" || refuse "failed to join $cg" "$@"
exec "$@"
