#!/bin/sh
# Regenerate the leap-file fixtures of tests/unit/test_leaptable.c from
# leap-seconds.list (a verbatim copy of tzdata's, 2025 edition: expires
# 2027-06-28, last leap 2017-01-01). Run from this directory:  sh gen.sh
# The #h hash is SHA-1 over the digits of the #$ and #@ values and of the
# two numbers of every data line, in file order (doc/leap.md); each of the
# five 32-bit words is written without leading zeros, as IERS does.
set -eu
src=leap-seconds.list

# hash FILE -> "#h<TAB>w1 w2 w3 w4 w5" for FILE's data
hash() {
	d=$(awk '/^#[$@]/ { sub(/^#[$@]/, ""); gsub(/[^0-9]/, ""); printf "%s", $0; next }
		 /^#/ { next }
		 { sub(/#.*/, ""); gsub(/[^0-9]/, ""); printf "%s", $0 }' "$1" |
	    sha1sum | cut -c1-40)
	printf '#h\t'
	for i in 0 1 2 3 4; do
		w=$(printf '%s' "$d" | cut -c$((i * 8 + 1))-$((i * 8 + 8)))
		printf '%x' "0x$w"
		[ $i -lt 4 ] && printf ' '
	done
	printf '\n'
}

# rehash IN OUT: OUT = IN with its #h line replaced by a correct one
rehash() {
	grep -v '^#h' "$1" > "$2.tmp"
	h=$(hash "$2.tmp")
	awk -v h="$h" '/^#h/ { print h; next } { print }' "$1" > "$2"
	rm -f "$2.tmp"
}

# The real file must verify with this script too.
[ "$(hash $src)" = "$(grep '^#h' $src)" ] || { echo "gen.sh: hash of $src does not verify" >&2; exit 1; }

# expired: as published in the second half of 2016 (#@ 2017-06-28).
sed -e 's/^#\$.*/#$\t3676924800/' -e 's/^#@.*/#@\t3707596800/' $src > expired.in
rehash expired.in expired.list

# negative: a deleted second at 2027-01-01 (TAI-UTC 37 -> 36).
awk '{ print } /^3692217600/ { print "4007750400\t36\t# 1 Jan 2027 (made up: a deleted second)" }' $src > negative.in
rehash negative.in negative.list

# future: an inserted second at 2027-07-01 (TAI-UTC 38), #@ 2027-12-28.
awk '/^#@/ { print "#@\t4038940800"; next } { print }
     /^3692217600/ { print "4023388800\t38\t# 1 Jul 2027 (made up)" }' $src > future.in
rehash future.in future.list

# badhash: last word of the hash altered.
sed 's/^\(#h.*\) [0-9a-f]*$/\1 12345678/' $src > badhash.list

# tampered: the 2017 leap moved to 2017-01-02, hash left as it was.
sed 's/^3692217600/3692304000/' $src > tampered.list

# nohash: the #h line removed.
grep -v '^#h' $src > nohash.list

# truncated: cut in the middle of the 2006 data line; truncated-eol: cut
# after it, at the end of a line.
n=$(grep -b '^3345062400' $src | cut -d: -f1)
head -c $((n + 7)) $src > truncated.list
n=$(grep -n '^3345062400' $src | cut -d: -f1)
head -n "$n" $src > truncated-eol.list

# garbage: not a leap file at all.
printf 'PK\003\004\024\010garbage\377\376 not a leap file\n<html>\n' > garbage.list

rm -f expired.in negative.in future.in
