"""Sentence vectors of retrieved passages, cached per chunk id.

Sentence-level scoring is what makes extractive answers precise, but embedding runs at ~9 passages/s here: the
same popular passages come back question after question, so their sentences are embedded once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.answering.ports import Embedder, Vectors
from store.sentences import Sentence, split_sentences
from store.types import Passage


@dataclass(frozen=True)
class PassageSentences:
    passage: Passage
    sentences: list[Sentence]
    vectors: Vectors
    """One L2-normalised row per sentence."""


class SentenceVectors:
    """Splits passages into sentences and embeds them (as passages, the e5 way), remembering the result."""

    def __init__(self, embedder: Embedder, max_chunks: int = 5000) -> None:
        self._embedder = embedder
        self._max = max_chunks
        self._cache: OrderedDict[str, tuple[str, list[Sentence], Vectors]] = OrderedDict()
        # The bundled embedder is not known to be thread-safe, and front ends answer in worker threads.
        self._lock = threading.Lock()

    def of(self, passages: Sequence[Passage]) -> list[PassageSentences]:
        with self._lock:
            missing = [p for p in passages if not self._fresh(p)]
            texts: list[str] = []
            split: list[list[Sentence]] = []
            for passage in missing:
                sentences = split_sentences(passage.text)
                split.append(sentences)
                texts.extend(s.text for s in sentences)
            vectors = self._embedder.embed_passages(texts) if texts else np.zeros((0, 1), np.float32)
            row = 0
            for passage, sentences in zip(missing, split, strict=True):
                block = np.asarray(vectors[row : row + len(sentences)], dtype=np.float32)
                row += len(sentences)
                self._cache[passage.chunk_id] = (passage.text, sentences, block)
            result = []
            for passage in passages:
                _, sentences, block = self._cache[passage.chunk_id]
                self._cache.move_to_end(passage.chunk_id)
                result.append(PassageSentences(passage, sentences, block))
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
            return result

    def _fresh(self, passage: Passage) -> bool:
        # A re-indexed brief may keep its chunk id with new text; the text check catches that.
        cached = self._cache.get(passage.chunk_id)
        return cached is not None and cached[0] == passage.text

    def embed_statements(self, texts: Sequence[str]) -> Vectors:
        """Vectors for free text (a question is embedded as a query; statements of a reply as passages)."""
        with self._lock:
            return np.asarray(self._embedder.embed_passages(list(texts)), dtype=np.float32)

    def embed_question(self, text: str) -> Vectors:
        with self._lock:
            vectors: Vectors = np.asarray(self._embedder.embed_queries([text]), dtype=np.float32)
            first: Vectors = vectors[0]
            return first
