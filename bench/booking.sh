#!/usr/bin/env bash
# Bookings per second with zero overbooking (issue 5). On a fresh database per backend (SQLite,
# then a throw-away PostgreSQL): the demo branches and booking rules plus BENCH_PERSONS generated
# persons, each with a citizen session written straight into the database
# (bench/lookup/sessions.py). wrk drives POST /api/v1/appointments on the web channel from
# BENCH_CONNECTIONS keep-alive connections; every request is a booking never tried before (a
# distinct person × slot, bench/booking/book.lua) with its own Idempotency-Key.
#
#   free seats  — visits of 220102-001 spread over every bookable slot of 60 days (capacity 500,
#                 horizon 60 for the run), so each answer should be 201: bookings/s, p50/p99,
#                 and the ratios, in the same run, to the same server answering GET /healthz (its
#                 HTTP stack alone) and to nginx serving a booking answer from a file;
#   last seats  — 64 clients on the first few slots of 220202-001 at capacity 10: a few bookings
#                 and then 409 已约满 for the rest; every one of those slots must end exactly full.
#
# After every run the database is asked directly (bench/booking/db.py check): active
# appointments per slot against slots.capacity — the overbooking count, which must be 0 — and the
# slots' booked counters against the rows. Writes bench/results/booking.md.
#
#   bench/booking.sh                     # SQLite and PostgreSQL
#   BENCH_BACKENDS=sqlite bench/booking.sh    # one of them
#   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 BENCH_PERSONS=20000 DANGAN_BINARY=…
#
# dangan (1 network thread, the default handler pool) and nginx (1 worker) pinned to core 0, wrk
# to core 1; PostgreSQL unpinned. Access log off, audit on, the SMS outbox writing to a file.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need wrk nginx taskset curl python3 psql
BIN=${DANGAN_BINARY:-build/dangan}
if [ ! -x "$BIN" ]; then
  [ "$BIN" = build/dangan ] && scripts/build.sh
  [ -x "$BIN" ] || { echo "booking: $BIN is not built" >&2; exit 1; }
fi

PERSONS=${BENCH_PERSONS:-20000}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
BASE_SECONDS=${BENCH_BASE_SECONDS:-5}   # each baseline run (GET /healthz, nginx)
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
BACKENDS=${BENCH_BACKENDS:-sqlite postgresql}
HALL=220102-001       # free seats
HOT=220202-001        # last seats
HOT_SLOTS=8           # trimmed by book.lua to a count prime to PERSONS
HOT_CAPACITY=10

WORK=$(mktemp -d /tmp/dangan-booking.XXXXXX)
SERVER_PID=""; NGINX_PID=""; PG_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$PG_DIR" ] && scripts/pg_temp.sh stop "$PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT
export DANGAN_SECURITY_KEY_FILE="$WORK/keys.txt" DANGAN_NOTIFY_SMS_LOG="$WORK/sms.log"
: >"$WORK/rows.md"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=0

gcd() { local a=$1 b=$2 t; while [ "$b" -ne 0 ]; do t=$((a % b)); a=$b; b=$t; done; echo "$a"; }

# check NAME URL [SLOTS] → runs the overbooking check; sets OVER DRIFT DUP BOOKED FULL.
check_db() {
  local name=$1 url=$2 slots=${3:-}
  read -r OVER DRIFT DUP BOOKED FULL < <(python3 bench/booking/db.py check --db "$url" ${slots:+--slots "$slots"})
  echo "$name: overbooked $OVER, counter drift $DRIFT, duplicate bookings $DUP; $BOOKED active bookings"
  if [ "$OVER" -ne 0 ] || [ "$DRIFT" -ne 0 ] || [ "$DUP" -ne 0 ]; then FAILED=1; fi
}

