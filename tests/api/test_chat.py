"""Chat, 在线客服 and speech over HTTP (docs/api-kb.md "Chat", "在线客服", "Speech"): a session
with its secret token, the robot's answer, a clarification and its choice, hand-over after a
failed clarification, two misses or a request for a person, an agent taking, replying and
closing (audited), long polls that wake within their wait, idle sessions closing, the limits,
and GET /api/v1/tts (a WAV, its cache and 304).

One demo server per backend (the demo knowledge base is published on it); staff sessions are
written straight into the database (test_appointments' Rig)."""

import json
import struct
import threading
import time

from harness import Server, call, call_json, check, check_error, test, test_once
from test_appointments import shared as shared_rig
from test_identity_citizen import audit_rows, sql

SESSIONS = "/api/v1/chat/sessions"
QUEUE = "/api/v1/support/queue"

def rig_of(ctx):
    return shared_rig(ctx, "chat")


class Chat:
    """A citizen's chat session: its id and token."""

    def __init__(self, rig, channel="web", headers=None):
        self.rig = rig
        status, _, body = call_json(rig.server, "POST", SESSIONS, {"channel": channel}, headers)
        check(status == 201, f"create session: {status} {body}")
        self.id, self.token, self.created = body["id"], body["token"], body
        self.seq = max(m["seq"] for m in body["messages"])

    def headers(self):
        return {"X-Chat-Token": self.token}

    def post(self, body):
        return call_json(self.rig.server, "POST", f"{SESSIONS}/{self.id}/messages", body, self.headers())

    def say(self, body):
        if isinstance(body, str):
            body = {"text": body}
        status, _, out = self.post(body)
        check(status == 200, f"post {body}: {status} {out}")
        self.seq = max([self.seq] + [m["seq"] for m in out["messages"]])
        return out

    def get(self):
        status, _, out = call_json(self.rig.server, "GET", f"{SESSIONS}/{self.id}", None, self.headers())
        check(status == 200, f"get session: {status} {out}")
        return out

    def poll(self, after, wait=0, timeout=40):
        return call_json_timeout(self.rig.server, "GET", f"{SESSIONS}/{self.id}/messages?after={after}&wait={wait}",
                                 self.headers(), timeout)


def call_json_timeout(server, method, path, headers, timeout):
    status, hdrs, data = call(server, method, path, None, headers, timeout=timeout)
    return status, hdrs, (json.loads(data) if data else None)


def agent(rig, roles=("callback_agent",)):
    return rig.staff(list(roles), "2201")


def published(rig, channel="web"):
    status, _, body = call_json(rig.server, "GET", f"/api/v1/kb/faq?channel={channel}")
    check(status == 200 and body["items"], f"faq: {status} {body}")
    return body["items"]


_unsure = {}


def unsure_question(rig):
    """A question the demo knowledge base is unsure about (found with the editors' try-out)."""
    if rig.server.db_url in _unsure:
        return _unsure[rig.server.db_url]
    editor = rig.staff(["kb_editor"], "2201")
    candidates = ["档案", "证明", "退休", "社保", "查询", "材料", "办理", "档案材料", "档案查询", "退休档案", "档案转移",
                  "档案证明", "转档案", "调档", "查档", "档案在哪", "工龄", "身份证", "原件", "复印"]
    for q in candidates:
        status, _, out = editor.call("POST", "/api/v1/kb/try", {"q": q, "channel": "web"})
        check(status == 200, f"try {q}: {status} {out}")
        if out["verdict"] == "unsure" and len(out["candidates"]) >= 2:
            _unsure[rig.server.db_url] = q
            return q
    raise AssertionError("no unsure question among the candidates")


def none_questions(rig, n=2):
    """Questions the demo knowledge base does not understand at all."""
    editor = rig.staff(["kb_editor"], "2201")
    found = []
    for q in ["今天的足球比赛谁赢了", "明天天气怎么样", "推荐一部好看的电影", "你会唱歌吗", "猫为什么喜欢睡觉",
              "中午吃什么好", "火星上有没有外卖", "股票会涨吗", "月亮有多远", "讲个笑话吧"]:
        status, _, out = editor.call("POST", "/api/v1/kb/try", {"q": q, "channel": "web"})
        check(status == 200, f"try {q}: {status} {out}")
        if out["verdict"] == "none":
            found.append(q)
            if len(found) == n:
                return found
    raise AssertionError(f"only {found} are out of scope")


