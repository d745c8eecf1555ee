"""Sentence-aware chunking for Indonesian and English with exact character offsets.

A chunk is a run of whole sentences up to `chunk_size` model tokens; neighbouring chunks share up to
`chunk_overlap` tokens of whole sentences so an answer sentence near a border is seen whole in one of them.
Every chunk satisfies `brief.text[chunk.start:chunk.end] == chunk.text`, so answers can quote exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from store.types import Chunk

TokenCounter = Callable[[str], int]

# Words that end with a full stop without ending the sentence (compared lower-cased, without the dot).
_ABBREVIATION_WORDS = """
    rp dll dsb dst dkk tsb yth sdr sdri bpk ibu jl jln no nomor hlm tel telp kec kab prov ir drs dra
    prof dr mr mrs ms jr sr st inc corp ltd co tbk pt cv vs etc e.g i.e approx est dept gov univ
    jan feb mar apr jun jul agu aug sep sept okt oct nov des dec mt ps bn mln rb
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_HARD_BREAK = re.compile(r"\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*[\"'”’)\]]*$")


def approximate_tokens(text: str) -> int:
    """Subword count estimate for models without a tokenizer at hand (~1.4 tokens per word here)."""
    return max(1, round(len(text.split()) * 1.4))


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
    return first.isupper() or first.isdigit() or first in "\"'“‘([-–—•*"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of sentences, trimmed of surrounding whitespace, in order."""
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


def _trimmed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def _split_long(text: str, span: tuple[int, int], tokens: int, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at word boundaries into pieces of roughly `limit` tokens."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[span[0] : span[1]])]
    per_piece = max(1, int(len(words) * limit / max(tokens, 1)))
    pieces = []
    for i in range(0, len(words), per_piece):
        group = words[i : i + per_piece]
        pieces.append((span[0] + group[0][0], span[0] + group[-1][1]))
    return pieces


def chunk_text(
    brief_id: str,
    text: str,
    *,
    chunk_size: int,
    chunk_overlap: int,
    count_tokens: TokenCounter = approximate_tokens,
) -> list[Chunk]:
    """Chunk `text` into sentence-aligned spans; see the module docstring."""
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for span in split_sentences(text):
        tokens = count_tokens(text[span[0] : span[1]])
        if tokens <= chunk_size:
            units.append((*span, tokens))
        else:
            for piece in _split_long(text, span, tokens, chunk_size):
                units.append((*piece, count_tokens(text[piece[0] : piece[1]])))
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, units[first][2]
        while last + 1 < len(units) and total + units[last + 1][2] <= chunk_size:
            last += 1
            total += units[last][2]
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(brief_id, len(chunks), text[start:end], start, end))
        if last + 1 >= len(units):
            break
        # Step back over trailing sentences that fit in the overlap, but always move forward.
        nxt, shared = last + 1, 0
        while nxt - 1 > first and shared + units[nxt - 1][2] <= chunk_overlap:
            nxt -= 1
            shared += units[nxt][2]
        first = nxt
    return chunks
