"""A citation with every field of its brief filled in, for tests of what the records keep."""

from __future__ import annotations

from typing import Any

from bot.answering.types import Citation
from store.types import BriefInfo, Passage


def cited(number: int, quote: str, **brief: Any) -> Citation:
    info = BriefInfo(
        id=f"b{number}",
        title=f"Judul <{number}> & co",
        source="ZONA GADGET",
        url=brief.get("url"),
        published=brief.get("published"),
        lang="id",
        scope="data/briefs",
        origin="data/briefs/x.md",
        content_hash="abc",
        chunk_count=4,
        tags=("telko", "5G"),
    )
    text = f"Sebelumnya. {quote} Sesudahnya 😀."
    passage = Passage(f"b{number}#2", info, text, 100, 100 + len(text), 2, 0.031, 0.87, None)
    return Citation(number, passage, quote, text.index(quote))
