"""Brief ids and sync scopes stay the same however a source is spelled or wherever the repo lives."""

from __future__ import annotations

from pathlib import Path

from ingest.ids import brief_id, normalise_source
from ingest.loaders.base import RawDoc


def test_scope_ignores_spelling_of_the_same_folder(tmp_path: Path) -> None:
    spellings = ["data/briefs", "data/briefs/", "./data/briefs", str(tmp_path / "data" / "briefs")]
    assert {normalise_source(s, cwd=tmp_path) for s in spellings} == {"data/briefs"}


def test_scope_outside_the_working_folder_is_absolute(tmp_path: Path) -> None:
    assert normalise_source("/srv/briefs/", cwd=tmp_path) == "/srv/briefs"


def test_url_scope_is_normalised() -> None:
    assert normalise_source("HTTPS://News.Example/feed/#latest") == "https://news.example/feed"


def test_ids_prefer_own_id_then_url_then_relative_path() -> None:
    assert brief_id(RawDoc(text="t", origin="/abs/x.md", key="x.md", explicit_id="qris-50m")) == "qris-50m"
    assert brief_id(RawDoc(text="t", origin="u", key="https://A.example/p/#c")) == "https://a.example/p"
    assert brief_id(RawDoc(text="t", origin="/abs/root/sub/x.md", key="sub/x.md")) == "sub/x.md"


def test_ids_never_contain_the_chunk_separator() -> None:
    assert "#" not in brief_id(RawDoc(text="t", origin="o", key="k", explicit_id="doc#1"))
