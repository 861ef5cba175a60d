"""The knowledge base over HTTP (docs/api-kb.md "Knowledge base (staff)", "Public FAQ"): the
editing workflow (draft → review → published; the author never approves their own version;
optimistic versions), bad input naming its field, who may read and write, import/export in the
faq.jsonl format (round trip, bad lines, all or nothing), the lexicon, the editors' try-out, the
public FAQ by channel, and the unanswered questions grouped with a suggestion.

One demo server per backend of this file's own (the demo knowledge base of 60 entries is
published on it); staff sessions are written straight into the database (test_appointments' Rig)."""

import json
import secrets
import time
import urllib.parse

from harness import call, check, check_error, test
from test_appointments import shared as shared_rig
from test_identity_citizen import audit_rows, sql

ENTRIES = "/api/v1/kb/entries"
FAQ = "/api/v1/kb/faq"

def kb_rig(ctx):
    return shared_rig(ctx, "kb")


def editor(rig):
    return rig.staff(["kb_editor"], "2201")


def approver(rig):
    return rig.staff(["content_approver"], "2201")


def username(rig, actor):
    return sql(rig.server, f"SELECT username FROM users WHERE id = '{actor.subject}'")[0][0]


def new_entry(**extra):
    body = {"question": "退休审批需要调阅哪些档案材料？" + secrets.token_hex(2),
            "similar": ["退休要查哪些档案"], "answer": "一般需要调阅招工登记表、转正定级表和工资审批表。",
            "category": "退休审批", "tags": ["退休"], "channels": ["web", "wechat", "kiosk", "phone"]}
    body.update(extra)
    return body


def created(actor, body=None):
    status, _, out = actor.call("POST", ENTRIES, body or new_entry())
    check(status == 201, f"create: {status} {out}")
    return out


def faq(rig, channel="web", category=None):
    path = f"{FAQ}?channel={channel}" + (f"&category={urllib.parse.quote(category)}" if category else "")
    status, _, data = call(rig.server, "GET", path)
    check(status == 200, f"faq: {status} {data[:200]}")
    return json.loads(data)


def faq_ids(rig, channel="web"):
    return {e["id"] for e in faq(rig, channel)["items"]}


@test
def kb_workflow_publishes_only_what_another_person_approved(ctx):
    rig = kb_rig(ctx)
    author, other, boss = editor(rig), editor(rig), approver(rig)
    entry = created(author)
    check(entry["status"] == "draft" and entry["status_label"] == "草稿" and entry["version"] == 1, entry)
    check(entry["published_version"] is None and entry["author"] == username(rig, author), entry)
    check(entry["id"].startswith("kb-") and int(entry["id"][3:]) > 60, entry["id"])
    eid = entry["id"]
    check(eid not in faq_ids(rig), "a draft is not in the FAQ")

    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/submit", {"version": 1})
    check(status == 200 and out["status"] == "review" and out["status_label"] == "待审核", out)
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 1})
    check_error(status, out, 403, "same_author")
    status, _, out = boss.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 2})
    check_error(status, out, 409, "version_conflict")
    status, _, out = boss.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 1})
    check(status == 200 and out["status"] == "published" and out["published_version"] == 1, out)
    check(out["approver"] == username(rig, boss) and out["published_at"], out)
    check(eid in faq_ids(rig), "published: in the FAQ at once on this node")

    # A new draft: the published version keeps answering; a stale save is refused.
    changed = new_entry(question="退休审批要调哪些档案？", answer="需要招工登记表、转正定级表、工资审批表和养老保险缴费记录。")
    status, _, out = other.call("PUT", f"{ENTRIES}/{eid}", dict(changed, version=1))
    check(status == 200 and out["version"] == 2 and out["status"] == "draft" and out["published_version"] == 1, out)
    status, _, out = author.call("PUT", f"{ENTRIES}/{eid}", dict(changed, version=1))
    check_error(status, out, 409, "version_conflict", "version")
    items = {e["id"]: e for e in faq(rig)["items"]}
    check(items[eid]["question"].startswith("退休审批需要调阅"), items[eid])

    # Returned with a reason (the first editor may review the second's version), resubmitted, approved.
    check(other.call("POST", f"{ENTRIES}/{eid}/submit", {"version": 2})[0] == 200, "submit v2")
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/return", {"version": 2, "reason": " "})
    check_error(status, out, 400, "reason_required", "reason")
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/return", {"version": 2, "reason": "请补充办理地点"})
    check(status == 200 and out["status"] == "draft" and out["return_reason"] == "请补充办理地点", out)
    status, _, out = boss.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 2})
    check_error(status, out, 409, "invalid_state")
    check(other.call("POST", f"{ENTRIES}/{eid}/submit", {"version": 2})[0] == 200, "resubmit v2")
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 2})
    check(status == 200 and out["published_version"] == 2, out)
    items = {e["id"]: e for e in faq(rig)["items"]}
    check(items[eid]["question"] == "退休审批要调哪些档案？", items[eid])

    status, _, out = boss.call("GET", f"{ENTRIES}/{eid}")
    check(status == 200 and [v["version"] for v in out["versions"]] == [2, 1], out)
    check([v["status"] for v in out["versions"]] == ["published", "superseded"], out["versions"])

    # Listed and searchable; then archived: it no longer answers.
    status, _, out = boss.call("GET", f"{ENTRIES}?q={urllib.parse.quote('退休审批要调')}&status=published")
    check(status == 200 and [e["id"] for e in out["items"]] == [eid] and "退休审批" in out["categories"], out)
    status, _, out = boss.call("GET", f"{ENTRIES}?status=gone")
    check_error(status, out, 400, "invalid_status", "status")
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/archive", {})
    check(status == 200 and out["status"] == "archived" and out["status_label"] == "已下线", out)
    check(out["published_version"] is None, out)
    check(eid not in faq_ids(rig), "archived: gone from the FAQ")
    status, _, out = author.call("POST", f"{ENTRIES}/{eid}/archive", {})
    check_error(status, out, 409, "invalid_state")
    status, _, out = boss.call("GET", f"{ENTRIES}/kb-9999")
    check_error(status, out, 404, "entry_not_found")

    for action in ("kb.create", "kb.submit", "kb.approve", "kb.update", "kb.return", "kb.archive"):
        rows = audit_rows(rig.server, action, f"AND target = 'kb:{eid}'")
        check(rows and rows[0][0] == "staff", f"{action} audited: {rows}")


