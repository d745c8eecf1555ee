"""Hybrid search over real Chroma and the real model: filters hold on both legs, cross-lingual works."""

from __future__ import annotations

from datetime import date

import pytest

from store.library import BriefLibrary
from store.types import SearchFilters
from tests.support.briefs import BRIEFS, LibraryFactory, briefs

TEXTS = {b.id: b.text for b in BRIEFS}


def test_passages_quote_their_brief_and_carry_both_scores(indexed: BriefLibrary) -> None:
    found = indexed.search("Berapa Meta membayar untuk saham Scale AI?", k=3)
    assert found[0].brief.id == "meta-scale"
    top = found[0]
    assert TEXTS[top.brief.id][top.start : top.end] == top.text
    assert top.dense_score is not None and 0.5 < top.dense_score <= 1.0
    assert top.keyword_score is not None and top.keyword_score > 0
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Why did OpenAI stop working with Scale AI?", "openai-scale"),
        ("How much did Meta pay for its stake in Scale AI?", "meta-scale"),
        ("Why are nickel prices rising?", "nickel"),
        ("How many 5G base stations is Telkomsel adding?", "telco-5g"),
    ],
)
def test_english_questions_find_the_indonesian_brief_first(
    indexed: BriefLibrary, question: str, expected: str
) -> None:
    assert indexed.search(question, k=3)[0].brief.id == expected


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(since=date(2025, 6, 20), until=date(2025, 7, 31)), {"openai-scale", "bri-profit"}),
        (SearchFilters(sources=("Kontan",)), {"nickel", "telco-5g"}),
        (SearchFilters(langs=("en",)), {"bri-profit"}),
        (SearchFilters(brief_ids=("nickel", "meta-scale")), {"nickel", "meta-scale"}),
    ],
)
def test_filters_restrict_both_legs(indexed: BriefLibrary, filters: SearchFilters, allowed: set[str]) -> None:
    # The question matches Meta/Scale AI words strongly, so an unfiltered search would return those first.
    found = indexed.search("Meta Scale AI saham investasi", k=5, filters=filters)
    assert {p.brief.id for p in found} == allowed


def test_blank_question_returns_nothing(indexed: BriefLibrary) -> None:
    assert indexed.search("   ") == []


def test_empty_library_searches_return_nothing(library: BriefLibrary) -> None:
    assert library.search("apa saja") == []


def test_rrf_fusion_mode_ranks_the_same_obvious_answer(make_library: LibraryFactory) -> None:
    library = make_library(search={"fusion": "rrf"})
    library.sync(briefs(), "folder")
    assert library.search("Telkomsel BTS 5G Jawa Bali", k=2)[0].brief.id == "telco-5g"


def test_passages_of_returns_chunks_in_order(make_library: LibraryFactory) -> None:
    library = make_library(chunk_size=40, chunk_overlap=10)
    library.sync(briefs(), "folder")
    chunks = library.passages_of("meta-scale")
    assert len(chunks) >= 2
    assert [p.chunk_index for p in chunks] == list(range(len(chunks)))
    assert all(TEXTS["meta-scale"][p.start : p.end] == p.text and p.score == 0 for p in chunks)
