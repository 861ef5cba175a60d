#!/usr/bin/env bash
# Archive location look-up at the scale of a province (issue 4). 10 million persons generated
# once into SQLite (cached in var/bench/ between runs); wrk with pre-created sessions looks up
# random persons through the citizen endpoint (GET /api/v1/me/archives) and the staff endpoint
# (POST /api/v1/persons/search by ID number), audit on; the same run measures nginx serving a
# static JSON file of the citizen answer. Prints req/s, p50/p99, server RSS, the ratio to nginx
# and the time to ready after start; then the same on a throw-away PostgreSQL with
# BENCH_PG_PERSONS persons (default 1 million: loading 10 million into PostgreSQL takes longer
# than this script should). Writes bench/results/lookup.md.
#
#   bench/lookup.sh                      # 10 M on SQLite, 1 M on PostgreSQL
#   BENCH_PERSONS=1000000 BENCH_PG_PERSONS=0 bench/lookup.sh   # quicker; 0 skips PostgreSQL
#   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64
#
# Servers pinned to core 0 (dangan with 1 worker thread, nginx 1 worker), wrk to core 1.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need wrk nginx taskset curl python3 sqlite3
[ -x build/dangan ] || scripts/build.sh

PERSONS=${BENCH_PERSONS:-10000000}
PG_PERSONS=${BENCH_PG_PERSONS:-1000000}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
SEED=1
CACHE=var/bench
mkdir -p "$CACHE" bench/results
export DANGAN_SECURITY_KEY_FILE="$PWD/$CACHE/lookup.key"
label() { awk -v n="$1" 'BEGIN { if (n % 1000000 == 0) printf "%dm", n / 1000000; else printf "%dk", n / 1000 }'; }

WORK=$(mktemp -d /tmp/dangan-lookup.XXXXXX)
SERVER_PID=""; NGINX_PID=""; PG_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
  [ -n "$PG_DIR" ] && scripts/pg_temp.sh stop "$PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT

# generate URL N SAMPLE → dangan gen, timed; prints the seconds.
generate() {
  local url=$1 n=$2 sample=$3 start end
  start=$(date +%s.%N)
  build/dangan init --db "$url" >/dev/null
  nice build/dangan gen --db "$url" --persons "$n" --seed "$SEED" --sample-out "$sample" --sample-every 1000 >&2
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }'
}

# measure NAME URL SAMPLE → runs the rounds; appends a table row per endpoint to $WORK/rows.md.
measure() {
  local name=$1 url=$2 sample=$3
  local port nginx_port t0 ready_ms
  python3 bench/lookup/sessions.py --db "$url" --sample "$sample" --count 5000 --out "$WORK/$name"
  port=$(scripts/free_port.sh)
  t0=$(date +%s%N)
  DANGAN_SERVER_ACCESS_LOG=false DANGAN_SERVER_THREADS=1 DANGAN_LOG_LEVEL=warn \
    taskset -c 0 build/dangan serve --db "$url" --listen "127.0.0.1:$port" >"$WORK/$name-server.log" 2>&1 &
  SERVER_PID=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name-server.log" >&2; exit 1; }
    sleep 0.01
  done
  ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$name: ready ${ready_ms} ms after start"

  # nginx serves one citizen answer, byte for byte, from a file.
  mkdir -p "$WORK/www"
  curl -fs -H "Cookie: dangan_session=$(head -1 "$WORK/$name/citizens.txt")" \
    "http://127.0.0.1:$port/api/v1/me/archives" >"$WORK/www/archives.json"
  nginx_port=$(scripts/free_port.sh)
  start_nginx "$nginx_port" "$WORK/www"

  export LOOKUP_DIR="$WORK/$name"
  wrk_run 3 "$CONNECTIONS" "http://127.0.0.1:$port" bench/lookup/citizen.lua >/dev/null   # warm the caches
  local n_rps=() c_rps=() c_p50=() c_p99=() s_rps=() s_p50=() s_p99=() bad=0
  for round in $(seq 1 "$ROUNDS"); do
    read -r r p50 p99 x < <(wrk_run "$SECONDS_PER_RUN" "$CONNECTIONS" "http://127.0.0.1:$nginx_port/archives.json")
    n_rps+=("$r")
    read -r r p50 p99 x < <(wrk_run "$SECONDS_PER_RUN" "$CONNECTIONS" "http://127.0.0.1:$port" bench/lookup/citizen.lua)
    c_rps+=("$r"); c_p50+=("$p50"); c_p99+=("$p99"); bad=$((bad + x))
    read -r r p50 p99 x < <(wrk_run "$SECONDS_PER_RUN" "$CONNECTIONS" "http://127.0.0.1:$port" bench/lookup/staff.lua)
    s_rps+=("$r"); s_p50+=("$p50"); s_p99+=("$p99"); bad=$((bad + x))
    echo "$name round $round: nginx ${n_rps[-1]} req/s; citizen ${c_rps[-1]} req/s p99 ${c_p99[-1]} ms;" \
         "staff ${s_rps[-1]} req/s p99 ${s_p99[-1]} ms"
  done
  local rss hwm
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
  [ "$bad" -eq 0 ] || { echo "lookup: $bad answers were not 2xx — see $WORK/$name-server.log" >&2; exit 1; }

  local nm cm sm
  nm=$(median "${n_rps[@]}"); cm=$(median "${c_rps[@]}"); sm=$(median "${s_rps[@]}")
  printf '| %s | citizen GET /api/v1/me/archives | %s | %s | %s | %s | %s | %s | %s MiB (peak %s) | %s ms |\n' \
    "$name" "$cm" "$(median "${c_p50[@]}")" "$(median "${c_p99[@]}")" "$nm" "$(ratio "$cm" "$nm")" \
    "$CONNECTIONS" "$rss" "$hwm" "$ready_ms" >>"$WORK/rows.md"
  printf '| %s | staff POST /api/v1/persons/search | %s | %s | %s | %s | %s | %s | | |\n' \
    "$name" "$sm" "$(median "${s_p50[@]}")" "$(median "${s_p99[@]}")" "$nm" "$(ratio "$sm" "$nm")" \
    "$CONNECTIONS" >>"$WORK/rows.md"
  echo "$name: citizen $cm req/s (ratio $(ratio "$cm" "$nm")), staff $sm req/s (ratio $(ratio "$sm" "$nm")), RSS $rss MiB, peak $hwm MiB"
}

