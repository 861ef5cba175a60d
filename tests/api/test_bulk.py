"""`dangan gen` and `dangan import` from the command line: a generated database a server can
read, the rule for a second run, import reports and exit codes on the fixtures in
tests/fixtures/import/."""

import os
import tempfile
from urllib.parse import quote

import harness
from harness import call_json, check, run_cli, test
from test_identity_citizen import sql, staff_session, with_session

FIXTURES = os.path.join(harness.ROOT, "tests", "fixtures", "import")


def _fixture(name):
    return os.path.join(FIXTURES, name)


def _import(server, name, kind, *extra):
    return run_cli("import", _fixture(name), "--kind", kind, "--db", server.db_url, *extra, env=server.env,
                   timeout=120)


@test
def generated_persons_are_served(ctx):
    server = harness.Server(ctx.new_db_url())
    with tempfile.TemporaryDirectory() as tmp:
        sample = os.path.join(tmp, "sample.csv")
        r = run_cli("init", "--db", server.db_url, env=server.env)
        check(r.returncode == 0, r.stderr)
        r = run_cli("gen", "--persons", "2000", "--seed", "3", "--db", server.db_url, "--sample-out", sample,
                    "--sample-every", "100", env=server.env, timeout=300)
        check(r.returncode == 0, f"gen: {r.returncode} {r.stderr}")
        check("已生成：人员 2,000" in r.stdout and "行/秒" in r.stdout, r.stdout)
        with open(sample, encoding="utf-8") as f:
            lines = f.read().splitlines()
        check(lines[0] == "id_number,person_id" and len(lines) == 21, lines[:3])
        id_number, pid = lines[5].split(",")

        again = run_cli("gen", "--persons", "10", "--db", server.db_url, env=server.env)
        check(again.returncode == 2 and "--append" in again.stderr, f"{again.returncode} {again.stderr}")
        more = run_cli("gen", "--persons", "10", "--append", "--db", server.db_url, env=server.env)
        check(more.returncode == 0 and "编号 2000 起" in more.stdout, f"{more.returncode} {more.stdout}{more.stderr}")

    server.start()
    try:
        check(sql(server, "SELECT COUNT(*) FROM persons") == [["2010"]], "persons")
        _, token, _ = staff_session(server, ["archivist"], "22")
        status, _, person = call_json(server, "GET", f"/api/v1/persons/{pid}",
                                      headers=with_session(token, purpose="核对档案"))
        check(status == 200, f"{status} {person}")
        check(person["id_number"] == id_number[:4] + "*" * 10 + id_number[-4:], person)
        check(person["region_code"] == id_number[:6], person)
        records = sql(server, f"SELECT COUNT(*) FROM archive_records WHERE person_id = '{pid}'")
        check(int(records[0][0]) >= 1, records)
    finally:
        server.stop()


@test
def import_reports_lines_fields_and_exit_codes(ctx):
    server = harness.Server(ctx.new_db_url())
    r = run_cli("init", "--db", server.db_url, env=server.env)
    check(r.returncode == 0, r.stderr)

    holders = _import(server, "holders.csv", "holders")
    check(holders.returncode == 4, f"{holders.returncode} {holders.stdout} {holders.stderr}")
    check("编码 UTF-8 (BOM)" in holders.stdout, holders.stdout)
    check("第 4 行，kind：" in holders.stdout and "新增 2" in holders.stdout, holders.stdout)

    strict = _import(server, "persons.csv", "persons", "--strict")
    check(strict.returncode == 4 and "未导入任何数据" in strict.stdout, strict.stdout)
    check(sql(server, "SELECT COUNT(*) FROM persons") == [["0"]], "strict loaded nothing")

    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.txt")
        persons = _import(server, "persons.csv", "persons", "--report", report)
        check(persons.returncode == 4, persons.stdout + persons.stderr)
        for line in ("第 5 行，id_number：", "第 6 行，mobile：", "与第 2 行重复", "第 8 行，name：",
                     "新增 3，更新 0，未变 0，拒绝 4"):
            check(line in persons.stdout, f"{line!r} not in {persons.stdout}")
        with open(report, encoding="utf-8") as f:
            check(f.read() == persons.stdout, "--report writes the same text")

    again = _import(server, "persons.csv", "persons")
    check(again.returncode == 4 and "新增 0，更新 0，未变 3，拒绝 4" in again.stdout, again.stdout)

    gbk = _import(server, "persons_gbk.csv", "persons")
    check(gbk.returncode == 0, gbk.stdout + gbk.stderr)
    check("GB18030" in gbk.stdout and "新增 2" in gbk.stdout, gbk.stdout)
    names = sql(server, "SELECT name FROM persons WHERE region_code = '222401'")
    check(names == [["金顺姬"]], names)

    records = _import(server, "records.csv", "records")
    check(records.returncode == 4, records.stdout)
    check("新增 3" in records.stdout and "第 6 行，holder_code：" in records.stdout, records.stdout)
    check("第 7 行，shelf_location：" in records.stdout, records.stdout)
    records_again = _import(server, "records.csv", "records")
    check("未变 3" in records_again.stdout, records_again.stdout)

    branches = _import(server, "branches.csv", "branches")
    check(branches.returncode == 4 and "第 4 行，code：" in branches.stdout, branches.stdout)
    services = sql(server, "SELECT services FROM branches WHERE code = '220102-901'")
    check(services == [["lookup,retrieval,visit"]], services)

    missing = _import(server, "missing_columns.csv", "persons")
    check(missing.returncode == 2 and "手机号码（mobile）" in missing.stderr, f"{missing.returncode} {missing.stderr}")
    broken = _import(server, "broken_encoding.csv", "persons")
    check(broken.returncode == 2 and "UTF-8" in broken.stderr and "GBK" in broken.stderr, broken.stderr)
    unknown = run_cli("import", _fixture("persons.csv"), "--kind", "people", "--db", server.db_url, env=server.env)
    check(unknown.returncode == 2, unknown.stderr)
