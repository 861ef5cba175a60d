"""Archive query certificates (查档证明) over HTTP and on the command line (docs/api-certificates.md,
docs/certificates.md): issuing at the window and on the portal, both kinds, the Idempotency-Key,
bad input naming its field, scope; the published keys; verifying by the QR's code, by the typed
number, by the PDF and by a photo of the QR; one changed byte, a key that is not published, an
expired, a revoked and an unknown certificate; the round trip PDF → pdftoppm → zbarimg → verify
online and offline (`dangan cert verify`); the holder's view of every check; the audit entries;
the reprint, byte for byte; key rotation.

The signed code is checked here with tools of our own too: the payload is decoded after its
documented layout (base32 of payload ‖ r ‖ s), its signature verified with the published key by
`openssl pkeyutl`, and forged codes are signed by `openssl` with keys the server never saw.
Photos: pdftoppm renders the PDF, and tests/api/fixtures/photo.py turns, lights, noises and
JPEG-compresses the QR's crop in pure Python (there is no image library on the machine).

Tests that move the clock or restart a server start their own; the others share one demo server
per backend. Sessions are written straight into the database (test_appointments' Rig)."""

import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile

from harness import Server, call, call_json, check, run_cli, test
from test_appointments import CLOCK, Rig, check_code, check_field_error, person_id_of
from test_appointments import shared as shared_rig
from test_identity_citizen import DEMO, audit_rows, sql
from fixtures import photo

HALL = "220102-001"          # 南关区社保服务大厅, district 220102: the demo clerk's
BANK = "220104-001"          # a bank's self-service kiosk, district 220104
ONLINE_DISTRICT = "220100"   # the online hall's district in certificate numbers
CENTRE = "长春市社会保险档案管理中心"
ISSUE = "/api/v1/certificates"
MINE = "/api/v1/me/certificates"
VERIFY = "/api/v1/certificates/verify"
KEYS = "/.well-known/dangan-keys.json"
SM2_ID = "1234567812345678"
PURPOSES = {"retirement": "退休审批", "notary": "公证", "litigation": "诉讼", "employment": "就业/入职",
            "insurance": "社保待遇", "personal": "个人留存", "other": "其他"}
RESULT_LABELS = {"genuine": "真实有效", "revoked": "已撤销", "expired": "已过期", "unknown": "查无此证明"}
ZHANG_SB = "2201-SB-2008-000123"     # 张伟's social-insurance record, items 1–3
ZHANG_DW = "DW-91220102MA0DANGANM-0042"
LI_TX = "2201-TX-2025-000317"        # 李建国's retirement record
ZHANG_SB_ITEMS = {1: ("社会保险参保登记表", "2008-07-01", 2), 2: ("劳动合同（长春市演示机械制造有限公司）", "2008-06-20", 6),
                  3: ("养老保险缴费基数核定表", "2015-03", 1)}


# ---- Servers and sessions ----

def shared(ctx):
    """One demo server per backend on the real clock, for the tests that neither move it nor restart."""
    return shared_rig(ctx, "certificates")


class own_rig:  # noqa: N801 — a context manager: `with own_rig(ctx, clock=True) as rig:`
    """A demo server of the test's own (optionally with the testing clock and more settings)."""

    def __init__(self, ctx, clock=False, env=None, db_url=None, demo=True):
        settings = dict(CLOCK if clock else {}, **(env or {}))
        self.rig = Rig(Server(db_url or ctx.new_db_url(), demo=demo, env=settings))

    def __enter__(self):
        self.rig.server.start()
        return self.rig

    def __exit__(self, *exc):
        self.rig.server.stop()


def clerk_of(rig, scope="220102", roles=("window_clerk",)):
    return rig.staff(list(roles), scope)


def record_id(rig, archival_code):
    rows = sql(rig.server, f"SELECT id FROM archive_records WHERE archival_code = '{archival_code}'")
    check(len(rows) == 1, f"record {archival_code}: {rows}")
    return rows[0][0]


def issue(actor, body, key=None, staff=None):
    """POST a certificate (the staff call for staff actors) with an Idempotency-Key."""
    staff = actor.channel == "staff" if staff is None else staff
    return actor.call("POST", ISSUE if staff else MINE, body, {"Idempotency-Key": key or secrets.token_hex(12)})


def issued(actor, body, key=None):
    status, hdrs, out = issue(actor, body, key)
    check(status == 201, f"issue {body}: {status} {out}")
    return out["certificate"]


def location_body(**extra):
    body = {"kind": "location", "purpose": "notary"}
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


def code_of(cert):
    """The code text: the last segment of the QR's URL."""
    url = cert["verify_url"]
    check(re.match(r"^https?://[^/]+/v/[A-Z2-7]+$", url), f"verify_url {url!r}")
    return url.rsplit("/", 1)[1]


def verify(server, body, content_type=None):
    """POST /api/v1/certificates/verify: a dict as JSON, or raw bytes with `content_type`."""
    headers = {"Content-Type": content_type} if content_type else None
    status, hdrs, data = call(server, "POST", VERIFY, body if isinstance(body, bytes) else
                              json.dumps(body, ensure_ascii=False).encode(),
                              headers or {"Content-Type": "application/json"}, timeout=60)
    return status, hdrs, (json.loads(data) if data else None)


def verified(server, body, content_type=None, want="genuine"):
    status, _, out = verify(server, body, content_type)
    check(status == 200, f"verify: {status} {out}")
    check(out["result"] == want, f"result {out['result']!r}, want {want!r}: {out}")
    if want in RESULT_LABELS:
        check(out["result_label"] == RESULT_LABELS[want], out)
    return out


def pdf_bytes(actor, cert):
    path = (MINE if actor.channel != "staff" else ISSUE) + f"/{cert['id']}/pdf"
    status, hdrs, data = call(actor.rig.server, "GET", path, headers=actor.headers(), timeout=60)
    check(status == 200, f"GET {path}: {status} {data[:300]!r}")
    check(hdrs.get("content-type", "").startswith("application/pdf"), hdrs)
    check(data.startswith(b"%PDF-"), data[:20])
    return data, hdrs


def mine(actor, cert_id):
    status, _, out = actor.call("GET", f"{MINE}/{cert_id}")
    check(status == 200, f"GET {MINE}/{cert_id}: {status} {out}")
    return out["certificate"]


def keys_json(server):
    status, hdrs, body = call_json(server, "GET", KEYS)
    check(status == 200, f"{KEYS}: {status} {body}")
    return body, hdrs


# ---- The code: the documented layout, read and forged with tools of our own ----

