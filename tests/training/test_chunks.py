"""A paragraph padded to chunk length with paragraphs on the same subject (eval.chunk_reads, training)."""

from __future__ import annotations

import random

from training.chunks import neighbour_finder, padded, padded_example, with_chunks
from training.data import Example

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


def test_a_padded_example_keeps_its_answer_under_its_span() -> None:
    example = Example("Siapa CEO sementara Scale AI?", PARAGRAPH, 0, "Jason Droege", "idk")
    for seed in range(10):
        moved = padded_example(example, NEIGHBOURS, random.Random(seed), words=60)
        assert moved.answer_start is not None
        assert moved.context[moved.answer_start : moved.answer_start + len("Jason Droege")] == "Jason Droege"
        assert moved.source == "idk-chunk"
    unanswerable = Example("Kapan Scale AI didirikan?", PARAGRAPH, None, None, "idk")
    assert padded_example(unanswerable, NEIGHBOURS, random.Random(1)).answer_start is None


def test_neighbours_are_on_the_subject_and_never_hold_the_answer() -> None:
    pool = [
        PARAGRAPH,
        "Droege memimpin Scale AI setelah Alexandr Wang pindah ke Meta. Jason Droege sebelumnya di Uber.",
        "Scale AI mengumumkan fokus baru pada pemerintahan dan perusahaan besar.",
        "Harga cabai di pasar induk naik menjelang Lebaran.",
    ]
    find = neighbour_finder(pool)
    found = find(Example("Siapa CEO sementara Scale AI?", PARAGRAPH, 0, "Jason Droege", "idk"))
    assert found[0] == pool[2]
    assert PARAGRAPH not in found and pool[1] not in found


def test_half_the_mix_is_copied_padded_among_paragraphs_of_its_own_language() -> None:
    indonesian = [
        Example(f"q{i}", f"Scale AI paragraf {i} tentang pelabelan data.", None, None, "idk")
        for i in range(6)
    ]
    english = [
        Example(f"e{i}", f"Scale AI paragraph {i} about data labelling.", None, None, "squad")
        for i in range(6)
    ]
    mix = with_chunks(indonesian + english, 0.5, random.Random(4))
    copies = mix[12:]
    assert len(copies) == 6 and all(c.source.endswith("-chunk") for c in copies)
    for copy in copies:
        assert ("paragraf" in copy.context) != ("paragraph" in copy.context)
