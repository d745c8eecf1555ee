"""A rebuild writes a new collection and switches only when complete; searches answer throughout."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

import store.serving
from store.embedding.base import Embedder
from store.library import BriefLibrary
from store.types import Passage
from tests.support.briefs import LibraryFactory, briefs
from tests.support.fake_embedder import HashedWords

QUESTION = "Berapa Meta membayar untuk saham Scale AI?"


@pytest.fixture
def library_embedder() -> Embedder:
    """Rebuilds copy, switch and keep chunks whatever their vectors; searches here look for words."""
    return HashedWords()


def test_searches_answer_during_a_rebuild_and_see_the_new_index_after(indexed: BriefLibrary) -> None:
    mid_rebuild: list[list[Passage]] = []

    def progress(done: int, total: int, stage: str) -> None:
        if stage == "writing" and not mid_rebuild:
            # Another thread (a chat user) asks while the new collection is being filled.
            worker = threading.Thread(target=lambda: mid_rebuild.append(indexed.search(QUESTION, k=3)))
            worker.start()
            worker.join()

    changed = [replace(b, title=b.title + " (revisi)") if b.id == "nickel" else b for b in briefs()[1:]]
    report = indexed.rebuild(changed, ["folder"], progress=progress)
    assert mid_rebuild and mid_rebuild[0][0].brief.id == "meta-scale"  # the old index still served
    assert report.removed == ["meta-scale"] and report.updated == ["nickel"]
    assert sorted(report.unchanged) == ["bri-profit", "openai-scale", "telco-5g"]
    after = indexed.search(QUESTION, k=3)
    assert "meta-scale" not in {p.brief.id for p in after}
    assert indexed.stats().briefs == 4


def test_a_crash_midway_leaves_the_old_index_serving(indexed: BriefLibrary) -> None:
    before = indexed.stats()

    def crash(done: int, total: int, stage: str) -> None:
        if stage == "writing":
            raise KeyboardInterrupt  # the job is killed while writing the new collection

    with pytest.raises(KeyboardInterrupt):
        indexed.rebuild(briefs()[:1], ["folder"], progress=crash)
    assert indexed.stats() == before
    assert indexed.search(QUESTION, k=1)[0].brief.id == "meta-scale"


def test_rebuild_keeps_other_scopes_without_re_embedding(make_library: LibraryFactory) -> None:
    library = make_library()
    library.sync(briefs("folder")[:3], "folder")
    channel = [replace(b, id=f"tg-{b.id}") for b in briefs("channel")[3:]]
    library.sync(channel, "channel")
    report = library.rebuild(briefs("folder")[:2], ["folder"])
    assert report.chunks_embedded == 0  # folder texts come from the cache, channel vectors are copied
    assert report.removed == ["nickel"]
    assert {b.id for b in library.list_briefs()} == {
        "meta-scale",
        "openai-scale",
        "tg-bri-profit",
        "tg-telco-5g",
    }
    assert library.search("Telkomsel 5G", k=1)[0].brief.id == "tg-telco-5g"
    # No scope named: everything is kept, and the given briefs are recognised as already indexed.
    again = library.rebuild(briefs("folder")[:2], [])
    assert sorted(again.unchanged) == ["meta-scale", "openai-scale"] and not again.removed
    assert len(library.list_briefs()) == 4


def test_another_library_on_the_same_store_notices_the_switch(make_library: LibraryFactory) -> None:
    writer, reader = make_library(), make_library()
    writer.sync(briefs(), "folder")
    assert reader.search(QUESTION, k=1)[0].brief.id == "meta-scale"
    writer.rebuild(briefs()[1:], ["folder"])
    assert "meta-scale" not in {p.brief.id for p in reader.search(QUESTION, k=5)}
    writer.upsert([briefs()[0]])
    assert reader.search(QUESTION, k=1)[0].brief.id == "meta-scale"


def test_a_collection_deleted_by_hand_gives_an_empty_index_not_errors(indexed: BriefLibrary) -> None:
    name = indexed.stats().collection
    indexed._client.delete_collection(name)  # an operator's mistake, or a server that lost its data
    assert indexed.search(QUESTION) == []
    assert indexed.sync(briefs(), "folder").added  # the next ingestion run fills it again
    assert indexed.search(QUESTION, k=1)[0].brief.id == "meta-scale"


def test_large_indexes_rebuild_the_keyword_leg_without_making_questions_wait(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.serving, "SYNC_RELOAD_MAX", 0)  # treat every index as large
    reader, writer = make_library(), make_library()
    writer.sync(briefs()[:4], "folder")
    assert reader.search(QUESTION, k=1)[0].brief.id == "meta-scale"  # first load is synchronous
    writer.sync(briefs(), "folder")  # adds telco-5g, as another process would
    # Answered at once: the dense leg already reads the updated collection.
    assert reader.search("Telkomsel 5G BTS Jawa Bali", k=1)[0].brief.id == "telco-5g"
    reader._serving.wait_idle(timeout=120)
    top = reader.search("Telkomsel 5G BTS Jawa Bali", k=1)[0]
    assert top.brief.id == "telco-5g" and top.keyword_score  # the keyword leg caught up
