"""Would a learned re-ranker over cheap passage features beat the store's two-leg fusion?

    python -m eval.rerank_lab DATA_DIR [--fit train] [--report valid] [--candidates 40]

The store ranks by a weighted sum of two scaled scores (e5 cosine, BM25). This lab re-ranks the same
candidates (each leg's top `candidates`) with a logistic model fitted on the `--fit` split and reports the
`--report` split, beside the store's fusion and the fusion plus a word-bigram BM25 leg.

Features are the kind a factoid question rewards: the two legs, a bigram ("phrase") BM25, how much of the
question's IDF mass, capitalised names and numbers the passage repeats, passage length, and the question's
answer type ("berapa", "kapan", "siapa", "di mana") crossed with whether the passage brings a number, a year
or month, or a name the question does not already contain. The fit is the evidence gate's weighted logistic
regression (`eval.gate_fit.fit`). The FacQA result is in docs/measurements.md.
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from eval.beir import BeirFormatError, load_beir
from eval.fusion_lab import Matrix, ScoreTables, bm25_scores
from eval.gate_fit import fit
from eval.metrics import score_rankings
from eval.tune import build_tables
from store.analysis import Analyzer

_WORD = re.compile(r"\w+", re.UNICODE)
_NAME = re.compile(r"\b[A-Z][\w-]*")
_NUMBER = re.compile(r"\d[\d.,]*")
_YEAR = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")
_MONTHS = frozenset(
    [
        *("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september"),
        *("oktober", "november", "desember"),
    ]
)
ANSWER_TYPES = ("number", "date", "person", "place", "other")


def answer_type(question: str) -> str:
    """The kind of answer an Indonesian factoid question asks for, from its question word."""
    text = question.lower()
    if re.search(r"\b(kapan|tahun berapa|tanggal berapa)", text):
        return "date"
    if re.search(r"\bberapa", text):
        return "number"
    if re.search(r"\bsiapa", text):
        return "person"
    if re.search(r"\b(di ?mana|ke ?mana|dari ?mana)", text):
        return "place"
    return "other"


class Featurizer:
    """Per (question, candidate passage) features over one fixed passage pool."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._analyzer = Analyzer()
        self._texts = list(texts)
        self._terms = [set(self._analyzer.terms(t)) for t in self._texts]
        freq = Counter(term for terms in self._terms for term in terms)
        n = len(self._texts)
        self._idf = {term: math.log((n - c + 0.5) / (c + 0.5) + 1) for term, c in freq.items()}
        self._bigrams = bm25s.BM25()
        self._bigrams.index([self._bigram_terms(t) for t in self._texts], show_progress=False)

    def _bigram_terms(self, text: str) -> list[str]:
        words = [self._analyzer.stem(w) for w in _WORD.findall(text.lower())]
        return [f"{a}_{b}" for a, b in itertools.pairwise(words)]

    def bigram_scores(self, question: str) -> Matrix:
        return bm25_scores(self._bigrams, self._bigram_terms(question), len(self._texts))

    def rows(self, question: str, candidates: Sequence[int], legs: Sequence[Matrix]) -> Matrix:
        """One feature row per candidate; `legs` are this question's per-document scores (dense, bm25,
        bigram), each scaled to 0..1 over the candidates."""
        terms = set(self._analyzer.terms(question))
        idf_mass = sum(self._idf.get(t, 0.0) for t in terms) or 1.0
        names = {w.lower() for w in _NAME.findall(question)}
        numbers = set(_NUMBER.findall(question))
        words = set(_WORD.findall(question.lower()))
        kind = ANSWER_TYPES.index(answer_type(question))
        out = []
        for j in candidates:
            text = self._texts[j]
            passage_names = {w.lower() for w in _NAME.findall(text)}
            passage_numbers = set(_NUMBER.findall(text))
            years = set(_YEAR.findall(text)) - numbers
            has_month = bool(_MONTHS & set(_WORD.findall(text.lower())))
            brings = [
                min(len(passage_numbers - numbers), 5) / 5,
                min(len(years), 3) / 3 + 0.5 * has_month,
                min(len(passage_names - names - words), 10) / 10,
            ]
            typed = np.zeros(len(ANSWER_TYPES) * 3)
            typed[kind * 3 : kind * 3 + 3] = brings
            base = [
                *(float(leg[j]) for leg in legs),
                sum(self._idf.get(t, 0.0) for t in terms & self._terms[j]) / idf_mass,
                len(names & passage_names) / len(names) if names else 1.0,
                len(numbers & passage_numbers) / len(numbers) if numbers else 1.0,
                math.log1p(len(text.split())),
            ]
            out.append(np.concatenate([base, typed]))
        return np.asarray(out, dtype=np.float32)


