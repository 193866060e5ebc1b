# Sourced by tests/e2e/run-tests.sh: source = ntp against the simulator's
# played NTP servers (tests/sim/scenarios/ntp_*.scn), polled as chronyd is
# in tests/peers (ntpconf, lib.sh). Accuracy figures are in `make bench`;
# these checks hold only what must always be true.

# 1. ntp_lan: 4 servers 50 us away (20 us exponential jitter), the clock
# 10 ms ahead and 20 ppm fast: below 1 ms without a step, and kept there.
d=$(newdir ntp_lan)
ntpconf "$d" $SCN/ntp_lan.scn
simrun "$d" $SCN/ntp_lan.scn
r1ms=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1ms_s)
max=$(sumval "$d" "^clock CLOCK_REALTIME" max_ns)
echo "     ntp_lan: <1ms ${r1ms}s, max |offset| from 1800 s ${max}ns"
check "ntp lan: ran to the end" "$d/log" ran_to_end "$d"
check "ntp lan: no step" "$d/log" [ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 0 ]
check "ntp lan: below 1 ms within 60 s, and stays there" "$d/log" lt "$r1ms" 60
check "ntp lan: max |offset| over the second half-hour < 1 ms" "$d/log" lt "$max" 1000000
check "ntp lan: every server answered every request it got" "$d/log" \
	sh -c "grep '^host ntp' '$d/summary' | awk '\$0 !~ / kods 0 / || \$0 !~ / bad 0 / { exit 1 } END { exit NR != 4 }'"
check "ntp lan: no read fault logged" "$d/log" sh -c "! grep -q 'reading ntp failed' '$d/log'"

# 2. ntp_falseticker: one server 50 ms off, one stepping 20 ms at 1 h:
# the clock keeps clear of both (max |offset| from 600 s under 5 ms).
d=$(newdir ntp_false)
ntpconf "$d" $SCN/ntp_falseticker.scn
simrun "$d" $SCN/ntp_falseticker.scn
max=$(sumval "$d" "^clock CLOCK_REALTIME" max_ns)
echo "     ntp_falseticker: max |offset| from 600 s ${max}ns"
check "ntp falseticker: ran to the end" "$d/log" ran_to_end "$d"
check "ntp falseticker: the 50 ms server and the 20 ms step rejected (max < 5 ms)" "$d/log" \
	lt "$max" 5000000

# 3. A bad server line stops start-up naming its place.
d=$(newdir ntp_badconf)
ntpconf "$d" $SCN/ntp_lan.scn "server 192.0.2.9 iburst minpoll 7 maxpoll 3"
"$GNOMOND" --check-config "$d/gnomon.conf" > "$d/log" 2>&1
check "ntp: a server line with minpoll above maxpoll is refused with FILE:LINE" "$d/log" \
	grep -q "gnomon.conf:[0-9]*: server: minpoll 7 is above maxpoll 3" "$d/log"
