"""Archive location look-up over HTTP: the citizen's own holders (no shelf location), staff search
by ID number or name + birth date within their scope, the person view (360°), the public
holder and branch lists, and the audit entry of every personal read."""

from harness import call_json, check, check_error, test
from test_identity_citizen import (DEMO, SQL_ATTACK, age_codes, audit_rows, demo_server, login, person_id, sql,
                                   staff_session, with_session)

CENTRE = "长春市社会保险档案管理中心"


def search(server, token, csrf, body):
    return call_json(server, "POST", "/api/v1/persons/search", body, with_session(token, csrf))


@test
def citizen_sees_holders_of_own_archives_without_shelf_location(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, body = login(server, "zhang")
    pid = body["user"]["id"]
    status, _, out = call_json(server, "GET", "/api/v1/me/archives", headers=with_session(token))
    check(status == 200, f"{status} {out}")
    records = out["records"]
    check([r["archival_code"] for r in records] == ["2201-SB-2008-000123", "DW-91220102MA0DANGANM-0042"], records)
    first = records[0]
    check(first["kind_label"] == "社会保险业务档案" and first["status_label"] == "在库", first)
    check(first["holder"]["name"] == CENTRE and first["holder"]["phone"] == "0431-88771234", first)
    check("人民大街3688号" in first["holder"]["address"] and first["holder"]["opening_hours"], first)
    check(records[1]["holder"]["kind_label"] == "用人单位", records[1])
    text = str(out)
    check("shelf" not in text and "A-03-12-4-0217" not in text, out)
    # The contents list (卷内目录) is the citizen's own, to pick materials for a query registration.
    check([i["title"] for i in first["items"]][0] == "社会保险参保登记表" and first["id"], first)
    check(out["next_steps"] == [], out)
    reads = audit_rows(server, "archive.read", f"AND actor_id = '{pid}'")
    check(reads and reads[-1][2] == pid and reads[-1][4] == "本人查询", reads)


@test
def citizen_without_records_gets_next_steps(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, _ = login(server, "zhao")
    status, _, out = call_json(server, "GET", "/api/v1/me/archives", headers=with_session(token))
    check(status == 200 and out["records"] == [], f"{status} {out}")
    check(any("12333" in s for s in out["next_steps"]) and len(out["next_steps"]) >= 2, out)


@test
def archives_need_a_citizen_session(ctx):
    server = demo_server(ctx)
    status, _, body = call_json(server, "GET", "/api/v1/me/archives")
    check_error(status, body, 401, "unauthenticated")
    _, token, _ = staff_session(server, ["window_clerk"], "2201")
    status, _, body = call_json(server, "GET", "/api/v1/me/archives", headers=with_session(token))
    check_error(status, body, 403, "forbidden")


@test
def clerk_finds_a_person_by_id_number_with_shelf_locations(ctx):
    server = demo_server(ctx)
    user, token, csrf = staff_session(server, ["window_clerk"], "220102")
    status, _, out = search(server, token, csrf, {"id_number": DEMO["zhang"][1].lower(), "purpose": "窗口查询档案"})
    check(status == 200, f"{status} {out}")
    (person,) = out["persons"]
    check(person["name"] == "张伟" and person["id_number"] == "2201**********0015", person)
    rec = person["records"][0]
    check(rec["shelf_location"] == "A-03-12-4-0217" and rec["shelf_label"] == "A库 03排 12架 4层 0217盒", rec)
    check(rec["retention"] == "permanent" and rec["retention_ends"] is None and "items" not in rec, rec)
    pid = person_id(server, "zhang")
    reads = audit_rows(server, "person.read", f"AND actor_id = '{user}'")
    check(len(reads) == 1 and reads[0][2] == pid and reads[0][4] == "窗口查询档案", reads)


@test
def clerk_finds_by_name_and_birth_date(ctx):
    server = demo_server(ctx)
    _, token, csrf = staff_session(server, ["archivist"], "2201")
    status, _, out = search(server, token, csrf, {"name": "王芳", "birth_date": "1990-07-22", "purpose": "核对"})
    check(status == 200 and [p["name"] for p in out["persons"]] == ["王芳"], f"{status} {out}")
    rec = out["persons"][0]["records"][0]
    check(rec["retention"] == "30" and rec["retention_ends"] == "2043-12-31", rec)
    status, _, body = search(server, token, csrf, {"name": "王芳", "birth_date": "1990-07-23", "purpose": "核对"})
    check_error(status, body, 404, "person_not_found", "name")
    status, _, body = search(server, token, csrf, {"name": "王芳", "birth_date": "1990-02-30", "purpose": "核对"})
    check_error(status, body, 400, "invalid_birth_date", "birth_date")
    status, _, body = search(server, token, csrf, {"name": "王芳", "purpose": "核对"})
    check_error(status, body, 400, "invalid_birth_date", "birth_date")
    status, _, body = search(server, token, csrf, {"purpose": "核对"})
    check_error(status, body, 400, "search_criteria_required", "id_number")


@test
def search_rejects_bad_id_numbers_with_the_right_status(ctx):
    server = demo_server(ctx)
    _, token, csrf = staff_session(server, ["window_clerk"], "2201")
    cases = [("220102198503150016", 422, "invalid_id_number"),   # check character
             ("220102198502300011", 422, "invalid_id_number"),   # 30 February
             ("22010219850315001", 400, "invalid_id_number"),    # 17 characters
             ("220102850315001", 422, "legacy_id_number")]
    for id_number, want_status, want_code in cases:
        status, _, body = search(server, token, csrf, {"id_number": id_number, "purpose": "核对"})
        check_error(status, body, want_status, want_code, "id_number")
        check(any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"]), body)
    status, _, body = search(server, token, csrf, {"id_number": 220102198503150015, "purpose": "核对"})
    check_error(status, body, 400, "invalid_field", "id_number")
    status, _, body = search(server, token, csrf, {"id_number": DEMO["zhang"][1]})
    check_error(status, body, 400, "purpose_required", "purpose")


@test
def unknown_person_is_404_with_next_steps(ctx):
    server = demo_server(ctx)
    _, token, csrf = staff_session(server, ["window_clerk"], "2201")
    status, _, body = search(server, token, csrf, {"id_number": "220102200001010012", "purpose": "核对"})
    check_error(status, body, 404, "person_not_found", "id_number")
    check("12333" in body["error"]["message"], body)


@test
def search_outside_scope_is_403_and_audited(ctx):
    server = demo_server(ctx)
    user, token, csrf = staff_session(server, ["window_clerk"], "220102-001")   # a branch of 220102
    status, _, out = search(server, token, csrf, {"id_number": DEMO["zhang"][1], "purpose": "a"})
    check(status == 200 and out["persons"][0]["name"] == "张伟", f"{status} {out}")
    status, _, body = search(server, token, csrf, {"id_number": DEMO["chen"][1], "purpose": "a"})
    check_error(status, body, 403, "forbidden", "id_number")
    denied = audit_rows(server, "access_denied", f"AND actor_id = '{user}'")
    check(len(denied) == 1 and denied[0][2] == person_id(server, "chen"), denied)
    check(audit_rows(server, "person.read", f"AND actor_id = '{user}' AND subject_person_id = "
                                            f"'{person_id(server, 'chen')}'") == [], "no read of chen")


@test
def search_needs_csrf_and_a_staff_role(ctx):
    server = demo_server(ctx)
    _, token, _ = staff_session(server, ["window_clerk"], "2201")
    status, _, body = call_json(server, "POST", "/api/v1/persons/search", {"id_number": DEMO["zhang"][1],
                                                                           "purpose": "a"}, with_session(token))
    check_error(status, body, 403, "csrf_failed")
    _, token, csrf = staff_session(server, ["auditor"], "22")
    status, _, body = search(server, token, csrf, {"id_number": DEMO["zhang"][1], "purpose": "a"})
    check_error(status, body, 403, "forbidden")


@test
def person_view_has_records_items_and_employment(ctx):
    server = demo_server(ctx)
    user, token, _ = staff_session(server, ["window_clerk"], "2201")
    pid = person_id(server, "li")
    status, _, view = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose="退休"))
    check(status == 200, f"{status} {view}")
    check(view["name"] == "李建国" and view["id_number"] == "2201**********0138", view)
    codes = [r["archival_code"] for r in view["records"]]
    check(codes == ["2201-TX-2025-000317", "RC-2201-1999-008861"], codes)
    retire = view["records"][0]
    check(retire["kind_label"] == "退休档案" and [i["seq"] for i in retire["items"]] == [1, 2, 3], retire)
    check(retire["items"][2]["title"] == "长春轴承厂招工登记表" and retire["items"][2]["doc_date"] == "1983-05", retire)
    check(view["records"][1]["status_label"] == "借出", view["records"][1])
    employers = [(p["employer_name"], p["from_date"], p["to_date"]) for p in view["employment"]]
    check(employers[0] == ("长春轴承厂", "1983-05-01", "1998-12-31") and len(employers) == 2, employers)
    reads = audit_rows(server, "person.read", f"AND actor_id = '{user}'")
    check(len(reads) == 1 and reads[0][4] == "退休", reads)


@test
def public_lists_of_holders_and_branches(ctx):
    server = demo_server(ctx)
    status, hdrs, out = call_json(server, "GET", "/api/v1/holders")
    check(status == 200 and len(out["holders"]) == 5 and out["next_cursor"] is None, f"{status} {out}")
    check(all(set(h) == {"code", "name", "kind", "kind_label", "address", "phone", "opening_hours", "region_code"}
              for h in out["holders"]), out)
    status, _, out = call_json(server, "GET", "/api/v1/holders?region=220202")
    check([h["name"] for h in out["holders"]] == ["吉林市昌邑区社会保险事业管理局"], out)
    status, _, page1 = call_json(server, "GET", "/api/v1/holders?limit=2")
    check(len(page1["holders"]) == 2 and page1["next_cursor"] == page1["holders"][1]["code"], page1)
    status, _, page2 = call_json(server, "GET", f"/api/v1/holders?limit=2&cursor={page1['next_cursor']}")
    check(page2["holders"][0]["code"] > page1["next_cursor"], page2)
    status, _, out = call_json(server, "GET", "/api/v1/branches?service=visit")
    check([b["code"] for b in out["branches"]] == ["220102-001", "220202-001"], out)
    check(out["branches"][0]["services"][0] == {"code": "lookup", "label": "档案查询"}, out)
    status, _, out = call_json(server, "GET", "/api/v1/branches?service=%E9%A2%84%E7%BA%A6%E5%88%B0%E8%AE%BF")
    check(len(out["branches"]) == 2, out)   # the Chinese label 预约到访 works too
    for query, field in (("region=22x", "region"), ("limit=0", "limit"), ("limit=101", "limit"),
                         ("service=fly", "service")):
        status, _, body = call_json(server, "GET", f"/api/v1/branches?{query}")
        check_error(status, body, 400, f"invalid_{field}", field)
    status, _, body = call_json(server, "GET", "/api/v1/holders?kind=" + SQL_ATTACK.replace(" ", "%20"))
    check_error(status, body, 400, "invalid_kind", "kind")
    check(sql(server, "SELECT COUNT(*) FROM persons") == [["6"]], "persons intact")


@test
def purpose_travels_in_a_header_not_the_url(ctx):
    server = demo_server(ctx)
    _, token, _ = staff_session(server, ["window_clerk"], "2201")
    pid = person_id(server, "wang")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}?purpose=x", headers=with_session(token))
    check_error(status, body, 400, "purpose_required", "purpose")
    status, hdrs, view = call_json(server, "GET", f"/api/v1/persons/{pid}",
                                   headers=with_session(token, purpose="窗口 查询 100%"))
    check(status == 200 and hdrs.get("cache-control") == "no-store", f"{status} {hdrs}")
    pid_reads = audit_rows(server, "person.read", f"AND subject_person_id = '{pid}' AND purpose = '窗口 查询 100%'")
    check(len(pid_reads) == 1, pid_reads)


