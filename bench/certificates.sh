#!/usr/bin/env bash
# Certificates (查档证明, issue 6): issued per second, verified online per second, verified offline
# per second. On a fresh database per backend (SQLite, then a throw-away PostgreSQL): the demo
# data plus BENCH_PERSONS generated persons (each with archive records), each with a citizen
# session written straight into the database (bench/lookup/sessions.py).
#
#   issue          — wrk, BENCH_ISSUE_CONNECTIONS connections, POST /api/v1/me/certificates on
#                    the web channel (bench/certificates/issue.lua): every request a new location
#                    certificate of another person with its own Idempotency-Key, so each one is
#                    a new number, an SM2 signature, a PDF drawn with cairo + pango (seal, QR) and
#                    its SM3, the blob written, the row and the audit entry committed;
#   verify (code)  — wrk, POST /api/v1/certificates/verify {"code": <the QR's URL>} cycling over
#                    BENCH_CODES certificates issued before (bench/certificates/verify.lua): base32,
#                    the SM2 signature checked, the row read, the check counted (a write), the
#                    content shown; every answer must be "genuine";
#   verify (number)— the same with {"number": …}: no signature, the row read, the check counted;
#   offline        — `dangan cert verify CODE --keys keys.json`, one process per code
#                    (bench/certificates/prepare.py offline): what a notary's script would run;
#                    process start-up dominates, so `openssl speed sm2` (verify/s on one core) is
#                    given beside it as the ceiling of the signature check itself; and the time
#                    of one `cert verify` of the PDF file and of a 300 dpi PNG scan (zbar).
#
# Baselines in the same rounds: the same dangan answering GET /healthz (its HTTP stack alone:
# *ratio*) and nginx serving one verify answer from a file (*ratio nginx*). dangan (1 network
# thread, the default handler pool) and nginx (1 worker) pinned to core 0, wrk and the offline
# loop to core 1; PostgreSQL unpinned. Access log off, audit on. Writes bench/results/certificates.md.
#
#   bench/certificates.sh                          # SQLite and PostgreSQL, about 4–5 minutes
#   BENCH_BACKENDS=sqlite bench/certificates.sh    # one of them
#   BENCH_SECONDS=8 BENCH_BASE_SECONDS=4 BENCH_ROUNDS=3 BENCH_CONNECTIONS=32 BENCH_ISSUE_CONNECTIONS=8 BENCH_PERSONS=4000
#   BENCH_CODES=200 BENCH_OFFLINE=200 DANGAN_BINARY=build-x/dangan
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
need wrk nginx taskset curl python3 psql openssl pdftoppm
BIN=${DANGAN_BINARY:-build/dangan}
if [ ! -x "$BIN" ]; then
  [ "$BIN" = build/dangan ] && scripts/build.sh
  [ -x "$BIN" ] || { echo "certificates: $BIN is not built" >&2; exit 1; }
fi
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac

