"""Appointments over HTTP (docs/api-appointments.md): the public calendar with holidays and a
shifted working Saturday (调休), visits and retrieval requests (查档登记) booked by citizens and
at the window, the Idempotency-Key, cancelling before and after the cut-off, the staff flows,
check-in, the no-show rule with its bar on every channel and its end at midnight of the month
end, a void that lifts it, the SMS texts, scope, bad inputs — and the race: 200 concurrent
clients for the last 5 seats of a slot, on one node and on two nodes sharing a PostgreSQL.

Tests that move the clock start their own server with `testing.clock_control` on; the others
share one demo server per backend. Sessions are written straight into the database (log-in is
tested in test_identity_citizen; one test here logs in for real) and are made valid at the
server's clock. Dates are picked from the calendar the server answers, so the tests do not
depend on the year the demo calendar was seeded for."""

import atexit
import collections
import concurrent.futures
import datetime
import hashlib
import http.client
import json
import os
import re
import secrets
import subprocess
import tempfile
import threading
import time

from harness import Server, call_json, check, run_cli, test
from test_identity_citizen import DEMO, age_codes, login, sms_lines, sql, with_session

HALL = "220102-001"       # Changchun, Nanguan district: every service, visit capacity 6
JILIN = "220202-001"      # Jilin City, Changyi district
CLOCK = {"DANGAN_TESTING_CLOCK_CONTROL": "true",
         # The job runs when the tests say so (POST /api/v1/testing/sweep), not between two steps.
         "DANGAN_APPOINTMENTS_SWEEP_INTERVAL_SECONDS": "3600"}
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ACTIVE = ("booked", "checked_in", "received", "preparing", "ready")
BOOKING = "/api/v1/appointments"


# ---- Sessions and a server whose clock the tests may move ----

def _session_sql(kind, subject, now_ms):
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    token_hash = hashlib.new("sm3", token.encode()).hexdigest()
    statement = ("INSERT INTO sessions (token_hash, id, kind, subject_id, csrf_token, address, user_agent, "
                 "created_at_ms, last_seen_at_ms, expires_at_ms, revoked) VALUES "
                 f"('{token_hash}', 'sess-{token_hash[:20]}', '{kind}', '{subject}', '{csrf}', '127.0.0.1', "
                 f"'test', {now_ms}, {now_ms}, {now_ms + 8 * 3600 * 1000}, 0)")
    return statement, token, csrf


class Actor:
    """Someone with a session: sends the session cookie, the CSRF token and a channel."""

    def __init__(self, rig, token, csrf, channel, subject):
        self.rig, self.token, self.csrf, self.channel, self.subject = rig, token, csrf, channel, subject

    def headers(self, extra=None, purpose=None):
        return with_session(self.token, self.csrf, dict({"X-Dangan-Channel": self.channel}, **(extra or {})),
                            purpose=purpose)

    def call(self, method, path, body=None, extra=None, purpose=None):
        return call_json(self.rig.server, method, path, body, self.headers(extra, purpose))

    def book(self, body, key=None):
        """POST /api/v1/appointments with an Idempotency-Key (a fresh one unless given)."""
        return self.call("POST", BOOKING, body, {"Idempotency-Key": key or secrets.token_hex(12)})

    def booked(self, body, key=None):
        status, _, out = self.book(body, key)
        check(status == 201, f"booking {body}: {status} {out}")
        return out["appointment"]

    def act(self, appointment_id, action, body=None):
        return self.call("POST", f"{BOOKING}/{appointment_id}/{action}", {} if body is None else body)


class Rig:
    """A demo server and the clock the tests believe it has (the real one until moved)."""

    def __init__(self, server):
        self.server = server
        self.offset_ms = 0

    def now_ms(self):
        return int(time.time() * 1000) + self.offset_ms

    def now(self):
        return datetime.datetime.fromtimestamp(self.now_ms() / 1000, SHANGHAI)

    def today(self):
        return self.now().date()

    def set_clock(self, when):
        """Moves the server's clock to `when` (a datetime in Asia/Shanghai); it runs on from there."""
        text = when.isoformat(timespec="seconds")
        status, _, body = call_json(self.server, "PUT", "/api/v1/testing/clock", {"now": text})
        check(status == 200, f"PUT testing/clock {text}: {status} {body}")
        moved = datetime.datetime.fromisoformat(body["now"])
        check(abs((moved - when).total_seconds()) < 5, f"clock set to {text}, server says {body['now']}")
        self.offset_ms = int(when.timestamp() * 1000) - int(time.time() * 1000)

    def sweep(self):
        status, _, body = call_json(self.server, "POST", "/api/v1/testing/sweep", {})
        check(status == 200 and "no_shows" in body and "reminders" in body, f"sweep: {status} {body}")
        return body

    def citizen(self, key, channel="web"):
        """A session for the demo person `key` (or a person id), valid at the server's clock."""
        pid = person_id_of(self.server, key) if key in DEMO else key
        statement, token, csrf = _session_sql("citizen", pid, self.now_ms())
        sql(self.server, statement)
        return Actor(self, token, csrf, channel, pid)

    def staff(self, roles, scope):
        """A staff user with `roles` in `scope` and a session valid at the server's clock."""
        now = self.now_ms()
        user = f"test-{secrets.token_hex(6)}"
        statements = ["INSERT INTO users (id, kind, username, display_name, password_hash, password_changed_at_ms, "
                      f"created_at_ms) VALUES ('{user}', 'staff', '{user}', '测试员', 'x', {now}, {now})"]
        statements += [f"INSERT INTO grants (user_id, role, scope) VALUES ('{user}', '{r}', '{scope}')" for r in roles]
        statement, token, csrf = _session_sql("staff", user, now)
        sql(self.server, ";\n".join(statements + [statement]))
        return Actor(self, token, csrf, "staff", user)


_person_ids = {}


def person_id_of(server, key):
    cache = _person_ids.setdefault(server.db_url, {})
    if key not in cache:
        rows = sql(server, f"SELECT id FROM persons WHERE name = '{DEMO[key][0]}'")
        check(len(rows) == 1, f"demo person {key}: {rows}")
        cache[key] = rows[0][0]
    return cache[key]


_shared = {}


def shared(ctx, suite="appointments"):
    """One demo server per suite and backend on the real clock, for the tests that do not move it."""
    key = (suite, ctx.backend)
    rig = _shared.get(key)
    if rig is None:
        server = Server(ctx.new_db_url(), demo=True).start()
        atexit.register(server.stop)
        rig = _shared[key] = Rig(server)
    return rig


class clock_rig:  # noqa: N801 — used as a context manager: `with clock_rig(ctx) as rig:`
    """A demo server of the test's own with the testing clock on; stopped at the end."""

    def __init__(self, ctx, env=None):
        self.rig = Rig(Server(ctx.new_db_url(), demo=True, env=dict(CLOCK, **(env or {}))))

    def __enter__(self):
        self.rig.server.start()
        return self.rig

    def __exit__(self, *exc):
        self.rig.server.stop()


# ---- Calendar helpers ----

def calendar(rig, branch=HALL, service="visit", start=None, days=14):
    query = f"service={service}&days={days}" + (f"&from={start}" if start else "")
    status, hdrs, body = call_json(rig.server, "GET", f"/api/v1/branches/{branch}/calendar?{query}")
    check(status == 200, f"calendar {branch} {query}: {status} {body}")
    return body


def day_of(rig, date, branch=HALL, service="visit"):
    (day,) = calendar(rig, branch, service, start=date, days=1)["days"]
    check(day["date"] == str(date), day)
    return day


def bookable(day):
    return [s for s in day["slots"] if s["bookable"]]


def open_days(rig, branch=HALL, service="visit", start=None, skip_today=True, days=14):
    """Days with a bookable slot, from `start` (the server's today by default)."""
    body = calendar(rig, branch, service, start, days)
    today = str(rig.today())
    return [d for d in body["days"] if d["open"] and bookable(d) and not (skip_today and d["date"] == today)]


def a_slot(rig, index=0, branch=HALL):
    """The index-th bookable visit slot after today: tests of the shared server take different ones."""
    slots = [s for d in open_days(rig, branch) for s in bookable(d)]
    check(len(slots) > index, f"only {len(slots)} bookable slots at {branch}")
    return slots[index]


def a_pickup_day(rig, index=0, branch=HALL):
    days = open_days(rig, branch, "retrieval")
    check(len(days) > index, f"only {len(days)} bookable pick-up days at {branch}")
    return days[index]["date"]


def slot_in(rig, slot_id, branch=HALL, service="visit"):
    date = slot_id.split("/")[2]
    for slot in day_of(rig, date, branch, service)["slots"]:
        if slot["id"] == slot_id:
            return slot
    raise AssertionError(f"slot {slot_id} not in the calendar of {date}")


def at(date, hhmm, seconds=0):
    """A datetime in Asia/Shanghai from 'YYYY-MM-DD' (or a date) and 'HH:MM'."""
    d = datetime.date.fromisoformat(str(date))
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.datetime(d.year, d.month, d.day, h, m, seconds, tzinfo=SHANGHAI)


def instant(text):
    return datetime.datetime.fromisoformat(text)


def cn_date(d):
    d = datetime.date.fromisoformat(str(d))
    return f"{d.year}年{d.month}月{d.day}日"


def first_of_next_month(d):
    d = datetime.date.fromisoformat(str(d))
    return datetime.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def retrieval_body(branch, date, delivery="pickup", **extra):
    body = {"kind": "retrieval", "branch_code": branch, "date": str(date), "purpose": "retirement",
            "purpose_detail": "办理退休审批", "materials": [{"text": "1998年工资调整审批表"}], "delivery": delivery}
    if delivery == "mail":
        body["mail_to"] = {"name": "王芳", "phone": "13904310002", "address": "吉林省长春市朝阳区人民大街100号"}
    body.update(extra)
    return body


