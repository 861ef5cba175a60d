#!/usr/bin/env python3
"""API tests against the built `dangan` binary, once on SQLite and once on PostgreSQL
(when DANGAN_TEST_PG_URL names a server). Ends with a line "N passed, N failed".

    python3 tests/api/run.py            # uses build/dangan
"""

import os
import subprocess
import sys
import tempfile
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402
import test_platform  # noqa: E402,F401 — registers tests
import test_cli  # noqa: E402,F401 — registers tests
import test_audit  # noqa: E402,F401 — registers tests
import test_identity_citizen  # noqa: E402,F401 — registers tests
import test_identity_staff  # noqa: E402,F401 — registers tests
import test_persons  # noqa: E402,F401 — registers tests
import test_archives  # noqa: E402,F401 — registers tests
import test_notify  # noqa: E402,F401 — registers tests
import test_bulk  # noqa: E402,F401 — registers tests
import test_appointments  # noqa: E402,F401 — registers tests
import test_certificates  # noqa: E402,F401 — registers tests
import test_kb  # noqa: E402,F401 — registers tests
import test_chat  # noqa: E402,F401 — registers tests
import test_wechat  # noqa: E402,F401 — registers tests


def sqlite_urls(tmp):
    def new():
        return "sqlite:" + os.path.join(tmp, f"api-{uuid.uuid4().hex[:8]}.db")
    return new


def postgres_urls(base):
    """Each call creates a fresh database on the test server and returns its URL."""
    def new():
        name = "api_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        parts = urllib.parse.urlsplit(base)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))
    return new


def main():
    if not os.access(harness.BINARY, os.X_OK):
        print(f"not ok - api: binary {harness.BINARY} not built")
        print("0 passed, 1 failed")
        return 1
    backends = []
    with tempfile.TemporaryDirectory(prefix="dangan-api-") as tmp:
        backends.append(("sqlite", sqlite_urls(tmp)))
        pg = os.environ.get("DANGAN_TEST_PG_URL")
        if pg:
            backends.append(("postgresql", postgres_urls(pg)))
        else:
            print("# DANGAN_TEST_PG_URL not set: API tests run on SQLite only")
        passed = failed = 0
        for index, (backend, new_url) in enumerate(backends):
            server = harness.Server(new_url())
            try:
                server.start()
            except Exception as e:  # noqa: BLE001
                print(f"not ok - {backend}: server start: {e}")
                failed += 1
                continue
            try:
                p, f = harness.run_all(harness.Context(server, backend, new_url), backend, index == 0)
                passed += p
                failed += f
            finally:
                server.stop()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
