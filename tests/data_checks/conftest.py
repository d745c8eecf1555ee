"""Fixtures for the bundled data checks: the sample briefs and the question sets, parsed once per session."""

from __future__ import annotations

from typing import Any

import frontmatter
import pytest

from tests.data_checks.sample_data import (
    FACQA_QUESTIONS,
    SAMPLE_QUESTIONS,
    SampleBrief,
    brief_paths,
    read_jsonl,
)


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
