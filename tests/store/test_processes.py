"""The bot serves while `python -m ingest` writes from a child process to the same embedded Chroma folder."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref
from typing import Any

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

import store.serving
from store.library import BriefLibrary
from store.types import SearchFilters
from tests.support.briefs import LibraryFactory, briefs

CHILD = """
import sys
from store.library import open_library
from store.settings import BriefbotSettings
from tests.support.briefs import briefs
library = open_library(BriefbotSettings().store)
wanted = sys.argv[2].split(",")
chosen = [b for b in briefs() if b.id in wanted]
report = library.rebuild(chosen, ["folder"]) if sys.argv[1] == "rebuild" else library.sync(chosen, "folder")
print(len(report.added) + len(report.updated) + len(report.removed))
"""


def child(mode: str, ids: list[str]) -> None:
    # The autouse fixture's BRIEFBOT_STORE__* variables point the child at this test's folder.
    subprocess.run(
        [sys.executable, "-c", CHILD, mode, ",".join(ids)],
        check=True,
        capture_output=True,
        env=dict(os.environ),
        timeout=300,
    )


def found(library: BriefLibrary, question: str) -> list[str]:
    return [p.brief.id for p in library.search(question, k=5)]


def test_searches_see_another_process_writes_and_later_writes_keep_them(make_library: LibraryFactory) -> None:
    library = make_library()
    library.sync([b for b in briefs() if b.id == "telco-5g"], "folder")
    assert found(library, "Telkomsel 5G") == ["telco-5g"]

    child("sync", ["meta-scale", "openai-scale"])  # in place: same collection, new vectors
    assert set(found(library, "Scale AI Meta OpenAI")) == {"meta-scale", "openai-scale"}

    child("rebuild", ["nickel", "bri-profit"])  # a new collection, the old one dropped
    assert set(found(library, "nikel Morowali")) == {"nickel", "bri-profit"}

    # This process writes after the child did: nothing the child wrote may be lost from the vector index.
    library.upsert([b for b in briefs() if b.id == "telco-5g"])
    fresh = make_library()
    assert set(found(fresh, "Telkomsel nikel BRI")) == {"telco-5g", "nickel", "bri-profit"}
    dense_only = make_library(search={"keyword_weight": 0.0})
    assert set(found(dense_only, "Telkomsel nikel BRI")) == {"telco-5g", "nickel", "bri-profit"}


def test_the_client_replaced_after_another_process_wrote_is_freed_at_once(
    make_library: LibraryFactory,
) -> None:
    """The reopened embedded client's old vector index readers (a whole HNSW index each) are freed when the
    searcher moves on, not whenever Python's cycle collector happens to run (issue 10: +200 MB per write
    by the ingestion job at 100k chunks)."""
    library = make_library()
    library.sync([b for b in briefs() if b.id == "telco-5g"], "folder")
    assert found(library, "Telkomsel 5G") == ["telco-5g"]
    old = weakref.ref(SharedSystemClient._identifier_to_system[library._client._identifier])
    gc.disable()  # only the store's own collection may free it
    try:
        child("sync", ["nickel"])
        assert "nickel" in found(library, "nikel Morowali")
        assert old() is None
    finally:
        gc.enable()


def _hold_vector_loads(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[Any]]:
    """Every store loads its vectors in the background, and each load waits for `release`; `loading` lists
    the collections whose load began, in order."""
    monkeypatch.setattr(store.serving, "VECTORS_IN_BACKGROUND_MIN", 0)
    release, loading = threading.Event(), list[Any]()
    load = store.serving._load_vectors

    def held(coll: Any, dim: int) -> None:
        loading.append(coll)
        assert release.wait(120)
        load(coll, dim)

    monkeypatch.setattr(store.serving, "_load_vectors", held)
    return release, loading


def test_a_large_store_answers_from_the_old_client_while_the_new_one_loads_its_vectors(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 10: after another process wrote to a large embedded store, the reopened client's vector index
    (~2 s at 500k chunks) loads in the background; meanwhile the old client answers, the keyword leg finds
    the new chunks, removed chunks are not returned, and a filter the stale index cannot answer is asked of
    the new client."""
    release, loading = _hold_vector_loads(monkeypatch)
    library = make_library()
    library.sync([b for b in briefs() if b.id in {"telco-5g", "nickel"}], "folder")
    assert found(library, "Telkomsel 5G")[0] == "telco-5g"
    old = weakref.ref(SharedSystemClient._identifier_to_system[library._client._identifier])
    gc.disable()  # only the store's own collection may free the old client
    try:
        child("sync", ["meta-scale", "bri-profit"])  # telco-5g and nickel leave the folder

        top = library.search("Meta Scale AI saham", k=5)
        assert len(loading) == 1 and old() is not None  # still loading; the old client answered
        assert top[0].brief.id == "meta-scale" and top[0].keyword_score
        assert {p.brief.id for p in top} <= {"meta-scale", "bri-profit"}
        only = SearchFilters(brief_ids=("bri-profit",))
        with caplog.at_level("INFO", logger="store.search"):
            (hit,) = {p.brief.id: p for p in library.search("laba bank", k=5, filters=only)}.values()
        assert hit.brief.id == "bri-profit" and hit.dense_score is not None
        assert "stale vector index cannot filter" in caplog.text

        release.set()
        library._serving.wait_idle(120)
        assert old() is None and library._serving._pending is None
        _, searcher = library._current()
        assert [row[2]["brief_id"] for row in searcher.dense("Meta Scale AI", 1, None)] == ["meta-scale"]
    finally:
        release.set()
        gc.enable()


