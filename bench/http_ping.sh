#!/usr/bin/env bash
# HTTP round-trip throughput of `dangan serve` against nginx serving the same bytes from a
# static file. wrk on loopback, 64 keep-alive connections; the servers pinned to core 0 and
# wrk to core 1; alternating rounds (5; the host is shared and noisy, ±10% between runs);
# median req/s of each and the ratio ours/nginx. Prints the figures and writes
# bench/results/http_ping.md.
#   bench/http_ping.sh [SECONDS_PER_ROUND] [ROUNDS]   (default 8 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-8}
ROUNDS=${2:-5}
CONNECTIONS=64
PATH_UNDER_TEST=/api/v1/info
source bench/lib.sh
need wrk nginx taskset curl
[ -x build/dangan ] || scripts/build.sh

WORK=$(mktemp -d /tmp/dangan-bench.XXXXXX)
OURS_PID=""; NGINX_PID=""
cleanup() {
  [ -n "$OURS_PID" ] && kill "$OURS_PID" 2>/dev/null && wait "$OURS_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

OURS_PORT=$(scripts/free_port.sh)
NGINX_PORT=$(scripts/free_port.sh)

build/dangan init --db "sqlite:$WORK/bench.db" >/dev/null
DANGAN_SERVER_ACCESS_LOG=false DANGAN_SERVER_THREADS=1 \
  taskset -c 0 build/dangan serve --db "sqlite:$WORK/bench.db" --listen "127.0.0.1:$OURS_PORT" \
  >"$WORK/ours.log" 2>&1 &
OURS_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$OURS_PORT/healthz" >/dev/null && break; sleep 0.1; done

# nginx serves the very bytes our endpoint returns, from a file, with the same content type.
mkdir -p "$WORK/www/api/v1"
curl -fs "http://127.0.0.1:$OURS_PORT$PATH_UNDER_TEST" >"$WORK/www/api/v1/info"
start_nginx "$NGINX_PORT" "$WORK/www"
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST") "$WORK/www/api/v1/info" \
  || { echo "http_ping: nginx does not serve the same bytes" >&2; exit 1; }

run_wrk() {  # prints requests/s
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" 2>&1 \
    | awk '/Requests\/sec:/ {print $2}'
}

ours=(); theirs=()
for round in $(seq 1 "$ROUNDS"); do
  o=$(run_wrk "http://127.0.0.1:$OURS_PORT$PATH_UNDER_TEST")
  n=$(run_wrk "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST")
  echo "round $round: dangan $o req/s, nginx $n req/s"
  ours+=("$o"); theirs+=("$n")
done
mo=$(median "${ours[@]}"); mn=$(median "${theirs[@]}")
ratio=$(awk -v a="$mo" -v b="$mn" 'BEGIN { printf "%.2f", a / b }')
# Each round measures both servers a few seconds apart, so the ratio within a round is the
# figure least disturbed by the shared host's drift; report its median as well.
round_ratios=()
for i in "${!ours[@]}"; do
  round_ratios+=("$(awk -v a="${ours[$i]}" -v b="${theirs[$i]}" 'BEGIN { printf "%.3f", a / b }')")
done
paired=$(printf '%.2f' "$(median "${round_ratios[@]}")")
echo "median: dangan $mo req/s, nginx $mn req/s, ratio of medians $ratio; median of per-round ratios $paired (target >= 0.8)"

mkdir -p bench/results
cat > bench/results/http_ping.md <<MD
# http_ping — GET $PATH_UNDER_TEST against nginx serving the same bytes

Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)); revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown).
wrk 1 thread, $CONNECTIONS keep-alive connections, ${DURATION}s per round; servers pinned to core 0
(dangan 1 worker thread, nginx 1 worker), wrk to core 1; access logs off on both.

| round | dangan req/s | nginx req/s | ratio |
|---|---|---|---|
$(for i in "${!ours[@]}"; do echo "| $((i + 1)) | ${ours[$i]} | ${theirs[$i]} | ${round_ratios[$i]} |"; done)
| **median** | **$mo** | **$mn** | **$paired** |

**Ratio dangan / nginx: $ratio of the medians, $paired the median of per-round ratios** (target ≥ 0.8).
The host is shared: absolute rates drift by ±20% between rounds, which the per-round ratio cancels.
MD
echo "written bench/results/http_ping.md"