def check_field_error(status, body, want_status, field, code=None):
    """An error that names `field` (and has the code `code` when given) in Chinese."""
    check(status == want_status, f"status {status}, want {want_status}; body {body}")
    check(isinstance(body, dict) and "error" in body, f"no error object in {body}")
    err = body["error"]
    if field is None:
        check(isinstance(err.get("field"), str) and err["field"], f"no field named: {body}")
    else:
        check(err.get("field") == field, f"field {err.get('field')!r}, want {field!r}: {body}")
    if code is not None:
        check(err.get("code") == code, f"code {err.get('code')!r}, want {code!r}: {body}")
    check(any("\u4e00" <= ch <= "\u9fff" for ch in err.get("message", "")), f"message not Chinese: {body}")


def check_code(status, body, want_status, code):
    check(status == want_status and isinstance(body, dict) and body.get("error", {}).get("code") == code,
          f"{status} {body}, want {want_status} {code}")


def wait_sms(server, mobile, *needles, seconds=15):
    """The first SMS to `mobile` holding every needle (the outbox sender is asynchronous)."""
    deadline = time.time() + seconds
    while True:
        for line in sms_lines(server, mobile):
            if all(n in line for n in needles):
                return line
        if time.time() > deadline:
            raise AssertionError(f"no SMS to {mobile} with {needles}; got {sms_lines(server, mobile)}")
        time.sleep(0.1)


