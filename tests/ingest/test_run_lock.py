"""One ingest run at a time per store: real `python -m ingest` processes side by side."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from store.settings import StoreSettings
from tests.support.brief_files import BRIEF_FILES
from tests.support.locks import hold_in_child, kill

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "briefs"
    folder.mkdir()
    for name, text in BRIEF_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def start(workdir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", str(workdir / "briefs"), *args],
        cwd=REPO,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def summary_of(stdout: str) -> dict[str, Any]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return next(e for e in lines if e["event"] == "summary")


def settings(workdir: Path) -> StoreSettings:
    var = workdir / "var"  # what the autouse fixture gives the children through the environment
    return StoreSettings(data_dir=var, chroma_path=var / "chroma")


@pytest.mark.model
def test_a_second_run_exits_with_who_holds_the_store(workdir: Path) -> None:
    holder = hold_in_child(settings(workdir))
    try:
        process = start(workdir)
        _, err = process.communicate(timeout=300)
    finally:
        kill(holder)
    assert process.returncode == 1
    assert "Traceback" not in err
    line = err.strip().splitlines()[-1]
    assert re.fullmatch(
        r"python -m ingest: Another ingest run is in progress since \d\d:\d\d \S* ?"
        rf"\(pid {holder.pid} on .+\)\. "
        r"Try again when it has finished, or add --wait to queue behind it\.",
        line,
    ), line


@pytest.mark.model
def test_two_runs_at_once_embed_each_brief_once(workdir: Path) -> None:
    first, second = start(workdir, "--wait", "--json"), start(workdir, "--wait", "--json")
    results = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], results[0][1][-2000:] + results[1][1][-2000:]
    summaries = sorted((summary_of(out) for out, _ in results), key=lambda s: len(s["added"]))
    # Whichever got the store first indexed the three briefs; the other found them all unchanged.
    assert (len(summaries[0]["added"]), len(summaries[0]["unchanged"]), summaries[0]["chunks_embedded"]) == (
        0,
        3,
        0,
    )
    assert len(summaries[1]["added"]) == 3


@pytest.mark.model
def test_two_rebuilds_at_once_never_print_a_traceback(workdir: Path) -> None:
    runs = [start(workdir, "--rebuild"), start(workdir, "--rebuild")]
    results = [p.communicate(timeout=600) for p in runs]
    for process, (_, err) in zip(runs, results, strict=True):
        assert "Traceback" not in err
        assert process.returncode == 0 or "Another ingest run is in progress" in err.splitlines()[-1]
    assert 0 in [p.returncode for p in runs]
