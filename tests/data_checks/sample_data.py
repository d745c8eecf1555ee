"""Where the bundled data lives and how the checks read it; shared by fixtures and parametrised tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
