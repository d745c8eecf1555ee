"""Sync rules across sources against a real store: feeds are windows, unreadable sources lose nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.runner import run
from ingest.settings import IngestOptions
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from tests.support.fake_embedder import hashed_words_settings
from tests.support.web import Route, WebServer

OPTIONS = IngestOptions(fetch_timeout=2.0)


def feed(web: WebServer, slugs: list[str]) -> Route:
    items = "".join(
        f"<item><title>Kabar {slug}</title><link>{web.url('/a/' + slug)}</link>"
        f"<description>Ringkasan kabar {slug} soal baterai kendaraan listrik.</description></item>"
        for slug in slugs
    )
    return Route(
        f"<rss><channel><title>Kabar EV</title>{items}</channel></rss>".encode(), "application/rss+xml"
    )


def ids(library: BriefLibrary, scope: str) -> list[str]:
    return sorted(b.id for b in library.list_briefs(scope))


def no_progress(done: int, total: int, stage: str) -> None:
    pass


@pytest.fixture
def library(tmp_path: Path) -> Iterator[BriefLibrary]:
    """A real embedded Chroma; the sync rules do not depend on the vectors, so a fake embedder fills it."""
    opened = open_library(StoreSettings(data_dir=tmp_path / "var", embedding=hashed_words_settings()))
    yield opened
    opened.close()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "bank.txt").write_text(
        "Laba bank digital naik dua kali lipat pada semester pertama."
    )
    return "briefs"


def test_feed_entries_that_scroll_off_are_kept(library: BriefLibrary, web: WebServer) -> None:
    source = web.url("/feed")
    web.routes["/feed"] = feed(web, ["satu", "dua"])
    first = run(library, [source], OPTIONS, progress=no_progress)
    assert len(first.added) == 2

    web.routes["/feed"] = feed(web, ["dua", "tiga"])
    second = run(library, [source], OPTIONS, progress=no_progress)

    assert second.added == [web.url("/a/tiga")] and second.removed == []
    assert ids(library, source) == sorted(web.url(f"/a/{s}") for s in ["dua", "satu", "tiga"])


def test_unreachable_source_keeps_its_briefs_in_sync_and_rebuild(
    library: BriefLibrary, web: WebServer, folder: str
) -> None:
    source = web.url("/feed")
    web.routes["/feed"] = feed(web, ["satu"])
    run(library, [folder, source], OPTIONS, progress=no_progress)
    del web.routes["/feed"]  # the feed now answers 404

    synced = run(library, [folder, source], OPTIONS, progress=no_progress)
    assert synced.removed == [] and synced.failed == [(source, "HTTP 404 Not Found")]

    rebuilt = run(library, [folder, source], OPTIONS, rebuild=True, progress=no_progress)
    assert rebuilt.unchanged == ["bank.txt"] and rebuilt.removed == []
    assert ids(library, source) == [web.url("/a/satu")]
    assert library.search("baterai kendaraan listrik", k=1)[0].brief.id == web.url("/a/satu")


def test_two_sources_never_take_turns_owning_an_id(
    library: BriefLibrary, folder: str, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "bank.txt").write_text("Kredit macet bank daerah turun pada akhir tahun lalu.")

    first = run(library, [folder, "other"], OPTIONS, progress=no_progress)
    assert first.added == ["bank.txt"]
    assert first.failed == [("other/bank.txt", "id 'bank.txt' is already used by a brief from briefs")]

    # Syncing the other folder alone must not steal the id either.
    alone = run(library, ["other"], OPTIONS, progress=no_progress)
    assert alone.added == [] and len(alone.failed) == 1
    [info] = library.list_briefs()
    assert (info.id, info.scope) == ("bank.txt", "briefs")


def test_dry_run_predicts_a_brief_moving_between_sources(
    library: BriefLibrary, folder: str, tmp_path: Path
) -> None:
    run(library, [folder], OPTIONS, progress=no_progress)
    (tmp_path / "other").mkdir()
    (tmp_path / folder / "bank.txt").rename(tmp_path / "other" / "bank.txt")  # the curator moves the file

    planned = run(library, ["other", folder], OPTIONS, dry_run=True, progress=no_progress)
    done = run(library, ["other", folder], OPTIONS, progress=no_progress)

    assert (done.added, done.updated, done.removed) == ([], ["bank.txt"], [])
    assert (planned.added, planned.updated, planned.removed) == (done.added, done.updated, done.removed)
    assert ids(library, "other") == ["bank.txt"]


def test_a_file_that_goes_bad_keeps_its_brief_through_a_rebuild(
    library: BriefLibrary, folder: str, tmp_path: Path
) -> None:
    notes = tmp_path / folder / "nikel.md"
    notes.write_text(
        "---\ntitle: Kuota nikel\n---\nPemerintah memangkas kuota penambangan bijih nikel tahun ini.\n"
    )
    run(library, [folder], OPTIONS, progress=no_progress)
    assert ids(library, folder) == ["bank.txt", "nikel.md"]

    notes.write_text("---\ntitle: [unclosed\n---\nKuota nikel.\n")  # a curator breaks the front matter
    (tmp_path / folder / "bank.txt").write_text("Laba bank digital turun pada semester kedua.")
    rebuilt = run(library, [folder], OPTIONS, rebuild=True, progress=no_progress)

    assert [what for what, _ in rebuilt.failed] == ["briefs/nikel.md"]
    assert rebuilt.updated == ["bank.txt"] and rebuilt.removed == []
    assert ids(library, folder) == ["bank.txt", "nikel.md"]  # the good version is still served
    assert library.search("kuota penambangan nikel", k=1)[0].brief.id == "nikel.md"

    # Once the file is gone for good, the next rebuild removes its brief as it should.
    notes.unlink()
    gone = run(library, [folder], OPTIONS, rebuild=True, progress=no_progress)
    assert gone.removed == ["nikel.md"] and ids(library, folder) == ["bank.txt"]
