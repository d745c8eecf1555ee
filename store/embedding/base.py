"""The interface every embedding backend implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
"""A (n, dim) array of L2-normalised float32 rows."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be encoded differently (e5)."""

    @property
    def name(self) -> str:
        """Identifies the model; a collection built with one name refuses another."""
        ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: list[str]) -> Vectors: ...

    def embed_passages(self, texts: list[str]) -> Vectors: ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """Return float32 rows scaled to unit length (zero rows stay zero rather than becoming NaN)."""
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (arr / norms).astype(np.float32, copy=False)
    return out


def empty(dim: int) -> Vectors:
    return np.zeros((0, dim), dtype=np.float32)


def in_batches(
    texts: list[str], batch_size: int, dim: int, encode: Callable[[list[str]], Vectors]
) -> Vectors:
    """Normalised vectors of `texts`, handed to `encode` `batch_size` at a time (local models take a lock
    per call, so a long run never holds it for minutes); no texts give an empty (0, dim) array."""
    if not texts:
        return empty(dim)
    parts = [normalise(encode(texts[s : s + batch_size])) for s in range(0, len(texts), batch_size)]
    return parts[0] if len(parts) == 1 else np.vstack(parts)
