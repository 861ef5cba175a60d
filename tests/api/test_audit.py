"""The audit log from outside: `dangan audit verify` on a fresh database, on a chain written
here in Python from the encoding documented in src/audit/README.md (so the documentation and
the code cannot drift apart), and after tampering with plain SQL through the database's own
command-line client (sqlite3 or psql)."""

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import uuid

from harness import call_json, check, check_error, run_cli, test
from test_identity_staff import new_staff

GENESIS = "00" * 32
FIELDS = ["id", "actor_kind", "actor_id", "action", "subject_person_id", "target", "purpose", "channel",
          "address", "request_id", "detail_json"]


def canonical(seq, at_ms, row):
    out = bytes([1]) + struct.pack(">Q", seq) + struct.pack(">q", at_ms)
    for name in FIELDS:
        data = row[name].encode("utf-8")
        out += struct.pack(">I", len(data)) + data
    return out


def chain(n):
    """`n` rows chained as the README says: hash = SM3(prev_hash bytes ‖ canonical bytes)."""
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        row = {"id": str(uuid.uuid4()), "actor_kind": "staff", "actor_id": f"user-{seq % 2}",
               "action": ["login", "person.read", "logout"][seq % 3], "subject_person_id": f"person-{seq}",
               "target": f"person:person-{seq}", "purpose": "窗口查档", "channel": "staff", "address": "10.0.0.7",
               "request_id": f"req-{seq}", "detail_json": '{"n":%d}' % seq}
        at_ms = 1735660800000 + seq * 1000
        digest = hashlib.new("sm3", bytes.fromhex(prev) + canonical(seq, at_ms, row)).hexdigest()
        rows.append(dict(row, seq=seq, at_ms=at_ms, prev_hash=prev, hash=digest))
        prev = digest
    return rows


def quote(value):
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def run_sql(ctx, url, sql):
    if ctx.backend == "sqlite":
        cmd = ["sqlite3", url[len("sqlite:"):], sql]
    else:
        cmd = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, f"{cmd[0]} failed: {r.stderr}")


def disable_triggers_sql(ctx):
    if ctx.backend == "sqlite":
        return "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    return "ALTER TABLE audit_log DISABLE TRIGGER USER;"


@test
def audit_verify_names_the_tampered_row(ctx):
    url = ctx.new_db_url()
    tmp = tempfile.mkdtemp(prefix="dangan-audit-")
    env = {"DANGAN_SECURITY_KEY_FILE": os.path.join(tmp, "keys.txt")}
    try:
        r = run_cli("init", "--db", url, env=env)
        check(r.returncode == 0, r.stderr)
        r = run_cli("audit", "verify", "--db", url, env=env)
        check(r.returncode == 0, f"exit {r.returncode}: {r.stdout} {r.stderr}")
        check("审计日志完整：0 条记录" in r.stdout, r.stdout)

        rows = chain(6)
        columns = ["seq"] + FIELDS[:1] + ["at_ms"] + FIELDS[1:] + ["prev_hash", "hash"]
        values = ", ".join("(" + ", ".join(quote(row[c]) for c in columns) + ")" for row in rows)
        run_sql(ctx, url, f"INSERT INTO audit_log ({', '.join(columns)}) VALUES {values};")
        r = run_cli("audit", "verify", "--db", url, env=env)
        check(r.returncode == 0, f"a chain built from the README must verify: {r.stdout} {r.stderr}")
        check("审计日志完整：6 条记录" in r.stdout, r.stdout)
        check(rows[-1]["hash"] in r.stdout, f"head hash missing: {r.stdout}")

        run_sql(ctx, url, disable_triggers_sql(ctx) + " UPDATE audit_log SET purpose = '随便看看' WHERE seq = 3;")
        r = run_cli("audit", "verify", "--db", url, env=env)
        check(r.returncode == 1, f"exit {r.returncode}: {r.stdout}")
        check("第 3 条" in r.stdout and rows[2]["action"] in r.stdout, r.stdout)
        check("2025-01-01T00:00:03.000+08:00" in r.stdout, f"the row's time is missing: {r.stdout}")

        run_sql(ctx, url, "UPDATE audit_log SET purpose = '窗口查档' WHERE seq = 3; DELETE FROM audit_log WHERE seq = 5;")
        r = run_cli("audit", "verify", "--db", url, env=env)
        check(r.returncode == 1 and "第 6 条" in r.stdout and "第 5 条记录缺失" in r.stdout, r.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def audit_routes_refuse_anonymous_callers(ctx):
    for path in ["/api/v1/audit", "/api/v1/audit/verify"]:
        status, _, body = call_json(ctx.server, "GET", path)
        check(status in (401, 403), f"{path}: {status} {body}")


@test
def auditor_filters_pages_and_verifies(ctx):
    auditor = new_staff(ctx.server, role="auditor", scope="2201").login()
    clerk = new_staff(ctx.server, role="window_clerk", scope="220102").login()
    me = auditor.user["id"]

    s, _, page = auditor.call("GET", "/api/v1/audit?action=login&limit=1")
    check(s == 200, f"{s} {page}")
    check(len(page["items"]) == 1 and page["items"][0]["action"] == "login", page)
    check(isinstance(page["next_cursor"], str), f"more log-ins exist: {page}")
    first = page["items"][0]
    for key in ["seq", "at", "actor_kind", "actor_id", "actor_name", "action", "subject_person_id", "target",
                "purpose", "channel", "address", "request_id"]:
        check(key in first, f"item lacks {key}: {first}")
    check(first["actor_id"] == clerk.user["id"], f"the newest log-in is the clerk's: {first}")
    s, _, older = auditor.call("GET", "/api/v1/audit?action=login&limit=1&cursor=" + page["next_cursor"])
    check(s == 200 and older["items"][0]["seq"] < first["seq"], older)

    s, _, mine = auditor.call("GET", f"/api/v1/audit?actor_id={me}&action=audit.read")
    check(s == 200 and len(mine["items"]) == 2, f"both reads are audited: {mine}")
    check(mine["items"][0]["seq"] > mine["items"][1]["seq"], "newest first")
    check(mine["items"][0]["actor_name"] == auditor.user["display_name"], mine["items"][0])

    s, _, verdict = auditor.call("GET", "/api/v1/audit/verify")
    check(s == 200 and verdict["ok"] is True and verdict["rows"] >= 4, verdict)

    s, _, body = auditor.call("GET", "/api/v1/audit?limit=500")
    check_error(s, body, 400, "invalid_limit", "limit")
    s, _, body = auditor.call("GET", "/api/v1/audit?from=2025-02-30")
    check_error(s, body, 400, "invalid_date", "from")
    s, _, body = clerk.call("GET", "/api/v1/audit")
    check(s == 403, f"a clerk may not read the audit log: {s} {body}")
