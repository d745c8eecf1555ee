"""The keyword index is one file per library on the host: a write lands in it incrementally and another
process's keyword leg finds it without rebuilding anything; a writer elsewhere is caught up by a brief diff;
only a new analysis builds it whole. A no-change sync pass reads the brief listing once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import store.analysis
import store.indexer
import store.keyword_sync
import store.keyword_view
import store.library
import store.serving
from store.chroma_client import open_client
from store.library import BriefLibrary
from store.records import chunk_metadata
from store.types import Brief, Chunk
from tests.support.briefs import LibraryFactory, briefs

NEW = Brief(
    id="zircon",
    title="Tambang zirkonium",
    text="Perusahaan tambang membuka smelter zirkonium pertama di Kalimantan Tengah.",
    source="Kontan",
    lang="id",
    scope="folder",
    origin="folder/zircon.md",
)

CHILD = """
import sys
from store.library import open_library
from store.settings import BriefbotSettings
from store.types import Brief
library = open_library(BriefbotSettings().store)
brief = Brief(id="zircon", title="Tambang zirkonium", source="Kontan", lang="id", scope="folder",
              origin="folder/zircon.md",
              text="Perusahaan tambang membuka smelter zirkonium pertama di Kalimantan Tengah.")
library.upsert([brief])
"""


def keyword_only(make_library: LibraryFactory) -> BriefLibrary:
    return make_library(search={"dense_weight": 0.0})


def keyword_files(library: BriefLibrary) -> list[Path]:
    return sorted((library._settings.data_dir / "keyword").glob("*.sqlite"))


def test_a_write_in_another_process_is_found_by_the_keyword_leg_without_a_rebuild(
    make_library: LibraryFactory,
) -> None:
    writer = make_library()
    writer.sync(briefs(), "folder")
    reader = keyword_only(make_library)
    assert reader.search("zirkonium Kalimantan") == []  # opens the file the writer built
    # The autouse fixture's BRIEFBOT_STORE__* variables point the child at this test's folder.
    subprocess.run([sys.executable, "-c", CHILD], check=True, env=dict(os.environ), timeout=300)

    found = reader.search("zirkonium Kalimantan")
    assert [p.brief.id for p in found] == ["zircon"] and found[0].keyword_score
    sync = reader._serving.keyword_sync
    assert (sync.builds, sync.catch_ups) == (0, 0)  # replayed the child's rows, read nothing from Chroma
    (path,) = keyword_files(reader)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM docs WHERE brief_id = 'zircon'").fetchone()[0] == 1


def test_a_writer_that_bypassed_the_file_is_caught_up_by_a_brief_diff(make_library: LibraryFactory) -> None:
    library = keyword_only(make_library)
    library.sync(briefs(), "folder")
    # As a writer on another host of a Chroma server would: chunks written, pointer moved, file untouched.
    coll = library._serving.current()[0]
    chunk = Chunk(NEW.id, 0, NEW.text, 0, len(NEW.text))
    coll.upsert(ids=[chunk.id], documents=[NEW.text], embeddings=[[0.1] * library.embedder.dim],
                metadatas=[chunk_metadata(NEW, chunk, 1)])  # fmt: skip
    coll.delete(where={"brief_id": "nickel"})
    library._collections.touch(library._serving.loaded)  # type: ignore[arg-type]

    fresh = keyword_only(make_library)
    assert [p.brief.id for p in fresh.search("zirkonium Kalimantan")] == ["zircon"]
    assert fresh.search("nikel Morowali feronikel") == []
    sync = fresh._serving.keyword_sync
    assert (sync.builds, sync.catch_ups) == (0, 1)


def test_the_index_is_built_whole_only_when_the_analysis_changes(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_library()
    first.sync(briefs(), "folder")
    assert first._serving.keyword_sync.builds == 1  # the first search of an empty store creates the file
    again = keyword_only(make_library)
    assert again.search("nikel Morowali")[0].brief.id == "nickel"
    assert again._serving.keyword_sync.builds == 0

    monkeypatch.setattr(store.analysis, "ANALYSIS_VERSION", store.analysis.ANALYSIS_VERSION + 1)
    changed = keyword_only(make_library)
    assert changed.search("nikel Morowali")[0].brief.id == "nickel"
    assert changed._serving.keyword_sync.builds == 1
    assert len(keyword_files(changed)) == 2  # the old analysis's file stays for processes still using it


def _count_scans(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """Calls that scan Chroma's first chunks, and reads of the listing from the keyword file."""
    scans: list[Any] = []
    reads: list[Any] = []
    scan, read = store.indexer.first_chunk_metadatas, store.keyword_view.read_briefs

    def counted_scan(coll: Any, where: Any = None) -> Any:
        scans.append(where)
        return scan(coll, where)

    def counted_read(conn: Any, ids: Any = None, scope: Any = None) -> Any:
        reads.append(f"scope:{scope}" if scope is not None else ids)  # None: every brief's row
        return read(conn, ids, scope)

    monkeypatch.setattr(store.indexer, "first_chunk_metadatas", counted_scan)
    monkeypatch.setattr(store.library, "first_chunk_metadatas", counted_scan)
    monkeypatch.setattr(store.keyword_view, "read_briefs", counted_read)
    return scans, reads


def _ingest_pass(library: BriefLibrary) -> None:
    """What `python -m ingest` does for one unchanged folder: who owns the ids it yields, then sync the folder
    (`ingest.runner.write`)."""
    assert library.scopes_of([b.id for b in briefs()]) == {b.id: "folder" for b in briefs()}
    report = library.sync(briefs(), "folder")
    assert len(report.unchanged) == len(briefs())
    assert library.list_briefs("folder")


