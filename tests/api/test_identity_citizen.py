"""Citizen log-in (ID number + registered mobile + SMS code), sessions, CSRF and the guard,
over HTTP against a server initialised with `dangan init --demo`.

Rate limits are real: to run several log-ins for one person within a minute, a test first
"ages" the stored codes (moves their send time a day back with plain SQL), which is what
the passing of time would do."""

import atexit
import hashlib
import json
import os
import re
import urllib.parse
import secrets
import subprocess
import time

from harness import Server, call, call_json, check, check_error, test

# The demo persons of archives::SeedDemoPersons: (name, ID number, mobile).
DEMO = {
    "zhang": ("张伟", "220102198503150015", "13904310001"),
    "wang": ("王芳", "220104199007220026", "13904310002"),
    "li": ("李建国", "220105196501200138", "13904310003"),
    "liu": ("刘秀英", "220106197208080246", "13904310004"),
    "chen": ("陈磊", "220202199511300351", "13904320005"),
    "zhao": ("赵丽", "220203197804050461", "13904320006"),
}
PER_ADDRESS_PER_HOUR = 3
SQL_ATTACK = "'; DROP TABLE persons; --"

_servers = {}


def demo_server(ctx):
    """One demo server per backend, shared by the identity and persons tests."""
    server = _servers.get(ctx.backend)
    if server is None:
        server = Server(ctx.new_db_url(), env={"DANGAN_OTP_PER_ADDRESS_PER_HOUR": str(PER_ADDRESS_PER_HOUR)},
                        demo=True).start()
        _servers[ctx.backend] = server
        atexit.register(server.stop)
    return server


def sql(server, statement):
    """Runs SQL on the server's database with the backend's own CLI; rows as lists of text."""
    url = server.db_url
    if url.startswith("sqlite:"):
        cmd = ["sqlite3", "-batch", "-noheader", "-separator", "\t", url[len("sqlite:"):], statement]
    else:
        cmd = ["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", statement]
    out = subprocess.run(cmd, capture_output=True, timeout=30)
    check(out.returncode == 0, f"{cmd[0]} failed: {out.stderr.decode(errors='replace')}")
    text = out.stdout.decode("utf-8", errors="replace")
    return [line.split("\t") for line in text.splitlines()]


def sql_raw(server, statement):
    """The CLI's raw output bytes (blobs as the CLI prints them)."""
    url = server.db_url
    if url.startswith("sqlite:"):
        cmd = ["sqlite3", "-batch", url[len("sqlite:"):], statement]
    else:
        cmd = ["psql", url, "-X", "-q", "-At", "-c", statement]
    out = subprocess.run(cmd, capture_output=True, timeout=30)
    check(out.returncode == 0, out.stderr.decode(errors="replace"))
    return out.stdout


def age_codes(server):
    """Moves every stored code a day and more into the past (and off this address), so the
    per-mobile and per-address limits of earlier tests no longer apply."""
    sql(server, "UPDATE otp_codes SET created_at_ms = created_at_ms - 90000000, business_date = '2000-01-01', "
                "address = 'aged'")


def person_id(server, key):
    rows = sql(server, f"SELECT id FROM persons WHERE name = '{DEMO[key][0]}'")
    check(len(rows) == 1, f"demo person {key}: {rows}")
    return rows[0][0]


def session_cookie(headers):
    value = headers.get("set-cookie", "")
    m = re.match(r"dangan_session=([^;]*)", value)
    check(m is not None, f"no session cookie in {value!r}")
    return m.group(1)


