#!/bin/sh
# Install the Debian packages gnomon needs to build and test, if missing.
# As root: apt-get installs them. Otherwise: print the exact command.
PKGS="gcc make pkg-config libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libcap-dev
check nettle-dev libjson-c-dev linuxptp chrony tzdata gnuplot-nox iproute2 libcap2-bin
time clang libclang-rt-dev mandoc dpkg-dev debhelper lintian"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# policy-rc.d keeps package scripts from starting chronyd, which would
	# discipline this machine's real clock.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "deps: apt-get install failed:$missing" >&2; exit 1; }
	pkill -x chronyd 2>/dev/null || true
	exit 0
fi
echo "deps: missing packages. Run as root:" >&2
echo "  apt-get install -y$missing" >&2
exit 1