def sql_fails(server, statement):
    """Runs SQL that must fail; returns the CLI's error text."""
    url = server.db_url
    if url.startswith("sqlite:"):
        cmd = ["sqlite3", "-batch", url[len("sqlite:"):], statement]
    else:
        cmd = ["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement]
    out = subprocess.run(cmd, capture_output=True, timeout=30)
    check(out.returncode != 0, f"{statement!r} succeeded")
    return out.stderr.decode("utf-8", errors="replace")


def my_appointments(actor):
    status, hdrs, body = actor.call("GET", "/api/v1/me/appointments")
    check(status == 200, f"me/appointments: {status} {body}")
    check(hdrs.get("cache-control") == "no-store", hdrs)
    return body


def state_of(actor_or_rig, appointment_id):
    rows = sql(actor_or_rig.server if isinstance(actor_or_rig, Rig) else actor_or_rig.rig.server,
               f"SELECT state, COALESCE(no_show_reason, '') FROM appointments WHERE id = '{appointment_id}'")
    check(len(rows) == 1, rows)
    return tuple(rows[0])


# ---- The public calendar, holidays and the shifted working Saturday ----

@test
def calendar_closes_a_holiday_and_opens_a_shifted_saturday(ctx):
    rig = Rig(Server(ctx.new_db_url(), demo=True).start())
    try:
        body = calendar(rig)
        check(body["branch"]["code"] == HALL and body["branch"]["name"], body["branch"])
        check(body["service"] == "visit" and body["horizon_days"] == 14, body)
        days = body["days"]
        check(len(days) == 14 and days[0]["date"] == str(rig.today()), [d["date"] for d in days])
        for d in days:
            check(datetime.date.fromisoformat(d["date"]).isoweekday() == d["weekday"], d)
        last = body["last_bookable_date"]
        # A Saturday at least two days ahead inside the window, closed as a plain weekend, and a
        # weekday that is open: they become a working Saturday and a holiday for every branch.
        ahead = [d for d in days[2:] if d["date"] <= last]
        saturday = next((d for d in ahead if d["weekday"] == 6 and not d["open"] and d["note"] is None), None)
        weekday = next((d for d in ahead if d["weekday"] <= 5 and d["open"] and bookable(d)), None)
        check(saturday and weekday, f"no plain Saturday / open weekday in {days}")
        sat, wd = saturday["date"], weekday["date"]

        admin = rig.staff(["system_admin"], "2201")
        status, _, out = admin.call("PUT", f"/api/v1/calendar/days/{sat}", {"scope": "", "kind": "workday",
                                                                            "name": "调休上班"})
        check(status == 200 and out["day"]["date"] == sat and out["day"]["kind"] == "workday", f"{status} {out}")
        status, _, out = admin.call("PUT", f"/api/v1/calendar/days/{wd}", {"scope": "", "kind": "holiday",
                                                                           "name": "测试假日"})
        check(status == 200 and out["day"]["kind"] == "holiday" and out["day"]["name"] == "测试假日", f"{status} {out}")

        shifted = day_of(rig, sat)
        check(shifted["open"] and shifted["note"] == "调休上班" and shifted["weekday"] == 6, shifted)
        starts = [s["start"] for s in shifted["slots"]]
        check(starts[0] == "08:30" and shifted["slots"][-1]["end"] == "16:30" and len(starts) == 13, starts)
        check("12:00" not in starts and all(s["capacity"] == 6 and s["remaining"] == 6 for s in shifted["slots"]),
              shifted["slots"])
        check(shifted["slots"][0]["id"] == f"{HALL}/visit/{sat}/0830", shifted["slots"][0])
        check(instant(shifted["slots"][0]["starts_at"]) == at(sat, "08:30"), shifted["slots"][0])
        holiday = day_of(rig, wd)
        check(not holiday["open"] and holiday["note"] == "测试假日" and not bookable(holiday), holiday)
        pickup = day_of(rig, sat, service="retrieval")
        check(pickup["open"] and len(pickup["slots"]) == 1 and pickup["slots"][0]["capacity"] == 20, pickup)
        check(pickup["slots"][0]["start"] == "08:30" and pickup["slots"][0]["end"] == "16:30", pickup)
        check(not day_of(rig, wd, service="retrieval")["open"], "a holiday closes pick-ups too")
        check(not day_of(rig, wd, branch=JILIN)["open"], "scope '' closes every branch")

        status, _, listed = admin.call("GET", f"/api/v1/calendar/days?branch_code={HALL}&from={min(sat, wd)}"
                                              f"&to={max(sat, wd)}")
        check(status == 200, f"{status} {listed}")
        mine = {d["date"]: d for d in listed["days"] if d["date"] in (sat, wd)}
        check(mine[sat]["kind"] == "workday" and mine[sat]["scope"] == "" and mine[wd]["kind"] == "holiday", listed)

        # The working Saturday takes bookings; the holiday refuses them, saying why.
        zhang = rig.citizen("zhang")
        booked = zhang.booked({"kind": "visit", "slot_id": shifted["slots"][1]["id"]})
        check(booked["date"] == sat and booked["start"] == "09:00" and booked["state"] == "booked", booked)
        status, _, err = zhang.book({"kind": "visit", "slot_id": f"{HALL}/visit/{wd}/0900"})
        check_field_error(status, err, 409, "slot_id", "slot_closed")
        check("测试假日" in err["error"]["message"] or "休" in err["error"]["message"], err)
        status, _, err = zhang.book(retrieval_body(HALL, wd))
        check(status == 409 and err["error"]["code"] == "slot_closed", f"{status} {err}")

        # A branch's own holiday closes that branch only; a district admin may set it but not
        # one for every branch, and a clerk neither.
        district_admin = rig.staff(["branch_admin"], "220102")
        other = next(d["date"] for d in ahead if d["weekday"] <= 5 and d["open"] and d["date"] != wd)
        kept = zhang.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{other}/1000"})
        status, _, out = district_admin.call("PUT", f"/api/v1/calendar/days/{other}",
                                             {"scope": HALL, "kind": "holiday", "name": "网点盘点"})
        check(status == 200 and out["day"]["scope"] == HALL, f"{status} {out}")
        check(not day_of(rig, other)["open"] and day_of(rig, other)["note"] == "网点盘点", day_of(rig, other))
        check(day_of(rig, other, branch=JILIN)["open"], "a branch holiday leaves other branches open")
        # A holiday cancels nothing: the booking stays and the queue shows it, so staff can call.
        status, _, queue = district_admin.call("GET", f"/api/v1/branches/{HALL}/queue?date={other}")
        check(status == 200 and [(a["id"], a["state"]) for a in queue["appointments"]] == [(kept["id"], "booked")],
              f"{status} {queue}")
        status, _, err = district_admin.call("PUT", f"/api/v1/calendar/days/{other}",
                                             {"scope": "", "kind": "holiday", "name": "x"})
        check(status == 403, f"district admin, scope '': {status} {err}")
        clerk = rig.staff(["window_clerk"], "220102")
        status, _, err = clerk.call("PUT", f"/api/v1/calendar/days/{other}", {"scope": HALL, "kind": "holiday",
                                                                               "name": "x"})
        check(status == 403, f"clerk: {status} {err}")

        for body, field, code in (({"scope": "", "kind": "party", "name": "x"}, "kind", "invalid_kind"),
                                  ({"scope": "", "kind": "holiday", "name": ""}, "name", "name_required"),
                                  ({"scope": "", "kind": "holiday"}, "name", "name_required")):
            status, _, err = admin.call("PUT", f"/api/v1/calendar/days/{wd}", body)
            check_field_error(status, err, 400, field, code)

        # Taking the holiday away opens the day again; a second delete finds nothing.
        status, _, _ = admin.call("DELETE", f"/api/v1/calendar/days/{wd}?scope=")
        check(status == 204, f"DELETE: {status}")
        check(day_of(rig, wd)["open"] and day_of(rig, wd)["note"] is None, day_of(rig, wd))
        status, _, err = admin.call("DELETE", f"/api/v1/calendar/days/{wd}?scope=")
        check(status == 404, f"second DELETE: {status} {err}")
    finally:
        rig.server.stop()


@test
def calendar_rejects_bad_queries_naming_the_field(ctx):
    rig = shared(ctx)
    server = rig.server
    for query, status_, code, field in (("service=fly", 400, "invalid_service", "service"),
                                        ("service=visit&from=2026-02-30", 400, "invalid_date", "from"),
                                        ("service=visit&from=tomorrow", 400, "invalid_date", "from"),
                                        ("service=visit&days=0", 400, "invalid_days", "days"),
                                        ("service=visit&days=32", 400, "invalid_days", "days"),
                                        ("service=visit&days=x", 400, "invalid_days", "days")):
        status, _, body = call_json(server, "GET", f"/api/v1/branches/{HALL}/calendar?{query}")
        check_field_error(status, body, status_, field, code)
    status, _, body = call_json(server, "GET", "/api/v1/branches/220102-999/calendar?service=visit")
    check(status == 404 and body["error"]["code"] == "branch_not_found", f"{status} {body}")
    status, _, body = call_json(server, "GET", f"/api/v1/branches/{HALL}/calendar?service=retrieval&days=31")
    check(status == 200 and len(body["days"]) == 31, f"{status}")
    # Past the booking window the days are shown, but nothing is bookable.
    late = [d for d in body["days"] if d["date"] > body["last_bookable_date"]]
    check(late and not any(bookable(d) for d in late), late[:2])
    # Without the testing key the clock cannot be moved.
    status, _, _ = call_json(server, "PUT", "/api/v1/testing/clock", {"now": "2030-01-01T00:00:00+08:00"})
    check(status == 404, f"testing clock without the key: {status}")
    status, _, _ = call_json(server, "POST", "/api/v1/testing/sweep", {})
    check(status == 404, f"testing sweep without the key: {status}")


# ---- Booking as a citizen ----

@test
def citizen_books_a_visit_and_a_retrieval(ctx):
    rig = shared(ctx)
    server = rig.server
    age_codes(server)
    token, csrf, _ = login(server, "zhang", {"X-Dangan-Channel": "web"})   # a real log-in, once
    zhang = Actor(rig, token, csrf, "web", person_id_of(server, "zhang"))
    slot = a_slot(rig, 0)
    branch = calendar(rig)["branch"]
    status, hdrs, out = zhang.book({"kind": "visit", "slot_id": slot["id"]})
    check(status == 201, f"{status} {out}")
    a = out["appointment"]
    check(a["kind"] == "visit" and a["kind_label"] and a["state"] == "booked" and a["state_label"] == "已预约", a)
    check(len(a["code"]) == 8 and a["code"].isdigit(), a["code"])
    check(a["branch"]["code"] == HALL and a["branch"]["name"] == branch["name"] and a["branch"]["address"], a)
    check(a["date"] == slot["date"] and a["start"] == slot["start"] and a["end"] == slot["end"], a)
    check(a["starts_at"].endswith("+08:00") and instant(a["starts_at"]) == instant(slot["starts_at"]), a)
    check(a["channel"] == "web" and a["can_cancel"] is True and a["late_cancel_is_no_show"] is False, a)
    check(instant(a["cancel_cutoff_at"]) == instant(a["starts_at"]) - datetime.timedelta(hours=2), a)
    check(instant(a["deadline_at"]) == instant(a["ends_at"]) + datetime.timedelta(minutes=15), a)
    check(a["no_show_at"] is None and a["no_show_reason"] is None and a["no_show_voided"] is False, a)
    check("person" not in a and "history" not in a, "the citizen's view has no staff fields")
    check(slot_in(rig, slot["id"])["remaining"] == slot["remaining"] - 1, "the seat is taken")

    mine = my_appointments(zhang)
    check(mine["appointments"][0]["id"] == a["id"], mine)
    bar = mine["bar"]
    check(bar["barred"] is False and bar["until"] is None and bar["reopens_on"] is None, bar)
    check(bar["limit"] == 3 and bar["no_shows_this_month"] == 0, bar)
    d = datetime.date.fromisoformat(a["date"])
    wait_sms(server, DEMO["zhang"][2], "【社保档案】", a["code"], branch["name"], f"{d.month}月{d.day}日", a["start"])

    # A retrieval request by 李建国 naming an item of his own archive and a described one.
    li = rig.citizen("li")
    record = sql(server, "SELECT id FROM archive_records WHERE archival_code = '2201-TX-2025-000317'")[0][0]
    date = a_pickup_day(rig, 0)
    before = day_of(rig, date, service="retrieval")["slots"][0]["remaining"]
    body = retrieval_body(HALL, date, purpose="退休审批", materials=[{"record_id": record, "item_seq": 3},
                                                                     {"text": "1998年工资调整审批表"}])
    r = li.booked(body)
    check(r["kind"] == "retrieval" and r["state"] == "received" and r["state_label"] == "已受理", r)
    check(r["purpose"] == "retirement" and r["purpose_label"] == "退休审批" and r["purpose_detail"] == "办理退休审批", r)
    check(r["delivery"] == "pickup" and r["mail_to"] is None and r["date"] == date, r)
    check(r["materials"][0]["record_id"] == record and r["materials"][0]["item_seq"] == 3, r["materials"])
    check(r["materials"][0]["text"] == "长春轴承厂招工登记表", r["materials"])   # the item's title
    check(r["materials"][1] == {"record_id": None, "item_seq": None, "text": "1998年工资调整审批表"}, r["materials"])
    check(day_of(rig, date, service="retrieval")["slots"][0]["remaining"] == before - 1, "a pick-up seat is taken")
    wait_sms(server, DEMO["li"][2], r["code"], "查档登记")

    # By mail: the address is kept, the name and phone are shown masked.
    wang = rig.citizen("wang", channel="mobile")
    m = wang.booked(retrieval_body(HALL, date, delivery="mail", purpose="notary"))
    check(m["delivery"] == "mail" and m["channel"] == "mobile", m)
    check(m["mail_to"] == {"name": "王*", "phone": "139****0002", "address": "吉林省长春市朝阳区人民大街100号"}, m)
    check(sql(server, f"SELECT COUNT(*) FROM appointments WHERE id = '{m['id']}' AND mail_to_sealed IS NOT NULL "
                      "AND CAST(mail_to_sealed AS TEXT) NOT LIKE '%人民大街%'") == [["1"]], "mail_to is sealed")

    # The channel header names the citizen's own device: "staff" does not make a window booking.
    spoof = rig.citizen("liu", channel="staff")
    status, _, out = spoof.book({"kind": "visit", "slot_id": a_slot(rig, 6)["id"]})
    check(status >= 400 or out["appointment"]["channel"] != "window", f"a citizen's window booking: {status} {out}")

    # A person cannot read someone else's appointment, nor cancel it.
    status, _, err = li.call("POST", f"{BOOKING}/{a['id']}/cancel", {})
    check(status == 404, f"cancel another's: {status} {err}")
    status, _, err = call_json(server, "GET", "/api/v1/me/appointments")
    check(status == 401, f"no session: {status}")
    status, _, err = call_json(server, "POST", BOOKING, {"kind": "visit", "slot_id": slot["id"]},
                               with_session(zhang.token))
    check(status == 403 and err["error"]["code"] == "csrf_failed", f"no CSRF: {status} {err}")


@test
def idempotency_key_returns_the_first_result(ctx):
    rig = shared(ctx)
    liu = rig.citizen("liu")
    slot = a_slot(rig, 1)
    body = {"kind": "visit", "slot_id": slot["id"]}
    key = "portal-" + secrets.token_hex(8)
    status, hdrs, first = liu.book(body, key)
    check(status == 201 and "idempotent-replay" not in hdrs, f"{status} {hdrs} {first}")
    status, hdrs, again = liu.book(body, key)
    check(status == 200 and hdrs.get("idempotent-replay") == "true", f"replay: {status} {hdrs} {again}")
    for k in ("id", "code", "state", "slot_id" if "slot_id" in first["appointment"] else "starts_at"):
        check(again["appointment"][k] == first["appointment"][k], f"{again} != {first}")
    check(slot_in(rig, slot["id"])["remaining"] == slot["remaining"] - 1, "one seat for two tries")
    count = sql(rig.server, f"SELECT COUNT(*) FROM appointments WHERE slot_id = '{slot['id']}' "
                            f"AND person_id = '{liu.subject}'")
    check(count == [["1"]], count)

    other = a_slot(rig, 2)
    status, _, err = liu.book({"kind": "visit", "slot_id": other["id"]}, key)
    check_field_error(status, err, 422, None, "idempotency_key_reused")
    check(slot_in(rig, other["id"])["remaining"] == other["remaining"], "a refused reuse books nothing")
    # The key belongs to its sender: another person's same key is a request of their own.
    zhao = rig.citizen("zhao")
    status, hdrs, theirs = zhao.book(body, key)
    check(status == 201 and theirs["appointment"]["id"] != first["appointment"]["id"], f"{status} {theirs}")
    for bad in ("", "k" * 65, "ключ".encode().decode("latin-1"), "tab\there"):
        status, _, err = liu.call("POST", BOOKING, {"kind": "visit", "slot_id": other["id"]}, {"Idempotency-Key": bad})
        check_field_error(status, err, 400, None, "invalid_idempotency_key")
    status, _, ok = liu.book({"kind": "visit", "slot_id": other["id"]}, "k" * 64)
    check(status == 201, f"64 characters are a key: {status} {ok}")


@test
def one_active_booking_per_person_and_slot(ctx):
    rig = shared(ctx)
    chen = rig.citizen("chen")
    slot = a_slot(rig, 3)
    first = chen.booked({"kind": "visit", "slot_id": slot["id"]})
    status, _, err = chen.book({"kind": "visit", "slot_id": slot["id"]})
    check_field_error(status, err, 409, "slot_id", "already_booked")
    # The window cannot book the same person into it either.
    clerk = rig.staff(["window_clerk"], "220102")
    status, _, err = clerk.book({"kind": "visit", "slot_id": slot["id"], "id_number": DEMO["chen"][1]})
    check(status == 409 and err["error"]["code"] == "already_booked", f"window: {status} {err}")
    date = a_pickup_day(rig, 1)
    chen.booked(retrieval_body(HALL, date))
    status, _, err = chen.book(retrieval_body(HALL, date, purpose="notary"))
    check(status == 409 and err["error"]["code"] == "already_booked", f"retrieval, same date: {status} {err}")

    # Cancelled before the cut-off: the seat comes back and the person may book it again.
    status, _, out = chen.act(first["id"], "cancel")
    check(status == 200 and out["appointment"]["state"] == "cancelled", f"{status} {out}")
    check(out["appointment"]["state_label"] == "已取消" and out["appointment"]["can_cancel"] is False, out)
    check(out["appointment"]["no_show_reason"] is None, out)
    check(slot_in(rig, slot["id"])["remaining"] == slot["remaining"], "the seat is released")
    status, _, err = chen.act(first["id"], "cancel")
    check_code(status, err, 409, "invalid_state")
    again = chen.booked({"kind": "visit", "slot_id": slot["id"]})
    check(again["id"] != first["id"], again)
    check(my_appointments(chen)["bar"]["no_shows_this_month"] == 0, "a timely cancel is not a no-show")


@test
def window_clerk_books_for_a_person_within_scope(ctx):
    rig = shared(ctx)
    server = rig.server
    clerk = rig.staff(["window_clerk"], "220102")
    slot = a_slot(rig, 4)
    a = clerk.booked({"kind": "visit", "slot_id": slot["id"], "id_number": DEMO["zhao"][1]})
    check(a["channel"] == "window" and a["state"] == "booked", a)
    status, _, view = clerk.call("GET", f"{BOOKING}/{a['id']}")
    check(status == 200 and view["appointment"]["channel"] == "window", f"{status} {view}")
    person = view["appointment"]["person"]
    check(person["name"] == "赵*" and person["id_number"] == "2202**********0461", person)
    created_by = sql(server, f"SELECT created_by FROM appointments WHERE id = '{a['id']}'")
    check(created_by == [[clerk.subject]], created_by)
    r = clerk.booked(dict(retrieval_body(HALL, a_pickup_day(rig, 2)), id_number=DEMO["zhao"][1]))
    check(r["channel"] == "window" and r["state"] == "received", r)

    status, _, err = clerk.book({"kind": "visit", "slot_id": slot["id"], "id_number": "220102200001010012"})
    check_field_error(status, err, 404, "id_number", "person_not_found")
    status, _, err = clerk.book({"kind": "visit", "slot_id": slot["id"], "id_number": "220102198503150016"})
    check(status in (400, 422) and err["error"]["code"] == "invalid_id_number", f"{status} {err}")
    check(err["error"]["field"] == "id_number", err)

    # A clerk of Jilin City's Changyi district sees and does nothing at a Changchun branch.
    outsider = rig.staff(["window_clerk"], "220202")
    status, _, err = outsider.book({"kind": "visit", "slot_id": slot["id"], "id_number": DEMO["wang"][1]})
    check(status == 403 and err["error"]["code"] == "forbidden", f"book: {status} {err}")
    status, _, err = outsider.call("GET", f"/api/v1/branches/{HALL}/queue?date={a['date']}")
    check(status == 403, f"queue: {status} {err}")
    status, _, err = outsider.call("GET", f"{BOOKING}/{a['id']}")
    check(status == 403, f"read: {status} {err}")
    for action in ("check-in", "prepare", "cancel"):
        status, _, err = outsider.act(r["id"] if action == "prepare" else a["id"], action, {"reason": "x"})
        check(status == 403, f"{action}: {status} {err}")
    check(state_of(rig, r["id"])[0] == "received" and state_of(rig, a["id"])[0] == "booked", "nothing changed")
    # A citizen is not staff.
    zhao = rig.citizen("zhao")
    status, _, err = zhao.call("GET", f"/api/v1/branches/{HALL}/queue?date={a['date']}")
    check(status == 403, f"citizen queue: {status} {err}")

    # Within scope: the day's queue, read and audited.
    status, _, queue = clerk.call("GET", f"/api/v1/branches/{HALL}/queue?date={a['date']}&kind=visit")
    check(status == 200 and queue["date"] == a["date"], f"{status} {queue}")
    ids = [x["id"] for x in queue["appointments"]]
    check(a["id"] in ids and all(x["kind"] == "visit" for x in queue["appointments"]), queue)
    starts = [x["starts_at"] for x in queue["appointments"]]
    check(starts == sorted(starts), "the queue is in order of time")
    status, _, one = clerk.call("GET", f"/api/v1/branches/{HALL}/queue?date={a['date']}&code={a['code']}")
    check(status == 200 and [x["id"] for x in one["appointments"]] == [a["id"]], f"{status} {one}")
    reads = sql(server, f"SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.read' "
                        f"AND actor_id = '{clerk.subject}'")
    check(int(reads[0][0]) >= 2, reads)
    status, _, err = clerk.call("GET", f"/api/v1/branches/{HALL}/queue?date=2026-02-30")
    check(status == 400 and err["error"]["field"] == "date", f"{status} {err}")


@test
def bookings_reject_bad_input_naming_the_field(ctx):
    rig = shared(ctx)
    liu = rig.citizen("liu")
    slot = a_slot(rig, 5)
    date = a_pickup_day(rig, 0)
    yesterday = rig.today() - datetime.timedelta(days=1)
    last = calendar(rig)["last_bookable_date"]
    beyond = datetime.date.fromisoformat(last) + datetime.timedelta(days=1)
    while beyond.isoweekday() > 5:   # a weekday, so that the window is the reason
        beyond += datetime.timedelta(days=1)
    cases = [
        ({"kind": "party", "slot_id": slot["id"]}, 400, "kind", "invalid_kind"),
        ({"slot_id": slot["id"]}, 400, "kind", "invalid_kind"),
        ({"kind": "visit", "slot_id": 42}, 400, "slot_id", "invalid_field"),
        ({"kind": "visit", "slot_id": "no-such-slot"}, 404, "slot_id", "slot_not_found"),
        ({"kind": "visit", "slot_id": f"{HALL}/visit/{slot['date']}/0915"}, 404, "slot_id", "slot_not_found"),
        ({"kind": "visit", "slot_id": f"{HALL}/visit/{yesterday}/0900"}, 409, "slot_id", "slot_closed"),
        ({"kind": "visit", "slot_id": f"{HALL}/visit/{beyond}/0900"}, 409, "slot_id", "slot_closed"),
        (retrieval_body(HALL, date, purpose=None), 400, "purpose", "purpose_required"),
        (retrieval_body(HALL, date, purpose="fishing"), 400, "purpose", "invalid_purpose"),
        (retrieval_body(HALL, date, materials=[]), 400, "materials", "materials_required"),
        (retrieval_body(HALL, date, materials=[{"text": ""}]), 400, "materials[0].text", "materials_required"),
        (retrieval_body(HALL, date, delivery="drone"), 400, "delivery", "invalid_delivery"),
        (retrieval_body(HALL, date, delivery="mail", mail_to=None), 400, "mail_to", "mail_to_required"),
        (retrieval_body(HALL, date, delivery="mail", mail_to={"name": "王芳", "phone": "1234",
                                                              "address": "长春市人民大街1号"}),
         400, "mail_to.phone", "invalid_phone"),
        (retrieval_body(HALL, date, delivery="mail", mail_to={"name": "王芳", "phone": "13904310002",
                                                              "address": ""}),
         400, "mail_to.address", "address_required"),
    ]
    for body, want_status, field, code in cases:
        body = {k: v for k, v in body.items() if v is not None}
        status, _, err = liu.book(body)
        check_field_error(status, err, want_status, field, code)
    status, _, err = liu.book({"kind": "visit", "slot_id": f"220102-999/visit/{slot['date']}/0900"})
    check_field_error(status, err, 404, "slot_id")
    check(err["error"]["code"] in ("slot_not_found", "branch_not_found"), err)
    msg = liu.book({"kind": "visit", "slot_id": f"{HALL}/visit/{beyond}/0900"})[2]["error"]["message"]
    check(last in msg or cn_date(last) in msg, f"the message names the last bookable day {last}: {msg}")
    # Retrieval with an unknown branch, a bad date, an item of someone else's archive.
    status, _, err = liu.book(retrieval_body("220102-999", date))
    check(status == 404 and err["error"]["field"] == "branch_code", f"{status} {err}")
    status, _, err = liu.book(retrieval_body(HALL, "2026-02-30"))
    check(status == 400 and err["error"]["field"] == "date", f"{status} {err}")
    record = sql(rig.server, "SELECT id FROM archive_records WHERE archival_code = '2201-TX-2025-000317'")[0][0]
    status, _, err = liu.book(retrieval_body(HALL, date, materials=[{"record_id": record, "item_seq": 1}]))
    check(status in (400, 404, 422) and err["error"]["field"].startswith("materials"), f"{status} {err}")
    status, _, err = liu.call("POST", BOOKING, "{not json", {"Idempotency-Key": "x1", "Content-Type": "application/json"})
    check(status == 400, f"not JSON: {status} {err}")
    check(sql(rig.server, f"SELECT COUNT(*) FROM appointments WHERE person_id = '{liu.subject}' "
                          f"AND slot_id LIKE '%{slot['date']}/0915'") == [["0"]], "nothing booked")


@test
def booking_rules_are_read_and_validated(ctx):
    rig = shared(ctx)
    admin = rig.staff(["branch_admin"], "220202")
    status, _, rules = admin.call("GET", f"/api/v1/branches/{JILIN}/booking-rules")
    check(status == 200, f"{status} {rules}")
    check(rules["visit"]["slot_minutes"] == 30 and rules["visit"]["horizon_days"] == 14, rules)
    check(rules["visit"]["release_time"] == "08:00" and rules["retrieval"]["capacity"] == 20, rules)
    monday = [h for h in rules["hours"] if h["weekday"] == 1]
    check([(h["opens"], h["closes"]) for h in monday] == [("08:30", "11:30"), ("13:00", "16:30")], rules["hours"])

    def broken(path, value):
        copy = json.loads(json.dumps(rules))
        target = copy
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return copy

    for path, value, field in ((("visit", "slot_minutes"), 4, "visit.slot_minutes"),
                               (("visit", "slot_minutes"), 241, "visit.slot_minutes"),
                               (("visit", "capacity"), 501, "visit.capacity"),
                               (("retrieval", "capacity"), -1, "retrieval.capacity"),
                               (("visit", "horizon_days"), 0, "visit.horizon_days"),
                               (("retrieval", "horizon_days"), 61, "retrieval.horizon_days"),
                               (("visit", "release_time"), "24:00", "visit.release_time"),
                               (("hours", 2, "closes"), "07:00", "hours[2].closes")):
        status, _, err = admin.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", broken(path, value))
        check_field_error(status, err, 400, field)
    clerk = rig.staff(["window_clerk"], "220202")
    status, _, err = clerk.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", rules)
    check(status == 403, f"clerk: {status} {err}")
    outsider = rig.staff(["branch_admin"], "220102")
    status, _, err = outsider.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", rules)
    check(status == 403, f"admin of another district: {status} {err}")

    # A new capacity shows in the calendar at once; a slot already booked keeps its bookings.
    slot = a_slot(rig, 0, branch=JILIN)
    for key in ("zhang", "wang", "li"):
        rig.citizen(key).booked({"kind": "visit", "slot_id": slot["id"]})
    changed = broken(("visit", "capacity"), 9)
    status, _, out = admin.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", changed)
    check(status == 200 and out["visit"]["capacity"] == 9, f"{status} {out}")
    try:
        check(all(s["capacity"] == 9 for d in open_days(rig, JILIN) for s in d["slots"]), "capacity 9")
        check(slot_in(rig, slot["id"], JILIN)["remaining"] == 6, slot_in(rig, slot["id"], JILIN))
        status, _, out = admin.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", broken(("visit", "capacity"), 2))
        check(status == 200 and out["visit"]["capacity"] == 2, f"{status} {out}")
        shrunk = slot_in(rig, slot["id"], JILIN)
        check(shrunk["capacity"] == 3 and shrunk["remaining"] == 0 and not shrunk["bookable"], f"never below booked: "
              f"{shrunk}")
        status, _, err = rig.citizen("liu").book({"kind": "visit", "slot_id": slot["id"]})
        check_field_error(status, err, 409, "slot_id", "slot_full")
        check("已约满" in err["error"]["message"], err)
        check(sql(rig.server, f"SELECT booked FROM slots WHERE id = '{slot['id']}'") == [["3"]], "three booked")
    finally:
        status, _, out = admin.call("PUT", f"/api/v1/branches/{JILIN}/booking-rules", rules)
        check(status == 200 and out["visit"]["capacity"] == rules["visit"]["capacity"], f"{status} {out}")
    check(slot_in(rig, slot["id"], JILIN)["remaining"] == rules["visit"]["capacity"] - 3, "back to the rule")


# ---- The staff flows of a retrieval ----

@test
def staff_prepare_ready_and_hand_over_a_pickup(ctx):
    rig = shared(ctx)
    server = rig.server
    li = rig.citizen("li")
    a = li.booked(retrieval_body(HALL, a_pickup_day(rig, 3)))
    clerk = rig.staff(["window_clerk"], "220102")
    status, _, err = clerk.act(a["id"], "collect", {"code": a["code"]})
    check_code(status, err, 409, "invalid_state")

    status, _, out = clerk.act(a["id"], "prepare")
    check(status == 200 and out["appointment"]["state"] == "preparing", f"{status} {out}")
    check(out["appointment"]["state_label"] == "备档中", out)
    status, _, err = clerk.act(a["id"], "prepare")
    check(status == 409 and err["error"]["code"] == "invalid_state", f"twice: {status} {err}")
    status, _, out = clerk.act(a["id"], "ready")
    ready = out["appointment"]
    check(status == 200 and ready["state"] == "ready" and ready["state_label"] == "待领取", f"{status} {out}")
    check(ready["deadline_at"] is not None and ready["deadline_at"].endswith("+08:00"), ready)
    deadline = instant(ready["deadline_at"])
    sms = wait_sms(server, DEMO["li"][2], "取件码", f"{deadline.month}月{deadline.day}日")
    check("领取" in sms, sms)
    pickup = re.search(r"取件码(\d{6})", sms).group(1)   # sent only by SMS: staff see the booking code, not this
    mine = [x for x in my_appointments(li)["appointments"] if x["id"] == a["id"]][0]
    check(mine["state"] == "ready" and mine["can_cancel"] is True and mine["late_cancel_is_no_show"] is True, mine)
    check(mine["cancel_cutoff_at"] is None, mine)

    status, _, err = clerk.act(a["id"], "collect", {"code": a["code"]})
    check_field_error(status, err, 422, "code", "wrong_code")
    status, _, err = clerk.act(a["id"], "collect", {})
    check(status in (400, 422) and err["error"]["field"] == "code", f"{status} {err}")
    status, _, err = clerk.act(a["id"], "collect", {"id_number": DEMO["zhang"][1]})
    check_field_error(status, err, 422, "id_number", "wrong_person")
    status, _, out = clerk.act(a["id"], "collect", {"code": pickup})
    check(status == 200 and out["appointment"]["state"] == "collected", f"{status} {out}")
    check(out["appointment"]["state_label"] == "已领取", out)
    status, _, err = clerk.act(a["id"], "collect", {"code": pickup})
    check(status == 409 and err["error"]["code"] == "invalid_state", f"twice: {status} {err}")
    status, _, err = clerk.act(a["id"], "return", {"reason": "x"})
    check(status == 409 and err["error"]["code"] == "invalid_state", f"return after collect: {status} {err}")

    status, _, view = clerk.call("GET", f"{BOOKING}/{a['id']}")
    check(status == 200, f"{status} {view}")
    staff_view = view["appointment"]
    check(staff_view["person"]["name"] == "李**" and staff_view["person"]["id_number"] == "2201**********0138",
          staff_view)
    actions = [h.get("action") for h in staff_view["history"]]
    check(len(actions) >= 4 and all(actions), staff_view["history"])
    status, _, err = li.act(a["id"], "cancel")
    check(status == 409 and err["error"]["code"] == "invalid_state", f"cancel a collected one: {status} {err}")


@test
def staff_mail_a_retrieval_and_return_another(ctx):
    rig = shared(ctx)
    server = rig.server
    wang = rig.citizen("wang")
    date = a_pickup_day(rig, 4)
    mailed = wang.booked(retrieval_body(HALL, date, delivery="mail"))
    clerk = rig.staff(["window_clerk"], "220102")
    check(clerk.act(mailed["id"], "prepare")[0] == 200, "prepare")
    for body, field, code in (({"tracking_number": "SF1234567890"}, "courier", "courier_required"),
                              ({"courier": "顺丰速运"}, "tracking_number", "tracking_number_required"),
                              ({"courier": "", "tracking_number": "SF1234567890"}, "courier", "courier_required")):
        status, _, err = clerk.act(mailed["id"], "mail", body)
        check_field_error(status, err, 400, field, code)
    status, _, out = clerk.act(mailed["id"], "mail", {"courier": "顺丰速运", "tracking_number": "SF1234567890"})
    m = out["appointment"]
    check(status == 200 and m["state"] == "mailed" and m["state_label"] == "已邮寄", f"{status} {out}")
    check(m["courier"] == "顺丰速运" and m["tracking_number"] == "SF1234567890", m)
    wait_sms(server, DEMO["wang"][2], "顺丰速运", "SF1234567890", mailed["code"])
    status, _, err = clerk.act(mailed["id"], "mail", {"courier": "顺丰速运", "tracking_number": "SF1"})
    check(status == 409 and err["error"]["code"] == "invalid_state", f"mailed twice: {status} {err}")

    # A pick-up is not mailed.
    zhao = rig.citizen("zhao")
    pickup = zhao.booked(retrieval_body(HALL, date))
    clerk.act(pickup["id"], "prepare")
    status, _, err = clerk.act(pickup["id"], "mail", {"courier": "顺丰速运", "tracking_number": "SF9"})
    check(status == 409, f"mail a pick-up: {status} {err}")

    # Returned with a reason (from received or preparing), and told by SMS.
    returned = wang.booked(retrieval_body(HALL, a_pickup_day(rig, 5), purpose="litigation"))
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        status, _, err = clerk.act(returned["id"], "return", body)
        check_field_error(status, err, 400, "reason", "reason_required")
    status, _, out = clerk.act(returned["id"], "return", {"reason": "所需材料不在本中心保管"})
    r = out["appointment"]
    check(status == 200 and r["state"] == "returned" and r["state_label"] == "已退回", f"{status} {out}")
    check(r["return_reason"] == "所需材料不在本中心保管", r)
    wait_sms(server, DEMO["wang"][2], returned["code"], "所需材料不在本中心保管")
    status, _, err = clerk.act(returned["id"], "prepare")
    check(status == 409 and err["error"]["code"] == "invalid_state", f"prepare a returned one: {status} {err}")

    # A retrieval cancelled before it is ready is simply cancelled.
    cancelled = zhao.booked(retrieval_body(HALL, a_pickup_day(rig, 6), purpose="other"))
    status, _, out = zhao.act(cancelled["id"], "cancel")
    check(status == 200 and out["appointment"]["state"] == "cancelled", f"{status} {out}")


# ---- Check-in, the cut-off, no-shows (the clock moves) ----

def _a_working_week(rig):
    """Moves the clock to 07:00 of a Monday a few weeks ahead and returns its open days (visit)."""
    today = rig.today()
    monday = today + datetime.timedelta(days=21 - today.weekday())
    rig.set_clock(at(monday, "07:00"))
    days = open_days(rig, skip_today=False)
    check(len(days) >= 3, f"open days after {monday}: {[d['date'] for d in days]}")
    return days


@test
def check_in_opens_an_hour_before_and_closes_after_the_grace(ctx):
    with clock_rig(ctx) as rig:
        server = rig.server
        days = _a_working_week(rig)
        day = days[1]["date"]
        wang = rig.citizen("wang")
        ten = wang.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/1000"})
        nine = wang.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/0900"})
        check(instant(ten["deadline_at"]) == at(day, "10:45"), ten)   # 10:30 + 15 minutes' grace

        # The evening before: the reminder.
        rig.set_clock(at(day, "18:00") - datetime.timedelta(days=1))
        rig.sweep()
        d = datetime.date.fromisoformat(day)
        wait_sms(server, DEMO["wang"][2], "提醒", ten["code"], f"{d.month}月{d.day}日", "10:00")
        check(rig.sweep()["reminders"] == 0, "a reminder is sent once")

        # 08:58: too early for the 10:00 slot (it opens at 09:00), by code at the kiosk.
        rig.set_clock(at(day, "08:58"))
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in", {"branch_code": HALL, "code": ten["code"]},
                                   {"X-Dangan-Channel": "kiosk"})
        check(status == 409 and err["error"]["code"] == "check_in_too_early", f"{status} {err}")
        check("09:00" in err["error"]["message"], err)
        status, _, out = call_json(server, "POST", f"{BOOKING}/check-in",
                                   {"branch_code": HALL, "id_number": DEMO["wang"][1], "name": "王芳"},
                                   {"X-Dangan-Channel": "kiosk"})
        # By ID card: the 09:00 slot is the one open for check-in now.
        check(status == 200 and out["appointment"]["code"] == nine["code"], f"{status} {out}")
        check(out["appointment"]["state"] == "checked_in" and out["appointment"]["person_name"] == "王*", out)
        check(out["appointment"]["start"] == "09:00" and out["appointment"]["date"] == day, out)

        rig.set_clock(at(day, "09:01"))
        status, _, out = call_json(server, "POST", f"{BOOKING}/check-in", {"branch_code": HALL, "code": ten["code"]},
                                   {"X-Dangan-Channel": "kiosk"})
        check(status == 200 and out["appointment"]["state"] == "checked_in", f"{status} {out}")
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in", {"branch_code": HALL, "code": ten["code"]})
        check(status == 409 and err["error"]["code"] == "invalid_state", f"twice: {status} {err}")
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in", {"branch_code": JILIN, "code": ten["code"]})
        check(status == 404 and err["error"]["code"] == "appointment_not_found", f"other branch: {status} {err}")
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in",
                                   {"branch_code": HALL, "id_number": DEMO["wang"][1], "name": "王方"})
        check(status == 404 and err["error"]["code"] == "appointment_not_found", f"wrong name: {status} {err}")
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in",
                                   {"branch_code": HALL, "id_number": "220104199007220027", "name": "王芳"})
        check(status in (400, 422) and err["error"]["code"] == "invalid_id_number", f"{status} {err}")
        check(err["error"]["field"] == "id_number", err)

        # The window checks in by id; past the slot's end + grace it is closed.
        zhang = rig.citizen("zhang")
        eleven = zhang.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/0930"})
        late = zhang.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/1300"})
        clerk = rig.staff(["window_clerk"], "220102")
        status, _, out = clerk.act(eleven["id"], "check-in")
        check(status == 200 and out["appointment"]["state"] == "checked_in", f"{status} {out}")
        check(out["appointment"]["checked_in_at"] is not None, out)
        rig.set_clock(at(day, "13:46"))   # 13:30 + 15 minutes' grace has passed
        status, _, err = call_json(server, "POST", f"{BOOKING}/check-in", {"branch_code": HALL, "code": late["code"]})
        check(status == 409 and err["error"]["code"] == "check_in_closed", f"{status} {err}")
        clerk = rig.staff(["window_clerk"], "220102")
        status, _, err = clerk.act(late["id"], "check-in")
        check(status == 409 and err["error"]["code"] == "check_in_closed", f"window: {status} {err}")
        swept = rig.sweep()
        check(swept["no_shows"] == 1, f"only the 13:00 visit is a no-show: {swept}")
        check(state_of(rig, late["id"]) == ("no_show", "absent"), state_of(rig, late["id"]))
        check(state_of(rig, ten["id"])[0] == "checked_in", "a checked-in visit is no no-show")
        wait_sms(server, DEMO["zhang"][2], "失约", "本月第1次")


