#!/usr/bin/env bash
# Installs, idempotently and only what is missing, every Debian package the project
# needs, then the web app's npm packages (npm ci, skipped when node_modules matches
# package-lock.json). Safe to run on every ./run.sh and ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime libraries, tools used by tests and benchmarks.
PACKAGES=(
  build-essential cmake pkg-config ccache git
  libasio-dev librestinio-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libtomlplusplus-dev libcli11-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql
  libssl-dev libopencc-dev opencc libicu-dev libargon2-dev libqrencode-dev libcurl4-openssl-dev
  libcairo2-dev libpango1.0-dev libzbar-dev libleptonica-dev
  libpugixml-dev libespeak-ng-dev espeak-ng-data
  libgtest-dev libgmock-dev
  nodejs chromium fonts-noto-cjk
  nginx-light wrk curl python3 procps poppler-utils zbar-tools
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  # The postgresql package starts a cluster service on install; the tests start their own.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    $SUDO service postgresql stop >/dev/null 2>&1 || true
  fi
  # nginx starts on port 80 when installed; the benchmark starts its own.
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi

# npm packages for the web app, only when the lock file changed since the last install.
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.dangan-lock.sha
  want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
fi
