"""Does a generated statement say what its cited passage says? Checks of support, not of topic.

A cosine between a statement and a passage sentence measures topic: "Meta invested US$14.3 million" and
"Scale AI promised to provide access to other customers' data" score 0.87-0.89 against the very sentences they
contradict. So a statement is kept only when, against the passage(s) it rests on:
- it is about that passage at all (a passage sentence at cosine >= ATTRIBUTION_FLOOR: the old, topical bar);
- every quantity it states is there with the same value, scale, unit and currency (`quantities.py`);
- every name it uses is there (cross-lingual: names, months and days are compared, not translated), and a
  name taken from a neighbouring sentence does not stand in for the company its own sentence means;
- its polarity agrees clause by clause with the passage sentence it aligns to (negation words of both
  languages, "not only" excepted) and it does not flip before/after, most/few, rise/fall;
- a reason or purpose it gives ("because...", "karena...") has one beside it in the passage; where none is,
  the statement is shown without that part (`without_invented_reason`).
`eval/verifier.py` measures these checks on constructed pairs (true paraphrases vs. swaps, both languages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answering.citations import Statement
from bot.answering.quantities import quantities, unmatched
from bot.answering.sentence_vectors import PassageSentences, SentenceVectors
from store.months import NAMES

# A statement must have a passage sentence at least this similar to be about that passage at all (the bar
# the generated path used alone before: it separates topic, not support).
ATTRIBUTION_FLOOR = 0.85
# A statement whose quantities a passage sentence states may rest on that sentence from this cosine up (its
# names, polarity and quantities are still checked against it).
QUANTITY_FLOOR = 0.8
# Passage sentences this close to a clause's closest one count as its evidence too (polarity must agree).
ALIGN_MARGIN = 0.02
# Sentences on each side of the one a statement rests on that may hold the names it uses.
NAME_WINDOW = 1
# Clauses shorter than this ("but Meta did not") borrow their verb from another clause: not judged alone.
MIN_CLAUSE_WORDS = 4

_NEGATORS = frozenset(
    {
        "not", "no", "never", "none", "nothing", "neither", "nor", "without", "cannot", "refused", "denied",
        "denies", "tidak", "tak", "bukan", "belum", "tanpa", "jangan", "enggan", "menolak", "takkan", "tiada",
    }
)  # fmt: skip
# "Not only", and "tak lama setelah" ("shortly after"): negation words that negate nothing.
_NOT_ONLY = re.compile(
    r"\b(not only|not just|bukan hanya|tidak hanya|tak hanya|bukan saja|tidak saja|tak lama|tidak lama)\b",
    re.I,
)
_CLAUSES = re.compile(
    r",?\s+\b(?:but|while|whereas|although|though|tetapi|namun|sedangkan|meskipun|walaupun|padahal)\b|[;:]",
    re.I,
)
_OPPOSITES = [
    ({"before", "prior to", "sebelum", "sebelumnya"}, {"after", "following", "setelah", "sesudah", "pasca"}),
    ({"most", "majority", "sebagian besar", "mayoritas"}, {"small share", "small part", "minority",
                                                          "sebagian kecil", "porsi kecil"}),
    # Compass points: a translation wrote "the western part of France" for "bagian timur-tengah".
    ({"east", "eastern", "timur"}, {"west", "western", "barat"}),
    ({"north", "northern", "utara"}, {"south", "southern", "selatan"}),
    ({"increase", "increased", "rise", "rose", "grew", "grow", "naik", "meningkat", "bertambah"},
     {"decrease", "decreased", "fell", "fall", "drop", "dropped", "turun", "menurun", "berkurang"}),
]  # fmt: skip
_DAYS = [
    ("monday", "senin"), ("tuesday", "selasa"), ("wednesday", "rabu"), ("thursday", "kamis"),
    ("friday", "jumat"), ("saturday", "sabtu"), ("sunday", "minggu"),
]  # fmt: skip
_NAMES = [(en.lower(), id_.lower()) for en, id_ in zip(NAMES["en"], NAMES["id"], strict=True)] + _DAYS
_SAME_NAME = {a: {a, b} for a, b in _NAMES} | {b: {a, b} for a, b in _NAMES}
# Capitalised words that start sentences or are shared abbreviations, not names to look for.
_NOT_NAMES = frozenset(
    """the a an in on at this that these those it its they he she we i you our their his her however according
    after before also both as by for from with while but and or since when what which who whom why how there
    here yes no some many most all each other earlier later today meanwhile although because if so then than
    to of not only even yet still now recently previously first second third one two three four five finally
    moreover furthermore overall instead despite during under over about into such several another based
    outside beyond besides apart aside amid among against through following regarding unlike along within
    without across toward towards upon until whereas whether nevertheless nonetheless therefore thus hence
    indeed again last next due given thanks together where whose once soon just
    ai ceo us usd idr rp ri pt tbk
    menurut selain namun tetapi dan atau di ke dari pada dalam untuk dengan yang ini itu ia mereka sebelumnya
    setelah sebelum sejak saat ketika hal para sementara kemudian lalu juga bahkan adapun sedangkan meskipun
    karena jika bila oleh tidak tak bukan belum akan telah sudah sedang masih hanya beberapa banyak semua
    kini saat sekitar lebih kurang tersebut berdasarkan sebagai salah satu pertama kedua ketiga""".split()  # noqa: SIM905
)
# A statement that gives a reason or a purpose. Small models add one the passage never gives: "Meta will not
# receive access to other customers' data due to the company's privacy concerns" restated a sentence that
# says only that Scale AI promised so. Bare "since", "as", "for", "to" and "untuk" are left out: they are as
# often time, comparison or direction as cause.
_REASON_WORDS = (
    "because|due to|owing to|as a result of|thanks to|caused by|for fear of|out of concern|citing|"
    "in order to|so that|in an effort to|karena|sebab|disebabkan|akibat|lantaran|berkat|gara-gara|demi|agar|"
    "supaya|sehingga|mengingat|dengan alasan|guna"
)
_GIVES_REASON = re.compile(rf"\b(?:{_REASON_WORDS})\b", re.I)
# A passage gives a reason when it has one of those, or says so in other words. Which reason is not compared:
# a passage that gives some reason lets any through (the check catches reasons made up from nothing).
_HAS_REASON = re.compile(
    rf"\b(?:{_REASON_WORDS}|reasons?|causes?|led to|leads to|therefore|hence|as a result|alasan(?:nya)?|"
    r"menyebabkan|oleh karena itu|dalam rangka|maka|dipicu|memicu)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w&-]*")
# Companies as news introduce them: "Scale AI, perusahaan yang ...", "Meta (perusahan induk Facebook)",
# "Acme, a Japanese logistics company, ...". A name of capitalised words right before the apposition.
_COMPANY_INTRO = re.compile(
    r"([A-Z][\w&.-]*(?:[ \t]+[A-Z][\w&.-]*)*)\s*[,(]\s*(?:sebuah |suatu |(?:the|a|an) (?:[\w-]+ ){0,3}?)?"
    r"(?:perusahaan|perusahan|perseroan|company|firm|startup)\b"
)
_NAME_GROUP = re.compile(r"[A-Z][\w&.-]*(?:[ \t]+[A-Z][\w&.-]*)*")
# Words that make a name a company's.
_CORPORATE = frozenset({"ai", "pt", "tbk", "inc", "corp", "ltd", "llc", "plc", "group", "holdings"})
# The words a sentence uses for a company it has named: "perusahaan (tersebut)", "the company".
_THE_COMPANY = re.compile(r"\b(?:perusahaan|perusahan|perseroan|the company|the firm)\b", re.I)
_WORD = re.compile(r"\w+(?:'t)?", re.UNICODE)


@dataclass(frozen=True)
class Verdict:
    statement: Statement | None
    """The statement with its verified support, or None when it was dropped."""
    reason: str | None
    """Why it was dropped: unsupported, numbers, names, negation, opposite, reason."""
    shortened: bool = False
    """Kept without a reason or purpose the passage does not give."""


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def negated(text: str) -> bool:
    """Whether a clause is negated (English or Indonesian), "not only" / "bukan hanya" aside."""
    words = _words(_NOT_ONLY.sub(" ", text))
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSES.split(text) if c and c.strip()]


def missing_names(statement: str, passage: str) -> list[str]:
    """Names the statement uses that the passage does not contain."""
    present = set(_words(passage))
    missing = []
    for match in _NAME.finditer(statement):
        name = match.group(0).lower()
        name = name[:-2] if name.endswith(("'s", "’s")) else name
        if name in _NOT_NAMES or len(name) < 2 or any(ch.isdigit() for ch in name):
            continue
        forms = _SAME_NAME.get(name, {name})
        if any(f in present for f in forms) or any(len(name) >= 4 and w.startswith(name) for w in present):
            continue
        missing.append(match.group(0))
    return missing


def company_names(passage: str) -> set[str]:
    """The words of the names a passage shows to be companies (lower case): introduced as one ("Scale AI,
    perusahaan yang ..."), or carrying a corporate word ("PT Telkom", "Scale AI", "Acme Inc")."""
    found: set[str] = set()
    for match in _COMPANY_INTRO.finditer(passage):
        found |= _name_words(match.group(1))
    for group in _NAME_GROUP.findall(passage):
        words = _name_words(group)
        if {w.lower() for w in group.split()} & _CORPORATE:
            found |= words
    return found


def company_meant(sentence: str, companies: set[str]) -> set[str]:
    """The company a sentence's "perusahaan" / "the company" stands for when the sentence names one before
    those words (the last such name, as its words); empty when it names none there."""
    match = _THE_COMPANY.search(sentence)
    if match is None:
        return set()
    named = [_name_words(g) for g in _NAME_GROUP.findall(sentence[: match.start()])]
    named = [words for words in named if words & companies]
    return named[-1] if named else set()


def borrows_another_company(statement: str, sentences: list[str], around: str, passage: str) -> bool:
    """Whether the statement takes a name from a neighbouring sentence where its own sentence says "the
    company" of a company it names itself.

    Names from the sentence before are allowed so that "He said ..." keeps its subject. But in "... clients
    have started leaving Scale AI, an indicator that the company must rethink its strategy" the company is
    Scale AI; a 1.5B model wrote "... that Meta must reevaluate its strategy", Meta taken from the sentence
    before. "Alexandr Wang will not take part in the company's daily work" names no company before "the
    company": there a neighbour's Scale AI is what it means, and it stays allowed; so does a person's name
    from a neighbour ("Jason Droege said the company ...").
    """
    own = set(missing_names(statement, " ".join(sentences)))
    borrowed = {_bare(n) for n in own - set(missing_names(statement, around))}
    if not borrowed:
        return False
    companies = company_names(passage)
    meant = set().union(*(company_meant(s, companies) for s in sentences))
    people = set().union(*(_name_words(g) for g in _NAME_GROUP.findall(around) if _person_shaped(g)))
    return bool(meant) and any(name not in meant and name not in people for name in borrowed)


def _name_words(group: str) -> set[str]:
    return {w.lower() for w in _NAME.findall(group)} - _NOT_NAMES - _CORPORATE


def _person_shaped(group: str) -> bool:
    """Two or three title-case words with no corporate word: "Alexandr Wang", "Jason Droege"."""
    words = group.split()
    return 2 <= len(words) <= 3 and all(re.fullmatch(r"[A-Z][a-z]+", w) for w in words)


def _bare(name: str) -> str:
    name = name.lower()
    return name[:-2] if name.endswith(("'s", "’s")) else name


def restore_names(translation: str, source: str) -> str:
    """`translation` of `source` with names respelt as `source` spells them, where the translation changed a
    letter or two: the 1.5B model writes "Alexander Wang" for "Alexandr Wang", and a misspelt name fails
    verification however right the sentence is. Inflections ("Indonesian" for "Indonesia") are not
    respellings and stay; a name near two source names stays too."""
    spelled = {m.group(0) for m in _NAME.finditer(source) if len(m.group(0)) >= 4}
    for missing in set(missing_names(translation, source)):
        near = {s for s in spelled if _respelling(missing, s)}
        if len(near) == 1:
            # (a name of `_NAME` holds no backslash, so it is a literal replacement)
            translation = re.sub(rf"\b{re.escape(missing)}\b", near.pop(), translation)
    return translation


def _respelling(written: str, name: str) -> bool:
    a, b = written.lower(), name.lower()
    if a[0] != b[0] or a.startswith(b) or b.startswith(a) or len(a) < 4:
        return False
    return _edits(a, b) <= (1 if max(len(a), len(b)) <= 6 else 2)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def _has(text: str, phrases: set[str]) -> bool:
    lowered = " ".join(_words(text))
    return any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in phrases)


