"""Emphasised phrases are found where they are, once each, and never overlap."""

from __future__ import annotations

from bot.answering.emphasis import segments


def test_phrases_cut_the_text_in_order() -> None:
    assert segments("He left 6 to 12 months ago. [1]", ["6 to 12 months"]) == [
        ("He left ", False),
        ("6 to 12 months", True),
        (" ago. [1]", False),
    ]


def test_each_phrase_marks_its_first_free_occurrence_and_missing_ones_are_ignored() -> None:
    pieces = segments("49% then 49% again", ["49%", "49%", "absent"])
    assert [p for p, bold in pieces if bold] == ["49%", "49%"]
    assert "".join(p for p, _ in pieces) == "49% then 49% again"


def test_no_phrases_is_the_text_as_is() -> None:
    assert segments("plain", []) == [("plain", False)]
