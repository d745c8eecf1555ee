"""Generated mode with a hand-written model: verification, re-citation, fallbacks, streaming, declines.

The model is a hand-written OpenAI-compatible server on 127.0.0.1 (deterministic, reached over real HTTP by
llama-index's OpenAILike, streamed as server-sent events); the library, embedder, reader and sentence vectors
are the real ones. The question is read as asked (`translate_questions` off): what is checked here is what the
model's answer goes through; translating the question first has its own tests (test_question_translation.py).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot import answer_words
from bot.answering.citations import problems
from bot.answering.engine import Answerer
from bot.answering.ports import Embedder
from bot.answering.reading import PassageReader, ReadPassage
from bot.answering.settings import AnswerSettings, LLMSettings
from bot.answering.types import AnswerProgress, NoticeCode
from bot.answering.verify import negated
from store.library import BriefLibrary
from store.sentences import split_sentences
from store.types import BriefInfo, Passage, SearchFilters
from tests.bot.answering.fake_llm import ChatServer
from tests.support.answers import ask

pytest.importorskip(
    "llama_index.llms.openai_like",
    reason="llama-index-llms-openai-like is not installed (pip install -e .[llm])",
)
pytestmark = pytest.mark.slow
UNVERIFIED = answer_words.EN.notices[NoticeCode.LLM_UNVERIFIED]
"""The notice of quoted sentences shown instead of the model's, as an English question reads it."""

# Unmarked, and about the story the real passages tell: the engine has to look for support itself.
REPLY = "OpenAI stopped working with Scale AI after Meta took a large stake in it."
SHOWN = 5  # LLMSettings.max_passages


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer(REPLY)
    yield server
    server.close()


class BlankPassagesFirst:
    """The real library, except that every search starts with passages whose text holds no sentence (as many
    as the model is shown), the way a brief made only of whitespace-padded markup would come back."""

    def __init__(self, library: BriefLibrary) -> None:
        self._library = library

    @property
    def embedder(self) -> Embedder:
        return self._library.embedder

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        found = self._library.search(query, k, filters)
        blanks = [replace(p, chunk_id=f"{p.chunk_id}-blank", text=" \n ") for p in found[:SHOWN]]
        return blanks + found

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        return self._library.list_briefs(scope)

    def passages_of(self, brief_id: str) -> list[Passage]:
        return self._library.passages_of(brief_id)


def test_reply_without_any_passage_sentence_falls_back_to_quotes(
    library: BriefLibrary, chat_server: ChatServer
) -> None:
    llm = LLMSettings.model_validate(
        {
            "base_url": chat_server.url,
            "model": "local",
            "timeout": 30,
            "max_tokens": 64,
            "context_window": 4096,
            "translate_questions": False,
        }
    )
    answerer = Answerer(
        BlankPassagesFirst(library), AnswerSettings(mode="generated", passages=12, reader=False), llm
    )
    answer = ask(answerer, "why did OpenAI leave Scale AI?")
    assert len(chat_server.chats) == 1  # the model was asked: this is the generated path, not the gate's
    assert not answer.abstained and answer.mode == "extractive"
    assert answer.text.startswith("From the briefs:")
    assert answer.notice == UNVERIFIED
    assert answer.citations and problems(answer.answer) == []
    assert all(not c.passage.chunk_id.endswith("-blank") for c in answer.citations)


def first_claim(request: dict[str, Any]) -> str:
    """A sentence of passage [1] of the prompt that names Scale AI and negates nothing: a true statement."""
    user = request["messages"][-1]["content"]
    block = user.split("[1] (", 1)[1].split("\n\n[2] (", 1)[0].split("\n", 1)[1]
    return next(s.text for s in split_sentences(block) if "Scale AI" in s.text and not negated(s.text))


def claims(request: dict[str, Any]) -> tuple[str, str, str]:
    """(true, with a name swapped, with its polarity reversed)."""
    true = first_claim(request)
    return true, true.replace("Scale AI", "Microsoft"), "It is not true that " + true[0].lower() + true[1:]


def structured(*items: tuple[list[int], str], declined: bool = False) -> str:
    answer = [{"passages": n, "sentence_in_english": t} for n, t in items]
    return json.dumps({"answer": answer, "not_in_passages": declined})


