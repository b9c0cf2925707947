"""The services a distributed Airflow runs on, started privately for a test: PostgreSQL and Redis.

Debian's packages (``postgresql``, ``redis-server``; ``make test-distributed`` installs them), each on a
free loopback port with its files in a temporary directory, so that nothing of the machine's own services
is used or changed. PostgreSQL refuses to run as root: as root the cluster is the ``postgres`` user's.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from demo.deployment import free_port

INSTALL_HINT = "make test-distributed installs it (as root), or: sudo apt-get install postgresql redis-server"


def _program(name: str, pattern: str | None = None) -> str:
    """The program on PATH, else the newest version's matching ``pattern`` (Debian keeps PostgreSQL's
    programs in /usr/lib/postgresql/<version>/bin, off PATH)."""
    versions = glob.glob(pattern) if pattern else []
    newest = max(versions, key=lambda path: [int(part) for part in re.findall(r"\d+", path)], default=None)
    found = shutil.which(name) or newest
    if found is None:
        raise RuntimeError(f"{name} is not installed: {INSTALL_HINT}")
    return found


@dataclass
class Postgres:
    url: str
    dsn: str


@contextmanager
def postgres(database: str = "airflow") -> Iterator[Postgres]:
    """A PostgreSQL cluster of its own on a free port, with an empty ``database`` owned by ``airflow``."""
    bindir = Path(_program("pg_ctl", "/usr/lib/postgresql/*/bin/pg_ctl")).resolve().parent
    root = Path(tempfile.mkdtemp(prefix="airflow-postgres-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"

    def run(program: str, *args: str) -> None:
        subprocess.run([*as_user, str(bindir / program), *args], check=True, capture_output=True, text=True)

    try:
        run("initdb", "--pgdata", str(data), "--username", "airflow", "--auth", "trust", "--encoding", "UTF8")
        # A test's cluster: no durability across a machine crash (fsync) is needed, speed is.
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(
            "pg_ctl", "--pgdata", str(data), "--log", str(root / "postgres.log"), "-o", options, "-w", "start"
        )
        run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "airflow", database)
        yield Postgres(
            url=f"postgresql+psycopg2://airflow@127.0.0.1:{port}/{database}",
            dsn=f"host=127.0.0.1 port={port} user=airflow dbname={database}",
        )
    finally:
        if (data / "postmaster.pid").exists():
            run("pg_ctl", "--pgdata", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis() -> Iterator[str]:
    """A Redis server of its own on a free port, keeping nothing on disk; yields its URL."""
    import redis as redis_client

    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="airflow-redis-"))
    server = subprocess.Popen(
        [
            _program("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
        ],
        stdout=(root / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        client = redis_client.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis_client.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"redis-server did not start: {(root / 'redis.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
