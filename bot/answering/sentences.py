"""Sentence splitting with offsets, shared by the extractive answerer and citation verification.

Offsets matter more than linguistic perfection: every quote an answer shows must be `text[start:end]` of the
passage it came from, so a sentence is always a verbatim slice, never a cleaned copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words after which a full stop does not end a sentence (English and Indonesian news style).
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "no", "vs", "etc",
        "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "agu", "aug", "sep", "sept",
        "okt", "oct", "nov", "des", "dec", "dll", "dsb", "dst", "yth", "bpk", "sdr", "tbk", "pt", "h", "hj",
        "drs", "ir", "m", "s",
    }
)  # fmt: skip

# A candidate boundary: terminal punctuation (plus closing quotes/brackets), then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)")
_BLANK_LINE = re.compile(r"\n\s*\n")
_NEXT_START = re.compile(r"\s+[\"“‘'(\[]?[A-Z0-9À-ÖØ-Þ]")
_MIN_CHARS = 12


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    """`source[start:end] == text`."""


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    match = re.search(r"([\w.]+)$", text[:dot])
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    # Single letters cover initials ("J. Smith"); digits before a dot are list items or decimals.
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _cut_points(text: str) -> list[int]:
    cuts: set[int] = {m.start() for m in _BLANK_LINE.finditer(text)}
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _NEXT_START.match(text, end):
            continue  # "2.5 million", "e.g. a" or a lowercase continuation: not a boundary
        if text[match.start()] == "." and _ends_with_abbreviation(text, match.start()):
            continue
        cuts.add(end)
    return sorted(cuts)


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into trimmed sentences that keep their offsets; tiny fragments join their neighbour."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*_cut_points(text), len(text)]:
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            left = start + (len(piece) - len(piece.lstrip()))
            right = left + len(stripped)
            if spans and (right - left < _MIN_CHARS or spans[-1][1] - spans[-1][0] < _MIN_CHARS):
                spans[-1] = (spans[-1][0], right)
            else:
                spans.append((left, right))
        start = cut
    return [Sentence(text[a:b], a, b) for a, b in spans]


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, for keyword overlap."""
    return [w.lower() for w in _WORD.findall(text)]
