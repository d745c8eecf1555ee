"""The keyword index on disk: pre-analysed postings in one SQLite file per library, shared by the processes of
a host (WAL mode: readers never wait for a writer, and the file's pages sit once in the OS page cache).

Tables:
- `docs`: one row per live chunk: a doc number that is never reused, chunk and brief ids, the brief's content
  hash, the chunk's length in terms, and the filter columns. `gen` is the write that added the row.
- `gone`: doc numbers removed, with the write that removed them, so other processes can replay removals.
- `postings`: per term and segment, doc numbers (int32) and term counts (uint16) as two blobs. Every write
  adds one segment; the newest segments are merged when they grow close in size to the one before them
  (log-structured, so a posting is rewritten O(log n) times), dropping removed docs on the way.
- `briefs`: every brief's first-chunk metadata (JSON), so the brief listing a sync compares against is read
  from this file instead of scanning Chroma while the file is current.
- `meta`: the analysis fingerprint, the Chroma collection and pointer version the contents reflect, and
  `generation`, bumped by every write.

Scores are not stored: BM25 is computed at query time from the counts over live docs (`store.keyword_view`),
so a write changes no other row and a search scores exactly as a fresh build over the same chunks would.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from store.analysis import Analyzer

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 600.0
"""How long a writer waits for another one (a large merge holds the write lock for seconds)."""
MAX_SEGMENTS = 12
MERGE_RATIO = 3
"""Merge the newest two segments while the newer holds at least 1/MERGE_RATIO of the older one's postings."""
MERGE_PAGE = 5000
IN_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    doc INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT NOT NULL UNIQUE, brief_id TEXT NOT NULL,
    content_hash TEXT NOT NULL, length INTEGER NOT NULL, published INTEGER NOT NULL,
    source TEXT NOT NULL, lang TEXT NOT NULL, gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS docs_brief ON docs(brief_id);
