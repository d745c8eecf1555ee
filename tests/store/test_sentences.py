from __future__ import annotations

import pytest

from store.sentences import sentence_spans, split_sentences

TEXTS = [
    "Meta bought 49% of Scale AI for about US$14.3 billion. OpenAI said the break began months earlier.",
    "OpenAI\n, perusahaan di balik ChatGPT, menghentikan kerja sama. Nilainya Rp472 triliun. "
    "Dr. Wang pindah ke Meta.",
    "First paragraph ends here\n\nSecond paragraph has no full stop",
    '  Leading spaces. "Quoted sentence." (Bracketed one.) Last!  ',
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_sentence_is_a_verbatim_slice_of_its_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()


def test_decimals_and_abbreviations_do_not_end_sentences() -> None:
    first, second = split_sentences(TEXTS[0])
    assert first.text.endswith("US$14.3 billion.")
    assert second.text.startswith("OpenAI said")
    indonesian = [s.text for s in split_sentences(TEXTS[1])]
    assert indonesian[-1] == "Dr. Wang pindah ke Meta."


def test_blank_lines_separate_sentences_without_punctuation() -> None:
    assert [s.text for s in split_sentences(TEXTS[2])] == [
        "First paragraph ends here",
        "Second paragraph has no full stop",
    ]


def test_indonesian_abbreviations_stay_whole_and_a_sentence_ending_in_nomor_still_ends() -> None:
    text = (
        "Tarifnya Rp. 15.000 per bulan di Kab. Bogor. Pelanggan tidak perlu mengganti nomor. "
        "Perusahaan mempertahankan merek XL."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Tarifnya Rp. 15.000 per bulan di Kab. Bogor.",
        "Pelanggan tidak perlu mengganti nomor.",
        "Perusahaan mempertahankan merek XL.",
    ]


def test_a_dash_starts_a_sentence_only_when_its_text_does() -> None:
    # IDK-MRC: "(lahir: 14?? - wafat: 1478)" was cut after "14??", and the answer led with "- wafat: 1478)".
    text = (
        "Prabu Brawijaya (lahir: 14?? - wafat: 1478) adalah raja terakhir Majapahit. Langkahnya:\n"
        "- Pertama, menyerang Kadiri. - Kedua, pulang."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Prabu Brawijaya (lahir: 14?? - wafat: 1478) adalah raja terakhir Majapahit.",
        "Langkahnya:\n- Pertama, menyerang Kadiri.",
        "- Kedua, pulang.",
    ]


def test_a_fragment_too_short_to_be_a_statement_joins_its_neighbour() -> None:
    text = "Sanctions. Fines reach 2% of annual revenue."
    assert sentence_spans(text) == [(0, 10), (11, 44)]
    assert [s.text for s in split_sentences(text)] == [text]
