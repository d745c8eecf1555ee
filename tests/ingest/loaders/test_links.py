"""Symbolic links in a source folder: links out of it are not followed unless allowed; loops are failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders.files import load_path
from ingest.report import human_summary
from ingest.runner import run
from ingest.settings import IngestOptions

SECRET = "The database password is hunter2-very-secret and must never be quoted."
BRIEF = "Bank Indonesia menahan suku bunga acuan pada rapat bulan Juli 2025 untuk menjaga rupiah.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A source folder with one real brief and a link to a secret file outside it."""
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    source = tmp_path / "briefs"
    source.mkdir()
    (source / "bi.txt").write_text(BRIEF, encoding="utf-8")
    (source / "notes.txt").symlink_to(tmp_path / "secret.txt")
    return source


def texts(result: object) -> str:
    return " ".join(doc.text for doc in result.docs)  # type: ignore[attr-defined]


def test_a_link_out_of_the_folder_is_skipped_and_said_so(folder: Path) -> None:
    result = load_path(str(folder), max_file_bytes=100_000, label="briefs")
    assert "hunter2" not in texts(result)
    assert [d.origin for d in result.docs] == ["briefs/bi.txt"]
    assert result.skipped == [
        (
            "briefs/notes.txt",
            "symbolic link to outside the source folder, not followed "
            "(set BRIEFBOT_INGEST__FOLLOW_LINKS=true to allow it)",
        )
    ]
    assert result.failed == []


def test_the_setting_allows_following_it(folder: Path) -> None:
    result = load_path(str(folder), max_file_bytes=100_000, label="briefs", follow_links=True)
    assert "hunter2" in texts(result) and result.skipped == []


def test_links_inside_the_folder_still_load(folder: Path) -> None:
    (folder / "same-bi.txt").symlink_to(folder / "bi.txt")
    result = load_path(str(folder), max_file_bytes=100_000, label="briefs")
    assert sorted(d.origin for d in result.docs) == ["briefs/bi.txt", "briefs/same-bi.txt"]


def test_loops_are_failures_with_a_reason(folder: Path) -> None:
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    nested = folder / "nested"
    nested.mkdir()
    (nested / "up").symlink_to(folder)
    (folder / "gone.txt").symlink_to(folder / "deleted.txt")
    result = load_path(str(folder), max_file_bytes=100_000, label="briefs")
    assert dict(result.failed) == {
        "briefs/a.txt": "symbolic link loop: the link leads back to itself",
        "briefs/b.txt": "symbolic link loop: the link leads back to itself",
        "briefs/nested/up": "symbolic link loop: the folder links back to a folder that contains it",
        "briefs/gone.txt": "broken symbolic link (its target does not exist)",
    }
    assert [d.origin for d in result.docs] == ["briefs/bi.txt"]


def test_the_run_summary_lists_what_was_skipped(folder: Path) -> None:
    report = run(None, [str(folder)], IngestOptions(), progress=lambda *_: None, dry_run=True)
    summary = human_summary(report, dry_run=True)
    assert "skipped" in summary and "notes.txt: symbolic link to outside the source folder" in summary