def b32decode(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


def b32encode(data):
    return base64.b32encode(data).decode().rstrip("=")


def split_code(text):
    """(payload fields, payload bytes, signature r‖s) of a code text (docs/certificates.md, version 1)."""
    raw = b32decode(text)
    check(raw[0] == 1, f"payload version {raw[0]}")
    n = raw[1]
    at = 2 + n
    fields = {"kid": raw[2:at].decode(), "number": raw[at:at + 17].decode(),
              "issued_on": int.from_bytes(raw[at + 17:at + 21], "big"),
              "valid_until": int.from_bytes(raw[at + 21:at + 25], "big"),
              "subject_hash": raw[at + 25:at + 41], "content_hash": raw[at + 41:at + 73]}
    payload, signature = raw[:at + 73], raw[at + 73:]
    check(len(signature) == 64, f"signature of {len(signature)} bytes")
    return fields, payload, signature


def make_payload(kid, number, issued_on, valid_until, subject_hash, content_hash):
    return (bytes([1, len(kid)]) + kid.encode() + number.encode() + issued_on.to_bytes(4, "big")
            + valid_until.to_bytes(4, "big") + subject_hash + content_hash)


def _der_int(v):
    b = v.to_bytes(32, "big").lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b


def raw_to_der(sig):
    body = _der_int(int.from_bytes(sig[:32], "big")) + _der_int(int.from_bytes(sig[32:], "big"))
    return b"\x30" + bytes([len(body)]) + body


def der_to_raw(der):
    check(der[0] == 0x30, der.hex())
    at, out = 2, b""
    for _ in range(2):
        check(der[at] == 0x02, der.hex())
        n = der[at + 1]
        out += int.from_bytes(der[at + 2:at + 2 + n], "big").to_bytes(32, "big")
        at += 2 + n
    return out


def openssl_sm2(args, data, tmp):
    path = os.path.join(tmp, secrets.token_hex(4))
    with open(path, "wb") as f:
        f.write(data)
    return subprocess.run(["openssl", "pkeyutl", *args, "-rawin", "-in", path, "-digest", "sm3",
                           "-pkeyopt", f"distid:{SM2_ID}"], capture_output=True, timeout=30)


def rogue_key(tmp):
    """A fresh SM2 private key that no server has ever seen."""
    path = os.path.join(tmp, f"rogue-{secrets.token_hex(4)}.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", path],
                   check=True, capture_output=True, timeout=30)
    return path


def forge(payload, key_path, tmp):
    """The code text of `payload` signed with the private key at `key_path` (SM2 with SM3, ID 1234…)."""
    out = openssl_sm2(["-sign", "-inkey", key_path], payload, tmp)
    check(out.returncode == 0, out.stderr.decode(errors="replace"))
    return b32encode(payload + der_to_raw(out.stdout))


def ymd(n):
    return f"{n // 10000:04}-{n // 100 % 100:02}-{n % 100:02}"


def iso7064(digits):
    """ISO 7064 MOD 11-2 check character of a digit string."""
    s = 0
    for ch in digits:
        s = (s + int(ch)) * 2 % 11
    return "0123456789X"[(12 - s) % 11]


def other_check(number):
    """The number with a wrong check character."""
    right = number[16]
    return number[:16] + ("0" if right != "0" else "1")


# ---- Shape checks ----

def check_number(number, district, year):
    check(re.fullmatch(r"\d{16}[\dX]", number), f"number {number!r}")
    check(number[:4] == str(year) and number[4:10] == district, f"number {number} for {district} in {year}")
    check(number[16] == iso7064(number[:16]), f"check character of {number}: want {iso7064(number[:16])}")


def check_certificate(cert, *, kind, purpose, district, branch, channel, subject=("张伟", "2201**********0015")):
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    check_number(cert["number"], district, int(cert["issued_on"][:4]))
    n = cert["number"]
    check(cert["number_display"] == f"{n[0:4]} {n[4:8]} {n[8:12]} {n[12:16]} {n[16]}", cert["number_display"])
    check(cert["kind"] == kind and cert["purpose"] == purpose and cert["purpose_label"] == PURPOSES[purpose], cert)
    issued_on = datetime.date.fromisoformat(cert["issued_on"])
    check(abs((issued_on - today).days) <= 1, f"issued_on {issued_on}, today {today}")
    check(datetime.date.fromisoformat(cert["valid_until"]) - issued_on == datetime.timedelta(days=89),
          f"90 days counting the day of issue: {cert['issued_on']} … {cert['valid_until']}")
    check(cert["issued_at"].endswith("+08:00"), cert["issued_at"])
    check(cert["channel"] == channel and cert["branch"]["code"] == branch and cert["branch"]["name"], cert)
    check(cert["status"] == "valid" and cert["status_label"] == "有效", cert)
    check(cert["revoked_at"] is None and cert["revoke_reason"] is None, cert)
    check(cert["check_count"] == 0 and cert["last_checked_at"] is None, cert)
    check(cert["pdf_url"].startswith("/api/v1/") and cert["pdf_url"].endswith("/pdf"), cert["pdf_url"])
    check(re.fullmatch(r"[0-9a-f]{64}", cert["pdf_sm3"]), cert["pdf_sm3"])
    code_of(cert)
    c = cert["content"]
    check(c["v"] == 1 and c["number"] == n and c["kind"] == kind, c)
    check(c["subject"] == {"name": subject[0], "id_number": subject[1]}, c["subject"])
    check(c["purpose"] == purpose and c["purpose_label"] == PURPOSES[purpose], c)
    check(c["issuer"]["organisation"] == CENTRE and c["issuer"]["branch_code"] == branch, c["issuer"])
    check(c["issuer"]["branch_name"] == cert["branch"]["name"], c["issuer"])
    check(c["issued_on"] == cert["issued_on"] and c["valid_until"] == cert["valid_until"], c)
    for r in c["records"]:
        check(r["archival_code"] and r["kind_label"] and r["holder"]["name"] and r["holder"]["address"], r)
        check("phone" in r["holder"], r)
        check("shelf" not in json.dumps(r), f"no shelf location on a certificate: {r}")


def check_public(public, cert, revoked=False):
    """The public view of a certificate in a verify answer."""
    check(public["number"] == cert["number"] and public["number_display"] == cert["number_display"], public)
    check(public["issuer"] == {"organisation": CENTRE, "branch_name": cert["branch"]["name"]}, public["issuer"])
    check(public["issued_on"] == cert["issued_on"] and public["valid_until"] == cert["valid_until"], public)
    check(public["purpose"] == cert["purpose"] and public["purpose_label"] == cert["purpose_label"], public)
    check(public["subject"]["name"].endswith("*") and "*" in public["subject"]["id_number"], public["subject"])
    check(len(public["subject"]["id_number"]) == 18, public["subject"])
    check((public["revoked_at"] is not None) == revoked, public)
    check(isinstance(public["key_id"], str) and public["key_id"], public)


# ---- Issuing ----

