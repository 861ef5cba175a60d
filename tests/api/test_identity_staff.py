"""Staff and employer accounts: staff log-in with first-log-in TOTP enrolment, lockout,
`dangan user add`, staff administration within scopes, employer applications and approval,
and hostile input on every field (docs/api-identity.md "Staff", "Employers", "Staff
administration")."""

import base64
import hashlib
import hmac
import random
import struct
import subprocess
import time
import urllib.parse
import uuid

from harness import BINARY, call_json, check, check_error, test, test_once

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PASSWORD = "Correct-Horse-42"


# ---- helpers ----

def totp_code(secret_b32, step):
    """RFC 6238 / 4226: HMAC-SHA1 over the big-endian step, dynamic truncation, 6 digits."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[19] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def now_step():
    return int(time.time()) // 30


def wrong_code(secret_b32):
    """A code that is valid for no step of the window around now."""
    valid = {totp_code(secret_b32, now_step() + d) for d in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)


def credit_code(region="220102"):
    """A random valid GB 32100 unified social credit code registered in `region`."""
    body = "91" + region + "".join(random.choice(CREDIT_ALPHABET) for _ in range(9))
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def user_add(server, name, role, scope, password=PASSWORD, extra=()):
    """`dangan user add` against the server's database; returns CompletedProcess."""
    args = [BINARY, "user", "add", "--name", name, "--role", role, "--scope", scope, "--db", server.db_url, *extra]
    if password is not None:
        args.append("--password-stdin")
    return subprocess.run(args, input=(password + "\n") if password is not None else None, capture_output=True,
                          text=True, env=server.env, timeout=60)


def cookie_of(headers):
    value = headers.get("set-cookie", "")
    check(value.startswith("dangan_session="), f"no session cookie: {value!r}")
    return value.split(";", 1)[0].split("=", 1)[1]


class Staff:
    """A staff account the tests log in with; remembers its TOTP secret and last step used."""

    def __init__(self, server, username, password=PASSWORD):
        self.server = server
        self.username = username
        self.password = password
        self.secret = None
        self.last_step = 0
        self.cookie = None
        self.csrf = None
        self.user = None

    def next_code(self):
        step = max(now_step() - 1, self.last_step + 1)
        while step > now_step() + 1:  # every code in the window is used: wait for the next step
            time.sleep(1)
        self.last_step = step
        return totp_code(self.secret, step)

    def login(self):
        """Logs in (enrolling TOTP on the first log-in); sets cookie and csrf."""
        s, h, b = call_json(self.server, "POST", "/api/v1/auth/staff/login",
                            {"username": self.username, "password": self.password,
                             "totp": self.next_code() if self.secret else ""})
        check(s == 200, f"login {self.username}: {s} {b}")
        if b.get("step") == "enrol_totp":
            self.secret = urllib.parse.parse_qs(urllib.parse.urlsplit(b["otpauth_uri"]).query)["secret"][0]
            s, h, b = call_json(self.server, "POST", "/api/v1/auth/staff/totp",
                                {"enrolment_token": b["enrolment_token"], "totp": self.next_code()})
            check(s == 200, f"enrol {self.username}: {s} {b}")
        self.cookie = cookie_of(h)
        self.csrf = b["csrf_token"]
        self.user = b["user"]
        return self

    def headers(self):
        return {"Cookie": f"dangan_session={self.cookie}", "X-CSRF-Token": self.csrf}

    def call(self, method, path, body=None):
        return call_json(self.server, method, path, body, headers=self.headers())


_admins = {}


def city_admin(server):
    """A system_admin of city 2201, created once per server."""
    if server.port not in _admins:
        name = unique("cityadmin")
        r = user_add(server, name, "system_admin", "2201")
        check(r.returncode == 0, r.stderr)
        _admins[server.port] = Staff(server, name).login()
    return _admins[server.port]


def new_staff(server, role="window_clerk", scope="220102"):
    name = unique("u")
    r = user_add(server, name, role, scope)
    check(r.returncode == 0, r.stderr)
    return Staff(server, name)


def staff_login(server, body):
    return call_json(server, "POST", "/api/v1/auth/staff/login", body)


# ---- staff log-in ----