@test
def cancelling_after_the_cut_off_counts_as_a_no_show(ctx):
    with clock_rig(ctx) as rig:
        days = _a_working_week(rig)
        day = days[0]["date"]
        zhao = rig.citizen("zhao")
        early = zhao.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/1000"})
        late = zhao.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/1030"})
        cutoff = instant(early["cancel_cutoff_at"])
        check(cutoff == at(day, "08:00"), early)

        rig.set_clock(cutoff - datetime.timedelta(minutes=1))
        zhao = rig.citizen("zhao")
        status, _, out = zhao.act(early["id"], "cancel")
        check(status == 200 and out["appointment"]["state"] == "cancelled", f"before the cut-off: {status} {out}")
        check(out["appointment"]["no_show_reason"] is None, out)
        check(slot_in(rig, f"{HALL}/visit/{day}/1000")["remaining"] == 6, "seat released")

        rig.set_clock(at(day, "08:31"))   # the 10:30 slot's cut-off (08:30) has passed
        zhao = rig.citizen("zhao")
        mine = [x for x in my_appointments(zhao)["appointments"] if x["id"] == late["id"]][0]
        check(mine["can_cancel"] is True and mine["late_cancel_is_no_show"] is True, mine)
        status, _, out = zhao.act(late["id"], "cancel")
        a = out["appointment"]
        check(status == 200 and a["state"] == "no_show" and a["no_show_reason"] == "late_cancel", f"{status} {out}")
        check(a["state_label"] == "失约" and a["no_show_at"] is not None, a)
        check(slot_in(rig, f"{HALL}/visit/{day}/1030")["remaining"] == 6, "the seat is released either way")
        bar = my_appointments(zhao)["bar"]
        check(bar["no_shows_this_month"] == 1 and bar["barred"] is False, bar)
        wait_sms(rig.server, DEMO["zhao"][2], "失约", "取消")


