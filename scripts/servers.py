"""Private Redis and PostgreSQL servers for the tests and the load test, on free loopback ports.

Each one lives in its own temporary folder (data, socket, log), listens on 127.0.0.1 only, and is
stopped and deleted by `close()` (or the `with` block). `stop()` and `start()` in between stop and
restart it on the same port with the same data, as an outage would. `make services` installs the
binaries (Debian's `redis-server` and `postgresql`); `find_redis` and `find_postgres` say where
they are, or None.

PostgreSQL's `initdb` and `pg_ctl` refuse to run as root, so as root they run as the `postgres`
user (`runuser`) on a folder it owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

from support import free_port, until

START_SECONDS = 30.0


def find_redis() -> str | None:
    return shutil.which("redis-server")


def find_postgres() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: Debian keeps them out of PATH, one folder per major version."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(folders[-1]).parent if folders else None


class _PrivateServer:
    """A server in its own temporary folder: `start()` and `stop()` it; `close()` (or the `with` block) also
    deletes the folder."""

    folder: Path

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class RedisServer(_PrivateServer):
    def __init__(self, binary: str):
        self._binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="chatbot-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        log = (self.folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [
                self._binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        where = f"redis-server on port {self.port} (log: {self.folder / 'redis.log'})"
        until(self._answers, where, seconds=START_SECONDS, every=0.05)
        return self

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(
                f"redis-server exited with status {self._process.returncode}; see {self.folder / 'redis.log'}"
            )
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


class PostgresServer(_PrivateServer):
    def __init__(self, bin_dir: Path):
        self._bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="chatbot-postgres-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb and pg_ctl refuse root
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> Self:
        options = f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-o", options, "-w", "start")
        return self

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self._bin / program), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_SECONDS * 2,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
