"""UTF-16 and UTF-32 files (with or without a byte-order mark) load as text; real binaries are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.briefs import to_briefs
from ingest.loaders.files import load_path

TEXT = (
    "JAKARTA (Reuters) - Bank Indonesia menahan suku bunga acuan pada 17 Juli 2025. "
    "Gubernur Perry Warjiyo mengatakan rupiah tetap stabil — inflasi terkendali.\n"
)


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8-sig"]
)
def test_wide_unicode_text_loads(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "bi.txt").write_bytes(TEXT.encode(encoding))
    briefs, failed = to_briefs(load_path(str(tmp_path), max_file_bytes=100_000), scope="t")
    assert failed == []
    assert briefs[0].text.startswith("Bank Indonesia menahan suku bunga")
    assert "stabil - inflasi" in briefs[0].text or "stabil — inflasi" in briefs[0].text
    assert briefs[0].source == "Reuters"


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n" + os.urandom(4000), bytes(range(256)) * 16, b"\x00" * 2000]
)
def test_binaries_are_still_refused(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "photo.txt").write_bytes(data)
    briefs, failed = to_briefs(load_path(str(tmp_path), max_file_bytes=100_000), scope="t")
    assert briefs == []
    assert [why for _, why in failed] == ["binary file, not text"]
