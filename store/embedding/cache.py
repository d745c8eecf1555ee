"""An on-disk cache of passage vectors, so the same chunk text is never embedded twice by the same model.

Keyed by (model name, sha256 of the text): rebuilds, re-runs after a crash and repeated test runs only pay for
texts the model has not seen. Queries are kept only in memory, the most recent few hundred: a repeated or
retried question skips the model, and nothing users ask is written to disk.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from store.embedding.base import Embedder, Vectors, empty

logger = logging.getLogger(__name__)

_QUERY_MEMORY = 512
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors (model TEXT, digest TEXT, vec BLOB, PRIMARY KEY (model, digest))"
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an `Embedder`; `misses` counts passages that reached the model (useful to check re-runs)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by threads; the lock keeps sqlite calls serialised.
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute(_SCHEMA)
        self._db.commit()
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def token_count(self, text: str) -> int | None:
        """The model's own token count when the backend offers one (the chunker sizes chunks with it)."""
        count = getattr(self.inner, "token_count", None)
        return int(count(text)) if callable(count) else None

    def embed_queries(self, texts: list[str]) -> Vectors:
        with self._lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
            for text in known:
                self._queries.move_to_end(text)
        todo = list(dict.fromkeys(t for t in texts if t not in known))
        if todo:
            fresh = self.inner.embed_queries(todo)
            with self._lock:
                for text, vector in zip(todo, fresh, strict=True):
                    known[text] = self._queries[text] = vector
                while len(self._queries) > _QUERY_MEMORY:
                    self._queries.popitem(last=False)
        if not texts:
            return empty(self.dim)
        return np.vstack([known[t] for t in texts]).astype(np.float32, copy=False)

    def embed_passages(self, texts: list[str]) -> Vectors:
        if not texts:
            return empty(self.dim)
        digests = [_digest(t) for t in texts]
        found = self._lookup(set(digests))
        todo = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in found}.items())
        if todo:
            fresh = self.inner.embed_passages([t for _, t in todo])
            self.misses += len(todo)
            rows = [(self.name, d, fresh[i].tobytes()) for i, (d, _) in enumerate(todo)]
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
                self._db.commit()
            for i, (d, _) in enumerate(todo):
                found[d] = fresh[i]
        logger.debug("embedding cache hits=%s misses=%s", len(texts) - len(todo), len(todo))
        return np.vstack([found[d] for d in digests]).astype(np.float32, copy=False)

    def _lookup(self, digests: set[str]) -> dict[str, Vectors]:
        out: dict[str, Vectors] = {}
        keys = list(digests)
        with self._lock:
            for start in range(0, len(keys), 500):  # sqlite caps bound parameters per statement
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                # Only "?" placeholders are interpolated into the statement; values are bound.
                rows = self._db.execute(
                    f"SELECT digest, vec FROM vectors WHERE model = ? AND digest IN ({marks})",
                    [self.name, *part],
                ).fetchall()
                for digest, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self.dim:
                        out[digest] = vec
        return out

    def close(self) -> None:
        """Close the cache file and the wrapped backend (an HTTP backend holds a connection pool)."""
        with self._lock:
            self._db.close()
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()