@test
def a_cancel_by_the_centre_needs_a_reason_and_is_never_a_no_show(ctx):
    with clock_rig(ctx) as rig:
        day = _a_working_week(rig)[0]["date"]
        zhao = rig.citizen("zhao")
        booked = zhao.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/1000"})
        rig.set_clock(at(day, "09:30"))   # well past the cut-off
        clerk = rig.staff(["window_clerk"], "220102")
        status, _, out = clerk.act(booked["id"], "cancel")
        check_field_error(status, out, 400, "reason", "reason_required")
        status, _, out = clerk.act(booked["id"], "cancel", {"reason": "大厅停电，暂停服务"})
        check(status == 200 and out["appointment"]["state"] == "cancelled", f"{status} {out}")
        check(out["appointment"]["no_show_reason"] is None, out)
        check(slot_in(rig, f"{HALL}/visit/{day}/1000")["remaining"] == 6, "seat released")
        wait_sms(rig.server, DEMO["zhao"][2], "大厅停电", "不计失约")


def _three_no_shows(rig, key, day):
    """Books `key` into three slots of `day`, moves the clock to that evening and sweeps."""
    person = rig.citizen(key)
    booked = [person.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/{hhmm}"})
              for hhmm in ("0900", "1000", "1400")]
    rig.set_clock(at(day, "20:00"))
    rig.sweep()
    for a in booked:
        check(state_of(rig, a["id"]) == ("no_show", "absent"), (a["id"], state_of(rig, a["id"])))
    return booked


