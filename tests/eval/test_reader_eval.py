"""eval.reader_eval's English news set: our questions over FacQA passages, answerable and not."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval.reader_eval import contains_answer, fit, items_for


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


def _fit_record(
    number: int, *, span: str = "Jason Droege", span_p: float = 0.1, best: float = 0.73,
    answerable: bool = True, lang: str = "en", passage_lang: str | None = None,
) -> dict[str, object]:  # fmt: skip
    """One valid read as `eval.reader_eval --records` writes it: one passage, gold "Jason Droege". Records
    written before the passage language was kept lack it (their passages are Indonesian)."""
    gold = ["Jason Droege"]
    item: dict[str, object] = {"question": f"q{number}", "answerable": answerable, "gold_answers": gold,
                               "gold_passage": "p1", "lang": lang}  # fmt: skip
    if passage_lang is not None:
        item["passage_lang"] = passage_lang
    read = {"rank": 0, "brief": "p1", "logit": 1.0, "answerable": best, "span": span, "span_p": span_p}
    return {"item": item, "retrieved": ["p1"], "reads": [read], "reader": None, "baseline": None}


def test_the_fit_picks_the_lowest_span_probability_whose_emphasis_is_mostly_right(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [_fit_record(i, span_p=0.08) for i in range(20)]  # sure and right
    rows += [_fit_record(20 + i, span_p=0.03) for i in range(10)]  # unsure, right
    rows += [
        _fit_record(30 + i, span="Scale AI", span_p=0.03) for i in range(10)
    ]  # unsure, wrong: bold misleads
    rows += [_fit_record(40, span="Scale AI", span_p=0.5, answerable=False)]  # unanswerable ones do not count
    path = tmp_path / "records.jsonl"
    _write(path, rows)
    fit([path])
    picks = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "emphasis_pick" in line]
    # At 0.03 three in four emphasised spans are right, under the 85% asked; from 0.035 all 20 shown are.
    assert picks == [{"emphasis_pick": {"emphasis_min": 0.035, "shown": 0.5, "precision": 1.0}}]


def _gate_picks(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, float]]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"pick"' in line]
    return {line["pair"]: line for line in lines}


def test_the_gate_pick_is_the_lowest_cutoff_that_declines_the_languages_floor_of_unanswerable_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 20 unanswerable English questions reading 0.05, 0.10, ..., 1.00 and answerable ones all at 0.9: the
    # English floor (65% declined) is first reached at 0.66, where 13 of the 20 read lower. A higher cut-off
    # would decline more of them but answer nothing more here; on real reads it declines answerable ones too.
    rows = [_fit_record(i, answerable=False, best=(i + 1) / 20) for i in range(20)]
    rows += [_fit_record(20 + i, best=0.9) for i in range(10)]
    path = tmp_path / "records.jsonl"
    _write(path, rows)
    fit([path])
    pick = _gate_picks(capsys)["en-id"]
    assert pick == {"pair": "en-id", "pick": 0.66, "answered": 1.0, "declined": 0.65}


def test_english_questions_over_english_passages_get_a_pick_of_their_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The reader reads English over English on its own scale: there every question reads high, so a cut-off
    # shared with English over Indonesian passages would decline none of the unanswerable ones.
    rows = [_fit_record(i, answerable=False, best=(i + 1) / 20) for i in range(20)]
    rows += [_fit_record(20 + i, best=0.9) for i in range(10)]
    rows += [_fit_record(40 + i, answerable=False, best=0.80 + i / 100, passage_lang="en") for i in range(20)]
    rows += [_fit_record(60 + i, best=0.95, passage_lang="en") for i in range(10)]
    path = tmp_path / "records.jsonl"
    _write(path, rows)
    fit([path])
    picks = _gate_picks(capsys)
    assert picks["en-id"]["pick"] == 0.66
    # 0.80 ... 0.99: 13 of 20 under 0.93.
    assert picks["en-en"] == {"pair": "en-en", "pick": 0.93, "answered": 1.0, "declined": 0.65}


def test_without_unanswerable_questions_the_gate_pick_keeps_nine_answerable_questions_in_ten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [_fit_record(i, lang="id", best=(i + 1) / 10) for i in range(10)]
    path = tmp_path / "records.jsonl"
    _write(path, rows)
    fit([path])
    pick = _gate_picks(capsys)["id-id"]
    # Reads 0.1 ... 1.0: 0.2 is the highest cut-off that still answers 9 of the 10.
    assert pick["pick"] == 0.2 and pick["answered"] == 0.9
