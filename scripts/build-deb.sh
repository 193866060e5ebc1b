#!/bin/sh
# Build the Debian package from a copy of this tree, so that nothing is
# written into the checkout's parent directory (dpkg-buildpackage puts the
# .deb beside the source tree) and the checkout's build/ is left alone.
# Usage: scripts/build-deb.sh OUT_DIR   (make deb: build/deb)
# Result: OUT_DIR/gnomon_VERSION_ARCH.deb, .buildinfo, .changes, build.log.
set -u
out=${1:?usage: build-deb.sh OUT_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
command -v dpkg-buildpackage >/dev/null 2>&1 || {
	echo "deb: dpkg-buildpackage not found (apt-get install dpkg-dev debhelper)" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gnomon-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/gnomon"
# The tree as it is (uncommitted changes included), without build output.
(cd "$top" && tar cf - --exclude=./.git --exclude=./build --exclude=./build-san \
	--exclude=./gnomond --exclude=./gnomonctl --exclude=./out \
	--exclude='*.o' --exclude='*.d' --exclude=./tests/sim/libgnomonsim.so \
	--exclude=./tests/sim/gnomon-sim .) | (cd "$tmp/gnomon" && tar xf -) || exit 1
echo "deb: building in $tmp/gnomon (log: $out/build.log)"
(cd "$tmp/gnomon" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed (exit $rc); full log $out/build.log" >&2
	exit 1
fi
rm -f "$out"/gnomon_*.deb "$out"/gnomon-dbgsym_*.deb "$out"/gnomon_*.buildinfo "$out"/gnomon_*.changes
for f in "$tmp"/gnomon_* "$tmp"/gnomon-dbgsym_*; do
	[ -f "$f" ] && cp "$f" "$out/"
done
ls "$out"/gnomon_*.deb
