"""Briefs without a title get a short, readable one from their first sentence."""

from __future__ import annotations

from ingest.titles import derive_title


def test_short_first_sentence_is_the_title() -> None:
    assert (
        derive_title("Bank Indonesia holds rates at 5.75%. Inflation eased.")
        == "Bank Indonesia holds rates at 5.75%"
    )


def test_leading_aside_is_dropped_and_long_sentence_cut_at_a_clause() -> None:
    text = (
        "OpenAI, perusahaan di balik ChatGPT, menyatakan penghentian kerjasama dengan Scale AI, "
        "perusahaan yang menawarkan layanan pelabelan data, tak lama setelah Meta berinvestasi."
    )
    assert derive_title(text) == "OpenAI menyatakan penghentian kerjasama dengan Scale AI"


def test_long_sentence_without_commas_is_cut_at_a_word() -> None:
    text = " ".join(["kata"] * 60) + "."
    title = derive_title(text)
    assert len(title) <= 91
    assert title.endswith("kata…")
