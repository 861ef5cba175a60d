#!/usr/bin/env python3
"""Database and calendar chores of bench/booking.sh (SQLite through the sqlite3 module,
PostgreSQL through psql):

    db.py rules --db URL BRANCH CAPACITY HORIZON_DAYS   visit seats per slot and days ahead
    db.py slots --url http://HOST:PORT --branch CODE --days N [--limit K] --out FILE
                                                       bookable visit slots after today, one id a line
    db.py check --db URL [--slots FILE]                prints "overbooked drift duplicates booked full"

`check` is the overbooking count of issue 5: for every slot, the active appointments
(booked … ready) against slots.capacity. overbooked = bookings beyond capacity summed over
slots (must be 0); drift = slots whose `booked` counter differs from the active count;
duplicates = (person, slot) pairs booked twice; booked = active appointments (of the slots in
FILE when given); full = those slots at capacity.
"""
import argparse
import datetime
import json
import sqlite3
import subprocess
import sys
import urllib.request

ACTIVE = "('booked', 'checked_in', 'received', 'preparing', 'ready')"


def query(url, statement):
    if url.startswith("sqlite:"):
        con = sqlite3.connect(url[len("sqlite:"):], timeout=30)
        try:
            with con:
                return [tuple(str(v) for v in row) for row in con.execute(statement).fetchall()]
        finally:
            con.close()
    out = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", statement],
                         capture_output=True, check=True)
    return [tuple(line.split("\t")) for line in out.stdout.decode().splitlines()]


def rules(args):
    query(args.db, f"UPDATE booking_rules SET capacity = {args.capacity}, horizon_days = {args.horizon} "
                   f"WHERE branch_code = '{args.branch}' AND service = 'visit'")
    got = query(args.db, f"SELECT capacity, horizon_days FROM booking_rules WHERE branch_code = '{args.branch}' "
                         "AND service = 'visit'")
    if got != [(str(args.capacity), str(args.horizon))]:
        sys.exit(f"booking rules of {args.branch}: {got}")


def slots(args):
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    ids, start, left = [], today, args.days
    while left > 0:
        n = min(31, left)
        with urllib.request.urlopen(f"{args.url}/api/v1/branches/{args.branch}/calendar?service=visit"
                                    f"&from={start}&days={n}") as resp:
            body = json.load(resp)
        for day in body["days"]:
            if day["date"] != str(today):   # today's slots start during the run
                ids += [s["id"] for s in day["slots"] if s["bookable"]]
        start += datetime.timedelta(days=n)
        left -= n
    if args.limit:
        ids = ids[:args.limit]
    if not ids:
        sys.exit(f"no bookable slots at {args.branch}")
    with open(args.out, "w") as f:
        f.write("\n".join(ids) + "\n")
    print(f"{len(ids)} slots of {args.branch}", file=sys.stderr)


def check(args):
    only = ""
    if args.slots:
        with open(args.slots) as f:
            ids = [line.strip() for line in f if line.strip()]
        only = "WHERE s.id IN (" + ", ".join(f"'{i}'" for i in ids) + ")"
    per_slot = (f"SELECT s.id, s.capacity, s.booked, (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id "
                f"AND a.state IN {ACTIVE}) AS active FROM slots s {only}")
    (row,) = query(args.db, f"SELECT COALESCE(SUM(CASE WHEN active > capacity THEN active - capacity ELSE 0 END), 0), "
                            f"COALESCE(SUM(CASE WHEN booked <> active THEN 1 ELSE 0 END), 0), "
                            f"COALESCE(SUM(active), 0), COALESCE(SUM(CASE WHEN active >= capacity THEN 1 ELSE 0 END), 0) "
                            f"FROM ({per_slot}) x")
    (dup,) = query(args.db, f"SELECT COUNT(*) FROM (SELECT person_id, slot_id FROM appointments "
                            f"WHERE state IN {ACTIVE} GROUP BY person_id, slot_id HAVING COUNT(*) > 1) d")
    print(row[0], row[1], dup[0], row[2], row[3])


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rules")
    r.add_argument("--db", required=True)
    r.add_argument("branch")
    r.add_argument("capacity", type=int)
    r.add_argument("horizon", type=int)
    s = sub.add_parser("slots")
    s.add_argument("--url", required=True)
    s.add_argument("--branch", required=True)
    s.add_argument("--days", type=int, default=14)
    s.add_argument("--limit", type=int, default=0)
    s.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--db", required=True)
    c.add_argument("--slots")
    args = ap.parse_args()
    {"rules": rules, "slots": slots, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
