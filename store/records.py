"""Conversion between the project's types and Chroma rows (ids, documents, flat metadata), in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

from store.types import Brief, BriefInfo, Chunk, Passage, SearchFilters


def date_int(day: date | None) -> int:
    """Dates are stored as yyyymmdd integers so Chroma can range-filter them; 0 means unknown."""
    return int(day.strftime("%Y%m%d")) if day else 0


def int_date(value: Any) -> date | None:
    number = int(value or 0)
    if number <= 0:
        return None
    return date(number // 10000, number // 100 % 100, number % 100)


def chunk_metadata(brief: Brief, chunk: Chunk, chunk_count: int) -> dict[str, str | int]:
    # Chroma metadata values cannot be None: empty strings and 0 stand for "unknown".
    return {
        "brief_id": brief.id,
        "chunk_index": chunk.index,
        "chunk_count": chunk_count,
        "start": chunk.start,
        "end": chunk.end,
        "title": brief.title,
        "source": brief.source,
        "url": brief.url or "",
        "published": date_int(brief.published),
        "lang": brief.lang,
        "tags": "\x1f".join(brief.tags),
        "place": brief.place or "",
        "scope": brief.scope,
        "origin": brief.origin,
        "content_hash": brief.content_hash(),
    }


def brief_info(meta: dict[str, Any]) -> BriefInfo:
    tags = str(meta.get("tags") or "")
    return BriefInfo(
        id=str(meta["brief_id"]),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        url=str(meta.get("url") or "") or None,
        published=int_date(meta.get("published")),
        lang=str(meta.get("lang", "und")),
        scope=str(meta.get("scope", "")),
        origin=str(meta.get("origin", "")),
        content_hash=str(meta.get("content_hash", "")),
        chunk_count=int(meta.get("chunk_count", 0)),
        tags=tuple(tags.split("\x1f")) if tags else (),
    )


def passage(
    chunk_id: str,
    text: str,
    meta: dict[str, Any],
    *,
    score: float = 0.0,
    dense_score: float | None = None,
    keyword_score: float | None = None,
) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        brief=brief_info(meta),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        chunk_index=int(meta.get("chunk_index", 0)),
        score=score,
        dense_score=dense_score,
        keyword_score=keyword_score,
    )


def where_clause(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The Chroma `where` equivalent of `filters` (the keyword leg applies the same rules in memory)."""
    if filters is None or filters.is_empty():
        return None
    parts: list[dict[str, Any]] = []
    if filters.since:
        parts.append({"published": {"$gte": date_int(filters.since)}})
    if filters.until:
        parts.append({"published": {"$lte": date_int(filters.until)}})
        parts.append({"published": {"$gt": 0}})
    if filters.sources:
        parts.append({"source": {"$in": list(filters.sources)}})
    if filters.langs:
        parts.append({"lang": {"$in": list(filters.langs)}})
    if filters.brief_ids:
        parts.append({"brief_id": {"$in": list(filters.brief_ids)}})
    return parts[0] if len(parts) == 1 else {"$and": parts}