def opposite(statement: str, sentence: str) -> bool:
    """The statement says before where the sentence says after (most/few, rise/fall), and not both."""
    for left, right in _OPPOSITES:
        for mine, theirs in ((left, right), (right, left)):
            if _has(statement, mine) and _has(sentence, theirs) and not _has(sentence, mine):
                return True
    return False


def without_invented_reason(statement: str, evidence: str) -> str:
    """`statement` without the reason or purpose it gives when `evidence` gives none; "" when nothing of
    substance would be left. Unchanged when it gives none, or when the evidence gives one."""
    match = _GIVES_REASON.search(statement)
    if match is None or _HAS_REASON.search(evidence):
        return statement
    head = statement[: match.start()].rstrip(" ,;:-\u2013\u2014")
    if len(_words(head)) >= MIN_CLAUSE_WORDS:
        return head + "."
    # The reason leads ("Due to pressure from regulators, Scale AI said..."): what follows its comma stays.
    comma = statement.find(",", match.end())
    tail = statement[comma + 1 :].strip() if comma >= 0 else ""
    if len(_words(tail)) >= MIN_CLAUSE_WORDS and not _GIVES_REASON.search(tail):
        return tail[0].upper() + tail[1:]
    return ""


class Verifier:
    """Ties each generated statement to the passage sentence it rests on, or drops it with the reason."""

    def __init__(self, vectors: SentenceVectors, floor: float = ATTRIBUTION_FLOOR) -> None:
        self._vectors = vectors
        self._floor = floor

    def verify(self, text: str, cited: list[int], groups: list[PassageSentences]) -> Verdict:
        """`cited`: 1-based passage numbers the model gave; wrong or missing ones are looked past."""
        named = [groups[n - 1] for n in dict.fromkeys(cited) if 1 <= n <= len(groups)]
        parts = [c for c in clauses(text) if len(_words(c)) >= MIN_CLAUSE_WORDS]
        vectors = self._vectors.embed_statements([text, *parts])
        # The passages it cites first; then, if they fail (wrong or missing numbers are common with small
        # models), the passage that supports it best.
        attempts = [self._support(vectors[0], [g for g in named if g.sentences])]
        attempts.append(self._support(vectors[0], [g for g in groups if g.sentences])[:1])
        attempts.append(self._stating(text, vectors[0], groups)[:1])
        first: str | None = None
        shortened: tuple[str, list[tuple[PassageSentences, int]]] | None = None
        for support in attempts:
            if not support:
                continue
            reason = self._check(text, parts, vectors, support)
            if reason is None:
                kept = without_invented_reason(text, _around(support))
                if kept == text:
                    return Verdict(Statement(text, [(g.passage, g.sentences[i]) for g, i in support]), None)
                # A later attempt may rest it on a sentence that gives the reason; failing that, this one
                # shows what the passage does support.
                shortened = shortened or (kept, support)
                reason = "reason"
            first = first or reason
        if shortened is not None and shortened[0]:
            kept, support = shortened
            statement = Statement(kept, [(g.passage, g.sentences[i]) for g, i in support])
            return Verdict(statement, None, shortened=True)
        # A reason that drew the statement away from its passage ("...because of rising prices" under the
        # attribution floor): what it says without the reason may still be verified, and shown alone.
        head = without_invented_reason(text, "")
        if shortened is None and head and head != text:
            verdict = self.verify(head, cited, groups)
            if verdict.statement is not None:
                return Verdict(verdict.statement, None, shortened=True)
        return Verdict(None, first or "unsupported")

    def _check(
        self, text: str, parts: list[str], vectors: np.ndarray, support: list[tuple[PassageSentences, int]]
    ) -> str | None:
        passages = " ".join(g.passage.text for g, _ in support)
        if unmatched(text, passages):
            return "numbers"
        if missing_names(text, _around(support)):
            return "names"
        sentences = [g.sentences[i].text for g, i in support]
        if borrows_another_company(text, sentences, _around(support), passages):
            return "names"
        return _polarity(parts or [text], vectors[1:] if parts else vectors[:1], [g for g, _ in support])

    def _stating(
        self, text: str, vector: np.ndarray, groups: list[PassageSentences]
    ) -> list[tuple[PassageSentences, int]]:
        """Sentences that state every quantity of the statement, at QUANTITY_FLOOR or above, closest first.

        A short statement ("Meta holds 49% of Scale AI.") sits under ATTRIBUTION_FLOOR against the long
        sentence of another language it restates; the quantities it shares pin that sentence down instead.
        """
        if not quantities(text):
            return []
        found = []
        for group in groups:
            sims = group.vectors @ vector if group.sentences else []
            for index, sentence in enumerate(group.sentences):
                if sims[index] >= QUANTITY_FLOOR and not unmatched(text, sentence.text):
                    found.append((float(sims[index]), group, index))
        found.sort(key=lambda item: -item[0])
        return [(g, i) for _, g, i in found]

    def _support(
        self, vector: np.ndarray, groups: list[PassageSentences]
    ) -> list[tuple[PassageSentences, int]]:
        """Groups holding a sentence at the floor or above, most similar first, with that sentence's index."""
        found = []
        for group in groups:
            sims = group.vectors @ vector
            best = int(np.argmax(sims))
            if sims[best] >= self._floor:
                found.append((float(sims[best]), group, best))
        found.sort(key=lambda item: -item[0])
        return [(g, i) for _, g, i in found]


