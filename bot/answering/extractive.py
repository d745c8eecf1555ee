"""The extractive answerer's core: choose the few retrieved sentences that answer the question.

Each sentence is scored by its embedding similarity to the question, nudged by keyword overlap and by how high
its passage ranked; near-duplicates are skipped (briefs often repeat a fact) and a second brief is preferred
to a second sentence of the same one, so an answer shows the breadth of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.answering.ports import Vectors
from bot.answering.sentence_vectors import PassageSentences
from store.analysis import words
from store.sentences import Sentence
from store.types import Passage

# Weights on top of a cosine similarity that e5 compresses into roughly 0.70-0.92: a full keyword match is
# worth a few hundredths, as is being the first passage. Tuned by eye on the sample questions.
KEYWORD_WEIGHT = 0.04
RANK_WEIGHT = 0.02
SAME_BRIEF_PENALTY = 0.012
SHORT_PENALTY = 0.03
# On "latest" questions the newest brief's sentences gain this much: about the gap between a sentence that
# answers and one that is merely on topic.
RECENCY_WEIGHT = 0.03
# Sentences scoring this far below the best one do not make it into the answer.
RELATIVE_CUTOFF = 0.035
# Cosine between two sentences above which the second adds nothing new.
DUPLICATE_SIMILARITY = 0.94
_SHORT_CHARS = 30

_STOP = frozenset(
    """
    the a an of to in on at by for and or is are was were be what who why how when which where does did do
    it its this that with from about as yang dan di ke dari ini itu untuk dengan pada adalah apa apakah siapa
    mengapa kenapa bagaimana kapan berapa mana oleh dalam tidak akan sudah
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Pick:
    group: PassageSentences
    sentence: Sentence
    similarity: float
    """Cosine of the question and the sentence: the evidence measure."""
    score: float


def _content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in _STOP and len(w) > 1}


def score_sentences(
    question: str, question_vector: Vectors, groups: list[PassageSentences], *, prefer_recent: bool = False
) -> list[Pick]:
    """Every sentence of every passage with its similarity and combined score, best first."""
    fresh = freshness([g.passage for g in groups]) if prefer_recent else {}
    wanted = _content_words(question)
    picks: list[Pick] = []
    for rank, group in enumerate(groups):
        if not group.sentences:
            continue
        sims = group.vectors @ question_vector
        for sentence, sim in zip(group.sentences, sims, strict=True):
            if sentence.text.rstrip().endswith("?"):
                continue  # explainers use questions as subheadings ("Apa itu QRIS?"): they answer nothing
            overlap = len(wanted & _content_words(sentence.text)) / len(wanted) if wanted else 0.0
            score = float(sim) + KEYWORD_WEIGHT * overlap + RANK_WEIGHT / (1 + rank)
            score += RECENCY_WEIGHT * fresh.get(group.passage.brief.id, 0.0)
            if len(sentence.text) < _SHORT_CHARS:
                score -= SHORT_PENALTY  # datelines and captions match names but answer nothing
            picks.append(Pick(group, sentence, float(sim), score))
    return sorted(picks, key=lambda p: p.score, reverse=True)


def freshness(passages: list[Passage]) -> dict[str, float]:
    """1.0 for the newest brief among the candidates, falling to 0 for briefs a year older or undated."""
    dated = {p.brief.id: p.brief.published for p in passages if p.brief.published}
    if not dated:
        return {}
    newest = max(dated.values())
    return {brief: max(0.0, 1.0 - (newest - day).days / 365) for brief, day in dated.items()}


def _vector(pick: Pick) -> Vectors:
    index = pick.group.sentences.index(pick.sentence)
    vector: Vectors = pick.group.vectors[index]
    return vector


def select(ranked: list[Pick], max_sentences: int) -> list[Pick]:
    """Greedy selection: best first, then the best remaining that is new and, ideally, from another brief."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    floor = ranked[0].score - RELATIVE_CUTOFF
    pool = [p for p in ranked[1:] if p.score >= floor]
    while pool and len(chosen) < max_sentences:
        best: Pick | None = None
        best_value = -np.inf
        for pick in pool:
            redundancy = max(float(_vector(pick) @ _vector(c)) for c in chosen)
            if redundancy >= DUPLICATE_SIMILARITY:
                continue
            used_briefs = {c.group.passage.brief.id for c in chosen}
            value = pick.score - (SAME_BRIEF_PENALTY if pick.group.passage.brief.id in used_briefs else 0.0)
            if value > best_value:
                best, best_value = pick, value
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
    return chosen
