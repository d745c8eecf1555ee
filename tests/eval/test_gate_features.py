"""The evidence gate's lexical signals (fitted, weighed 0, kept for the next fit) on hand-made passages."""

from __future__ import annotations

import pytest

from eval.gate_features import features, specific_words, wanted_type
from tests.bot.answering.picks import picks


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Berapa nilai investasi Meta di Scale AI?", "number"),
        ("How many employees did Scale AI lay off?", "number"),
        ("Kapan QRIS Tap diluncurkan?", "date"),
        ("Who became minister when Kominfo was renamed Komdigi?", "name"),  # the first question word wins
        ("Why did OpenAI leave Scale AI?", None),
    ],
)
def test_the_kind_of_answer_a_question_wants(question: str, kind: str | None) -> None:
    assert wanted_type(question) == kind


def test_a_version_number_is_not_found_in_another_version() -> None:
    assert "gpt-5" in specific_words("How many parameters does GPT-5 have?")
    text = "OpenAI trained GPT-4 on 5 data centres. It has many parameters, the company said."
    signals = features("How many parameters does GPT-5 have?", picks(text, 0.88))
    assert signals["specific_missing"] == 1.0
    assert features("How many parameters does GPT-4 have?", picks(text, 0.88))["specific_missing"] == 0.0


def test_a_how_much_question_without_an_amount_in_the_evidence_is_flagged() -> None:
    vague = "Meta invested heavily in Scale AI. The deal shook the labelling market."
    exact = "Meta invested US$14.3 billion in Scale AI. The deal shook the labelling market."
    question = "How much did Meta invest in Scale AI?"
    assert features(question, picks(vague, 0.9))["type_missing"] == 1.0
    assert features(question, picks(exact, 0.9))["type_missing"] == 0.0


def test_a_brief_title_counts_as_evidence_for_names() -> None:
    text = "The project will cost about US$500 billion over four years."
    untitled = features("How much will Stargate cost?", picks(text, 0.9))
    titled = features("How much will Stargate cost?", picks(text, 0.9, title="Stargate announced"))
    assert untitled["specific_missing"] == 1.0 and titled["specific_missing"] == 0.0
