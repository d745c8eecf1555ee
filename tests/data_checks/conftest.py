"""Fixtures for the bundled data checks: the sample briefs and the question sets, parsed once per session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import pytest

REPO = Path(__file__).resolve().parents[2]
BRIEFS_DIR = REPO / "data" / "briefs"
SAMPLE_QUESTIONS = REPO / "eval" / "data" / "sample_questions.jsonl"
FACQA_QUESTIONS = REPO / "eval" / "data" / "facqa_en_questions.jsonl"
# The FacQA set lives beside the repository and is never copied into it; checks that need it skip without it.
FACQA_DIR = REPO.parent / "shared" / "data" / "facqa"


@dataclass(frozen=True)
class SampleBrief:
    path: Path
    meta: dict[str, Any]
    body: str


def brief_paths() -> list[Path]:
    """Every brief file; the folder's README is documentation, not a brief."""
    return sorted(p for p in BRIEFS_DIR.glob("*.md") if p.name != "README.md")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name} line {number} is not valid JSON: {exc}")
        assert isinstance(row, dict), f"{path.name} line {number} is not a JSON object"
        rows.append(row)
    return rows


@pytest.fixture(scope="session")
def sample_briefs() -> list[SampleBrief]:
    briefs = []
    for path in brief_paths():
        post = frontmatter.load(str(path))
        briefs.append(SampleBrief(path=path, meta=dict(post.metadata), body=post.content))
    return briefs


@pytest.fixture(scope="session")
def brief_ids(sample_briefs: list[SampleBrief]) -> set[str]:
    return {str(b.meta.get("id")) for b in sample_briefs}


@pytest.fixture(scope="session")
def sample_questions() -> list[dict[str, Any]]:
    return read_jsonl(SAMPLE_QUESTIONS)


@pytest.fixture(scope="session")
def facqa_questions() -> list[dict[str, Any]]:
    return read_jsonl(FACQA_QUESTIONS)
