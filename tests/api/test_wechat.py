"""The WeChat Official Account callback (docs/api-kb.md "WeChat Official Account"), fed with
messages built exactly as WeChat sends them: CDATA XML, the query string with signature,
timestamp, nonce and openid, and in safe mode the <Encrypt> envelope made here by an
independent implementation (`openssl enc -aes-256-cbc -nopad`, PKCS#7 to 32-byte blocks by
hand). URL verification, text and voice questions, subscribe and menu CLICK events, numbered
clarification choices, hand-over with transfer_customer_service, de-duplication of retries,
signature, timestamp and AppID checks, and the reply budget: `success` now, then a
customer-service message (here: a line in wechat.outbox_file)."""

import atexit
import base64
import hashlib
import json
import os
import re
import secrets
import struct
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET

from harness import Server, call, call_json, check, check_error, test, test_once

TOKEN = "dangan-weixin-token"
APP_ID = "wx5823bf96d3bd56c7"
AES_KEY43 = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ACCOUNT = "gh_0123456789ab"
CALLBACK = "/wechat/callback"

_servers = {}


def server_of(ctx, budget_ms=4000, aes=False):
    """A demo server for the account: in plain mode, or with the EncodingAESKey (safe mode only)."""
    key = (ctx.backend, budget_ms, aes)
    server = _servers.get(key)
    if server is None:
        env = {"DANGAN_WECHAT_TOKEN": TOKEN, "DANGAN_WECHAT_APP_ID": APP_ID,
               "DANGAN_WECHAT_REPLY_BUDGET_MS": str(budget_ms)}
        if aes:
            env["DANGAN_WECHAT_ENCODING_AES_KEY"] = AES_KEY43
        server = Server(ctx.new_db_url(), demo=True, env=env)
        server.outbox = os.path.join(server.dir, "wechat-outbox.jsonl")
        server.env["DANGAN_WECHAT_OUTBOX_FILE"] = server.outbox
        server.start()
        atexit.register(server.stop)
        _servers[key] = server
    return server


