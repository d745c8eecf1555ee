"""What the qrels call a miss, looked at from a reader's side: answer-bearing hits and the causes of misses.

A BEIR qrels file judges one passage per question. A chat answer is fine when it cites any passage that
holds the answer, so when questions carry an `answer` (FacQA does), a second, reader-side score counts a
passage as a hit when it is judged relevant OR contains the answer as a whole-word phrase — the convention
open-domain QA papers use for "top-k accuracy". It is reported beside the strict score, never instead of it.

`miss_kinds` sorts rank-1 misses by cause, which tells how much of the gap retrieval can still close:
- near-duplicate: the first passage differs from the judged one only in spacing or punctuation;
- answer-bearing: the first passage holds the answer too;
- context-dependent: the judged passage shares less than half of the question's terms (the question was
  written with the rest of its article in view, so the passage alone does not match it);
- other: everything else, the misses a better ranker could fix.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from store.analysis import Analyzer

_WORD = re.compile(r"\w+", re.UNICODE)
KINDS = ("hit", "near-duplicate", "answer-bearing", "context-dependent", "other")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _skeleton(text: str) -> str:
    """Text with spacing and punctuation gone: "( 1514 - 1530 )" and "(1514-1530)" become the same."""
    return "".join(_words(text))


def holds_answer(text: str, answer: str) -> bool:
    """Whether the answer's words occur in `text` as a contiguous run of whole words."""
    wanted = _words(answer)
    if not wanted:
        return False
    return f" {' '.join(wanted)} " in f" {' '.join(_words(text))} "


def answer_qrels(
    qrels: Mapping[str, Collection[str]], docs: Mapping[str, str], answers: Mapping[str, str]
) -> dict[str, set[str]]:
    """Each question's judged documents plus every document holding its answer (questions without an answer
    keep their judgements only)."""
    out: dict[str, set[str]] = {}
    for qid, relevant in qrels.items():
        answer = answers.get(qid, "")
        bearing = {d for d, text in docs.items() if answer and holds_answer(text, answer)}
        out[qid] = set(relevant) | bearing
    return out


def term_share(question: str, passage: str, analyzer: Analyzer) -> float:
    """Share of the question's analysed (stemmed, stopword-free) terms that occur in the passage."""
    terms = set(analyzer.terms(question))
    if not terms:
        return 1.0
    return len(terms & set(analyzer.terms(passage))) / len(terms)


def miss_kinds(
    ranked: Mapping[str, list[str]],
    qrels: Mapping[str, Collection[str]],
    docs: Mapping[str, str],
    answers: Mapping[str, str],
    questions: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Share of questions by what sits at rank 1 (see the module docstring); "context-dependent" needs the
    question texts and is skipped without them."""
    analyzer = Analyzer()
    counts = dict.fromkeys(KINDS, 0)
    for qid, relevant in qrels.items():
        first = (ranked.get(qid) or [""])[0]
        first_text = docs.get(first, "")
        judged = [docs[r] for r in relevant if r in docs]
        if first in relevant:
            kind = "hit"
        elif any(_skeleton(first_text) == _skeleton(text) for text in judged):
            kind = "near-duplicate"
        elif holds_answer(first_text, answers.get(qid, "")):
            kind = "answer-bearing"
        elif (
            questions is not None
            and judged
            and max(term_share(questions.get(qid, ""), text, analyzer) for text in judged) < 0.5
        ):
            kind = "context-dependent"
        else:
            kind = "other"
        counts[kind] += 1
    return {kind: n / max(1, len(qrels)) for kind, n in counts.items()}
