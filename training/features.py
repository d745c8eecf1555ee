"""Examples -> fixed training inputs: pair token ids, a window around the answer, and span targets."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from bot.reader.pairs import MAX_QUESTION_TOKENS, SPECIALS, window_at
from bot.reader.tokenizer import E5Tokenizer
from training.data import Example


@dataclass(frozen=True)
class Feature:
    ids: np.ndarray
    label: float
    start: int
    """Index of the answer's first token in `ids`; 0 (the `<s>` token) when the window holds no answer."""
    end: int
    source: str


def featurise(examples: list[Example], tokenizer: E5Tokenizer, max_len: int, seed: int) -> list[Feature]:
    rng = random.Random(seed)
    questions = tokenizer.encode_many([e.question for e in examples])
    passages = tokenizer.encode_many([e.context for e in examples])
    out: list[Feature] = []
    for example, question, passage in zip(examples, questions, passages, strict=True):
        q_ids = question.ids[-MAX_QUESTION_TOKENS:]
        room = max_len - SPECIALS - len(q_ids)
        n = len(passage.ids)
        if example.answer is None or example.answer_start is None:
            start = rng.randrange(0, max(1, n - room + 1))
            window = window_at(q_ids, passage, bos=tokenizer.bos, eos=tokenizer.eos, start=start, room=room)
            out.append(Feature(window.ids, 0.0, 0, 0, example.source))
            continue
        a_start, a_end = example.answer_start, example.answer_start + len(example.answer)
        inside = np.nonzero((passage.spans[:, 1] > a_start) & (passage.spans[:, 0] < a_end))[0]
        if len(inside) == 0 or inside[-1] - inside[0] + 1 > room:
            continue
        first, last = int(inside[0]), int(inside[-1])
        lowest = max(0, last - room + 1)
        highest = min(first, max(0, n - room))
        start = rng.randint(lowest, max(lowest, highest))
        window = window_at(q_ids, passage, bos=tokenizer.bos, eos=tokenizer.eos, start=start, room=room)
        offset = window.context_offset - start
        out.append(Feature(window.ids, 1.0, first + offset, last + offset, example.source))
    return out