def test_a_no_change_sync_pass_reads_its_own_source_s_rows_from_the_keyword_file(
    indexed: BriefLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: not every brief's row (at 1M chunks, 200k JSON rows parsed for a pass over 1,000 briefs)."""
    indexed.sync([NEW], "elsewhere")
    scans, reads = _count_scans(monkeypatch)
    _ingest_pass(indexed)
    assert scans == [] and None not in reads and "scope:folder" in reads
    assert {b.id for b in indexed.list_briefs("elsewhere")} == {"zircon"}  # the other source is left alone
    assert {b.id for b in indexed.list_briefs()} == {b.id for b in briefs()} | {"zircon"}


def test_a_sync_of_one_source_still_removes_what_it_no_longer_has_and_takes_over_a_moved_brief(
    indexed: BriefLibrary,
) -> None:
    indexed.sync([NEW], "elsewhere")
    report = indexed.sync([*briefs()[1:], NEW], "folder")
    assert report.removed == [briefs()[0].id] and report.updated == ["zircon"]
    assert {b.id: b.scope for b in indexed.list_briefs()} == {
        **{b.id: "folder" for b in briefs()[1:]},
        "zircon": "folder",
    }
    assert indexed.list_briefs("elsewhere") == []


def test_while_the_file_catches_up_the_pass_never_scans_all_of_chroma(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.serving, "SYNC_RELOAD_MAX", 0)  # catch-ups in the background
    monkeypatch.setattr(store.keyword_sync.KeywordSync, "catch_up", lambda *args: None)  # ... never done
    writer, library = make_library(), make_library()
    writer.sync(briefs(), "folder")
    library.search("nikel")
    writer._collections.touch(writer._serving.loaded)  # type: ignore[arg-type]  # as another host would
    scans, reads = _count_scans(monkeypatch)
    _ingest_pass(library)
    assert reads == [] and scans and None not in scans  # restricted to the pass's ids or its source


def test_a_write_of_one_brief_reads_only_that_brief_s_listing_row(
    indexed: BriefLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: an upsert or a removal compares only the briefs it writes (before, every brief's metadata:
    3.7 s of a one-brief upsert at 500k chunks), and a listing read before it is carried over to the
    pointer state it produces."""
    scans, reads = _count_scans(monkeypatch)
    assert indexed.upsert([NEW]).added == ["zircon"]
    assert indexed.upsert([replace(NEW, text=NEW.text + " Lagi.")]).updated == ["zircon"]
    assert indexed.upsert([NEW, briefs()[0]]).unchanged == [briefs()[0].id]
    assert indexed.remove(["zircon", "no-such-brief"]) == ["zircon"]
    assert scans == [] and None not in reads and reads

    reads.clear()
    listed = {b.id for b in indexed.list_briefs()}  # read whole once...
    indexed.upsert([replace(NEW, source="Tempo")])
    indexed.remove([briefs()[0].id])
    after = {b.id: b for b in indexed.list_briefs()}  # ...and carried over both writes
    assert reads.count(None) == 1 and scans == []
    assert set(after) == listed - {briefs()[0].id} | {"zircon"} and after["zircon"].source == "Tempo"


def test_while_the_file_is_behind_a_write_reads_its_briefs_from_chroma(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.serving, "SYNC_RELOAD_MAX", 0)
    monkeypatch.setattr(store.keyword_sync.KeywordSync, "catch_up", lambda *args: None)
    writer, library = make_library(), make_library()
    writer.sync(briefs(), "folder")
    library.search("nikel")
    writer._collections.touch(writer._serving.loaded)  # type: ignore[arg-type]  # as another host would
    scans, reads = _count_scans(monkeypatch)
    changed = replace(briefs()[1], text=briefs()[1].text + " Tambahan.")
    assert library.upsert([changed, briefs()[2]]).updated == [changed.id]
    assert reads == [] and len(scans) == 1 and scans[0]["brief_id"] == {"$in": [changed.id, briefs()[2].id]}


def test_a_changed_brief_is_seen_by_the_next_pass(indexed: BriefLibrary) -> None:
    indexed.list_briefs()
    changed = [replace(b, text=b.text + " Tambahan.") if b.id == "nickel" else b for b in briefs()]
    assert indexed.sync(changed, "folder").updated == ["nickel"]
    assert indexed.sync(changed, "folder").updated == []  # the listing was read again after the write
    (info,) = [b for b in indexed.list_briefs() if b.id == "nickel"]
    assert info.content_hash == changed[2].content_hash()


def test_chroma_is_the_source_of_keyword_hit_texts(make_library: LibraryFactory) -> None:
    library = keyword_only(make_library)
    library.sync(briefs(), "folder")
    client = open_client(library._settings)
    assert client is not None
    top = library.search("Telkomsel BTS 5G", k=1)[0]
    assert top.brief.id == "telco-5g" and top.brief.source == "Kontan" and "Telkomsel" in top.text


def test_a_write_cut_short_leaves_the_file_to_catch_up(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = keyword_only(make_library)
    library.sync(briefs(), "folder")

    def broken(previous: object) -> None:
        raise ConnectionError("chroma went away")

    monkeypatch.setattr(library._collections, "touch", broken)
    with pytest.raises(ConnectionError):
        library.upsert([NEW])  # the chunks are in Chroma; the pointer did not move
    monkeypatch.undo()
    assert [p.brief.id for p in library.search("zirkonium Kalimantan")] == ["zircon"]
    assert library._serving._view.synced() == ("", -1)  # the next pointer move brings a brief diff
    library.upsert([replace(NEW, id="zircon-2")])
    assert library._serving.keyword_sync.catch_ups == 1
    assert {p.brief.id for p in library.search("zirkonium Kalimantan")} == {"zircon", "zircon-2"}
