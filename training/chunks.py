"""Chunk-length contexts: a paragraph among leading sentences of paragraphs on the same subject.

The store reads briefs in chunks of up to 220 tokens, about twice the median training paragraph, and the
reader separates answerable from unanswerable questions worse there (`eval.chunk_reads`; docs/measurements.md,
"Chunk-length passages"). Training examples padded this way show it chunks; the padding comes from the
paragraphs most like the example's own (BM25 over the same pool, the store's analyser), as a brief's other
paragraphs are, so "off-topic text around the answer" is no shortcut.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from store.analysis import Analyzer
from store.keyword import KeywordIndex
from store.language import detect_language
from training.data import Example

PADDED_WORDS = 140
NEIGHBOURS = 4
# Words of a paragraph that search for its neighbours: its opening says what it is about.
QUERY_WORDS = 40


def placed(paragraph: str, neighbours: list[str], rng: random.Random, words: int) -> tuple[str, int]:
    """(text, where `paragraph` starts in it): the paragraph whole among leading sentences of `neighbours`, in
    order, until the text passes `words`; the paragraph at a random place among the pieces."""
    count = len(paragraph.split())
    pieces: list[str] = []
    for neighbour in neighbours:
        if count > words:
            break
        taken: list[str] = []
        for sentence in neighbour.split(". "):
            if count > words:
                break
            taken.append(sentence)
            count += len(sentence.split())
        pieces.append(". ".join(taken).rstrip(".") + ".")
    at = rng.randint(0, len(pieces))
    before = " ".join(pieces[:at])
    offset = len(before) + 1 if before else 0
    return " ".join([*pieces[:at], paragraph, *pieces[at:]]), offset


def padded(paragraph: str, neighbours: list[str], rng: random.Random, words: int = PADDED_WORDS) -> str:
    return placed(paragraph, neighbours, rng, words)[0]


def padded_example(
    example: Example, neighbours: list[str], rng: random.Random, words: int = PADDED_WORDS
) -> Example:
    """`example` with its context padded; the answer span moves with it."""
    text, offset = placed(example.context, neighbours, rng, words)
    start = None if example.answer_start is None else example.answer_start + offset
    return Example(example.question, text, start, example.answer, f"{example.source}-chunk")


def neighbour_finder(pool: list[str]) -> Callable[[Example], list[str]]:
    """`find(example)`: up to NEIGHBOURS paragraphs of `pool` most like the example's context, never the
    context itself nor, for an answerable example, one holding its answer (the answer would then be there
    twice, and the span would mark one of them)."""
    index = KeywordIndex([str(i) for i in range(len(pool))], pool, [{} for _ in pool], Analyzer())

    def find(example: Example) -> list[str]:
        query = " ".join(example.context.split()[:QUERY_WORDS])
        found = []
        for hit in index.search(query, NEIGHBOURS + 3):
            text = pool[hit.index]
            if text == example.context:
                continue
            if example.answer is not None and example.answer.lower() in text.lower():
                continue
            found.append(text)
        return found[:NEIGHBOURS]

    return find


def with_chunks(examples: list[Example], share: float, rng: random.Random) -> list[Example]:
    """`examples` plus a padded copy of `share` of them (drawn by `rng`), each padded from the contexts in
    its own language, so an Indonesian paragraph sits among Indonesian ones and an English one among English
    ones."""
    language = {context: detect_language(context) for context in {e.context for e in examples}}
    pools: dict[str, list[str]] = {}
    for context, lang in sorted(language.items()):
        pools.setdefault(lang, []).append(context)
    finders = {lang: neighbour_finder(pool) for lang, pool in pools.items()}
    chosen = rng.sample(examples, int(len(examples) * share))
    copies = [padded_example(e, finders[language[e.context]](e), rng) for e in chosen]
    return examples + copies