def engine(library: BriefLibrary, server: ChatServer) -> Answerer:
    llm = LLMSettings.model_validate(
        {
            "base_url": server.url,
            "model": "local",
            "timeout": 30,
            "max_tokens": 200,
            "context_window": 8192,
            "translate_questions": False,
        }
    )
    return Answerer(library, AnswerSettings(mode="generated"), llm)


def test_only_verified_statements_are_shown_and_the_stream_is_followed(library: BriefLibrary) -> None:
    def reply(request: dict[str, Any]) -> str:
        true, renamed, reversed_ = claims(request)
        return structured(([3, 9], true), ([1], renamed), ([1, 2], reversed_))

    server = ChatServer(reply)
    try:
        seen: list[AnswerProgress] = []
        answer = ask(engine(library, server), "why did OpenAI leave Scale AI?", progress=seen.append)
    finally:
        server.close()
    true, renamed, reversed_ = claims(server.chats[0])
    assert server.chats[0]["stream"] is True and server.chats[0]["response_format"]["type"] == "json_schema"
    assert answer.mode == "generated" and answer.notice is None
    assert answer.text == true + " [1]"  # re-cited to the passage that says it, whatever [3, 9] meant
    assert true.startswith(answer.citations[0].quote[:20]) and problems(answer.answer) == []
    assert seen[0] == AnswerProgress("reading", briefs=seen[0].briefs) and seen[0].briefs >= 1
    streamed = [p.text for p in seen if p.stage == "writing"]
    assert len(streamed) > 5 and streamed[-1].splitlines() == [true, renamed, reversed_]
    assert all(a in b for a, b in itertools.pairwise(streamed))  # each update extends the last


def test_a_reply_in_the_wrong_language_is_translated_then_verified(library: BriefLibrary) -> None:
    indonesian = "Menurut laporan, OpenAI berhenti bekerja sama dengan Scale AI setelah investasi Meta."

    def reply(request: dict[str, Any]) -> str:
        if "Translate" in request["messages"][0]["content"]:
            return json.dumps({"translations": [first_claim(server.chats[0])]})
        return structured(([1], indonesian))

    server = ChatServer(reply)
    try:
        answer = ask(engine(library, server), "why did OpenAI leave Scale AI?")
    finally:
        server.close()
    assert len(server.chats) == 2 and indonesian in server.chats[1]["messages"][1]["content"]
    assert answer.mode == "generated" and answer.text == first_claim(server.chats[0]) + " [1]"


def test_a_model_that_finds_no_answer_declines(library: BriefLibrary) -> None:
    server = ChatServer(structured(declined=True))
    try:
        answer = ask(engine(library, server), "why did OpenAI leave Scale AI?")
    finally:
        server.close()
    assert answer.abstained and not answer.citations


def test_nothing_verifiable_is_quoted_with_a_notice(library: BriefLibrary) -> None:
    def reply(request: dict[str, Any]) -> str:
        _, renamed, reversed_ = claims(request)
        return structured(([1], renamed), ([2], reversed_))

    server = ChatServer(reply)
    try:
        answer = ask(engine(library, server), "why did OpenAI leave Scale AI?")
    finally:
        server.close()
    assert answer.mode == "extractive" and answer.text.startswith("From the briefs:")
    assert answer.notice == UNVERIFIED and problems(answer.answer) == []
    assert "Microsoft" not in answer.text and "It is not true" not in answer.text


