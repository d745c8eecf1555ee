"""The interface every embedding backend implements."""

from __future__ import annotations

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