@test
def kb_bad_fields_name_their_field_and_store_nothing(ctx):
    rig = kb_rig(ctx)
    author = editor(rig)
    before = sql(rig.server, "SELECT COUNT(*) FROM kb_entry_versions")[0][0]
    cases = [({"question": "问"}, "invalid_question", "question"),
             ({"question": "问" * 101}, "invalid_question", "question"),
             ({"similar": ["问法%d" % i for i in range(31)]}, "invalid_similar", "similar"),
             ({"similar": "不是列表"}, "invalid_similar", "similar"),
             ({"answer": ""}, "invalid_answer", "answer"),
             ({"answer": "答" * 2001}, "invalid_answer", "answer"),
             ({"phone_answer": "答" * 301}, "invalid_phone_answer", "phone_answer"),
             ({"category": ""}, "invalid_category", "category"),
             ({"category": "类" * 21}, "invalid_category", "category"),
             ({"tags": ["标签%d" % i for i in range(11)]}, "invalid_tags", "tags"),
             ({"tags": ["签" * 21]}, "invalid_tags", "tags"),
             ({"channels": []}, "invalid_channels", "channels"),
             ({"channels": ["web", "fax"]}, "invalid_channels", "channels")]
    for change, code, field in cases:
        status, _, out = author.call("POST", ENTRIES, new_entry(**change))
        check_error(status, out, 400, code, field)
    status, _, out = author.call("PUT", f"{ENTRIES}/kb-001", new_entry())
    check_error(status, out, 400, "invalid_version", "version")
    status, _, out = author.call("POST", f"{ENTRIES}/kb-001/submit", {})
    check_error(status, out, 400, "invalid_version", "version")
    check(sql(rig.server, "SELECT COUNT(*) FROM kb_entry_versions")[0][0] == before, "nothing written")