def unanswered(rig, session_id):
    return sql(rig.server, f"SELECT reason, text FROM kb_unanswered WHERE session_id = '{session_id}' "
                           "ORDER BY created_at_ms, id")


@test
def session_starts_with_a_greeting_and_a_secret_token(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig, "kiosk")
    body = chat.created
    check(len(chat.token) == 64 and all(c in "0123456789abcdef" for c in chat.token), f"token {chat.token}")
    check(body["channel"] == "kiosk" and body["state"] == "bot" and body["state_label"], f"session {body}")
    check([m["kind"] for m in body["messages"]] == ["greeting"], f"messages {body['messages']}")
    m = body["messages"][0]
    check(m["from"] == "bot" and m["seq"] == 1 and m["at"].endswith("+08:00") and m["entry_id"] is None, f"{m}")
    stored = sql(rig.server, f"SELECT token_hash FROM chat_sessions WHERE id = '{chat.id}'")
    check(stored and chat.token not in stored[0][0], "the token is stored hashed")
    status, _, out = call_json(rig.server, "POST", SESSIONS, {"channel": "fax"})
    check_error(status, out, 400, "invalid_channel", "channel")


@test
def the_token_guards_the_session(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig)
    for headers in ({}, {"X-Chat-Token": "0" * 64}, {"X-Chat-Token": "short"}):
        status, _, out = call_json(rig.server, "GET", f"{SESSIONS}/{chat.id}", None, headers)
        check_error(status, out, 403, "chat_token_invalid")
        status, _, out = call_json(rig.server, "POST", f"{SESSIONS}/{chat.id}/messages", {"text": "你好"}, headers)
        check_error(status, out, 403, "chat_token_invalid")
    status, _, out = call_json(rig.server, "GET", f"{SESSIONS}/0190e1f2-7a3b-7c4d-9e5f-0123456789ab", None,
                               chat.headers())
    check_error(status, out, 404, "session_not_found")


@test
def a_clear_question_gets_the_entry_answer(ctx):
    rig = rig_of(ctx)
    entry = published(rig)[0]
    chat = Chat(rig)
    out = chat.say(entry["question"])
    kinds = [(m["from"], m["kind"]) for m in out["messages"]]
    check(kinds == [("user", "text"), ("bot", "answer")], f"messages {out['messages']}")
    check(out["messages"][1]["entry_id"] == entry["id"] and out["messages"][1]["text"] == entry["answer"],
          f"answer {out['messages'][1]} for {entry}")
    check(out["state"] == "bot", f"state {out['state']}")
    check(unanswered(rig, chat.id) == [], "an answered question is not logged")


@test
def unsure_asks_and_a_choice_answers(ctx):
    rig = rig_of(ctx)
    q = unsure_question(rig)
    chat = Chat(rig)
    out = chat.say(q)
    clarify = out["messages"][-1]
    check(clarify["kind"] == "clarify" and clarify["text"].startswith("您是想问：") and "，还是" in clarify["text"],
          f"clarify {clarify}")
    check(len(clarify["options"]) == 2 and all(o["id"] and o["question"] for o in clarify["options"]), f"{clarify}")
    check(out["state"] == "clarifying", out["state"])
    choice = clarify["options"][1]
    out = chat.say({"choice": choice["id"]})
    check([m["kind"] for m in out["messages"]] == ["text", "answer"], f"{out}")
    check(out["messages"][0]["text"] == choice["question"], "the citizen's choice is shown as their message")
    check(out["messages"][1]["entry_id"] == choice["id"] and out["state"] == "bot", f"{out}")


