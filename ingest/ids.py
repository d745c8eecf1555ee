"""Stable brief ids and sync scopes, so re-running on the same input never creates duplicates.

Ids never contain absolute paths: a brief found at `<source>/energy/pln.md` is `energy/pln.md` wherever the
repository lives. `#` is reserved as the separator of chunk ids (`<brief>#<n>`), so it never appears in an id.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ingest.loaders.base import RawDoc


def is_url(source: str) -> bool:
    # A prefix test rather than `urlsplit`, which raises on a malformed URL ("http://[::1"); the fetch
    # reports those.
    return source.strip().lower().startswith(("http://", "https://"))


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no trailing slash on the path: one spelling per page."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # unparseable: kept as given, and the fetch reports it
        return url.strip()
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def normalise_source(source: str, cwd: Path | None = None) -> str:
    """The scope string of a source argument: `data/briefs/`, `./data/briefs` and its absolute path agree."""
    if is_url(source):
        return normalise_url(source)
    base = (cwd or Path.cwd()).resolve()
    resolved = Path(os.path.abspath(base / source))
    try:
        return resolved.relative_to(base).as_posix() or "."
    except ValueError:
        return resolved.as_posix()


def brief_id(doc: RawDoc) -> str:
    """The document's own id when it has one, else its URL, else its path relative to the source root."""
    if doc.explicit_id:
        raw = doc.explicit_id
    elif is_url(doc.key):
        raw = normalise_url(doc.key)
    else:
        raw = doc.key
    return raw.strip().replace("#", "%23")
