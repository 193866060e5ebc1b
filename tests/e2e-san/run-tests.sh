#!/bin/sh
# The end-to-end tests again, with gnomond built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-san/, made by `make SAN=1 unit`), under
# the simulator. Any sanitizer report fails the run. One seed (each
# scenario's own): tests/e2e runs the seeds.
cd "$(dirname "$0")/../.." || exit 1
[ -x build-san/gnomond ] || make --no-print-directory SAN=1 build-san/gnomond >/dev/null || exit 1
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
out=$(E2E_SEED=scn GNOMOND=build-san/gnomond sh tests/e2e/run-tests.sh 2>&1); rc=$?
printf '%s\n' "$out" | grep -E "^(ok|FAIL)" | sed 's/^/  /' | grep FAIL
line=$(printf '%s\n' "$out" | sed -n 's/^e2e: \([0-9]* passed, [0-9]* failed\).*/\1/p' | tail -n 1)
echo "e2e-san: ${line:-0 passed, 1 failed}"
[ $rc -eq 0 ]