@test
def clerk_issues_both_kinds_at_the_window(ctx):
    rig = shared(ctx)
    server = rig.server
    clerk = clerk_of(rig)
    zhang = person_id_of(server, "zhang")
    body = location_body(id_number=DEMO["zhang"][1], branch_code=HALL)
    key = "window-" + secrets.token_hex(6)
    status, hdrs, out = issue(clerk, body, key)
    check(status == 201 and "idempotent-replay" not in hdrs, f"{status} {hdrs} {out}")
    cert = out["certificate"]
    check_certificate(cert, kind="location", purpose="notary", district="220102", branch=HALL, channel="window")
    codes = [r["archival_code"] for r in cert["content"]["records"]]
    check(sorted(codes) == sorted([ZHANG_SB, ZHANG_DW]), f"location without record_id: every record, {codes}")
    sb = next(r for r in cert["content"]["records"] if r["archival_code"] == ZHANG_SB)
    check(sb["holder"]["name"] == CENTRE and sb["holder"]["phone"] == "0431-88771234", sb)
    check("items" not in sb or not sb["items"], f"a location certificate lists no items: {sb}")

    # The same key and body: the first answer again, nothing new; the same key, another body: 422.
    status, hdrs, again = issue(clerk, body, key)
    check(status == 200 and hdrs.get("idempotent-replay") == "true", f"replay: {status} {hdrs} {again}")
    check(again["certificate"]["id"] == cert["id"] and again["certificate"]["number"] == cert["number"], again)
    status, _, err = issue(clerk, location_body(id_number=DEMO["zhang"][1], branch_code=HALL, purpose="litigation"),
                           key)
    check_field_error(status, err, 422, None, "idempotency_key_reused")
    count = sql(server, f"SELECT COUNT(*) FROM certificates WHERE person_id = '{zhang}' "
                        f"AND issued_by = '{clerk.subject}'")
    check(count == [["1"]], f"one certificate for three tries: {count}")

    # Listed items of one record, for another person, purpose 'other' with its detail.
    items = issued(clerk, {"kind": "items", "purpose": "other", "purpose_detail": "办理公积金提取",
                           "record_id": record_id(rig, ZHANG_SB), "item_seqs": [3, 1],
                           "id_number": DEMO["zhang"][1], "branch_code": HALL})
    check_certificate(items, kind="items", purpose="other", district="220102", branch=HALL, channel="window")
    check(items["content"]["purpose_detail"] == "办理公积金提取", items["content"])
    (record,) = items["content"]["records"]
    check(record["archival_code"] == ZHANG_SB, record)
    got = {i["seq"]: (i["title"], i["doc_date"], i["page_count"]) for i in record["items"]}
    check(got == {1: ZHANG_SB_ITEMS[1], 3: ZHANG_SB_ITEMS[3]}, f"items 1 and 3: {record['items']}")
    check([i["seq"] for i in record["items"]] == [1, 3], "items in their order in the record")
    check(items["number"] != cert["number"] and items["number"][4:10] == "220102", (items["number"], cert["number"]))
    check(int(items["number"][10:16]) > int(cert["number"][10:16]), "serials grow per district")

    wang = issued(clerk, location_body(id_number=DEMO["wang"][1].lower(), branch_code=HALL, purpose="retirement"))
    check_certificate(wang, kind="location", purpose="retirement", district="220102", branch=HALL, channel="window",
                      subject=("王芳", "2201**********0026"))

    # Audited: certificate.issue by the clerk, about the person.
    rows = audit_rows(server, "certificate.issue", f"AND actor_id = '{clerk.subject}'")
    check(len(rows) == 3, f"three issues audited (not the replay): {rows}")
    check(rows[0][0] == "staff" and rows[0][2] == zhang, rows[0])
    check(cert["id"] in rows[0][3] or cert["number"] in rows[0][3], f"the target names the certificate: {rows[0]}")

    # Staff find them by number (typed with spaces, small x) and by ID number, stating why.
    typed = cert["number_display"].lower()
    status, _, found = clerk.call("GET", f"{ISSUE}?number={typed.replace(' ', '%20')}", purpose="核对证明")
    check(status == 200 and [c["id"] for c in found["certificates"]] == [cert["id"]], f"{status} {found}")
    status, _, found = clerk.call("GET", f"{ISSUE}?id_number={DEMO['zhang'][1]}", purpose="核对证明")
    check(status == 200 and {c["id"] for c in found["certificates"]} == {cert["id"], items["id"]}, f"{status} {found}")
    check(found["certificates"][0]["id"] == items["id"], "newest first")
    status, _, err = clerk.call("GET", ISSUE, purpose="核对证明")
    check_code(status, err, 400, "query_required")
    status, _, err = clerk.call("GET", f"{ISSUE}?number={cert['number']}")
    check_code(status, err, 400, "purpose_required")
    status, _, one = clerk.call("GET", f"{ISSUE}/{cert['id']}", purpose="核对证明")
    check(status == 200 and one["certificate"]["checks"] == [], f"{status} {one}")
    one = one["certificate"]
    check(one["person"] == {"id": zhang, "name": "张*", "id_number": "2201**********0015"}, one.get("person"))
    check(one["issued_by"] == clerk.subject and one["revoked_by"] is None, one)
    check({k: v for k, v in one.items() if k not in ("person", "issued_by", "revoked_by", "checks")} ==
          {k: v for k, v in cert.items() if k not in ("person", "issued_by", "revoked_by")}, "the staff view adds only")
    reads = audit_rows(server, "certificate.read", f"AND actor_id = '{clerk.subject}'")
    check(reads and reads[-1][4] == "核对证明", f"staff reads are audited with their purpose: {reads}")


@test
def citizen_issues_own_certificates_on_the_portal(ctx):
    rig = shared(ctx)
    li = rig.citizen("li")
    cert = issued(li, location_body(purpose="retirement"))
    check_certificate(cert, kind="location", purpose="retirement", district=ONLINE_DISTRICT,
                      branch=cert["branch"]["code"], channel="web", subject=("李建国", "2201**********0138"))
    check(cert["branch"]["name"] == "网上服务大厅", f"the online hall: {cert['branch']}")
    check("person" not in cert and "issued_by" not in cert, "the holder's view has no staff fields")
    check(sorted(r["archival_code"] for r in cert["content"]["records"]) == sorted([LI_TX, "RC-2201-1999-008861"]),
          cert["content"]["records"])
    one = issued(li, location_body(purpose="employment", record_id=record_id(rig, LI_TX)))
    check([r["archival_code"] for r in one["content"]["records"]] == [LI_TX], one["content"])
    items = issued(li, {"kind": "items", "purpose": "insurance", "record_id": record_id(rig, LI_TX),
                        "item_seqs": [2]}, )
    check([(i["seq"], i["title"]) for i in items["content"]["records"][0]["items"]] == [(2, "视同缴费年限认定材料")],
          items["content"])

    # Idempotency on the portal too.
    key = "portal-" + secrets.token_hex(6)
    body = location_body(purpose="personal")
    first = issued(li, body, key)
    status, hdrs, again = issue(li, body, key)
    check(status == 200 and hdrs.get("idempotent-replay") == "true" and again["certificate"]["id"] == first["id"],
          f"{status} {hdrs} {again}")
    status, _, err = issue(li, location_body(purpose="notary"), key)
    check_field_error(status, err, 422, None, "idempotency_key_reused")

    # My certificates, newest first; one of them with its (empty) checks.
    status, hdrs, listed = li.call("GET", MINE)
    check(status == 200, f"{status} {listed}")
    ids = [c["id"] for c in listed["certificates"]]
    check(ids[:4] == [first["id"], items["id"], one["id"], cert["id"]], ids)
    view = mine(li, cert["id"])
    check(view["checks"] == [] and view["number"] == cert["number"] and view["content"] == cert["content"], view)

    # Someone else's certificate is not there, nor its PDF; a citizen cannot use the staff calls.
    wang = rig.citizen("wang")
    for path in (f"{MINE}/{cert['id']}", f"{MINE}/{cert['id']}/pdf"):
        status, _, data = call(rig.server, "GET", path, headers=wang.headers())
        check(status == 404, f"another person's {path}: {status}")
        check(json.loads(data)["error"]["code"] == "certificate_not_found", data)
    status, _, listed = wang.call("GET", MINE)
    check(status == 200 and cert["id"] not in [c["id"] for c in listed["certificates"]], listed)
    status, _, err = wang.call("GET", f"{ISSUE}/{cert['id']}", purpose="x")
    check(status == 403, f"a citizen on the staff read: {status} {err}")
    status, _, err = issue(wang, location_body(id_number=DEMO["li"][1], branch_code=HALL), staff=True)
    check(status == 403, f"a citizen on the staff issue: {status} {err}")
    status, _, err = call_json(rig.server, "GET", MINE)
    check(status == 401, f"no session: {status} {err}")

    # A kiosk at the bank issues for its own branch (its district in the number).
    kiosk = rig.citizen("li", channel="kiosk")
    at_bank = issued(kiosk, location_body(purpose="notary", branch_code=BANK))
    check(at_bank["channel"] == "kiosk" and at_bank["branch"]["code"] == BANK, at_bank)
    check_number(at_bank["number"], "220104", int(at_bank["issued_on"][:4]))


