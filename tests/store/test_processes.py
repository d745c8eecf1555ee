"""The bot serves while `python -m ingest` writes from a child process to the same embedded Chroma folder."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref

from chromadb.api.shared_system_client import SharedSystemClient

from store.library import BriefLibrary
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
