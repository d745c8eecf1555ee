"""Parse one document's text by format: plain text, Markdown with YAML front matter, HTML."""

from __future__ import annotations

import logging
from typing import Any

import frontmatter
import trafilatura
import yaml

from ingest.loaders.base import LoadError, RawDoc, as_tags, as_text

logger = logging.getLogger(__name__)


def parse_plain(text: str, *, origin: str, key: str) -> RawDoc:
    """Scraped text: everything (publisher, dateline, date, title) is recovered later by cleaning."""
    return RawDoc(text=text, origin=origin, key=key, scraped=True)


def parse_markdown(text: str, *, origin: str, key: str) -> RawDoc:
    """Markdown whose optional YAML front matter carries id, title, source, url, published, lang, tags."""
    try:
        meta, body = frontmatter.parse(text)
    except yaml.YAMLError as exc:
        raise LoadError(f"malformed front matter: {_yaml_problem(exc)}") from exc
    if not isinstance(meta, dict):
        raise LoadError("malformed front matter: expected 'key: value' lines")
    if not body.strip():
        raise LoadError("no text after the front matter")
    return RawDoc(
        text=body,
        origin=origin,
        key=key,
        explicit_id=as_text(meta.get("id")),
        title=as_text(meta.get("title")),
        source=as_text(meta.get("source") or meta.get("publisher")),
        url=as_text(meta.get("url")),
        published=meta.get("published") or meta.get("date"),
        lang=as_text(meta.get("lang") or meta.get("language")),
        tags=as_tags(meta.get("tags")),
        # A curator who wrote front matter has already said what the header would tell us.
        scraped=not meta,
    )


def parse_html(html: str | bytes, *, origin: str, key: str, url: str | None = None) -> RawDoc:
    """Main text and metadata of an article page, boilerplate (menus, footers) removed by trafilatura."""
    # No extensive date search: its last resort is the copyright year ("(c) 2025" -> 2025-01-01), which
    # would date a page that says nothing about when it was published.
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise LoadError("no article text found in the page")
    title = as_text(getattr(doc, "title", None))
    return RawDoc(
        text=_drop_repeated_title(text, title),
        origin=origin,
        key=key,
        title=title,
        source=as_text(getattr(doc, "sitename", None)) or as_text(getattr(doc, "hostname", None)),
        url=as_text(getattr(doc, "url", None)) or url,
        published=getattr(doc, "date", None),
        lang=as_text(getattr(doc, "language", None)),
        tags=as_tags(getattr(doc, "tags", None)),
        scraped=False,
    )


def _drop_repeated_title(text: str, title: str | None) -> str:
    """Pages usually repeat their <title> as the first heading; the brief keeps it once, as its title."""
    first, _, rest = text.lstrip().partition("\n")
    if title and first.strip() == title and rest.strip():
        return rest
    return text


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark: Any = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "not valid YAML"
    if mark is not None:
        # +2: the mark counts from 0 inside the front matter, which starts after the opening '---' line.
        return f"{problem} (line {mark.line + 2})"
    return str(problem)