PERSONS=${BENCH_PERSONS:-4000}
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
BASE_SECONDS=${BENCH_BASE_SECONDS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
ISSUE_CONNECTIONS=${BENCH_ISSUE_CONNECTIONS:-8}   # an issue takes ~0.1 s of CPU: 8 keep the core busy within wrk's 2 s timeout
CODES=${BENCH_CODES:-200}
OFFLINE=${BENCH_OFFLINE:-200}
BACKENDS=${BENCH_BACKENDS:-sqlite postgresql}

WORK=$(mktemp -d /tmp/dangan-certificates.XXXXXX)
SERVER_PID=""; NGINX_PID=""; PG_DIR=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$PG_DIR" ] && scripts/pg_temp.sh stop "$PG_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT
export DANGAN_SECURITY_KEY_FILE="$WORK/keys.txt" DANGAN_NOTIFY_SMS_LOG="$WORK/sms.log"
export DANGAN_CERTIFICATES_KEY_DIR="$WORK/cert-keys" DANGAN_STORAGE_BLOB_DIR="$WORK/blobs"
: >"$WORK/rows.md"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=0
PDF_BYTES=""; OFFLINE_ROW=""

# wrk_counted SECONDS URL LUA [CONNECTIONS] → "req/s p50 p99 good other" (the lua script writes the counts).
wrk_counted() {
  local r p50 p99 x good other
  read -r r p50 p99 x < <(wrk_run "$1" "${4:-$CONNECTIONS}" "$2" "$3")
  read -r good other <"$CERT_DIR/statuses"
  echo "$r $p50 $p99 $good $other"
}

# share R GOOD OTHER → the good answers' share of the request rate.
share() { awk -v r="$1" -v ok="$2" -v all="$(($2 + $3))" 'BEGIN { printf "%.2f", all ? r * ok / all : 0 }'; }

# ratio3 A B → A/B to three significant digits (an issue is thousands of times slower than /healthz).
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", (b > 0 ? a / b : 0) }'; }

# rows URL → the certificates in the database (a cross-check of wrk's count of 201 answers).
rows() { python3 -c "import sys; sys.path.insert(0, 'bench/booking'); import db; print(db.query(sys.argv[1], sys.argv[2])[0][0])" "$1" "$2"; }

# measure NAME URL → sets up the database, runs the rounds, appends table rows to $WORK/rows.md.
measure() {
  local name=$1 url=$2 dir=$WORK/$1
  mkdir -p "$dir"
  "$BIN" init --demo --db "$url" >/dev/null
  nice "$BIN" gen --db "$url" --persons "$PERSONS" --seed 1 --sample-out "$dir/sample.csv" --sample-every 1 \
    >/dev/null 2>"$dir/gen.log" || { cat "$dir/gen.log" >&2; exit 1; }
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
  export CERT_DIR="$dir"
  python3 bench/certificates/prepare.py codes --url "http://127.0.0.1:$port" --dir "$dir" --count "$CODES" \
    || { tail -5 "$dir/server.log" >&2; exit 1; }
  PDF_BYTES=$(stat -c %s "$dir/sample.pdf")
  nginx_port=$(scripts/free_port.sh)
  start_nginx "$nginx_port" "$dir/www"

  local n_rps=() h_rps=() i_rps=() i_p50=() i_p99=() v_rps=() v_p50=() v_p99=() bad=0 r p50 p99 good other x before after
  CERT_OFFSET=0 CERT_TAG="$name-warm" wrk_run 3 "$ISSUE_CONNECTIONS" "http://127.0.0.1:$port" bench/certificates/issue.lua >/dev/null
  CERT_MODE=code wrk_run 3 "$CONNECTIONS" "http://127.0.0.1:$port" bench/certificates/verify.lua >/dev/null
  for round in $(seq 1 "$ROUNDS"); do
    read -r r p50 p99 x < <(wrk_run "$BASE_SECONDS" "$CONNECTIONS" "http://127.0.0.1:$nginx_port/verify.json")
    n_rps+=("$r")
    read -r r p50 p99 x < <(wrk_run "$BASE_SECONDS" "$CONNECTIONS" "http://127.0.0.1:$port/healthz")
    h_rps+=("$r")
    sleep 1; before=$(rows "$url" "SELECT COUNT(*) FROM certificates")
    read -r r p50 p99 good other < <(CERT_OFFSET=$((round * 1000000)) CERT_TAG="$name" \
      wrk_counted "$SECONDS_PER_RUN" "http://127.0.0.1:$port" bench/certificates/issue.lua "$ISSUE_CONNECTIONS")
    sleep 1; after=$(rows "$url" "SELECT COUNT(*) FROM certificates")
    i_rps+=("$(share "$r" "$good" "$other")"); i_p50+=("$p50"); i_p99+=("$p99"); bad=$((bad + other))
    echo "$name round $round: nginx ${n_rps[-1]} req/s; /healthz ${h_rps[-1]} req/s;" \
         "issued ${i_rps[-1]}/s p50 $p50 ms p99 $p99 ms ($good answered 201, $other not; $((after - before)) new rows)"
    # The rows must match the 201s wrk saw, plus at most the requests still in flight when it stopped
    # (wrk drops those, and any answer after its 2 s timeout: too many rows mean lost answers).
    [ "$((after - before))" -ge "$good" ] && [ "$((after - before))" -le "$((good + ISSUE_CONNECTIONS))" ] \
      || { echo "$name: $((after - before)) new rows for $good answers 201 (wrk timeouts?)" >&2; FAILED=1; }
    read -r r p50 p99 good other < <(CERT_MODE=code \
      wrk_counted "$SECONDS_PER_RUN" "http://127.0.0.1:$port" bench/certificates/verify.lua)
    v_rps+=("$(share "$r" "$good" "$other")"); v_p50+=("$p50"); v_p99+=("$p99"); bad=$((bad + other))
    echo "$name round $round: verified by code ${v_rps[-1]}/s p50 $p50 ms p99 $p99 ms ($good genuine, $other not)"
  done
  local nb_rps nb_p50 nb_p99
  read -r r nb_p50 nb_p99 good other < <(CERT_MODE=number \
    wrk_counted "$SECONDS_PER_RUN" "http://127.0.0.1:$port" bench/certificates/verify.lua)
  nb_rps=$(share "$r" "$good" "$other"); bad=$((bad + other))
  echo "$name: verified by number $nb_rps/s p50 $nb_p50 ms p99 $nb_p99 ms ($good genuine, $other not)"
  local issued_total checks_total rss
  rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")

  # Offline: one process per code, on core 1 while the server idles.
  if [ -z "$OFFLINE_ROW" ]; then
    local o_rate o_ms o_fail sm2 sm2_sign sm2_verify pdf_ms png_ms t0 t1
    read -r o_rate o_ms o_fail < <(taskset -c 1 python3 bench/certificates/prepare.py offline --bin "$BIN" \
      --dir "$dir" --count "$OFFLINE")
    [ "$o_fail" -eq 0 ] || { echo "$name: $o_fail offline verifications were not VALID" >&2; FAILED=1; }
    sm2=$(taskset -c 1 openssl speed -seconds 2 sm2 2>/dev/null | awk '/SM2/ { print $(NF-1), $NF }')
    read -r sm2_sign sm2_verify <<<"$sm2"
    pdftoppm -r 300 -png -singlefile "$dir/sample.pdf" "$dir/scan"
    local pdf_t=() png_t=()
    for _ in 1 2 3 4 5; do
      t0=$(date +%s%N); taskset -c 1 "$BIN" cert verify "$dir/sample.pdf" --keys "$dir/keys.json" >/dev/null || FAILED=1
      t1=$(date +%s%N); pdf_t+=("$(( (t1 - t0) / 1000000 ))")
      t0=$(date +%s%N); taskset -c 1 "$BIN" cert verify "$dir/scan.png" --keys "$dir/keys.json" >/dev/null || FAILED=1
      t1=$(date +%s%N); png_t+=("$(( (t1 - t0) / 1000000 ))")
    done
    pdf_ms=$(median "${pdf_t[@]}"); png_ms=$(median "${png_t[@]}")
    # In one process: `cert verify --repeat N` checks the same code N times (decode, key look-up,
    # SM2 verify) and prints "N verifications (V valid) in S s: R per second".
    local rep_out rep_rate
    rep_out=$(taskset -c 1 "$BIN" cert verify "$(head -1 "$dir/codes.txt")" --keys "$dir/keys.json" --repeat 5000) \
      || { echo "offline --repeat: $rep_out" >&2; FAILED=1; }
    rep_rate=$(echo "$rep_out" | awk '/per second/ { print $(NF-2) }')
    echo "offline: $rep_rate verifications/s in one process (--repeat 5000); $o_rate/s one process each ($o_ms ms);" \
         "openssl speed sm2: sign $sm2_sign/s verify $sm2_verify/s; cert verify of the PDF $pdf_ms ms, of a 300 dpi PNG $png_ms ms"
    OFFLINE_ROW="| offline | \`dangan cert verify CODE --keys keys.json --repeat 5000\`: one process | $rep_rate/s | SM2 verify on one core (openssl speed sm2) | $sm2_verify/s | $(ratio3 "$rep_rate" "$sm2_verify") |
| offline | \`dangan cert verify CODE --keys keys.json\`, one process per code ($OFFLINE codes) | $o_rate/s ($o_ms ms each) | SM2 verify on one core (openssl speed sm2) | $sm2_verify/s | $(ratio3 "$o_rate" "$sm2_verify") |
| offline | \`dangan cert verify FILE.pdf\` (code from the metadata) | $pdf_ms ms | | | |
| offline | \`dangan cert verify scan.png\` (300 dpi page, zbar) | $png_ms ms | | | |
| (baseline) | SM2 sign on one core (openssl speed sm2): the signature's share of an issue | $sm2_sign/s | | | |"
  fi

  issued_total=$(rows "$url" "SELECT COUNT(*) FROM certificates")
  checks_total=$(rows "$url" "SELECT COALESCE(SUM(check_count), 0) FROM certificates")

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
  [ "$bad" -eq 0 ] || { echo "$name: $bad answers were not 201 / genuine — see $dir/server.log" >&2
                        grep -v '^$' "$dir/server.log" | tail -5 >&2; FAILED=1; }

  local nm hm im vm
  nm=$(median "${n_rps[@]}"); hm=$(median "${h_rps[@]}"); im=$(median "${i_rps[@]}"); vm=$(median "${v_rps[@]}")
  printf '| %s | issue: POST /api/v1/me/certificates (sign + PDF) | %s | %s | %s | %s | %s | %s | %s | %s | %s MiB |\n' \
    "$name" "$im" "$(median "${i_p50[@]}")" "$(median "${i_p99[@]}")" "$hm" "$(ratio3 "$im" "$hm")" "$nm" \
    "$(ratio3 "$im" "$nm")" "$ISSUE_CONNECTIONS" "$rss" >>"$WORK/rows.md"
  printf '| %s | verify online by code (QR URL) | %s | %s | %s | %s | %s | %s | %s | %s | |\n' \
    "$name" "$vm" "$(median "${v_p50[@]}")" "$(median "${v_p99[@]}")" "$hm" "$(ratio3 "$vm" "$hm")" "$nm" \
    "$(ratio3 "$vm" "$nm")" "$CONNECTIONS" >>"$WORK/rows.md"
  printf '| %s | verify online by number (1 run) | %s | %s | %s | %s | %s | %s | %s | %s | |\n' \
    "$name" "$nb_rps" "$nb_p50" "$nb_p99" "$hm" "$(ratio3 "$nb_rps" "$hm")" "$nm" "$(ratio3 "$nb_rps" "$nm")" \
    "$CONNECTIONS" >>"$WORK/rows.md"
  echo "$name: issued $im/s, verified by code $vm/s, by number $nb_rps/s (/healthz $hm req/s, nginx $nm req/s);" \
       "$issued_total certificates, $checks_total checks counted; server peak RSS $rss MiB"
}

PG_NOTE="PostgreSQL not run."
if [[ " $BACKENDS " == *" sqlite "* ]]; then
  measure sqlite "sqlite:$WORK/certificates.db"
fi
if [[ " $BACKENDS " == *" postgresql "* ]]; then
  PG_DIR="$WORK/pg"
  PG_URL=$(scripts/pg_temp.sh start "$PG_DIR")
  measure postgresql "$PG_URL"
  PG_NOTE="PostgreSQL $(psql "$PG_URL" -XAtc 'SHOW server_version') throw-away (scripts/pg_temp.sh: fsync off), database.pool_size ${DANGAN_DATABASE_POOL_SIZE:-4 (the default)}."
fi

mkdir -p bench/results
cat > bench/results/certificates.md <<MD
# certificates — issued, verified online and offline per second

Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)); revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown);
load average at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes the figures noisy).
$PERSONS generated persons (each with archive records) plus the demo data, a citizen session each; wrk 1 thread,
$ISSUE_CONNECTIONS keep-alive connections issuing (each issue is ~0.1 s of CPU: more would only queue past wrk's 2 s timeout), $CONNECTIONS verifying, ${SECONDS_PER_RUN}s per measured run, ${BASE_SECONDS}s per baseline run, $ROUNDS rounds (medians) after 3 s
warm-ups; dangan with 1 network thread and the default handler pool, nginx with 1 worker, both pinned to core 0; wrk
and the offline runs on core 1. $PG_NOTE
*Issue*: every request a new location certificate of another person (web channel, Idempotency-Key): number,
SM2-with-SM3 signature, an A4 PDF of $PDF_BYTES bytes drawn with cairo + pango (text, seal, QR at level Q), its SM3,
the file stored, the row and the audit entry; the new rows are counted in the database after each run and must
equal the 201 answers wrk saw, give or take the requests in flight when it stopped. *Verify by code*: POST /api/v1/certificates/verify with the QR's URL,
cycling over $CODES certificates: signature checked, row read, the check counted, content returned; every answer
"genuine". *By number*: the same without the signature. Baselines in the same rounds: the same dangan answering
GET /healthz (its HTTP stack alone: *ratio*) and nginx serving one verify answer from a file (*ratio nginx*).

| backend | run | per second | p50 ms | p99 ms | /healthz req/s | ratio | nginx req/s | ratio nginx | connections | server peak RSS |
|---|---|---|---|---|---|---|---|---|---|---|
$(cat "$WORK/rows.md")

Offline (no server; on core 1). *--repeat*: the same code checked 5000 times in one process (base32, payload,
key look-up, SM2-with-SM3 verify) — the offline verifier's own rate; *one process per code*: what a script calling
the command once per certificate gets (process start, reading keys.json, one check):

| where | what | rate or time | baseline | baseline rate | ratio |
|---|---|---|---|---|---|
$OFFLINE_ROW
MD
cat bench/results/certificates.md
[ "$FAILED" -eq 0 ] || { echo "certificates: FAILED (see above)" >&2; exit 1; }
