"""RSS/Atom feeds and single article URLs: each entry's article page is fetched and its main text kept."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import feedparser
import trafilatura

from ingest.dates import parse_date_value
from ingest.loaders.base import LoadError, LoadResult, RawDoc, as_tags, as_text
from ingest.loaders.documents import parse_html
from ingest.loaders.web import INVALID_URL, Fetched, Fetcher, is_valid_url

logger = logging.getLogger(__name__)


def load_url(url: str, fetcher: Fetcher) -> LoadResult:
    """A feed (every entry becomes a brief) or an article page (one brief), decided by what the URL serves.

    Raises LoadError when the URL itself cannot be used; a bad entry of a good feed is only reported.
    """
    fetched = fetcher.get(url)
    if fetched.is_feed():
        return load_feed(fetched, fetcher)
    return LoadResult(docs=[parse_html_bytes(fetched, origin=url)])


def load_feed(fetched: Fetched, fetcher: Fetcher) -> LoadResult:
    feed = feedparser.parse(fetched.content)
    if not feed.entries:
        if feed.bozo:
            raise LoadError(f"not a readable RSS/Atom feed ({feed.bozo_exception})")
        raise LoadError("the feed has no entries")
    publisher = as_text(feed.feed.get("title"))
    result = LoadResult()
    for number, entry in enumerate(feed.entries, start=1):
        link = as_text(entry.get("link"))
        if not link:
            result.failed.append((f"{fetched.url} entry {number}", "entry has no link"))
            continue
        if not is_valid_url(link):
            # Not even the summary is kept: its id and citation would be the broken link.
            result.failed.append((link, f"entry link is {INVALID_URL}"))
            continue
        try:
            result.docs.append(_entry_doc(entry, link, publisher, fetcher))
        except LoadError as exc:
            result.failed.append((link, str(exc)))
    return result


def parse_html_bytes(fetched: Fetched, *, origin: str) -> RawDoc:
    # trafilatura reads the page's own charset declaration from bytes; decoding here could guess wrong.
    return parse_html(fetched.content, origin=origin, key=origin, url=fetched.url)


def _entry_doc(entry: Any, link: str, publisher: str | None, fetcher: Fetcher) -> RawDoc:
    """The linked article when it can be fetched and read, else the feed's own summary of it."""
    published = _entry_date(entry)
    try:
        doc = parse_html_bytes(fetcher.get(link), origin=link)
    except LoadError as exc:
        summary = _entry_summary(entry)
        if not summary:
            raise LoadError(f"article unavailable ({exc}) and the feed entry has no summary") from exc
        logger.info("using feed summary url=%s reason=%s", link, exc)
        doc = RawDoc(text=summary, origin=link, key=link, url=link, scraped=False)
    doc.title = as_text(entry.get("title")) or doc.title
    doc.source = publisher or doc.source
    doc.published = published or doc.published
    doc.tags = doc.tags or as_tags([t.get("term") for t in entry.get("tags", []) if t.get("term")])
    doc.key = link
    doc.url = doc.url or link
    return doc


def _entry_summary(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    html = "\n".join(c for c in contents if c)
    if not html.strip():
        return ""
    return str(trafilatura.html2txt(f"<html><body>{html}</body></html>") or "").strip()


def _entry_date(entry: Any) -> date | None:
    # The date as the publisher wrote it (their local day); feedparser's parsed form is shifted to UTC.
    written = parse_date_value(entry.get("published") or entry.get("updated"))
    if written:
        return written
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None