def _around(support: list[tuple[PassageSentences, int]]) -> str:
    """The sentences a statement rests on, each with its neighbours: where its names must be found.

    The whole passage is too wide: a 220-token chunk names many people, and "Scale AI's interim CEO is
    Alexandr Wang" found Wang there (as Meta's hire). A neighbour on each side keeps a subject named in the
    sentence before ("Jason Droege ... He said ...") within reach.
    """
    texts: list[str] = []
    for group, index in support:
        window = group.sentences[max(0, index - NAME_WINDOW) : index + NAME_WINDOW + 1]
        texts.extend(s.text for s in window)
    return " ".join(texts)


def _polarity(parts: list[str], vectors: np.ndarray, groups: list[PassageSentences]) -> str | None:
    """Each substantial clause against the sentences of the cited passages it is closest to.

    Every sentence within ALIGN_MARGIN of the closest one must agree: "Meta gets privileged access" sits as
    close to "rivals feared Meta could get access" as to "Meta gets no privileged access", and a statement
    that some of its evidence contradicts is not shown.
    """
    sentences = [s.text for g in groups for s in g.sentences]
    matrix = np.vstack([g.vectors for g in groups])
    for part, vector in zip(parts, vectors, strict=True):
        # A clause that states a quantity is aligned to the sentences stating it: cosines of e5-small sit
        # within a few hundredths for every sentence of a news passage, so the closest sentences are often
        # unrelated ones (a negated one among them would drop a true statement).
        stating = [t for t in sentences if quantities(part) and not unmatched(part, t)]
        sims = matrix @ vector
        close = stating or [sentences[i] for i in np.flatnonzero(sims >= float(np.max(sims)) - ALIGN_MARGIN)]
        if any(negated(part) != negated(aligned) for aligned in close):
            return "negation"
        if any(opposite(part, aligned) for aligned in close):
            return "opposite"
    return None
