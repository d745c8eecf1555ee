"""Logging for the ingestion job: stderr only (stdout belongs to the JSON progress lines), secrets masked."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable

from ingest.settings import IngestSettings

# Libraries that log every request or parse step at INFO; their detail is noise in an ingestion log.
_CHATTY = (
    "bm25s",
    "httpx",
    "httpcore",
    "chromadb",
    "trafilatura",
    "htmldate",
    "charset_normalizer",
    "urllib3",
)


_MARK = "_briefbot_ingest"


class _Redact(logging.Filter):
    """Replace any configured secret that slipped into a message (a URL with a token, an error text)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(settings: IngestSettings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # On the handler too: some libraries (bm25s) set their own logger to DEBUG when first imported.
    handler.setLevel(settings.log_level)
    embedding = settings.store.embedding
    secrets = [
        s.get_secret_value() for s in (settings.store.chroma_token, embedding.api_key) if s is not None
    ]
    handler.addFilter(_Redact(secrets))
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # Replace only a handler installed by an earlier call (scheduled passes, tests), never someone else's.
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
