"""Citation assembly and verification: what makes every [n] of an answer trustworthy.

Whatever produced the statements (sentence selection or an LLM), the answer is assembled here: markers are
numbered densely in order of first use, at most three per statement, each number maps to exactly one retrieved
passage, and each citation's quote is a verbatim slice of that passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answering.types import Answer, Answered, Citation, Line, Range
from store.sentences import Sentence
from store.types import Passage

MAX_MARKERS_PER_STATEMENT = 3
_MARKER_GROUP = re.compile(r"\s*\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")


@dataclass
class Statement:
    """One sentence of an answer and the passage sentences that support it."""

    text: str
    """Without markers."""
    support: list[tuple[Passage, Sentence]] = field(default_factory=list)
    phrase: str | None = None
    """The answer phrase inside `text` the reader is sure of (shown in bold); None: none."""


def strip_markers(text: str) -> tuple[str, list[int]]:
    """Remove [n] / [n, m] markers from a statement; return the clean text and the numbers in order."""
    numbers: list[int] = []
    for match in _MARKER_GROUP.finditer(text):
        numbers += [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
    clean = _MARKER_GROUP.sub("", text)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
    return re.sub(r"\s+", " ", clean).strip(), numbers


def assemble(statements: list[Statement]) -> tuple[list[Line], list[Citation]]:
    """The answer's lines with dense [n] markers, and their citations; unsupported statements are dropped."""
    numbers: dict[str, int] = {}
    spans: dict[str, list[Sentence]] = {}
    passages: dict[str, Passage] = {}
    lines: list[Line] = []
    for statement in statements:
        markers: list[int] = []
        for passage, sentence in statement.support:
            if passage.text[sentence.start : sentence.end] != sentence.text:
                continue  # never quote what is not literally in the passage
            key = passage.chunk_id
            if key not in numbers:
                if len(markers) >= MAX_MARKERS_PER_STATEMENT:
                    continue
                numbers[key] = len(numbers) + 1
                passages[key] = passage
            spans.setdefault(key, []).append(sentence)
            if numbers[key] not in markers and len(markers) < MAX_MARKERS_PER_STATEMENT:
                markers.append(numbers[key])
        if markers:
            lines.append(Line(statement.text, tuple(markers), _emphasis(statement)))
    citations = []
    for key, number in numbers.items():
        passage = passages[key]
        start = min(s.start for s in spans[key])
        end = max(s.end for s in spans[key])
        citations.append(Citation(number, passage, passage.text[start:end], start))
    return lines, sorted(citations, key=lambda c: c.number)


def _emphasis(statement: Statement) -> tuple[Range, ...]:
    # Inside the statement's own text only: never on a marker or another statement.
    at = statement.text.find(statement.phrase) if statement.phrase else -1
    return ((at, at + len(statement.phrase)),) if statement.phrase and at >= 0 else ()


def problems(answer: Answer) -> list[str]:
    """What is wrong with an answer's citations; empty when every promise the answer makes holds."""
    found: list[str] = []
    expected = list(range(1, len(answer.citations) + 1))
    if [c.number for c in answer.citations] != expected:
        found.append(f"citation numbers {[c.number for c in answer.citations]} are not 1..n")
    lines = answer.lines if isinstance(answer, Answered) else ()
    used = [n for line in lines for n in line.markers]
    first_use = list(dict.fromkeys(used))
    if sorted(first_use) != expected or first_use != expected:
        found.append(f"markers in order of first use {first_use} do not match citations {expected}")
    for citation in answer.citations:
        text = citation.passage.text
        if text[citation.quote_start : citation.quote_start + len(citation.quote)] != citation.quote:
            found.append(f"quote of [{citation.number}] is not a slice of its passage")
    return found
