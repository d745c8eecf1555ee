"""Language detection for briefs and for the short questions people type into a chat."""

from __future__ import annotations

import pytest

from store.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("kenapa OpenAI keluar dari Scale AI?", "id"),
        ("why did OpenAI leave Scale AI?", "en"),
        ("siapa CEO sementara Scale AI?", "id"),
        ("who is the interim CEO of Scale AI?", "en"),
        ("berapa harga nikel bulan ini", "id"),
        ("apa itu QRIS", "id"),
        ("Meta membeli 49% saham Scale AI senilai US$14,3 miliar.", "id"),
        ("Meta bought 49% of Scale AI for US$14.3 billion.", "en"),
        (
            "Pemerintah menyatakan kebijakan itu bertujuan menjaga cadangan bijih untuk smelter dalam negeri "
            "dan menarik investasi baterai kendaraan listrik dari produsen global.",
            "id",
        ),
        (
            "Analysts said the extra supply kept prices on the London Metal Exchange under pressure, even as "
            "demand from battery makers stayed firm.",
            "en",
        ),
    ],
)
def test_indonesian_and_english(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!", "Scale AI"])
def test_too_little_to_tell(text: str) -> None:
    assert detect_language(text) == "und"
