"""The bundled sample collection and question sets are well-formed, so demos and evals stand on solid data."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import frontmatter
import pytest

from ingest.briefs import to_briefs
from ingest.loaders.files import load_path
from store.language import detect_language
from tests.data_checks.sample_data import BRIEFS_DIR, FACQA_DIR, SampleBrief, brief_paths

FILE_NAME = re.compile(r"^(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
TEXT_FIELDS = ("id", "title", "source", "url")


@pytest.mark.parametrize("path", brief_paths(), ids=lambda p: p.name)
def test_brief_front_matter_is_complete_and_typed(path: Path) -> None:
    post = frontmatter.load(str(path))
    meta = post.metadata
    for name in TEXT_FIELDS:
        assert isinstance(meta.get(name), str) and meta[name].strip(), (
            f"{path.name}: `{name}` missing or empty"
        )
    # YAML turns an unquoted YYYY-MM-DD into a date; a quoted or malformed one stays a string.
    assert type(meta.get("published")) is date, f"{path.name}: `published` is not a YYYY-MM-DD date"
    assert date(2024, 1, 1) <= meta["published"] <= date(2026, 12, 31), f"{path.name}: date outside 2024-2026"
    assert meta.get("lang") in {"id", "en"}, f"{path.name}: `lang` must be id or en"
    tags = meta.get("tags")
    assert isinstance(tags, list) and tags, f"{path.name}: `tags` must be a non-empty list"
    assert all(isinstance(t, str) and t for t in tags), f"{path.name}: every tag must be a non-empty string"
    assert str(meta["url"]).startswith("https://"), f"{path.name}: url must be https"


@pytest.mark.parametrize("path", brief_paths(), ids=lambda p: p.name)
def test_brief_file_name_carries_its_id_and_body_is_a_real_brief(path: Path) -> None:
    match = FILE_NAME.match(path.name)
    assert match, f"{path.name}: expected NNN-short-slug.md"
    post = frontmatter.load(str(path))
    assert post.metadata.get("id") == match.group(2), f"{path.name}: id must equal the slug in the file name"
    words = len(post.content.split())
    assert 100 <= words <= 500, f"{path.name}: body has {words} words, expected 100-500"
    assert "---" not in post.content, f"{path.name}: stray front-matter fence in the body"


def test_collection_is_large_unique_and_bilingual(sample_briefs: list[SampleBrief]) -> None:
    assert len(sample_briefs) >= 40
    for field in ("id", "url"):
        counts = Counter(str(b.meta.get(field)) for b in sample_briefs)
        duplicates = [value for value, n in counts.items() if n > 1]
        assert not duplicates, f"duplicate {field}s: {duplicates}"
    numbers = Counter(b.path.name[:3] for b in sample_briefs)
    assert all(n == 1 for n in numbers.values()), "two briefs share a file number"
    share_id = sum(b.meta.get("lang") == "id" for b in sample_briefs) / len(sample_briefs)
    assert 0.4 <= share_id <= 0.6, f"Indonesian share is {share_id:.0%}, expected roughly half"
    years = {b.meta["published"].year for b in sample_briefs}
    assert years == {2024, 2025, 2026}, f"dates should spread over 2024-2026, got {sorted(years)}"


def test_openai_scale_ai_story_has_several_sources(sample_briefs: list[SampleBrief]) -> None:
    story = [b for b in sample_briefs if "scale-ai" in b.meta.get("tags", [])]
    assert len(story) >= 6
    assert {b.meta["lang"] for b in story} == {"id", "en"}
    assert len({b.meta["published"] for b in story}) >= 4, "the story should be told on different dates"
    bodies = " ".join(b.body for b in story)
    for fact in (
        "14,3 miliar",
        "14.3 billion",
        "49%",
        "Jason Droege",
        "superintelligence",
        "six to twelve months",
    ):
        assert fact in bodies, f"no Scale AI brief states {fact!r}"


def test_sample_questions_are_well_formed(
    sample_questions: list[dict[str, Any]], brief_ids: set[str]
) -> None:
    assert len(sample_questions) >= 40
    ids = [q.get("id") for q in sample_questions]
    assert len(ids) == len(set(ids)), "question ids must be unique"
    for q in sample_questions:
        assert set(q) == {"id", "question", "lang", "expected_briefs", "answerable"}, q
        assert isinstance(q["question"], str) and q["question"].strip(), q
        assert q["lang"] in {"id", "en"}, q
        assert isinstance(q["answerable"], bool), q
        unknown = set(q["expected_briefs"]) - brief_ids
        assert not unknown, f"{q['id']} expects briefs that do not exist: {sorted(unknown)}"
        assert bool(q["expected_briefs"]) == q["answerable"], f"{q['id']}: answerable iff it names briefs"


def test_sample_questions_cover_abstention_and_both_languages(
    sample_questions: list[dict[str, Any]], sample_briefs: list[SampleBrief]
) -> None:
    assert sum(not q["answerable"] for q in sample_questions) >= 12
    assert {q["lang"] for q in sample_questions} == {"id", "en"}
    lang_of = {b.meta["id"]: b.meta["lang"] for b in sample_briefs}
    crossing = [q for q in sample_questions if any(lang_of[b] != q["lang"] for b in q["expected_briefs"])]
    assert len(crossing) >= 8, "too few questions asked in the other language than their briefs"
    texts = {q["question"].strip().lower() for q in sample_questions}
    assert "why did openai leave scale ai?" in texts


def test_facqa_question_file_is_well_formed(facqa_questions: list[dict[str, Any]]) -> None:
    assert len(facqa_questions) >= 50
    ids = [q.get("_id") for q in facqa_questions]
    assert len(ids) == len(set(ids)), "question ids must be unique"
    for q in facqa_questions:
        assert set(q) == {"_id", "text", "corpus_id", "source_query_id", "split"}, q
        assert q["split"] in {"train", "valid"}, f"{q['_id']}: only train/valid passages may be used"
        assert isinstance(q["text"], str) and q["text"].rstrip().endswith("?"), q
        assert re.fullmatch(r"[0-9a-f]{12}", q["corpus_id"]), q


def _load_facqa() -> tuple[dict[str, str], dict[str, dict[str, Any]], dict[str, str]]:
    if not FACQA_DIR.is_dir():
        pytest.skip(f"FacQA not available at {FACQA_DIR}")
    corpus = {}
    with (FACQA_DIR / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            corpus[row["_id"]] = row["text"]
    with (FACQA_DIR / "queries.jsonl").open(encoding="utf-8") as handle:
        queries = {row["_id"]: row for row in map(json.loads, handle)}
    qrels = {}
    for line in (FACQA_DIR / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        query_id, corpus_id, _ = line.split("\t")
        qrels[query_id] = corpus_id
    return corpus, queries, qrels


def test_facqa_questions_point_at_train_or_valid_passages(facqa_questions: list[dict[str, Any]]) -> None:
    corpus, queries, qrels = _load_facqa()
    test_passages = {qrels[qid] for qid, q in queries.items() if q["split"] == "test"}
    for q in facqa_questions:
        assert q["corpus_id"] in corpus, f"{q['_id']}: unknown passage {q['corpus_id']}"
        assert q["corpus_id"] not in test_passages, f"{q['_id']}: passage is also used by the test split"
        source = queries.get(q["source_query_id"])
        assert source is not None, f"{q['_id']}: unknown source query"
        assert source["split"] == q["split"], f"{q['_id']}: split differs from its source query"
        assert qrels[q["source_query_id"]] == q["corpus_id"], f"{q['_id']}: passage differs from the qrels"
        # Answers in FacQA are spans of the passage; an English question must not just repeat the passage.
        assert q["text"].lower() not in corpus[q["corpus_id"]].lower()


def test_collection_ingests_cleanly_with_its_own_metadata(sample_briefs: list[SampleBrief]) -> None:
    """What `python -m ingest data/briefs` loads: every brief, nothing else, metadata as written."""

    briefs, failed = to_briefs(load_path(str(BRIEFS_DIR), max_file_bytes=1_000_000), scope="data/briefs")
    assert failed == []
    loaded = {b.id: b for b in briefs}
    assert set(loaded) == {b.meta["id"] for b in sample_briefs}, "README or a stray file became a brief"
    for sample in sample_briefs:
        brief = loaded[sample.meta["id"]]
        assert (brief.title, brief.source, brief.lang) == (
            sample.meta["title"],
            sample.meta["source"],
            sample.meta["lang"],
        )
        assert brief.published == sample.meta["published"]


def test_declared_language_matches_the_text(sample_briefs: list[SampleBrief]) -> None:
    wrong = [b.path.name for b in sample_briefs if detect_language(b.body) != b.meta["lang"]]
    assert not wrong, f"declared lang disagrees with the text: {wrong}"
