"""Sentence-aware chunking for Indonesian and English with exact character offsets.

A chunk is a run of whole sentences up to `chunk_size` model tokens; neighbouring chunks share up to
`chunk_overlap` tokens of whole sentences so an answer sentence near a border is seen whole in one of them.
Every chunk satisfies `brief.text[chunk.start:chunk.end] == chunk.text`, so answers can quote exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from store.sentences import sentence_spans
from store.types import Chunk

TokenCounter = Callable[[str], int]


def approximate_tokens(text: str) -> int:
    """Subword count estimate for models without a tokenizer at hand (~1.4 tokens per word here)."""
    return max(1, round(len(text.split()) * 1.4))


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
    for span in sentence_spans(text):
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