@test
def staff_first_login_enrols_totp_then_needs_it(ctx):
    staff = new_staff(ctx.server)
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD})
    check(s == 200 and b["step"] == "enrol_totp", f"{s} {b}")
    uri = urllib.parse.urlsplit(b["otpauth_uri"])
    check(uri.scheme == "otpauth" and uri.netloc == "totp", b["otpauth_uri"])
    check(urllib.parse.unquote(uri.path) == f"/社会保险档案:{staff.username}", uri.path)
    query = urllib.parse.parse_qs(uri.query)
    check(query["issuer"] == ["社会保险档案"] and len(query["secret"][0]) == 32, query)
    check(b["qr_svg"].startswith("<svg") and "<path" in b["qr_svg"], b["qr_svg"][:80])
    staff.secret = query["secret"][0]
    token = b["enrolment_token"]

    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/totp",
                        {"enrolment_token": token, "totp": wrong_code(staff.secret)})
    check_error(s, b, 401, "invalid_totp", "totp")
    s, h, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/totp",
                        {"enrolment_token": token, "totp": staff.next_code()})
    check(s == 200 and b["user"]["kind"] == "staff" and b["csrf_token"], f"{s} {b}")
    check(b["user"]["username"] == staff.username, b)
    check(b["user"]["grants"] == [{"role": "window_clerk", "scope": "220102"}], b["user"])
    check("HttpOnly" in h["set-cookie"] and "SameSite=Lax" in h["set-cookie"], h["set-cookie"])
    staff.cookie, staff.csrf = cookie_of(h), b["csrf_token"]
    s, _, session = staff.call("GET", "/api/v1/session")
    check(s == 200 and session["user"]["id"] == b["user"]["id"], f"{s} {session}")

    # the token is spent; a forged one never worked
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/totp", {"enrolment_token": token, "totp": "123456"})
    check_error(s, b, 400, "enrolment_expired")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/totp", {"enrolment_token": "x.1.ab", "totp": "1"})
    check_error(s, b, 400, "enrolment_expired")

    # enrolled: the password alone asks for the code; a right code logs in; the same code again is refused
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD})
    check_error(s, b, 400, "totp_required", "totp")
    code = staff.next_code()
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD, "totp": code})
    check(s == 200 and b["user"]["kind"] == "staff", f"{s} {b}")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD, "totp": code})
    check_error(s, b, 401, "invalid_totp", "totp")
    # user names are case-insensitive
    s, _, b = staff_login(ctx.server, {"username": staff.username.upper(), "password": "wrong-Password-1"})
    check_error(s, b, 401, "invalid_credentials")


@test
def unknown_user_and_wrong_password_get_one_answer(ctx):
    staff = new_staff(ctx.server)
    s1, _, b1 = staff_login(ctx.server, {"username": unique("nobody"), "password": PASSWORD})
    s2, _, b2 = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD + "x"})
    check_error(s1, b1, 401, "invalid_credentials")
    check_error(s2, b2, 401, "invalid_credentials")
    check(b1["error"]["message"] == b2["error"]["message"], f"{b1} {b2}")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": ""})
    check_error(s, b, 400, "missing_password", "password")


@test
def five_wrong_passwords_lock_the_account(ctx):
    staff = new_staff(ctx.server)
    for attempt in range(1, 5):
        s, _, b = staff_login(ctx.server, {"username": staff.username, "password": f"Wrong-guess-{attempt}"})
        check_error(s, b, 401, "invalid_credentials")
    s, h, b = staff_login(ctx.server, {"username": staff.username, "password": "Wrong-guess-5"})
    check_error(s, b, 403, "account_locked")
    retry = b["error"].get("retry_after")
    check(isinstance(retry, int) and 14 * 60 < retry <= 15 * 60, f"retry_after {retry}")
    check(h.get("retry-after") == str(retry), h)
    check("15 分钟" in b["error"]["message"], b["error"]["message"])
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD})
    check_error(s, b, 403, "account_locked")

    admin = city_admin(ctx.server)
    s, _, users = admin.call("GET", "/api/v1/users")
    mine = [u for u in users["items"] if u["username"] == staff.username]
    check(s == 200 and mine and mine[0]["locked"] is True, f"{s} {mine}")
    s, _, b = admin.call("POST", f"/api/v1/users/{mine[0]['id']}/unlock")
    check(s == 200 and b["locked"] is False, f"{s} {b}")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD})
    check(s == 200 and b["step"] == "enrol_totp", f"{s} {b}")


@test
def parallel_guesses_cannot_exceed_the_limit(ctx):
    import concurrent.futures
    staff = new_staff(ctx.server)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: staff_login(ctx.server, {"username": staff.username,
                                                                   "password": f"Parallel-guess-{i}"}), range(12)))
    wrong = [s for s, _, b in answers if s == 401]
    locked = [s for s, _, b in answers if s == 403 and b["error"]["code"] == "account_locked"]
    check(len(wrong) <= 4 and len(wrong) + len(locked) == 12, f"{[(s, b['error']['code']) for s, _, b in answers]}")


