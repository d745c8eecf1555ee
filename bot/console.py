"""The console front end: one-shot `ask`, a file of questions, and an interactive chat.

A thin adapter over `Answerer.answer`: it matches on the outcome, formats answers as plain text or JSON (in
the shared answer wording, `bot/answer_words.py`) and words refusals from its own table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol, TextIO

from bot import answer_words
from bot import console_texts as texts
from bot.answer_words import segments
from bot.answering.types import Answer, Answered, AnswerProgress, Declined, Failed, InvalidQuestion, Outcome
from store.errors import StoreError
from store.language import detect_language
from store.types import BriefInfo, SyncReport

logger = logging.getLogger(__name__)

QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})
FOLLOW_UP_WORDS = 4


class Asks(Protocol):
    def answer(
        self,
        question: str,
        *,
        context: str | None = None,
        progress: Callable[[AnswerProgress], None] | None = None,
    ) -> Outcome: ...


class Streamer:
    """Shows a generated answer while it comes: a status line at once, then the model's words as they arrive.

    What streams is unverified; the final answer printed after it is the verified one (statements that failed
    verification are not in it).
    """

    def __init__(self, out: TextIO, lang: str = "en") -> None:
        self._out = out
        self._lang = lang
        self._shown = ""
        self.used = False

    def __call__(self, progress: AnswerProgress) -> None:
        if progress.stage == "reading":
            self.used = True
            print(texts.pick(self._lang).reading_briefs(progress.briefs), file=self._out)
            return
        if progress.stage == "translating":
            print("\n" + texts.pick(self._lang).translating, file=self._out)
            self._shown = ""
            return
        text = progress.text
        new = text[len(self._shown) :] if text.startswith(self._shown) else "\n" + text
        self._shown = text
        self._out.write(new)
        self._out.flush()

    def finish(self) -> None:
        if self.used:
            print("\n" + "─" * 20, file=self._out)


class PrintedStart:
    """First-start indexing on stderr (`bot.runtime.StartReport`)."""

    def indexing(self) -> None:
        print("The library is empty: indexing the configured sources (first start only)...", file=sys.stderr)

    async def progress(self, done: int, total: int, stage: str) -> None:
        print(f"\r  {stage}: {done}/{total}", end="", file=sys.stderr, flush=True)

    def failed(self, error: Exception) -> None:
        print(f"\nIndexing failed: {error}", file=sys.stderr)

    def indexed(self, summary: SyncReport) -> None:
        print(f"\n  indexed {len(summary.added)} briefs in {summary.seconds:.0f} s", file=sys.stderr)


def user_message(exc: Exception, question: str = "") -> str:
    """What the person at the console reads when the library cannot be opened, or answering hit a bug (in
    the question's language)."""
    if isinstance(exc, StoreError):
        return texts.for_store_error(exc, _language(question))
    logger.error("unexpected error while answering", exc_info=exc)
    return texts.pick(_language(question)).apology


def _language(question: str) -> str | None:
    return detect_language(question) if question.strip() else None


def reply(
    answerer: Asks,
    question: str,
    *,
    context: str | None = None,
    progress: Callable[[AnswerProgress], None] | None = None,
) -> Answered | Declined | str:
    """The answer to a question, or what to say instead (a refusal, or an apology for a bug)."""
    try:
        outcome = answerer.answer(question, context=context, progress=progress)
    except Exception as exc:
        return user_message(exc, question)
    if isinstance(outcome, InvalidQuestion | Failed):
        return texts.refusal(outcome, _language(question))
    return outcome


def _brief_line(brief: BriefInfo) -> str:
    facts = " · ".join(x for x in (brief.source, brief.published.isoformat() if brief.published else "") if x)
    return brief.title + (f" — {facts}" if facts else "")


_BOLD, _PLAIN = "\033[1m", "\033[0m"


def format_answer(answer: Answer, *, styled: bool = False) -> str:
    """Plain text; `styled` (a terminal) shows the answer phrases the reader found in bold."""
    text, emphasis = answer_words.body(answer)
    if styled and emphasis:
        text = "".join(f"{_BOLD}{p}{_PLAIN}" if bold else p for p, bold in segments(text, emphasis))
    words = texts.pick(answer.lang)
    lines = [text]
    if isinstance(answer, Answered) and answer.as_of:
        lines.append(words.as_of_day(date.fromisoformat(answer.as_of)))
    notice = answer_words.notice_line(answer)
    if notice:
        lines.append(notice)
    if isinstance(answer, Declined) and answer.nearest:
        lines += ["", words.closest]
        lines += [f"- {_brief_line(brief)}" for brief in answer.nearest]
    if answer.citations:
        lines += ["", words.sources]
    for citation in answer.citations:
        brief = citation.brief
        lines.append(f"[{citation.number}] {_brief_line(brief)}")
        if brief.url:
            lines.append(f"    {brief.url}")
        lines.append(f"    “{' '.join(citation.quote.split())}”")
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else str(value)


def answer_json(answer: Answer) -> str:
    """The whole answer as one JSON line, its text as the console shows it; each citation also carries its
    brief's id at the top level."""
    text, emphasis = answer_words.body(answer)
    answered = answer if isinstance(answer, Answered) else None
    data = {
        "question": answer.question,
        "text": text,
        "citations": [dataclasses.asdict(c) | {"brief_id": c.brief.id} for c in answer.citations],
        "lang": answer.lang,
        "abstained": answer.abstained,
        "mode": answer.mode,
        "nearest": [dataclasses.asdict(b) for b in answer.nearest] if isinstance(answer, Declined) else [],
        "notice": answer_words.notice_line(answer),
        "as_of": answered.as_of if answered else None,
        "timings": answer.timings,
        "evidence": answer.evidence,
        "emphasis": emphasis,
        "gate": answer.gate,
    }
    return json.dumps(data, ensure_ascii=False, default=_plain)


def ask_once(answerer: Asks, question: str, out: TextIO, *, as_json: bool) -> int:
    """Answer one question; exit status 0 when answered (or abstained), 1 when it could not be."""
    streamer = None if as_json else Streamer(out, detect_language(question))
    answer = reply(answerer, question, progress=streamer)
    if isinstance(answer, str):
        print(json.dumps({"question": question, "error": answer}) if as_json else answer, file=out)
        return 1
    if streamer is not None:
        streamer.finish()
    print(answer_json(answer) if as_json else format_answer(answer, styled=_is_terminal(out)), file=out)
    return 0


def ask_many(answerer: Asks, questions: Iterable[str], out: TextIO) -> int:
    """One JSON object per non-empty line; a failed question becomes an error object, the rest go on."""
    failures = 0
    for line in questions:
        question = line.strip()
        if question:
            failures += ask_once(answerer, question, out, as_json=True)
            out.flush()
    return 1 if failures else 0


def chat(answerer: Asks, read: Callable[[str], str], out: TextIO, greeting: str = "") -> None:
    """Question after question until /quit or end of input; short follow-ups get the previous question."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input(), where available)
    if greeting:
        print(greeting, file=out)
    print("Ask about the briefs (Indonesian or English). /quit to leave.", file=out)
    previous: str | None = None
    while True:
        try:
            question = read("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return
        if question.lower() in QUIT_COMMANDS:
            return
        if not question:
            continue
        # Only short questions lean on the previous one ("and Google?"); a full question stands alone.
        follow_up = previous if len(question.split()) <= FOLLOW_UP_WORDS else None
        streamer = Streamer(out, detect_language(question))
        answer = reply(answerer, question, context=follow_up, progress=streamer)
        if isinstance(answer, str):
            print(answer, file=out)
            continue
        streamer.finish()
        print(format_answer(answer, styled=_is_terminal(out)) + "\n", file=out)
        previous = question


def _is_terminal(out: TextIO) -> bool:
    return bool(getattr(out, "isatty", lambda: False)())
