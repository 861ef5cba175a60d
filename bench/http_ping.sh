#!/usr/bin/env bash
# HTTP round-trip throughput of `dangan serve` against nginx serving the same bytes from a
# static file. wrk on loopback, 64 keep-alive connections; the servers pinned to core 0 and
# wrk to core 1; three alternating rounds; median req/s of each and the ratio ours/nginx.
# Prints the figures and writes bench/results/http_ping.md.
#   bench/http_ping.sh [SECONDS_PER_ROUND]   (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-8}
CONNECTIONS=64
PATH_UNDER_TEST=/api/v1/info
for tool in wrk nginx taskset; do
  command -v "$tool" >/dev/null || { echo "http_ping: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
[ -x build/dangan ] || scripts/build.sh

WORK=$(mktemp -d /tmp/dangan-bench.XXXXXX)
chmod 755 "$WORK"  # the nginx worker runs as an unprivileged user
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
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    location / { default_type "application/json; charset=utf-8"; }
  }
}
CONF
mkdir -p "$WORK/tmp"
taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -fsS "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST") "$WORK/www/api/v1/info" \
  || { echo "http_ping: nginx does not serve the same bytes" >&2; exit 1; }

run_wrk() {  # prints requests/s
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" 2>&1 \
    | awk '/Requests\/sec:/ {print $2}'
}

ours=(); theirs=()
for round in 1 2 3; do
  o=$(run_wrk "http://127.0.0.1:$OURS_PORT$PATH_UNDER_TEST")
  n=$(run_wrk "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST")
  echo "round $round: dangan $o req/s, nginx $n req/s"
  ours+=("$o"); theirs+=("$n")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
mo=$(median "${ours[@]}"); mn=$(median "${theirs[@]}")
ratio=$(awk -v a="$mo" -v b="$mn" 'BEGIN { printf "%.2f", a / b }')
echo "median: dangan $mo req/s, nginx $mn req/s, ratio $ratio (target >= 0.8)"

mkdir -p bench/results
cat > bench/results/http_ping.md <<MD
# http_ping — GET $PATH_UNDER_TEST against nginx serving the same bytes

Recorded $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(uname -m)); revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown).
wrk 1 thread, $CONNECTIONS keep-alive connections, ${DURATION}s per round; servers pinned to core 0
(dangan 1 worker thread, nginx 1 worker), wrk to core 1; access logs off on both.

| round | dangan req/s | nginx req/s |
|---|---|---|
| 1 | ${ours[0]} | ${theirs[0]} |
| 2 | ${ours[1]} | ${theirs[1]} |
| 3 | ${ours[2]} | ${theirs[2]} |
| **median** | **$mo** | **$mn** |

**Ratio dangan / nginx: $ratio** (target ≥ 0.8)
MD
echo "written bench/results/http_ping.md"
