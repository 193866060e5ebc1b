# Sourced by tests/e2e/run-tests.sh: gnomond serving NTP (ntp_serve)
# under the simulator, queried by NTP clients the simulator plays
# (tests/sim/ntpclient.c, `client` hosts) whose clocks are true UTC: each
# answer is judged against the truth (its offset against the program's
# true CLOCK_REALTIME error when the request arrived).
NSCN=tests/e2e/scenarios

# cli DIR HOST FIELD: a field of the client summary line of HOST
cli() { sumval "$1" "^client $2 " "$3"; }
# serveconf DIR CLOCK-KEY... : CLOCK_REALTIME from ptp0, serving to
# 203.0.113.0/24 (NTPS_GLOBAL: more [global] lines)
serveconf() {
	_d=$1; shift
	{ printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 100000\n'
	  for kv in "$@"; do echo "$kv"; done; } |
		mkconf "$_d" "ntp_serve = 198.51.100.1:123" "ntp_allow = 203.0.113.0/24" ${NTPS_GLOBAL:+"$NTPS_GLOBAL"}
}

# 1. A PHC reference: stratum 1, refid PHC; LI=3 until LOCKED; the offset
# the clients measure is the truth; refused and rate-limited clients.
d=$(newdir ntps_phc)
serveconf "$d"
simrun "$d" $NSCN/ntpserve_phc.scn
echo "     ntpserve phc: c_ok $(grep '^client c_ok' "$d/summary" | cut -d' ' -f3-30)"
check "ntp serve: ran to the end" "$d/log" ran_to_end "$d"
check "ntp serve: every request of an allowed client answered" "$d/log" \
	[ "$(cli "$d" c_ok answers)" = "$(cli "$d" c_ok sent)" -a "$(cli "$d" c_ok sent)" -ge 55 ]
check "ntp serve: LI=3 (stratum 16) while not yet LOCKED" "$d/log" \
	[ "$(cli "$d" c_ok li3)" -ge 1 -a "$(cli "$d" c_ok li3)" = "$(cli "$d" c_ok unsync)" ]
check "ntp serve: LI=0 once LOCKED, for the rest of the run" "$d/log" \
	[ "$(cli "$d" c_ok li0)" -ge 40 -a "$(cli "$d" c_ok li1)" = 0 -a "$(cli "$d" c_ok li2)" = 0 ]
check "ntp serve: a PHC reference is served as stratum 1, refid PHC" "$d/log" \
	[ "$(cli "$d" c_ok stratum)" = 1 -a "$(cli "$d" c_ok refid)" = PHC ]
check "ntp serve: the offset a client measures is the clock's true error within 1 us" "$d/log" \
	lt "$(cli "$d" c_ok offset_err_max_ns)" 1000
check "ntp serve: a network not in ntp_allow gets no answer at all" "$d/log" \
	[ "$(cli "$d" c_out answers)" = 0 -a "$(cli "$d" c_out kods)" = 0 -a "$(cli "$d" c_out sent)" -ge 100 ]
check "ntp serve: the refused network is said once in the log" "$d/log" \
	[ "$(grep -c 'ntp_serve: refused a request from 198.18.0.5 (not in ntp_allow)' "$d/log")" = 1 ]
check "ntp serve: a client 10 times a second gets KoD RATE" "$d/log" \
	[ "$(cli "$d" c_fast kod)" = RATE -a "$(cli "$d" c_fast kods)" -ge 60 ]
check "ntp serve: ... and a burst of 16 then about one answer a second" "$d/log" \
	sh -c "a=$(cli "$d" c_fast answers); [ \$a -ge 120 -a \$a -le 140 ]"
check "ntp serve: ... and at most one KoD a second (no amplification)" "$d/log" \
	[ "$(cli "$d" c_fast kods)" -le 121 ]

# 2. ntp_serve_unsynced = yes: LI=0 from the first answer.
d=$(newdir ntps_unsynced)
NTPS_GLOBAL="ntp_serve_unsynced = yes" serveconf "$d"
simrun "$d" $NSCN/ntpserve_phc.scn --duration 30
check "ntp serve: ntp_serve_unsynced = yes answers LI=0 before LOCKED" "$d/log" \
	[ "$(cli "$d" c_ok li3)" = 0 -a "$(cli "$d" c_ok li0)" -ge 10 ]

