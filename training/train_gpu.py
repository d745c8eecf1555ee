"""Train the reader on a GPU from a pack (`training.pack`): several runs side by side, then keep the best.

    python -m training.train_gpu train --pack var/gpu-pack --out /tmp/runs/a --lr 1e-4 --epochs 4 --seed 1
    python -m training.train_gpu train ... --init-onnx bot/reader/model/reader-int8.onnx  # the shipped one
    python -m training.train_gpu select --pack var/gpu-pack --out OUT /tmp/runs/*
    python -m training.train_gpu join OUT --out var/reader-gpu        # back here: fp32 reader.pt for export

Two cores train about 9 pairs a second, so the CPU stages (`training.train_reader`) each saw a capped sample
of the sources; on one GPU an epoch of every source takes seconds, and the limit is the data. `train` runs
whole epochs in length-sorted batches with bf16 autocast, the same objective and schedule as the CPU trainer,
and a wall-clock cap (`--minutes`) that stops early with the schedule advanced by time. `select` scores every
run on the pack's valid windows (valid questions only: the IDK-MRC valid split, our English tune split,
FacQA valid), tries a greedy weight average of the runs that started from e5 (one basin, as `training.soup`
relies on), and writes the best model as fp16 parts small enough to bring back (`--part-mb`), with
`select.json` holding every candidate's scores.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import time
from pathlib import Path

import numpy as np
import torch

from eval.metrics import roc_auc
from training.model import Reader, from_e5
from training.objective import epoch_batches, learning_rate, loss_of
from training.packed import PackedWeights

logger = logging.getLogger("train_gpu")

# The answer span a user is shown is at most this many tokens (as at run time, `bot.reader.model`).
MAX_SPAN_TOKENS = 30


class Padded:
    """A pack's flat token ids as one padded matrix on the device, with lengths."""

    def __init__(self, arrays: np.lib.npyio.NpzFile, device: torch.device) -> None:
        lengths = arrays["lengths"].astype(np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = arrays["ids"].astype(np.int64)
        matrix = np.zeros((len(lengths), int(lengths.max())), dtype=np.int64)
        for row, (start, length) in enumerate(zip(offsets[:-1], lengths, strict=True)):
            matrix[row, :length] = flat[start : start + length]
        self.ids = torch.from_numpy(matrix).to(device)
        self.lengths = lengths
        self.mask = (torch.arange(matrix.shape[1])[None] < torch.from_numpy(lengths)[:, None]).to(device)

    def rows(self, index: np.ndarray, table: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Embedded rows `index` trimmed to their longest, their attention mask, and `index` on the device."""
        width = int(self.lengths[index].max())
        picked = torch.from_numpy(index).to(self.ids.device)
        return table[self.ids[picked, :width]], self.mask[picked, :width].float(), picked


def build(pack: Path, init_onnx: Path | None) -> Reader:
    model = from_e5(PackedWeights(pack))
    if init_onnx is not None:
        from training.from_onnx import state_dict_from_onnx

        model.load_state_dict(state_dict_from_onnx(init_onnx))
    return model


def train(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        handlers=[logging.FileHandler(args.out / "train.log"), logging.StreamHandler()],
    )
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    weights = PackedWeights(args.pack)
    table = torch.from_numpy(weights.word_table()).to(device)
    arrays = np.load(args.pack / "train.npz")
    data = Padded(arrays, device)
    labels = torch.from_numpy(arrays["labels"]).to(device)
    starts = torch.from_numpy(arrays["starts"].astype(np.int64)).to(device)
    ends = torch.from_numpy(arrays["ends"].astype(np.int64)).to(device)
    if args.limit:
        data.lengths = data.lengths[: args.limit]
    model = build(args.pack, args.init_onnx).to(device)
    heads = [p for n, p in model.named_parameters() if n.startswith(("answer_head", "span_head"))]
    body = [p for n, p in model.named_parameters() if not n.startswith(("answer_head", "span_head"))]
    optimiser = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": heads, "lr": args.head_lr}], weight_decay=0.01
    )
    per_epoch = (len(data.lengths) + args.batch - 1) // args.batch
    total = per_epoch * args.epochs
    warmup = max(1, int(total * args.warmup_share))
    logger.info(
        "train features=%s steps=%s device=%s args=%s",
        len(data.lengths),
        total,
        device,
        {k: str(v) for k, v in vars(args).items() if k != "func"},
    )
    started = time.monotonic()
    budget = args.minutes * 60
    step, window = 0, []
    model.train()
    for epoch in range(args.epochs):
        for index in epoch_batches(data.lengths, args.batch, rng):
            spent = time.monotonic() - started
            if spent > budget:
                break
            progress = max(step / total, spent / budget)
            for group, base in zip(optimiser.param_groups, (args.lr, args.head_lr), strict=True):
                group["lr"] = learning_rate(base, step, warmup, progress)
            embeds, mask, picked = data.rows(index, table)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                loss = loss_of(model, (embeds, mask, labels[picked], starts[picked], ends[picked]))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            step += 1
            window.append(loss.detach())
            if step % 200 == 0:
                logger.info(
                    "epoch=%s step=%s/%s loss=%.4f min=%.2f pairs_per_s=%.0f",
                    epoch,
                    step,
                    total,
                    float(torch.stack(window).mean()),
                    spent / 60,
                    step * args.batch / max(spent, 1e-9),
                )
                window.clear()
    spent = time.monotonic() - started
    torch.save(model.state_dict(), args.out / "reader.pt")
    summary = {
        "steps": step,
        "planned_steps": total,
        "pairs": step * args.batch,
        "epochs": round(step / per_epoch, 2),
        "minutes": round(spent / 60, 2),
        "features": len(data.lengths),
        "lr": args.lr,
        "head_lr": args.head_lr,
        "batch": args.batch,
        "seed": args.seed,
        "init": str(args.init_onnx) if args.init_onnx else "e5",
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
    }
    (args.out / "train-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    logger.info("done %s", summary)
    return 0


@torch.no_grad()
def score_valid(model: Reader, pack: Path, table: torch.Tensor, device: torch.device) -> dict[str, float]:
    """Per valid set: answerability AUC over questions (best window) and the share of answerable questions
    whose best window's best span overlaps the gold span."""
    model.eval()
    out: dict[str, float] = {}
    for path in sorted(pack.glob("valid-*.npz")):
        name = path.stem.removeprefix("valid-")
        arrays = np.load(path)
        data = Padded(arrays, device)
        owner, answerable = arrays["owner"], arrays["answerable"]
        gold_start, gold_end = arrays["starts"], arrays["ends"]
        logits = np.zeros(len(owner), dtype=np.float32)
        spans = np.zeros((len(owner), 2), dtype=np.int64)
        for at in range(0, len(owner), 256):
            index = np.arange(at, min(at + 256, len(owner)))
            embeds, mask, _ = data.rows(index, table)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                answer, start, end = model(embeds, mask)
            start, end = start.float(), end.float()
            pair = start[:, :, None] + end[:, None, :]
            t = pair.shape[1]
            allowed = torch.ones(t, t, dtype=torch.bool, device=device).triu().tril(MAX_SPAN_TOKENS - 1)
            allowed[0, :] = False  # position 0 is the no-answer target
            pair = pair.masked_fill(~allowed, -1e9).reshape(len(index), -1)
            best = pair.argmax(-1).cpu().numpy()
            spans[index] = np.stack([best // t, best % t], axis=1)
            logits[index] = answer.float().cpu().numpy()
        questions = int(owner.max()) + 1
        best_logit = np.full(questions, -np.inf, dtype=np.float32)
        best_window = np.zeros(questions, dtype=np.int64)
        for row in range(len(owner)):
            if logits[row] > best_logit[owner[row]]:
                best_logit[owner[row]], best_window[owner[row]] = logits[row], row
        positive = np.zeros(questions, dtype=bool)
        positive[owner[answerable]] = True
        hits = []
        for q in np.nonzero(positive)[0]:
            row = best_window[q]
            s, e = spans[row]
            hits.append(bool(gold_start[row] > 0 and s <= gold_end[row] and e >= gold_start[row]))
        if (~positive).any():
            out[f"{name}.auc"] = round(roc_auc(best_logit, positive), 4)
        out[f"{name}.span"] = round(float(np.mean(hits)), 4)
    aucs = [v for k, v in out.items() if k.endswith(".auc")]
    spans_hit = [v for k, v in out.items() if k.endswith(".span")]
    out["score"] = round(float(np.mean(aucs)) + 0.5 * float(np.mean(spans_hit)), 4)
    return out


def average(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    return {name: sum(s[name].float() for s in states) / len(states) for name in states[0]}  # type: ignore[misc]


def select(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    table = torch.from_numpy(PackedWeights(args.pack).word_table()).to(device)
    model = build(args.pack, None).to(device)
    candidates: dict[str, dict[str, object]] = {}
    states: dict[str, dict[str, torch.Tensor]] = {}
    for run in args.runs:
        if not (run / "reader.pt").exists():
            logger.warning("no reader.pt in %s", run)
            continue
        summary = json.loads((run / "train-summary.json").read_text(encoding="utf-8"))
        states[run.name] = torch.load(run / "reader.pt", map_location=device, weights_only=True)
        model.load_state_dict(states[run.name])
        candidates[run.name] = {"summary": summary, "valid": score_valid(model, args.pack, table, device)}
        print(run.name, json.dumps(candidates[run.name]["valid"]), flush=True)

    def score(name: str) -> float:
        return float(candidates[name]["valid"]["score"])  # type: ignore[index]

    from_e5_runs = sorted(
        (n for n in states if candidates[n]["summary"]["init"] == "e5"),  # type: ignore[index]
        key=score,
        reverse=True,
    )
    if len(from_e5_runs) > 1:
        chosen = [from_e5_runs[0]]
        best: dict[str, float] = candidates[from_e5_runs[0]]["valid"]  # type: ignore[assignment]
        for name in from_e5_runs[1:]:
            mixed = average([states[n] for n in [*chosen, name]])
            model.load_state_dict(mixed)
            trial = score_valid(model, args.pack, table, device)
            print("soup", [*chosen, name], json.dumps(trial), flush=True)
            if trial["score"] > best["score"]:
                chosen.append(name)
                best = trial
                states["soup"] = mixed
        if len(chosen) > 1:
            candidates["soup"] = {"summary": {"soup_of": chosen}, "valid": best}
    winner = max(candidates, key=score)
    buffer = io.BytesIO()
    torch.save({k: v.detach().to("cpu", torch.float16) for k, v in states[winner].items()}, buffer)
    blob = buffer.getvalue()
    part = int(args.part_mb * 1_000_000)
    for i, at in enumerate(range(0, len(blob), part)):
        (args.out / f"reader-fp16.part{i}").write_bytes(blob[at : at + part])
    report = {"winner": winner, "candidates": candidates}
    (args.out / "select.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("winner", winner, json.dumps(candidates[winner]["valid"]), flush=True)
    return 0


def join(args: argparse.Namespace) -> int:
    """fp16 parts -> fp32 reader.pt (for `training.export`) and the selection's train-summary.json."""
    parts = sorted(
        args.parts.glob("reader-fp16.part*"), key=lambda p: int(p.name.removeprefix("reader-fp16.part"))
    )
    state = torch.load(io.BytesIO(b"".join(p.read_bytes() for p in parts)), weights_only=True)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.float() for k, v in state.items()}, args.out / "reader.pt")
    report = json.loads((args.parts / "select.json").read_text(encoding="utf-8"))
    winner = report["winner"]
    chosen = report["candidates"][winner]
    # An average records what it averaged: each run's own summary (rate, batch, seed, epochs, device).
    runs = [report["candidates"][name]["summary"] for name in chosen["summary"].get("soup_of", [])]
    summary = {"gpu_selection": {"winner": winner, **chosen, **({"runs": runs} if runs else {})}}
    (args.out / "train-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{len(state)} tensors from {len(parts)} parts -> {args.out / 'reader.pt'} ({winner})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(required=True)
    run = commands.add_parser("train", help="one run from a pack")
    run.add_argument("--pack", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--epochs", type=int, default=4)
    run.add_argument("--minutes", type=float, default=6.0, help="wall-clock cap")
    run.add_argument("--batch", type=int, default=64)
    run.add_argument("--lr", type=float, default=1e-4)
    run.add_argument("--head-lr", type=float, default=5e-4)
    run.add_argument("--warmup-share", type=float, default=0.06)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument("--init-onnx", type=Path, help="start from this int8 reader file, not e5-small")
    run.add_argument("--limit", type=int, default=0, help="first N features only (a smoke run)")
    run.set_defaults(func=train)
    pick = commands.add_parser("select", help="score runs on valid, average, write the best as fp16 parts")
    pick.add_argument("--pack", type=Path, required=True)
    pick.add_argument("--out", type=Path, required=True)
    pick.add_argument("--part-mb", type=float, default=15.0)
    pick.add_argument("runs", type=Path, nargs="+")
    pick.set_defaults(func=select)
    back = commands.add_parser("join", help="fp16 parts -> fp32 reader.pt")
    back.add_argument("parts", type=Path)
    back.add_argument("--out", type=Path, required=True)
    back.set_defaults(func=join)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
