"""Load a folder (recursively) or a single file, dispatching on the file extension."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from ingest.loaders.base import LoadError, LoadResult, RawDoc
from ingest.loaders.decoding import read_text
from ingest.loaders.documents import parse_html, parse_markdown, parse_plain
from ingest.loaders.records import parse_json, parse_jsonl
from ingest.loaders.walk import walk

logger = logging.getLogger(__name__)

_SingleParser = Callable[..., RawDoc]
_MultiParser = Callable[..., LoadResult]

_SINGLE: dict[str, _SingleParser] = {
    ".txt": parse_plain,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
}
_MULTI: dict[str, _MultiParser] = {".json": parse_json, ".jsonl": parse_jsonl}
SUPPORTED_SUFFIXES = tuple(sorted([*_SINGLE, *_MULTI]))


def load_path(
    source: str, *, max_file_bytes: int, label: str | None = None, follow_links: bool = False
) -> LoadResult:
    """Every supported file under `source`; ids are paths relative to it (moving the tree keeps them).

    Origins are `<label>/<relative path>`; the label defaults to `source` as given. Symbolic links that
    leave the folder are skipped unless `follow_links` (see `ingest.loaders.walk`).
    """
    root = Path(source)
    label = label or source
    if root.is_file():
        return load_file(root, root.parent, origin=label, max_file_bytes=max_file_bytes)
    if not root.is_dir():
        raise LoadError("no such file or folder")

    def origin(path: Path) -> str:
        return (PurePosixPath(label) / path.relative_to(root).as_posix()).as_posix()

    found = walk(root, follow_links=follow_links)
    result = LoadResult(
        failed=[(origin(p), why) for p, why in found.failed],
        skipped=[(origin(p), why) for p, why in found.skipped],
    )
    for path in found.files:
        if path.stem.upper() == "README":
            continue  # a folder's README describes the folder; it is not a brief
        result.extend(load_file(path, root, origin=origin(path), max_file_bytes=max_file_bytes))
    return result


def load_file(path: Path, root: Path, *, origin: str, max_file_bytes: int) -> LoadResult:
    """One file; any problem becomes a `failed` entry instead of an exception."""
    suffix = path.suffix.lower()
    key = path.relative_to(root).as_posix()
    if suffix not in _SINGLE and suffix not in _MULTI:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        return LoadResult(failed=[(origin, f"unsupported file type '{suffix or path.name}' ({supported})")])
    try:
        text = read_text(path, max_file_bytes)
        if suffix in _MULTI:
            return _MULTI[suffix](text, origin=origin, key=key)
        return LoadResult(docs=[_SINGLE[suffix](text, origin=origin, key=key)])
    except LoadError as exc:
        logger.info("skipped file=%s reason=%s", origin, exc)
        return LoadResult(failed=[(origin, str(exc))])