CREATE INDEX IF NOT EXISTS docs_gen ON docs(gen);
CREATE TABLE IF NOT EXISTS gone(doc INTEGER PRIMARY KEY, gen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS gone_gen ON gone(gen);
CREATE TABLE IF NOT EXISTS postings(
    term TEXT NOT NULL, seg INTEGER NOT NULL, docs BLOB NOT NULL, tfs BLOB NOT NULL,
    PRIMARY KEY(term, seg)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_seg ON postings(seg);
CREATE TABLE IF NOT EXISTS segments(seg INTEGER PRIMARY KEY, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS briefs(brief_id TEXT PRIMARY KEY, meta TEXT NOT NULL) WITHOUT ROWID;
"""
FORMAT = 1
"""Part of the file's name: a change of the tables above starts a new file."""

DocIds = npt.NDArray[np.int32]
Counts = npt.NDArray[np.uint16]


@dataclass(frozen=True)
class ChunkRow:
    """One chunk as the keyword index takes it (from Chroma: id, text, the store's metadata)."""

    chunk_id: str
    text: str
    meta: dict[str, Any]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_SCHEMA)
    return conn


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def synced_of(conn: sqlite3.Connection) -> tuple[str, int] | None:
    """(collection, pointer version) the contents reflect, None when never synced."""
    name, version = get_meta(conn, "collection"), get_meta(conn, "version")
    return None if name is None or version is None else (name, int(version))


BriefKey = tuple[str, int, str, str, int]


def brief_key(meta: dict[str, Any], chunks: int | None = None) -> BriefKey:
    """What decides whether a held brief matches Chroma's: content hash, chunk count, scope, origin, and where
    the first chunk ends (which moves when a rebuild re-chunks the same text with other settings)."""
    count = int(meta.get("chunk_count", 0)) if chunks is None else chunks
    return (
        str(meta.get("content_hash", "")),
        count,
        str(meta.get("scope", "")),
        str(meta.get("origin", "")),
        int(meta.get("end", 0)),
    )


def read_briefs(
    conn: sqlite3.Connection, ids: Sequence[str] | None = None, scope: str | None = None
) -> list[dict[str, Any]]:
    """First-chunk metadata of every brief, of the briefs `ids` (those held), or of one scope's briefs."""
    if scope is not None:
        # Filtered inside SQLite: a no-change pass over one source reads its briefs, not 200k JSON rows.
        rows = conn.execute("SELECT meta FROM briefs WHERE json_extract(meta, '$.scope') = ?", (scope,))
        return [json.loads(meta) for (meta,) in rows]
    if ids is None:
        return [json.loads(meta) for (meta,) in conn.execute("SELECT meta FROM briefs")]
    out = []
    for start in range(0, len(ids), IN_BATCH):
        part = list(ids[start : start + IN_BATCH])
        rows = conn.execute(f"SELECT meta FROM briefs WHERE brief_id IN ({_marks(len(part))})", part)
        out += [json.loads(meta) for (meta,) in rows]
    return out


def read_postings(conn: sqlite3.Connection, term: str) -> tuple[DocIds, Counts]:
    """Doc numbers and term counts of `term` over all segments (removed docs included; callers mask them)."""
    rows = conn.execute("SELECT docs, tfs FROM postings WHERE term = ?", (term,)).fetchall()
    if not rows:
        return np.zeros(0, np.int32), np.zeros(0, np.uint16)
    if len(rows) == 1:
        return np.frombuffer(rows[0][0], np.int32), np.frombuffer(rows[0][1], np.uint16)
    docs = np.concatenate([np.frombuffer(r[0], np.int32) for r in rows])
    tfs = np.concatenate([np.frombuffer(r[1], np.uint16) for r in rows])
    return docs, tfs


def _marks(n: int) -> str:
    return ",".join("?" * n)


class Writer:
    """Changes inside one transaction (see `KeywordStore.writing`)."""

    def __init__(self, conn: sqlite3.Connection, analyzer: Analyzer) -> None:
        self._conn = conn
        self._analyzer = analyzer
        self.gen = int(get_meta(conn, "generation") or 0) + 1
        self.changed = False

    def synced(self) -> tuple[str, int] | None:
        return synced_of(self._conn)

    def held_briefs(self) -> dict[str, BriefKey]:
        """Brief id -> its `brief_key` as this file holds it."""
        rows = self._conn.execute(
            "SELECT d.brief_id, count(*), b.meta FROM docs d"
            " LEFT JOIN briefs b ON b.brief_id = d.brief_id GROUP BY d.brief_id"
        )
        return {
            str(brief): brief_key(json.loads(meta) if meta else {}, int(count)) for brief, count, meta in rows
        }

    def _forget(self, column: str, values: Sequence[str]) -> None:
        for start in range(0, len(values), IN_BATCH):
            part = list(values[start : start + IN_BATCH])
            where = f"{column} IN ({_marks(len(part))})"
            self._conn.execute(
                f"INSERT OR REPLACE INTO gone SELECT doc, ? FROM docs WHERE {where}", [self.gen, *part]
            )
            if self._conn.execute(f"DELETE FROM docs WHERE {where}", part).rowcount:
                self.changed = True

    def remove_briefs(self, brief_ids: Sequence[str]) -> None:
        self._forget("brief_id", brief_ids)
        for start in range(0, len(brief_ids), IN_BATCH):
            part = list(brief_ids[start : start + IN_BATCH])
            self._conn.execute(f"DELETE FROM briefs WHERE brief_id IN ({_marks(len(part))})", part)

    def add(self, rows: Sequence[ChunkRow]) -> None:
        """Add chunks (replacing any held under the same chunk ids) as one new segment."""
        if not rows:
            return
        self._forget("chunk_id", [r.chunk_id for r in rows])
        seq = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'docs'").fetchone()
        first = (int(seq[0]) if seq else 0) + 1
        postings: dict[str, tuple[list[int], list[int]]] = {}
        docs = []
        for doc, row in enumerate(rows, start=first):
            counts = Counter(self._analyzer.terms(row.text))
            for term, tf in counts.items():
                entry = postings.get(term)
                if entry is None:
                    postings[term] = entry = ([], [])
                entry[0].append(doc)
                entry[1].append(min(tf, 65535))
            m = row.meta
            docs.append(
                (doc, row.chunk_id, str(m.get("brief_id", "")), str(m.get("content_hash", "")),
                 sum(counts.values()), int(m.get("published") or 0), str(m.get("source", "")),
                 str(m.get("lang", "")), self.gen)
            )  # fmt: skip
        self._conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?)", docs)
        firsts = [
            (str(r.meta.get("brief_id", "")), json.dumps(r.meta))
            for r in rows
            if r.meta.get("chunk_index") == 0
        ]
        self._conn.executemany("INSERT OR REPLACE INTO briefs VALUES (?, ?)", firsts)
        self._write_segment(
            (term, np.asarray(d, np.int32), np.asarray(t, np.uint16)) for term, (d, t) in postings.items()
        )
        self.changed = True

    def _write_segment(self, postings: Iterable[tuple[str, DocIds, Counts]]) -> int:
        seg = int(self._conn.execute("SELECT coalesce(max(seg), 0) + 1 FROM segments").fetchone()[0])
        size = 0
        batch: list[tuple[str, int, bytes, bytes]] = []
        for term, docs, tfs in postings:
            if docs.size == 0:
                continue
            size += int(docs.size)
            batch.append((term, seg, docs.tobytes(), tfs.tobytes()))
            if len(batch) >= MERGE_PAGE:
                self._conn.executemany("INSERT INTO postings VALUES (?,?,?,?)", batch)
                batch = []
        self._conn.executemany("INSERT INTO postings VALUES (?,?,?,?)", batch)
        self._conn.execute("INSERT INTO segments VALUES (?, ?)", (seg, size))
        return seg

    def set_stale(self) -> None:
        """Mark the contents as matching no pointer state: the next search catches up by comparing briefs."""
        self.set_synced("", -1)

    def set_synced(self, collection: str, version: int) -> None:
        self._conn.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("collection", collection), ("version", str(version))],
        )
        self.changed = True

    def _live_from(self, segs: Sequence[int]) -> tuple[int, npt.NDArray[np.bool_]]:
        """(lo, live): whether each doc from `lo` (the least doc the segments hold) on is live. Reading the
        live docs from `lo` rather than every doc: merging the small newest segments after a write of one
        brief read all 500k doc numbers (0.25 s) before."""
        marks = _marks(len(segs))
        held, total = self._conn.execute(
            f"SELECT (SELECT coalesce(sum(size), 0) FROM segments WHERE seg IN ({marks})),"
            " (SELECT coalesce(sum(size), 0) FROM segments)",
            [*segs],
        ).fetchone()
        lo = 0
        if held * 4 < total:  # a small merge: find its least doc (a large one reads every doc anyway)
            rows = self._conn.execute(f"SELECT docs FROM postings WHERE seg IN ({marks})", list(segs))
            lo = min((int(np.frombuffer(blob, np.int32).min()) for (blob,) in rows if blob), default=0)
        end = int(self._conn.execute("SELECT coalesce(max(doc), 0) + 1 FROM docs").fetchone()[0])
        live = np.zeros(max(end - lo, 0), bool)
        rows = self._conn.execute("SELECT doc FROM docs WHERE doc >= ?", (lo,))
        live[np.fromiter((doc for (doc,) in rows), np.int64) - lo] = True
        return lo, live

    def merge(self, segs: Sequence[int]) -> None:
        """Replace segments `segs` by one, without the postings of removed docs."""
        lo, live = self._live_from(segs)
        marks = _marks(len(segs))

        def pages() -> Iterator[tuple[str, DocIds, Counts]]:
            last = ""
            while True:
                rows = self._conn.execute(
                    f"SELECT term, docs, tfs FROM postings WHERE seg IN ({marks}) AND term > ?"
                    f" ORDER BY term, seg LIMIT {MERGE_PAGE}",
                    [*segs, last],
                ).fetchall()
                if not rows:
                    return
                if len(rows) == MERGE_PAGE:  # the last term may continue on the next page: leave it for it
                    tail = rows[-1][0]
                    rows = [r for r in rows if r[0] != tail] or rows
                yield from _grouped(rows, lo, live)
                last = rows[-1][0]

        new = self._write_segment(pages())
        self._conn.execute(f"DELETE FROM postings WHERE seg IN ({marks})", list(segs))
        self._conn.execute(f"DELETE FROM segments WHERE seg IN ({marks})", list(segs))
        logger.info("keyword segments merged from=%s into=%s", list(segs), new)