# 3. NTP upstream (stratum 2, root delay 1 ms, dispersion 2 ms): stratum
# 3, the system peer's address as refid, root delay/dispersion at least
# theirs plus the path.
d=$(newdir ntps_ntp)
ntpconf "$d" $NSCN/ntpserve_ntp.scn "lock_threshold = 0.0005"
sed -i 's|^\[global\]|[global]\nntp_serve = 198.51.100.1\nntp_allow = 203.0.113.0/24|' "$d/gnomon.conf"
simrun "$d" $NSCN/ntpserve_ntp.scn
echo "     ntpserve ntp: c_ok $(grep '^client c_ok' "$d/summary" | cut -d' ' -f3-40)"
check "ntp serve (ntp upstream): stratum 3 from stratum-2 servers" "$d/log" \
	[ "$(cli "$d" c_ok stratum)" = 3 ]
check "ntp serve (ntp upstream): refid is a server's address" "$d/log" \
	sh -c "echo $(cli "$d" c_ok refid) | grep -Eq '^192[.]0[.]2[.][1-4]$'"
check "ntp serve (ntp upstream): root delay >= 1 ms + the path, < 1.5 ms" "$d/log" \
	sh -c "r=$(cli "$d" c_ok root_delay_ns); [ \$r -ge 1090000 -a \$r -lt 1500000 ]"
check "ntp serve (ntp upstream): root dispersion >= 2 ms" "$d/log" \
	sh -c "r=$(cli "$d" c_ok root_disp_ns); [ \$r -ge 2000000 ]"

# 4. The 2016 leap second: LI=1 until midnight (accept), then 0; with
# leap_policy = smear, LI=0 throughout, the smear refid, the smear served.
d=$(newdir ntps_leap)
serveconf "$d" "leap_policy = accept"
simrun "$d" $NSCN/ntpserve_leap.scn
check "ntp serve (leap accept): LI=1 on the last day, before midnight" "$d/log" \
	sh -c "n=$(cli "$d" c_ok li1); [ \$n -ge 110 -a \$n -le 120 ]"
check "ntp serve (leap accept): LI=0 after it" "$d/log" \
	sh -c "n=$(cli "$d" c_ok li0); [ \$n -ge 115 ]"
check "ntp serve (leap accept): the offset measured is the truth within 1 us" "$d/log" \
	lt "$(cli "$d" c_ok offset_err_max_ns)" 1000
d=$(newdir ntps_smear)
serveconf "$d" "leap_policy = smear"
simrun "$d" $NSCN/ntpserve_leap.scn
check "ntp serve (leap smear): never LI=1" "$d/log" \
	[ "$(cli "$d" c_ok li1)" = 0 -a "$(cli "$d" c_ok li0)" -ge 230 ]
check "ntp serve (leap smear): refid 127.127.1.255 (chronyd's smoothing)" "$d/log" \
	[ "$(cli "$d" c_ok refid)" = 127.127.1.255 ]
check "ntp serve (leap smear): the smear is served (+0.49 s vs UTC at 00:10)" "$d/log" \
	sh -c "o=$(cli "$d" c_ok last_offset_ns); awk -v o=\$o 'BEGIN { exit !(o > 4.8e8 && o < 5.0e8) }'"

# 5. Bad ntp_allow / ntp_serve lines stop start-up naming their place.
d=$(newdir ntps_badconf)
serveconf "$d"
sed -i 's|^ntp_allow = .*|ntp_allow = 203.0.113.7/24|' "$d/gnomon.conf"
"$GNOMOND" --check-config "$d/gnomon.conf" > "$d/log" 2>&1
check "ntp serve: ntp_allow with host bits is refused with FILE:LINE" "$d/log" \
	grep -q "gnomon.conf:[0-9]*: ntp_allow: '203.0.113.7/24' has bits set beyond its length (the network is 203.0.113.0/24)" "$d/log"
sed -i 's|^ntp_allow = .*|ntp_allow = 203.0.113.0/24|; s|^ntp_serve = .*|ntp_serve = 198.51.100.1:123456|' "$d/gnomon.conf"
"$GNOMOND" --check-config "$d/gnomon.conf" > "$d/log" 2>&1
check "ntp serve: a bad ntp_serve address is refused with FILE:LINE" "$d/log" \
	grep -q "gnomon.conf:[0-9]*: ntp_serve: '198.51.100.1:123456' is not ADDR:PORT" "$d/log"