@test
def a_third_no_show_bars_every_channel_until_the_month_ends(ctx):
    with clock_rig(ctx) as rig:
        server = rig.server
        today = rig.today()
        month_start = first_of_next_month(first_of_next_month(today))   # the month after next
        rig.set_clock(at(month_start, "08:05"))
        day = next(d["date"] for d in open_days(rig, skip_today=False)
                   if d["date"][:7] == str(month_start)[:7] and len(bookable(d)) >= 10)
        booked = _three_no_shows(rig, "liu", day)
        reopens = first_of_next_month(day)
        mobile = DEMO["liu"][2]
        for a in booked:
            wait_sms(server, mobile, "失约", a["start"])
        wait_sms(server, mobile, "本月第3次")
        wait_sms(server, mobile, "信用记录", f"{cn_date(reopens)}起可重新预约")

        liu = rig.citizen("liu")
        mine = my_appointments(liu)
        bar = mine["bar"]
        check(bar["barred"] is True and bar["no_shows_this_month"] == 3 and bar["limit"] == 3, bar)
        check(bar["reopens_on"] == str(reopens) and instant(bar["until"]) == at(reopens, "00:00"), bar)
        check(bar["until"].endswith("+08:00") and bar["reason"], bar)
        noshows = [x for x in mine["appointments"] if x["state"] == "no_show"]
        check(len(noshows) == 3 and all(x["no_show_reason"] == "absent" and x["state_label"] == "失约"
                                         for x in noshows), noshows)

        def refused(status, err, how):
            check(status == 403, f"{how}: {status} {err}")
            check(err["error"]["code"] == "booking_barred", f"{how}: {err}")
            msg = err["error"]["message"]
            check("本月失约已" in msg and "3次" in msg and f"{cn_date(reopens)}起可重新预约" in msg, f"{how}: {msg}")
            check(err["error"]["field"] == "person", f"{how}: {err}")

        slot = a_slot(rig, 0)
        refused(*liu.book({"kind": "visit", "slot_id": slot["id"]})[::2], "web")
        kiosk = rig.citizen("liu", channel="kiosk")
        refused(*kiosk.book({"kind": "visit", "slot_id": slot["id"]})[::2], "kiosk")
        mobile_app = rig.citizen("liu", channel="mobile")
        refused(*mobile_app.book(retrieval_body(HALL, a_pickup_day(rig, 0)))[::2], "mobile, retrieval")
        clerk = rig.staff(["window_clerk"], "220102")
        refused(*clerk.book({"kind": "visit", "slot_id": slot["id"], "id_number": DEMO["liu"][1]})[::2], "window")
        check(slot_in(rig, slot["id"])["remaining"] == slot["remaining"], "no seat taken")

        status, _, view = clerk.call("GET", f"/api/v1/persons/{liu.subject}/appointments", purpose="核对失约")
        check(status == 200 and view["bar"]["barred"] is True and len(view["credit_records"]) == 1, f"{status} {view}")
        # The database itself refuses: a row written past the routes is stopped by the trigger.
        now = rig.now_ms()
        err = sql_fails(server, "INSERT INTO appointments (id, code, kind, person_id, branch_code, slot_id, day, "
                                "starts_at_ms, ends_at_ms, state, channel, created_at_ms, updated_at_ms) "
                                f"SELECT 'sneak', '99999999', 'visit', '{liu.subject}', branch_code, id, day, "
                                f"starts_at_ms, ends_at_ms, 'booked', 'phone', {now}, {now} FROM slots "
                                f"WHERE id = '{HALL}/visit/{day}/0900'")
        check("booking_barred" in err, err)

        # 23:59 on the month's last day: still barred. Midnight: open again.
        last_day = reopens - datetime.timedelta(days=1)
        rig.set_clock(at(last_day, "23:59"))
        liu = rig.citizen("liu")
        slot = a_slot(rig, 0)
        refused(*liu.book({"kind": "visit", "slot_id": slot["id"]})[::2], "23:59 of the last day")
        rig.set_clock(at(reopens, "00:00", 1))
        liu = rig.citizen("liu")
        again = liu.booked({"kind": "visit", "slot_id": slot["id"]})
        check(again["state"] == "booked", again)
        bar = my_appointments(liu)["bar"]
        check(bar["barred"] is False and bar["no_shows_this_month"] == 0 and bar["reopens_on"] is None, bar)
        clerk = rig.staff(["window_clerk"], "220102")
        check(clerk.book({"kind": "visit", "slot_id": a_slot(rig, 1)["id"], "id_number": DEMO["liu"][1]})[0] == 201,
              "the window books again too")
        kiosk = rig.citizen("liu", channel="kiosk")
        check(kiosk.booked({"kind": "visit", "slot_id": a_slot(rig, 2)["id"]})["channel"] == "kiosk", "and the kiosk")