class Watched(PassageReader):
    """The real reader, noting in `events` when it starts reading."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self._events = events

    def read(self, question: str, passages: list[Passage]) -> list[ReadPassage] | None:
        self._events.append("read")
        return super().read(question, passages)


def test_the_status_comes_before_the_reader_and_the_model(library: BriefLibrary) -> None:
    # The status ("reading 3 briefs") is what makes a slow model bearable: it must not wait for the reader
    # (tenths of a second to seconds) or the sentence vectors, only for retrieval.
    events: list[str] = []
    server = ChatServer(structured(declined=True))
    llm = LLMSettings.model_validate(
        {"base_url": server.url, "model": "local", "context_window": 8192, "translate_questions": False}
    )
    answerer = Answerer(library, AnswerSettings(mode="generated"), llm, reader=Watched(events))
    try:
        answer = ask(answerer, "why did OpenAI leave Scale AI?", progress=lambda p: events.append(p.stage))
    finally:
        server.close()
    assert answer.abstained and events[:2] == ["reading", "read"]
    assert events.count("reading") <= 2 and len(server.chats) == 1


TRANSLATED = answer_words.EN.notices[NoticeCode.TRANSLATED_QUOTES]


def test_an_unverified_answer_gives_way_to_the_quotes_translated_with_their_numbers_repaired(
    library: BriefLibrary,
) -> None:
    # Only the Indonesian briefs: the reader's sentences are Indonesian and the asker's English. The model's
    # own answer names a company no brief names (dropped); its translation of the quotes gets the scale and
    # the bound wrong, as the packaged 1.5B model does, and the engine puts them back from the source.
    def reply(request: dict[str, Any]) -> str:
        if "Translate" not in request["messages"][0]["content"]:
            return structured(([1], "Microsoft invested US$2 billion in Scale AI."))
        quotes = request["messages"][1]["content"].splitlines()
        return json.dumps(
            {
                "translations": [
                    "Meta invested less than US$14.3 million in Scale AI."
                    if "14,3 miliar" in q
                    else "Nothing."
                    for q in quotes
                ]
            }
        )

    server = ChatServer(reply)
    seen: list[AnswerProgress] = []
    try:
        answer = ask(
            engine(library, server),
            "How much did Meta invest in Scale AI?",
            filters=SearchFilters(langs=["id"]),
            progress=seen.append,
        )
    finally:
        server.close()
    stages = [p.stage for p in seen]
    assert stages[0] == "reading" and "writing" in stages and stages[-1] == "translating"  # the draft goes
    assert len(server.chats) == 2 and "14,3 miliar" in server.chats[1]["messages"][1]["content"]
    # the asker's words are context for the translation ("ending its partnership", not "taking a stake")
    assert "How much did Meta invest in Scale AI?" in server.chats[1]["messages"][0]["content"]
    # and "bukan hanya" is "not only": the 1.5B model made "Bukan hanya OpenAI, Google juga ..." a negation
    translating = server.chats[1]["messages"][0]["content"]
    assert "'Bukan hanya' and 'tidak hanya' mean 'not only'" in translating
    assert answer.mode == "generated" and answer.notice == TRANSLATED
    assert "Meta invested about US$14.3 billion in Scale AI. [1]" in answer.text
    assert "14,3 miliar" in answer.citations[0].quote and problems(answer.answer) == []
    assert "Nothing" not in answer.text and "Microsoft" not in answer.text


def test_same_language_quotes_are_not_sent_for_translation(library: BriefLibrary) -> None:
    server = ChatServer(structured(([1], "Microsoft menanamkan US$2 miliar di Scale AI.")))
    try:
        answer = ask(
            engine(library, server), "Berapa investasi Meta di Scale AI?", filters=SearchFilters(langs=["id"])
        )
    finally:
        server.close()
    assert len(server.chats) == 1 and answer.mode == "extractive"
    assert answer.notice == answer_words.ID.notices[NoticeCode.LLM_UNVERIFIED]


def test_the_model_reads_only_the_answering_passages_and_is_told_the_sentence(library: BriefLibrary) -> None:
    # A small model shown five passages wrote about the first sentence on the topic; shown the passages the
    # reader found answering, with the answering sentence pointed out, it restates that sentence.
    server = ChatServer(structured(declined=True))
    try:
        question = "How much did Meta invest in Scale AI?"
        ask(engine(library, server), question, filters=SearchFilters(langs=["id"]))
    finally:
        server.close()
    prompt = server.chats[0]["messages"][1]["content"]
    pointed = dict(re.findall(r'Passage \[(\d)\] answers it in this sentence: "([^"]+)"', prompt))
    shown = re.findall(r"^\[(\d)\] \(", prompt, re.M)
    assert pointed and set(shown) == set(pointed)  # every passage shown is one that answers
    assert "14,3 miliar" in pointed["1"] and pointed["1"] in prompt.split("Question:")[0]
