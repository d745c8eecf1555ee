"""Several chats ask at once while an upsert lands: every search answers, none sees a broken index."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from store.embedding.base import Embedder
from store.library import BriefLibrary
from tests.support.briefs import briefs
from tests.support.fake_embedder import HashedWords

QUESTIONS = {
    "Berapa Meta membayar untuk saham Scale AI?": "meta-scale",
    "Why are nickel prices rising?": "nickel",
    "Telkomsel 5G Jawa Bali": "telco-5g",
    "BRI quarterly profit microloans": "bri-profit",
}


@pytest.fixture
def library_embedder() -> Embedder:
    """Concurrency, not ranking: a word-hashing fake finds the briefs these questions name."""
    return HashedWords()


def test_parallel_searches_during_a_write(indexed: BriefLibrary) -> None:
    def ask(question: str) -> str:
        return indexed.search(question, k=1)[0].brief.id

    extra = [replace(b, id=f"copy-{b.id}", scope="channel") for b in briefs()[:2]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        asked = [pool.submit(ask, q) for q in list(QUESTIONS) * 3]
        written = pool.submit(indexed.upsert, extra)
        answers = [f.result(timeout=300) for f in asked]
        assert sorted(written.result(timeout=300).added) == ["copy-meta-scale", "copy-openai-scale"]
    for question, answer in zip(list(QUESTIONS) * 3, answers, strict=True):
        # A copy of the same brief may win once it is indexed; any other brief is a wrong answer.
        assert answer.removeprefix("copy-") == QUESTIONS[question]
    assert len(indexed.list_briefs()) == len(briefs()) + 2
