"""Fetching feeds and article pages over HTTP, with failures turned into curator-readable reasons."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType

import httpx

from ingest.loaders.base import LoadError

logger = logging.getLogger(__name__)

_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
)
_FEED_STARTS = (b"<rss", b"<feed", b"<rdf:rdf")


INVALID_URL = "not a valid web address"


def is_valid_url(url: str) -> bool:
    """False for a URL httpx refuses to even parse (a bad port, an unclosed bracket, control characters)."""
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return True


@dataclass(frozen=True)
class Fetched:
    url: str
    """Final URL after redirects."""
    content: bytes
    content_type: str

    def is_feed(self) -> bool:
        if any(self.content_type.startswith(t) for t in _FEED_TYPES):
            return True
        head = self.content[:512].lstrip().lower()
        if head.startswith(b"<?xml"):
            head = head[head.find(b"?>") + 2 :].lstrip()
            while head.startswith(b"<!--"):
                head = head[head.find(b"-->") + 3 :].lstrip()
        return head.startswith(_FEED_STARTS)


class Fetcher:
    """One HTTP client per ingestion run: shared connections, one timeout, one User-Agent."""

    def __init__(self, *, timeout: float, user_agent: str, max_bytes: int) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}, trust_env=False
        )

    def get(self, url: str) -> Fetched:
        """GET `url`; raise LoadError saying why it failed (timeout, HTTP status, network, too large)."""
        if not is_valid_url(url):
            raise LoadError(INVALID_URL)  # httpx would raise InvalidURL, which is no HTTPError
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise LoadError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                content = self._read_capped(response)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(str(response.url), content, content_type)
        except httpx.TimeoutException as exc:
            raise LoadError(f"no answer within {self._timeout:g} s (timeout)") from exc
        except httpx.HTTPError as exc:
            raise LoadError(f"could not fetch ({type(exc).__name__})") from exc

    def _read_capped(self, response: httpx.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise LoadError(f"response too large (over {self._max_bytes:,} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