def _scaled(scores: Matrix, candidates: Sequence[int]) -> Matrix:
    values = scores[list(candidates)]
    low, high = float(values.min()), float(values.max())
    return np.asarray(
        (scores - low) / (high - low) if high > low else np.zeros_like(scores), dtype=np.float32
    )


def candidate_rows(
    tables: ScoreTables, questions: Sequence[str], featurizer: Featurizer, candidates: int
) -> list[tuple[list[int], Matrix]]:
    """Per question: its candidates (each leg's top `candidates`) and their feature rows."""
    out = []
    for i, question in enumerate(questions):
        dense, keyword = tables.dense[i], tables.keyword[i]
        top_kw = [int(j) for j in np.argsort(-keyword)[:candidates] if keyword[j] > 0]
        picked = list(dict.fromkeys([*map(int, np.argsort(-dense)[:candidates]), *top_kw]))
        legs = [_scaled(s, picked) for s in (dense, keyword, featurizer.bigram_scores(question))]
        legs[1] = legs[1] * tables.coverage[i]  # as the store: the keyword leg shrinks with term coverage
        out.append((picked, featurizer.rows(question, picked, legs)))
    return out


def ranked(
    tables: ScoreTables, rows: list[tuple[list[int], Matrix]], weights: Matrix
) -> dict[str, list[str]]:
    out = {}
    for qid, (picked, x) in zip(tables.query_ids, rows, strict=True):
        order = np.argsort(-(x @ weights), kind="stable")[:10]
        out[qid] = [tables.doc_ids[picked[j]] for j in order]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.rerank_lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="BEIR folder")
    parser.add_argument("--fit", default="train", help="split the re-ranker is fitted on")
    parser.add_argument("--report", default="valid", help="split the scores are reported on")
    parser.add_argument("--candidates", type=int, default=40, help="each leg's top-n taking part")
    parser.add_argument("--dense-weight", type=float, default=0.6, help="the store's dense weight")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="vector caches")
    args = parser.parse_args(argv)
    try:
        corpus = load_beir(args.data_dir).corpus
        fitted, fit_qrels = build_tables(args.data_dir, [args.fit], None, args.cache_dir)
        report, report_qrels = build_tables(args.data_dir, [args.report], None, args.cache_dir)
        questions = {q.id: q.text for q in load_beir(args.data_dir).queries.values()}
    except (BeirFormatError, OSError) as exc:
        print(f"Cannot measure: {exc}", file=sys.stderr)
        return 2
    featurizer = Featurizer([f"{corpus[d].title} {corpus[d].text}".strip() for d in fitted.doc_ids])
    fit_rows = candidate_rows(fitted, [questions[q] for q in fitted.query_ids], featurizer, args.candidates)
    x = np.vstack([rows for _, rows in fit_rows])
    y = np.concatenate(
        [
            [float(fitted.doc_ids[j] in fit_qrels[q]) for j in picked]
            for q, (picked, _) in zip(fitted.query_ids, fit_rows, strict=True)
        ]
    )
    learned, _ = fit(x, y, np.full(len(y), 1.0 / len(y)))
    rows = candidate_rows(report, [questions[q] for q in report.query_ids], featurizer, args.candidates)
    width = x.shape[1]
    fusion = np.zeros(width, dtype=np.float32)
    fusion[:2] = [args.dense_weight, 1 - args.dense_weight]
    plans = {"store fusion (dense + BM25)": fusion}
    for bigram in (0.2, 0.5):
        with_bigram = fusion.copy()
        with_bigram[2] = bigram
        plans[f"fusion + bigram BM25 x{bigram}"] = with_bigram
    plans[f"learned re-ranker ({width} features, fitted on {args.fit})"] = learned.astype(np.float32)
    print(f"{len(report.query_ids)} {args.report} questions, {len(report.doc_ids)} documents\n")
    print("| ranking | R@1 | R@5 | R@10 | MRR@10 |\n|---|---|---|---|---|")
    for label, weights in plans.items():
        s = score_rankings(ranked(report, rows, weights), report_qrels)
        print(f"| {label} | {s.recall[1]:.3f} | {s.recall[5]:.3f} | {s.recall[10]:.3f} | {s.mrr:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