def with_session(token, csrf=None, extra=None, purpose=None):
    """Session headers; `purpose` is a staff read's stated purpose (X-Dangan-Purpose, percent-encoded)."""
    headers = {"Cookie": f"dangan_session={token}"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    if purpose is not None:
        headers["X-Dangan-Purpose"] = urllib.parse.quote(purpose)
    headers.update(extra or {})
    return headers


def sms_lines(server, mobile):
    if not os.path.exists(server.sms_log):
        return []
    with open(server.sms_log, encoding="utf-8") as f:
        return [line for line in f.read().splitlines() if line.split("\t")[1:2] == [mobile]]


def request_code(server, key, headers=None, mobile=None):
    _, id_number, registered = DEMO[key]
    return call_json(server, "POST", "/api/v1/auth/citizen/code",
                     {"id_number": id_number, "mobile": mobile or registered}, headers)


def wait_for_code(server, mobile, seen):
    """The code of the first SMS to `mobile` after the `seen` earlier ones (the sender is async)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        lines = sms_lines(server, mobile)
        if len(lines) > seen:
            m = re.search(r"验证码为 (\d{6})，", lines[seen])
            check(m is not None, f"no code in SMS {lines[seen]!r}")
            return m.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no SMS to {mobile} in {server.sms_log}")


def send_code(server, key, headers=None):
    """Requests a code for a demo person; returns (challenge_id, code)."""
    mobile = DEMO[key][2]
    seen = len(sms_lines(server, mobile))
    status, _, body = request_code(server, key, headers)
    check(status == 200, f"code request for {key}: {status} {body}")
    return body["challenge_id"], wait_for_code(server, mobile, seen)


def login(server, key, headers=None):
    """Logs a demo person in; returns (token, csrf_token, body)."""
    challenge, code = send_code(server, key, headers)
    status, hdrs, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                   {"challenge_id": challenge, "code": code}, headers)
    check(status == 200, f"login of {key}: {status} {body}")
    return session_cookie(hdrs), body["csrf_token"], body


def audit_rows(server, action, where=""):
    return sql(server, "SELECT actor_kind, actor_id, subject_person_id, target, purpose FROM audit_log "
                       f"WHERE action = '{action}' {where} ORDER BY seq")


def staff_session(server, roles, scope="2201"):
    """A staff user with `roles` in `scope` and a live session, written straight into the database
    (staff log-in itself is tested with the accounts). Returns (user_id, token, csrf)."""
    user_id = f"test-{secrets.token_hex(6)}"
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = int(time.time() * 1000)
    sql(server, "INSERT INTO users (id, kind, username, display_name, password_hash, password_changed_at_ms, "
                f"created_at_ms) VALUES ('{user_id}', 'staff', '{user_id}', '测试员', 'x', {now}, {now})")
    for role in roles:
        sql(server, f"INSERT INTO grants (user_id, role, scope) VALUES ('{user_id}', '{role}', '{scope}')")
    token_hash = hashlib.new("sm3", token.encode()).hexdigest()
    sql(server, "INSERT INTO sessions (token_hash, id, kind, subject_id, csrf_token, address, user_agent, "
                "created_at_ms, last_seen_at_ms, expires_at_ms, revoked) VALUES "
                f"('{token_hash}', 'sess-{user_id}', 'staff', '{user_id}', '{csrf}', '127.0.0.1', 'test', "
                f"{now}, {now}, {now + 3600000}, 0)")
    return user_id, token, csrf


# ---- Log-in ----

@test
def citizen_logs_in_with_sms_code(ctx):
    server = demo_server(ctx)
    age_codes(server)
    mobile = DEMO["zhang"][2]
    seen = len(sms_lines(server, mobile))
    status, _, body = request_code(server, "zhang")
    check(status == 200, f"{status} {body}")
    check(body["expires_in"] == 300 and body["resend_after"] == 60, body)
    check(body["sent_to"] == "139****0001", body)
    code = wait_for_code(server, mobile, seen)
    check(sms_lines(server, mobile)[seen].endswith(
        f"【社保档案】您的登录验证码为 {code}，5分钟内有效。如非本人操作，请忽略。"), sms_lines(server, mobile)[seen])
    status, hdrs, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                   {"challenge_id": body["challenge_id"], "code": code})
    check(status == 200, f"{status} {body}")
    user = body["user"]
    check(user["kind"] == "citizen" and user["name"] == "张伟", user)
    check(user["id_number"] == "2201**********0015" and user["mobile"] == "139****0001", user)
    check(len(body["csrf_token"]) >= 32, body)
    cookie = hdrs["set-cookie"]
    for attr in ("HttpOnly", "SameSite=Lax", "Path=/"):
        check(attr in cookie, f"{attr} missing in {cookie}")
    check("Secure" not in cookie, cookie)
    token = session_cookie(hdrs)
    check(len(token) == 43, token)

    status, _, session = call_json(server, "GET", "/api/v1/session", headers=with_session(token))
    check(status == 200 and session["user"] == user and session["csrf_token"] == body["csrf_token"],
          f"{status} {session}")
    pid = person_id(server, "zhang")
    check(user["id"] == pid, user)
    logins = audit_rows(server, "login", f"AND actor_id = '{pid}'")
    check(logins and logins[-1][0] == "citizen" and logins[-1][2] == pid, logins)
    rows = sql(server, "SELECT COUNT(*) FROM sessions WHERE token_hash = "
                       f"'{hashlib.new('sm3', token.encode()).hexdigest()}'")
    check(rows == [["1"]], f"the session is stored by the SM3 of its token: {rows}")


@test
def unknown_person_and_mobile_mismatch(ctx):
    server = demo_server(ctx)
    status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/code",
                                {"id_number": "110101199003070011", "mobile": "13800000000"})
    check_error(status, body, 404, "person_not_found", "id_number")
    check("12333" in body["error"]["message"], body)
    status, _, body = request_code(server, "wang", mobile="13912345678")
    check_error(status, body, 422, "mobile_mismatch", "mobile")
    check("服务窗口或自助终端更新" in body["error"]["message"], body)
    pid = person_id(server, "wang")
    check(audit_rows(server, "login_failed", f"AND subject_person_id = '{pid}'"), "mismatch not audited")


@test
def malformed_id_numbers_and_mobiles(ctx):
    server = demo_server(ctx)
    cases = [({"id_number": "220102198503150016", "mobile": "13904310001"}, 422, "invalid_id_number", "id_number"),
             ({"id_number": "2201021985031500A5", "mobile": "13904310001"}, 400, "invalid_id_number", "id_number"),
             ({"id_number": "220102850315001", "mobile": "13904310001"}, 422, "legacy_id_number", "id_number"),
             ({"id_number": "220102198503150015", "mobile": "1390431"}, 400, "invalid_mobile", "mobile"),
             ({"id_number": 220102198503150015, "mobile": "13904310001"}, 400, "invalid_field", "id_number"),
             ({}, 400, "invalid_id_number", "id_number")]
    for payload, want_status, want_code, want_field in cases:
        status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/code", payload)
        check_error(status, body, want_status, want_code, want_field)
    status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/code", "not json",
                                {"Content-Type": "application/json"})
    check_error(status, body, 400, "malformed_json")


@test
def otp_brute_force_locks_the_challenge(ctx):
    server = demo_server(ctx)
    age_codes(server)
    challenge, code = send_code(server, "wang")
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 6):
        status, hdrs, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                       {"challenge_id": challenge, "code": wrong})
        if attempt < 5:
            check_error(status, body, 400, "invalid_code", "code")
            check(f"{5 - attempt} 次" in body["error"]["message"], body)
        else:
            check_error(status, body, 429, "code_locked")
            check(body["error"]["retry_after"] >= 1 and hdrs.get("retry-after"), f"{hdrs} {body}")
    status, hdrs, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                   {"challenge_id": challenge, "code": code})
    check_error(status, body, 429, "code_locked")
    check("set-cookie" not in hdrs, "no session after a locked challenge")
    pid = person_id(server, "wang")
    failed = audit_rows(server, "login_failed", f"AND subject_person_id = '{pid}'")
    check(len(failed) >= 6, f"each failed try is audited: {failed}")


@test
def resend_within_a_minute_is_refused(ctx):
    server = demo_server(ctx)
    age_codes(server)
    send_code(server, "li")
    status, hdrs, body = request_code(server, "li")
    check_error(status, body, 429, "too_many_requests", "mobile")
    retry = body["error"]["retry_after"]
    check(1 <= retry <= 60, body)
    check(hdrs.get("retry-after") == str(retry), hdrs)
    check(f"{retry} 秒" in body["error"]["message"], body)


@test
def per_address_limit(ctx):
    server = demo_server(ctx)
    age_codes(server)
    for key in ("liu", "chen", "zhao")[:PER_ADDRESS_PER_HOUR]:
        send_code(server, key)
    status, hdrs, body = request_code(server, "zhang")
    check_error(status, body, 429, "too_many_requests")
    check(3500 <= body["error"]["retry_after"] <= 3600, body)
    check(hdrs.get("retry-after") == str(body["error"]["retry_after"]), hdrs)
    age_codes(server)


@test
def unknown_and_malformed_challenges(ctx):
    server = demo_server(ctx)
    status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                {"challenge_id": "0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "code": "123456"})
    check_error(status, body, 404, "challenge_not_found")
    status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/login",
                                {"challenge_id": "0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "code": "12a456"})
    check_error(status, body, 400, "invalid_code", "code")


# ---- Sessions ----

@test
def session_fixation_is_prevented(ctx):
    server = demo_server(ctx)
    age_codes(server)
    planted, planted_csrf, _ = login(server, "liu")
    # The browser still holds the first person's cookie when another log-in happens in it.
    token, _, body = login(server, "chen", with_session(planted, planted_csrf))
    check(token != planted, "a new token at log-in")
    check(body["user"]["name"] == "陈磊", body)
    status, _, _ = call_json(server, "GET", "/api/v1/session", headers=with_session(planted))
    check(status == 401, f"the cookie presented at log-in is dead: {status}")
    status, _, session = call_json(server, "GET", "/api/v1/session", headers=with_session(token))
    check(status == 200 and session["user"]["name"] == "陈磊", f"{status} {session}")
    # A value chosen by an attacker is never adopted either.
    age_codes(server)
    chosen = secrets.token_urlsafe(32)
    token2, _, _ = login(server, "zhao", with_session(chosen))
    check(token2 != chosen, "server-chosen token")
    status, _, _ = call_json(server, "GET", "/api/v1/session", headers=with_session(chosen))
    check(status == 401, status)


@test
def csrf_token_required_for_state_changes(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, csrf, _ = login(server, "zhao")
    for headers in (with_session(token), with_session(token, "wrong"), with_session(token, csrf[:-1]),
                    with_session(token, "")):
        status, _, body = call_json(server, "POST", "/api/v1/auth/logout", headers=headers)
        check_error(status, body, 403, "csrf_failed")
    status, _, _ = call_json(server, "GET", "/api/v1/session", headers=with_session(token))
    check(status == 200, "still logged in after refused logouts")
    # A public POST made with a session needs the token too.
    status, _, body = request_code(server, "zhao", with_session(token))
    check_error(status, body, 403, "csrf_failed")
    status, hdrs, _ = call(server, "POST", "/api/v1/auth/logout", headers=with_session(token, csrf))
    check(status == 204, status)
    check("Max-Age=0" in hdrs.get("set-cookie", ""), hdrs)
    status, _, body = call_json(server, "GET", "/api/v1/session", headers=with_session(token))
    check_error(status, body, 401, "unauthenticated")
    check(body["error"]["message"] == "请先登录", body)
    pid = person_id(server, "zhao")
    check(audit_rows(server, "logout", f"AND actor_id = '{pid}'"), "logout audited")


@test
def logout_everywhere_ends_every_session(ctx):
    server = demo_server(ctx)
    age_codes(server)
    first, _, _ = login(server, "li")
    age_codes(server)
    second, csrf, _ = login(server, "li")
    for token in (first, second):
        check(call(server, "GET", "/api/v1/session", headers=with_session(token))[0] == 200, "both live")
    status, _, _ = call(server, "POST", "/api/v1/auth/logout-all", headers=with_session(second, csrf))
    check(status == 204, status)
    for token in (first, second):
        check(call(server, "GET", "/api/v1/session", headers=with_session(token))[0] == 401, "both ended")


@test
def forged_and_truncated_cookies_are_unauthenticated(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, _ = login(server, "liu")
    altered = ("A" if token[5] != "A" else "B").join([token[:5], token[6:]])
    for value in ["", token[:-1], token[:20], token + "A", altered, secrets.token_urlsafe(32),
                  "'; DROP TABLE sessions; --", "x" * 10000, hashlib.new("sm3", token.encode()).hexdigest()]:
        status, _, body = call_json(server, "GET", "/api/v1/session", headers=with_session(value))
        check_error(status, body, 401, "unauthenticated")
    status, _, body = call_json(server, "GET", "/api/v1/me")
    check_error(status, body, 401, "unauthenticated")
    check(call(server, "GET", "/api/v1/session", headers=with_session(token))[0] == 200, "the real one works")


@test
def citizen_cannot_read_another_person(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, body = login(server, "zhang")
    me = body["user"]["id"]
    other = person_id(server, "wang")
    for path in (f"/api/v1/persons/{other}", f"/api/v1/persons/{other}/identifiers"):
        status, _, err = call_json(server, "GET", path, headers=with_session(token, purpose="x"))
        check_error(status, err, 403, "forbidden")
    denied = audit_rows(server, "access_denied", f"AND actor_id = '{me}'")
    targets = [row[3] for row in denied]
    check("GET /api/v1/persons/:id" in targets and "GET /api/v1/persons/:id/identifiers" in targets, denied)
    check(all(row[0] == "citizen" for row in denied), denied)


@test
def sql_metacharacters_and_long_strings_are_refused_cleanly(ctx):
    server = demo_server(ctx)
    long = "9" * 10000
    for field in ("id_number", "mobile"):
        for value in (SQL_ATTACK, long, "x" * 10000):
            payload = {"id_number": DEMO["zhang"][1], "mobile": DEMO["zhang"][2]}
            payload[field] = value
            status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/code", payload)
            check(status == 400, f"{field}={value[:30]}: {status} {body}")
            check(body["error"]["field"] == field, body)
    for field in ("challenge_id", "code"):
        for value in (SQL_ATTACK, long):
            payload = {"challenge_id": "0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "code": "123456"}
            payload[field] = value
            status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/login", payload)
            check(status == 400, f"{field}={value[:30]}: {status} {body}")
    check(sql(server, "SELECT COUNT(*) FROM persons") == [["6"]], "persons intact")
    check(sql(server, "SELECT COUNT(*) FROM sessions")[0][0].isdigit(), "sessions intact")


@test
def personal_data_is_sealed_at_rest(ctx):
    server = demo_server(ctx)
    dump = sql_raw(server, "SELECT * FROM persons") + sql_raw(server, "SELECT * FROM otp_codes")
    for table in ("sessions", "outbox", "audit_log"):
        dump += sql_raw(server, f"SELECT * FROM {table}")
    check(dump.count(b"\n") >= 6, f"a dump of the tables: {dump[:200]!r}")
    for _, id_number, mobile in DEMO.values():
        check(id_number.encode() not in dump, f"ID number {id_number} in clear")
        check(mobile.encode() not in dump, f"mobile {mobile} in clear")
    check("张伟".encode() in dump, "names are not sealed (the dump is readable)")


@test
def session_answers_per_contract_when_logged_out(ctx):
    server = demo_server(ctx)
    status, _, body = call_json(server, "GET", "/api/v1/session")
    check_error(status, body, 401, "unauthenticated")
    status, _, body = call_json(server, "POST", "/api/v1/auth/logout")
    check_error(status, body, 401, "unauthenticated")
    info = json.loads(call(server, "GET", "/api/v1/info")[2])
    check(info["database"] == ctx.backend, info)


@test
def probing_id_and_mobile_pairs_is_limited_per_address(ctx):
    """404 and 422 tell an unknown ID number from a wrong mobile, so failures are counted per
    address: after 10 in an hour even a correct pair is refused with 429."""
    server = Server(ctx.new_db_url(), demo=True).start()
    try:
        for i in range(10):
            status, _, _ = call_json(server, "POST", "/api/v1/auth/citizen/code",
                                     {"id_number": DEMO["wang"][1], "mobile": f"1391234{i:04d}"})
            check(status == 422, f"probe {i}: {status}")
        status, hdrs, body = request_code(server, "wang")
        check_error(status, body, 429, "too_many_requests")
        check(body["error"]["retry_after"] > 3000 and hdrs.get("retry-after"), body)
        check("12333" in body["error"]["message"], body)
    finally:
        server.stop()
