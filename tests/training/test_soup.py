"""The weight average of two readers (needs torch: the `train` extra)."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="torch is in the train extra only")

from training.soup import main, soup  # noqa: E402


def test_the_average_lies_between_the_two_and_ends_at_each() -> None:
    first = {"w": torch.zeros(2, 2), "steps": torch.tensor([1])}
    second = {"w": torch.ones(2, 2), "steps": torch.tensor([2])}
    assert torch.allclose(soup(first, second, 0.7)["w"], torch.full((2, 2), 0.7))
    assert torch.equal(soup(first, second, 0.0)["w"], first["w"])
    assert torch.equal(soup(first, second, 1.0)["w"], second["w"])


def test_different_models_are_refused() -> None:
    with pytest.raises(ValueError, match="shapes"):
        soup({"w": torch.zeros(2)}, {"w": torch.zeros(3)}, 0.5)
    with pytest.raises(ValueError, match="different tensors"):
        soup({"w": torch.zeros(2)}, {"v": torch.zeros(2)}, 0.5)


def test_the_command_writes_weights_and_what_was_averaged(tmp_path: Path) -> None:
    torch.save({"w": torch.zeros(3)}, tmp_path / "a.pt")
    torch.save({"w": torch.ones(3)}, tmp_path / "b.pt")
    assert (
        main(
            [str(tmp_path / "a.pt"), str(tmp_path / "b.pt"), "--weight", "0.25", "--out", str(tmp_path / "s")]
        )
        == 0
    )
    assert torch.allclose(torch.load(tmp_path / "s" / "reader.pt")["w"], torch.full((3,), 0.25))
    assert '"weight_of_second": 0.25' in (tmp_path / "s" / "train-summary.json").read_text()
