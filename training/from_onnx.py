"""Read the shipped int8 reader back into torch weights: `python -m training.from_onnx --out var/reader-ship`.

The torch weights of a trained stage live in `var/`, outside the repository; when they are lost, the shipped
ONNX file is the only copy of the model. Its matrices are int8 with a scale per block of 32 input values
(MatMulNBits; files exported with `--quantise dynamic` have a scale and zero point per output channel and the
position table uint8 with one scale), so dequantising them gives weights within half a quantisation step of
the trained ones: close enough to train a further stage from, at the cost of that step's noise, instead of
retraining every stage from e5-small (hours on two cores). Writes `OUT/reader.pt` for `train_reader --init`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.reader.model import MODEL_DIR, MODEL_FILE

if TYPE_CHECKING:
    import torch


def module_of(node_name: str) -> str:
    """The torch module a quantised MatMul node came from: torch.onnx names nodes by module scope.

    "/layers.3/fi/MatMul_quant" -> "layers.3.fi"; "/answer_head/answer_head.0/Gemm_MatMul_quant" ->
    "answer_head.0" (a Sequential's scope repeats its own name); "/span_head/MatMul_quant" and
    "/span_head/MatMul_Q8" (MatMulNBits) -> "span_head".
    """
    *scopes, op = node_name.strip("/").split("/")
    if not scopes or not op.endswith(("MatMul_quant", "MatMul_Q8")):
        raise ValueError(f"unexpected quantised matrix {node_name!r}")
    if len(scopes) > 1 and scopes[-1].startswith(f"{scopes[0]}."):
        return scopes[-1]
    return ".".join(scopes)


def dequantised(values: dict[str, np.ndarray], stem: str) -> np.ndarray:
    """q, scale, zero point -> fp32; scale and zero point are per column of a [in, out] matrix, or scalars."""
    quantised = values[f"{stem}_quantized"].astype(np.float32)
    zero = values[f"{stem}_zero_point"].astype(np.float32)
    return ((quantised - zero) * values[f"{stem}_scale"]).astype(np.float32)


def block_dequantised(packed: np.ndarray, scales: np.ndarray, k: int, bits: int) -> np.ndarray:
    """MatMulNBits' B -> the torch Linear weight [out, in]: `packed` is [out, blocks, block] uint8 (8 bits:
    one value per byte), `scales` one per block; without zero points the zero is 2^(bits-1)."""
    if bits != 8:
        raise ValueError(f"only 8-bit blocks are read back, not {bits}-bit")
    out, blocks, size = packed.shape
    values = (packed.astype(np.float32) - 2 ** (bits - 1)) * scales.reshape(out, blocks, 1)
    return values.reshape(out, blocks * size)[:, :k].astype(np.float32)


def state_dict_from_onnx(path: Path) -> dict[str, torch.Tensor]:
    """The `training.model.Reader` state dict the int8 file was exported from, dequantised."""
    # Imported here: onnx and torch come with the `train` extra only, and the name mapping above is tested
    # without them.
    import onnx
    import torch
    from onnx import numpy_helper

    model = onnx.load(str(path))
    values = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    blocked = {name for node in model.graph.node if node.op_type == "MatMulNBits" for name in node.input[1:]}
    state: dict[str, np.ndarray] = {
        name: array
        for name, array in values.items()
        if not name.endswith(("_quantized", "_scale", "_zero_point")) and name not in blocked
    }
    if "position.weight_quantized" in values:
        state["position.weight"] = dequantised(values, "position.weight")
    for node in model.graph.node:
        if node.op_type == "MatMulInteger":
            stem = node.input[1].removesuffix("_quantized")
            # ONNX multiplies x @ W with W as [in, out]; torch's Linear keeps [out, in].
            state[f"{module_of(node.name)}.weight"] = dequantised(values, stem).T.copy()
        elif node.op_type == "MatMulNBits":
            if len(node.input) > 3 and node.input[3]:
                raise ValueError(
                    f"{node.name}: block zero points are not read back (the export is symmetric)"
                )
            attributes = {a.name: a.i for a in node.attribute}
            state[f"{module_of(node.name)}.weight"] = block_dequantised(
                values[node.input[1]], values[node.input[2]], attributes["K"], attributes["bits"]
            )
    return {
        name: torch.from_numpy(np.array(array, dtype=np.float32, copy=True)) for name, array in state.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=MODEL_DIR / MODEL_FILE, help="the int8 ONNX file")
    parser.add_argument("--out", type=Path, required=True, help="folder for reader.pt")
    args = parser.parse_args(argv)
    import torch

    state = state_dict_from_onnx(args.model)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out / "reader.pt")
    print(f"{len(state)} tensors -> {args.out / 'reader.pt'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
