"""The platform foundation over HTTP: health, info, metrics, errors, limits, static files."""

import json
import os
import shutil
import socket
import struct
import tempfile
import threading
import time

from harness import Server, call, call_json, check, check_error, test

FIXTURE_WEB = os.path.join(os.path.dirname(__file__), "fixtures", "webroot")


@test
def healthz_and_readyz(ctx):
    status, _, body = call(ctx.server, "GET", "/healthz")
    check(status == 200 and body == b"ok\n", f"healthz {status} {body!r}")
    status, _, body = call(ctx.server, "GET", "/readyz")
    check(status == 200 and body == b"ready\n", f"readyz {status} {body!r}")


@test
def info_names_platform_and_backend(ctx):
    status, hdrs, body = call_json(ctx.server, "GET", "/api/v1/info")
    check(status == 200, f"status {status}")
    check(hdrs["content-type"].startswith("application/json"), hdrs["content-type"])
    check(body["name"] == "社会保险档案智慧服务平台", body)
    check(body["version"].count(".") == 2, body)
    check(body["revision"], body)
    check(body["database"] == ctx.backend, f"{body['database']} != {ctx.backend}")
    reader = body["kiosk"]["card_reader_url"]
    check(reader.startswith("http://") or reader.startswith("https://"), body)
    _, hdrs, _ = call(ctx.server, "GET", "/")
    origin = "/".join(reader.split("/")[:3])
    check(f"connect-src 'self' {origin};" in hdrs.get("content-security-policy", ""), hdrs)


@test
def security_headers_on_every_response(ctx):
    for path in ["/api/v1/info", "/api/v1/nope", "/", "/healthz"]:
        _, hdrs, _ = call(ctx.server, "GET", path)
        check("frame-ancestors 'none'" in hdrs.get("content-security-policy", ""), f"{path}: CSP {hdrs}")
        check(hdrs.get("x-content-type-options") == "nosniff", f"{path}: nosniff")
        check(hdrs.get("x-frame-options") == "DENY", f"{path}: x-frame-options")


@test
def request_id_is_echoed_or_made(ctx):
    _, hdrs, _ = call(ctx.server, "GET", "/healthz", headers={"X-Request-Id": "abc-123"})
    check(hdrs.get("x-request-id") == "abc-123", hdrs)
    _, hdrs, _ = call(ctx.server, "GET", "/healthz", headers={"X-Request-Id": "bad id <script>"})
    rid = hdrs.get("x-request-id", "")
    check(len(rid) == 16 and rid.isalnum(), f"made id {rid!r}")


@test
def unknown_api_route_is_json_404(ctx):
    status, _, body = call_json(ctx.server, "GET", "/api/v1/no-such-thing")
    check_error(status, body, 404, "not_found")


@test
def wrong_method_is_405_with_allow(ctx):
    status, hdrs, body = call_json(ctx.server, "DELETE", "/api/v1/info")
    check_error(status, body, 405, "method_not_allowed")
    check("GET" in hdrs.get("allow", ""), f"Allow: {hdrs.get('allow')}")


@test
def body_too_large_is_413(ctx):
    big = b"x" * (1024 * 1024 + 1)
    status, _, body = call(ctx.server, "POST", "/api/v1/client-errors", big,
                           {"Content-Type": "application/json"})
    check_error(status, json.loads(body), 413, "payload_too_large", "body")


@test
def malformed_json_is_400_naming_the_problem(ctx):
    status, _, body = call_json(ctx.server, "POST", "/api/v1/client-errors", '{"app": "portal", "message": ',
                                {"Content-Type": "application/json"})
    check_error(status, body, 400, "malformed_json", "body")
    check("JSON" in body["error"]["message"], body)


@test
def too_deep_json_is_400(ctx):
    deep = "[" * 100 + "]" * 100
    status, _, body = call_json(ctx.server, "POST", "/api/v1/client-errors", deep,
                                {"Content-Type": "application/json"})
    check_error(status, body, 400, "json_too_deep", "body")


@test
def wrong_content_type_is_415(ctx):
    status, _, body = call_json(ctx.server, "POST", "/api/v1/client-errors", "app=x",
                                {"Content-Type": "application/x-www-form-urlencoded"})
    check_error(status, body, 415, "unsupported_media_type", "content-type")


@test
def client_error_report_validates_fields(ctx):
    status, _, body = call_json(ctx.server, "POST", "/api/v1/client-errors", {"app": "portal"})
    check_error(status, body, 400, "missing_field", "message")
    status, _, body = call_json(ctx.server, "POST", "/api/v1/client-errors", {"app": "portal", "message": 5})
    check_error(status, body, 400, "invalid_type", "message")
    status, _, _ = call(ctx.server, "POST", "/api/v1/client-errors",
                        {"app": "portal", "message": "TypeError: x is undefined", "url": "/"})
    check(status == 204, f"good report: {status}")


