#!/usr/bin/env python3
"""Chores of bench/certificates.sh, Python standard library only.

    prepare.py codes --url http://HOST:PORT --dir DIR --count K [--threads T]
        issues K location certificates through POST /api/v1/me/certificates, one per citizen
        session of DIR/citizen_sessions.txt (from bench/lookup/sessions.py), T at a time, and
        writes DIR/codes.txt (the QR's URL of each), DIR/numbers.txt, DIR/sample.pdf (the PDF of
        the first), DIR/www/verify.json (the answer to verifying the first by its code: what
        nginx serves as the baseline) and DIR/keys.json (the published keys).
    prepare.py offline --bin DANGAN --dir DIR --count N
        runs `dangan cert verify CODE --keys DIR/keys.json` N times, one process each, over the
        codes; prints "verifications/s ms_per_process failures".
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse


def request(url, method, path, body=None, headers=None):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        conn.request(method, path, body=data, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def codes(args):
    with open(os.path.join(args.dir, "citizen_sessions.txt")) as f:
        sessions = [line.split() for line in f if line.strip()]
    if len(sessions) < args.count:
        sys.exit(f"only {len(sessions)} sessions for {args.count} certificates")

    def issue(i):
        token, csrf = sessions[len(sessions) - 1 - i]   # the end of the list: wrk starts at the front
        status, data = request(args.url, "POST", "/api/v1/me/certificates", {"kind": "location", "purpose": "notary"},
                               {"Cookie": f"dangan_session={token}", "X-CSRF-Token": csrf, "X-Dangan-Channel": "web",
                                "Content-Type": "application/json", "Idempotency-Key": f"prepare-{i}"})
        if status != 201:
            raise RuntimeError(f"issue {i}: {status} {data[:300]!r}")
        return json.loads(data)["certificate"], token

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        issued = list(pool.map(issue, range(args.count)))
    seconds = time.time() - started
    with open(os.path.join(args.dir, "codes.txt"), "w") as f:
        f.write("\n".join(c["verify_url"] for c, _ in issued) + "\n")
    with open(os.path.join(args.dir, "numbers.txt"), "w") as f:
        f.write("\n".join(c["number"] for c, _ in issued) + "\n")
    first, token = issued[0]
    status, pdf = request(args.url, "GET", first["pdf_url"], headers={"Cookie": f"dangan_session={token}"})
    if status != 200 or not pdf.startswith(b"%PDF"):
        sys.exit(f"pdf: {status} {pdf[:200]!r}")
    with open(os.path.join(args.dir, "sample.pdf"), "wb") as f:
        f.write(pdf)
    status, answer = request(args.url, "POST", "/api/v1/certificates/verify", {"code": first["verify_url"]},
                             {"Content-Type": "application/json"})
    if status != 200 or json.loads(answer)["result"] != "genuine":
        sys.exit(f"verify: {status} {answer[:300]!r}")
    os.makedirs(os.path.join(args.dir, "www"), exist_ok=True)
    with open(os.path.join(args.dir, "www", "verify.json"), "wb") as f:
        f.write(answer)
    status, keys = request(args.url, "GET", "/.well-known/dangan-keys.json")
    if status != 200:
        sys.exit(f"keys: {status}")
    with open(os.path.join(args.dir, "keys.json"), "wb") as f:
        f.write(keys)
    print(f"{args.count} certificates in {seconds:.1f} s ({args.count / seconds:.1f}/s, {args.threads} threads); "
          f"PDF {len(pdf)} bytes", file=sys.stderr)


def offline(args):
    with open(os.path.join(args.dir, "codes.txt")) as f:
        all_codes = [line.strip() for line in f if line.strip()]
    keys = os.path.join(args.dir, "keys.json")
    failures = 0
    started = time.time()
    for i in range(args.count):
        r = subprocess.run([args.bin, "cert", "verify", all_codes[i % len(all_codes)], "--keys", keys],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        if r.returncode != 0 or not r.stdout.startswith(b"VALID"):
            failures += 1
    seconds = time.time() - started
    print(f"{args.count / seconds:.2f} {1000 * seconds / args.count:.2f} {failures}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("codes")
    c.add_argument("--url", required=True)
    c.add_argument("--dir", required=True)
    c.add_argument("--count", type=int, default=200)
    c.add_argument("--threads", type=int, default=8)
    o = sub.add_parser("offline")
    o.add_argument("--bin", required=True)
    o.add_argument("--dir", required=True)
    o.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    {"codes": codes, "offline": offline}[args.command](args)


if __name__ == "__main__":
    main()
