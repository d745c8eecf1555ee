"""An answer's citations as JSON, so "Show passages" still works after the process that answered is gone.

Everything a citation holds (the passage with its brief's metadata and the quoted span) is written out, so
what is read back is the same `Citation`, not a lookalike; the store may since have changed or dropped the
brief. `loads` raises `ValueError` on anything it did not write itself.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.answering.types import Citation
from store.types import BriefInfo, Passage

_VERSION = 1


def dumps(citations: Sequence[Citation]) -> str:
    records = [dataclasses.asdict(c) for c in citations]
    return json.dumps({"v": _VERSION, "citations": records}, ensure_ascii=False, default=_iso_date)


def _iso_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot save {type(value).__name__} in a citation record")


def loads(text: str) -> list[Citation]:
    """The citations `dumps` wrote; `ValueError` when the text is not such a record."""
    try:
        data = json.loads(text)
        if data["v"] != _VERSION:
            raise ValueError(f"unknown citation record version {data['v']!r}")
        return [_from_dict(item) for item in data["citations"]]
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a citation record: {exc!r}") from exc


def _from_dict(item: dict[str, Any]) -> Citation:
    b = item["passage"]["brief"]
    brief = BriefInfo(
        id=str(b["id"]),
        title=str(b["title"]),
        source=str(b["source"]),
        url=None if b["url"] is None else str(b["url"]),
        published=None if b["published"] is None else date.fromisoformat(b["published"]),
        lang=str(b["lang"]),
        scope=str(b["scope"]),
        origin=str(b["origin"]),
        content_hash=str(b["content_hash"]),
        chunk_count=int(b["chunk_count"]),
        tags=tuple(str(t) for t in b["tags"]),
    )
    p = item["passage"]
    passage = Passage(
        chunk_id=str(p["chunk_id"]),
        brief=brief,
        text=str(p["text"]),
        start=int(p["start"]),
        end=int(p["end"]),
        chunk_index=int(p["chunk_index"]),
        score=float(p["score"]),
        dense_score=None if p["dense_score"] is None else float(p["dense_score"]),
        keyword_score=None if p["keyword_score"] is None else float(p["keyword_score"]),
    )
    return Citation(
        number=int(item["number"]),
        passage=passage,
        quote=str(item["quote"]),
        quote_start=int(item["quote_start"]),
    )
