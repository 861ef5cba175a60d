"""The command line: version, --help, config check, bad configuration, bad databases."""

import os
import tempfile

from harness import check, run_cli, test, test_once


def _toml(text):
    fd, path = tempfile.mkstemp(suffix=".toml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


@test_once
def version_prints_revision(ctx):
    r = run_cli("version")
    check(r.returncode == 0 and r.stdout.startswith("dangan 0."), r.stdout + r.stderr)
    check("revision" in r.stdout, r.stdout)


@test_once
def help_on_every_subcommand(ctx):
    for args in [["--help"], ["serve", "--help"], ["init", "--help"], ["version", "--help"],
                 ["config", "check", "--help"], ["card-reader-sim", "--help"]]:
        r = run_cli(*args)
        check(r.returncode == 0 and "--help" in r.stdout, f"{args}: {r.returncode} {r.stdout[:200]}")
    r = run_cli("serve", "--help")
    for flag in ["--config", "--db", "--listen"]:
        check(flag in r.stdout, f"serve --help lacks {flag}")


@test_once
def config_check_prints_effective_values(ctx):
    path = _toml('[server]\nlisten = "127.0.0.1:9999"\nthreads = 3\n[log]\nformat = "json"\n')
    try:
        r = run_cli("config", "check", "--config", path, env={"DANGAN_SERVER_THREADS": "5"})
        check(r.returncode == 0, r.stderr)
        check("127.0.0.1:9999" in r.stdout, r.stdout)
        threads = [line for line in r.stdout.splitlines() if line.strip().startswith("server.threads ")]
        check(threads and "= 5" in threads[0], f"environment must win over the file: {threads}")
    finally:
        os.unlink(path)


@test
def unknown_config_key_stops_with_exit_2(ctx):
    path = _toml('[server]\nlistn = "127.0.0.1:9999"\n')
    try:
        for cmd in (["config", "check"], ["serve"]):
            r = run_cli(*cmd, "--config", path, "--db", ctx.new_db_url())
            check(r.returncode == 2, f"{cmd}: exit {r.returncode}")
            check("server.listn" in r.stderr and "未知" in r.stderr, r.stderr)
    finally:
        os.unlink(path)


@test_once
def ill_typed_config_key_stops_with_exit_2(ctx):
    path = _toml('[server]\nthreads = "two"\n')
    try:
        r = run_cli("config", "check", "--config", path)
        check(r.returncode == 2 and "server.threads" in r.stderr, f"{r.returncode} {r.stderr}")
    finally:
        os.unlink(path)
    r = run_cli("config", "check", env={"DANGAN_SERVER_THREADS": "abc"})
    check(r.returncode == 2 and "server.threads" in r.stderr, f"env: {r.returncode} {r.stderr}")
    r = run_cli("config", "check", env={"DANGAN_DATABASE_URLL": "sqlite:x.db"})
    check(r.returncode == 2 and "DANGAN_DATABASE_URLL" in r.stderr, f"unknown env: {r.returncode} {r.stderr}")
    r = run_cli("config", "check", env={"DANGAN_LOG_LEVEL": "loud"})
    check(r.returncode == 2 and "log.level" in r.stderr, f"bad level: {r.returncode} {r.stderr}")


@test_once
def toml_syntax_error_names_the_line(ctx):
    path = _toml('[server]\nlisten = \n')
    try:
        r = run_cli("config", "check", "--config", path)
        check(r.returncode == 2 and "第 2 行" in r.stderr, f"{r.returncode} {r.stderr}")
    finally:
        os.unlink(path)


@test_once
def missing_config_file_is_an_error(ctx):
    r = run_cli("config", "check", "--config", "/nonexistent/dangan.toml")
    check(r.returncode == 2 and "/nonexistent/dangan.toml" in r.stderr, f"{r.returncode} {r.stderr}")


@test_once
def unopenable_databases_give_clear_messages(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        not_a_db = os.path.join(tmp, "notes.txt")
        with open(not_a_db, "w") as f:
            f.write("this is not a database file, it is plain text. " * 50)
        cases = [
            "sqlite:" + os.path.join(not_a_db, "inside-a-file.db"),   # parent is a file
            "sqlite:" + not_a_db,                                       # not a database
            "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",   # nothing listens there
        ]
        for url in cases:
            r = run_cli("init", "--db", url)
            check(r.returncode == 3, f"{url}: exit {r.returncode} {r.stderr}")
            check("错误" in r.stderr and "Segmentation" not in r.stderr, f"{url}: {r.stderr}")
    r = run_cli("init", "--db", "mysql://x")
    check(r.returncode == 2 and "database.url" in r.stderr, f"bad scheme: {r.returncode} {r.stderr}")


@test
def listen_address_in_use_is_reported(ctx):
    busy = f"{ctx.server.host}:{ctx.server.port}"
    r = run_cli("serve", "--db", ctx.new_db_url(), "--listen", busy, env=ctx.server.env, timeout=30)
    check(r.returncode == 1 and busy in r.stderr, f"{r.returncode} {r.stderr}")


@test_once
def every_config_key_is_documented(ctx):
    r = run_cli("config", "check")
    check(r.returncode == 0, r.stderr)
    keys = [line.split()[0] for line in r.stdout.splitlines()[1:] if line.startswith("  ")]
    check(len(keys) >= 15, f"keys listed: {keys}")
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "docs", "configuration.md"), encoding="utf-8") as f:
        doc = f.read()
    with open(os.path.join(root, "deploy", "dangan.toml.example"), encoding="utf-8") as f:
        example = f.read()
    table = run_cli("config", "keys").stdout
    begin = doc.index("-->\n", doc.index("<!-- keys:begin")) + 4
    end = doc.index("<!-- keys:end -->")
    check(doc[begin:end] == table, "docs/configuration.md is stale: paste the output of `dangan config keys`")
    for key in keys:
        check(f"`{key}`" in doc, f"{key} is missing from docs/configuration.md")
        check(key.split(".")[1] + " =" in example, f"{key} is missing from deploy/dangan.toml.example")


