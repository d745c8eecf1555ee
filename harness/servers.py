"""Real Redis and PostgreSQL servers, from the Debian packages `scripts/install --servers` installs.

Each runs on 127.0.0.1 with a free port, a password, and its files in a fresh temp folder; `stop()` ends it
and removes the folder. PostgreSQL refuses to run as root, so under root its files belong to, and the server
runs as, the unprivileged user `nobody` (through `runuser`). When a server is not installed, the fixture skips
with the reason and the command that installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = (
    "install it with `scripts/install --servers` (as root: apt-get install redis-server postgresql)"
)
_UNPRIVILEGED = "nobody"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float, alive: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"the server exited early with status {alive.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout}s")


def stop_process(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Terminate a server that is still running, and kill it if it has not exited within `timeout`."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL server's bin folder from the Debian package (or initdb on PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class RedisServer:
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="briefbot-redis-")))
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = redis_binary()
        if binary is None:
            raise FileNotFoundError("redis-server")
        args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        args += [
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            self.password,
            "--protected-mode",
            "yes",
        ]
        with (self.folder / "redis.log").open("ab") as log:
            self._proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        _wait_for_port(self.port, 20, self._proc)

    def stop(self) -> None:
        stop_process(self._proc, timeout=10)
        self._proc = None
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class PostgresServer:
    port: int = field(default_factory=free_port)
    user: str = "briefbot"
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="briefbot-pg-")))
    _databases: int = 0
    _bin: Path = Path("/usr/bin")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", _UNPRIVILEGED, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done

    def start(self) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("initdb")
        data, pwfile = self.folder / "data", self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.folder, _UNPRIVILEGED)
            shutil.chown(pwfile, _UNPRIVILEGED)
        self.folder.chmod(0o700)
        self._run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-sync",
        )
        # Loopback TCP only: no Unix socket in /var/run (which `nobody` may not write), no fsync (tests).
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        options += " -c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        self._run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "pg.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self._bin = bin_dir

    def create_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        self._databases += 1
        name = f"t{self._databases}_{secrets.token_hex(3)}"
        dsn = f"host=127.0.0.1 port={self.port} user={self.user} password={self.password} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        data = self.folder / "data"
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(str(self._bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