@test
def kb_who_may_read_and_write(ctx):
    rig = kb_rig(ctx)
    status, _, data = call(rig.server, "GET", ENTRIES)
    check(status == 401, f"anonymous: {status}")
    citizen = rig.citizen("zhang")
    auditor = rig.staff(["auditor"], "2201")
    clerk = rig.staff(["window_clerk"], "220102")
    for actor in (citizen, auditor, clerk):
        check(actor.call("GET", ENTRIES)[0] == 403, f"{actor.channel} reads")
        check(actor.call("POST", ENTRIES, new_entry())[0] == 403, f"{actor.channel} writes")
        check(actor.call("PUT", "/api/v1/kb/lexicon", {"synonyms": [], "stop_phrases": [], "version": 1})[0] == 403,
              "lexicon")
        check(actor.call("GET", "/api/v1/kb/unanswered")[0] == 403, "unanswered")
    for roles in (["content_approver"], ["callback_agent"], ["system_admin"]):
        reader = rig.staff(roles, "2201")
        status, _, out = reader.call("GET", ENTRIES + "?size=5")
        check(status == 200 and len(out["items"]) == 5 and out["total"] >= 60, f"{roles} reads: {status}")
        check(reader.call("GET", "/api/v1/kb/lexicon")[0] == 200, f"{roles} reads the lexicon")
        check(reader.call("POST", ENTRIES, new_entry())[0] == 403, f"{roles} may not write")
        check(reader.call("POST", "/api/v1/kb/import", "", {"Content-Type": "application/x-ndjson"})[0] == 403,
              f"{roles} may not import")
    agent = rig.staff(["callback_agent"], "2201")
    check(agent.call("POST", f"{ENTRIES}/kb-001/approve", {"version": 1})[0] == 403, "an agent does not approve")
    # A district-scoped editor is still an editor of the city's knowledge base.
    local = rig.staff(["kb_editor"], "220102")
    check(local.call("GET", ENTRIES)[0] == 200, "any scope")
    # CSRF: a write without the token is refused.
    author = editor(rig)
    status, _, _ = call(rig.server, "POST", ENTRIES, new_entry(),
                        {"Cookie": author.headers()["Cookie"], "Content-Type": "application/json"})
    check(status == 403, f"without CSRF: {status}")


def ndjson(actor, body):
    return actor.call("POST", "/api/v1/kb/import", body, {"Content-Type": "application/x-ndjson"})


@test
def kb_import_export_round_trip_and_bad_lines(ctx):
    rig = kb_rig(ctx)
    author = editor(rig)
    status, headers, data = call(rig.server, "GET", "/api/v1/kb/export", headers=author.headers())
    check(status == 200 and headers["content-type"].startswith("application/x-ndjson"), f"{status} {headers}")
    lines = [json.loads(x) for x in data.decode().splitlines()]
    ids = [x["id"] for x in lines]
    check(len(lines) >= 60 and "kb-001" in ids, f"{len(lines)} lines")
    first = next(x for x in lines if x["id"] == "kb-001")
    check(list(first)[:5] == ["id", "question", "answer", "tags", "category"], list(first))
    check(first["channels"] == ["web", "wechat", "kiosk", "phone"], first)

    status, _, out = ndjson(author, data)
    check(status == 200 and out == {"created": 0, "updated": 0, "unchanged": len(lines)}, f"{status} {out}")

    versions = sql(rig.server, "SELECT COUNT(*) FROM kb_entry_versions")[0][0]
    bad = (json.dumps(dict(first, answer="改过的答案，应当整体不生效。"), ensure_ascii=False) + "\n" +
           json.dumps({"id": "kb-new-1", "question": "一个问题？", "answer": "", "category": "其他"}, ensure_ascii=False))
    status, _, out = ndjson(author, bad)
    check_error(status, out, 400, "invalid_line", "line 2: answer")
    status, _, out = ndjson(author, "{not json\n")
    check_error(status, out, 400, "invalid_line", "line 1: json")
    status, _, out = ndjson(author, "")
    check_error(status, out, 400, "invalid_line")
    check(sql(rig.server, "SELECT COUNT(*) FROM kb_entry_versions")[0][0] == versions, "all or nothing")
    status, _, out = author.call("POST", "/api/v1/kb/import", data, {"Content-Type": "application/pdf"})
    check(status == 415, f"pdf: {status}")
    status, _, out = ndjson(author, b"x" * (5 * 1024 * 1024 + 10))
    check(status == 413, f"over 5 MB: {status} {out}")

    # One changed line and a new one: drafts by the importer; the published version keeps answering.
    fresh_id = "imp-" + secrets.token_hex(3)
    good = (json.dumps(dict(first, answer="改过的答案：登录网上服务大厅查询。"), ensure_ascii=False) + "\n" +
            json.dumps({"id": fresh_id, "question": "导入的新问题？", "answer": "导入的新答案。", "category": "其他",
                        "channels": ["kiosk"]}, ensure_ascii=False) + "\n")
    status, _, out = ndjson(author, good)
    check(status == 200 and out == {"created": 1, "updated": 1, "unchanged": 0}, f"{status} {out}")
    status, _, out = author.call("GET", f"{ENTRIES}/kb-001")
    check(out["status"] == "draft" and out["version"] == out["published_version"] + 1, out)
    check(out["author"] == username(rig, author), out)
    check({x["id"]: x for x in faq(rig)["items"]}["kb-001"]["answer"] == first["answer"], "still the published answer")
    # Put kb-001 back as it was (a new draft equal to the published text, approved).
    boss = approver(rig)
    status, _, out = author.call("PUT", f"{ENTRIES}/kb-001", dict(first, version=out["version"]))
    check(status == 200, out)
    check(author.call("POST", f"{ENTRIES}/kb-001/submit", {"version": out["version"]})[0] == 200, "submit")
    check(boss.call("POST", f"{ENTRIES}/kb-001/approve", {"version": out["version"]})[0] == 200, "approve")
    check(audit_rows(rig.server, "kb.import"), "import audited")


