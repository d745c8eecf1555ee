"""What every loader hands to the cleaning step: raw documents plus the inputs it had to skip."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LoadError(Exception):
    """A file, record or URL that cannot be ingested; the message is the reason shown to the curator."""


@dataclass
class RawDoc:
    """One document as found, before cleaning: its text and whatever metadata came with it."""

    text: str
    origin: str
    """Where it came from, for operators: the path as given on the command line, or the URL."""
    key: str
    """Stable locator used for the id when the document has none: path relative to the source root, or URL."""
    explicit_id: str | None = None
    """An id the document carries itself (front matter `id`, a record's `id`/`_id`)."""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: Any = None
    """Raw publication date from metadata (string, date or datetime); parsed during cleaning."""
    lang: str | None = None
    tags: tuple[str, ...] = ()
    scraped: bool = True
    """Scraped text gets the header and line-break repairs; curated formats are kept as is."""


@dataclass
class LoadResult:
    docs: list[RawDoc] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Left out on purpose (a link out of the source folder), with the reason; not a failure."""

    def extend(self, other: LoadResult) -> None:
        self.docs += other.docs
        self.failed += other.failed
        self.skipped += other.skipped


def as_text(value: Any) -> str | None:
    """A metadata value as a stripped string, or None when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_tags(value: Any) -> tuple[str, ...]:
    """Tags given as a list or as a comma-separated string."""
    if value is None:
        return ()
    items = (
        value.split(",") if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    )
    return tuple(t for t in (str(i).strip() for i in items) if t)
