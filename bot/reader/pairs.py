"""Question + passage as the reader's input: `<s> question </s></s> passage window </s>`, padded into a batch.

A passage longer than a window is read in overlapping windows; each window remembers which token of the
passage it starts at, so a span found in it maps back to characters of the passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.reader.tokenizer import Tokens

MAX_QUESTION_TOKENS = 40
# Four special tokens frame a pair.
SPECIALS = 4


@dataclass(frozen=True)
class Window:
    ids: np.ndarray
    """Token ids of the whole pair, specials included."""
    context_offset: int
    """Index in `ids` of the window's first passage token."""
    first_token: int
    """Index in the passage's own tokens of that first token."""
    length: int
    """Passage tokens in this window."""


def windows(
    question: Tokens, passage: Tokens, *, bos: int, eos: int, max_len: int, stride: int | None = None
) -> list[Window]:
    """The windows that cover `passage`, each paired with the (possibly truncated) question."""
    # The end of a long question is what is asked ("...; and Google?"): keep the last tokens.
    q_ids = question.ids[-MAX_QUESTION_TOKENS:]
    room = max_len - SPECIALS - len(q_ids)
    n = len(passage.ids)
    step = stride or max(1, room * 3 // 4)
    starts = [0]
    while starts[-1] + room < n:
        starts.append(starts[-1] + step)
    return [window_at(q_ids, passage, bos=bos, eos=eos, start=start, room=room) for start in starts]


def window_at(q_ids: np.ndarray, passage: Tokens, *, bos: int, eos: int, start: int, room: int) -> Window:
    chunk = passage.ids[start : start + room]
    head = np.concatenate([[bos], q_ids, [eos, eos]]).astype(np.int64)
    ids = np.concatenate([head, chunk, [eos]]).astype(np.int64)
    return Window(ids, len(head), start, len(chunk))


def batch(rows: list[np.ndarray], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Pair token ids padded into [b, t], and the attention mask [b, t] (int64)."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for row, item in enumerate(rows):
        ids[row, : len(item)] = item
        mask[row, : len(item)] = 1
    return ids, mask
