"""What training minimises, and the learning-rate schedule: shared by the CPU and the GPU trainers."""

from __future__ import annotations

import math

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
