"""The SMS outbox end to end: a server with the http gateway pointed at a fake provider on
loopback. A provider fault must not lose the message (it is retried after the 5 s backoff),
a message that keeps failing ends as 'failed' in the outbox, and the recipient is sealed in
the table."""

import http.server
import json
import threading
import time

from harness import Server, call_json, check, test
from test_identity_citizen import DEMO, sql, sql_raw

AUTH = "Authorization: Bearer provider-t0ken"
TEMPLATE = '{"phone":"{{to}}","msg":"{{text}}","sign":"社保档案"}'


class FakeProvider:
    """An SMS provider on 127.0.0.1 that records every POST and answers 500 to the mobile
    numbers in `fail_first` the first time, and to those in `fail_always` every time."""

    def __init__(self, fail_first=(), fail_always=()):
        self.requests = []
        self.lock = threading.Lock()
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                with provider.lock:
                    earlier = [r for r in provider.requests if r["body"]["phone"] == body["phone"]]
                    provider.requests.append({"body": body, "auth": self.headers.get("Authorization"),
                                              "type": self.headers.get("Content-Type")})
                fail = body["phone"] in fail_always or (body["phone"] in fail_first and not earlier)
                answer = b'{"error":"busy"}' if fail else b'{"ok":true}'
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def to(self, mobile):
        with self.lock:
            return [r for r in self.requests if r["body"]["phone"] == mobile]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def outbox_row(server, mobile_masked):
    rows = sql(server, "SELECT state, attempts, COALESCE(last_error, ''), template_id FROM outbox "
                       f"WHERE recipient_masked = '{mobile_masked}' ORDER BY created_at_ms")
    check(len(rows) == 1, f"outbox rows for {mobile_masked}: {rows}")
    return rows[0]


def wait_for(predicate, what, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@test
def sms_provider_faults_are_retried_and_failures_kept(ctx):
    zhang, wang = DEMO["zhang"][2], DEMO["wang"][2]
    provider = FakeProvider(fail_first=[zhang], fail_always=[wang])
    server = Server(ctx.new_db_url(), demo=True, env={
        "DANGAN_NOTIFY_SMS_GATEWAY": "http",
        "DANGAN_NOTIFY_HTTP_URL": provider.url,
        "DANGAN_NOTIFY_HTTP_AUTH_HEADER": AUTH,
        "DANGAN_NOTIFY_HTTP_BODY_TEMPLATE": TEMPLATE,
        "DANGAN_NOTIFY_POLL_INTERVAL_MS": "100",
        "DANGAN_NOTIFY_MAX_ATTEMPTS": "2",
    })
    try:
        server.start()
        for key in ("zhang", "wang"):
            _, id_number, mobile = DEMO[key]
            status, _, body = call_json(server, "POST", "/api/v1/auth/citizen/code",
                                        {"id_number": id_number, "mobile": mobile})
            check(status == 200, f"code request for {key}: {status} {body}")

        # The first try fails at once; the retry comes after the 5 s backoff.
        wait_for(lambda: len(provider.to(zhang)) >= 2, "the retried SMS")
        first, retry = provider.to(zhang)[:2]
        check(first["body"] == retry["body"], f"the retry differs: {first} {retry}")
        check(first["auth"] == AUTH.split(": ", 1)[1], f"auth header {first['auth']!r}")
        check(first["type"] == "application/json", f"content type {first['type']!r}")
        check(first["body"]["sign"] == "社保档案", first["body"])
        check("验证码" in first["body"]["msg"], first["body"])
        wait_for(lambda: outbox_row(server, "139****0001")[0] == "sent", "zhang's SMS marked sent")
        state, attempts, last_error, template = outbox_row(server, "139****0001")
        check(attempts == "1" and "HTTP 500" in last_error, f"sent row: {attempts} {last_error!r}")

        # Two failures with max_attempts 2: 'failed', visible to the operator with the reason.
        wait_for(lambda: outbox_row(server, "139****0002")[0] == "failed", "wang's SMS marked failed")
        state, attempts, last_error, template = outbox_row(server, "139****0002")
        check(attempts == "2" and "HTTP 500" in last_error and "busy" in last_error, f"{attempts} {last_error!r}")
        check(len(provider.to(wang)) == 2, f"wang's SMS tried {len(provider.to(wang))} times")

        raw = sql_raw(server, "SELECT recipient_sealed FROM outbox")
        for mobile in (zhang, wang):
            check(mobile.encode() not in raw, "a mobile number in clear in outbox.recipient_sealed")
            check(mobile.encode().hex().encode() not in raw.lower(), "a mobile number's hex in the outbox")
    finally:
        server.stop()
        provider.close()
