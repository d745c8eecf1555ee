"""Cheap signals of whether the retrieved sentences answer the question, for the evidence gate.

The best sentence cosine says whether the briefs are on the question's topic; it cannot tell "Meta invested
$14.3bn in Scale AI" from an answer to "what was Scale AI's 2024 revenue?". These signals look at what the
question specifically asks for: are its words, and above all its names, numbers and years, in the passages
that would be quoted, and does a "how much" / "when" / "who" question find an amount, a date or a name there?
Everything is computed from text and scores the engine already has: no extra embedding call.
"""

from __future__ import annotations

import re

from bot.answering.extractive import Pick
from store.analysis import STOPWORDS, Analyzer

# Sentences (and their passages) an answer would quote: the engine shows up to four, the first three carry it.
TOP_SENTENCES = 3

# Question words the shared analyzer keeps as terms, but that name no content the evidence must contain.
_ASKING = frozenset(
    "much many long big large latest new news kabar terbaru tell explain jelaskan sebutkan".split()  # noqa: SIM905
)
_WANTS_DATE = re.compile(
    r"\b(kapan|when|since when|what year|which year|tahun berapa|tanggal berapa|sejak kapan)\b", re.I
)
_WANTS_NUMBER = re.compile(
    r"\b(berapa|berapakah|how (much|many|long|big|large|old)|what (price|percentage|share|amount))\b", re.I
)
_WANTS_NAME = re.compile(r"\b(siapa|siapakah|who|whom)\b", re.I)
_WANTS = {"date": _WANTS_DATE, "number": _WANTS_NUMBER, "name": _WANTS_NAME}

_NUMBER_WORDS = (
    r"juta|miliar|milyar|triliun|ribu|ratus|puluh|persen|million|billion|trillion|thousand|hundred|"
    r"percent|dozen|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|twelve|twenty"
)
_HAS_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I)
_MONTHS = (
    r"jan(uary|uari)?|feb(ruary|ruari)?|mar(ch|et)?|apr(il)?|ma[yi]|june?|juni|july?|juli|aug(ust)?|agustus|"
    r"sep(tember)?|oct(ober)?|okt(ober)?|nov(ember)?|dec(ember)?|des(ember)?"
)
_DAYS = r"senin|selasa|rabu|kamis|jumat|sabtu|minggu|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_HAS_DATE = re.compile(
    rf"\b(1[0-9]\d\d|20\d\d)\b|\b\d{{1,2}}/\d{{1,2}}\b|\b({_MONTHS}|{_DAYS}|abad|century|today|yesterday)\b",
    re.I,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
# Names, numbers, years and quoted terms: the words a right answer cannot do without.
_SPECIFIC = re.compile(r"\"[^\"]+\"|“[^”]+”|\b\w*\d\w*\b|\b[a-z]*[A-Z][\w-]*")

_analyzer = Analyzer(STOPWORDS | _ASKING)

FEATURES = ("best", "dense", "margin", "coverage", "sentence_coverage", "specific_missing", "type_missing")


def _terms(text: str) -> set[str]:
    return set(_analyzer.terms(text))


def specific_words(question: str) -> list[str]:
    """The question's names, numbers and quoted phrases, lower-cased (its first word is not a name)."""
    body = question.split(" ", 1)[1] if " " in question else ""
    return [m.group(0).strip('"“”').lower() for m in _SPECIFIC.finditer(body)]


def _mentions(text: str, word: str) -> bool:
    # Whole words as written ("gpt-5" is not "GPT-4 ... 5"), or the same stems (Indonesian affixes).
    if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
        return True
    if not word.isalpha():
        return False  # "gpt-5" is not matched by "gpt" and "5" apart
    stems = _terms(word)
    return bool(stems) and stems <= _terms(text)


def wanted_type(question: str) -> str | None:
    """What kind of thing the question asks for: "date", "number", "name", or None.

    The earliest question word decides: "who became minister when ..." asks for a name.
    """
    found = [(m.start(), kind) for kind, pattern in _WANTS.items() if (m := pattern.search(question))]
    return min(found)[1] if found else None


def _provides(kind: str, text: str, question: str) -> bool:
    if kind == "date":
        return bool(_HAS_DATE.search(text))
    if kind == "number":
        return bool(_HAS_NUMBER.search(text))
    # A name the question did not already contain (sentence-initial words do not count).
    asked = {w.lower() for w in re.findall(r"\w+", question)}
    for sentence_start, word in _capitalised_words(text):
        if not sentence_start and word.lower() not in asked:
            return True
    return False


def _capitalised_words(text: str) -> list[tuple[bool, str]]:
    return [
        (m.start() == 0 or text[: m.start()].rstrip().endswith((".", "!", "?", ":")), m.group(0))
        for m in _CAPITALISED.finditer(text)
    ]


def _covered(wanted: set[str], text_terms: set[str]) -> float:
    return len(wanted & text_terms) / len(wanted) if wanted else 1.0


def features(question: str, ranked: list[Pick]) -> dict[str, float]:
    """The gate's inputs for a question and its sentences, best first (see FEATURES)."""
    if not ranked:
        return dict.fromkeys(FEATURES, 0.0) | {"specific_missing": 1.0, "type_missing": 1.0}
    top = ranked[0]
    quoted = ranked[:TOP_SENTENCES]
    passages = {p.group.passage.chunk_id: p.group.passage for p in quoted}
    own = [p.similarity for p in ranked if p.group.passage.chunk_id == top.group.passage.chunk_id]
    dense = [p.group.passage.dense_score for p in ranked if p.group.passage.dense_score is not None]

    wanted = _terms(question)
    # A passage's brief title counts: chunks often say "the project" where the title names it.
    evidence = " ".join(f"{p.brief.title}. {p.text}" for p in passages.values()).lower()
    evidence_terms = _terms(evidence)
    specific = specific_words(question)
    missing = sum(not _mentions(evidence, word) for word in specific)
    sentence_terms = set().union(*(_terms(p.sentence.text) for p in quoted))
    kind = wanted_type(question)
    provided = kind is None or any(_provides(kind, p.sentence.text, question) for p in quoted)
    return {
        "best": top.similarity,
        # Without a dense leg (keyword-only search) the sentence cosine stands in for the passage's.
        "dense": max(dense) if dense else top.similarity,
        "margin": top.similarity - sum(own) / len(own),
        "coverage": _covered(wanted, evidence_terms),
        "sentence_coverage": _covered(wanted, sentence_terms),
        "specific_missing": missing / len(specific) if specific else 0.0,
        "type_missing": 0.0 if provided else 1.0,
    }