@test
def metrics_are_prometheus_text(ctx):
    call(ctx.server, "GET", "/api/v1/info")
    status, hdrs, body = call(ctx.server, "GET", "/metrics")
    text = body.decode()
    check(status == 200 and hdrs["content-type"].startswith("text/plain"), f"{status} {hdrs}")
    check('dangan_http_requests_total{route="GET /api/v1/info",status="2xx"}' in text, text[:500])
    check('dangan_http_request_duration_seconds_bucket{route="GET /api/v1/info",le="+Inf"}' in text, "histogram")
    check('dangan_db_pool_connections{state="open"}' in text, "pool gauge")


def _static_server(ctx):
    return Server(ctx.new_db_url(), web_root=FIXTURE_WEB).start()


@test
def static_files_and_spa_fallback(ctx):
    server = _static_server(ctx)
    try:
        status, hdrs, body = call(server, "GET", "/")
        check(status == 200 and b"app=portal" in body, f"/ {status} {body[:80]!r}")
        check(hdrs["content-type"].startswith("text/html"), hdrs["content-type"])
        check(hdrs.get("cache-control") == "no-cache", f"html cache {hdrs.get('cache-control')}")
        for path, app in [("/kiosk/", "kiosk"), ("/kiosk", "kiosk"), ("/staff/people/42", "staff"),
                          ("/v/ABC123", "v"), ("/appointments/new", "portal")]:
            status, _, body = call(server, "GET", path)
            check(status == 200 and f"app={app}".encode() in body, f"{path}: {status} {body[:80]!r}")
        status, hdrs, body = call(server, "GET", "/assets/index-AbC123.js")
        check(status == 200 and b"fixture" in body, f"asset {status}")
        check("immutable" in hdrs.get("cache-control", ""), f"asset cache {hdrs.get('cache-control')}")
        check(hdrs["content-type"].startswith("text/javascript"), hdrs["content-type"])
        status, _, _ = call(server, "GET", "/assets/missing-123.js")
        check(status == 404, f"missing asset {status}")
        status, _, body = call(server, "GET", "/%2e%2e/%2e%2e/etc/passwd")
        check(status == 404 and b"root:" not in body, f"traversal {status}")
        status, _, body = call(server, "HEAD", "/")
        check(status == 200 and body == b"", f"HEAD {status} {body[:40]!r}")
    finally:
        server.stop()


@test
def client_resetting_a_file_download_does_not_stop_the_server(ctx):
    # A browser that navigates away mid-download resets the connection while sendfile(2) is
    # writing; the server once died of SIGPIPE then (exit 141), silently.
    root = tempfile.mkdtemp(prefix="dangan-web-")
    shutil.copytree(FIXTURE_WEB, root, dirs_exist_ok=True)
    with open(os.path.join(root, "assets", "big-AbC123.js"), "wb") as f:
        f.write(b"/* fixture */" + b"x" * (4 << 20))
    server = Server(ctx.new_db_url(), web_root=root).start()
    try:
        for _ in range(20):
            sock = socket.create_connection((server.host, server.port), timeout=10)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(b"GET /assets/big-AbC123.js HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1024)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # RST while the server is still sending
            time.sleep(0.02)
        time.sleep(0.3)
        check(server.proc.poll() is None, f"the server exited with {server.proc.poll()}")
        status, _, _ = call(server, "GET", "/healthz")
        check(status == 200, f"healthz {status}")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@test
def slow_client_is_cut_off(ctx):
    server = Server(ctx.new_db_url(), env={"DANGAN_SERVER_READ_TIMEOUT_SECONDS": "1"}).start()
    try:
        sock = socket.create_connection((server.host, server.port), timeout=10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
        started = time.time()
        data = sock.recv(4096)  # returns b"" when the server closes the connection
        check(data == b"" or data.startswith(b"HTTP/1.1 408"), f"got {data[:60]!r}")
        check(time.time() - started < 8, "the server kept a slow client open")
        sock.close()
    finally:
        server.stop()


@test
def sigterm_finishes_in_flight_and_exits_zero(ctx):
    server = Server(ctx.new_db_url()).start()
    results = []

    def hammer():
        for _ in range(50):
            try:
                results.append(call(server, "GET", "/api/v1/info")[0])
            except OSError:
                results.append("refused")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    code = server.stop()
    for t in threads:
        t.join()
    check(code == 0, f"exit code {code}")
    # Every request either completed with 200 or was refused after the listener closed;
    # none was cut off half-way (that would raise a different error or a non-200 status).
    check(all(r in (200, "refused") for r in results), f"results {set(map(str, results))}")
    check(200 in results, "no request succeeded before the stop")


@test
def oversized_header_is_refused(ctx):
    # A header value above server.max_header_bytes (16 KiB) is never handed to a handler.
    try:
        status, _, _ = call(ctx.server, "GET", "/api/v1/info", headers={"X-Big": "a" * 20000})
    except OSError:
        status = None  # the server closed the connection: refused
    check(status != 200, f"a 20 KB header was accepted ({status})")
    status, _, _ = call(ctx.server, "GET", "/api/v1/info", headers={"X-Ok": "a" * 1000})
    check(status == 200, f"a 1 KB header was refused ({status})")