@test
def bad_input_names_the_field(ctx):
    rig = shared(ctx)
    wang = rig.citizen("wang")
    zhao = rig.citizen("zhao")       # no archive record at all
    wang_record, li_record = record_id(rig, "2201-SB-2013-004518"), record_id(rig, LI_TX)
    items = {"kind": "items", "purpose": "notary", "record_id": wang_record}
    cases = [
        ({"kind": "stamp", "purpose": "notary"}, 400, "kind", "invalid_kind"),
        ({"purpose": "notary"}, 400, "kind", "invalid_kind"),
        ({"kind": 3, "purpose": "notary"}, 400, "kind", None),
        ({"kind": "location"}, 400, "purpose", "purpose_required"),
        ({"kind": "location", "purpose": ""}, 400, "purpose", "purpose_required"),
        ({"kind": "location", "purpose": "fishing"}, 400, "purpose", "invalid_purpose"),
        ({"kind": "location", "purpose": "other"}, 400, "purpose_detail", "purpose_detail_required"),
        ({"kind": "location", "purpose": "other", "purpose_detail": "  "}, 400, "purpose_detail",
         "purpose_detail_required"),
        ({"kind": "location", "purpose": "other", "purpose_detail": "长" * 201}, 400, "purpose_detail", None),
        ({"kind": "items", "purpose": "notary", "item_seqs": [1]}, 400, "record_id", "record_required"),
        (dict(items), 400, "item_seqs", "items_required"),
        (dict(items, item_seqs=[]), 400, "item_seqs", "items_required"),
        (dict(items, item_seqs=[9]), 400, "item_seqs", "invalid_items"),
        (dict(items, item_seqs=["1"]), 400, "item_seqs", None),
        (dict(items, record_id=li_record, item_seqs=[1]), 404, "record_id", "record_not_found"),
        (dict(items, record_id="no-such-record", item_seqs=[1]), 404, "record_id", "record_not_found"),
        ({"kind": "location", "purpose": "notary", "record_id": li_record}, 404, "record_id", "record_not_found"),
    ]
    for body, want_status, field, code in cases:
        status, _, err = issue(wang, body)
        check_field_error(status, err, want_status, field, code)
    status, _, err = issue(zhao, location_body())
    check_code(status, err, 409, "no_archive")
    check(any("\u4e00" <= ch <= "\u9fff" for ch in err["error"]["message"]), err)
    status, _, err = wang.call("POST", MINE, "{not json", {"Idempotency-Key": "x1", "Content-Type": "application/json"})
    check(status == 400, f"not JSON: {status} {err}")
    status, _, err = wang.call("POST", MINE, location_body(), {"Idempotency-Key": "tab\there"})
    check_field_error(status, err, 400, None, "invalid_idempotency_key")

    clerk = clerk_of(rig)
    base = location_body(id_number=DEMO["wang"][1], branch_code=HALL)
    staff_cases = [
        (dict(base, id_number=None), 400, "id_number", None),
        (dict(base, id_number="2201021985031500A5"), 400, "id_number", "invalid_id_number"),   # malformed
        (dict(base, id_number="220102198503150016"), 422, "id_number", "invalid_id_number"),   # wrong check digit
        (dict(base, id_number="220102200001010012"), 404, "id_number", "person_not_found"),
        (dict(base, branch_code=None), 400, "branch_code", None),
        (dict(base, purpose="fishing"), 400, "purpose", "invalid_purpose"),
        (dict(base, kind="items", record_id=li_record, item_seqs=[1]), 404, "record_id", "record_not_found"),
    ]
    for body, want_status, field, code in staff_cases:
        status, _, err = issue(clerk, {k: v for k, v in body.items() if v is not None})
        check_field_error(status, err, want_status, field, code)
    status, _, err = issue(clerk, dict(base, branch_code="220102-999"))
    check(status in (400, 404) and err["error"]["field"] == "branch_code", f"unknown branch: {status} {err}")
    status, _, err = issue(clerk, dict(base, id_number=DEMO["zhao"][1]))
    check_code(status, err, 409, "no_archive")
    check(sql(rig.server, f"SELECT COUNT(*) FROM certificates WHERE person_id = '{person_id_of(rig.server, 'wang')}' "
                          f"AND issued_by = '{clerk.subject}'") == [["0"]], "nothing issued")


@test
def staff_act_only_within_their_scope(ctx):
    rig = shared(ctx)
    clerk = clerk_of(rig)
    cert = issued(clerk, location_body(id_number=DEMO["wang"][1], branch_code=HALL))
    # A branch outside the clerk's district, and a clerk of Jilin City at a Changchun branch.
    status, _, err = issue(clerk, location_body(id_number=DEMO["wang"][1], branch_code=BANK))
    check_code(status, err, 403, "forbidden")
    outsider = clerk_of(rig, "220202")
    status, _, err = issue(outsider, location_body(id_number=DEMO["wang"][1], branch_code=HALL))
    check_code(status, err, 403, "forbidden")
    for method, path, body in (("GET", f"{ISSUE}/{cert['id']}", None), ("GET", f"{ISSUE}/{cert['id']}/pdf", None),
                               ("POST", f"{ISSUE}/{cert['id']}/revoke", {"reason": "测试撤销"})):
        status, _, err = outsider.call(method, path, body, purpose="核对")
        check(status == 403, f"outsider {method} {path}: {status} {err}")
    status, _, found = outsider.call("GET", f"{ISSUE}?number={cert['number']}", purpose="核对")
    check(status == 200 and found["certificates"] == [], f"a search finds only what is in scope: {status} {found}")
    # A role without certificates (an auditor) issues nothing; a branch admin may.
    auditor = clerk_of(rig, "2201", roles=("auditor",))
    status, _, err = issue(auditor, location_body(id_number=DEMO["wang"][1], branch_code=HALL))
    check(status == 403, f"auditor: {status} {err}")
    admin = clerk_of(rig, "220104", roles=("branch_admin",))
    at_bank = issued(admin, location_body(id_number=DEMO["wang"][1], branch_code=BANK))
    check(at_bank["branch"]["code"] == BANK and at_bank["channel"] == "window", at_bank)
    status, _, err = call_json(rig.server, "GET", f"{ISSUE}/{cert['id']}")
    check(status == 401, f"no session: {status} {err}")