@test
def a_no_show_counts_in_the_month_of_its_deadline(ctx):
    with clock_rig(ctx) as rig:
        today = rig.today()
        following = first_of_next_month(first_of_next_month(today))
        # The last open day of the month before `following`, reached from ten days earlier.
        rig.set_clock(at(following - datetime.timedelta(days=10), "08:05"))
        last = [d["date"] for d in open_days(rig, skip_today=False) if d["date"] < str(following)][-1]
        person = rig.citizen("chen")
        for hhmm in ("0900", "1000", "1600"):
            person.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{last}/{hhmm}"})
        # Nobody swept before midnight: the job runs in the new month, the no-shows are the old month's.
        rig.set_clock(at(following, "00:30"))
        check(rig.sweep()["no_shows"] == 3, "three no-shows")
        months = sql(rig.server, f"SELECT DISTINCT no_show_month FROM appointments WHERE person_id = '{person.subject}'")
        check(months == [[last[:7]]], months)
        chen = rig.citizen("chen")
        bar = my_appointments(chen)["bar"]
        check(bar["barred"] is False and bar["no_shows_this_month"] == 0, bar)
        check(chen.book({"kind": "visit", "slot_id": a_slot(rig, 0)["id"]})[0] == 201, "not barred in the new month")


@test
def voiding_a_no_show_lifts_the_bar(ctx):
    with clock_rig(ctx) as rig:
        server = rig.server
        days = _a_working_week(rig)
        day = days[0]["date"]
        booked = _three_no_shows(rig, "wang", day)
        wang = rig.citizen("wang")
        check(my_appointments(wang)["bar"]["barred"] is True, "barred")

        clerk = rig.staff(["window_clerk"], "220102")
        status, _, err = clerk.act(booked[1]["id"], "void-no-show", {"reason": "系统故障未能签到"})
        check(status == 403, f"a clerk may not void: {status} {err}")
        outsider = rig.staff(["branch_admin"], "220202")
        status, _, err = outsider.act(booked[1]["id"], "void-no-show", {"reason": "系统故障未能签到"})
        check(status == 403, f"an admin of another district may not void: {status} {err}")
        admin = rig.staff(["branch_admin"], "220102")
        for body in ({}, {"reason": ""}):
            status, _, err = admin.act(booked[1]["id"], "void-no-show", body)
            check_field_error(status, err, 400, "reason", "reason_required")
        status, _, out = admin.act(booked[1]["id"], "void-no-show", {"reason": "系统故障未能签到"})
        a = out["appointment"]
        check(status == 200 and a["no_show_voided"] is True and a["void_reason"] == "系统故障未能签到", f"{status} {out}")
        status, _, err = admin.act(booked[1]["id"], "void-no-show", {"reason": "again"})
        check(status == 409 and err["error"]["code"] == "invalid_state", f"void twice: {status} {err}")

        wang = rig.citizen("wang")
        bar = my_appointments(wang)["bar"]
        check(bar["barred"] is False and bar["no_shows_this_month"] == 2 and bar["until"] is None, bar)
        revoked = sql(server, f"SELECT COUNT(*) FROM credit_records WHERE person_id = '{wang.subject}' "
                              "AND revoked_at_ms IS NOT NULL")
        check(revoked == [["1"]], revoked)
        audit = sql(server, f"SELECT actor_id, target FROM audit_log WHERE action = 'appointment.void_no_show'")
        check(len(audit) == 1 and audit[0][0] == admin.subject, audit)
        wait_sms(server, DEMO["wang"][2], "撤销", "系统故障未能签到")
        fresh = wang.booked({"kind": "visit", "slot_id": a_slot(rig, 0)["id"]})
        check(fresh["state"] == "booked", fresh)

        status, _, err = admin.act(fresh["id"], "void-no-show", {"reason": "x"})
        check(status == 409 and err["error"]["code"] == "invalid_state", f"void a booking: {status} {err}")


@test
def a_ready_pickup_not_collected_becomes_a_no_show(ctx):
    with clock_rig(ctx) as rig:
        _a_working_week(rig)
        date = a_pickup_day(rig, 1)
        li = rig.citizen("li")
        a = li.booked(retrieval_body(HALL, date))
        check(a["deadline_at"] is None, "no deadline before it is ready")
        clerk = rig.staff(["window_clerk"], "220102")
        check(clerk.act(a["id"], "prepare")[0] == 200, "prepare")
        status, _, out = clerk.act(a["id"], "ready")
        check(status == 200, f"{status} {out}")
        deadline = instant(out["appointment"]["deadline_at"])
        check(deadline == at(date, "16:45"), out["appointment"])   # closing 16:30 + 15 minutes
        rig.set_clock(deadline - datetime.timedelta(minutes=1))
        check(rig.sweep()["no_shows"] == 0 and state_of(rig, a["id"])[0] == "ready", "not yet")
        rig.set_clock(deadline + datetime.timedelta(minutes=1))
        check(rig.sweep()["no_shows"] == 1, "a no-show")
        check(state_of(rig, a["id"]) == ("no_show", "absent"), state_of(rig, a["id"]))
        wait_sms(rig.server, DEMO["li"][2], a["code"], "逾期未领取")


# ---- The race for the last seats ----

def _race_nodes(ctx, count, env=None, generate=True):
    """`count` servers on one new database holding the demo data and 210 generated persons
    (none unless `generate`). Returns (nodes, [(id_number, person_id)…])."""
    url = ctx.new_db_url()
    first = Server(url, env=env)
    tmp = tempfile.mkdtemp(prefix="dangan-race-")
    sample = os.path.join(tmp, "persons.csv")
    r = run_cli("init", "--demo", "--db", url, env=first.env, timeout=120)
    check(r.returncode == 0, f"init: {r.stderr}")
    persons = []
    if generate:
        r = run_cli("gen", "--persons", "210", "--seed", "5", "--db", url, "--sample-out", sample,
                    "--sample-every", "1", env=first.env, timeout=300)
        check(r.returncode == 0, f"gen: {r.returncode} {r.stderr}")
        with open(sample, encoding="utf-8") as f:
            persons = [tuple(line.split(",")) for line in f.read().splitlines()[1:]]
        check(len(persons) == 210, f"{len(persons)} sampled persons")
    nodes = [first.start()]
    try:
        for _ in range(count - 1):
            nodes.append(Server(url, env=dict(env or {}, DANGAN_SECURITY_KEY_FILE=first.env["DANGAN_SECURITY_KEY_FILE"]))
                         .start())
    except Exception:
        for node in nodes:
            node.stop()
        raise
    return nodes, persons


