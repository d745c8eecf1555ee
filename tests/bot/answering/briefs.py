"""Sample briefs read straight from data/briefs, so the answer engine's tests do not depend on `ingest`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import frontmatter

from store.types import Brief

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "briefs"


def load_brief(path: Path) -> Brief:
    post = frontmatter.load(str(path))
    meta = post.metadata
    published = meta.get("published")
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return Brief(
        id=str(meta.get("id") or path.stem),
        title=str(meta.get("title", path.stem)),
        text=post.content.strip(),
        source=str(meta.get("source", "")),
        url=meta.get("url"),
        published=published if isinstance(published, date) else None,
        lang=str(meta.get("lang", "und")),
        tags=tuple(str(t) for t in meta.get("tags", ())),
        scope="data/briefs",
        origin=str(path),
    )


def sample_briefs(folder: Path = SAMPLE_DIR) -> list[Brief]:
    return [load_brief(p) for p in sorted(folder.glob("*.md"))]
