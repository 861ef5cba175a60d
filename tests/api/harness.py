"""A tiny harness for API tests against the real `dangan` binary (Python standard library only).

`Server` starts `dangan serve` on a free port with its own database; `call` makes one HTTP
request; tests are plain functions registered with `@test` and run by `run_all`, which
prints "ok - name" / "not ok - name: reason" and returns (passed, failed).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("DANGAN_BINARY", os.path.join(ROOT, "build", "dangan"))

_TESTS = []


def test(fn):
    """Registers a test function taking a Context; it runs once per database backend."""
    fn.once = False
    _TESTS.append(fn)
    return fn


def test_once(fn):
    """Registers a test that does not depend on the backend: it runs on the first one only."""
    fn.once = True
    _TESTS.append(fn)
    return fn


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, env=None, timeout=60):
    """Runs the binary with arguments; returns CompletedProcess with text output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


class Server:
    """`dangan serve` on a free loopback port with the given database URL."""

    def __init__(self, db_url, env=None, web_root=None, demo=False):
        self.db_url = db_url
        self.demo = demo  # initialise with `dangan init --demo` (demo persons and accounts)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.dir = tempfile.mkdtemp(prefix="dangan-node-")
        self.sms_log = os.path.join(self.dir, "sms.log")
        self.env = dict(os.environ)
        self.env["DANGAN_SECURITY_KEY_FILE"] = os.path.join(self.dir, "keys.txt")
        self.env["DANGAN_NOTIFY_SMS_LOG"] = self.sms_log
        self.env.update(env or {})
        self.web_root = web_root or os.path.join(ROOT, "web", "dist")
        self.proc = None
        self.log_path = None

    def start(self):
        init = run_cli("init", "--db", self.db_url, *(["--demo"] if self.demo else []), env=self.env)
        if init.returncode != 0:
            raise RuntimeError("dangan init failed: " + init.stderr)
        fd, self.log_path = tempfile.mkstemp(prefix="dangan-api-", suffix=".log")
        self.log = os.fdopen(fd, "w")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--db", self.db_url, "--listen", f"{self.host}:{self.port}", "--web-root",
             self.web_root],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early:\n" + self.read_log())
            try:
                if call(self, "GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start:\n" + self.read_log())

    def read_log(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the server with `sig`; returns its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("server did not stop within %ss after signal %s" % (timeout, sig))
        finally:
            self.log.close()
            os.unlink(self.log_path)
            shutil.rmtree(self.dir, ignore_errors=True)


def call(server, method, path, body=None, headers=None, timeout=10):
    """One request on a fresh connection. Returns (status, headers dict lower-case, body bytes).
    `body` may be bytes, str, or a JSON-serialisable object (sent as application/json)."""
    hdrs = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body, ensure_ascii=False).encode()
        hdrs.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def call_json(server, method, path, body=None, headers=None):
    status, hdrs, data = call(server, method, path, body, headers)
    return status, hdrs, (json.loads(data) if data else None)


class Context:
    """What a test sees: a running server for one backend and the backend's name."""

    def __init__(self, server, backend, new_db_url):
        self.server = server
        self.backend = backend
        self.new_db_url = new_db_url  # callable returning a fresh, empty database URL


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def check_error(status, body, want_status, want_code, want_field=None):
    """Checks the DESIGN.md error body: {"error":{"code","message"(Chinese),"field"}}."""
    check(status == want_status, f"status {status}, want {want_status}; body {body}")
    check(isinstance(body, dict) and "error" in body, f"no error object in {body}")
    err = body["error"]
    check(err.get("code") == want_code, f"code {err.get('code')}, want {want_code}")
    msg = err.get("message", "")
    check(any("\u4e00" <= ch <= "\u9fff" for ch in msg), f"message is not Chinese: {msg!r}")
    if want_field is not None:
        check(err.get("field") == want_field, f"field {err.get('field')}, want {want_field}")


def run_all(ctx, label, first):
    """Runs every registered test; DANGAN_API_ONLY=word runs only those whose module or name holds it."""
    only = os.environ.get("DANGAN_API_ONLY", "")
    passed = failed = 0
    for fn in _TESTS:
        if fn.once and not first:
            continue
        if only and only not in fn.__module__ and only not in fn.__name__:
            continue
        name = f"{label}: {fn.__name__}"
        try:
            fn(ctx)
            passed += 1
            print(f"ok - {name}", flush=True)
        except Exception as e:  # noqa: BLE001 — a test failure of any kind is reported
            failed += 1
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print(f"not ok - {name}: {detail}", flush=True)
    return passed, failed