# measure NAME URL → sets up the database, runs the rounds, appends table rows to $WORK/rows.md.
measure() {
  local name=$1 url=$2 dir=$WORK/$1
  mkdir -p "$dir"
  "$BIN" init --demo --db "$url" >/dev/null
  nice "$BIN" gen --db "$url" --persons "$PERSONS" --seed 1 --sample-out "$dir/sample.csv" --sample-every 1 \
    >/dev/null 2>"$dir/gen.log" || { cat "$dir/gen.log" >&2; exit 1; }
  python3 bench/booking/db.py rules --db "$url" "$HALL" 500 60
  python3 bench/booking/db.py rules --db "$url" "$HOT" "$HOT_CAPACITY" 14
  python3 bench/lookup/sessions.py --db "$url" --sample "$dir/sample.csv" --count "$PERSONS" --out "$dir" >/dev/null

  local port nginx_port
  port=$(scripts/free_port.sh)
  DANGAN_SERVER_ACCESS_LOG=false DANGAN_SERVER_THREADS=1 DANGAN_LOG_LEVEL=warn \
    taskset -c 0 "$BIN" serve --db "$url" --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.05
  done
  python3 bench/booking/db.py slots --url "http://127.0.0.1:$port" --branch "$HALL" --days 60 --out "$dir/slots.txt"
  python3 bench/booking/db.py slots --url "http://127.0.0.1:$port" --branch "$HOT" --days 14 --out "$dir/hot-all.txt"
  head -"$HOT_SLOTS" "$dir/hot-all.txt" >"$dir/hot.txt"

  # nginx serves one booking answer (a 201 body), byte for byte, from a file.
  mkdir -p "$dir/www"
  local first_slot csrf token
  first_slot=$(tail -1 "$dir/hot-all.txt")   # a slot no run books
  read -r token csrf < <(tail -1 "$dir/citizen_sessions.txt")
  curl -fs -H "Cookie: dangan_session=$token" -H "X-CSRF-Token: $csrf" -H "Content-Type: application/json" \
    -H "Idempotency-Key: sample" -d "{\"kind\":\"visit\",\"slot_id\":\"$first_slot\"}" \
    "http://127.0.0.1:$port/api/v1/appointments" >"$dir/www/booking.json" \
    || { echo "booking: the sample booking failed" >&2; cat "$dir/server.log" >&2; exit 1; }
  nginx_port=$(scripts/free_port.sh)
  start_nginx "$nginx_port" "$dir/www"

  export BOOKING_DIR="$dir" BOOKING_SLOTS=slots.txt BOOKING_TAG="$name"
  local n_rps=() h_rps=() b_rps=() b_p50=() b_p99=() bad=0 ok full other
  BOOKING_OFFSET=0 wrk_run 3 "$CONNECTIONS" "http://127.0.0.1:$port" bench/booking/book.lua >/dev/null  # warm-up
  check_db "$name warm-up" "$url"
  for round in $(seq 1 "$ROUNDS"); do
    read -r r p50 p99 x < <(wrk_run "$BASE_SECONDS" "$CONNECTIONS" "http://127.0.0.1:$nginx_port/booking.json")
    n_rps+=("$r")
    read -r r p50 p99 x < <(wrk_run "$BASE_SECONDS" "$CONNECTIONS" "http://127.0.0.1:$port/healthz")
    h_rps+=("$r")
    read -r r p50 p99 x < <(BOOKING_OFFSET=$((round * 1000000)) \
      wrk_run "$SECONDS_PER_RUN" "$CONNECTIONS" "http://127.0.0.1:$port" bench/booking/book.lua)
    read -r ok full other <"$dir/statuses"
    # bookings/s: the 201 answers' share of the request rate
    r=$(awk -v r="$r" -v ok="$ok" -v all="$((ok + full + other))" 'BEGIN { printf "%.2f", all ? r * ok / all : 0 }')
    b_rps+=("$r"); b_p50+=("$p50"); b_p99+=("$p99"); bad=$((bad + full + other))
    echo "$name round $round: nginx ${n_rps[-1]} req/s; /healthz ${h_rps[-1]} req/s; $r bookings/s p50 $p50 ms p99 $p99 ms;" \
         "$ok booked, $full 409, $other other"
    check_db "$name round $round" "$url"
  done
  local free_over=$OVER free_booked=$BOOKED

  # The last seats: a few slots, 10 seats each, all 64 clients on them.
  local l_rps l_p50 l_p99 l_bad hot_seats
  read -r l_rps l_p50 l_p99 l_bad < <(BOOKING_SLOTS=hot.txt BOOKING_OFFSET=0 BOOKING_TAG="$name-hot" \
    wrk_run 5 "$CONNECTIONS" "http://127.0.0.1:$port" bench/booking/book.lua)
  read -r ok full other <"$dir/statuses"
  check_db "$name last seats" "$url" "$dir/hot.txt"
  local hot_booked=$BOOKED hot_full=$FULL
  hot_seats=$(wc -l <"$dir/hot.txt")   # as book.lua trims them
  while [ "$hot_seats" -gt 1 ] && [ "$(gcd "$PERSONS" "$hot_seats")" -ne 1 ]; do hot_seats=$((hot_seats - 1)); done
  echo "$name last seats: $l_rps answers/s p99 $l_p99 ms; $ok answered 201, $full 409, $other other;" \
       "$hot_booked booked in $hot_seats slots of $HOT_CAPACITY, $hot_full full"
  [ "$hot_booked" -eq $((hot_seats * HOT_CAPACITY)) ] && [ "$hot_full" -eq "$hot_seats" ] && [ "$ok" -eq "$hot_booked" ] \
    && [ "$other" -eq 0 ] || { echo "$name: the last seats were not sold exactly" >&2; FAILED=1; }
  check_db "$name all slots" "$url"
  local all_over=$OVER

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
  [ "$bad" -eq 0 ] || { echo "$name: $bad booking answers with free seats were not 2xx — see $dir/server.log" >&2
                        grep -v '^$' "$dir/server.log" | tail -5 >&2; FAILED=1; }

  local nm hm bm
  nm=$(median "${n_rps[@]}"); hm=$(median "${h_rps[@]}"); bm=$(median "${b_rps[@]}")
  printf '| %s | free seats: every answer 201 | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s booked, %s not 201 |\n' \
    "$name" "$CONNECTIONS" "$bm" "$(median "${b_p50[@]}")" "$(median "${b_p99[@]}")" "$hm" "$(ratio "$bm" "$hm")" \
    "$nm" "$(ratio "$bm" "$nm")" "$free_over" "$free_booked" "$bad" >>"$WORK/rows.md"   # booked: warm-up included
  printf '| %s | last seats: 201, then 409 已约满 | %s | %s answers/s | %s | %s | %s | %s | %s | %s | %s | %s of %s seats sold, %s × 409 |\n' \
    "$name" "$CONNECTIONS" "$l_rps" "$l_p50" "$l_p99" "$hm" "$(ratio "$l_rps" "$hm")" "$nm" "$(ratio "$l_rps" "$nm")" \
    "$all_over" "$hot_booked" "$((hot_seats * HOT_CAPACITY))" "$full" >>"$WORK/rows.md"
  echo "$name: $bm bookings/s (ratio $(ratio "$bm" "$hm") to GET /healthz $hm req/s, $(ratio "$bm" "$nm") to nginx" \
       "$nm req/s), p99 $(median "${b_p99[@]}") ms, overbooked $all_over"
}

