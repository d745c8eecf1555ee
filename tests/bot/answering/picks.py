"""Hand-made ranked sentences for the evidence gate's tests (the engine's and evaluation's alike)."""

from __future__ import annotations

import numpy as np

from bot.answering.extractive import Pick
from bot.answering.sentence_vectors import PassageSentences
from store.sentences import split_sentences
from store.types import BriefInfo, Passage


def picks(text: str, similarity: float, dense: float | None = None, title: str = "A brief") -> list[Pick]:
    """The sentences of one passage, all at `similarity` to the question, the first one best."""
    brief = BriefInfo("b1", title, "Wire", None, None, "en", "test", "", "hash", 1)
    passage = Passage("b1#0", brief, text, 0, len(text), 0, 1.0, dense_score=dense)
    sentences = split_sentences(text)
    group = PassageSentences(passage, sentences, np.zeros((len(sentences), 3), np.float32))
    return [Pick(group, s, similarity - 0.01 * i, similarity - 0.01 * i) for i, s in enumerate(sentences)]
