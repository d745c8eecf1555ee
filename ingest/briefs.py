"""Turn raw loaded documents into clean `Brief`s: repaired text, metadata filled in, stable id."""

from __future__ import annotations

import logging

from ingest.cleaning import Header, clean_scraped, normalise
from ingest.dates import find_date, parse_date_value
from ingest.ids import brief_id, normalise_url
from ingest.loaders.base import LoadError, LoadResult, RawDoc
from ingest.titles import derive_title
from store.language import detect_language
from store.types import Brief

logger = logging.getLogger(__name__)

_KNOWN_LANGS = {"id", "en"}
# Below this many letters a "brief" is a stub (a caption, a broken scrape) that answers nothing.
_MIN_TEXT_CHARS = 20


def to_brief(doc: RawDoc, scope: str) -> Brief:
    """Clean one document; raise LoadError when nothing usable is left."""
    if doc.scraped:
        header, text = clean_scraped(doc.text)
    else:
        header, text = Header(), normalise(doc.text)
    if len(text) < _MIN_TEXT_CHARS:
        raise LoadError(f"too little text ({len(text)} characters)")
    published = parse_date_value(doc.published)
    if published is None and doc.published:
        logger.info("unreadable date origin=%s value=%r; looking in the text", doc.origin, doc.published)
    if published is None:
        # The dateline is the publication date; a date further down may be an event date.
        published = find_date(header.text) or find_date(text)
    return Brief(
        id=brief_id(doc),
        title=normalise(doc.title) if doc.title else derive_title(text),
        text=text,
        source=doc.source or header.source or "",
        url=normalise_url(doc.url) if doc.url else None,
        published=published,
        lang=_language(doc.lang, text),
        tags=doc.tags,
        place=header.place,
        scope=scope,
        origin=doc.origin,
    )


def to_briefs(loaded: LoadResult, scope: str) -> tuple[list[Brief], list[tuple[str, str]]]:
    """All documents of one source as briefs; bad ones and duplicate ids go to the failures."""
    briefs: list[Brief] = []
    failed = list(loaded.failed)
    seen: dict[str, str] = {}
    for doc in loaded.docs:
        try:
            brief = to_brief(doc, scope)
        except LoadError as exc:
            failed.append((doc.origin, str(exc)))
            continue
        if brief.id in seen:
            failed.append((doc.origin, f"duplicate id '{brief.id}' (already used by {seen[brief.id]})"))
            continue
        seen[brief.id] = doc.origin
        briefs.append(brief)
    return briefs, failed


def _language(declared: str | None, text: str) -> str:
    if declared:
        code = declared.strip().lower().replace("_", "-").split("-")[0]
        if code in _KNOWN_LANGS:
            return code
        code = {"ind": "id", "eng": "en", "indonesian": "id", "english": "en"}.get(code, code)
        if code in _KNOWN_LANGS:
            return code
    return detect_language(text)
