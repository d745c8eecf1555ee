"""The keyword index file: incremental writes, removals and segment merges score exactly as a fresh bm25s
build over the same chunks (today's in-memory `KeywordIndex`), and filters agree with it."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import store.keyword_store
from store.analysis import Analyzer
from store.keyword import KeywordIndex
from store.keyword_store import ChunkRow, KeywordStore, Writer
from store.keyword_view import KeywordView
from store.types import SearchFilters
from tests.support.briefs import BRIEFS

VOCABULARY = (
    "harga nikel smelter morowali baterai listrik ekspor rekor kuartal bank laba kredit mikro rasio "
    "operator jaringan pelanggan industri saham investasi perusahaan data pelatihan kerja sama pendiri "
    "profit growth loans quarterly network stations government enterprise deal stake shares"
)
QUESTIONS = (
    "harga nikel Morowali",
    "Meta Scale AI saham investasi",
    "bank laba kredit mikro",
    "nikel nikel baterai",  # a repeated term counts twice, as in bm25s
    "quarterly profit loans",
    "kata yang tidak ada",  # stopwords and unknown words only
)
SOURCES = ("Kontan", "Reuters", "Tekno Harian")


def _rows(count: int, seed: int, prefix: str = "c") -> list[ChunkRow]:
    pick = random.Random(seed)
    words = VOCABULARY.split()
    rows = [
        ChunkRow(f"{b.id}#0", b.text, {"brief_id": b.id, "content_hash": "h", "source": b.source,
                                       "lang": b.lang, "published": 20250619})
        for b in BRIEFS
    ]  # fmt: skip
    for i in range(count):
        text = " ".join(pick.choices(words, k=pick.randint(3, 40)))
        meta = {
            "brief_id": f"{prefix}{i // 3}",
            "content_hash": "h",
            "source": SOURCES[i % 3],
            "lang": "id" if i % 2 else "en",
            "published": 20250101 + i % 28,
        }
        rows.append(ChunkRow(f"{prefix}{i // 3}#{i % 3}", text, meta))
    return rows


def _expected(rows: list[ChunkRow], question: str, filters: SearchFilters | None = None) -> dict[str, float]:
    index = KeywordIndex(
        [r.chunk_id for r in rows], [r.text for r in rows], [r.meta for r in rows], Analyzer()
    )
    return {index.ids[h.index]: h.score for h in index.search(question, 1000, filters)}


def _got(view: KeywordView, question: str, filters: SearchFilters | None = None) -> dict[str, float]:
    return {h.chunk_id: h.score for h in view.lookup(question, 1000, filters)[1]}


def _assert_same(got: dict[str, float], expected: dict[str, float]) -> None:
    assert got.keys() == expected.keys()
    for key, score in expected.items():
        assert got[key] == pytest.approx(score, rel=1e-5)


@pytest.fixture
def files(tmp_path: Path) -> tuple[KeywordStore, KeywordView]:
    path = tmp_path / "kw.sqlite"
    return KeywordStore(path, Analyzer()), KeywordView(path, Analyzer())


def test_incremental_writes_removals_and_merges_score_as_a_fresh_build(
    files: tuple[KeywordStore, KeywordView], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.keyword_store, "MERGE_PAGE", 7)  # merges cross page boundaries
    kw, view = files
    rows = _rows(300, seed=1)
    for start in range(0, len(rows), 25):  # many small writes: segments are merged along the way
        with kw.writing() as writer:
            writer.add(rows[start : start + 25])
    with kw.writing() as writer:  # remove some briefs and rewrite others in place
        writer.remove_briefs(["c3", "c10", "nickel"])
        writer.add([ChunkRow("c20#1", "harga nikel naik lagi", {"brief_id": "c20", "content_hash": "x"})])
    live = [r for r in rows if r.meta["brief_id"] not in {"c3", "c10", "nickel"} and r.chunk_id != "c20#1"]
    live.append(ChunkRow("c20#1", "harga nikel naik lagi", {"brief_id": "c20", "content_hash": "x"}))
    assert len(view) == len(live)
    for question in QUESTIONS:
        _assert_same(_got(view, question), _expected(live, question))
    segments = kw._conn.execute("SELECT count(*) FROM segments").fetchone()[0]
    assert segments <= store.keyword_store.MAX_SEGMENTS


def test_merging_the_newest_small_segments_reads_only_their_docs(
    files: tuple[KeywordStore, KeywordView],
) -> None:
    """Issue 10: a merge after a small write reads the live docs from the merged segments' least doc on,
    not every doc of the file (0.25 s per merge at 500k chunks), and still drops exactly the removed ones."""
    kw, view = files
    rows = _rows(300, seed=5)
    with kw.writing(compact=False) as writer:
        writer.add(rows)
    first_small = int(kw._conn.execute("SELECT max(doc) FROM docs").fetchone()[0]) + 1
    small = [_rows(6, seed=6 + n, prefix=f"s{n}-")[len(BRIEFS) :] for n in range(2)]
    for part in small:
        with kw.writing(compact=False) as writer:
            writer.add(part)
    with kw.writing(compact=False) as writer:  # one removal in a small segment, one in the large one
        writer.remove_briefs(["s0-0", "c5"])
    segs = [int(seg) for (seg,) in kw._conn.execute("SELECT seg FROM segments ORDER BY seg")]
    lo, live = Writer(kw._conn, Analyzer())._live_from(segs[-2:])
    assert lo == first_small and len(live) == 12 and live.sum() == 9
    kw.compact()
    assert kw._conn.execute("SELECT count(*) FROM segments").fetchone()[0] == 2
    merged = kw._conn.execute("SELECT docs FROM postings WHERE seg = (SELECT max(seg) FROM segments)")
    kept = small[0][3:] + small[1]  # s0-0's three chunks are gone
    assert sum(len(blob) // 4 for (blob,) in merged) == sum(len(set(Analyzer().terms(r.text))) for r in kept)
    held = [r for r in rows if r.meta["brief_id"] != "c5"] + kept
    for question in QUESTIONS:
        _assert_same(_got(view, question), _expected(held, question))


def test_a_view_searched_between_writes_scores_as_a_fresh_build_after_each(
    files: tuple[KeywordStore, KeywordView],
) -> None:
    """Length norms are kept per file generation: each write (new lengths, a new average) renews them."""
    kw, view = files
    rows = _rows(90, seed=4)
    held: list[ChunkRow] = []
    for start in range(0, len(rows), 30):
        with kw.writing() as writer:
            writer.add(rows[start : start + 30])
        held += rows[start : start + 30]
        for question in QUESTIONS[:3]:
            _assert_same(_got(view, question), _expected(held, question))
    long = ChunkRow("long#0", " ".join(["harga nikel"] + ["ekspor"] * 200), {"brief_id": "long"})
    with kw.writing() as writer:  # the average length jumps; one brief leaves
        writer.add([long])
        writer.remove_briefs(["c2"])
    held = [r for r in held if r.meta["brief_id"] != "c2"] + [long]
    for question in QUESTIONS:
        _assert_same(_got(view, question), _expected(held, question))


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(since=date(2025, 1, 10), until=date(2025, 1, 20)),
        SearchFilters(sources=("Kontan", "Nowhere")),
        SearchFilters(langs=("en",)),
        SearchFilters(brief_ids=("c1", "c7", "meta-scale")),
    ],
)
def test_filters_agree_with_the_in_memory_index(
    files: tuple[KeywordStore, KeywordView], filters: SearchFilters
) -> None:
    kw, view = files
    rows = _rows(120, seed=2)
    with kw.writing() as writer:
        writer.add(rows)
    for question in QUESTIONS[:3]:
        _assert_same(_got(view, question, filters), _expected(rows, question, filters))


def test_a_view_replays_writes_made_through_another_connection(
    files: tuple[KeywordStore, KeywordView],
) -> None:
    kw, view = files
    with kw.writing() as writer:
        writer.add(_rows(30, seed=3))
    coverage, hits = view.lookup("zirkonium", 5)
    assert (coverage, hits) == (0.0, [])
    with kw.writing() as writer:
        writer.add([ChunkRow("new#0", "tambang zirkonium baru", {"brief_id": "new", "content_hash": "h"})])
    coverage, hits = view.lookup("zirkonium", 5)
    assert coverage == 1.0 and [h.chunk_id for h in hits] == ["new#0"]
    with kw.writing() as writer:
        writer.remove_briefs(["new"])
    assert view.lookup("zirkonium", 5) == (0.0, [])


def test_a_view_replays_a_write_without_reading_the_whole_docs_table(
    files: tuple[KeywordStore, KeywordView],
) -> None:
    """Issue 10: replaying another process's write reads that write's rows through the gen index; asked in
    doc order, SQLite scanned every doc (35-130 ms per write at 500k chunks)."""
    kw, view = files
    with kw.writing() as writer:
        writer.add(_rows(3000, seed=8))
    assert view.lookup("nikel", 5)[1]  # the first read takes every doc
    with kw.writing() as writer:
        writer.add([ChunkRow("new#0", "tambang zirkonium baru", {"brief_id": "new", "content_hash": "h"})])
    steps: list[int] = []
    assert view._conn is not None
    view._conn.set_progress_handler(lambda: steps.append(1) and 0, 100)  # every 100 SQLite VM steps
    assert [h.chunk_id for h in view.lookup("zirkonium", 5)[1]] == ["new#0"]
    view._conn.set_progress_handler(None, 100)
    assert len(steps) < 10  # none here; the scan of the 3,000 docs took some 90


def test_the_analysis_fingerprint_is_the_same_in_every_process() -> None:
    code = "from store.analysis import Analyzer; print(Analyzer().fingerprint())"
    other = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert other.stdout.strip() == Analyzer().fingerprint()
