"""How the export makes weights int8: the shipped way keeps activations exact, so a row reads the same in any
batch, and the file reads back into the weights it came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch", reason="torch is in the train extra only")
onnx = pytest.importorskip("onnx", reason="onnx is in the train extra only")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from training.export import quantise  # noqa: E402
from training.from_onnx import state_dict_from_onnx  # noqa: E402

IN, OUT = 64, 48


def _one_matmul(path: Path, weight: np.ndarray) -> None:
    """x [b, IN] @ W [IN, OUT], the node named as torch.onnx names a Linear's MatMul in module `lin`."""
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="/lin/MatMul")],
        "one_matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", IN])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", OUT])],
        [numpy_helper.from_array(weight, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


@pytest.fixture
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    weight = rng.normal(0, 0.05, (IN, OUT)).astype(np.float32)
    x = rng.normal(0, 1, (6, IN)).astype(np.float32)
    x[0, 3] = 40.0  # one outlier activation, as transformer layers have: it sets a per-batch scale
    return weight, x


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(["y"], {"x": x})[0])


def _reads(tmp_path: Path, weight: np.ndarray, x: np.ndarray, how: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Quantise the one-MatMul model `how`; its output for all rows at once, and for each row alone."""
    _one_matmul(tmp_path / "fp32.onnx", weight)
    target = tmp_path / f"{how}.onnx"
    description = quantise(tmp_path / "fp32.onnx", target, how)
    alone = np.concatenate([_run(target, x[i : i + 1]) for i in range(len(x))])
    return description, _run(target, x), alone


def test_weight_only_int8_reads_each_row_the_same_alone_or_in_a_batch(
    tmp_path: Path, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    weight, x = rows
    description, together, alone = _reads(tmp_path, weight, x, "weights")
    assert "fp32 activations" in description
    exact = x @ weight
    np.testing.assert_allclose(together, alone, atol=1e-5)
    # Rows 1-5 have no outlier: their error comes from the weights' int8 step alone.
    assert np.max(np.abs(together[1:] - exact[1:])) < 0.01


def test_dynamic_int8_lets_one_row_change_the_others(
    tmp_path: Path, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    """Why the shipped file no longer quantises activations: the batch's outlier coarsens every row's step."""
    weight, x = rows
    _, together, alone = _reads(tmp_path, weight, x, "dynamic")
    exact = x @ weight
    assert np.max(np.abs(together[1:] - exact[1:])) > 3 * np.max(np.abs(alone[1:] - exact[1:]))


def test_the_weight_only_file_reads_back_into_its_weights(
    tmp_path: Path, rows: tuple[np.ndarray, np.ndarray]
) -> None:
    weight, _ = rows
    _one_matmul(tmp_path / "fp32.onnx", weight)
    quantise(tmp_path / "fp32.onnx", tmp_path / "weights.onnx", "weights")
    state = state_dict_from_onnx(tmp_path / "weights.onnx")
    assert set(state) == {"lin.weight"}
    # torch's Linear keeps [out, in]; within half an int8 step of each block's largest weight.
    np.testing.assert_allclose(state["lin.weight"].numpy(), weight.T, atol=np.abs(weight).max() / 127)


def test_an_unknown_quantisation_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown quantisation"):
        quantise(tmp_path / "fp32.onnx", tmp_path / "x.onnx", "fp16")
