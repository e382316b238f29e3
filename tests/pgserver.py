"""A real PostgreSQL for the tests: NOTIFIER_TEST_PG_URL, else a throwaway cluster.

The cluster is made with initdb in a temporary folder and listens on 127.0.0.1
on a free port; as root it runs as the `postgres` or `nobody` user (PostgreSQL
refuses root). Each test gets a schema of its own in that database (the URL's
search_path), dropped afterwards, so tests never see each other's rows.
When no server can be had, the tests that need one are skipped with the reason;
when NOTIFIER_TEST_PG_URL is set and does not answer, they fail (CI set it on purpose).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

try:
    import psycopg
except ImportError:  # the postgres extra is not installed: the PostgreSQL tests are skipped
    psycopg = None  # type: ignore[assignment]

PASSWORD = uuid.uuid4().hex  # a throwaway cluster's, made up per session
ENV_URL = os.environ.get("NOTIFIER_TEST_PG_URL", "")
"""Read at import: the autouse fixture clears NOTIFIER_* variables before each test."""


def _bindir() -> Path | None:
    ctl, init = shutil.which("pg_ctl"), shutil.which("initdb")
    if ctl and init:
        return Path(os.path.realpath(ctl)).parent

    def version(d: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", Path(d).parent.name)) or (0,)

    found = [str(d) for d in Path("/usr/lib/postgresql").glob("*/bin")]
    for d in sorted(found, key=version, reverse=True):
        if os.access(f"{d}/pg_ctl", os.X_OK) and os.access(f"{d}/initdb", os.X_OK):
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UnavailableError(Exception):
    """No PostgreSQL could be started here; the message says why."""


class Cluster:
    """initdb + pg_ctl start in a temporary folder; `stop()` removes it."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            raise UnavailableError(
                "PostgreSQL is not installed (no pg_ctl/initdb on PATH or in "
                "/usr/lib/postgresql/*/bin); install it or set NOTIFIER_TEST_PG_URL"
            )
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="notifier-test-pg-", dir="/tmp"))
        self.owner: str | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    pw = pwd.getpwnam(name)
                    os.chown(self.dir, pw.pw_uid, pw.pw_gid)
                    self.owner = name
                    break
            else:
                raise UnavailableError("running as root with no 'postgres' or 'nobody' user")
        self.port = 0
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, cwd=self.dir, env=env, check=False
        )

    def start(self) -> str:
        data = str(self.dir / "data")
        r = self._run(
            str(self.bindir / "initdb"), "-D", data, "-U", "postgres", "--auth-local=trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "-N",
        )  # fmt: skip
        if r.returncode:
            raise UnavailableError(f"initdb failed: {r.stderr.strip()[-300:]}")
        for _ in range(3):
            self.port = _free_port()
            opts = f"-k {self.dir} -h 127.0.0.1 -p {self.port} -c fsync=off -c max_connections=200"
            r = self._run(
                str(self.bindir / "pg_ctl"), "-D", data, "-l", str(self.dir / "log"),
                "-w", "-t", "60", "-o", opts, "start",
            )  # fmt: skip
            if r.returncode == 0:
                self.started = True
                break
        else:
            raise UnavailableError(f"pg_ctl start failed: {(r.stderr or r.stdout).strip()[-300:]}")
        # Logins over TCP need a password, as on a real server: wrong ones are refused.
        psql = self.bindir / "psql"
        r = self._run(
            str(psql) if psql.exists() else shutil.which("psql") or "psql",
            "-X", "-q", "-h", str(self.dir), "-p", str(self.port), "-U", "postgres",
            "-c", f"ALTER ROLE postgres PASSWORD '{PASSWORD}'",
        )  # fmt: skip
        if r.returncode:
            raise UnavailableError(f"cannot set the test password: {r.stderr.strip()[-300:]}")
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.started:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                      "-w", "stop")  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The URL of a database the tests may make schemas in (UnavailableError if none)."""
    if psycopg is None:
        raise UnavailableError("psycopg is not installed: pip install -e '.[postgres]'")
    if ENV_URL:
        try:
            psycopg.connect(ENV_URL, connect_timeout=10).close()
        except psycopg.Error as e:
            raise RuntimeError(f"NOTIFIER_TEST_PG_URL does not answer: {e}") from e
        yield ENV_URL
        return
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@contextlib.contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A URL whose tables all land in a new, empty schema; dropped at the end."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")
