#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite: unit (GoogleTest, including
# the repository tests on SQLite and on a throw-away PostgreSQL), API tests against the
# running binary on both databases, and browser tests (Playwright on Debian's chromium).
# Ends with one line "N passed, N failed" summed over every suite.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

WORK=$(mktemp -d /tmp/dangan-test.XXXXXX)
PG_DIR="$WORK/pg"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  scripts/pg_temp.sh stop "$PG_DIR" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

TOTAL_PASSED=0
TOTAL_FAILED=0
# Adds the "N passed, N failed" line at the end of a suite's output to the totals.
tally() {
  local name=$1 out=$2 rc=$3 line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  if [ -z "$line" ]; then
    echo "== $name: no summary line (exit $rc): counted as one failure"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    return
  fi
  p=$(echo "$line" | cut -d' ' -f1)
  f=$(echo "$line" | cut -d' ' -f3)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # a crash after the summary still fails
  echo "== $name: $p passed, $f failed"
  TOTAL_PASSED=$((TOTAL_PASSED + p))
  TOTAL_FAILED=$((TOTAL_FAILED + f))
}

echo "== starting a throw-away PostgreSQL"
if PG_URL=$(scripts/pg_temp.sh start "$PG_DIR"); then
  export DANGAN_TEST_PG_URL="$PG_URL"
  echo "   $PG_URL"
else
  echo "== PostgreSQL did not start: counted as one failure"
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
fi

echo "== unit and repository tests (GoogleTest)"
build/dangan_unit_tests --gtest_color=no >"$WORK/unit.log" 2>&1
rc=$?
grep -E '^\[  (FAILED|PASSED|SKIPPED) |^\[ *FAILED *\]' "$WORK/unit.log" | grep -v '^\[  FAILED  \] [0-9]* test' | head -50
p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$WORK/unit.log" | grep -oE '[0-9]+$' || echo 0)
f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$WORK/unit.log" | grep -oE '[0-9]+' || echo 0)
if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then tail -30 "$WORK/unit.log"; f=1; fi
# With a PostgreSQL running, the PostgreSQL half of the repository suites must not skip.
skipped=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$WORK/unit.log" | grep -oE '[0-9]+$' || echo 0)
if [ -n "${DANGAN_TEST_PG_URL:-}" ] && [ "${skipped:-0}" -gt 0 ]; then
  echo "   $skipped tests skipped although PostgreSQL is running: counted as one failure"
  f=$(( ${f:-0} + 1 ))
fi
echo "${p:-0} passed, ${f:-0} failed" >>"$WORK/unit.log"
tally "unit" "$WORK/unit.log" 0

echo "== API tests (SQLite and PostgreSQL)"
python3 tests/api/run.py 2>&1 | tee "$WORK/api.log" | grep -v '^ok - '
tally "api" "$WORK/api.log" "${PIPESTATUS[0]}"

echo "== browser tests (Playwright, chromium)"
PORT=$(scripts/free_port.sh)
export DANGAN_SECURITY_KEY_FILE="$WORK/keys.txt" DANGAN_NOTIFY_SMS_LOG="$WORK/sms.log"
# The kiosk's ID-card reader bridge: the tests start `dangan card-reader-sim` on this address.
READER_PORT=$(scripts/free_port.sh)
while [ "$READER_PORT" = "$PORT" ]; do READER_PORT=$(scripts/free_port.sh); done
export DANGAN_KIOSK_CARD_READER_URL="http://127.0.0.1:$READER_PORT"
build/dangan init --demo --db "sqlite:$WORK/browser.db" >/dev/null
# The appointments suite (last) moves the server's clock to reach tomorrow's slots and no-shows.
DANGAN_TESTING_CLOCK_CONTROL=true \
  build/dangan serve --db "sqlite:$WORK/browser.db" --listen "127.0.0.1:$PORT" >"$WORK/browser-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
DANGAN_URL="http://127.0.0.1:$PORT" node tests/browser/run.mjs 2>&1 | tee "$WORK/browser.log"
tally "browser" "$WORK/browser.log" "${PIPESTATUS[0]}"
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  wait "$SERVER_PID"; echo "   the browser tests' server ended early (exit status $?); the end of its log:"
  tail -n 30 "$WORK/browser-server.log" | sed 's/^/   | /'
fi
kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""

echo
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
