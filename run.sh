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
if [ "$DB_URL" = "sqlite:var/dangan.db" ]; then
  # The demo database: created on the first run; later runs migrate it and add demo data that
  # newer versions bring (the seeders only add what is missing, or refresh demo archives).
  [ -f var/dangan.db ] || echo "首次运行：创建演示数据库 var/dangan.db"
  build/dangan init --demo --db "$DB_URL"
fi

cat <<MSG

  社会保险档案智慧服务平台 — Dang'an
  公众门户 Portal       http://127.0.0.1:$PORT/
  自助终端 Kiosk        http://127.0.0.1:$PORT/kiosk/
  工作人员 Staff        http://127.0.0.1:$PORT/staff/
  证明核验 Verify       http://127.0.0.1:$PORT/v/
  接口信息 API          http://127.0.0.1:$PORT/api/v1/info
MSG
python3 - <<'PY'
import json
d = json.load(open("tests/fixtures/demo.json", encoding="utf-8"))
p = d["persons"][0]
print("  演示账号 Demo logins")
print(f"    公众（门户/终端）  身份证号 {p['id_number']}  手机 {p['mobile']}  验证码写入 var/sms.log")
for s in d["staff"]:
    roles = "、".join(g["role"] for g in s["grants"])
    print(f"    工作人员 {s['username']:<8} 密码 {s['password']:<16} 动态码密钥 {s['totp_secret']}（{roles}）")
e = d["employers"][0]
print(f"    参保单位  信用代码 {e['credit_code']}  用户 {e['username']}  密码 {e['password']}")
print("    动态验证码：把密钥加入任一身份验证器应用（TOTP，30 秒，6 位）。")
print()
print("  Ctrl+C 停止 / stop.")
PY
exec build/dangan serve --db "$DB_URL" --listen "127.0.0.1:$PORT"
