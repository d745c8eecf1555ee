"""A process's reading side of the shared keyword index (`store.keyword_store`): BM25 at query time.

The process holds only small per-doc columns (liveness, length in terms, date, source, language, brief) and
replays other processes' writes into them when the file's `generation` moves (one small read per search).
Postings are read from the file for the question's terms only. Scores are Lucene BM25, as bm25s computes
them: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf / (tf + k1 (1 - b + b dl / avgdl)), summed over the
question's terms (repeated terms count again), N, df and avgdl taken over live docs.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from store.analysis import Analyzer
from store.keyword_store import IN_BATCH, connect, get_meta, read_briefs, read_postings, synced_of
from store.records import date_int
from store.types import SearchFilters

logger = logging.getLogger(__name__)

REFRESH_BATCH = 50_000


@dataclass(frozen=True)
class KeywordHit:
    chunk_id: str
    score: float


class _Codes:
    """Small integer codes for a string column (sources, languages, briefs)."""

    def __init__(self) -> None:
        self.of: dict[str, int] = {}

    def codes(self, values: tuple[str, ...]) -> list[int]:
        return [self.of[v] for v in values if v in self.of]

    def column(self, values: tuple[str, ...]) -> npt.NDArray[np.int32]:
        """The codes of a column of values (new values get new codes in order of first appearance)."""
        of = self.of
        for value in dict.fromkeys(values):
            if value not in of:
                of[value] = len(of) + 1
        return np.fromiter(map(of.__getitem__, values), np.int32, len(values))


class KeywordView:
    """Searches the index file at `path`. Thread-safe; cheap to keep open for the life of the process."""

    def __init__(self, path: Path, analyzer: Analyzer, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.path = path
        self._analyzer = analyzer
        self._k1, self._b = k1, b
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._inode = -1
        self._reset()

    def _reset(self) -> None:
        self._gen = -1
        self._live = np.zeros(0, bool)
        self._length = np.zeros(0, np.int32)
        self._published = np.zeros(0, np.int32)
        self._source = np.zeros(0, np.int32)
        self._lang = np.zeros(0, np.int32)
        self._brief = np.zeros(0, np.int32)
        self._sources, self._langs, self._briefs = _Codes(), _Codes(), _Codes()
        self._count = 0
        self._total_length = 0
        self._norm: npt.NDArray[np.float32] | None = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __len__(self) -> int:
        """Live chunks, as of now."""
        with self._lock:
            self._refresh()
            return self._count

    # -- keeping up with the file ----------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection | None:
        """The open connection, reopened when the file was replaced by a whole rebuild."""
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            return None
        if self._conn is None or inode != self._inode:
            if self._conn is not None:
                self._conn.close()
            self._conn, self._inode = connect(self.path), inode
            self._reset()
        return self._conn

    def _grow(self, size: int) -> None:
        if size <= len(self._live):
            return
        size = max(size, 2 * len(self._live), 1024)
        for name in ("_live", "_length", "_published", "_source", "_lang", "_brief"):
            old = getattr(self, name)
            new = np.zeros(size, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _refresh(self) -> sqlite3.Connection | None:
        conn = self._connection()
        if conn is None:
            return None
        gen = int(get_meta(conn, "generation") or 0)
        if gen == self._gen:
            return conn
        conn.execute("BEGIN")  # one snapshot for all reads
        try:
            removed = []  # a first read takes the live docs only
            if self._gen >= 0:
                removed = [
                    int(d) for (d,) in conn.execute("SELECT doc FROM gone WHERE gen > ?", (self._gen,))
                ]
            for doc in removed:
                if doc < len(self._live) and self._live[doc]:
                    self._live[doc] = False
                    self._count -= 1
                    self._total_length -= int(self._length[doc])
            columns = "SELECT doc, length, published, source, lang, brief_id FROM docs"
            if self._gen < 0:  # every doc, in one pass over the table
                added = conn.execute(f"{columns} ORDER BY doc")
            else:  # the rows of the writes since, through the gen index (ordered by doc, SQLite scanned the
                # whole table for them: 35-130 ms per write at 500k chunks)
                added = conn.execute(f"{columns} INDEXED BY docs_gen WHERE gen > ?", (self._gen,))
            changed = len(removed)
            while rows := added.fetchmany(REFRESH_BATCH):
                self._add_rows(rows)
                changed += len(rows)
            gen = int(get_meta(conn, "generation") or 0)
        finally:
            conn.execute("COMMIT")
        if self._gen < 0 or changed > REFRESH_BATCH:
            logger.info("keyword index read chunks=%s changed=%s", self._count, changed)
        self._gen = gen
        self._norm = None  # lengths and their average moved
        return conn

    def _add_rows(self, rows: list[Any]) -> None:
        doc, length, published, source, lang, brief = zip(*rows, strict=True)  # columns, no Python loop
        docs = np.array(doc, np.int64)
        self._grow(int(docs.max()) + 1)
        lengths = np.array(length, np.int32)
        fresh = ~self._live[docs]
        self._count += int(fresh.sum())
        self._total_length += int(lengths[fresh].sum())
        self._live[docs] = True
        self._length[docs] = lengths
        self._published[docs] = np.array(published, np.int32)
        self._source[docs] = self._sources.column(source)
        self._lang[docs] = self._langs.column(lang)
        self._brief[docs] = self._briefs.column(brief)

    def synced(self) -> tuple[str, int] | None:
        """(collection, pointer version) the file reflects; None when there is no file or it never synced."""
        with self._lock:
            conn = self._refresh()
            return synced_of(conn) if conn is not None else None

    def listing(
        self, collection: str, version: int, ids: Sequence[str] | None = None, scope: str | None = None
    ) -> list[dict[str, Any]] | None:
        """Every brief's first-chunk metadata (or only that of the briefs `ids` it holds, or of one scope's),
        when the file reflects this very pointer state (else None)."""
        with self._lock:
            conn = self._connection()
            if conn is None:
                return None
            conn.execute("BEGIN")  # the state check and the rows from one snapshot
            try:
                if synced_of(conn) != (collection, version):
                    return None
                return read_briefs(conn, ids, scope)
            finally:
                conn.execute("COMMIT")

    def fingerprint(self) -> str | None:
        with self._lock:
            conn = self._connection()
            return get_meta(conn, "analysis") if conn is not None else None

    # -- searching -------------------------------------------------------------------------------------------

    def _mask(self, docs: npt.NDArray[np.int64], filters: SearchFilters | None) -> npt.NDArray[np.bool_]:
        keep = np.ones(len(docs), bool)
        if filters is None or filters.is_empty():
            return keep
        published = self._published[docs]
        if filters.since:
            keep &= published >= date_int(filters.since)
        if filters.until:
            keep &= (published <= date_int(filters.until)) & (published > 0)
        if filters.sources:
            keep &= np.isin(self._source[docs], self._sources.codes(filters.sources))
        if filters.langs:
            keep &= np.isin(self._lang[docs], self._langs.codes(filters.langs))
        if filters.brief_ids:
            keep &= np.isin(self._brief[docs], self._briefs.codes(filters.brief_ids))
        return keep

    def lookup(
        self, query: str, n: int, filters: SearchFilters | None = None
    ) -> tuple[float, list[KeywordHit]]:
        """(share of the question's terms found in live chunks, the best `n` chunks with a positive score)."""
        terms = self._analyzer.terms(query)
        if not terms:
            return 0.0, []
        with self._lock:
            conn = self._refresh()
            if conn is None or self._count == 0:
                return 0.0, []
            found, scores = self._scores(conn, Counter(terms))
            coverage = found / len(terms)
            if scores is None:
                return coverage, []
            docs = np.flatnonzero(scores > 0)
            docs = docs[self._mask(docs, filters)]
            values = scores[docs]
            n = min(n, len(docs))
            if n <= 0:
                return coverage, []
            top = np.argpartition(-values, n - 1)[:n]
            top = top[np.lexsort((docs[top], -values[top]))]  # equal scores: the earlier-written chunk first
            chosen = [(int(docs[i]), float(values[i])) for i in top]
            ids = self._chunk_ids(conn, [doc for doc, _ in chosen])
        return coverage, [KeywordHit(ids[doc], score) for doc, score in chosen if doc in ids]

    def _length_norms(self) -> npt.NDArray[np.float32]:
        """k1 (1 - b + b dl / avgdl) of every doc, computed once per generation of the file (the terms of a
        question and the questions until the next write share it: one gather per term instead of four
        passes over its postings)."""
        if self._norm is None:
            avg = self._total_length / self._count if self._total_length else 1.0
            k1, b = np.float32(self._k1), np.float32(self._b)
            self._norm = k1 * ((1 - b) + b * self._length.astype(np.float32) / np.float32(avg))
        return self._norm

    def _scores(
        self, conn: sqlite3.Connection, terms: Counter[str]
    ) -> tuple[int, npt.NDArray[np.float32] | None]:
        n_docs = self._count
        norms = self._length_norms()
        found, scores = 0, None
        for term, repeats in terms.items():
            docs, tfs = read_postings(conn, term)
            if docs.size and int(docs.max()) >= len(self._live):
                inside = docs < len(self._live)  # a doc written after our refresh: skipped until the next
                docs, tfs = docs[inside], tfs[inside]
            live = self._live[docs]
            if not live.all():
                docs, tfs = docs[live], tfs[live]
            df = len(docs)
            if df == 0:
                continue
            found += repeats
            idf = np.float32(math.log(1 + (n_docs - df + 0.5) / (df + 0.5)))
            tf = tfs.astype(np.float32)
            part = idf * tf / (norms[docs] + tf)
            if scores is None:
                scores = np.zeros(len(self._live), np.float32)
            scores[docs] += part * np.float32(repeats)
        return found, scores

    def _chunk_ids(self, conn: sqlite3.Connection, docs: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(docs), IN_BATCH):
            part = docs[start : start + IN_BATCH]
            marks = ",".join("?" * len(part))
            rows: Any = conn.execute(f"SELECT doc, chunk_id FROM docs WHERE doc IN ({marks})", part)
            out.update((int(d), str(c)) for d, c in rows)
        return out
