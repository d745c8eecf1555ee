"""A deterministic, hand-written embedder for tests where exact vectors do not matter (plumbing, counts).

Each text becomes a bag of its lower-cased words hashed into 64 dimensions, scaled to unit length: texts that
share words come out close, so "search finds the brief with these words" still holds, but nothing is learned.
Tests of retrieval quality or of the model's identity keep the real model (the `embedder` fixture).
"""

from __future__ import annotations

import hashlib

import numpy as np

from store.embedding.base import Vectors, normalise
from store.embedding.factory import register_backend
from store.settings import EmbeddingSettings


class HashedWords:
    """Deterministic bag of hashed words in 64 dimensions (also a stand-in for a second model)."""

    name = "fake/hashed-words"
    dim = 64

    def _vectors(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        return normalise(out)

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._vectors(texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._vectors(texts)


def hashed_words_settings() -> EmbeddingSettings:
    """Embedding settings that pick `HashedWords` through the store's plugin seam (registering it)."""
    register_backend("hashed-words", lambda _settings: HashedWords())
    # The settings' Literal lists the bundled backends; plugins are chosen by name after validation.
    return EmbeddingSettings().model_copy(update={"backend": "hashed-words", "cache": False})