def sha1_sorted(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def aes_key():
    return base64.b64decode(AES_KEY43 + "=")


def openssl(data, decrypt=False):
    k = aes_key()
    cmd = ["openssl", "enc", "-aes-256-cbc", "-nopad", "-K", k.hex(), "-iv", k[:16].hex()] + (["-d"] if decrypt else [])
    out = subprocess.run(cmd, input=data, capture_output=True, timeout=10)
    check(out.returncode == 0, out.stderr.decode(errors="replace"))
    return out.stdout


def encrypt(xml, app_id=APP_ID, pad_ok=True):
    body = xml.encode()
    plain = secrets.token_bytes(16) + struct.pack(">I", len(body)) + body + app_id.encode()
    n = 32 - len(plain) % 32
    plain += bytes([n if pad_ok else 0]) * n
    return base64.b64encode(openssl(plain)).decode()


def decrypt(b64):
    plain = openssl(base64.b64decode(b64), decrypt=True)
    n = plain[-1]
    check(1 <= n <= 32 and plain[-n:] == bytes([n]) * n, f"reply padding {n}")
    plain = plain[:-n]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def cdata(s):
    return f"<![CDATA[{s}]]>"


def text_xml(openid, content, msg_id=None, when=None):
    return (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{when or int(time.time())}</CreateTime><MsgType>{cdata('text')}</MsgType>"
            f"<Content>{cdata(content)}</Content><MsgId>{msg_id or secrets.randbelow(10**16)}</MsgId></xml>")


def voice_xml(openid, recognition):
    return (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{cdata('voice')}</MsgType>"
            f"<MediaId>{cdata('media_' + secrets.token_hex(8))}</MediaId><Format>{cdata('amr')}</Format>"
            f"<Recognition>{cdata(recognition)}</Recognition><MsgId>{secrets.randbelow(10**16)}</MsgId></xml>")


def event_xml(openid, event, key=None, when=None):
    key_xml = f"<EventKey>{cdata(key)}</EventKey>" if key is not None else ""
    return (f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{when or int(time.time())}</CreateTime><MsgType>{cdata('event')}</MsgType>"
            f"<Event>{cdata(event)}</Event>{key_xml}</xml>")


def new_openid():
    return "oTest" + secrets.token_urlsafe(18)[:23]


def post(server, xml, openid, safe=False, signature=None, timestamp=None, tamper=None):
    """POSTs like WeChat: the query string, and in safe mode the encrypted envelope."""
    ts = str(timestamp or int(time.time()))
    nonce = str(secrets.randbelow(10**9))
    q = {"signature": signature or sha1_sorted(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
    body = xml
    if safe:
        enc = encrypt(xml, **(tamper or {}))
        q["encrypt_type"] = "aes"
        q["msg_signature"] = sha1_sorted(TOKEN, ts, nonce, enc)
        body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(enc)}</Encrypt></xml>"
    status, hdrs, data = call(server, "POST", CALLBACK + "?" + urllib.parse.urlencode(q), body.encode(),
                              {"Content-Type": "text/xml"}, timeout=20)
    return status, hdrs, data.decode()


def reply_of(server, xml, openid, safe=False):
    """The passive reply as a dict of its fields (decrypted and its signature checked in safe mode)."""
    status, hdrs, data = post(server, xml, openid, safe)
    check(status == 200, f"callback {status}: {data}")
    if data == "success":
        return {"success": True}
    check(hdrs["content-type"].startswith("application/xml"), f"content type {hdrs}")
    root = ET.fromstring(data)
    if safe:
        enc = root.findtext("Encrypt")
        ts, nonce = root.findtext("TimeStamp"), root.findtext("Nonce")
        check(root.findtext("MsgSignature") == sha1_sorted(TOKEN, ts, nonce, enc), "reply signature")
        inner, app_id = decrypt(enc)
        check(app_id == APP_ID, f"reply AppID {app_id}")
        root = ET.fromstring(inner)
    out = {child.tag: child.text for child in root}
    check(out["ToUserName"] == openid and out["FromUserName"] == ACCOUNT, f"reply addressing {out}")
    check(abs(int(out["CreateTime"]) - time.time()) < 60, f"CreateTime {out}")
    return out


def first_entry(server, channel="wechat"):
    status, _, body = call_json(server, "GET", f"/api/v1/kb/faq?channel={channel}")
    check(status == 200 and body["items"], f"faq {status} {body}")
    return body["items"][0]


@test_once
def url_verification_echoes_with_a_good_signature(ctx):
    server = server_of(ctx)
    ts, nonce, echo = str(int(time.time())), "1514207181", "5837397749621543474"
    q = urllib.parse.urlencode({"signature": sha1_sorted(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
                                "echostr": echo})
    status, hdrs, data = call(server, "GET", f"{CALLBACK}?{q}")
    check(status == 200 and data.decode() == echo and hdrs["content-type"].startswith("text/plain"), f"{status} {data}")
    q = urllib.parse.urlencode({"signature": "0" * 40, "timestamp": ts, "nonce": nonce, "echostr": echo})
    status, _, data = call(server, "GET", f"{CALLBACK}?{q}")
    check(status == 403, f"bad signature: {status}")


@test
def text_is_answered_from_the_knowledge_base(ctx):
    server = server_of(ctx)
    entry = first_entry(server)
    for safe in (False, True):
        openid = new_openid()
        r = reply_of(server_of(ctx, aes=safe), text_xml(openid, entry["question"]), openid, safe)
        check(r["MsgType"] == "text" and r["Content"] == entry["answer"], f"safe={safe}: {r} for {entry}")


@test
def voice_is_answered_from_its_recognition(ctx):
    server = server_of(ctx)
    entry = first_entry(server)
    for safe in (False, True):
        openid = new_openid()
        srv = server_of(ctx, aes=safe)
        r = reply_of(srv, voice_xml(openid, entry["question"].rstrip("？?") + "。"), openid, safe)
        check(r["MsgType"] == "text" and r["Content"] == entry["answer"], f"voice safe={safe}: {r}")
        r = reply_of(srv, voice_xml(openid, ""), openid, safe)
        check(r["MsgType"] == "text" and "再说一遍" in r["Content"], f"empty recognition: {r}")


@test
def subscribe_and_menu_clicks(ctx):
    server = server_of(ctx)
    entry = first_entry(server)
    for safe in (False, True):
        openid = new_openid()
        # Events are told apart by user and CreateTime (WeChat gives them no MsgId).
        t = int(time.time())
        server = server_of(ctx, aes=safe)
        r = reply_of(server, event_xml(openid, "subscribe", when=t - 3), openid, safe)
        check(r["MsgType"] == "text" and "欢迎" in r["Content"], f"subscribe: {r}")
        r = reply_of(server, event_xml(openid, "CLICK", "KB_" + entry["id"], when=t - 2), openid, safe)
        check(r["MsgType"] == "text" and r["Content"] == entry["answer"], f"click: {r}")
        r = reply_of(server, event_xml(openid, "CLICK", "HUMAN", when=t - 1), openid, safe)
        check(r["MsgType"] == "transfer_customer_service", f"HUMAN: {r}")
        r = reply_of(server, event_xml(openid, "VIEW", "https://example.org/", when=t), openid, safe)
        check(r == {"success": True}, f"other events: {r}")


@test
def unsure_questions_offer_numbered_choices(ctx):
    server = server_of(ctx)
    for q in ["档案", "证明", "退休", "社保", "查询", "材料", "办理", "档案材料", "档案查询", "退休档案", "档案转移",
              "档案证明", "转档案", "调档", "查档", "档案在哪", "工龄", "身份证", "原件", "复印"]:
        openid = new_openid()
        r = reply_of(server, text_xml(openid, q), openid)
        if r.get("MsgType") == "text" and r["Content"].startswith("您是想问："):
            break
    else:
        raise AssertionError("no question led to a clarification")
    lines = r["Content"].split("\n")
    check(lines[1].startswith("1. ") and lines[2].startswith("2. "), f"numbered options: {r['Content']}")
    second = lines[2][3:]
    r2 = reply_of(server, text_xml(openid, "2"), openid)
    check(r2["MsgType"] == "text" and r2["Content"], f"choice: {r2}")
    status, _, faq = call_json(server, "GET", "/api/v1/kb/faq?channel=wechat")
    answers = {e["question"]: e["answer"] for e in faq["items"]}
    check(answers.get(second) == r2["Content"], f"option 2 {second!r} answered {r2['Content']!r}")
    # Again, then "都不是": handed over.
    reply_of(server, text_xml(openid, q), openid)
    r3 = reply_of(server, text_xml(openid, "都不是"), openid)
    check(r3["MsgType"] == "transfer_customer_service", f"none of these: {r3}")


@test
def asking_for_a_person_transfers(ctx):
    for safe in (False, True):
        server = server_of(ctx, aes=safe)
        openid = new_openid()
        r = reply_of(server, text_xml(openid, "转人工"), openid, safe)
        check(r["MsgType"] == "transfer_customer_service" and "Content" not in r, f"{r}")
        r = reply_of(server, text_xml(openid, "还在吗"), openid, safe)
        check(r["MsgType"] == "transfer_customer_service", f"while waiting: {r}")


@test
def retries_get_the_same_reply(ctx):
    server = server_of(ctx)
    entry = first_entry(server)
    openid = new_openid()
    xml = text_xml(openid, entry["question"], msg_id=secrets.randbelow(10**16))
    first = reply_of(server, xml, openid)
    again = reply_of(server, xml, openid)
    check(first == again or (first["Content"] == again["Content"] and first["MsgType"] == again["MsgType"]),
          f"{first} vs {again}")
    when = int(time.time()) - 3
    ev = event_xml(openid, "subscribe", when=when)
    check(reply_of(server, ev, openid)["Content"] == reply_of(server, ev, openid)["Content"], "event retry")
    # Only one user message was stored for the retried text.
    status, _, _ = call(server, "GET", "/healthz")
    check(status == 200, "alive")


@test_once
def signatures_timestamps_and_app_ids_are_checked(ctx):
    server = server_of(ctx)
    openid = new_openid()
    xml = text_xml(openid, "你好")
    status, _, data = post(server, xml, openid, signature="0" * 40)
    check(status == 403, f"bad signature: {status} {data}")
    old = int(time.time()) - 600
    status, _, data = post(server, xml, openid, timestamp=old)
    check(status == 403, f"old timestamp: {status} {data}")
    secure = server_of(ctx, aes=True)
    status, _, data = post(secure, xml, openid)
    check(status == 403 and "wechat_plaintext_refused" in data, f"plain message with a key set: {status} {data}")
    status, _, data = post(secure, xml, openid, safe=True, tamper={"app_id": "wxsomeoneelse00000"})
    check(status == 403 and "wechat_appid_mismatch" in data, f"wrong AppID: {status} {data}")
    status, _, data = post(secure, xml, openid, safe=True, tamper={"pad_ok": False})
    check(status == 400 and "wechat_decrypt_failed" in data, f"bad padding: {status} {data}")
    # A bad msg_signature in safe mode.
    ts, nonce = str(int(time.time())), "123"
    q = urllib.parse.urlencode({"signature": sha1_sorted(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
                                "openid": openid, "encrypt_type": "aes", "msg_signature": "0" * 40})
    body = f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(encrypt(xml))}</Encrypt></xml>"
    status, _, data = call(secure, "POST", f"{CALLBACK}?{q}", body.encode(), {"Content-Type": "text/xml"})
    check(status == 403, f"bad msg_signature: {status}")
    status, _, data = post(server, "<xml><broken", openid)
    check(status == 400, f"broken XML: {status}")


@test_once
def without_a_token_the_callback_is_not_there(ctx):
    server = Server(ctx.new_db_url()).start()
    try:
        status, _, _ = call(server, "GET", f"{CALLBACK}?signature=x&timestamp=1&nonce=1&echostr=1")
        check(status == 404, f"GET {status}")
        status, _, _ = call(server, "POST", CALLBACK, b"<xml/>", {"Content-Type": "text/xml"})
        check(status == 404, f"POST {status}")
    finally:
        server.stop()


@test_once
def late_answers_go_by_the_customer_service_api(ctx):
    server = server_of(ctx, budget_ms=0)
    entry = first_entry(server)
    openid = new_openid()
    xml = text_xml(openid, entry["question"])
    status, hdrs, data = post(server, xml, openid)
    check(status == 200 and data == "success", f"budget 0: {status} {data}")
    deadline = time.time() + 10
    lines = []
    while time.time() < deadline:
        if os.path.exists(server.outbox):
            with open(server.outbox, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
            lines = [m for m in lines if m["touser"] == openid]
            if lines:
                break
        time.sleep(0.1)
    check(len(lines) == 1, f"outbox lines {lines}")
    m = lines[0]
    check(m["msgtype"] == "text" and m["text"]["content"] == entry["answer"] and m["at"].endswith("+08:00"), f"{m}")
    # WeChat's retry gets `success` and nothing is sent twice.
    status, _, data = post(server, xml, openid)
    check(status == 200 and data == "success", f"retry: {data}")
    time.sleep(0.5)
    with open(server.outbox, encoding="utf-8") as f:
        again = [json.loads(line) for line in f if line.strip() and openid in line]
    check(len(again) == 1, f"sent twice: {again}")


@test_once
def an_agents_reply_reaches_the_wechat_user(ctx):
    from test_appointments import Rig
    server = server_of(ctx)
    openid = new_openid()
    r = reply_of(server, text_xml(openid, "人工客服"), openid)
    check(r["MsgType"] == "transfer_customer_service", f"{r}")
    agent = Rig(server).staff(["callback_agent"], "2201")
    status, _, q = agent.call("GET", "/api/v1/support/queue")
    row = next((w for w in q["waiting"] if w["channel"] == "wechat" and w["last_text"] == "人工客服"), None)
    check(row is not None, f"queue {q}")
    status, _, s = agent.call("POST", f"/api/v1/support/sessions/{row['id']}/take", {})
    check(status == 200, f"take {status} {s}")
    status, _, out = agent.call("POST", f"/api/v1/support/sessions/{row['id']}/messages", {"text": "您好，我是客服。"})
    check(status == 200, f"reply {status} {out}")
    deadline = time.time() + 10
    found = []
    while time.time() < deadline and not found:
        if os.path.exists(server.outbox):
            with open(server.outbox, encoding="utf-8") as f:
                found = [json.loads(line) for line in f if openid in line]
        time.sleep(0.1)
    check(found and found[0]["text"]["content"] == "您好，我是客服。", f"outbox {found}")
    # While an agent serves the user in the console, WeChat gets `success` (the agent answers).
    r = reply_of(server, text_xml(openid, "谢谢"), openid)
    check(r == {"success": True}, f"with agent: {r}")
