"""eval.translated_reading's scoring: the engine's reader decisions replayed from recorded readings."""

from __future__ import annotations

from typing import Any

from eval.translated_reading import decide, skipping, table

TEXT = "Meta menanamkan US$14,3 miliar. Meta kini memegang 49% saham Scale AI."


def passage(asked: float, translated: float | None, chunk: str = "c1") -> dict[str, Any]:
    start = TEXT.index("49%")
    span = [[start, start + 3, 0.9]]
    reading = {"answerable": asked, "logit": 0.0, "spans": span}
    again = None if translated is None else {"answerable": translated, "logit": 0.0, "spans": span}
    where = {"chunk_id": chunk, "brief": "b1", "lang": "id", "text": TEXT}
    return {**where, "asked": reading, "translated": again}


def row(asked: float, translated: float | None, *, answerable: bool = True) -> dict[str, Any]:
    return {
        "question": "What share of Scale AI does Meta hold?",
        "lang": "en",
        "answerable": answerable,
        "gold": ["49%"] if answerable else [],
        "expected": [],
        "translation": None if translated is None else "Berapa persen saham Scale AI yang dimiliki Meta?",
        "passages": [passage(asked, translated)],
    }


def test_a_passage_the_translation_reads_as_answering_is_answered_from_its_sentence() -> None:
    record = row(0.01, 0.9)
    assert decide(record, None) == (False, False)  # as asked: under the cross-language cut-off
    assert decide(record, 0.05) == (True, True)  # the sentence holding "49%" leads
    assert decide(record, 0.95) == (False, False)  # the translated reading under its cut-off


def test_the_table_counts_each_question_once_per_cut_off() -> None:
    rows = [row(0.01, 0.9), row(0.5, None), row(0.01, 0.04, answerable=False)]
    lines = table(rows, (0.03, 0.05))
    assert lines[0] == "2 answerable, 1 unanswerable; translated 2 of 3"
    assert lines[4] == "| as asked | 1 (0.500) | 1 (0.500) | 1 (1.000) |"
    assert lines[5] == "| translated, cut-off 0.03, asked >= 0.000 | 2 (1.000) | 0 (0.000) | 0 (0.000) |"
    assert lines[6] == "| translated, cut-off 0.05, asked >= 0.000 | 2 (1.000) | 0 (0.000) | 1 (1.000) |"


def test_a_translated_reading_needs_the_asked_one_to_reach_the_floor() -> None:
    assert decide(row(0.009, 0.9), 0.05, floor=0.01) == (False, False)
    assert decide(row(0.011, 0.9), 0.05, floor=0.01) == (True, True)


def test_a_question_read_decisively_as_asked_keeps_its_asked_reading_and_the_skip_is_counted() -> None:
    record = row(0.85, 0.999)
    first = TEXT.index("US$")  # as asked, the reader's span is in the sentence without the share
    record["passages"][0]["asked"]["spans"] = [[first, first + 13, 0.9]]
    assert decide(record, 0.03, decisive=0.9) == (True, True)  # read again: the "49%" sentence leads
    assert decide(record, 0.03, decisive=0.8) == (True, False)  # not read again: the asked lead stands
    lines = skipping([record, row(0.01, 0.9)], (0.8, 0.9))
    assert lines[2] == "| 0.80 | 1 of 2 | 1 | -1 | +0 | +0 |"
    assert lines[3] == "| 0.90 | 0 of 2 | 0 | +0 | +0 | +0 |"
