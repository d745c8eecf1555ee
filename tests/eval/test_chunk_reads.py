"""eval.chunk_reads: a valid paragraph padded to chunk length with its question's other retrieved ones."""

from __future__ import annotations

import random

from eval.chunk_reads import padded

PARAGRAPH = "Jason Droege adalah CEO sementara Scale AI. Ia mengumumkan fokus baru perusahaan."
NEIGHBOURS = [
    "Scale AI menyediakan data pelatihan. " * 10 + "Kalimat ini tidak pernah terbaca.",
    "Meta memegang 49% saham Scale AI. Investasinya US$14,3 miliar.",
]


def test_the_paragraph_stays_whole_among_leading_sentences_of_its_neighbours() -> None:
    text = padded(PARAGRAPH, NEIGHBOURS, random.Random(3), words=40)
    assert PARAGRAPH in text
    assert len(text.split()) > 40
    # Sentences are taken from the start of each neighbour, in order, and no more than the target needs.
    assert "Scale AI menyediakan data pelatihan." in text
    assert "tidak pernah terbaca" not in text


def test_a_paragraph_already_long_enough_is_read_as_it_is() -> None:
    assert padded(PARAGRAPH, NEIGHBOURS, random.Random(3), words=5) == PARAGRAPH


def test_the_paragraph_is_placed_anywhere_among_the_padding() -> None:
    starts = {
        padded(PARAGRAPH, NEIGHBOURS, random.Random(seed), words=60).startswith(PARAGRAPH)
        for seed in range(20)
    }
    assert starts == {True, False}
