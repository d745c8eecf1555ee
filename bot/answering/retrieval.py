"""Query-side retrieval: the question's date intent applied to the store's hybrid search.

An explicit period ("in June 2025") filters, and so does a period relative to today ("this week"). When
nothing is dated in the period, both fall back to an unfiltered search with the whole question (a curated
collection is rarely updated daily, some briefs carry no date, and a date may name the fact rather than the
news), and the answer says the period held nothing. "latest"-style questions re-rank candidates towards
newer briefs without dropping older ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from bot.answering.dates import DateIntent, parse_date_intent
from bot.answering.ports import EngineLibrary
from bot.answering.question import follow_up
from store.types import Passage, SearchFilters

logger = logging.getLogger(__name__)

# How much a brief's freshness can add to its relevance on "latest" questions, on the scale of e5 cosines
# (relevant passages ~0.85-0.92, unrelated ~0.75-0.8): enough to reorder near-ties, too little to promote an
# off-topic new brief. A year-old brief gets nothing.
RECENCY_WEIGHT = 0.04
RECENCY_HORIZON_DAYS = 365


@dataclass(frozen=True)
class Retrieved:
    passages: list[Passage]
    intent: DateIntent
    period_missed: bool = False
    """The question named a period with no briefs in it; the passages come from outside it."""


def _merge(filters: SearchFilters | None, intent: DateIntent) -> SearchFilters | None:
    if not intent.has_period:
        return filters
    base = filters or SearchFilters()
    since = max(d for d in (base.since, intent.since) if d) if (base.since or intent.since) else None
    until = min(d for d in (base.until, intent.until) if d) if (base.until or intent.until) else None
    return replace(base, since=since, until=until)


def _relevance(passage: Passage, rank: int, count: int) -> float:
    """The dense cosine when the store reports it (comparable across candidates), else a rank-based stand-in
    on the same scale, since fused scores (RRF or min-max sums) have no fixed range."""
    if passage.dense_score is not None:
        return passage.dense_score
    return 0.9 - 0.1 * rank / max(1, count - 1)


def boost_recent(passages: list[Passage]) -> list[Passage]:
    """Reorder by relevance plus freshness relative to the newest candidate; undated briefs get no boost."""
    dated = [p.brief.published for p in passages if p.brief.published]
    if not passages or not dated:
        return passages
    newest = max(dated)

    def key(item: tuple[int, Passage]) -> float:
        rank, p = item
        relevance = _relevance(p, rank, len(passages))
        if p.brief.published is None:
            return relevance
        age = (newest - p.brief.published).days
        return relevance + RECENCY_WEIGHT * max(0.0, 1.0 - age / RECENCY_HORIZON_DAYS)

    return [p for _, p in sorted(enumerate(passages), key=key, reverse=True)]


class Retriever:
    def __init__(self, library: EngineLibrary, k: int) -> None:
        self._library = library
        self._k = k

    def retrieve(
        self,
        question: str,
        *,
        context: str | None = None,
        filters: SearchFilters | None = None,
        today: date | None = None,
    ) -> Retrieved:
        intent = parse_date_intent(question, today or date.today())
        query = intent.query if intent.has_period else question
        # A follow-up ("and Google?") only makes sense with what came before it.
        query = follow_up(query, context)
        # Re-ranking by date needs a wider pool than the answer uses.
        k = self._k * 3 if intent.recent else self._k
        passages = self._library.search(query, k=k, filters=_merge(filters, intent))
        missed = False
        if not passages and intent.has_period:
            # Nothing is dated in the period. The date may name the fact rather than the news ("Regulation 12
            # of 2005", "by Friday 12 August, how many..."), and undated briefs cannot be ruled out: search
            # every date with the whole question, and let the answer say the period held nothing.
            logger.info("no briefs in the period; searching all dates since=%s", intent.since)
            passages = self._library.search(follow_up(question, context), k=self._k * 3, filters=filters)
            missed = True
        if intent.recent:
            passages = boost_recent(passages)[: self._k]
        return Retrieved(passages, intent, missed)
