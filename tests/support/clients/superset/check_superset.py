"""Apache Superset, in an environment of its own, reads the published warehouse through its REST API.

    uv run python tests/support/clients/superset/check_superset.py --warehouse warehouse   # or .../csc.duckdb

Steps, each printed with its time:
 1. the environment: a virtualenv made with uv from requirements.txt beside this file (pinned:
    apache-superset, duckdb-engine, duckdb), kept under the cache directory and reused while
    the lock and the Python are the same;
 2. Superset's metadata in a throwaway directory: a config with a random SECRET_KEY and a SQLite
    metadata database, `superset db upgrade`, `superset fab create-admin`, `superset init`;
 3. Superset served by gunicorn on 127.0.0.1 (a free port), as its docs deploy it;
 4. through the REST API only: log in, test and add the warehouse as a database (duckdb-engine,
    read-only), list its schemas and the tables of `marts`, create a dataset on
    marts.fct_children_looked_after, and run a chart data query (LAs reporting and children
    looked after, by year, for the latest three years);
 5. the answer is compared with what DuckDB computes on the same file, and the file is checked
    unchanged.

Exits 0 when every step passes; otherwise 1, with the step that failed and why (and the end of
Superset's log). The last line of a passing run is `RESULT {json}` for tests to read.

Nothing calls out: Superset's backend makes no request at start-up or for these calls (its
outbound calls are OAuth2 token exchange, alerts/reports, Slack and cache warm-up, all unused
here, and THUMBNAILS / ALERT_REPORTS stay off); the UI's Scarf pixel loads only in a browser,
and this script opens none.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
DATASET_TABLE = "fct_children_looked_after"
YEARS = 3  # the chart covers the latest three reporting years


class CheckFailed(Exception):
    pass


class Steps:
    """Prints each step with its own time and the time since the start."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.current = "start"

    @contextlib.contextmanager
    def step(self, name: str):
        self.current = name
        began = time.monotonic()
        print(f"... {name}", flush=True)
        yield
        now = time.monotonic()
        print(f"ok  {name}  [{now - began:.1f} s, {now - self.start:.1f} s in all]", flush=True)

    def note(self, text: str) -> None:
        print(f"    {text}", flush=True)


def default_env_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("CSC_SUPERSET_ENV_DIR") or Path(base) / "csc-warehouse")


def pinned(name: str) -> str:
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise CheckFailed(f"{REQUIREMENTS} pins no {name}")


def run(cmd: list[str], *, env: dict[str, str] | None = None, log: Path | None = None, timeout: float = 600) -> None:
    """Run a command; on failure raise with the end of its output."""
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if log is not None:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"$ {' '.join(cmd)}\n{proc.stdout}\n")
    if proc.returncode != 0:
        raise CheckFailed(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stdout[-3000:]}")


