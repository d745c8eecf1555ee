"""Large collections are read from Chroma in pages (one unbounded read overflows SQLite's variable limit).

The page size is shrunk to 2 here, so the five sample briefs already span several pages.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

import store.chroma_client
from tests.support.briefs import LibraryFactory, briefs


def test_every_read_path_sees_all_pages(
    make_library: LibraryFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.chroma_client, "READ_BATCH", 2)
    library = make_library(chunk_size=40, chunk_overlap=0)
    library.sync(briefs(), "folder")
    assert len(library.list_briefs()) == 5
    assert library.sync(briefs(), "folder").unchanged  # stored hashes read across pages
    assert library.sync(briefs(), "folder").chunks_embedded == 0
    chunks = library.stats().chunks
    assert chunks > 5
    assert len(library.passages_of("meta-scale")) >= 2
    # The keyword leg alone must know every chunk, including those on the last page.
    keyword_only = make_library(chunk_size=40, chunk_overlap=0, search={"dense_weight": 0.0})
    for brief in briefs():
        assert keyword_only.search(brief.title, k=1)[0].brief.id == brief.id
    channel = [replace(b, id=f"tg-{b.id}", scope="channel") for b in briefs()[:3]]
    library.sync(channel, "channel")
    library.rebuild(briefs()[:1], ["folder"])  # copies the channel's chunks page by page
    assert {b.id for b in library.list_briefs()} == {
        "meta-scale",
        "tg-meta-scale",
        "tg-openai-scale",
        "tg-nickel",
    }
