"""Reader-driven answers: the answering sentence leads, unanswered questions are declined, a broken model
falls back to today's engine. Selection rules are checked on hand-built readings; the rest on the real model
over the real sample library."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.answering.engine import Answerer
from bot.answering.reading import EMPHASIS_MIN, PassageReader, choose
from bot.answering.settings import AnswerSettings
from bot.telegram.render import render_answer
from store.library import BriefLibrary
from tests.bot.answering.readings import passage, read
from tests.support.answers import ask
from tests.support.reader_texts import PASSAGE

# Questions the shipped model gets wrong on the sample briefs (strict: a retrained model that gets one right
# must drop its mark); each is listed in docs/measurements.md.
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="known miss of the shipped reader, docs/measurements.md")
# Questions where the reader rates a passage of the right brief and one of another brief nearly alike, so the
# lead follows which five passages retrieval hands it, and that varies with how the index was built (one
# library build answered one Temu question right and the other wrong, another build the reverse).
UNSTABLE_MISS = pytest.mark.xfail(
    strict=False, reason="the reader rates the Temu brief and the nickel brief alike; docs/measurements.md"
)


def test_the_sentence_holding_the_best_span_leads_not_the_first_sentence() -> None:
    [choice] = choose([read()], "en", 4)
    assert choice.sentence.text == "The company said the wind-down began six to twelve months ago."
    assert choice.emphasis == "six to twelve months"


def test_a_span_across_a_sentence_break_picks_the_sentence_where_it_ends() -> None:
    text = (
        "Mir was assembled in orbit from 1986 to 1996. On 23 March 2001, after fifteen years and many "
        "crews, it was brought down over the Pacific Ocean. Nothing of it is left in orbit today."
    )
    [choice] = choose([read(text, "1996. On 23 March 2001", p=0.5)], "en", 4)
    assert choice.sentence.text.startswith("On 23 March 2001, after fifteen years")
    assert choice.emphasis == "On 23 March 2001"


def test_an_unsure_span_still_picks_the_sentence_but_is_not_emphasised() -> None:
    [choice] = choose([read(p=EMPHASIS_MIN / 2)], "en", 4)
    assert choice.sentence.text.startswith("The company said") and choice.emphasis is None


def test_the_shipped_reader_emphasises_the_amount_it_is_sure_of() -> None:
    """The real model on the project's own brief text: the sum is bold inside the sentence that states it. Its
    span probabilities sit low (this one ~0.06); with the cut-off of the model before it (0.25) nothing was
    ever emphasised."""
    indonesian = replace(passage(PASSAGE), brief=replace(passage(PASSAGE).brief, lang="id"))
    reads = PassageReader().read("How much did Meta invest in Scale AI?", [indonesian])
    assert reads is not None
    [choice] = choose(reads, "en", 4)
    assert choice.sentence.text.startswith("Kabar ini muncul")
    assert choice.emphasis is not None and "US$14,3 miliar" in choice.emphasis


def test_further_statements_come_only_from_passages_that_also_answer() -> None:
    other = "Bloomberg reported the wind-down started about half a year before the Meta deal."
    weak = "Scale AI is based in San Francisco and labels data for AI labs."
    chosen = choose(
        [
            read(),
            read(other, "about half a year", answerable=0.85, brief="b2", rank=1),
            read(weak, "San Francisco", answerable=0.2, brief="b3", rank=2),
        ],
        "en",
        4,
    )
    assert [c.read.passage.brief.id for c in chosen] == ["b1", "b2"]


def test_no_statement_when_no_passage_passes_the_gate_or_offers_a_sentence() -> None:
    questions_only = "Why did OpenAI leave? What comes next for Scale AI?"
    assert choose([read(answerable=0.01)], "en", 4) == []
    assert choose([read(questions_only, "What comes next")], "en", 4) == []


def test_the_same_fact_from_a_second_brief_is_not_repeated() -> None:
    copy = "Officials said the wind-down began six to twelve months ago, the company confirmed."
    chosen = choose([read(), read(copy, "six to twelve months", brief="b2", rank=1)], "en", 4)
    assert len(chosen) == 1


@pytest.fixture(scope="module")
def reader_answerer(library: BriefLibrary) -> Answerer:
    return Answerer(library, AnswerSettings())


def first_statement(text: str) -> str:
    return text.splitlines()[1]


@pytest.mark.slow
@KNOWN_MISS
def test_a_when_question_leads_with_the_sentence_that_says_when(reader_answerer: Answerer) -> None:
    answer = ask(reader_answerer, "When did OpenAI start winding down its work with Scale AI?")
    assert not answer.abstained
    lead = first_statement(answer.text).lower()
    assert "twelve months" in lead or "12 bulan" in lead
    assert answer.emphasis
    start, end = answer.emphasis[0]
    assert answer.text.index("\n") < start < end <= len(answer.text.splitlines()[0]) + 1 + len(lead)
    assert f"<b>{answer.text[start:end]}</b>" in render_answer(answer.answer)


@pytest.mark.slow
def test_an_indonesian_question_about_an_english_brief_is_answered(reader_answerer: Answerer) -> None:
    answer = ask(reader_answerer, "Siapa CEO sementara Scale AI?")
    assert not answer.abstained
    assert "Droege" in first_statement(answer.text)


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Who founded OpenAI?",  # answered with a quote until the fourteenth session's English pairs
        pytest.param("Berapa jumlah karyawan Scale AI?", marks=KNOWN_MISS),
        "Apa ibu kota Peru?",
    ],
)
def test_questions_the_briefs_do_not_answer_are_declined(reader_answerer: Answerer, question: str) -> None:
    answer = ask(reader_answerer, question)
    assert answer.abstained and not answer.citations


@pytest.mark.slow
def test_without_a_loadable_model_answers_come_as_before_and_it_is_said_once(
    library: BriefLibrary, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "reader.json").write_text("{not json", encoding="utf-8")
    answerer = Answerer(library, AnswerSettings(), reader=PassageReader(model_dir=broken))
    with caplog.at_level(logging.WARNING, logger="bot.answering.reading"):
        first = ask(answerer, "why did OpenAI leave Scale AI?")
        second = ask(answerer, "kenapa OpenAI berhenti bekerja sama dengan Scale AI?")
    assert not first.abstained and not second.abstained
    assert "read" not in first.timings and "sentences" in first.timings
    assert first.emphasis == []
    assert [r.getMessage() for r in caplog.records if "reader unavailable" in r.getMessage()] != []
    assert sum("reader unavailable" in r.getMessage() for r in caplog.records) == 1


def test_reader_off_in_settings_never_loads_the_model() -> None:
    reader = PassageReader(enabled=False)
    assert not reader.available
    assert reader.read("anything", []) is None


class _FailingRun:
    """Stands in for an onnxruntime session that breaks at run time (its errors are plain Exceptions)."""

    def read(self, question: str, passages: list[str]) -> list[object]:
        raise Exception("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION")


class _BreaksWhenRun(PassageReader):
    def _load(self) -> Any:
        return _FailingRun()


@pytest.mark.slow
def test_a_reader_that_fails_mid_question_still_gets_an_answer(
    library: BriefLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    answerer = Answerer(library, AnswerSettings(), reader=_BreaksWhenRun())
    with caplog.at_level(logging.WARNING, logger="bot.answering.reading"):
        answer = ask(answerer, "why did OpenAI leave Scale AI?")
    assert not answer.abstained and answer.citations
    assert any("reader failed" in r.getMessage() for r in caplog.records)


# The same product cases as test_gate.py, on the reader's path. Known misses of the shipped model are marked
# (strict: the day a retrained model gets one right, the mark must go); docs/measurements.md lists them.
@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Berapa pendapatan Scale AI sepanjang tahun 2024?",
        "Who is the chief executive of XLSmart?",  # answered "Jason Droege" until the fourteenth session
    ],
)
def test_on_topic_questions_without_an_answer_in_the_briefs_are_declined(
    reader_answerer: Answerer, question: str
) -> None:
    answer = ask(reader_answerer, question)
    assert answer.abstained and answer.citations == [] and answer.nearest
    assert set(answer.gate) == {"reader"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "stories"),
    [
        (
            "why did OpenAI leave Scale AI?",
            {"why-openai-left-scale-ai", "openai-hentikan-kerja-sama-scale-ai"},
        ),
        pytest.param(
            "berapa nilai investasi Meta di Scale AI?",
            {"investasi-meta-scale-ai", "meta-scale-ai-investment"},
            marks=KNOWN_MISS,
        ),
        ("what is Danantara?", {"danantara-diluncurkan"}),  # a known miss until the fourteenth session
        pytest.param("What did Indonesia do about Temu?", {"temu-diblokir-indonesia"}, marks=UNSTABLE_MISS),
        pytest.param(
            "Apa yang dilakukan Indonesia terhadap Temu?", {"temu-diblokir-indonesia"}, marks=UNSTABLE_MISS
        ),
        (
            # Declined at the 0.43 same-language cut-off (until the thirteenth session).
            "Berapa Meta bayar untuk saham Scale AI?",
            {"investasi-meta-scale-ai", "meta-scale-ai-investment"},
        ),
    ],
)
def test_answerable_questions_are_answered_from_their_story(
    reader_answerer: Answerer, question: str, stories: set[str]
) -> None:
    answer = ask(reader_answerer, question)
    assert not answer.abstained
    assert answer.citations[0].brief.id in stories