@test
def wrong_totp_codes_count_towards_the_lock(ctx):
    staff = new_staff(ctx.server).login()
    for _ in range(4):
        s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD,
                                           "totp": wrong_code(staff.secret)})
        check_error(s, b, 401, "invalid_totp", "totp")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD,
                                       "totp": wrong_code(staff.secret)})
    check_error(s, b, 403, "account_locked")


# ---- dangan user add ----

@test
def user_add_generates_a_password_and_checks_its_input(ctx):
    name = unique("gen")
    r = user_add(ctx.server, name, "archivist", "220102-001", password=None, extra=["--display-name", "档案员甲"])
    check(r.returncode == 0, r.stderr)
    lines = [line for line in r.stdout.splitlines() if "初始密码" in line]
    check(lines, r.stdout)
    password = lines[0].split("：")[-1].strip()
    check(len(password) == 16, password)
    s, _, b = staff_login(ctx.server, {"username": name, "password": password})
    check(s == 200 and b["step"] == "enrol_totp", f"{s} {b}")

    r = user_add(ctx.server, name, "archivist", "220102")
    check(r.returncode == 1 and "用户名已被使用" in r.stderr, f"{r.returncode} {r.stderr}")
    r = user_add(ctx.server, unique("x"), "pope", "2201")
    check(r.returncode == 2, f"unknown role: {r.returncode} {r.stderr}")
    r = user_add(ctx.server, unique("x"), "auditor", "22-01")
    check(r.returncode == 2 and "范围" in r.stderr, f"bad scope: {r.returncode} {r.stderr}")
    r = user_add(ctx.server, unique("x"), "auditor", "2201", password="short")
    check(r.returncode == 2 and "密码" in r.stderr, f"weak: {r.returncode} {r.stderr}")


# ---- staff administration ----

@test
def admin_manages_users_only_inside_their_scope(ctx):
    district_admin = new_staff(ctx.server, "system_admin", "220102").login()
    s, _, b = district_admin.call("POST", "/api/v1/users", {
        "username": unique("wide"), "display_name": "越权", "password": PASSWORD,
        "grants": [{"role": "window_clerk", "scope": "2201"}]})
    check_error(s, b, 403, "outside_scope")
    name = unique("branch")
    s, _, created = district_admin.call("POST", "/api/v1/users", {
        "username": name, "display_name": "网点经办员", "password": PASSWORD,
        "grants": [{"role": "window_clerk", "scope": "220102-001"}]})
    check(s == 201 and created["username"] == name and created["totp_enrolled"] is False, f"{s} {created}")
    check(created["grants"] == [{"role": "window_clerk", "scope": "220102-001"}], created)

    s, _, listed = district_admin.call("GET", "/api/v1/users")
    names = {u["username"] for u in listed["items"]}
    check(name in names and district_admin.username in names, names)
    check(city_admin(ctx.server).username not in names, "a city admin is outside a district admin's scope")
    s, _, b = district_admin.call("PATCH", f"/api/v1/users/{created['id']}", {
        "grants": [{"role": "window_clerk", "scope": "220103"}]})
    check_error(s, b, 403, "outside_scope")
    city = city_admin(ctx.server)
    s, _, b = district_admin.call("PATCH", f"/api/v1/users/{city.user['id']}", {"display_name": "改名"})
    check_error(s, b, 403, "outside_scope")
    s, _, b = district_admin.call("PATCH", f"/api/v1/users/{district_admin.user['id']}", {"disabled": True})
    check_error(s, b, 422, "cannot_disable_self")


