"""`python -m ingest` end to end: a real child process, a real Chroma folder, the real embedder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.servers import free_port
from ingest.__main__ import main
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from tests.support.brief_files import BRIEF_FILES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of three briefs, made the working directory (source arguments are relative to it)."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    for name, text in BRIEF_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(workdir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI's `main` in this process (a child process per run costs seconds on a busy machine)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def summary(cli: Cli, *args: str) -> dict[str, Any]:
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    lines = events(out)
    assert lines[-1]["event"] == "summary"
    return lines[-1]


def open_store(workdir: Path) -> BriefLibrary:
    # The same folder the root conftest's autouse fixture gives the child process through the environment.
    var = workdir / "var"
    return open_library(StoreSettings(data_dir=var, chroma_path=var / "chroma"))


@pytest.mark.model
def test_sync_lifecycle_add_unchanged_update_remove(workdir: Path, cli: Cli) -> None:
    code, out, err = cli("briefs", "--json")
    assert code == 0, err
    lines = events(out)
    progress = lines[:-1]
    assert progress and all(set(e) == {"event", "done", "total", "stage"} for e in progress)
    assert {e["stage"] for e in progress} >= {"loading", "embedding"}
    added = lines[-1]
    assert set(added) == {
        "event",
        "added",
        "updated",
        "unchanged",
        "removed",
        "failed",
        "skipped",
        "unreadable",
        "chunks_embedded",
        "seconds",
    }
    assert sorted(added["added"]) == ["bi.txt", "nikel.md", "telco.txt"]
    assert added["failed"] == added["unreadable"] == [] and added["chunks_embedded"] >= 3

    again = summary(cli, "briefs")
    assert sorted(again["unchanged"]) == ["bi.txt", "nikel.md", "telco.txt"]
    assert again["chunks_embedded"] == 0 and again["added"] == again["updated"] == again["removed"] == []

    (workdir / "briefs" / "telco.txt").write_text(
        "Operator seluler menunda pembangunan menara 5G di Papua.\n"
    )
    edited = summary(cli, "./briefs/")  # another spelling of the same folder: same scope
    assert edited["updated"] == ["telco.txt"] and edited["chunks_embedded"] >= 1

    (workdir / "briefs" / "bi.txt").unlink()
    deleted = summary(cli, "briefs")
    assert deleted["removed"] == ["bi.txt"]

    library = open_store(workdir)
    try:
        assert sorted(b.id for b in library.list_briefs("briefs")) == ["nikel.md", "telco.txt"]
        assert library.search("kuota nikel", k=1)[0].brief.id == "nikel.md"
    finally:
        library.close()


@pytest.mark.model
def test_a_file_that_turns_bad_keeps_its_indexed_version(workdir: Path, cli: Cli) -> None:
    summary(cli, "briefs")
    (workdir / "briefs" / "nikel.md").write_text("---\ntitle: [broken\n---\nIsi.\n")

    broken = summary(cli, "briefs")

    assert broken["removed"] == []
    [[what, why]] = broken["failed"]
    assert what.endswith("nikel.md") and "malformed front matter" in why
    library = open_store(workdir)
    try:
        assert "nikel.md" in {b.id for b in library.list_briefs("briefs")}
    finally:
        library.close()


@pytest.mark.model
def test_dry_run_writes_nothing(workdir: Path, cli: Cli) -> None:
    planned = summary(cli, "briefs", "--dry-run")
    assert sorted(planned["added"]) == ["bi.txt", "nikel.md", "telco.txt"] and planned["dry_run"] is True
    assert not (workdir / "var").exists()

    summary(cli, "briefs")
    (workdir / "briefs" / "bi.txt").write_text(
        "JAKARTA - Bank Indonesia cut its rate by 25 basis points today.\n"
    )
    (workdir / "briefs" / "telco.txt").unlink()
    planned = summary(cli, "briefs", "--dry-run")
    assert (planned["updated"], planned["removed"], planned["chunks_embedded"]) == (
        ["bi.txt"],
        ["telco.txt"],
        0,
    )
    # Nothing was written: the real run still sees both changes.
    real = summary(cli, "briefs")
    assert (real["updated"], real["removed"]) == (["bi.txt"], ["telco.txt"])


@pytest.mark.model
def test_human_summary_lists_counts_and_failure_reasons(workdir: Path, cli: Cli) -> None:
    (workdir / "briefs" / "empty.txt").write_text("")
    code, out, err = cli("briefs")
    assert code == 0, err
    assert "added           3" in out
    assert "empty.txt: empty file" in out
    assert not out.lstrip().startswith("{")


@pytest.mark.model
def test_a_source_that_cannot_be_read_exits_3_and_keeps_its_briefs(workdir: Path, cli: Cli) -> None:
    # A cron job or CI must see that a source was not read; the run itself still did the rest.
    summary(cli, "briefs")
    (workdir / "more").mkdir()
    (workdir / "more" / "kopi.txt").write_text("Ekspor kopi Lampung naik 12 persen tahun ini.\n")
    (workdir / "briefs").rename(workdir / "moved")
    code, out, err = cli("briefs", "more", "--json")
    assert code == 3, err
    result = events(out)[-1]
    assert result["unreadable"] == ["briefs"] and result["added"] == ["kopi.txt"]
    assert [what for what, _ in result["failed"]] == ["briefs"] and result["removed"] == []
    code, out, _ = cli("briefs")
    assert code == 3 and "Not read at all, their briefs kept as they were: briefs" in out
    library = open_store(workdir)
    try:
        assert sorted(b.id for b in library.list_briefs("briefs")) == ["bi.txt", "nikel.md", "telco.txt"]
    finally:
        library.close()


def test_store_unavailable_exits_1_with_a_message(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_PORT", str(free_port()))
    code, out, err = cli("briefs", "--json")
    assert code == 1
    [error] = events(out)
    assert error["event"] == "error" and "not reachable" in error["message"]
    assert "not reachable" in err


def test_bad_settings_exit_2_naming_the_setting(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_INGEST__MAX_FILE_BYTES", "10")
    code, _, err = cli("briefs")
    assert code == 2
    assert "BRIEFBOT_INGEST__MAX_FILE_BYTES='10': expected a number of at least 1000" in err


@pytest.mark.model
def test_default_sources_come_from_settings(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_INGEST__SOURCES", json.dumps(["briefs/nikel.md"]))
    assert summary(cli)["added"] == ["nikel.md"]


@pytest.mark.model
def test_child_process_resyncs_every_interval_until_sigterm(workdir: Path) -> None:
    """The way /reindex and deployments run it: a child process whose stdout carries JSON lines."""
    # PYTHONFAULTHANDLER: a child that does not stop is sent SIGABRT, and its stderr then shows where each
    # thread stood, instead of a bare timeout.
    environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONFAULTHANDLER": "1"}
    summaries = []
    stderr_path = workdir / "child-stderr.log"
    with (
        stderr_path.open("w") as stderr,
        subprocess.Popen(  # leaving the block closes the pipe and reaps the child
            [sys.executable, "-m", "ingest", "briefs", "--json", "--every", "0.2"],
            cwd=workdir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as proc,
    ):
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                event = json.loads(line)
                if event["event"] == "summary":
                    summaries.append(event)
                    if len(summaries) == 2:
                        break
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGABRT)
                proc.wait(timeout=30)
                pytest.fail("no exit within 60 s of SIGTERM:\n" + stderr_path.read_text()[-6000:])
            assert code == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert len(summaries[0]["added"]) == 3
    assert len(summaries[1]["unchanged"]) == 3 and summaries[1]["chunks_embedded"] == 0
