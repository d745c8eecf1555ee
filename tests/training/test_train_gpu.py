"""The GPU trainer's pieces: whole epochs, and the parts brought back (needs torch: the `train` extra)."""

from __future__ import annotations

import argparse
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is in the train extra only")

from training.objective import epoch_batches  # noqa: E402
from training.train_gpu import join  # noqa: E402


def test_an_epoch_holds_every_feature_once_in_batches_of_similar_length() -> None:
    lengths = np.array([random.Random(1).randrange(10, 200) for _ in range(1000)])
    batches = epoch_batches(lengths, 32, random.Random(7))
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    assert spread < 20, "length-sorted blocks keep padding low"


def test_fp16_parts_join_back_into_the_weights(tmp_path: Path) -> None:
    state = {"w": torch.randn(64, 64), "b": torch.randn(64)}
    buffer = io.BytesIO()
    torch.save({k: v.half() for k, v in state.items()}, buffer)
    blob = buffer.getvalue()
    for i, at in enumerate(range(0, len(blob), 3000)):
        (tmp_path / f"reader-fp16.part{i}").write_bytes(blob[at : at + 3000])
    assert i >= 2, "several parts, so their order matters"
    report = {
        "winner": "soup",
        "candidates": {
            "a": {"summary": {"seed": 1}, "valid": {"score": 1.2}},
            "b": {"summary": {"seed": 2}, "valid": {"score": 1.1}},
            "soup": {"summary": {"soup_of": ["a", "b"]}, "valid": {"score": 1.3}},
        },
    }
    (tmp_path / "select.json").write_text(json.dumps(report), encoding="utf-8")
    join(argparse.Namespace(parts=tmp_path, out=tmp_path / "out"))
    back = torch.load(tmp_path / "out" / "reader.pt", weights_only=True)
    assert back["w"].dtype == torch.float32
    assert torch.allclose(back["w"], state["w"], atol=1e-2)
    summary = json.loads((tmp_path / "out" / "train-summary.json").read_text(encoding="utf-8"))
    assert summary["gpu_selection"]["winner"] == "soup"
    assert [run["seed"] for run in summary["gpu_selection"]["runs"]] == [1, 2], "an average names its runs"