def ensure_environment(env_root: Path, steps: Steps) -> Path:
    """A virtualenv holding exactly requirements.txt, made once per lock and Python version."""
    uv = shutil.which("uv")
    if not uv:
        raise CheckFailed("uv is not on PATH (the project's set-up installs it; see README.md)")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    # The interpreter this script runs on (the project's 3.11), named by its real path: a Python
    # upgraded or moved gets a new environment rather than one whose links point nowhere.
    interpreter = Path(sys.base_prefix) / "bin" / f"python{python}"
    if not interpreter.exists():
        interpreter = Path(sys.executable)
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + f"{interpreter.resolve()} {sys.version}".encode()).hexdigest()[:12]
    env = env_root / f"superset-py{python}-{key}"
    done = env / ".csc-complete"
    env_root.mkdir(parents=True, exist_ok=True)
    with open(env_root / f".superset-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs at once: one builds, the other waits and reuses
        if done.exists() and (env / "bin" / "superset").exists():
            steps.note(f"reused {env}")
            return env
        if env.exists():
            shutil.rmtree(env)  # a build that did not finish
        uv_env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        uv_env.pop("VIRTUAL_ENV", None)
        run([uv, "venv", "--quiet", "--python", str(interpreter), str(env)], env=uv_env)
        # Compiled bytecode: every `superset` command imports the whole app (~2x faster start-up).
        run(
            [
                uv,
                "pip",
                "sync",
                "--quiet",
                "--compile-bytecode",
                "--python",
                str(env / "bin" / "python"),
                str(REQUIREMENTS),
            ],
            env=uv_env,
            timeout=900,
        )
        done.write_text(REQUIREMENTS.read_text(encoding="utf-8"), encoding="utf-8")
        steps.note(f"created {env}")
        return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def superset_config(home: Path) -> str:
    # Keys from superset/config.py of the pinned release (read in the installed package).
    return f"""# Written by check_superset.py for one run; thrown away after it.
SECRET_KEY = {secrets.token_urlsafe(42)!r}
DATA_DIR = {str(home)!r}
SQLALCHEMY_DATABASE_URI = {f"sqlite:///{home / 'superset.db'}?check_same_thread=false"!r}
# Only the REST API is used: no browser, so no Talisman CSP (whose default admits the UI's
# Scarf pixel and map tiles) and no rate limiting of the logins.
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
# Nothing that sends mail, posts to Slack, takes screenshots or runs Celery.
FEATURE_FLAGS = {{"ALERT_REPORTS": False, "THUMBNAILS": False, "SSH_TUNNELING": False}}
# Defaults kept on purpose: PREVENT_UNSAFE_DB_CONNECTIONS = True (duckdb passes it) and CSRF on.
"""


class Api:
    """Superset's REST API with a JWT from /api/v1/security/login and a CSRF token for writes."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers: dict[str, str] = {"Accept": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None, *, expect: tuple[int, ...] = (200, 201)) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=300) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        if status not in expect:
            raise CheckFailed(f"{method} {path} answered {status}: {text[:2000]}")
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise CheckFailed(f"{method} {path} answered {status} with no JSON: {text[:500]}") from None

    def login(self, username: str, password: str) -> None:
        # POST /api/v1/security/login {"username", "password", "provider": "db", "refresh"}
        # (Flask-AppBuilder's security API, as in Superset's API reference and
        # https://github.com/apache/superset/issues/19640).
        token = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": username, "password": password, "provider": "db", "refresh": False},
        )
        self.headers["Authorization"] = f"Bearer {token['access_token']}"
        # Writes need a CSRF token (WTF_CSRF_ENABLED is on) tied to the session cookie it sets.
        self.headers["X-CSRFToken"] = self.call("GET", "/api/v1/security/csrf_token/")["result"]
        self.headers["Referer"] = self.base


def wait_until_up(base: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CheckFailed(f"gunicorn exited {server.returncode} before answering")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(base + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise CheckFailed(f"Superset did not answer /health within {timeout:.0f} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn and its worker, started in their own group
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def expected_from_duckdb(db: Path) -> dict:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        catalog = con.execute("select current_database()").fetchone()[0]  # the file's stem, "csc"
        tables = sorted(
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        )
        comments = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() where schema_name = 'marts' "
                "and table_name = ? and comment is not null",
                (DATASET_TABLE,),
            ).fetchall()
        )
        latest = con.execute(f"select max(time_period) from marts.{DATASET_TABLE}").fetchone()[0]
        rows = con.execute(
            f"select time_period, count(distinct la_code), sum(cla_count) from marts.{DATASET_TABLE} "
            "where time_period > ? group by 1 order by 1",
            (latest - YEARS,),
        ).fetchall()
    return {
        "catalog": catalog,
        "tables": tables,
        "comments": comments,
        "latest": latest,
        "by_year": [[int(y), int(n), int(s)] for y, n, s in rows],
    }


def check(warehouse_db: Path, env: Path, work: Path, steps: Steps, server_timeout: float) -> dict:
    with steps.step("expected answer from DuckDB"):
        digest_before = hashlib.sha256(warehouse_db.read_bytes()).hexdigest()
        expected = expected_from_duckdb(warehouse_db)
        steps.note(f"{len(expected['tables'])} tables in marts; latest year {expected['latest']}")

    home = work / "superset_home"
    home.mkdir()
    config = home / "superset_config.py"
    config.write_text(superset_config(home), encoding="utf-8")
    log = work / "superset.log"
    env_vars = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env_vars.update(
        {
            "SUPERSET_CONFIG_PATH": str(config),
            "SUPERSET_HOME": str(home),
            "FLASK_APP": "superset",
            "PATH": f"{env / 'bin'}{os.pathsep}{env_vars.get('PATH', '')}",
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
        }
    )
    superset = str(env / "bin" / "superset")
    password = secrets.token_urlsafe(16)

    with steps.step("superset db upgrade (metadata in SQLite)"):
        run([superset, "db", "upgrade"], env=env_vars, log=log)
    with steps.step("superset fab create-admin"):
        run(
            [
                superset,
                "fab",
                "create-admin",
                "--username",
                "admin",
                "--firstname",
                "CSC",
                "--lastname",
                "Check",
                "--email",
                "admin@localhost",
                "--password",
                password,
            ],
            env=env_vars,
            log=log,
        )
    with steps.step("superset init (roles and permissions)"):
        run([superset, "init"], env=env_vars, log=log)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("a", encoding="utf-8") as out:
        server = subprocess.Popen(
            [
                str(env / "bin" / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "300",
                "--no-control-socket",
                "superset.app:create_app()",
            ],
            env=env_vars,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with steps.step(f"gunicorn serves Superset on {base}"):
            wait_until_up(base, server, server_timeout)
        # DuckDB lets one process write a file, or many read it: holding a read-only connection
        # here makes any read-write open by Superset fail, so the read-only setting is tested.
        import duckdb

        with duckdb.connect(str(warehouse_db), read_only=True):
            result = through_the_api(base, password, warehouse_db, expected, steps)
    finally:
        stop(server)

    with steps.step("publication unchanged"):
        if hashlib.sha256(warehouse_db.read_bytes()).hexdigest() != digest_before:
            raise CheckFailed(f"{warehouse_db} changed while Superset had it open (it must open it read-only)")
    return result


def through_the_api(base: str, password: str, warehouse_db: Path, expected: dict, steps: Steps) -> dict:
    api = Api(base)
    with steps.step("log in (POST /api/v1/security/login)"):
        api.login("admin", password)

    # Database payload: DatabasePostSchema in superset/databases/schemas.py of 6.1.0; `extra` is a
    # JSON string whose engine_params go to SQLAlchemy's create_engine, so connect_args reach
    # duckdb.connect(path, read_only=True) (the README's "Connecting a BI tool" settings).
    database = {
        "database_name": "csc_warehouse",
        "sqlalchemy_uri": f"duckdb:///{warehouse_db}",
        "extra": json.dumps({"engine_params": {"connect_args": {"read_only": True}}}),
        "expose_in_sqllab": True,
        "allow_dml": False,
    }
    with steps.step("test the connection (POST /api/v1/database/test_connection/)"):
        api.call(
            "POST",
            "/api/v1/database/test_connection/",
            {k: database[k] for k in ("database_name", "sqlalchemy_uri", "extra")},
        )
    with steps.step("add the warehouse as a database (POST /api/v1/database/)"):
        db_id = api.call("POST", "/api/v1/database/", database)["id"]
        steps.note(f"database id {db_id}: {database['sqlalchemy_uri']}")

    # duckdb-engine names every schema of every attached database "<database>.<schema>" (its
    # get_schema_names), and Superset's DuckDB spec has no catalogs (only MotherDuck's has): a
    # Superset user picks schema "csc.marts", the database being named after the file. So does this.
    marts, meta = f"{expected['catalog']}.marts", f"{expected['catalog']}.meta"
    with steps.step("list its schemas (GET /api/v1/database/<id>/schemas/)"):
        schemas = set(api.call("GET", f"/api/v1/database/{db_id}/schemas/")["result"])
        steps.note(f"schemas: {sorted(schemas)}")
        if not {marts, meta} <= schemas:
            raise CheckFailed(f"Superset sees schemas {sorted(schemas)}, not {marts} and {meta}")

    with steps.step(f"list the tables of {marts} (GET /api/v1/database/<id>/tables/)"):
        q = urllib.parse.quote(f"(schema_name:'{marts}',force:!t)")  # rison: database_tables_query_schema
        listed = api.call("GET", f"/api/v1/database/{db_id}/tables/?q={q}")
        tables = sorted(t["value"] for t in listed["result"])
        steps.note(f"{len(tables)} tables, e.g. {', '.join(tables[:4])}")
        if tables != expected["tables"]:
            raise CheckFailed(f"Superset lists marts tables {tables}; DuckDB has {expected['tables']}")

    with steps.step(f"create a dataset on {marts}.{DATASET_TABLE} (POST /api/v1/dataset/)"):
        # DatasetPostSchema: database (id), schema, table_name.
        ds_id = api.call("POST", "/api/v1/dataset/", {"database": db_id, "schema": marts, "table_name": DATASET_TABLE})[
            "id"
        ]
        columns = {
            c["column_name"]: c.get("description")
            for c in api.call("GET", f"/api/v1/dataset/{ds_id}")["result"]["columns"]
        }
        if not {"la_code", "time_period", "cla_count"} <= set(columns):
            raise CheckFailed(f"dataset {ds_id} has columns {sorted(columns)}")
        # Superset fills a column's description from its comment when it reads the table.
        described = {c: d for c, d in columns.items() if d}
        if described != expected["comments"]:
            raise CheckFailed(
                f"column descriptions differ from the publication's comments: Superset has "
                f"{described}, DuckDB {expected['comments']}"
            )
        steps.note(f"dataset id {ds_id}, {len(columns)} columns, {len(described)} described from the comments")

    first_year = expected["latest"] - YEARS + 1
    # A chart's query context (ChartDataQueryContextSchema / ChartDataQueryObjectSchema in
    # superset/charts/schemas.py of 6.1.0): adhoc SIMPLE metrics, a filter, grouped by year;
    # result_type "full" and result_format "json" (https://github.com/apache/superset/issues/17300).
    query_context = {
        "datasource": {"id": ds_id, "type": "table"},
        "force": True,
        "queries": [
            {
                "columns": ["time_period"],
                "metrics": [
                    {
                        "expressionType": "SIMPLE",
                        "column": {"column_name": "la_code"},
                        "aggregate": "COUNT_DISTINCT",
                        "label": "las",
                    },
                    {
                        "expressionType": "SIMPLE",
                        "column": {"column_name": "cla_count"},
                        "aggregate": "SUM",
                        "label": "children_looked_after",
                    },
                ],
                "filters": [{"col": "time_period", "op": ">=", "val": first_year}],
                "row_limit": 100,
            }
        ],
        "result_format": "json",
        "result_type": "full",
    }
    with steps.step("run a chart query (POST /api/v1/chart/data)"):
        answer = api.call("POST", "/api/v1/chart/data", query_context)["result"][0]
        if answer.get("status") != "success" or answer.get("error"):
            raise CheckFailed(f"chart query failed: {answer.get('error')} ({answer.get('status')})")
        got = sorted([int(r["time_period"]), int(r["las"]), int(r["children_looked_after"])] for r in answer["data"])
        steps.note("SQL Superset ran: " + " ".join(answer["query"].split()))
        for year, las, cla in got:
            steps.note(f"{year}: {las} LAs, {cla:,} children looked after")
        if got != expected["by_year"]:
            raise CheckFailed(f"Superset answered {got}; DuckDB computes {expected['by_year']}")

    return {
        "database_id": db_id,
        "dataset_id": ds_id,
        "schemas": sorted(schemas),
        "tables": tables,
        "latest": expected["latest"],
        "by_year": got,
        "query": answer["query"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse", required=True, type=Path, help="the warehouse directory, or its publication csc.duckdb"
    )
    parser.add_argument(
        "--env-dir",
        type=Path,
        default=default_env_dir(),
        help="where Superset's environment is kept (default %(default)s; or $CSC_SUPERSET_ENV_DIR)",
    )
    parser.add_argument("--server-timeout", type=float, default=240, help="seconds to wait for Superset to answer")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway directory (config, metadata, log)")
    args = parser.parse_args(argv)

    steps = Steps()
    warehouse_db = args.warehouse.resolve()
    if warehouse_db.suffix != ".duckdb":  # a warehouse directory
        warehouse_db = warehouse_db / "csc.duckdb"
    if not warehouse_db.is_file():
        print(
            f"FAILED: no publication at {warehouse_db} (give --warehouse DIR or --warehouse DIR/csc.duckdb)",
            file=sys.stderr,
        )
        return 1

    work = Path(tempfile.mkdtemp(prefix="csc-superset-"))
    try:
        with steps.step(
            f"Superset's environment (apache-superset {pinned('apache-superset')}, "
            f"duckdb-engine {pinned('duckdb-engine')}, duckdb {pinned('duckdb')})"
        ):
            env = ensure_environment(args.env_dir.resolve(), steps)
        result = check(warehouse_db, env, work, steps, args.server_timeout)
    except (CheckFailed, subprocess.TimeoutExpired) as failure:
        print(f"FAILED at step '{steps.current}': {failure}", file=sys.stderr)
        log = work / "superset.log"
        if log.exists():
            print(
                "--- end of Superset's log ---\n" + log.read_text(encoding="utf-8", errors="replace")[-4000:],
                file=sys.stderr,
            )
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - steps.start
    print(f"PASSED: Superset read {warehouse_db} through its REST API in {total:.1f} s")
    print(
        "RESULT "
        + json.dumps(
            {
                **result,
                "seconds": round(total, 1),
                "versions": {p: pinned(p) for p in ("apache-superset", "duckdb-engine", "duckdb")},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
