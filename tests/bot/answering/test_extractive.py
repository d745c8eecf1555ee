"""Sentence choice: question-shaped subheadings never become statements of an answer."""

from __future__ import annotations

import numpy as np

from bot.answering.extractive import score_sentences
from bot.answering.sentence_vectors import PassageSentences
from store.sentences import split_sentences
from store.types import BriefInfo, Passage


def _passage(text: str) -> Passage:
    brief = BriefInfo(
        id="qris-explainer",
        title="QRIS explained",
        source="Warta Bisnis",
        url=None,
        published=None,
        lang="id",
        scope="test",
        origin="test",
        content_hash="x",
        chunk_count=1,
    )
    return Passage("qris-explainer#0", brief, text, 0, len(text), 0, score=1.0)


def test_a_subheading_question_is_never_picked_even_when_it_matches_best() -> None:
    text = "Apa itu QRIS? QRIS adalah standar nasional kode QR untuk pembayaran."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Apa itu QRIS?",
        "QRIS adalah standar nasional kode QR untuk pembayaran.",
    ]
    # The subheading is made the closest to the question, as e5 often makes it: it must still be skipped.
    vectors = np.array([[1.0, 0.0], [0.8, 0.6]], dtype=np.float32)
    group = PassageSentences(_passage(text), sentences, vectors)

    picks = score_sentences("apa itu QRIS?", np.array([1.0, 0.0], dtype=np.float32), [group])

    assert [p.sentence.text for p in picks] == ["QRIS adalah standar nasional kode QR untuk pembayaran."]
