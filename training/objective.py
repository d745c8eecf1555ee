"""What training minimises, the learning-rate schedule and the batch order: shared by the CPU and the GPU
trainers."""

from __future__ import annotations

import math
import random

import numpy as np
import torch
from torch import nn

from training.model import Reader


def loss_of(model: Reader, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    embeds, mask, labels, starts, ends = batch
    answer, start_logits, end_logits = model(embeds, mask)
    answer_loss = nn.functional.binary_cross_entropy_with_logits(answer, labels)
    span_loss = (
        nn.functional.cross_entropy(start_logits, starts) + nn.functional.cross_entropy(end_logits, ends)
    ) / 2
    return answer_loss + span_loss


def learning_rate(base: float, step: int, warmup: int, progress: float) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    return base * max(0.02, 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def epoch_batches(lengths: np.ndarray, size: int, rng: random.Random) -> list[np.ndarray]:
    """One epoch in batches of similar length (less padding), in a random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[np.ndarray] = []
    block = size * 50
    for at in range(0, len(order), block):
        chunk = sorted(order[at : at + block], key=lambda i: lengths[i])
        out.extend(np.array(chunk[j : j + size]) for j in range(0, len(chunk), size))
    rng.shuffle(out)
    return out
