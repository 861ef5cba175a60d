#!/usr/bin/env bash
# Installs what is missing, builds the server and the web app, creates a demo database on
# first run, and serves everything. Port: ./run.sh 9090, or PORT=9090 ./run.sh.
set -euo pipefail
cd "$(dirname "$0")"

PORT=${1:-${PORT:-8080}}
DB_URL=${DANGAN_DATABASE_URL:-sqlite:var/dangan.db}

scripts/deps.sh
scripts/build.sh

mkdir -p var
if [ "$DB_URL" = "sqlite:var/dangan.db" ] && [ ! -f var/dangan.db ]; then
  echo "首次运行：创建演示数据库 var/dangan.db"
  build/dangan init --demo --db "$DB_URL"
fi

cat <<MSG

  社会保险档案智慧服务平台 — Dang'an
  公众门户 Portal       http://127.0.0.1:$PORT/
  自助终端 Kiosk        http://127.0.0.1:$PORT/kiosk/
  工作人员 Staff        http://127.0.0.1:$PORT/staff/
  证明核验 Verify       http://127.0.0.1:$PORT/v/
  接口信息 API          http://127.0.0.1:$PORT/api/v1/info
  演示账号 Demo logins  登录功能尚未上线（见 issue 3）；当前各应用无需登录即可浏览。
                        Sign-in arrives with the identity issue; the apps need no login yet.

  Ctrl+C 停止 / stop.
MSG
exec build/dangan serve --db "$DB_URL" --listen "127.0.0.1:$PORT"
