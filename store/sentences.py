"""The project's one sentence splitter, with exact character offsets (chunking and answers both use it).

Offsets matter more than linguistic perfection: every chunk and every quote an answer shows is
`text[start:end]` of its source, so a sentence is always a verbatim slice, never a cleaned copy. Compared
with the answer engine's former splitter it keeps Indonesian abbreviations whole ("Rp. 15.000", "Kab. Bogor")
and cuts 30 instead of 37 of 5,444 IDK-MRC answers (FacQA: 6 of 3,169 either way; `eval/sentence_splits.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end with a full stop without ending the sentence (compared lower-cased, without the dot).
_ABBREVIATION_WORDS = """
    rp dll dsb dst dkk tsb yth sdr sdri bpk ibu jl jln no hlm tel telp kec kab prov ir drs dra
    prof dr mr mrs ms jr sr st inc corp ltd co tbk pt cv vs etc e.g i.e approx est dept gov univ
    jan feb mar apr jun jul agu aug sep sept okt oct nov des dec mt ps bn mln rb
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_HARD_BREAK = re.compile(r"\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*[\"'”’)\]]*$")
# Shorter pieces ("Sanctions.", "Chief executive C.C.") join a neighbour when shown as a statement.
_MIN_STATEMENT_CHARS = 12


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    """`source[start:end] == text`."""


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop ending at `end` ends an abbreviation or an initial ("Rp.", "U.S.", "J.")."""
    if text[end - 1] != ".":
        return False
    match = _WORD_BEFORE.search(text, 0, end)
    if not match:
        return False
    word = match.group(1).rstrip(".").lower()
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "Jason D. Droege"
    if "." in word:
        return True  # dotted forms: "u.s", "e.g"
    return word in _ABBREVIATIONS


def _next_starts_sentence(text: str, pos: int) -> bool:
    rest = text[pos:].lstrip()
    if not rest:
        return True
    first = rest[0]
    if first in "-–—•*":
        # A bullet starts a sentence when its text does: "(lahir: 14?? - wafat: 1478)" is one sentence.
        after = rest[1:].lstrip()
        return not after or after[0].isupper() or after[0].isdigit() or after[0] in "\"'“‘(["
    return first.isupper() or first.isdigit() or first in "\"'“‘(["


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, trimmed of surrounding whitespace, in order; none is ever dropped."""
    cuts: set[int] = {m.start() for m in _HARD_BREAK.finditer(text)}
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _is_abbreviation(text, match.start() + 1 if text[match.start()] == "." else end) and (
            _next_starts_sentence(text, end)
        ):
            cuts.add(end)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        spans.extend(_trimmed(text, start, cut))
        start = cut
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences to show as statements: as `sentence_spans`, with tiny fragments joined to a neighbour."""
    spans: list[tuple[int, int]] = []
    for left, right in sentence_spans(text):
        tiny = right - left < _MIN_STATEMENT_CHARS
        if spans and (tiny or spans[-1][1] - spans[-1][0] < _MIN_STATEMENT_CHARS):
            spans[-1] = (spans[-1][0], right)
        else:
            spans.append((left, right))
    return [Sentence(text[a:b], a, b) for a, b in spans]


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []
