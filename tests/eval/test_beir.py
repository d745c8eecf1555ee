"""The BEIR reader on small folders written in each layout found in the wild."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.beir import BeirFormatError, load_beir


def _jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _jsonl(
        tmp_path / "corpus.jsonl",
        [
            {"_id": "d1", "text": "Bank Indonesia menahan suku bunga.", "title": "BI rate"},
            {"_id": 2, "text": "Nickel exports rose."},
        ],
    )
    _jsonl(
        tmp_path / "queries.jsonl",
        [
            {"_id": "q1", "text": "suku bunga?", "split": "train"},
            {"_id": "q2", "text": "nickel?", "split": "test"},
            {"_id": "q3", "text": "unjudged?", "split": "test"},
        ],
    )
    return tmp_path


def test_reads_corpus_queries_and_qrels_with_header(folder: Path) -> None:
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\t2\t2\n", encoding="utf-8")
    data = load_beir(folder)
    assert data.corpus["d1"].title == "BI rate"
    assert data.corpus["2"].text == "Nickel exports rose."  # numeric ids become strings, matching qrels
    assert data.qrels == {"q1": {"d1": 1}, "q2": {"2": 2}}
    assert [q.id for q in data.judged_queries()] == ["q1", "q2"]


def test_split_filters_queries_by_their_split_field(folder: Path) -> None:
    (folder / "qrels.tsv").write_text("q1\td1\t1\nq2\t2\t1\n", encoding="utf-8")  # no header
    data = load_beir(folder, split="test")
    assert set(data.queries) == {"q2", "q3"}
    assert [q.id for q in data.judged_queries()] == ["q2"]


def test_split_specific_files_are_preferred(folder: Path) -> None:
    _jsonl(folder / "queries-dev.jsonl", [{"_id": "qd", "text": "dev question"}])
    (folder / "qrels").mkdir()
    (folder / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nqd\td1\t1\n", encoding="utf-8")
    (folder / "qrels.tsv").write_text("q1\td1\t1\n", encoding="utf-8")
    data = load_beir(folder, split="dev")
    assert list(data.queries) == ["qd"]
    assert data.qrels == {"qd": {"d1": 1}}


def test_zero_grades_and_unknown_documents_do_not_count_as_relevant(folder: Path) -> None:
    (folder / "qrels-test.tsv").write_text("q2 0 2 0\nq3 0 gone 1\n", encoding="utf-8")  # TREC, spaces
    data = load_beir(folder, split="test")
    assert data.qrels == {"q3": {"gone": 1}}
    assert data.judged_queries() == []


def test_explicit_queries_file_replaces_the_folders(folder: Path, tmp_path: Path) -> None:
    (folder / "qrels.tsv").write_text("q1\td1\t1\nen1\t2\t1\n", encoding="utf-8")
    extra = tmp_path / "elsewhere" / "english.jsonl"
    _jsonl(extra, [{"_id": "en1", "text": "Which exports rose?"}])
    data = load_beir(folder, queries_file=extra)
    assert [q.id for q in data.judged_queries()] == ["en1"]


def test_broken_files_name_the_file_and_line(folder: Path) -> None:
    (folder / "qrels.tsv").write_text("q1\td1\t1\n", encoding="utf-8")
    with (folder / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"_id": "d3", "text": oops}\n')
    with pytest.raises(BeirFormatError, match=r"corpus\.jsonl:3"):
        load_beir(folder)


def test_missing_pieces_are_reported(tmp_path: Path) -> None:
    with pytest.raises(BeirFormatError, match=r"no corpus\.jsonl"):
        load_beir(tmp_path)
    _jsonl(tmp_path / "corpus.jsonl", [{"_id": "d", "text": "t"}])
    _jsonl(tmp_path / "queries.jsonl", [{"_id": "q", "text": "t"}])
    with pytest.raises(BeirFormatError, match="no judgements"):
        load_beir(tmp_path)
    (tmp_path / "qrels.tsv").write_text("q\td\tmaybe\nq\td\tnot-a-number\n", encoding="utf-8")
    with pytest.raises(BeirFormatError, match=r"qrels\.tsv:2"):
        load_beir(tmp_path)


def test_queries_that_name_their_passage_need_no_qrels_file(folder: Path, tmp_path: Path) -> None:
    questions = tmp_path / "english.jsonl"
    _jsonl(
        questions,
        [
            {"_id": "en1", "text": "Which exports rose?", "corpus_id": "2", "split": "valid"},
            {"_id": "en2", "text": "What did BI hold?", "corpus_ids": ["d1"], "split": "train"},
        ],
    )
    data = load_beir(folder, split="valid", queries_file=questions)
    assert data.qrels["en1"] == {"2": 1}
    assert [q.id for q in data.judged_queries()] == ["en1"]