@test
def none_of_these_hands_over_and_is_logged(ctx):
    rig = rig_of(ctx)
    q = unsure_question(rig)
    chat = Chat(rig, "mobile")
    chat.say(q)
    out = chat.say({"choice": None})
    check(out["state"] == "waiting" and out["messages"][-1]["kind"] == "handoff", f"{out}")
    check(["unsure", q] in unanswered(rig, chat.id), f"unanswered {unanswered(rig, chat.id)}")
    # A second session: typing "都不是" works the same.
    chat2 = Chat(rig)
    chat2.say(q)
    out = chat2.say("都不是")
    check(out["state"] == "waiting", f"{out}")


@test
def two_misses_in_a_row_hand_over(ctx):
    rig = rig_of(ctx)
    first, second = none_questions(rig)
    chat = Chat(rig)
    out = chat.say(first)
    check(out["messages"][-1]["kind"] == "rephrase" and out["state"] == "bot", f"{out}")
    out = chat.say(second)
    check(out["messages"][-1]["kind"] == "handoff" and out["state"] == "waiting", f"{out}")
    reasons = [r[0] for r in unanswered(rig, chat.id)]
    check(reasons == ["none", "none"], f"unanswered {reasons}")


@test
def asking_for_a_person_hands_over(ctx):
    rig = rig_of(ctx)
    for body in ({"action": "human"}, {"text": "转人工"}, {"text": "我要人工客服"}):
        chat = Chat(rig)
        out = chat.say(body)
        check(out["state"] == "waiting" and out["messages"][-1]["kind"] == "handoff", f"{body}: {out}")
    chat = Chat(rig)
    status, _, out = chat.post({"action": "robot"})
    check_error(status, out, 400, "invalid_action", "action")


@test
def bad_messages_are_refused(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig)
    status, _, out = chat.post({"text": "  "})
    check_error(status, out, 400, "text_required", "text")
    status, _, out = chat.post({"text": "档" * 301})
    check_error(status, out, 400, "text_too_long", "text")
    status, _, out = chat.post({"choice": None})
    check_error(status, out, 400, "invalid_choice", "choice")
    status, _, out = chat.post({"choice": "kb-99999"})
    check_error(status, out, 400, "invalid_choice", "choice")
    chat.say("档" * 300)  # exactly 300 is fine