PG_NOTE="PostgreSQL not run."
if [[ " $BACKENDS " == *" sqlite "* ]]; then
  measure sqlite "sqlite:$WORK/booking.db"
fi
if [[ " $BACKENDS " == *" postgresql "* ]]; then
  PG_DIR="$WORK/pg"
  PG_URL=$(scripts/pg_temp.sh start "$PG_DIR")
  measure postgresql "$PG_URL"
  PG_NOTE="PostgreSQL $(psql "$PG_URL" -XAtc 'SHOW server_version') throw-away (scripts/pg_temp.sh: fsync off), database.pool_size ${DANGAN_DATABASE_POOL_SIZE:-4 (the default)}."
fi

cat > bench/results/booking.md <<MD
# booking — bookings per second with zero overbooking

Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)); revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown);
load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes the figures noisy).
$PERSONS generated persons, each with a citizen session; wrk 1 thread, $CONNECTIONS keep-alive connections,
${SECONDS_PER_RUN}s per booking run, ${BASE_SECONDS}s per baseline run, $ROUNDS rounds (medians) after a 3 s warm-up; dangan with 1 network thread and the default
handler pool, nginx with 1 worker, both pinned to core 0, wrk to core 1. $PG_NOTE
Every request books a person into a slot never tried before (POST /api/v1/appointments, web channel,
Idempotency-Key, audit and the SMS outbox on). *Free seats*: 220102-001 visits over every slot of 60 days at
capacity 500. *Last seats*: the first slots of 220202-001 at capacity $HOT_CAPACITY, 5 s — a few bookings, then
409 已约满. Baselines in the same rounds: the same dangan answering GET /healthz (its HTTP stack alone:
*ratio*) and nginx serving one booking answer from a file (*ratio nginx*). *Overbooked*: active appointments
beyond slots.capacity summed over every slot, counted in the database after each run (must be 0); the
slots' booked counters and duplicate (person, slot) bookings are checked too.

| backend | run | clients | bookings/s | p50 ms | p99 ms | /healthz req/s | ratio | nginx req/s | ratio nginx | overbooked | bookings |
|---|---|---|---|---|---|---|---|---|---|---|---|
$(cat "$WORK/rows.md")
MD
cat bench/results/booking.md
[ "$FAILED" -eq 0 ] || { echo "booking: FAILED (see above)" >&2; exit 1; }
