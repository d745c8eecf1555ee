"""Date-aware retrieval, over a hand-written library double that records the searches it receives."""

from __future__ import annotations

from datetime import date

from bot.answering.retrieval import Retriever, boost_recent
from store.types import BriefInfo, Passage, SearchFilters


def passage(brief_id: str, published: date, cosine: float) -> Passage:
    info = BriefInfo(brief_id, brief_id, "Publisher", None, published, "en", "test", "", "h", 1)
    return Passage(f"{brief_id}#0", info, f"text of {brief_id}", 0, 10, 0, cosine / 30, dense_score=cosine)


OLD = passage("old", date(2024, 6, 1), 0.88)
NEW = passage("new", date(2025, 6, 1), 0.87)


class RecordingLibrary:
    """Returns OLD and NEW for any search whose date filter admits them, and remembers the filters."""

    def __init__(self) -> None:
        self.searches: list[tuple[str, SearchFilters | None]] = []

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        self.searches.append((query, filters))
        found = [OLD, NEW]
        if filters and filters.since:
            found = [p for p in found if p.brief.published and p.brief.published >= filters.since]
        if filters and filters.until:
            found = [p for p in found if p.brief.published and p.brief.published <= filters.until]
        return found[: k or 8]


def test_a_named_month_becomes_a_filter_and_leaves_the_query() -> None:
    library = RecordingLibrary()
    retrieved = Retriever(library, k=4).retrieve("What happened in June 2025?")  # type: ignore[arg-type]
    query, filters = library.searches[0]
    assert "June" not in query
    assert filters == SearchFilters(since=date(2025, 6, 1), until=date(2025, 6, 30))
    assert [p.brief.id for p in retrieved.passages] == ["new"]


def test_an_empty_relative_period_falls_back_to_all_dates_and_says_so() -> None:
    library = RecordingLibrary()
    retrieved = Retriever(library, k=4).retrieve("news this week", today=date(2026, 11, 29))  # type: ignore[arg-type]
    assert len(library.searches) == 2 and library.searches[1][1] is None
    assert retrieved.period_missed
    assert retrieved.passages[0].brief.id == "new"  # still the fresher one first


def test_an_empty_named_period_falls_back_to_the_whole_question_over_all_dates() -> None:
    library = RecordingLibrary()
    question = "Apa isi Peraturan Menteri Nomor 12 Tahun 2019?"
    retrieved = Retriever(library, k=4).retrieve(question)  # type: ignore[arg-type]
    assert library.searches[0][1] is not None  # the year was tried as a period first
    assert library.searches[1] == (question, None)  # then the whole question, every date
    assert retrieved.period_missed and retrieved.passages


def test_recency_reorders_near_ties_but_not_irrelevant_news() -> None:
    assert [p.brief.id for p in boost_recent([OLD, NEW])] == ["new", "old"]
    irrelevant_new = passage("irrelevant", date(2025, 6, 2), 0.78)
    ranked = boost_recent([OLD, NEW, irrelevant_new])
    assert ranked[-1].brief.id == "irrelevant"
