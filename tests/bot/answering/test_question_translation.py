"""Questions translated into the passages' language before reading (generated mode).

The rules (which reply is usable, which reading a passage keeps) are checked on hand-built values; the
translator over real HTTP against a hand-written OpenAI-compatible server; the engine with the real library,
reader and model file, and that server as its LLM.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from typing import Any

import pytest

from bot.answering.engine import Answerer
from bot.answering.llm import ChatModel
from bot.answering.question_translation import QuestionTranslator, usable
from bot.answering.reading import (
    ANSWER_CUTOFF_CROSS_LANGUAGE,
    ANSWER_CUTOFF_TRANSLATED,
    RANK_PRIOR,
    TRANSLATED_NEEDS_ASKED,
    ReadPassage,
    answers,
    merged,
)
from bot.answering.settings import AnswerSettings, LLMSettings
from harness.servers import free_port
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings
from tests.bot.answering.briefs import sample_briefs
from tests.bot.answering.fake_llm import ChatServer
from tests.bot.answering.readings import TEXT as TEXT_EN
from tests.bot.answering.readings import read
from tests.support.answers import ask

pytest.importorskip(
    "llama_index.llms.openai_like",
    reason="llama-index-llms-openai-like is not installed (pip install -e .[llm])",
)

QUESTION = "What share of Scale AI does Meta hold?"
TRANSLATION = "Berapa persen saham Scale AI yang dimiliki Meta?"


@pytest.mark.parametrize(
    "reply",
    [
        "Meta memegang 49% saham Scale AI.",  # answered, not translated: no longer a question
        QUESTION,  # given back as asked
        "Berapa persen saham Scale AI yang dimiliki Meta? " + "Meta adalah perusahaan induk Facebook. " * 4,
        "",
    ],
)
def test_a_reply_that_is_not_the_question_translated_is_not_used(reply: str) -> None:
    assert not usable(reply, QUESTION, "id")


def test_a_translation_that_still_asks_is_used() -> None:
    assert usable(TRANSLATION, QUESTION, "id")
    assert usable("Who leads Scale AI now?", "Siapa yang memimpin Scale AI sekarang?", "en")


def indonesian(
    text: str, phrase: str, answerable: float, *, brief: str, rank: int, translated: bool = False
) -> ReadPassage:
    reading = read(text, phrase, answerable=answerable, brief=brief, rank=rank)
    info = replace(reading.passage.brief, lang="id")
    score = math.log(answerable / (1 - answerable)) - RANK_PRIOR * rank  # as `PassageReader.read` orders
    passage = replace(reading.passage, brief=info)
    return replace(reading, passage=passage, score=score, translated=translated)


SHARE = "Meta menanamkan US$14,3 miliar. Meta kini memegang 49% saham Scale AI."
OTHER = "Scale AI melabeli data untuk OpenAI. Google juga mempertimbangkan mundur."


def test_a_passage_keeps_the_reading_further_above_its_own_cut_off() -> None:
    above_as_asked = 1.5 * ANSWER_CUTOFF_CROSS_LANGUAGE
    under_as_asked = 1.2 * TRANSLATED_NEEDS_ASKED
    assert TRANSLATED_NEEDS_ASKED < under_as_asked < ANSWER_CUTOFF_CROSS_LANGUAGE
    asked = [
        indonesian(OTHER, "OpenAI", above_as_asked, brief="b1", rank=0),
        indonesian(SHARE, "49%", under_as_asked, brief="b2", rank=1),
    ]
    translated = [
        indonesian(OTHER, "OpenAI", 0.8 * ANSWER_CUTOFF_TRANSLATED, brief="b1", rank=0, translated=True),
        indonesian(SHARE, "49%", 0.9, brief="b2", rank=0, translated=True),  # read alone: its rank there
    ]
    best = merged(asked, translated, "en")
    assert [r.passage.brief.id for r in best] == ["b2", "b1"]
    assert best[0].translated and best[0].rank == 1 and answers(best[0], "en")
    # b1 clears the cross-language cut-off as asked, and its translated reading is under its own.
    assert not best[1].translated and answers(best[1], "en")


def test_passages_keeping_their_asked_reading_keep_their_order() -> None:
    # An English passage must clear 0.13 as asked, an Indonesian one 0.02: what the merge adds must not
    # reorder two passages whose asked readings both stand.
    english = read(TEXT_EN, "six to twelve months", answerable=0.95, rank=0)
    english = replace(english, score=math.log(0.95 / 0.05))
    indonesian_read = indonesian(OTHER, "OpenAI", 0.97, brief="b2", rank=1)
    translated = [indonesian(OTHER, "OpenAI", 0.9, brief="b2", rank=0, translated=True)]
    best = merged([english, indonesian_read], translated, "en")
    assert [r.passage.brief.id for r in best] == ["b1", "b2"] and not best[1].translated


def test_a_passage_the_question_as_asked_found_nothing_in_is_not_opened_by_a_translation() -> None:
    # Unrelated passages read 0.004-0.008 as asked; a loose translation can find an "answer" there.
    asked = [indonesian(SHARE, "49%", TRANSLATED_NEEDS_ASKED * 0.8, brief="b1", rank=0)]
    best = merged(asked, [indonesian(SHARE, "49%", 0.95, brief="b1", rank=0, translated=True)], "en")
    assert not best[0].translated and not answers(best[0], "en")


def test_a_translated_reading_under_its_cut_off_does_not_make_a_passage_answer() -> None:
    asked = [indonesian(SHARE, "49%", TRANSLATED_NEEDS_ASKED, brief="b1", rank=0)]
    low = ANSWER_CUTOFF_TRANSLATED * 0.8
    best = merged(asked, [indonesian(SHARE, "49%", low, brief="b1", rank=0, translated=True)], "en")
    assert not answers(best[0], "en")


def translation_reply(request: dict[str, Any]) -> str:
    return json.dumps({"question": TRANSLATION})


def chat_model(url: str, timeout: float = 30) -> ChatModel:
    return ChatModel(LLMSettings.model_validate({"base_url": url, "model": "local", "timeout": timeout}))


def test_the_translator_asks_once_per_question_and_language() -> None:
    server = ChatServer(translation_reply)
    try:
        translator = QuestionTranslator(chat_model(server.url))
        assert translator.translate(QUESTION, "id") == TRANSLATION
        assert translator.translate(QUESTION, "id") == TRANSLATION
    finally:
        server.close()
    assert len(server.chats) == 1
    sent = server.chats[0]["messages"]
    assert "into Indonesian" in sent[0]["content"] and sent[1]["content"] == f"Question: {QUESTION}"


def test_a_model_that_answers_instead_or_cannot_be_reached_leaves_the_question_as_asked() -> None:
    server = ChatServer(json.dumps({"question": "Meta memegang 49% saham Scale AI."}))
    try:
        assert QuestionTranslator(chat_model(server.url)).translate(QUESTION, "id") is None
    finally:
        server.close()
    dead = QuestionTranslator(chat_model(f"http://127.0.0.1:{free_port()}/v1", timeout=5))
    assert dead.translate(QUESTION, "id") is None


# The Indonesian sample briefs about Meta and Scale AI, alone: an English question has no English passage to
# fall back on, as with a collection of Indonesian news.
INDONESIAN_BRIEFS = {
    "investasi-meta-scale-ai",
    "openai-hentikan-kerja-sama-scale-ai",
    "wang-pimpin-superintelligence-meta",
    "phk-scale-ai-juli-2025",
    "pelajaran-netralitas-pemasok-data",
}
RETURN = "What did Meta get in return for its investment in Scale AI?"
RETURN_ID = "Apa yang diperoleh Meta sebagai imbalan investasinya di Scale AI?"
IN_RETURN = "Sebagai imbalannya"
"""Where brief investasi-meta-scale-ai says what Meta obtained: 49% of the shares."""


@pytest.fixture(scope="module")
def indonesian_library(tmp_path_factory: pytest.TempPathFactory) -> BriefLibrary:
    library = open_library(StoreSettings(data_dir=tmp_path_factory.mktemp("indonesian-library")))
    library.sync([b for b in sample_briefs() if b.id in INDONESIAN_BRIEFS], scope="data/briefs")
    return library


def pointed(request: dict[str, Any]) -> tuple[int, str]:
    """(passage number, sentence) of the reader's answering sentence, as the answer prompt points it out."""
    prompt = request["messages"][-1]["content"]
    found = re.search(r'Passage \[(\d+)\] answers it in this sentence: "([^"]+)"', prompt)
    assert found is not None, "the prompt points out no answering sentence"
    return int(found.group(1)), found.group(2)


