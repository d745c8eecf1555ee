"""Average two trained readers' weights: `python -m training.soup A.pt B.pt --weight 0.7 --out DIR`.

Stage 3 was trained from stage 2's weights, so the two sit in one basin and every point on the line between
them is a working model ("model soup"). Stage 3 learned English questions better and lost a little on
Indonesian ones; a point between them can keep more of both. The weight is chosen on valid sets only
(`docs/reader.md`). Writes DIR/reader.pt (for `training.export`) and DIR/train-summary.json recording what
was averaged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import torch


def soup(
    first: dict[str, torch.Tensor], second: dict[str, torch.Tensor], weight: float
) -> dict[str, torch.Tensor]:
    """(1 - weight) * first + weight * second, tensor by tensor; both must be the same architecture."""
    if first.keys() != second.keys():
        raise ValueError("the two state dicts hold different tensors: not the same model")
    mixed = {}
    for name, a in first.items():
        b = second[name]
        if a.shape != b.shape:
            raise ValueError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} differ")
        mixed[name] = (
            (a.float() * (1 - weight) + b.float() * weight).to(a.dtype) if a.is_floating_point() else b
        )
    return mixed


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="reader.pt at weight 0")
    parser.add_argument("second", type=Path, help="reader.pt at weight 1")
    parser.add_argument("--weight", type=float, required=True, help="share of the second model, 0..1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if not 0.0 <= args.weight <= 1.0:
        parser.error("--weight must be between 0 and 1")
    mixed = soup(
        torch.load(args.first, weights_only=True), torch.load(args.second, weights_only=True), args.weight
    )
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(mixed, args.out / "reader.pt")
    summary = {
        "soup": {
            "first": str(args.first),
            "first_sha256": _sha(args.first),
            "second": str(args.second),
            "second_sha256": _sha(args.second),
            "weight_of_second": args.weight,
        }
    }
    (args.out / "train-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out / 'reader.pt'} ({args.weight:.2f} of {args.second.name} from {args.second.parent})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
