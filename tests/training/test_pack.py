"""The pack a GPU machine trains from: the encoder read back exactly, and gold spans found in their windows.

Uses the bundled e5 file and tokenizer (the runtime's own); no shared data and no torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.reader.e5_file import E5File
from bot.reader.tokenizer import E5Tokenizer
from training.data import Example
from training.pack import valid_windows, write_weights
from training.packed import PackedWeights


@pytest.fixture(scope="module")
def source() -> E5File:
    return E5File()


def test_packed_weights_read_back_what_the_e5_file_holds(source: E5File, tmp_path: Path) -> None:
    compact = np.array([5, 17, 2048, 250001], dtype=np.int64)
    (tmp_path / "pack.json").write_text(
        json.dumps(write_weights(source, compact, tmp_path)), encoding="utf-8"
    )
    packed = PackedWeights(tmp_path)
    assert packed.header == source.header
    for name in ("emb.pos", "emb.ln.w", "l0.q.w", "l11.fo.b", "l5.oln.w"):
        assert np.array_equal(packed.fp32(name), source.fp32(name)), name
    assert np.array_equal(packed.word_table(), source.word_rows(compact))


def test_each_window_knows_where_the_answer_is_in_it(source: E5File) -> None:
    tokenizer = E5Tokenizer(source)
    filler = "Museum itu ramai dikunjungi wisatawan setiap akhir pekan. " * 12
    context = filler + "Museum Rudana dibangun pada tahun 1990 di Ubud, Bali. " + filler
    answerable = Example("Kapan Museum Rudana dibangun?", context, context.index("1990"), "1990", "idk")
    unanswerable = Example("Siapa arsitek museum itu?", context, None, None, "idk")
    ids, owner, is_answerable, starts, ends = valid_windows([answerable, unanswerable], tokenizer, 64)

    assert len(ids) > 4 and set(owner) == {0, 1}, "a long paragraph is read in several windows"
    assert is_answerable.tolist() == [o == 0 for o in owner]
    with_gold = [row for row in range(len(ids)) if starts[row] > 0]
    assert with_gold and all(owner[row] == 0 for row in with_gold)
    passage = tokenizer.encode_many([context])[0]
    at = context.index("1990")
    covering = (passage.spans[:, 1] > at) & (passage.spans[:, 0] < at + len("1990"))
    expected = passage.ids[covering].tolist()
    for row in with_gold:
        assert ids[row][starts[row] : ends[row] + 1].tolist() == expected
