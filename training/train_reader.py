"""Train the reader in two stages (the shipped model is the second):

    python -m training.train_reader --data ../shared/data --out var/reader-train --minutes 80
    python -m training.train_reader --data ../shared/data --out var/reader-refine --mix refine \
        --init var/reader-train/reader.pt --minutes 70 --lr 4e-5 --head-lr 2e-4 --warmup 50 --seed 14

Time-budgeted (`--minutes`): the learning rate follows the elapsed share of the budget, so a run of any
length ends with a decayed rate. Checkpoints every `--checkpoint-minutes` (model, optimiser, position in the
shuffled data, elapsed time, RNG state); a rerun with the same `--out` resumes. Logs the data mix, seed, steps
and speed to `OUT/train.log`, and writes `OUT/reader.pt` (weights only) when done.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

from bot.reader import pairs
from bot.reader.e5_file import E5File
from bot.reader.tokenizer import E5Tokenizer
from training.data import MIXES
from training.features import Feature, featurise
from training.model import Reader, from_e5
from training.objective import epoch_batches, learning_rate, loss_of

logger = logging.getLogger("train_reader")


def tensors(
    batch: list[Feature], source: E5File, pad: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    ids, mask = pairs.batch([f.ids for f in batch], pad)
    embeds = torch.from_numpy(source.word_rows(ids).astype(np.float32))
    labels = torch.tensor([f.label for f in batch])
    starts = torch.tensor([f.start for f in batch])
    ends = torch.tensor([f.end for f in batch])
    return embeds, torch.from_numpy(mask.astype(np.float32)), labels, starts, ends


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("var/reader-train"))
    parser.add_argument("--minutes", type=float, default=90.0, help="training time budget")
    parser.add_argument("--max-len", type=int, default=192)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--head-lr", type=float, default=5e-4)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--mix", choices=sorted(MIXES), default="base", help="which data mix (training.data)")
    parser.add_argument("--init", type=Path, help="start from these weights (reader.pt), not e5-small")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint-minutes", type=float, default=5.0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        handlers=[logging.FileHandler(args.out / "train.log"), logging.StreamHandler()],
    )
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    source = E5File()
    tokenizer = E5Tokenizer(source)

    cache = args.out / f"features-{args.mix}-{args.max_len}-{args.seed}.pkl"
    if cache.exists():
        features: list[Feature] = pickle.loads(cache.read_bytes())
    else:
        examples = MIXES[args.mix](args.data, args.seed)
        features = featurise(examples, tokenizer, args.max_len, args.seed)
        cache.write_bytes(pickle.dumps(features))
    mix = Counter(f.source for f in features)
    logger.info(
        "data %s features=%s answerable=%s seed=%s args=%s",
        dict(mix),
        len(features),
        sum(f.label > 0 for f in features),
        args.seed,
        vars(args),
    )
    order = epoch_batches(np.array([len(f.ids) for f in features]), args.batch, random.Random(args.seed))

    model = from_e5(source)
    if args.init is not None:
        model.load_state_dict(torch.load(args.init, weights_only=True))
        logger.info("initialised from %s", args.init)
    heads = [p for n, p in model.named_parameters() if n.startswith(("answer_head", "span_head"))]
    body = [p for n, p in model.named_parameters() if not n.startswith(("answer_head", "span_head"))]
    optimiser = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": heads, "lr": args.head_lr}], weight_decay=0.01
    )
    checkpoint = args.out / "checkpoint.pt"
    step, elapsed = 0, 0.0
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, elapsed = state["step"], state["elapsed"]
        logger.info("resumed step=%s elapsed_min=%.1f", step, elapsed / 60)

    budget = args.minutes * 60
    started = time.monotonic() - elapsed
    last_save = time.monotonic()
    window_loss: list[float] = []
    model.train()
    while step < len(order) and time.monotonic() - started < budget:
        progress = (time.monotonic() - started) / budget
        for group, base in zip(optimiser.param_groups, (args.lr, args.head_lr), strict=True):
            group["lr"] = learning_rate(base, step, args.warmup, progress)
        batch = tensors([features[i] for i in order[step]], source, tokenizer.pad)
        loss = loss_of(model, batch)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        step += 1
        window_loss.append(float(loss))
        if step % 25 == 0:
            spent = time.monotonic() - started
            logger.info(
                "step=%s pairs=%s loss=%.4f lr=%.2e min=%.1f pairs_per_s=%.2f",
                step,
                step * args.batch,
                sum(window_loss) / len(window_loss),
                optimiser.param_groups[0]["lr"],
                spent / 60,
                step * args.batch / max(spent, 1e-9),
            )
            window_loss.clear()
        if time.monotonic() - last_save > args.checkpoint_minutes * 60:
            _save(checkpoint, model, optimiser, step, time.monotonic() - started)
            last_save = time.monotonic()
    spent = time.monotonic() - started
    _save(checkpoint, model, optimiser, step, spent)
    torch.save(model.state_dict(), args.out / "reader.pt")
    summary = {
        "steps": step,
        "pairs": step * args.batch,
        "minutes": round(spent / 60, 1),
        "features": len(features),
        "mix": dict(mix),
        "seed": args.seed,
        "max_len": args.max_len,
        "mix_name": args.mix,
        "init": str(args.init) if args.init else None,
    }
    (args.out / "train-summary.json").write_text(json.dumps(summary, indent=2))
    logger.info("done %s", summary)
    return 0


def _save(path: Path, model: Reader, optimiser: torch.optim.Optimizer, step: int, elapsed: float) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step, "elapsed": elapsed},
        tmp,
    )
    tmp.replace(path)
    logger.info("checkpoint step=%s", step)


if __name__ == "__main__":
    raise SystemExit(main())
