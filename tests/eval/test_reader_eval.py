"""eval.reader_eval's English news set: our questions over FacQA passages, answerable and not."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.reader_eval import contains_answer, items_for


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_english_news_questions_keep_the_gold_passage_and_answer_and_add_the_near_misses(
    tmp_path: Path,
) -> None:
    data = tmp_path / "facqa"
    data.mkdir()
    _write(data / "corpus.jsonl", [{"_id": "n1", "text": "Mari Pangestu mengunjungi Bangalore ."}])
    _write(
        data / "queries.jsonl",
        [
            {
                "_id": "facqa-train-1",
                "text": "Kota apa yang dikunjungi Mari ?",
                "answer": "Bangalore",
                "split": "train",
            }
        ],
    )
    (data / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nfacqa-train-1\tn1\t1\n", encoding="utf-8")
    questions, near_misses = tmp_path / "en.jsonl", tmp_path / "unanswerable.jsonl"
    _write(
        questions,
        [{"_id": "en-001", "text": "Which city did Mari visit?", "source_query_id": "facqa-train-1"}],
    )
    _write(
        near_misses,
        [{"_id": "en-un-001", "text_en": "Which city did Mari visit in 1999?", "corpus_id": "n1"}],
    )
    args = argparse.Namespace(
        data=data, set="facqa-en", split="test", questions=questions, unanswerable=near_misses
    )
    items, pool = items_for(args)
    assert pool == {"n1"}
    assert [(i.question, i.answerable, i.gold_answers, i.gold_passage, i.lang) for i in items] == [
        ("Which city did Mari visit?", True, ["Bangalore"], "n1", "en"),
        ("Which city did Mari visit in 1999?", False, [], None, "en"),
    ]


def test_a_gold_answer_with_wikipedia_footnotes_matches_the_statement_that_shows_it_without_them() -> None:
    gold = ["seorang pelajar yang jatuh cinta kepada seorang gadis,[3][4][5] yang kemudian pergi"]
    shown = "Hua Pi: seorang pelajar yang jatuh cinta kepada seorang gadis, yang kemudian pergi. [1]"
    assert contains_answer(shown, gold)
    assert not contains_answer("Hua Pi adalah sebuah cerita dari Tiongkok. [1]", gold)
