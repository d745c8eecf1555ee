"""Writes during a rebuild: `python -m benchmarks.concurrency [--writers N] [--mode embedded|server|both]`.

Indexes a source folder, then runs `python -m ingest SOURCE --rebuild` and, while it embeds, N writer
processes that write through the library as the bot does (half incremental syncs of their own scope, half
channel posts) plus one queued `python -m ingest OTHER --wait` run. When all have finished it counts the
briefs that were acknowledged but are not in the index, and prints one JSON object per mode:
`{"mode": ..., "writes": N, "lost": 0, ...}` with the writers' latencies and how long the rebuild held the
write lock at its switch (what a writer may wait; the whole rebuild is what it would wait behind a lock).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CAUGHT_UP = re.compile(r"rebuild caught up carried=(\d+) write_lock_ms=(\d+)")


def _writer(ident: str, stop_file: Path) -> None:
    """A writer process: one brief at a time until `stop_file` exists; prints ids and latencies."""
    from store.library import open_library
    from store.settings import BriefbotSettings
    from store.types import Brief

    library = open_library(BriefbotSettings().store)  # type: ignore[call-arg]
    ids: list[str] = []
    latencies: list[float] = []
    n = 0
    while not stop_file.exists():
        n += 1
        brief = Brief(
            id=f"bench-{ident}-{n}",
            title=f"Catatan {ident} nomor {n}",
            text=f"Penulis {ident} mencatat kabar nomor {n}: pelabuhan baru dibuka, ekspor naik {n} persen.",
            published=date(2025, 7, 1),
            lang="id",
        )
        started = time.perf_counter()
        if n % 2:
            library.sync([replace(brief, scope=f"bench-{ident}")], f"bench-{ident}", remove_missing=False)
        else:
            library.upsert([replace(brief, scope="telegram:bench", origin=f"https://t.me/bench/{n}")])
        latencies.append((time.perf_counter() - started) * 1000)
        ids.append(brief.id)
    library.close()
    print(json.dumps({"ids": ids, "ms": latencies}), flush=True)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _check(process: subprocess.Popen[str], what: str) -> tuple[str, str]:
    out, err = process.communicate(timeout=1800)
    if process.returncode != 0:
        raise SystemExit(f"{what} failed (exit {process.returncode}): {err[-1500:]}")
    return out, err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    import httpx

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = _free_port()
    server = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return server, port
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("chroma run did not start")


def _other_folder(work: Path) -> Path:
    """Four small briefs for the queued incremental run (the issue's "added 4")."""
    folder = work / "other"
    folder.mkdir()
    for n in range(4):
        (folder / f"pelabuhan-{n}.txt").write_text(
            f"Pelabuhan nomor {n} di Kalimantan menambah dermaga untuk kapal batu bara tahun ini.\n",
            encoding="utf-8",
        )
    return folder


def measure(mode: str, writers: int, source: Path, work: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "BRIEFBOT_STORE__DATA_DIR": str(work / "var"),
        "BRIEFBOT_STORE__CHROMA_PATH": str(work / "var" / "chroma"),
        "BRIEFBOT_STORE__EMBEDDING__CACHE": "false",  # the rebuild really embeds: a window of seconds
        "BRIEFBOT_LOG_FORMAT": "json",
        "BRIEFBOT_LOG_LEVEL": "INFO",
    }
    env.pop("BRIEFBOT_STORE__CHROMA_HOST", None)
    server = None
    if mode == "server":
        server, port = _start_chroma(work / "server")
        env |= {"BRIEFBOT_STORE__CHROMA_HOST": "127.0.0.1", "BRIEFBOT_STORE__CHROMA_PORT": str(port)}
    try:
        _check(_spawn(["-m", "ingest", str(source)], env), "the first index")
        stop_file = work / "stop"
        rebuild = _spawn(["-m", "ingest", str(source), "--rebuild", "--json"], env)
        started = time.perf_counter()
        embedding = threading.Event()
        lines: list[str] = []

        def follow() -> None:
            assert rebuild.stdout is not None
            for line in rebuild.stdout:
                lines.append(line)
                if '"embedding"' in line:
                    embedding.set()

        reader = threading.Thread(target=follow, daemon=True)
        reader.start()
        if not embedding.wait(600):
            raise SystemExit("the rebuild never started embedding")
        procs = [
            _spawn(["-m", "benchmarks.concurrency", "--writer", str(i), str(stop_file)], env)
            for i in range(writers)
        ]
        queued = _spawn(["-m", "ingest", str(_other_folder(work)), "--wait", "--json"], env)
        rebuild.wait(1800)
        rebuild_seconds = time.perf_counter() - started
        reader.join()
        err = rebuild.stderr.read() if rebuild.stderr else ""
        if rebuild.returncode != 0:
            raise SystemExit(f"the rebuild failed: {err[-1500:]}")
        stop_file.touch()
        acked: list[str] = []
        latencies: list[float] = []
        for n, process in enumerate(procs):
            out, _ = _check(process, f"writer {n}")
            got = json.loads(out.strip().splitlines()[-1])
            acked += got["ids"]
            latencies += got["ms"]
        out, _ = _check(queued, "the queued ingest run")
        queued_summary = json.loads([x for x in out.splitlines() if '"summary"' in x][-1])
        acked += queued_summary["added"]
        stored = _stored_ids(env)
        caught = CAUGHT_UP.search(err)
        return {
            "mode": mode,
            "writes": len(acked),
            "lost": len(set(acked) - stored),
            "writers": writers,
            "queued_ingest_added": len(queued_summary["added"]),
            "rebuild_seconds": round(rebuild_seconds, 1),
            "carried_over_by_rebuild": int(caught.group(1)) if caught else None,
            "rebuild_write_lock_ms": int(caught.group(2)) if caught else None,
            "write_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
            "write_ms_max": round(max(latencies), 1) if latencies else None,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)


def _stored_ids(env: dict[str, str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-m", "store", "list", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {json.loads(line)["id"] for line in out.splitlines() if line.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.concurrency", description=__doc__)
    parser.add_argument("--writers", type=int, default=4, help="writer processes beside the rebuild")
    parser.add_argument("--mode", choices=["embedded", "server", "both"], default="both")
    parser.add_argument("--source", type=Path, default=REPO / "data" / "briefs", help="folder to rebuild")
    parser.add_argument("--writer", nargs=2, metavar=("ID", "STOP_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        _writer(args.writer[0], Path(args.writer[1]))
        return 0
    failed = False
    for mode in ["embedded", "server"] if args.mode == "both" else [args.mode]:
        with tempfile.TemporaryDirectory(prefix="briefbot-concurrency-") as tmp:
            result = measure(mode, args.writers, args.source.resolve(), Path(tmp))
        print(json.dumps(result), flush=True)
        failed = failed or result["lost"] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
