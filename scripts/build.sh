#!/usr/bin/env bash
# Builds the server (CMake, ccache when present) and the web app (only when its sources
# changed since the last build). Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${DANGAN_BUILD_DIR:-build}
# Let clones at other paths (CI) reuse the compiler cache: paths are hashed relative to here.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
JOBS=${DANGAN_JOBS:-$(nproc)}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDANGAN_WERROR=ON >/dev/null
fi
echo "build: server (cmake --build $BUILD_DIR -j$JOBS)"
# The progress lines are filtered out; with pipefail the pipeline fails when the build does.
status=0
cmake --build "$BUILD_DIR" -j"$JOBS" -- --no-print-directory 2>&1 \
  | { grep -vE '^\[ *[0-9]+%\] (Building|Linking|Built)' || true; } || status=$?
[ "$status" -eq 0 ] || { echo "build: the server did not build (exit $status)" >&2; exit 1; }

# The web app: rebuilt only when a source file, the lock file or the config changed.
stamp_of_sources() {
  (cd web && find . -path ./node_modules -prune -o -path ./dist -prune -o -type f -print0 \
     | sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
want=$(stamp_of_sources)
if [ -f web/dist/.sources.sha ] && [ "$(cat web/dist/.sources.sha)" = "$want" ]; then
  echo "build: web app unchanged"
else
  echo "build: web app (npm run build)"
  (cd web && npm run --silent build)
  echo "$want" > web/dist/.sources.sha
fi