@test
def create_user_refuses_bad_input(ctx):
    admin = city_admin(ctx.server)
    base = {"username": unique("c"), "display_name": "测试", "password": PASSWORD,
            "grants": [{"role": "window_clerk", "scope": "220102"}]}
    s, _, b = admin.call("POST", "/api/v1/users", base)
    check(s == 201, f"{s} {b}")
    s, _, b = admin.call("POST", "/api/v1/users", dict(base, username=base["username"].upper()))
    check_error(s, b, 409, "duplicate_username", "username")
    for password, rule in [("Sh0rt!", "10"), ("alllowercase1", "三类"), ("ABCdefghij", "三类"),
                           ("{name}-X1!", "用户名")]:
        name = unique("w")
        s, _, b = admin.call("POST", "/api/v1/users", dict(base, username=name, password=password.format(name=name)))
        check_error(s, b, 422, "weak_password", "password")
        check(rule in b["error"]["message"], f"{password}: {b}")
    s, _, b = admin.call("POST", "/api/v1/users", dict(base, username=unique("r"),
                                                       grants=[{"role": "emperor", "scope": "2201"}]))
    check_error(s, b, 400, "invalid_role", "role")
    s, _, b = admin.call("POST", "/api/v1/users", dict(base, username=unique("r"),
                                                       grants=[{"role": "auditor", "scope": "22010"}]))
    check_error(s, b, 400, "invalid_scope", "scope")
    s, _, b = admin.call("POST", "/api/v1/users", dict(base, username=unique("r"), grants=[]))
    check_error(s, b, 400, "invalid_grants", "grants")
    # without the CSRF token the guard refuses before anything happens
    s, _, b = call_json(ctx.server, "POST", "/api/v1/users", dict(base, username=unique("n")),
                        headers={"Cookie": f"dangan_session={admin.cookie}"})
    check_error(s, b, 403, "csrf_failed")


@test
def non_admin_staff_cannot_manage_users(ctx):
    clerk = new_staff(ctx.server).login()
    for method, path, body in [("GET", "/api/v1/users", None),
                               ("POST", "/api/v1/users", {"username": unique("z"), "password": PASSWORD,
                                                          "grants": [{"role": "auditor", "scope": "2201"}]}),
                               ("POST", "/api/v1/employers", {}),
                               ("POST", f"/api/v1/users/{clerk.user['id']}/unlock", None)]:
        s, _, b = clerk.call(method, path, body)
        check_error(s, b, 403, b["error"]["code"] if b else "forbidden")
    s, _, b = call_json(ctx.server, "GET", "/api/v1/users")
    check_error(s, b, 401, "unauthenticated")


@test
def patch_user_disables_resets_totp_and_changes_password(ctx):
    admin = city_admin(ctx.server)
    staff = new_staff(ctx.server).login()
    uid = staff.user["id"]
    s, _, b = admin.call("PATCH", f"/api/v1/users/{uid}", {"disabled": True})
    check(s == 200 and b["disabled"] is True, f"{s} {b}")
    s, _, b = staff.call("GET", "/api/v1/session")
    check_error(s, b, 401, "unauthenticated")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD, "totp": staff.next_code()})
    check_error(s, b, 403, "account_disabled")
    s, _, b = admin.call("PATCH", f"/api/v1/users/{uid}", {"disabled": False, "reset_totp": True,
                                                           "display_name": "新名字", "password": "Another-Pass-77"})
    check(s == 200 and b["disabled"] is False and b["totp_enrolled"] is False and b["display_name"] == "新名字",
          f"{s} {b}")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": PASSWORD})
    check_error(s, b, 401, "invalid_credentials")
    s, _, b = staff_login(ctx.server, {"username": staff.username, "password": "Another-Pass-77"})
    check(s == 200 and b["step"] == "enrol_totp", f"{s} {b}")
    s, _, b = admin.call("PATCH", f"/api/v1/users/{uid}", {"password": "weak"})
    check_error(s, b, 422, "weak_password", "password")
    s, _, b = admin.call("PATCH", "/api/v1/users/no-such-user", {"display_name": "x"})
    check_error(s, b, 404, "user_not_found")


# ---- employers ----