@test
def an_agent_takes_replies_and_closes(ctx):
    rig = rig_of(ctx)
    citizen = rig.citizen("zhang")
    status, _, created = citizen.call("POST", SESSIONS, {"channel": "web"})
    check(status == 201, f"{status} {created}")
    chat = Chat.__new__(Chat)
    chat.rig, chat.id, chat.token, chat.seq = rig, created["id"], created["token"], 1
    a, b = agent(rig), agent(rig, ("window_clerk",))
    # Nobody barges into a conversation with the robot: only a hand-over is taken.
    status, _, out = a.call("POST", f"/api/v1/support/sessions/{chat.id}/take", {})
    check_error(status, out, 409, "not_waiting")
    chat.say("转人工")

    status, _, q = a.call("GET", QUEUE)
    check(status == 200 and isinstance(q["version"], int), f"queue {status} {q}")
    row = next((w for w in q["waiting"] if w["id"] == chat.id), None)
    check(row is not None, f"session not waiting in {q}")
    check(row["person"] == {"name": "张*"} and row["last_text"] == "转人工" and row["channel"] == "web", f"row {row}")
    check(row["since"].endswith("+08:00") and row["waited_seconds"] >= 0, f"row {row}")

    status, _, s = a.call("POST", f"/api/v1/support/sessions/{chat.id}/take", {})
    check(status == 200 and s["state"] == "with_agent" and s["agent"] == "测试员", f"take {status} {s}")
    check(s["messages"][-1]["kind"] == "agent_joined" and s["person"] == {"name": "张*"}, f"{s['messages'][-1]}")
    status, _, out = b.call("POST", f"/api/v1/support/sessions/{chat.id}/take", {})
    check_error(status, out, 409, "already_taken")
    check(out["error"].get("agent") == "测试员", f"{out}")
    status, _, q = a.call("GET", QUEUE)
    check(any(m["id"] == chat.id for m in q["mine"]), f"mine {q['mine']}")
    status, _, q = b.call("GET", QUEUE)
    check(any(o["id"] == chat.id and o["agent"] == "测试员" for o in q["others"]), f"others {q['others']}")

    # The citizen now talks to the agent, not the robot.
    out = chat.say(published(rig)[0]["question"])
    check([m["from"] for m in out["messages"]] == ["user"] and out["state"] == "with_agent", f"{out}")
    status, _, out = a.call("POST", f"/api/v1/support/sessions/{chat.id}/messages", {"text": "您好，我来帮您查。"})
    check(status == 200 and out["messages"][0]["from"] == "agent" and out["messages"][0]["agent"] == "测试员",
          f"reply {status} {out}")
    status, _, out = b.call("POST", f"/api/v1/support/sessions/{chat.id}/messages", {"text": "插话"})
    check_error(status, out, 403, "not_your_session")
    status, _, out = a.call("POST", f"/api/v1/support/sessions/{chat.id}/messages", {"text": ""})
    check_error(status, out, 400, "text_required", "text")
    status, _, seen = a.call("GET", f"/api/v1/support/sessions/{chat.id}/messages?after=0")
    check(status == 200 and [m["kind"] for m in seen["messages"]][-3:] == ["agent_joined", "text", "text"], f"{seen}")

    status, _, out = b.call("POST", f"/api/v1/support/sessions/{chat.id}/close", {})
    check_error(status, out, 403, "not_your_session")
    status, _, s = a.call("POST", f"/api/v1/support/sessions/{chat.id}/close", {})
    check(status == 200 and s["state"] == "closed" and s["messages"][-1]["kind"] == "closed", f"close {status} {s}")
    status, _, out = chat.post({"text": "还在吗"})
    check_error(status, out, 409, "session_closed")
    status, _, out = a.call("POST", f"/api/v1/support/sessions/{chat.id}/take", {})
    check_error(status, out, 409, "session_closed")
    for action in ("support.take", "support.reply", "support.close"):
        rows = audit_rows(rig.server, action, f"AND target = 'chat:{chat.id}'")
        check(len(rows) == 1 and rows[0][1] == a.subject and rows[0][2] == citizen.subject, f"{action}: {rows}")
    # Citizens and staff without an agent role may not use the queue.
    status, _, out = call_json(rig.server, "GET", QUEUE)
    check(status == 401, f"anonymous queue: {status}")
    status, _, out = rig.staff(["archivist"], "2201").call("GET", QUEUE)
    check(status == 403, f"archivist queue: {status}")


@test
def long_polls_wake_within_their_wait(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig)
    chat.say({"action": "human"})
    a = agent(rig)
    status, _, q = a.call("GET", QUEUE)
    version = q["version"]

    # The queue's long poll returns once something changes.
    result = {}

    def poll_queue():
        t0 = time.time()
        result["queue"] = (call_json_timeout(rig.server, "GET", f"{QUEUE}?version={version}&wait=20",
                                             a.headers(), 40), time.time() - t0)

    t = threading.Thread(target=poll_queue)
    t.start()
    time.sleep(0.5)
    status, _, s = a.call("POST", f"/api/v1/support/sessions/{chat.id}/take", {})
    check(status == 200, f"take {status} {s}")
    t.join(30)
    (status, _, q2), took = result["queue"]
    check(status == 200 and q2["version"] != version and took < 5, f"queue poll {status} {q2} after {took:.1f}s")

    # The citizen's long poll returns with the agent's message.
    after = chat.get()["messages"][-1]["seq"]

    def poll_chat():
        t0 = time.time()
        result["chat"] = (chat.poll(after, 20), time.time() - t0)

    t = threading.Thread(target=poll_chat)
    t.start()
    time.sleep(0.5)
    status, _, out = a.call("POST", f"/api/v1/support/sessions/{chat.id}/messages", {"text": "请问您要办什么业务？"})
    check(status == 200, f"reply {status} {out}")
    t.join(30)
    (status, _, polled), took = result["chat"]
    check(status == 200 and took < 5, f"chat poll {status} after {took:.1f}s")
    check([m["text"] for m in polled["messages"]] == ["请问您要办什么业务？"] and polled["state"] == "with_agent",
          f"polled {polled}")
    # Nothing new: a short wait answers empty.
    t0 = time.time()
    status, _, polled = chat.poll(polled["messages"][-1]["seq"], 1)
    check(status == 200 and polled["messages"] == [] and 0.8 < time.time() - t0 < 5, f"empty poll {polled}")
    status, _, out = chat.poll("x", 1)
    check_error(status, out, 400, "invalid_after", "after")


