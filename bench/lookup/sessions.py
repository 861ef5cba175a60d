#!/usr/bin/env python3
"""Pre-creates the sessions bench/lookup.sh drives wrk with, straight in the database (log-in
itself is measured by bench/login.sh): COUNT citizen sessions for persons picked at random
from the generator's sample file, and one window clerk with a city-wide grant (scope 22) and a
session. Writes into OUT: citizens.txt (one cookie token per line), citizen_sessions.txt (the
same sessions as "token<TAB>CSRF token", for POSTs: bench/booking.sh), staff.txt (token and
CSRF token), id_numbers.txt (the ID numbers the clerk searches for).

    sessions.py --db URL --sample FILE --count N --out DIR
"""
import argparse
import hashlib
import os
import random
import secrets
import sqlite3
import subprocess
import time


def rows_sql(args, now):
    with open(args.sample, encoding="utf-8") as f:
        sample = [line.strip().split(",") for line in f if line.strip() and not line.startswith("id_number")]
    rng = random.Random(7)
    picked = rng.sample(sample, min(args.count, len(sample)))
    statements, citizens = [], []
    for id_number, person_id in picked:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        citizens.append((token, csrf))
        statements.append(session_sql(token, csrf, "citizen", person_id, now))
    user = "bench-clerk"
    statements.append("DELETE FROM grants WHERE user_id = 'bench-clerk'")
    statements.append("DELETE FROM sessions WHERE subject_id = 'bench-clerk'")
    statements.append("DELETE FROM users WHERE id = 'bench-clerk'")
    statements.append("INSERT INTO users (id, kind, username, display_name, password_hash, password_changed_at_ms, "
                      f"created_at_ms) VALUES ('{user}', 'staff', '{user}', '压测窗口', 'x', {now}, {now})")
    statements.append(f"INSERT INTO grants (user_id, role, scope) VALUES ('{user}', 'window_clerk', '22')")
    staff_token, staff_csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    statements.append(session_sql(staff_token, staff_csrf, "staff", user, now))
    return statements, citizens, (staff_token, staff_csrf), [p[0] for p in picked]


def session_sql(token, csrf, kind, subject, now):
    token_hash = hashlib.new("sm3", token.encode()).hexdigest()
    return ("INSERT INTO sessions (token_hash, id, kind, subject_id, csrf_token, address, user_agent, created_at_ms, "
            f"last_seen_at_ms, expires_at_ms, revoked) VALUES ('{token_hash}', 'bench-{token_hash[:24]}', '{kind}', "
            f"'{subject}', '{csrf}', '127.0.0.1', 'wrk', {now}, {now}, {now + 4 * 3600 * 1000}, 0)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    now = int(time.time() * 1000)
    statements, citizens, staff, id_numbers = rows_sql(args, now)
    if args.db.startswith("sqlite:"):
        con = sqlite3.connect(args.db[len("sqlite:"):])
        with con:
            con.execute("DELETE FROM sessions WHERE user_agent = 'wrk'")
            for s in statements:
                con.execute(s)
        con.close()
    else:
        script = "BEGIN;\nDELETE FROM sessions WHERE user_agent = 'wrk';\n" + ";\n".join(statements) + ";\nCOMMIT;\n"
        subprocess.run(["psql", args.db, "-q", "-v", "ON_ERROR_STOP=1"], input=script.encode(), check=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "citizens.txt"), "w") as f:
        f.write("\n".join(token for token, _ in citizens) + "\n")
    with open(os.path.join(args.out, "citizen_sessions.txt"), "w") as f:
        f.write("\n".join(f"{token}\t{csrf}" for token, csrf in citizens) + "\n")
    with open(os.path.join(args.out, "staff.txt"), "w") as f:
        f.write(f"{staff[0]}\n{staff[1]}\n")
    with open(os.path.join(args.out, "id_numbers.txt"), "w") as f:
        f.write("\n".join(id_numbers) + "\n")
    print(f"sessions: {len(citizens)} citizens, 1 clerk")


if __name__ == "__main__":
    main()
