# Shared pieces of the bench scripts: sourced, not run. Expects WORK (a scratch directory)
# and the repository root as the current directory.

# median V… → the middle value (the lower one of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ratio A B → A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# need TOOL… → exits with a message when one is missing.
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
  done
}

# start_nginx PORT ROOT → nginx with one worker pinned to core 0 serving ROOT as JSON on
# 127.0.0.1:PORT, in the background; sets NGINX_PID. Stop it with `kill $NGINX_PID`.
start_nginx() {
  local port=$1 root=$2
  mkdir -p "$WORK/nginx-tmp"
  chmod 755 "$WORK"  # the nginx worker runs as an unprivileged user
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp; proxy_temp_path $WORK/nginx-tmp; fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp; scgi_temp_path $WORK/nginx-tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    root $root;
    location / { default_type "application/json; charset=utf-8"; }
  }
}
CONF
  taskset -c 0 nginx -c "$WORK/nginx.conf" -p "$WORK" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    [ -f "$WORK/nginx.pid" ] && break; sleep 0.1; done
}

# wrk_run SECONDS CONNECTIONS URL [LUA] → "req/s p50_ms p99_ms non2xx" (wrk pinned to core 1).
wrk_run() {
  local seconds=$1 connections=$2 url=$3 script=${4:-}
  local out
  out=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency ${script:+-s "$script"} "$url" 2>&1)
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    END { printf "%s %.2f %.2f %d\n", rps, p50, p99, bad }'
}
