"""JSON and JSON Lines records: one brief per record, so a BEIR `corpus.jsonl` ingests as it is."""

from __future__ import annotations

import json
import logging
from typing import Any

from ingest.loaders.base import LoadError, LoadResult, RawDoc, as_tags, as_text

logger = logging.getLogger(__name__)

_TEXT_FIELDS = ("text", "content", "body")


def parse_jsonl(text: str, *, origin: str, key: str) -> LoadResult:
    """One record per line; a bad line is reported with its number and the other lines still load."""
    result = LoadResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            result.failed.append((where, f"line {number} is not valid JSON ({exc.msg})"))
            continue
        except (ValueError, RecursionError) as exc:
            result.failed.append((where, f"line {number} {_beyond_limits(exc)}"))
            continue
        _add_record(result, value, origin=origin, where=where, fallback_key=f"{key}:{number}")
    if not result.docs and not result.failed:
        raise LoadError("no records in the file")
    return result


def parse_json(text: str, *, origin: str, key: str) -> LoadResult:
    """A single record, a list of records, or an object holding the list under `records`/`items`/`data`."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except (ValueError, RecursionError) as exc:
        raise LoadError(f"the file {_beyond_limits(exc)}") from exc
    if isinstance(value, dict) and not any(f in value for f in _TEXT_FIELDS):
        value = next(
            (value[k] for k in ("records", "items", "data") if isinstance(value.get(k), list)), value
        )
    records = value if isinstance(value, list) else [value]
    result = LoadResult()
    for number, record in enumerate(records, start=1):
        where = f"{origin}[{number}]" if isinstance(value, list) else origin
        _add_record(result, record, origin=origin, where=where, fallback_key=f"{key}:{number}")
    if not result.docs and not result.failed:
        raise LoadError("no records in the file")
    return result


def _beyond_limits(exc: Exception) -> str:
    # Valid JSON that Python still refuses: an integer over 4,300 digits, or nesting deeper than the
    # recursion limit. Reported like any bad record, so one odd file cannot stop the whole run.
    what = "nests too deeply" if isinstance(exc, RecursionError) else "holds a number too long"
    return f"cannot be read: its JSON {what}"


def _add_record(result: LoadResult, value: Any, *, origin: str, where: str, fallback_key: str) -> None:
    try:
        result.docs.append(record_to_doc(value, origin=origin, fallback_key=fallback_key))
    except LoadError as exc:
        result.failed.append((where, str(exc)))


def record_to_doc(value: Any, *, origin: str, fallback_key: str) -> RawDoc:
    if not isinstance(value, dict):
        raise LoadError("record is not a JSON object")
    text = next((value[f] for f in _TEXT_FIELDS if isinstance(value.get(f), str) and value[f].strip()), None)
    if text is None:
        raise LoadError("record has no text (expected a 'text', 'content' or 'body' field)")
    url = as_text(value.get("url"))
    return RawDoc(
        text=text,
        origin=origin,
        key=url or fallback_key,
        explicit_id=as_text(value.get("id", value.get("_id"))),
        title=as_text(value.get("title")),
        source=as_text(value.get("source") or value.get("publisher")),
        url=url,
        published=value.get("published") or value.get("date"),
        lang=as_text(value.get("lang") or value.get("language")),
        tags=as_tags(value.get("tags")),
        scraped=False,
    )