@test
def employer_applies_is_approved_and_logs_in(ctx):
    code = credit_code()
    application = {"credit_code": code, "name": "长春测试机械有限公司", "username": "hr",
                   "password": "Danwei-Pass-9", "display_name": "人事"}
    s, _, b = call_json(ctx.server, "POST", "/api/v1/employers/applications", application)
    check(s == 201 and b["status"] == "pending" and b["id"], f"{s} {b}")
    employer_id = b["id"]
    s, _, b = call_json(ctx.server, "POST", "/api/v1/employers/applications", application)
    check_error(s, b, 409, "duplicate_credit_code", "credit_code")

    login = {"credit_code": code.lower(), "username": "HR", "password": "Danwei-Pass-9"}
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/employer/login", login)
    check_error(s, b, 403, "employer_not_approved")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/employer/login", dict(login, password="Wrong-pass-1"))
    check_error(s, b, 401, "invalid_credentials")

    admin = city_admin(ctx.server)
    s, _, b = admin.call("GET", "/api/v1/employers?status=pending")
    check(s == 200 and any(e["id"] == employer_id for e in b["items"]), f"{s} {b}")
    outsider = new_staff(ctx.server, "system_admin", "220103").login()
    s, _, b = outsider.call("POST", f"/api/v1/employers/{employer_id}/approve")
    check_error(s, b, 403, "outside_scope")
    s, _, b = outsider.call("GET", "/api/v1/employers")
    check(s == 200 and all(e["id"] != employer_id for e in b["items"]), "outside the scope, not listed")
    s, _, b = admin.call("POST", f"/api/v1/employers/{employer_id}/approve")
    check(s == 200 and b["status"] == "approved" and b["credit_code"] == code, f"{s} {b}")

    s, h, b = call_json(ctx.server, "POST", "/api/v1/auth/employer/login", login)
    check(s == 200 and b["user"]["kind"] == "employer", f"{s} {b}")
    check(b["user"]["employer"] == {"id": employer_id, "name": "长春测试机械有限公司", "credit_code": code}, b)
    s, _, b = call_json(ctx.server, "GET", "/api/v1/session", headers={"Cookie": f"dangan_session={cookie_of(h)}"})
    check(s == 200 and b["user"]["kind"] == "employer", f"{s} {b}")


@test
def employer_input_is_checked(ctx):
    base = {"credit_code": credit_code(), "name": "某某公司", "username": "hr", "password": "Danwei-Pass-9",
            "display_name": "人事"}
    s, _, b = call_json(ctx.server, "POST", "/api/v1/employers/applications", dict(base, password="danwei"))
    check_error(s, b, 422, "weak_password", "password")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/employers/applications",
                        dict(base, credit_code=base["credit_code"][:-1] + "0"
                             if base["credit_code"][-1] != "0" else base["credit_code"][:-1] + "1"))
    check_error(s, b, 400, "invalid_credit_code", "credit_code")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/employer/login",
                        {"credit_code": "123", "username": "hr", "password": "x"})
    check_error(s, b, 400, "invalid_credit_code", "credit_code")
    admin = city_admin(ctx.server)
    s, _, b = admin.call("POST", "/api/v1/employers", dict(base, credit_code=credit_code("310101")))
    check_error(s, b, 403, "outside_scope")
    s, _, b = admin.call("POST", "/api/v1/employers", base)
    check(s == 201 and b["status"] == "approved", f"{s} {b}")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/employer/login",
                        {"credit_code": base["credit_code"], "username": "hr", "password": "Danwei-Pass-9"})
    check(s == 200, f"{s} {b}")
    s, _, b = admin.call("POST", "/api/v1/employers/nope/approve")
    check_error(s, b, 404, "employer_not_found")


# ---- hostile input ----

HOSTILE = ["' OR '1'='1", "admin'--", "\"; DROP TABLE users; --", "1); DELETE FROM grants; --", "x" * 5000,
           "\u0000\u0001", "%00%27", "😀" * 300]