def test_with_reload_in_background_off_the_next_question_waits_for_the_new_client(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.serving, "VECTORS_IN_BACKGROUND_MIN", 0)
    loads: list[Any] = []
    monkeypatch.setattr(store.serving, "_load_vectors", lambda coll, dim: loads.append(coll))
    library = make_library(reload_in_background=False)
    library.sync([b for b in briefs() if b.id == "telco-5g"], "folder")
    assert found(library, "Telkomsel 5G") == ["telco-5g"]
    child("sync", ["nickel"])
    _, searcher = library._current()
    assert loads == [] and library._serving._pending is None
    assert [row[2]["brief_id"] for row in searcher.dense("nikel Morowali", 1, None)] == ["nickel"]


def test_a_failed_background_load_still_moves_the_searcher_to_the_new_client(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.serving, "VECTORS_IN_BACKGROUND_MIN", 0)

    def broken(coll: Any, dim: int) -> None:
        raise RuntimeError("disk went away")

    monkeypatch.setattr(store.serving, "_load_vectors", broken)
    library = make_library()
    library.sync([b for b in briefs() if b.id == "telco-5g"], "folder")
    assert found(library, "Telkomsel 5G") == ["telco-5g"]
    child("sync", ["nickel"])
    found(library, "nikel Morowali")
    library._serving.wait_idle(120)
    _, searcher = library._current()
    assert library._serving._pending is None  # not left on the stale client for good
    assert [row[2]["brief_id"] for row in searcher.dense("nikel Morowali", 1, None)] == ["nickel"]


def test_a_second_write_while_the_first_load_runs_serves_the_newest_client(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, loading = _hold_vector_loads(monkeypatch)
    library = make_library()
    library.sync([b for b in briefs() if b.id == "telco-5g"], "folder")
    assert found(library, "Telkomsel 5G") == ["telco-5g"]
    try:
        child("sync", ["telco-5g", "nickel"])
        assert "nickel" in found(library, "nikel Morowali")
        child("sync", ["telco-5g", "nickel", "bri-profit"])
        assert "bri-profit" in found(library, "Bank Rakyat Indonesia quarterly profit")
        assert len(loading) == 2 and library._serving._pending is loading[1]
    finally:
        release.set()
    library._serving.wait_idle(120)
    coll, searcher = library._current()
    assert coll is loading[1] and library._serving._pending is None
    rows = searcher.dense("Bank Rakyat Indonesia profit nikel Telkomsel", 5, None)
    assert {row[2]["brief_id"] for row in rows} == {"telco-5g", "nickel", "bri-profit"}
