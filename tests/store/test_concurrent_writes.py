"""Writes that land while another process rebuilds are kept (real processes, embedded and server mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.chroma import ChromaServer
from store.library import open_library
from store.settings import BriefbotSettings
from tests.store.concurrency_child import other_scope, written
from tests.support.briefs import briefs

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.model  # the child processes embed with the real model


def child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.concurrency_child", *args],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 300) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment every child reads: the test's folder, or the session's `chroma run`."""
    if request.param == "server":
        server: ChromaServer = request.getfixturevalue("chroma_server")
        monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_HOST", server.host)
        monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", str(server.port))
        monkeypatch.setenv("BRIEFBOT_STORE__COLLECTION", f"concurrent{time.time_ns() % 10**9}")
    return str(request.param)


def test_writes_during_a_rebuild_survive_the_switch(store_env: str, tmp_path: Path) -> None:
    finish(child("seed"))
    rebuilding = child("rebuild", str(tmp_path))
    deadline = time.monotonic() + 240
    while not (tmp_path / "started").exists():
        assert rebuilding.poll() is None, rebuilding.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the rebuild never started embedding"
        time.sleep(0.1)
    # The rebuild has read the serving collection and is embedding: now another process writes.
    finish(child("write"))
    (tmp_path / "go").touch()
    finish(rebuilding)

    settings = BriefbotSettings().store  # type: ignore[call-arg]
    # Dense search only: the vectors must have come along, not just the texts.
    library = open_library(
        settings.model_copy(update={"search": settings.search.model_copy(update={"keyword_weight": 0.0})})
    )
    try:
        stored = {b.id: b for b in library.list_briefs()}
        syncs, posts, removed, post_id = written()
        expected = {b.id for b in briefs("folder")} | {b.id for b in other_scope()} | {b.id for b in syncs}
        expected = (expected | {post_id}) - {removed}
        assert set(stored) == expected
        for brief in syncs + posts:
            assert stored[brief.id].content_hash == brief.content_hash(), brief.id
        assert library.search("Di mana gudang kopi arabika yang baru?", k=1)[0].brief.id == "other-added"
        found = [p.brief.id for p in library.search("Telkomsel BTS 5G Jawa Bali", k=3)]
        assert post_id in found
    finally:
        library.close()
