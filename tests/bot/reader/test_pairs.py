"""Question + passage windows: nothing longer than the model reads, every passage token covered."""

from __future__ import annotations

import itertools

import numpy as np

from bot.reader.pairs import MAX_QUESTION_TOKENS, SPECIALS, batch, windows
from bot.reader.tokenizer import Tokens


def tokens(n: int, first: int = 10) -> Tokens:
    ids = np.arange(first, first + n, dtype=np.int64)
    spans = np.stack([np.arange(n) * 2, np.arange(n) * 2 + 1], axis=1)
    return Tokens(ids, spans)


def test_a_short_passage_is_one_window_framed_by_specials() -> None:
    [window] = windows(tokens(5, 100), tokens(20), bos=0, eos=2, max_len=64)
    assert window.ids[0] == 0 and window.ids[-1] == 2
    assert window.ids[6:8].tolist() == [2, 2]
    assert window.context_offset == 8 and window.first_token == 0 and window.length == 20


def test_a_long_passage_is_covered_by_overlapping_windows_within_the_limit() -> None:
    passage = tokens(700)
    found = windows(tokens(12, 100), passage, bos=0, eos=2, max_len=128)
    assert all(len(w.ids) <= 128 for w in found)
    covered = set()
    for w in found:
        covered |= set(range(w.first_token, w.first_token + w.length))
        assert (
            w.ids[w.context_offset : w.context_offset + w.length].tolist()
            == passage.ids[w.first_token : w.first_token + w.length].tolist()
        )
    assert covered == set(range(700))
    assert all(b.first_token < a.first_token + a.length for a, b in itertools.pairwise(found))


def test_a_long_question_is_cut_so_the_passage_keeps_room() -> None:
    [window] = windows(tokens(300, 100), tokens(30), bos=0, eos=2, max_len=128)
    assert window.context_offset == 1 + MAX_QUESTION_TOKENS + 2
    assert window.length == 30 and len(window.ids) == MAX_QUESTION_TOKENS + 30 + SPECIALS


def test_batches_pad_and_mask() -> None:
    short, long = (
        windows(tokens(2), tokens(3), bos=0, eos=2, max_len=64),
        windows(tokens(2), tokens(9), bos=0, eos=2, max_len=64),
    )
    ids, mask = batch([short[0].ids, long[0].ids], pad=1)
    assert ids.shape == mask.shape == (2, 15)
    assert mask[0].sum() == 9 and (ids[0, 9:] == 1).all()
    assert mask[1].all()