@test
def kb_lexicon_and_try(ctx):
    rig = kb_rig(ctx)
    author = editor(rig)
    status, _, lex = author.call("GET", "/api/v1/kb/lexicon")
    check(status == 200 and lex["version"] >= 1 and lex["synonyms"] and lex["stop_phrases"], lex)
    for groups, stops, code in (([["档案"]], [], "invalid_synonyms"),
                                ([["档案", "材料"], ["资料", "材料"]], [], "invalid_synonyms"),
                                ([["档案", "词" * 21]], [], "invalid_synonyms"),
                                ("档案", [], "invalid_synonyms"),
                                ([], ["停" * 21], "invalid_stop_phrases")):
        status, _, out = author.call("PUT", "/api/v1/kb/lexicon",
                                     {"synonyms": groups, "stop_phrases": stops, "version": lex["version"]})
        check_error(status, out, 400, code, code.replace("invalid_", ""))
    changed = dict(lex, synonyms=lex["synonyms"] + [["测试词甲", "测试词乙"]])
    status, _, out = author.call("PUT", "/api/v1/kb/lexicon", changed)
    check(status == 200 and out["version"] == lex["version"] + 1 and ["测试词甲", "测试词乙"] in out["synonyms"], out)
    status, _, out = author.call("PUT", "/api/v1/kb/lexicon", changed)
    check_error(status, out, 409, "version_conflict")
    status, _, out = author.call("PUT", "/api/v1/kb/lexicon", dict(lex, version=lex["version"] + 1))
    check(status == 200, f"put back: {out}")
    check(audit_rows(rig.server, "kb.lexicon"), "lexicon audited")

    status, _, out = author.call("POST", "/api/v1/kb/try", {"q": "  ", "channel": "web"})
    check_error(status, out, 400, "question_required", "q")
    status, _, out = author.call("POST", "/api/v1/kb/try", {"q": "如何查询我的社保档案存放在哪里？", "channel": "web"})
    check(status == 200 and out["verdict"] == "answer" and out["candidates"][0]["id"] == "kb-001", out)
    check(out["normalised"] and out["candidates"][0]["question"], out)
    status, _, out = author.call("POST", "/api/v1/kb/try", {"q": "今天股市行情怎么样", "channel": "web"})
    check(status == 200 and out["verdict"] in ("none", "unsure"), out)


@test
def kb_faq_by_channel(ctx):
    rig = kb_rig(ctx)
    author, boss = editor(rig), approver(rig)
    entry = created(author, new_entry(channels=["kiosk", "phone"], phone_answer="请拨打服务电话办理。"))
    eid = entry["id"]
    check(author.call("POST", f"{ENTRIES}/{eid}/submit", {"version": 1})[0] == 200, "submit")
    check(boss.call("POST", f"{ENTRIES}/{eid}/approve", {"version": 1})[0] == 200, "approve")
    web = faq(rig, "web")
    check(len(web["items"]) >= 60 and eid not in {e["id"] for e in web["items"]}, "kiosk/phone only")
    check(set(web["items"][0]) == {"id", "question", "answer", "category"}, web["items"][0])
    check(eid not in faq_ids(rig, "mobile"), "mobile counts as web")
    kiosk = {e["id"]: e for e in faq(rig, "kiosk")["items"]}
    check(kiosk[eid]["answer"] == entry["answer"], kiosk[eid])
    phone = {e["id"]: e for e in faq(rig, "phone")["items"]}
    check(phone[eid]["answer"] == "请拨打服务电话办理。", phone[eid])
    category = web["categories"][0]
    only = faq(rig, "web", category)
    check(only["items"] and all(e["category"] == category for e in only["items"]), only)
    check(only["categories"] == web["categories"], "categories of the channel, not of the filter")
    status, _, data = call(rig.server, "GET", f"{FAQ}?channel=fax")
    check_error(status, json.loads(data), 400, "invalid_channel", "channel")
    check(author.call("POST", f"{ENTRIES}/{eid}/archive", {})[0] == 200, "archive")


