"""Incremental indexing: nothing re-embedded when nothing changed, no duplicates, removal by scope only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from store import indexer
from store.embedding.base import Embedder
from store.errors import StoreUnavailable
from store.library import BriefLibrary
from store.types import chunk_id
from tests.support.briefs import LibraryFactory, briefs
from tests.support.fake_embedder import HashedWords


@pytest.fixture
def library_embedder() -> Embedder:
    """Sync bookkeeping (what is added, kept, re-embedded, removed) does not depend on the vectors."""
    return HashedWords()


def chunk_count(library: BriefLibrary) -> int:
    return library.stats().chunks


def test_second_sync_embeds_nothing_and_changes_nothing(library: BriefLibrary) -> None:
    first = library.sync(briefs(), "folder")
    assert sorted(first.added) == sorted(b.id for b in briefs())
    before = library.stats()
    second = library.sync(briefs(), "folder")
    assert second.chunks_embedded == 0
    assert sorted(second.unchanged) == sorted(first.added)
    assert not (second.added or second.updated or second.removed)
    assert library.stats().chunks == before.chunks and library.stats().briefs == before.briefs


def test_changed_brief_replaces_its_chunks_without_duplicates(make_library: LibraryFactory) -> None:
    library = make_library(chunk_size=40, chunk_overlap=0)
    long = replace(
        briefs()[0], text=" ".join(f"Kalimat nomor {i} tentang investasi Meta." for i in range(12))
    )
    library.sync([long], "folder")
    old_chunks = library.passages_of(long.id)
    assert len(old_chunks) > 2
    shorter = replace(long, text="Meta kini memegang 49% saham Scale AI.")
    report = library.sync([shorter], "folder")
    assert report.updated == [long.id] and report.chunks_embedded == 1
    now = library.passages_of(long.id)
    assert [p.text for p in now] == [shorter.text]
    assert chunk_count(library) == 1  # the surplus chunks of the old version are gone
    assert now[0].chunk_id == chunk_id(long.id, 0) and now[0].brief.chunk_count == 1


def test_sync_removes_only_missing_briefs_of_its_own_scope(library: BriefLibrary) -> None:
    library.sync(briefs("folder"), "folder")
    channel = [replace(b, id=f"tg-{b.id}") for b in briefs("channel")[:2]]
    library.sync(channel, "channel")
    report = library.sync(briefs("folder")[1:], "folder")
    assert report.removed == [briefs()[0].id]
    ids = {b.id for b in library.list_briefs()}
    assert briefs()[0].id not in ids
    assert {"tg-meta-scale", "tg-openai-scale"} <= ids  # the channel's briefs are untouched
    assert library.passages_of(briefs()[0].id) == []
    assert {b.id for b in library.list_briefs(scope="channel")} == {"tg-meta-scale", "tg-openai-scale"}


def test_upsert_never_removes_and_remove_deletes_chunks(library: BriefLibrary) -> None:
    library.sync(briefs(), "folder")
    report = library.upsert([replace(briefs()[0], id="extra", scope="channel")])
    assert report.added == ["extra"] and not report.removed
    assert len(library.list_briefs()) == len(briefs()) + 1
    assert library.remove(["extra", "no-such-brief"]) == ["extra"]
    assert library.passages_of("extra") == []
    assert len(library.list_briefs()) == len(briefs())


def test_bad_briefs_are_reported_and_the_rest_indexed(library: BriefLibrary) -> None:
    good = briefs()[:2]
    empty = replace(good[0], id="empty", text="   ")
    duplicate = replace(good[1], title="same id twice")
    report = library.sync([*good, empty, duplicate], "folder")
    assert sorted(report.added) == sorted(b.id for b in good)
    reasons = dict(report.failed)
    assert "no text" in reasons["empty"]
    assert any("already has the id" in why for why in reasons.values())


def test_listing_is_newest_first_with_metadata(indexed: BriefLibrary) -> None:
    infos = indexed.list_briefs()
    dates = [b.published for b in infos]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    meta = next(b for b in infos if b.id == "meta-scale")
    assert (meta.source, meta.lang, meta.tags, meta.scope) == ("ZONA GADGET", "id", ("ai", "meta"), "folder")
    stats = indexed.stats()
    assert stats.briefs == 5 and stats.by_lang == {"id": 4, "en": 1} and stats.last_indexed


def test_write_cut_short_is_finished_by_the_next_sync(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = make_library(chunk_size=40, chunk_overlap=0)
    first = replace(
        briefs()[0], text=" ".join(f"Kalimat nomor {i} tentang investasi Meta." for i in range(8))
    )
    library.sync([first], "folder")
    second = replace(first, text=" ".join(f"Versi baru {i}: Meta menambah saham Scale AI." for i in range(8)))
    real_guard = indexer.guard
    writes: list[str] = []

    @contextmanager
    def server_gone_after_one_batch(what: str) -> Iterator[None]:
        if what == "write chunks":
            writes.append(what)
            if len(writes) > 1:  # the Chroma server drops out after the first batch of chunks
                raise StoreUnavailable("gone")
        with real_guard(what):
            yield

    monkeypatch.setattr(indexer, "WRITE_BATCH", 2)
    monkeypatch.setattr(indexer, "guard", server_gone_after_one_batch)
    with pytest.raises(StoreUnavailable):
        library.sync([second], "folder")
    monkeypatch.setattr(indexer, "guard", real_guard)
    report = library.sync([second], "folder")  # the re-run must not take the half-written brief as done
    assert report.updated == [first.id]
    assert " ".join(p.text for p in library.passages_of(first.id)) == second.text
