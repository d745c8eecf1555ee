"""The e5 tensors of a pack (`training.pack`) read back on the machine that trains: numpy and bot.reader only.

`PackedWeights` has what `training.model.from_e5` reads from an `E5File` (`header`, `fp32`), and the word
rows of the pack's compact vocabulary.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.reader.e5_file import Header, dequantise_q4


class PackedWeights:
    def __init__(self, folder: Path) -> None:
        manifest = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
        self.header = Header(**manifest["header"])
        self._tensors: dict[str, dict[str, int | bool]] = manifest["tensors"]
        self._arrays = np.load(folder / "e5.npz")

    def fp32(self, name: str) -> np.ndarray:
        info = self._tensors[name]
        raw = self._arrays[name]
        elements = int(info["elements"])
        if info["q4"]:
            return dequantise_q4(raw, elements)
        return raw.view(np.float32)[:elements].copy()

    def word_table(self) -> np.ndarray:
        """fp32 [compact vocabulary, hidden]: row i embeds the pack's token index i."""
        blocks = self._arrays["words_q4"]
        rows = blocks.shape[0]
        return dequantise_q4(blocks.reshape(-1), rows * self.header.hidden).reshape(rows, self.header.hidden)
