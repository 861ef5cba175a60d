"""Person records over HTTP: the citizen's own record, staff reads with a purpose inside their
scope, full identifiers for the roles that need them, and the audit entry of every read."""

from harness import call_json, check, check_error, run_cli, test
from test_identity_citizen import (DEMO, SQL_ATTACK, age_codes, audit_rows, demo_server, login, person_id, sql,
                                   staff_session, with_session)


@test
def citizen_reads_own_record_masked_and_audited(ctx):
    server = demo_server(ctx)
    age_codes(server)
    token, _, body = login(server, "li")
    pid = body["user"]["id"]
    status, _, me = call_json(server, "GET", "/api/v1/me", headers=with_session(token))
    check(status == 200, f"{status} {me}")
    check(me == {"id": pid, "name": "李建国", "id_number": "2201**********0138", "mobile": "139****0003",
                 "gender": "male", "birth_date": "1965-01-20"}, me)
    reads = audit_rows(server, "person.read", f"AND subject_person_id = '{pid}' AND actor_id = '{pid}'")
    check(reads and reads[-1][3] == f"person:{pid}", reads)


@test
def staff_read_needs_a_purpose_and_is_audited(ctx):
    server = demo_server(ctx)
    user, token, _ = staff_session(server, ["window_clerk"], "2201")
    pid = person_id(server, "wang")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token))
    check_error(status, body, 400, "purpose_required", "purpose")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose="  "))
    check_error(status, body, 400, "purpose_required", "purpose")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose="长" * 201))
    check_error(status, body, 400, "invalid_purpose", "purpose")
    purpose = "窗口办理退休手续"
    status, _, person = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose=purpose))
    check(status == 200, f"{status} {person}")
    check(person["name"] == "王芳" and person["id_number"] == "2201**********0026", person)
    check(person["mobile"] == "139****0002" and person["gender"] == "female", person)
    check(person["region_code"] == "220104", person)
    reads = audit_rows(server, "person.read", f"AND actor_id = '{user}'")
    check(len(reads) == 1 and reads[0][0] == "staff" and reads[0][2] == pid and reads[0][4] == purpose, reads)


@test
def staff_read_of_unknown_or_malformed_ids_is_404(ctx):
    server = demo_server(ctx)
    _, token, _ = staff_session(server, ["archivist"], "22")
    for pid in ("0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "nope", "%27%3B%20DROP%20TABLE%20persons%3B%20--"):
        status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose="check"))
        check_error(status, body, 404, "person_not_found")
    check(sql(server, "SELECT COUNT(*) FROM persons") == [["6"]], "persons intact")


@test
def staff_outside_their_scope_are_refused_and_audited(ctx):
    server = demo_server(ctx)
    user, token, _ = staff_session(server, ["window_clerk", "archivist"], "220102")
    inside = person_id(server, "zhang")   # 220102
    outside = person_id(server, "chen")   # 220202
    status, _, _ = call_json(server, "GET", f"/api/v1/persons/{inside}", headers=with_session(token, purpose="a"))
    check(status == 200, status)
    for path in (f"/api/v1/persons/{outside}", f"/api/v1/persons/{outside}/identifiers"):
        status, _, body = call_json(server, "GET", path, headers=with_session(token, purpose="a"))
        check_error(status, body, 403, "forbidden")
    denied = audit_rows(server, "access_denied", f"AND actor_id = '{user}'")
    check(len(denied) == 2 and all(row[2] == outside and row[4] == "a" for row in denied), denied)
    # A role the route does not list does not widen the scope.
    _, token2, _ = staff_session(server, ["auditor"], "22")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{inside}", headers=with_session(token2, purpose="a"))
    check_error(status, body, 403, "forbidden")


@test
def full_identifiers_only_for_clerks_and_archivists(ctx):
    server = demo_server(ctx)
    pid = person_id(server, "zhao")
    clerk, token, _ = staff_session(server, ["window_clerk"], "2202")
    status, hdrs, body = call_json(server, "GET", f"/api/v1/persons/{pid}/identifiers",
                                   headers=with_session(token, purpose="核对身份"))
    check(status == 200, f"{status} {body}")
    check(body == {"id_number": DEMO["zhao"][1], "mobile": DEMO["zhao"][2]}, body)
    check(hdrs.get("cache-control") == "no-store", hdrs)
    full = audit_rows(server, "person.read_full", f"AND actor_id = '{clerk}'")
    check(len(full) == 1 and full[0][2] == pid and full[0][4] == "核对身份", full)
    _, reviewer, _ = staff_session(server, ["reviewer"], "2202")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}/identifiers",
                                headers=with_session(reviewer, purpose="x"))
    check_error(status, body, 403, "forbidden")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(reviewer, purpose="x"))
    check(status == 200 and body["id_number"] == "2202**********0461", f"{status} {body}")


@test
def purpose_with_sql_metacharacters_is_just_text(ctx):
    server = demo_server(ctx)
    user, token, _ = staff_session(server, ["window_clerk"], "2201")
    pid = person_id(server, "liu")
    status, _, body = call_json(server, "GET", f"/api/v1/persons/{pid}", headers=with_session(token, purpose=SQL_ATTACK))
    check(status == 200, f"{status} {body}")
    reads = audit_rows(server, "person.read", f"AND actor_id = '{user}'")
    check(reads and reads[-1][4] == SQL_ATTACK, reads)
    check(sql(server, "SELECT COUNT(*) FROM persons") == [["6"]], "persons intact")


@test
def staff_cannot_use_the_citizen_route(ctx):
    server = demo_server(ctx)
    _, token, _ = staff_session(server, ["window_clerk"], "2201")
    status, _, body = call_json(server, "GET", "/api/v1/me", headers=with_session(token))
    check_error(status, body, 403, "forbidden")
    status, _, body = call_json(server, "GET", "/api/v1/persons/x", headers={"X-Dangan-Purpose": "a"})
    check_error(status, body, 401, "unauthenticated")


@test
def demo_seeding_is_idempotent(ctx):
    server = demo_server(ctx)
    before = sql(server, "SELECT id FROM persons ORDER BY id")
    again = run_cli("init", "--db", server.db_url, "--demo", env=server.env)
    check(again.returncode == 0, again.stderr)
    check(sql(server, "SELECT id FROM persons ORDER BY id") == before, "the same six persons")
    check(len(before) == 6, before)
