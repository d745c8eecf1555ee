"""Logging for every briefbot process: plain text or one JSON object per line, with secrets scrubbed.

Called once from each `__main__` (`configure_logging(settings.log_level, settings.log_format, secrets=...)`).
A package of its own, importing nothing of briefbot: every front end (`bot`, `ingest`, `store`'s CLI) reaches
it, and none of them owns it (tests/test_import_graph.py).
Structured facts go in `extra=`, e.g. `logger.info("answered", extra={"seconds": 0.41, "retrieve_s": 0.12})`:
the JSON format emits them as fields, the text format appends them as key=value.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Telegram bot tokens ("123456789:AA...") also appear inside Bot API URLs, e.g. /bot<token>/getMe.
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"']+")
REDACTED = "<redacted>"
# Libraries that log request URLs (which carry the bot token) at INFO.
_CHATTY = (
    "httpx",
    "httpcore",
    "telegram.ext.Updater",
    "chromadb",
    "bm25s",
    "trafilatura",
    "htmldate",
    "charset_normalizer",
    "urllib3",
    "openai",
)
_MARK = "_briefbot_handler"


class Redactor(logging.Filter):
    """Replace known secret values and anything shaped like a bot token or bearer header."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is removed whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _BOT_TOKEN.sub(REDACTED, text)
        return _BEARER.sub(lambda m: m.group(1) + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        # Render once with the arguments, then freeze the scrubbed text so no formatter sees the raw values.
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        for key in _extras(record):
            value = getattr(record, key)
            if isinstance(value, str):
                setattr(record, key, self.scrub(value))
        return True


def _extras(record: logging.LogRecord) -> list[str]:
    return [key for key in vars(record) if key not in _STANDARD and not key.startswith("_")]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _extras(record):
            entry[key] = getattr(record, key)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        facts = " ".join(f"{key}={getattr(record, key)}" for key in _extras(record))
        if not facts:
            return line
        head, sep, tail = line.partition("\n")
        return f"{head} {facts}{sep}{tail}"


def _route_uncaught_exceptions() -> None:
    """Exceptions nobody caught, in any thread, go through the handler above (formatter and scrubber)
    rather than straight to stderr as a raw traceback."""
    uncaught = logging.getLogger("briefbot.uncaught")

    def in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "?"
        uncaught.error(
            "uncaught exception thread=%s error=%s",
            name,
            args.exc_type.__name__,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    def in_main(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        uncaught.error("uncaught exception error=%s", kind.__name__, exc_info=(kind, value, tb))

    threading.excepthook = in_thread
    sys.excepthook = in_main


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Install one root handler (replacing a previous one of ours) and return it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    # On the handler too: some libraries (bm25s) set their own loggers to DEBUG when first imported.
    handler.setLevel(level)
    setattr(handler, _MARK, True)
    handler.addFilter(Redactor(secrets))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    _route_uncaught_exceptions()
    for name in _CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