@test
def kb_unanswered_grouped_with_suggestions_and_resolved(ctx):
    rig = kb_rig(ctx)
    author = editor(rig)
    now = int(time.time() * 1000)
    tag = secrets.token_hex(3)
    asked = [("公积金怎么提取" + tag, "web", "none"), ("公积金如何提取" + tag, "wechat", "handoff"),
             ("怎么提取公积金" + tag, "kiosk", "unsure"), ("档案可以邮寄到外地吗" + tag, "web", "none")]
    ids = []
    for i, (text, channel, reason) in enumerate(asked):
        qid = f"test-{tag}-{i}"
        ids.append(qid)
        sql(rig.server, "INSERT INTO kb_unanswered (id, text, normalised, channel, reason, created_at_ms) "
                        f"VALUES ('{qid}', '{text}', '', '{channel}', '{reason}', {now - i * 1000})")
    old = f"test-{tag}-old"
    sql(rig.server, "INSERT INTO kb_unanswered (id, text, normalised, channel, reason, created_at_ms) "
                    f"VALUES ('{old}', '很久以前的问题{tag}', '', 'web', 'none', {now - 40 * 86400000})")
    status, _, out = author.call("GET", "/api/v1/kb/unanswered?days=30")
    check(status == 200, out)
    mine = [g for g in out["groups"] if tag in g["representative"]]
    check(len(mine) == 2, f"two groups: {mine}")
    big = mine[0]
    check(big["count"] == 3 and big["representative"] == asked[0][0] and big["id"] == ids[0], big)
    check(big["channels"] == {"web": 1, "wechat": 1, "kiosk": 1}, big["channels"])
    check([q["reason"] for q in big["questions"]] == ["none", "handoff", "unsure"], big["questions"])
    check(big["last_at"].endswith("+08:00"), big["last_at"])
    check(all(old != q["id"] for g in out["groups"] for q in g["questions"]), "older than 30 days")
    small = mine[1]
    check(small["suggestion"] is None or set(small["suggestion"]) == {"id", "question"}, small)

    status, _, out = author.call("POST", "/api/v1/kb/unanswered/resolve", {"ids": ids[:3], "entry_id": "kb-9999"})
    check_error(status, out, 404, "entry_not_found")
    status, _, out = approver(rig).call("POST", "/api/v1/kb/unanswered/resolve", {"ids": ids[:3], "entry_id": None})
    check(status == 403, f"approver resolves: {status}")
    status, _, out = author.call("POST", "/api/v1/kb/unanswered/resolve", {"ids": ids[:3], "entry_id": "kb-001"})
    check(status == 200 and out == {"resolved": 3}, out)
    status, _, out = author.call("POST", "/api/v1/kb/unanswered/resolve", {"ids": [ids[3]], "entry_id": None})
    check(status == 200 and out == {"resolved": 1}, out)
    status, _, out = author.call("GET", "/api/v1/kb/unanswered")
    check(not [g for g in out["groups"] if tag in g["representative"]], "resolved ones are gone")
    rows = sql(rig.server, f"SELECT resolved_entry_id FROM kb_unanswered WHERE id = '{ids[0]}'")
    check(rows == [["kb-001"]], rows)
    check(audit_rows(rig.server, "kb.unanswered_resolve"), "resolve audited")


@test
def kb_demo_staff_log_in_with_their_fixed_secrets(ctx):
    from test_identity_staff import now_step, staff_login, totp_code
    rig = kb_rig(ctx)
    for username, password, secret, role in [
            ("zhishi", "Zhishi#2201demo", "MRQW4Z3BNYWWIZLNN4WXU2DJONUGSLJQGE", "kb_editor"),
            ("shenhe", "Shenhe#2201demo", "MRQW4Z3BNYWWIZLNN4WXG2DFNZUGKLJQGE", "content_approver"),
            ("kefu", "Kefu#2201demo", "MRQW4Z3BNYWWIZLNN4WWWZLGOUWTAMI", "callback_agent")]:
        rows = sql(rig.server, f"SELECT g.role, g.scope FROM grants g JOIN users u ON u.id = g.user_id "
                               f"WHERE u.username = '{username}'")
        check(rows == [[role, "2201"]], f"{username}: {rows}")
        status, _, body = staff_login(rig.server, {"username": username, "password": password,
                                                   "totp": totp_code(secret, now_step())})
        check(status == 200 and body["user"]["username"] == username, f"{username}: {status} {body}")