@test_once
def every_route_is_in_the_permission_table(ctx):
    """docs/permissions.md is the permission table: it must list exactly the routes the server
    has, each with the roles allowed. A route added without updating it fails here."""
    with tempfile.TemporaryDirectory() as tmp:
        r = run_cli("routes", "--db", "sqlite:" + os.path.join(tmp, "routes.db"),
                    env={"DANGAN_SECURITY_KEY_FILE": os.path.join(tmp, "keys.txt")})
    check(r.returncode == 0, r.stderr)
    check("(none: denied)" not in r.stdout, "a route has no roles:\n" + r.stdout)
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "docs", "permissions.md"), encoding="utf-8") as f:
        doc = f.read()
    begin = doc.index("-->\n", doc.index("<!-- routes:begin")) + 4
    end = doc.index("<!-- routes:end -->")
    check(doc[begin:end] == r.stdout, "docs/permissions.md differs from `dangan routes`:\n" + r.stdout)


@test_once
def serve_without_keys_explains_what_to_do(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        r = run_cli("serve", "--db", "sqlite:" + os.path.join(tmp, "x.db"), "--listen", "127.0.0.1:0",
                    env={"DANGAN_SECURITY_KEY_FILE": os.path.join(tmp, "keys.txt")})
    check(r.returncode == 2 and "dangan init" in r.stderr, f"{r.returncode} {r.stderr}")


@test_once
def init_creates_a_private_key_file_once(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        keys = os.path.join(tmp, "sub", "keys.txt")
        env = {"DANGAN_SECURITY_KEY_FILE": keys}
        r = run_cli("init", "--db", "sqlite:" + os.path.join(tmp, "x.db"), env=env)
        check(r.returncode == 0, r.stderr)
        check(oct(os.stat(keys).st_mode & 0o777) == "0o600", oct(os.stat(keys).st_mode))
        first = open(keys).read()
        check(run_cli("init", "--db", "sqlite:" + os.path.join(tmp, "x.db"), env=env).returncode == 0, "again")
        check(open(keys).read() == first, "a second init must not replace the keys")
        os.chmod(keys, 0o644)
        r = run_cli("init", "--db", "sqlite:" + os.path.join(tmp, "x.db"), env=env)
        check(r.returncode == 2 and "chmod 600" in r.stderr, f"loose permissions: {r.returncode} {r.stderr}")