def fire_together(requests):
    """Sends every (server, headers, body bytes[, path]) as a POST (to /api/v1/appointments unless a
    path is given) at once: one thread and connection each, all connected first and released by a
    barrier. Returns (status, headers, body)s."""
    barrier = threading.Barrier(len(requests))

    def fire(request):
        node, headers, body, *path = request
        conn = http.client.HTTPConnection(node.host, node.port, timeout=120)
        try:
            conn.connect()
            barrier.wait(timeout=120)
            conn.request("POST", path[0] if path else BOOKING, body=body,
                         headers=dict(headers, **{"Content-Type": "application/json"}))
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, (json.loads(data) if data else None)
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(fire, requests))


def _race(ctx, node_count):
    nodes, persons = _race_nodes(ctx, node_count)
    try:
        rig = Rig(nodes[0])
        admin = rig.staff(["branch_admin"], "220102")
        status, _, rules = admin.call("GET", f"/api/v1/branches/{HALL}/booking-rules")
        check(status == 200, f"{status} {rules}")
        rules["visit"]["capacity"] = 8
        status, _, out = admin.call("PUT", f"/api/v1/branches/{HALL}/booking-rules", rules)
        check(status == 200 and out["visit"]["capacity"] == 8, f"{status} {out}")
        slot = a_slot(rig, 2)
        check(slot["capacity"] == 8 and slot["remaining"] == 8, slot)

        clerk = rig.staff(["window_clerk"], "220102")
        for id_number, _ in persons[200:203]:
            clerk.booked({"kind": "visit", "slot_id": slot["id"], "id_number": id_number})
        check(slot_in(rig, slot["id"])["remaining"] == 5, "five seats left")

        # 200 persons: three in four book on the web with their own session, every fourth at
        # the window through the clerk; requests alternate between the nodes.
        racers = persons[:200]
        statements, requests = [], []
        now = rig.now_ms()
        for i, (id_number, pid) in enumerate(racers):
            node = nodes[i % len(nodes)]
            if i % 4 == 3:
                headers = clerk.headers({"Idempotency-Key": f"race-{i}"})
                body = {"kind": "visit", "slot_id": slot["id"], "id_number": id_number}
            else:
                statement, token, csrf = _session_sql("citizen", pid, now)
                statements.append(statement)
                headers = with_session(token, csrf, {"X-Dangan-Channel": "web", "Idempotency-Key": f"race-{i}"})
                body = {"kind": "visit", "slot_id": slot["id"]}
            requests.append((node, headers, json.dumps(body).encode()))
        sql(nodes[0], ";\n".join(statements))

        answers = [(status, body) for status, _, body in fire_together(requests)]
        tally = collections.Counter((status, (body or {}).get("error", {}).get("code")) for status, body in answers)
        check(tally == {(201, None): 5, (409, "slot_full"): 195}, f"answers: {dict(tally)}; e.g. "
              f"{[b for s, b in answers if s not in (201, 409)][:3]}")
        full = next(body for status, body in answers if status == 409)
        check("已约满" in full["error"]["message"] and full["error"]["field"] == "slot_id", full)
        winners = {body["appointment"]["id"] for status, body in answers if status == 201}
        check(len(winners) == 5, winners)

        for node in nodes:   # every node tells the same
            seen = slot_in(Rig(node), slot["id"])
            check(seen["remaining"] == 0 and seen["bookable"] is False and seen["capacity"] == 8, seen)
        row = sql(nodes[0], f"SELECT booked, capacity FROM slots WHERE id = '{slot['id']}'")
        check(row == [["8", "8"]], f"slots row {row}")
        active = sql(nodes[0], "SELECT COUNT(*), COUNT(DISTINCT person_id) FROM appointments "
                               f"WHERE slot_id = '{slot['id']}' AND state IN {ACTIVE}")
        check(active == [["8", "8"]], f"active bookings {active}")

        # One person, one slot, twenty tries at once: with one Idempotency-Key, one booking and
        # nineteen replays of it; with twenty keys, one booking and nineteen already_booked.
        other = a_slot(rig, 3)
        same_key, many_keys = (rig.citizen(pid) for _, pid in persons[203:205])
        body = json.dumps({"kind": "visit", "slot_id": other["id"]}).encode()
        answers = fire_together([(nodes[i % len(nodes)], same_key.headers({"Idempotency-Key": "tap-tap"}), body)
                                 for i in range(20)])
        tally = collections.Counter((s, h.get("idempotent-replay")) for s, h, _ in answers)
        check(tally == {(201, None): 1, (200, "true"): 19}, f"one key: {dict(tally)} "
              f"{[b for s, _, b in answers if s not in (200, 201)][:2]}")
        check(len({b["appointment"]["id"] for _, _, b in answers}) == 1, "every answer is the one booking")
        answers = fire_together([(nodes[i % len(nodes)], many_keys.headers({"Idempotency-Key": f"k{i}"}), body)
                                 for i in range(20)])
        tally = collections.Counter((s, (b.get("error") or {}).get("code")) for s, _, b in answers)
        check(tally == {(201, None): 1, (409, "already_booked"): 19}, f"twenty keys: {dict(tally)}")
        active = sql(nodes[0], "SELECT COUNT(*), COUNT(DISTINCT person_id) FROM appointments "
                               f"WHERE slot_id = '{other['id']}' AND state IN {ACTIVE}")
        check(active == [["2", "2"]], f"active bookings {active}")

        # Ten cancels of one booking at once release its seat once.
        (mine,) = [b["appointment"] for s, _, b in answers if s == 201]
        answers = fire_together([(nodes[i % len(nodes)], many_keys.headers(), b"{}", f"{BOOKING}/{mine['id']}/cancel")
                                 for i in range(10)])
        tally = collections.Counter((s, (b.get("error") or {}).get("code")) for s, _, b in answers)
        check(tally == {(200, None): 1, (409, "invalid_state"): 9}, f"ten cancels: {dict(tally)}")
        row = sql(nodes[0], f"SELECT booked FROM slots WHERE id = '{other['id']}'")
        check(row == [["1"]], f"one seat released: {row}")
    finally:
        for node in reversed(nodes):
            node.stop()


@test
def two_hundred_clients_race_for_the_last_five_seats(ctx):
    _race(ctx, 1)


@test
def two_nodes_race_for_the_last_five_seats(ctx):
    if ctx.backend != "postgresql":
        print("# two nodes need PostgreSQL (SQLite is one node): checked on the PostgreSQL run")
        return
    _race(ctx, 2)


@test
def two_nodes_sweep_each_no_show_once(ctx):
    if ctx.backend != "postgresql":
        print("# two nodes need PostgreSQL (SQLite is one node): checked on the PostgreSQL run")
        return
    nodes, _ = _race_nodes(ctx, 2, env=CLOCK, generate=False)
    try:
        rigs = [Rig(node) for node in nodes]
        for rig in rigs:
            days = _a_working_week(rig)
        day = days[0]["date"]
        person = rigs[0].citizen("zhao")
        booked = [person.booked({"kind": "visit", "slot_id": f"{HALL}/visit/{day}/{hhmm}"})
                  for hhmm in ("0900", "1000", "1400")]
        for rig in rigs:
            rig.set_clock(at(day, "20:00"))
        answers = fire_together([(node, {}, b"{}", "/api/v1/testing/sweep") for node in nodes for _ in range(3)])
        check(all(s == 200 for s, _, _ in answers), answers)
        check(sum(b["no_shows"] for _, _, b in answers) == 3, f"each no-show marked once: {answers}")
        for a in booked:
            check(state_of(rigs[0], a["id"]) == ("no_show", "absent"), a["id"])
        records = sql(nodes[0], f"SELECT COUNT(*) FROM credit_records WHERE person_id = '{person.subject}'")
        check(records == [["1"]], f"one credit record: {records}")
        mobile = DEMO["zhao"][2]
        deadline = time.time() + 20
        while True:   # both senders share the outbox: every notice once, on one node or the other
            texts = [line for node in nodes for line in sms_lines(node, mobile)]
            notices = [t for t in texts if "已记为失约" in t]
            bars = [t for t in texts if "信用记录" in t]
            if (len(notices), len(bars)) == (3, 1) or time.time() > deadline:
                break
            time.sleep(0.2)
        time.sleep(2)   # and nothing more arrives
        texts = [line for node in nodes for line in sms_lines(node, mobile)]
        check(len([t for t in texts if "已记为失约" in t]) == 3 and len([t for t in texts if "信用记录" in t]) == 1,
              f"SMS: {texts}")
    finally:
        for node in reversed(nodes):
            node.stop()


@test
def the_next_day_opens_at_the_release_time(ctx):
    with clock_rig(ctx) as rig:
        today = rig.today()
        monday = today + datetime.timedelta(days=14 - today.weekday())
        rig.set_clock(at(monday, "07:59"))
        before = calendar(rig, days=20)
        rig.set_clock(at(monday, "08:00", 30))
        after = calendar(rig, days=20)
        opened = after["last_bookable_date"]
        check(datetime.date.fromisoformat(opened) == datetime.date.fromisoformat(before["last_bookable_date"])
              + datetime.timedelta(days=1), f"{before['last_bookable_date']} → {opened}")
        # A weekday that opens at 08:00: book it from the first second on, not a second before.
        target = next(d for d in after["days"] if d["date"] == opened)
        wang = rig.citizen("wang")
        if not (target["open"] and bookable(target)):
            return   # the new day is a weekend or holiday: nothing to book (the dates moved above)
        slot_id = bookable(target)[0]["id"]
        rig.set_clock(at(monday, "07:59", 30))
        wang = rig.citizen("wang")
        status, _, err = wang.book({"kind": "visit", "slot_id": slot_id})
        check_field_error(status, err, 409, "slot_id", "slot_closed")
        check(not any(s["bookable"] for s in day_of(rig, opened)["slots"]), "not yet bookable in the calendar")
        rig.set_clock(at(monday, "08:00", 1))
        wang = rig.citizen("wang")
        check(wang.book({"kind": "visit", "slot_id": slot_id})[0] == 201, "bookable from 08:00")