def model(request: dict[str, Any]) -> str:
    """Translates the question; answers by stating, in English, what the pointed-out sentence says."""
    if "You translate questions" in request["messages"][0]["content"]:
        return json.dumps({"question": RETURN_ID})
    number, sentence = pointed(request)
    text = (
        "In return, the parent of Facebook, Instagram and WhatsApp obtained 49% of the start-up's shares."
        if IN_RETURN in sentence
        else "Wang's move is part of Meta's investment in Scale AI."
    )
    statement = {"passages": [number], "sentence_in_english": text}
    return json.dumps({"answer": [statement], "not_in_passages": False})


def answer_with(library: BriefLibrary, server: ChatServer, *, translate: bool) -> Any:
    llm = LLMSettings.model_validate(
        {"base_url": server.url, "model": "local", "timeout": 30, "context_window": 8192,
         "translate_questions": translate}
    )  # fmt: skip
    return ask(Answerer(library, AnswerSettings(mode="generated"), llm), RETURN)


@pytest.mark.slow
def test_an_english_question_over_indonesian_briefs_is_read_in_indonesian_too(
    indonesian_library: BriefLibrary,
) -> None:
    server = ChatServer(model)
    try:
        answer = answer_with(indonesian_library, server, translate=True)
        sent = list(server.chats)
        as_asked = answer_with(indonesian_library, server, translate=False)
    finally:
        server.close()
    # The question went to the model to be translated first; the answer prompt keeps the asker's question.
    assert sent[0]["messages"][1]["content"] == f"Question: {RETURN}"
    assert f"Question: {RETURN}\n" in sent[1]["messages"][1]["content"]
    # Read in Indonesian too, the reader points at the sentence that says what Meta got; the answer says it.
    assert IN_RETURN in pointed(sent[1])[1]
    assert not answer.abstained and answer.text.startswith("In return, the parent of Facebook")
    assert answer.citations[0].passage.brief.id == "investasi-meta-scale-ai"
    # Read only as asked, the reader leads with a sentence that is merely on the topic.
    assert not as_asked.abstained and "49%" not in as_asked.text


@pytest.mark.slow
def test_a_question_the_reader_already_reads_decisively_is_not_sent_to_be_translated(
    indonesian_library: BriefLibrary,
) -> None:
    question = "How much did Meta invest in Scale AI?"  # the amount is in the first sentence of two briefs
    server = ChatServer(model)
    llm = LLMSettings.model_validate({"base_url": server.url, "model": "local", "timeout": 30})
    try:
        answer = ask(Answerer(indonesian_library, AnswerSettings(mode="generated"), llm), question)
    finally:
        server.close()
    # The 2-3 s call is saved: the first request the model gets is the answer's, with the question as asked.
    assert not any("You translate questions" in chat["messages"][0]["content"] for chat in server.chats)
    assert f"Question: {question}\n" in server.chats[0]["messages"][1]["content"]
    assert not answer.abstained and "question_translation" not in answer.timings
