"""The reader's training examples: our English IDK-MRC questions join the set's paragraphs and answers.

A tiny set in the BEIR layout of `../shared/data/idk_mrc` is written to a temp folder (the suite never reads
the shared data).
"""

from __future__ import annotations

import json
from pathlib import Path

from training.data import ENGLISH_IDK_QUESTIONS, idk_mrc, idk_mrc_english

PARAGRAPH = "Museum Rudana dibangun pada tahun 1990 di Ubud, Bali."


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _tiny_set(root: Path) -> None:
    folder = root / "idk_mrc"
    folder.mkdir(parents=True)
    _write(folder / "corpus.jsonl", [{"_id": "p1", "text": PARAGRAPH}])
    _write(
        folder / "queries-train.jsonl",
        [
            {
                "_id": "q1",
                "text": "Kapan Museum Rudana dibangun?",
                "answers": ["1990"],
                "answer_start": [31],
                "is_impossible": False,
                "context_id": "p1",
            },
            {
                "_id": "q1-unans",
                "text": "Kapan Museum Rudana ditutup?",
                "answers": [],
                "answer_start": [],
                "is_impossible": True,
                "context_id": "p1",
            },
            {
                "_id": "q2",
                "text": "Di mana Museum Rudana?",
                "answers": ["Ubud"],
                "answer_start": [42],
                "is_impossible": False,
                "context_id": "p1",
            },
        ],
    )


def test_english_questions_keep_the_indonesian_answer_span_and_unanswerability(tmp_path: Path) -> None:
    _tiny_set(tmp_path)
    translations = tmp_path / "en.jsonl"
    _write(
        translations,
        [
            {"_id": "q1", "text_en": "When was the Rudana Museum built?"},
            {"_id": "q1-unans", "text_en": "When did the Rudana Museum close?"},
        ],
    )
    examples = idk_mrc_english(tmp_path, translations)
    assert [(e.question, e.answer, e.source) for e in examples] == [
        ("When was the Rudana Museum built?", "1990", "x-idk-en"),
        ("When did the Rudana Museum close?", None, "x-idk-en"),
    ]
    answered = examples[0]
    assert answered.answer_start is not None
    assert answered.context[answered.answer_start : answered.answer_start + 4] == "1990"
    assert len(idk_mrc(tmp_path, "train")) == 3  # the Indonesian originals are all still there


def test_shipped_translations_are_well_formed() -> None:
    rows = [json.loads(line) for line in ENGLISH_IDK_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    ids = [row["_id"] for row in rows]
    assert len(rows) > 4000
    assert len(set(ids)) == len(ids)
    assert all(row["text_en"].strip().endswith("?") for row in rows)
    # Unanswerable ids carry "unans": without them the reader would learn nothing about declining.
    assert sum("unans" in i for i in ids) > len(ids) // 3