def _grouped(rows: list[Any], lo: int, live: npt.NDArray[np.bool_]) -> Iterator[tuple[str, DocIds, Counts]]:
    """The postings of `rows` (sorted by term) joined per term, keeping the docs `live` (from doc `lo`)."""
    i = 0
    while i < len(rows):
        term = rows[i][0]
        j = i
        while j < len(rows) and rows[j][0] == term:
            j += 1
        docs = np.concatenate([np.frombuffer(r[1], np.int32) for r in rows[i:j]])
        tfs = np.concatenate([np.frombuffer(r[2], np.uint16) for r in rows[i:j]])
        at = docs.astype(np.int64) - lo
        inside = (at >= 0) & (at < len(live))
        keep = np.zeros(len(docs), bool)
        keep[inside] = live[at[inside]]
        yield term, docs[keep], tfs[keep]
        i = j


class KeywordStore:
    """The writing side of one index file. Thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path, analyzer: Analyzer) -> None:
        self.path = path
        self._analyzer = analyzer
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def fingerprint(self) -> str | None:
        with self._lock:
            return get_meta(self._conn, "analysis")

    def set_fingerprint(self, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('analysis', ?)", (value,))

    def synced(self) -> tuple[str, int] | None:
        with self._lock:
            return synced_of(self._conn)

    @contextmanager
    def writing(self, *, compact: bool = True) -> Iterator[Writer]:
        """One write transaction (waits for other writers); merges segments after it commits."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                writer = Writer(self._conn, self._analyzer)
                yield writer
                if writer.changed:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(writer.gen),)
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        if compact:
            self.compact()

    def compact(self) -> None:
        """Merge the newest segments while they are close in size (or too many), one transaction each."""
        while True:
            with self._lock:
                sizes = self._conn.execute("SELECT seg, size FROM segments ORDER BY seg").fetchall()
            if len(sizes) < 2:
                return
            (older, older_size), (newer, newer_size) = sizes[-2], sizes[-1]
            if newer_size * MERGE_RATIO < older_size and len(sizes) <= MAX_SEGMENTS:
                return
            with self.writing(compact=False) as writer:
                writer.merge([older, newer])