@test
def hostile_input_in_every_field_gets_a_clean_answer(ctx):
    """Each field in turn gets SQL metacharacters, control characters and over-long text while
    the rest of the body is valid: the answer is a 4xx error object, or — where the text is a
    legitimate value (a display name with a quote) — a success that stored it verbatim."""
    admin = city_admin(ctx.server)
    target = new_staff(ctx.server).login()  # enrolled, so a log-in needs a code
    s, _, users = admin.call("GET", "/api/v1/users")
    target_id = next(u["id"] for u in users["items"] if u["username"] == target.username)
    employer = {"credit_code": credit_code, "name": lambda: "某某公司", "username": lambda: "hr",
                "password": lambda: "Danwei-Pass-9", "display_name": lambda: "人事"}
    cases = [
        (None, "POST", "/api/v1/auth/staff/login",
         {"username": lambda: target.username, "password": lambda: PASSWORD, "totp": lambda: "123456"}),
        (None, "POST", "/api/v1/auth/staff/totp", {"enrolment_token": lambda: "t.1.ab", "totp": lambda: "123456"}),
        (None, "POST", "/api/v1/auth/employer/login",
         {"credit_code": lambda: "91220102MA0DANGANM", "username": lambda: "hr", "password": lambda: "p"}),
        (None, "POST", "/api/v1/employers/applications", employer),
        (admin, "POST", "/api/v1/employers", employer),
        (admin, "POST", "/api/v1/users",
         {"username": lambda: unique("h"), "display_name": lambda: "某人", "password": lambda: PASSWORD,
          "grants": lambda: [{"role": "window_clerk", "scope": "220102"}]}),
        (admin, "PATCH", f"/api/v1/users/{target_id}", {"display_name": lambda: "某人", "password": lambda: PASSWORD}),
    ]
    for who, method, path, fields in cases:
        for field in fields:
            for bad in HOSTILE:
                sent = {name: make() for name, make in fields.items()}
                sent[field] = [{"role": bad, "scope": bad}] if field == "grants" else bad
                s, _, b = (who.call(method, path, sent) if who else call_json(ctx.server, method, path, sent))
                where = f"{method} {path} {field}={bad[:20]!r}"
                if 200 <= s < 300:
                    check(field in ("display_name", "name", "password"), f"{where}: accepted: {b}")
                    if field in ("display_name", "name") and field in b:
                        check(b[field] == bad, f"{where}: stored {b[field]!r}")
                else:
                    check(400 <= s < 500 and isinstance(b, dict) and "error" in b, f"{where}: {s} {b}")
    for bad in ["' OR 1=1 --", "x" * 3000]:
        s, _, b = admin.call("PATCH", "/api/v1/users/" + urllib.parse.quote(bad, safe=""), {"display_name": "d"})
        check(400 <= s < 500, f"id {bad[:10]!r}: {s}")
        s, _, b = admin.call("GET", "/api/v1/employers?status=" + urllib.parse.quote(bad, safe=""))
        check_error(s, b, 400, "invalid_status", "status")
    s, _, b = admin.call("GET", "/api/v1/users")
    check(s == 200 and any(u["id"] == target_id for u in b["items"]), "the tables are intact")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/login", [1, 2])
    check_error(s, b, 400, "invalid_body")
    s, _, b = call_json(ctx.server, "POST", "/api/v1/auth/staff/login", {"username": 5, "password": "p"})
    check_error(s, b, 400, "invalid_field", "username")


# ---- audit ----

@test
def logins_failures_lockouts_and_changes_are_audited(ctx):
    staff = new_staff(ctx.server)
    for i in range(5):
        staff_login(ctx.server, {"username": staff.username, "password": f"Wrong-guess-{i}"})
    auditor = new_staff(ctx.server, "auditor", "2201").login()
    found = {}
    for action in ["login", "login_failed", "account_locked", "user.create", "totp.enrol"]:
        s, _, b = auditor.call("GET", "/api/v1/audit?action=" + action + "&limit=200")
        check(s == 200, f"{action}: {s} {b}")
        found[action] = b["items"]
    check(any(e["target"].startswith("user:") for e in found["account_locked"]), found["account_locked"][:2])
    check(len(found["login_failed"]) >= 5, len(found["login_failed"]))
    check(any(e["actor_id"] == auditor.user["id"] for e in found["login"]), "the auditor's own log-in")
    check(any(e["actor_kind"] == "system" for e in found["user.create"]), "`dangan user add` is audited")
    check(found["totp.enrol"], "enrolment audited")


# ---- demo ----

@test_once
def demo_accounts_log_in_with_their_fixed_secrets(ctx):
    import harness
    server = harness.Server(ctx.new_db_url(), demo=True).start()
    try:
        for username, password, secret in [("admin", "Guanli#2201demo", "MRQW4Z3BNYWWIZLNN4WWCZDNNFXC2MBR"),
                                           ("clerk", "Chuangkou#2201demo", "MRQW4Z3BNYWWIZLNN4WWG3DFOJVS2MBR"),
                                           ("auditor", "Shenji#2201demo", "MRQW4Z3BNYWWIZLNN4WWC5LENF2C2MBR")]:
            s, _, b = staff_login(server, {"username": username, "password": password,
                                           "totp": totp_code(secret, now_step())})
            check(s == 200 and b["user"]["username"] == username, f"{username}: {s} {b}")
        s, _, b = call_json(server, "POST", "/api/v1/auth/employer/login",
                            {"credit_code": "91220102MA0DANGANM", "username": "hr", "password": "Danwei#2201demo"})
        check(s == 200 and b["user"]["employer"]["credit_code"] == "91220102MA0DANGANM", f"{s} {b}")
        r = subprocess.run([BINARY, "init", "--demo", "--db", server.db_url], capture_output=True, text=True,
                           env=server.env, timeout=60)
        check(r.returncode == 0, "seeding twice is harmless: " + r.stderr)
    finally:
        server.stop()
