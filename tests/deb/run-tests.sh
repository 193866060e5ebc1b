#!/bin/sh
# tests/deb: the Debian package and `make install`/`make uninstall`.
#  1. make install / make uninstall with DESTDIR into a temporary directory:
#     binaries, man pages, docs, the JSON schema, the unit; uninstall removes
#     them and keeps the configuration and /var/lib/gnomon.
#  2. doc/migration.md's worked configurations pass --check-config and
#     every key it names exists.
#  3. `make deb` (scripts/build-deb.sh: dpkg-buildpackage -us -uc -b on a copy
#     of the tree, with DEB_BUILD_OPTIONS=nocheck: the unit tests that
#     debian/rules runs are already a layer of `make check`), then the .deb
#     inspected with dpkg-deb -I/-c (files, Provides/Conflicts, conffile),
#     lintian if installed (errors and warnings fail), unpacked with dpkg -x
#     and with dpkg --root --unpack into temporary directories (no maintainer
#     script runs: the package has no preinst, and --unpack never configures).
# Nothing here is installed into this machine's root or starts a daemon.
#
# Usage: tests/deb/run-tests.sh [BUILD_DIR]
# Prints "deb: N passed, N failed"; exits non-zero on failure.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
build_rel=${build#$top/}
cd "$top" || exit 2
pass=0; fail=0
T=$(mktemp -d /tmp/gnomon-deb-test.XXXXXX)
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
skip() { echo "skip $*"; }
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi; }
finish() { echo; echo "deb: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

# ---- 1. make install / make uninstall ---------------------------------------
D=$T/inst
if make -s --no-print-directory install DESTDIR="$D" PREFIX=/usr BUILD="$build_rel" > "$T/install.log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	ko "make install"; tail -5 "$T/install.log"
fi
INSTALLED="usr/sbin/gnomond usr/bin/gnomonctl usr/share/man/man8/gnomond.8
usr/share/man/man1/gnomonctl.1 usr/share/man/man5/gnomon.conf.5
usr/share/doc/gnomon/README.md usr/share/doc/gnomon/operations.md
usr/share/doc/gnomon/migration.md usr/share/doc/gnomon/examples/sysclk-from-phc.conf
usr/share/gnomon/gnomonctl-v1.schema.json usr/lib/systemd/system/gnomond.service"
for f in $INSTALLED etc/gnomon/gnomon.conf; do
	check "make install: /$f" [ -f "$D/$f" ]
done
check "make install: the schema is doc/gnomonctl-v1.schema.json" \
	cmp doc/gnomonctl-v1.schema.json "$D/usr/share/gnomon/gnomonctl-v1.schema.json"
check "make install: every doc/*.md" sh -c 'for f in doc/*.md; do
	[ -f "$1/usr/share/doc/gnomon/${f#doc/}" ] || exit 1; done' sh "$D"
echo "# mine" >> "$D/etc/gnomon/gnomon.conf"
if make -s --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr BUILD="$build_rel" > "$T/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR PREFIX=/usr"
else
	ko "make uninstall"; tail -5 "$T/uninstall.log"
fi
left=""
for f in $INSTALLED; do [ -e "$D/$f" ] && left="$left /$f"; done
[ -z "$left" ] && ok "make uninstall removed what make install put there" ||
	ko "make uninstall left:$left"
check "make uninstall removed /usr/share/doc/gnomon and /usr/share/gnomon" \
	sh -c '! [ -e "$1/usr/share/doc/gnomon" ] && ! [ -e "$1/usr/share/gnomon" ]' sh "$D"
check "make uninstall keeps the edited /etc/gnomon/gnomon.conf" grep -q '^# mine' "$D/etc/gnomon/gnomon.conf"
check "make uninstall keeps /var/lib/gnomon" [ -d "$D/var/lib/gnomon" ]
check "make uninstall says what it kept" grep -q 'kept .*gnomon.conf' "$T/uninstall.log"

# ---- 2. doc/migration.md -----------------------------------------------------
# Each configuration of its worked conversions (indented blocks starting with
# a [section]) passes gnomond --check-config (user = gnomon replaced by this
# user: the gnomon user exists only where the package is installed), and
# every `key = ...` it names is a key of gnomond --config-keys.
M=$T/migration; mkdir -p "$M"
awk -v d="$M" '/^    \[/ && !inb { inb = 1; n++; f = d "/conv" n ".conf" }
	inb && /^[^ ]/ { inb = 0 }
	inb && (/^    / || /^$/) { l = $0; sub(/^    /, "", l); print l > f }' doc/migration.md
nconf=$(ls "$M" | wc -l)
[ "$nconf" -ge 3 ] && ok "migration.md: $nconf worked configurations" || ko "migration.md: $nconf worked configurations (< 3)"
for f in "$M"/*.conf; do
	sed -i "s/^user = gnomon/user = $(id -un)/" "$f"
	if "$build/gnomond" --check-config "$f" > "$f.out" 2>&1; then
		ok "migration.md: configuration $(basename "$f" .conf) passes --check-config"
	else
		ko "migration.md: configuration $(basename "$f" .conf): $(grep -v expired "$f.out" | head -n 1)"
	fi
done
"$build/gnomond" --config-keys 2>/dev/null | sed -n 's/^  \([a-z_0-9]*\) = .*/\1/p' | sort -u > "$M/keys"
grep -o '`[a-z_0-9]* = ' doc/migration.md | tr -d '`' | sed 's/ = $//' | sort -u > "$M/used"
unknown=$(comm -23 "$M/used" "$M/keys" | tr '\n' ' ')
[ -s "$M/keys" ] && [ -z "$unknown" ] && ok "migration.md: every \`key = \` is a gnomon key" ||
	ko "migration.md: not gnomon keys: $unknown"

# ---- 3. the Debian package ---------------------------------------------------
if ! command -v dpkg-buildpackage > /dev/null 2>&1 || ! command -v dh > /dev/null 2>&1; then
	skip "Debian package: dpkg-buildpackage or dh not found (apt-get install dpkg-dev debhelper; scripts/deps.sh does)"
	finish
fi
O=$T/out
if DEB_BUILD_OPTIONS=nocheck make -s --no-print-directory deb DEB_OUT="$O" > "$T/deb.log" 2>&1; then
	ok "make deb (dpkg-buildpackage -us -uc -b)"
else
	ko "make deb"; tail -n 20 "$T/deb.log"; finish
fi
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=$O/gnomon_${ver}_${arch}.deb
check "built $(basename "$deb")" [ -f "$deb" ]
check "nothing written beside the checkout" sh -c '! ls "$1"/../gnomon_* >/dev/null 2>&1' sh "$top"

dpkg-deb -I "$deb" > "$T/info" 2>&1
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' > "$T/list"
field() { dpkg-deb -f "$deb" "$1"; }
check "Provides: time-daemon" sh -c 'dpkg-deb -f "$1" Provides | grep -qw time-daemon' sh "$deb"
for p in time-daemon ntp ntpsec chrony openntpd systemd-timesyncd ptpd; do
	check "Conflicts and Replaces: $p" sh -c 'dpkg-deb -f "$1" Conflicts | tr -d " " | tr , "\n" | grep -qx "$2" &&
		dpkg-deb -f "$1" Replaces | tr -d " " | tr , "\n" | grep -qx "$2"' sh "$deb" "$p"
done
check "does not conflict with linuxptp (gnomond follows ptp4l)" sh -c '! dpkg-deb -f "$1" Conflicts | grep -q linuxptp' sh "$deb"
for f in /usr/sbin/gnomond /usr/bin/gnomonctl /usr/share/man/man8/gnomond.8.gz \
	 /usr/share/man/man1/gnomonctl.1.gz /usr/share/man/man5/gnomon.conf.5.gz \
	 /usr/share/doc/gnomon/copyright /usr/share/doc/gnomon/changelog.gz \
	 /usr/share/doc/gnomon/README.md.gz /usr/share/doc/gnomon/migration.md.gz \
	 /usr/share/gnomon/gnomonctl-v1.schema.json /usr/lib/systemd/system/gnomond.service \
	 /usr/lib/sysusers.d/gnomon.conf /etc/gnomon/gnomon.conf; do
	check "dpkg-deb -c: $f" grep -qx -- "$f" "$T/list"
done
check "no uncompressed man page" sh -c '! grep -E "^/usr/share/man/.*\.[0-9]$" "$1"' sh "$T/list"
check "/etc/gnomon/gnomon.conf is the conffile" sh -c \
	'dpkg-deb --ctrl-tarfile "$1" | tar xOf - ./conffiles | grep -qx /etc/gnomon/gnomon.conf' sh "$deb"
check "postinst makes the gnomon user (systemd-sysusers)" sh -c \
	'dpkg-deb --ctrl-tarfile "$1" | tar xOf - ./postinst | grep -q "systemd-sysusers.*gnomon.conf"' sh "$deb"
check "postinst neither enables nor starts gnomond" sh -c \
	'! dpkg-deb --ctrl-tarfile "$1" | tar xOf - ./postinst | grep -v "^#" | grep -Eq "enable|start|deb-systemd-invoke"' sh "$deb"
check "Depends has the libraries (shlibs)" sh -c 'dpkg-deb -f "$1" Depends | grep -q libjson-c' sh "$deb"

if command -v lintian > /dev/null 2>&1; then
	lintian --fail-on error,warning "$deb" > "$T/lintian" 2>&1; rc=$?
	grep -v 'running with root privileges' "$T/lintian" | sed 's/^/    lintian: /'
	[ $rc -eq 0 ] && ok "lintian: no errors or warnings" || ko "lintian (exit $rc)"
else
	skip "lintian not installed (apt-get install lintian)"
fi

# dpkg -x: the layout as it lands on disk.
X=$T/x
dpkg -x "$deb" "$X"
check "dpkg -x: gnomond runs (--version $ver)" sh -c '"$1/usr/sbin/gnomond" --version | grep -q "gnomond $2"' sh "$X" "${ver%%-*}"
check "dpkg -x: unit ExecStart= is /usr/sbin/gnomond" grep -q '^ExecStart=/usr/sbin/gnomond ' \
	"$X/usr/lib/systemd/system/gnomond.service"
check "dpkg -x: the config runs gnomond as user gnomon" grep -qx 'user = gnomon' "$X/etc/gnomon/gnomon.conf"
check "dpkg -x: sysusers.d makes user gnomon" grep -q '^u gnomon ' "$X/usr/lib/sysusers.d/gnomon.conf"
check "dpkg -x: man pages are gzip" sh -c 'gzip -t "$1"/usr/share/man/man*/*.gz' sh "$X"
check "dpkg -x: binaries are stripped (debug symbols in the -dbgsym package)" sh -c \
	'readelf -S "$1/usr/sbin/gnomond" | grep -q "\.text" && ! readelf -S "$1/usr/sbin/gnomond" | grep -q "\.symtab"' sh "$X"

# dpkg --root --unpack: dpkg's own view (database, conffile) in a throw-away
# root; --unpack runs no postinst, and the package has no preinst.
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/log"
: > "$R/var/lib/dpkg/status"; : > "$R/var/lib/dpkg/available"
if dpkg --root="$R" --log="$R/var/log/dpkg.log" --force-script-chrootless --no-triggers \
	--unpack "$deb" > "$T/unpack.log" 2>&1; then
	ok "dpkg --root --unpack into a temporary root"
	check "dpkg --root: gnomond unpacked" [ -x "$R/usr/sbin/gnomond" ]
	check "dpkg --root: the conffile is registered" sh -c \
		'dpkg --root="$1" -s gnomon | grep -A2 "^Conffiles:" | grep -q "/etc/gnomon/gnomon.conf"' sh "$R"
	check "dpkg --root: no maintainer script ran (package unpacked, not configured)" sh -c \
		'dpkg --root="$1" -s gnomon | grep -q "^Status: install ok unpacked"' sh "$R"
else
	ko "dpkg --root --unpack"; tail -n 5 "$T/unpack.log"
fi
finish