# ---- Keys and verification ----

@test
def published_keys_verify_the_code_with_openssl(ctx):
    rig = shared(ctx)
    body, hdrs = keys_json(rig.server)
    check(hdrs.get("cache-control") == "public, max-age=3600", hdrs)
    check(hdrs.get("content-type", "").startswith("application/json"), hdrs)
    check(body["alg"] == "SM2-with-SM3" and body["sm2_id"] == SM2_ID and body["payload_version"] == 1, body)
    check(body["issuer"], body)
    active = [k for k in body["keys"] if k["status"] == "active"]
    check(len(active) == 1 and all(k["status"] in ("active", "published") for k in body["keys"]), body["keys"])
    check(len({k["kid"] for k in body["keys"]}) == len(body["keys"]), "key ids are unique")
    text = json.dumps(body)
    check("PRIVATE" not in text, "no private key is published")
    for k in body["keys"]:
        check(k["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----"), k)

    clerk = clerk_of(rig)
    cert = issued(clerk, location_body(id_number=DEMO["zhang"][1], branch_code=HALL, purpose="litigation"))
    fields, payload, signature = split_code(code_of(cert))
    check(fields["kid"] == active[0]["kid"], f"signed by the active key: {fields['kid']} {active}")
    check(fields["number"] == cert["number"], fields)
    check(ymd(fields["issued_on"]) == cert["issued_on"] and ymd(fields["valid_until"]) == cert["valid_until"], fields)
    sm3 = lambda data: hashlib.new("sm3", data).digest()  # noqa: E731
    subject = sm3(b"\0".join([b"dangan/cert/subject/v1", cert["number"].encode(), DEMO["zhang"][1].encode(),
                              "张伟".encode()]))[:16]
    check(fields["subject_hash"] == subject, "subject hash = SM3(domain, number, ID number, name)[:16]")
    canonical = json.dumps(cert["content"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    check(fields["content_hash"] == sm3(b"dangan/cert/content/v1\0" + canonical.encode()),
          "content hash = SM3 of the canonical content JSON the holder sees")

    tmp = tempfile.mkdtemp(prefix="dangan-cert-")
    try:
        pub = os.path.join(tmp, "pub.pem")
        with open(pub, "w") as f:
            f.write(active[0]["public_key_pem"])
        sig = os.path.join(tmp, "sig.der")
        with open(sig, "wb") as f:
            f.write(raw_to_der(signature))
        out = openssl_sm2(["-verify", "-pubin", "-inkey", pub, "-sigfile", sig], payload, tmp)
        check(out.returncode == 0 and b"Success" in out.stdout, f"openssl: {out.stdout} {out.stderr}")
        tampered = bytearray(payload)
        tampered[-1] ^= 1
        out = openssl_sm2(["-verify", "-pubin", "-inkey", pub, "-sigfile", sig], bytes(tampered), tmp)
        check(out.returncode != 0, "openssl refuses a changed payload")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def verify_by_code_by_number_and_by_pdf(ctx):
    rig = shared(ctx)
    server = rig.server
    zhang = rig.citizen("zhang")
    cert = issued(zhang, {"kind": "items", "purpose": "notary", "record_id": record_id(rig, ZHANG_SB),
                          "item_seqs": [1, 2]})
    # The QR's text (the whole URL) and the code alone, with spaces around it.
    for text in (cert["verify_url"], code_of(cert), "  " + code_of(cert) + "\n"):
        out = verified(server, {"code": text})
        check(out["method"] == "qr" and out["reason"] is None, out)
        check_public(out["certificate"], cert)
        check(out["content"] == cert["content"], "the whole code shows the certified content")
    # A typed number: the facts, never the content; spaces and a small x are fine.
    for typed in (cert["number"], cert["number_display"], cert["number_display"].lower()):
        out = verified(server, {"number": typed})
        check(out["method"] == "number" and out["content"] is None, out)
        check_public(out["certificate"], cert)
    # The PDF as issued matches; with one byte changed it does not, and the QR in it still names it.
    pdf, _ = pdf_bytes(zhang, cert)
    out = verified(server, pdf, "application/pdf")
    check(out["method"] == "pdf" and out["pdf"] == {"matches": True} and out["content"] == cert["content"], out)
    altered = bytearray(pdf)
    meta = pdf.find(b"DanganCertificate")
    at = len(pdf) // 2 if abs(len(pdf) // 2 - meta) > 4096 else len(pdf) // 4
    altered[at] ^= 0x20
    out = verified(server, bytes(altered), "application/pdf", want="altered")
    check(out["method"] == "pdf" and out["pdf"] == {"matches": False}, out)
    check(out["certificate"] and out["certificate"]["number"] == cert["number"], out)
    check(out.get("result_label") and any("\u4e00" <= ch <= "\u9fff" for ch in out["result_label"]), out)
    check(not out.get("content"), f"an altered file shows no content: {out}")

    # Nothing to verify, or a number that does not add up.
    for body, code, field in (({}, "code_required", "code"), ({"code": ""}, "code_required", "code"),
                              ({"code": "https://example.com/v/"}, "code_required", "code"),
                              ({"number": other_check(cert["number"])}, "invalid_number", "number"),
                              ({"number": cert["number"][:16]}, "invalid_number", "number"),
                              ({"number": cert["number"] + "1"}, "invalid_number", "number"),
                              ({"number": "2026A20102000001X"}, "invalid_number", "number")):
        status, _, err = verify(server, body)
        check_field_error(status, err, 400, field, code)
    for data, ctype, want_status, code in ((b"not a pdf at all", "application/pdf", 400, "invalid_pdf"),
                                           (b"hello", "text/plain", 415, "unsupported_media_type"),
                                           (b"GIF89a....", "image/gif", 415, "unsupported_media_type"),
                                           (b"\x89PNG\r\n\x1a\nbroken", "image/png", 400, "invalid_image"),
                                           (b"\xff\xd8\xff\xe0broken", "image/jpeg", 400, "invalid_image")):
        status, _, err = verify(server, data, ctype)
        check_code(status, err, want_status, code)
    big = b"%PDF-1.5\n" + b"0" * (10 * 1024 * 1024 + 1)
    for ctype in ("application/pdf", "image/jpeg"):
        status, _, err = verify(server, big, ctype)
        check_code(status, err, 413, "payload_too_large")
    # Text that is not a certificate code at all: 400 invalid_code (the contract), not a verdict.
    for text in ("hello, world", "AAAAAAAAAAAAAAAA"):
        status, _, err = verify(server, {"code": text})
        check_field_error(status, err, 400, "code", "invalid_code")


@test
def unknown_tampered_and_foreign_codes(ctx):
    rig = shared(ctx)
    server = rig.server
    clerk = clerk_of(rig)
    cert = issued(clerk, location_body(id_number=DEMO["li"][1], branch_code=HALL, purpose="employment"))
    code = code_of(cert)
    fields, payload, signature = split_code(code)

    # A number never issued (right check character) → unknown; by code too when the key is ours?
    never = cert["number"][:10] + "999998"
    never += iso7064(never)
    out = verified(server, {"number": never}, want="unknown")
    check(out["certificate"] is None and out["content"] is None and out["method"] == "number", out)

    # One changed byte anywhere in the payload or the signature: never genuine.
    raw = payload + signature
    seen = {}
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] ^= 0x01
        status, _, out = verify(server, {"code": b32encode(bytes(changed))})
        verdict = out.get("result") if status == 200 else (out or {}).get("error", {}).get("code")
        seen.setdefault(verdict, []).append(i)
        check(status in (200, 400), f"byte {i}: {status} {out}")
        if status == 200:
            check(out["result"] == "invalid" and out["certificate"] is None and out["content"] is None,
                  f"byte {i} changed: {out}")
            check(out["reason"] and any("\u4e00" <= ch <= "\u9fff" for ch in out["reason"]), out)
        else:
            check(out["error"]["code"] == "invalid_code", f"byte {i}: {out}")
    # The hashes and the signature are where a forger would change something: those say invalid.
    n = 2 + len(fields["kid"])
    for i in list(range(n + 25, n + 73)) + list(range(len(payload), len(raw))):
        check(i in seen.get("invalid", []), f"byte {i} changed: {sorted((k, len(v)) for k, v in seen.items())}")

    tmp = tempfile.mkdtemp(prefix="dangan-cert-")
    try:
        rogue = rogue_key(tmp)
        # Signed by a key that is not published (an id of its own, or the real id).
        for kid in ("rogue", fields["kid"]):
            forged = forge(make_payload(kid, cert["number"], fields["issued_on"], fields["valid_until"],
                                        fields["subject_hash"], fields["content_hash"]), rogue, tmp)
            out = verified(server, {"code": forged}, want="invalid")
            check(out["certificate"] is None and out["content"] is None, out)
        # A well-formed code of a number never issued, signed by a rogue key: invalid, not unknown.
        forged = forge(make_payload("rogue", never, fields["issued_on"], fields["valid_until"],
                                    fields["subject_hash"], fields["content_hash"]), rogue, tmp)
        verified(server, {"code": forged}, want="invalid")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # The untouched code is still genuine, and its checks counted only the genuine tries? At least one.
    verified(server, {"code": code})


@test
def photos_of_the_qr_verify(ctx):
    rig = shared(ctx)
    server = rig.server
    zhang = rig.citizen("zhang")
    cert = issued(zhang, location_body(purpose="litigation"))
    pdf, _ = pdf_bytes(zhang, cert)
    tmp = tempfile.mkdtemp(prefix="dangan-cert-")
    try:
        path = os.path.join(tmp, "c.pdf")
        with open(path, "wb") as f:
            f.write(pdf)
        subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", path, os.path.join(tmp, "scan")],
                       check=True, timeout=120)
        # The whole page as a small, coarse JPEG: 1200 px high (about 100 dpi, 3 pixels a module of the
        # 42 mm version-12 QR). At 900 px (2 pixels a module) neither the server nor zbarimg reads it.
        subprocess.run(["pdftoppm", "-jpeg", "-jpegopt", "quality=40", "-scale-to", "1200", "-singlefile", path,
                        os.path.join(tmp, "small")], check=True, timeout=120)
        shots = [("scan.png", "image/png"), ("small.jpg", "image/jpeg")]
        with open(os.path.join(tmp, "photo.jpg"), "wb") as f:
            f.write(photo.photo_jpeg(path, angle=8, quality=45, scale=0.8))
        shots.append(("photo.jpg", "image/jpeg"))
        for name, ctype in shots:
            with open(os.path.join(tmp, name), "rb") as f:
                data = f.read()
            out = verified(server, data, ctype)
            check(out["method"] == "photo" and out["content"] == cert["content"], f"{name}: {out}")
            check_public(out["certificate"], cert)
        # A picture without any QR code: 422 asking for a better photo.
        blank = photo.write_png(400, 300, bytes([235]) * (400 * 300))
        status, _, err = verify(server, blank, "image/png")
        check_code(status, err, 422, "qr_not_found")
        check(any("\u4e00" <= ch <= "\u9fff" for ch in err["error"]["message"]), err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    view = mine(zhang, cert["id"])
    check(view["check_count"] == 3 and [c["method"] for c in view["checks"]] == ["photo"] * 3, view["checks"])


# ---- Revoking, expiry ----

@test
def clerk_revokes_and_the_verify_says_revoked(ctx):
    rig = shared(ctx)
    server = rig.server
    clerk = clerk_of(rig, "2201")     # a city-wide grant: the online hall's certificates are in scope
    wang = rig.citizen("wang")
    cert = issued(wang, location_body(purpose="insurance"))
    code = code_of(cert)
    verified(server, {"code": code})
    path = f"{ISSUE}/{cert['id']}/revoke"
    for body in ({}, {"reason": ""}, {"reason": "错"}, {"reason": "撤" * 201}):
        status, _, err = clerk.call("POST", path, body)
        check_field_error(status, err, 400, "reason", "reason_required" if len(body.get("reason", "")) < 2 else None)
    status, _, err = wang.call("POST", path, {"reason": "我不要了"})
    check(status == 403, f"a citizen cannot revoke: {status} {err}")
    status, _, err = clerk.call("POST", f"{ISSUE}/no-such-certificate/revoke", {"reason": "测试撤销"})
    check(status == 404, f"unknown id: {status} {err}")
    status, _, out = clerk.call("POST", path, {"reason": "当事人申请作废"})
    check(status == 200, f"revoke: {status} {out}")
    r = out["certificate"]
    check(r["status"] == "revoked" and r["status_label"] == "已撤销" and r["revoke_reason"] == "当事人申请作废", r)
    check(r["revoked_at"] and r["revoked_at"].endswith("+08:00") and r["revoked_by"] == clerk.subject, r)
    status, _, err = clerk.call("POST", path, {"reason": "再撤一次"})
    check_code(status, err, 409, "already_revoked")

    out = verified(server, {"code": code}, want="revoked")
    check_public(out["certificate"], cert, revoked=True)
    check(out["certificate"]["revoked_at"] == r["revoked_at"], out)
    out = verified(server, {"number": cert["number"]}, want="revoked")
    check(out["content"] is None, out)
    pdf, _ = pdf_bytes(wang, cert)
    out = verified(server, pdf, "application/pdf", want="revoked")
    check(out["pdf"]["matches"] is True, out)
    view = mine(wang, cert["id"])
    check(view["status"] == "revoked" and view["revoked_at"] == r["revoked_at"], view)
    check(view["revoke_reason"] == "当事人申请作废", view)
    check([c["result"] for c in view["checks"][:3]] == ["revoked"] * 3 and view["checks"][-1]["result"] == "genuine",
          view["checks"])
    rows = audit_rows(server, "certificate.revoke", f"AND actor_id = '{clerk.subject}'")
    check(len(rows) == 1 and rows[0][2] == person_id_of(server, "wang"), rows)
    check(cert["id"] in rows[0][3] or cert["number"] in rows[0][3], rows)


@test
def expired_after_the_last_valid_day(ctx):
    with own_rig(ctx, clock=True, env={"DANGAN_CERTIFICATES_VALIDITY_DAYS": "30"}) as rig:
        server = rig.server
        zhang = rig.citizen("zhang")
        cert = issued(zhang, location_body(purpose="personal"))
        issued_on = datetime.date.fromisoformat(cert["issued_on"])
        last = datetime.date.fromisoformat(cert["valid_until"])
        check(last - issued_on == datetime.timedelta(days=29), f"30 days counting the first: {issued_on} … {last}")
        code = code_of(cert)
        SH = datetime.timezone(datetime.timedelta(hours=8))
        rig.set_clock(datetime.datetime(last.year, last.month, last.day, 23, 0, tzinfo=SH))
        verified(server, {"code": code})   # the last day is still valid
        rig.set_clock(datetime.datetime(last.year, last.month, last.day, 23, 59, 50, tzinfo=SH)
                      + datetime.timedelta(minutes=30))
        out = verified(server, {"code": code}, want="expired")
        check_public(out["certificate"], cert)
        out = verified(server, {"number": cert["number"]}, want="expired")
        check(out["content"] is None, out)
        zhang = rig.citizen("zhang")   # a session valid at the moved clock
        view = mine(zhang, cert["id"])
        check(view["status"] == "expired" and view["status_label"] == "已过期", view)
        check([c["result"] for c in view["checks"]] == ["expired", "expired", "genuine"], view["checks"])
        # A clerk may still revoke an expired certificate; it then says revoked.
        clerk = clerk_of(rig)
        status, _, out = clerk.call("POST", f"{ISSUE}/{cert['id']}/revoke", {"reason": "过期后作废"})
        check(status == 200 and out["certificate"]["status"] == "revoked", f"{status} {out}")
        verified(server, {"code": code}, want="revoked")


# ---- Round trip: PDF → image → zbar → online and offline ----

@test
def round_trip_through_pdftoppm_and_zbar_online_and_offline(ctx):
    rig = shared(ctx)
    server = rig.server
    clerk = clerk_of(rig)
    cert = issued(clerk, location_body(id_number=DEMO["zhang"][1], branch_code=HALL, purpose="retirement"))
    pdf, _ = pdf_bytes(clerk, cert)
    keys, _ = keys_json(server)
    tmp = tempfile.mkdtemp(prefix="dangan-cert-")
    try:
        files = {name: os.path.join(tmp, name) for name in ("c.pdf", "keys.json", "code.txt", "other-keys.json")}
        with open(files["c.pdf"], "wb") as f:
            f.write(pdf)
        with open(files["keys.json"], "w") as f:
            json.dump(keys, f)
        subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", files["c.pdf"], os.path.join(tmp, "page")],
                       check=True, timeout=120)
        png = os.path.join(tmp, "page.png")
        scan = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True, timeout=60)
        check(scan.returncode == 0, f"zbarimg: {scan.returncode} {scan.stderr}")
        text = scan.stdout.strip()
        check(text == cert["verify_url"], f"the QR holds the verify URL: {text!r} vs {cert['verify_url']!r}")
        out = verified(server, {"code": text})
        check(out["content"] == cert["content"], out)
        with open(files["code.txt"], "w") as f:
            f.write(text + "\n")

        def cli(*args):
            return run_cli("cert", "verify", *args, timeout=120)

        for arg in (text, code_of(cert), files["c.pdf"], png, files["code.txt"]):
            r = cli(arg, "--keys", files["keys.json"])
            check(r.returncode == 0 and r.stdout.startswith("VALID"), f"{arg}: {r.returncode} {r.stdout} {r.stderr}")
            check(cert["number"] in r.stdout or cert["number_display"] in r.stdout, f"the signed facts: {r.stdout}")
        # The subject, for whoever has the person before them: the right ID number and name agree.
        r = cli(text, "--keys", files["keys.json"], "--id-number", DEMO["zhang"][1], "--name", "张伟")
        check(r.returncode == 0 and r.stdout.startswith("VALID") and "相符" in r.stdout, f"{r.returncode} {r.stdout}")
        for id_number, name in ((DEMO["zhang"][1], "张伟伟"), (DEMO["wang"][1], "张伟")):
            r = cli(text, "--keys", files["keys.json"], "--id-number", id_number, "--name", name)
            check(r.returncode == 1 and r.stdout.startswith("INVALID"), f"{name}: {r.returncode} {r.stdout}")
        # One changed byte: INVALID; after the last valid day: EXPIRED; both exit 1.
        fields, payload, signature = split_code(code_of(cert))
        changed = bytearray(payload + signature)
        changed[len(payload) - 1] ^= 1
        r = cli(b32encode(bytes(changed)), "--keys", files["keys.json"])
        check(r.returncode == 1 and r.stdout.startswith("INVALID"), f"{r.returncode} {r.stdout} {r.stderr}")
        last = datetime.date.fromisoformat(cert["valid_until"])
        r = cli(text, "--keys", files["keys.json"], "--today", str(last))
        check(r.returncode == 0 and r.stdout.startswith("VALID"), f"last day: {r.returncode} {r.stdout}")
        r = cli(text, "--keys", files["keys.json"], "--today", str(last + datetime.timedelta(days=1)))
        check(r.returncode == 1 and r.stdout.startswith("EXPIRED"), f"{r.returncode} {r.stdout} {r.stderr}")
        # Keys that do not include the signer: INVALID, offline as online.
        with open(files["other-keys.json"], "w") as f:
            json.dump(dict(keys, keys=[]), f)
        r = cli(text, "--keys", files["other-keys.json"])
        check(r.returncode == 1 and r.stdout.startswith("INVALID"), f"{r.returncode} {r.stdout} {r.stderr}")
        forged = forge(payload, rogue_key(tmp), tmp)
        r = cli(forged, "--keys", files["keys.json"])
        check(r.returncode == 1 and r.stdout.startswith("INVALID"), f"rogue: {r.returncode} {r.stdout} {r.stderr}")
        # Usage errors: exit 2.
        for args in ((text,), ("--keys", files["keys.json"]), (text, "--keys", os.path.join(tmp, "none.json")),
                     (text, "--keys", files["keys.json"], "--today", "2026-02-30")):
            r = cli(*args)
            check(r.returncode == 2, f"{args}: {r.returncode} {r.stdout} {r.stderr}")
        r = cli("not a certificate", "--keys", files["keys.json"])
        check(r.returncode == 1 and r.stdout.startswith("INVALID"), f"{r.returncode} {r.stdout} {r.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- The holder's view, the reprint ----

@test
def holder_sees_every_check(ctx):
    rig = shared(ctx)
    server = rig.server
    liu = rig.citizen("liu")
    cert = issued(liu, location_body(purpose="notary"))
    # 刘秀英's archive is held by the Nanguan district bureau; issued online, the number still
    # carries the online hall's district.
    check_number(cert["number"], ONLINE_DISTRICT, int(cert["issued_on"][:4]))
    pdf, _ = pdf_bytes(liu, cert)
    counts = []
    for body, ctype in (({"code": cert["verify_url"]}, None), ({"number": cert["number"]}, None),
                        (pdf, "application/pdf"), ({"code": code_of(cert)}, None)):
        verified(server, body, ctype)
        view = mine(liu, cert["id"])
        counts.append(view["check_count"])
    check(counts == [1, 2, 3, 4], f"check_count grows with each verification: {counts}")
    check([c["method"] for c in view["checks"]] == ["qr", "pdf", "number", "qr"], view["checks"])
    check(all(c["result"] == "genuine" and c["at"].endswith("+08:00") for c in view["checks"]), view["checks"])
    check(view["last_checked_at"] == view["checks"][0]["at"], view)
    ats = [c["at"] for c in view["checks"]]
    check(ats == sorted(ats, reverse=True), "newest first")
    (listed,) = [c for c in liu.call("GET", MINE)[2]["certificates"] if c["id"] == cert["id"]]
    check(listed["check_count"] == 4 and listed["last_checked_at"] == view["last_checked_at"], listed)
    # Staff see the checks too; another citizen sees nothing.
    clerk = clerk_of(rig, "2201")
    status, _, staff_view = clerk.call("GET", f"{ISSUE}/{cert['id']}", purpose="核对证明")
    check(status == 200 and staff_view["certificate"]["check_count"] == 4, f"{status} {staff_view}")
    check(len(staff_view["certificate"]["checks"]) == 4, staff_view)
    status, _, err = rig.citizen("zhang").call("GET", f"{MINE}/{cert['id']}")
    check_code(status, err, 404, "certificate_not_found")
    # A failed try (unknown number, a tampered code) counts on no certificate.
    fields, payload, signature = split_code(code_of(cert))
    tampered = bytearray(payload + signature)
    tampered[len(payload) - 2] ^= 1
    verified(server, {"code": b32encode(bytes(tampered))}, want="invalid")
    check(mine(liu, cert["id"])["check_count"] == 4, "a forged code is not a check of this certificate")


@test
def reprint_is_the_same_file(ctx):
    rig = shared(ctx)
    server = rig.server
    zhao_clerk = clerk_of(rig)
    zhang = rig.citizen("zhang")
    cert = issued(zhang, location_body(purpose="personal"))
    first, hdrs = pdf_bytes(zhang, cert)
    check(hdrs.get("content-disposition") == f'inline; filename="chadang-{cert["number"]}.pdf"', hdrs)
    again, _ = pdf_bytes(zhang, cert)
    check(first == again, "byte for byte the same file")
    check(hashlib.new("sm3", first).hexdigest() == cert["pdf_sm3"], "pdf_sm3 is the SM3 of the file")
    if shutil.which("openssl"):
        out = subprocess.run(["openssl", "dgst", "-sm3"], input=first, capture_output=True, timeout=30)
        if out.returncode == 0:
            check(cert["pdf_sm3"] in out.stdout.decode(), f"openssl dgst -sm3: {out.stdout}")
    staff_copy, _ = pdf_bytes(zhao_clerk, cert)
    check(staff_copy == first, "the window reprints the same file")
    check(b"DanganCertificate" in first and code_of(cert).encode() in first,
          "the PDF's metadata carries the code (DanganCertificate)")
    check(first.count(b"/Type /Page") - first.count(b"/Type /Pages") == 1 or b"/Count 1" in first, "one A4 page")
    check(re.search(rb"/MediaBox \[ ?0 0 595\.2\d* 841\.8\d* ?\]", first), "A4")
    rows = audit_rows(server, "certificate.pdf", f"AND actor_id = '{zhao_clerk.subject}'")
    check(rows, "the window's reprint is audited")
    status, _, _ = call(server, "GET", f"{ISSUE}/no-such-certificate/pdf", headers=zhao_clerk.headers())
    check(status == 404, f"unknown: {status}")


# ---- Keys: rotation, and a server without a signing key ----

@test
def rotated_keys_keep_old_certificates_valid(ctx):
    keydir = tempfile.mkdtemp(prefix="dangan-certkeys-")
    env = {"DANGAN_SECURITY_KEY_FILE": os.path.join(keydir, "keys.txt"),
           "DANGAN_CERTIFICATES_KEY_DIR": os.path.join(keydir, "cert-keys")}
    db_url = ctx.new_db_url()
    try:
        with own_rig(ctx, env=env, db_url=db_url) as rig:
            keys, _ = keys_json(rig.server)
            (old,) = keys["keys"]
            cert = issued(rig.citizen("zhang"), location_body())
        r = run_cli("cert", "keygen", "--id", "zz-next", env=env)
        check(r.returncode == 0, f"keygen: {r.returncode} {r.stdout} {r.stderr}")
        r = run_cli("cert", "keys", env=env)
        check(r.returncode == 0 and "zz-next" in r.stdout and old["kid"] in r.stdout, f"{r.stdout} {r.stderr}")
        with own_rig(ctx, env=env, db_url=db_url, demo=False) as rig:
            keys, _ = keys_json(rig.server)
            status = {k["kid"]: k["status"] for k in keys["keys"]}
            check(status == {old["kid"]: "published", "zz-next": "active"}, f"the greatest id signs: {status}")
            verified(rig.server, {"code": code_of(cert)})
            new = issued(rig.citizen("zhang"), location_body())
            check(split_code(code_of(new))[0]["kid"] == "zz-next", new["verify_url"])
            keyfile = os.path.join(keydir, "keys.json")
            with open(keyfile, "w") as f:
                json.dump(keys, f)
            for c in (cert, new):
                r = run_cli("cert", "verify", code_of(c), "--keys", keyfile)
                check(r.returncode == 0 and r.stdout.startswith("VALID"), f"{r.returncode} {r.stdout} {r.stderr}")
        # Retired: the old key's private half destroyed, its public half kept as <kid>.pub.pem → still published.
        with open(os.path.join(keydir, "cert-keys", f"{old['kid']}.pub.pem"), "w") as f:
            f.write(old["public_key_pem"])
        os.unlink(os.path.join(keydir, "cert-keys", f"{old['kid']}.pem"))
        with own_rig(ctx, env=env, db_url=db_url, demo=False) as rig:
            status = {k["kid"]: k["status"] for k in keys_json(rig.server)[0]["keys"]}
            check(status == {old["kid"]: "published", "zz-next": "active"}, status)
            verified(rig.server, {"code": code_of(cert)})
    finally:
        shutil.rmtree(keydir, ignore_errors=True)