# --- SQLite, cached ---
L=$(label "$PERSONS")
DB="$CACHE/lookup-$L.db"; SAMPLE="$CACHE/lookup-$L.sample.csv"
GEN_NOTE="cached from an earlier run"
if [ ! -f "$DB" ] || [ ! -f "$SAMPLE" ]; then
  rm -f "$DB" "$DB-wal" "$DB-shm"
  echo "generating $PERSONS persons into $DB (once; kept for later runs)"
  secs=$(generate "sqlite:$DB" "$PERSONS" "$SAMPLE")
  GEN_NOTE="generated in this run in ${secs} s"
fi
: >"$WORK/rows.md"
measure "sqlite-$L" "sqlite:$DB" "$SAMPLE"
DB_SIZE=$(du -sh "$DB" | cut -f1)

# --- PostgreSQL, throw-away ---
PG_NOTE="not run (BENCH_PG_PERSONS=0)"
if [ "$PG_PERSONS" -gt 0 ]; then
  PG_DIR="$WORK/pg"
  PG_URL=$(scripts/pg_temp.sh start "$PG_DIR")
  PL=$(label "$PG_PERSONS")
  echo "generating $PG_PERSONS persons into PostgreSQL"
  secs=$(generate "$PG_URL" "$PG_PERSONS" "$WORK/pg-sample.csv")
  PG_NOTE="$PG_PERSONS persons loaded in ${secs} s"
  measure "postgresql-$PL" "$PG_URL" "$WORK/pg-sample.csv"
fi

cat > bench/results/lookup.md <<MD
# lookup — archive location look-up at province scale

Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)); revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown).
SQLite: $PERSONS persons ($DB_SIZE on disk), $GEN_NOTE. PostgreSQL: $PG_NOTE.
wrk 1 thread, $CONNECTIONS keep-alive connections, ${SECONDS_PER_RUN}s per run, $ROUNDS rounds (medians); dangan with
1 worker thread and nginx with 1 worker pinned to core 0, wrk to core 1 (PostgreSQL unpinned); access logs off;
every look-up audited. Citizens: 5000 sessions of random persons; staff: a window clerk with a
province-wide grant searching random ID numbers. nginx serves one citizen answer from a file.

| database | endpoint | req/s | p50 ms | p99 ms | nginx req/s | ratio | connections | server RSS | ready after start |
|---|---|---|---|---|---|---|---|---|---|
$(cat "$WORK/rows.md")

Targets (issue 4): ratio ≥ 0.5, p99 ≤ 20 ms at 64 connections, RSS ≤ 1 GiB, ready ≤ 2 s with 10 million persons.
MD
cat bench/results/lookup.md