@test
def personal_answers_are_not_cached(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, _ = login(server, "wang")
    for path in ("/api/v1/me", "/api/v1/me/archives"):
        status, hdrs, _ = call_json(server, "GET", path, headers=with_session(token))
        check(status == 200 and hdrs.get("cache-control") == "no-store", f"{path}: {status} {hdrs}")
    _, staff, csrf = staff_session(server, ["window_clerk"], "2201")
    status, hdrs, _ = search(server, staff, csrf, {"id_number": DEMO["wang"][1], "purpose": "a"})
    check(status == 200 and hdrs.get("cache-control") == "no-store", f"{status} {hdrs}")


@test
def a_clerk_may_read_a_person_whose_archive_their_region_holds(ctx):
    server = demo_server(ctx)
    user, token, csrf = staff_session(server, ["window_clerk"], "2201")
    chen = person_id(server, "chen")   # born in Jilin City (2202), archive at 220202-SB
    status, _, body = search(server, token, csrf, {"id_number": DEMO["chen"][1], "purpose": "a"})
    check_error(status, body, 403, "forbidden", "id_number")
    centre = sql(server, "SELECT id FROM holders WHERE code = '2201-ZX'")[0][0]
    bureau = sql(server, "SELECT id FROM holders WHERE code = '220202-SB'")[0][0]
    sql(server, f"UPDATE archive_records SET holder_id = '{centre}' WHERE person_id = '{chen}'")
    try:
        status, _, out = search(server, token, csrf, {"id_number": DEMO["chen"][1], "purpose": "a"})
        check(status == 200 and out["persons"][0]["name"] == "陈磊", f"{status} {out}")
        status, _, view = call_json(server, "GET", f"/api/v1/persons/{chen}", headers=with_session(token, purpose="a"))
        check(status == 200 and view["records"][0]["holder"]["code"] == "2201-ZX", f"{status} {view}")
    finally:
        sql(server, f"UPDATE archive_records SET holder_id = '{bureau}' WHERE person_id = '{chen}'")
    _, district, csrf2 = staff_session(server, ["window_clerk"], "220102")
    status, _, body = search(server, district, csrf2, {"name": "王芳", "birth_date": "1990-07-22", "purpose": "a"})
    check_error(status, body, 403, "forbidden", "name")   # 王芳 is in 220104, held by the city centre (2201)