@test
def idle_sessions_close(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig)
    sql(rig.server, f"UPDATE chat_sessions SET last_message_at_ms = last_message_at_ms - 31 * 60 * 1000 "
                    f"WHERE id = '{chat.id}'")
    s = chat.get()
    check(s["state"] == "closed" and s["messages"][-1]["kind"] == "closed", f"{s}")
    status, _, out = chat.post({"text": "你好"})
    check_error(status, out, 409, "session_closed")
    status, _, s = call_json(rig.server, "POST", f"{SESSIONS}/{chat.id}/close", {}, chat.headers())
    check(status == 200 and s["state"] == "closed", "closing a closed session is fine")


@test
def the_citizen_may_close(ctx):
    rig = rig_of(ctx)
    chat = Chat(rig)
    status, _, s = call_json(rig.server, "POST", f"{SESSIONS}/{chat.id}/close", {}, chat.headers())
    check(status == 200 and s["state"] == "closed" and s["state_label"] == "已结束", f"{status} {s}")


@test_once
def sessions_are_rate_limited_per_address(ctx):
    server = Server(ctx.new_db_url(), env={"DANGAN_CHAT_SESSIONS_PER_ADDRESS_PER_HOUR": "2"}).start()
    try:
        for _ in range(2):
            status, _, out = call_json(server, "POST", SESSIONS, {"channel": "web"})
            check(status == 201, f"{status} {out}")
        status, _, out = call_json(server, "POST", SESSIONS, {"channel": "web"})
        check_error(status, out, 429, "rate_limited")
    finally:
        server.stop()


def wav_info(data):
    check(data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt ", f"not a WAV: {data[:16]!r}")
    fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[20:36])
    check(data[36:40] == b"data", "data chunk")
    (size,) = struct.unpack("<I", data[40:44])
    check(size == len(data) - 44 and struct.unpack("<I", data[4:8])[0] == len(data) - 8, "chunk sizes")
    return fmt, channels, rate, bits, size


@test_once
def tts_speaks_mandarin_and_caches(ctx):
    rig = rig_of(ctx)
    path = "/api/v1/tts?text=%E6%B2%A1%E5%B8%A6%E8%BA%AB%E4%BB%BD%E8%AF%81%E5%8F%AF%E4%BB%A5%E5%8A%9E%E7%90%86%E5%90%97"
    status, hdrs, data = call(rig.server, "GET", path, timeout=30)
    check(status == 200 and hdrs["content-type"].startswith("audio/wav"), f"tts {status} {hdrs} {data[:200]!r}")
    fmt, channels, rate, bits, size = wav_info(data)
    check((fmt, channels, rate, bits) == (1, 1, 22050, 16) and size > 22050, f"{fmt} {channels} {rate} {bits} {size}")
    check("max-age=86400" in hdrs["cache-control"] and hdrs["etag"].startswith('"'), f"{hdrs}")
    t0 = time.time()
    status, hdrs2, data2 = call(rig.server, "GET", path)
    check(status == 200 and data2 == data and hdrs2["etag"] == hdrs["etag"] and time.time() - t0 < 1, "cached")
    status, hdrs3, data3 = call(rig.server, "GET", path, headers={"If-None-Match": hdrs["etag"]})
    check(status == 304 and data3 == b"", f"304: {status}")
    status, _, slow = call(rig.server, "GET", path + "&rate=90", timeout=30)
    check(status == 200 and len(slow) > len(data), "slower speech is longer")
    for query, code, field in (("", "text_required", "text"), ("?text=%20", "text_required", "text"),
                               ("?text=" + "a" * 301, "text_too_long", "text"),
                               ("?text=a&rate=79", "invalid_rate", "rate"), ("?text=a&rate=fast", "invalid_rate", "rate")):
        status, _, out = call_json(rig.server, "GET", "/api/v1/tts" + query)
        check_error(status, out, 400, code, field)
