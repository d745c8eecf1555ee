"""Offline language detection for briefs and questions: "id", "en" or "und".

py3langid restricted to the languages we care about does well on paragraphs but wavers on the short questions
people type into a chat ("kenapa OpenAI keluar?"). Short texts are therefore decided first by counting common
Indonesian and English function words, which names and brands ("OpenAI", "Scale AI") cannot sway.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

logger = logging.getLogger(__name__)

UNDETERMINED = "und"

# Malay is part of the candidate set because langid confuses it with Indonesian; it is reported as "id", the
# only one of the two our briefs are written in.
_CANDIDATES = ("id", "en", "ms")
_ALIASES = {"ms": "id"}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_INDONESIAN_WORDS = _word_set(
    """
    yang dan di ke dari ini itu dengan untuk tidak ada adalah akan pada juga atau karena oleh dalam
    sudah bisa telah sebagai saat para serta lebih kata bagi masih agar jika namun tersebut mereka kami
    kita saya apa apakah siapa kapan mengapa kenapa bagaimana berapa dimana mana bukan belum sedang
    harus hanya tentang antara setelah sebelum hingga sampai tahun bulan hari perusahaan dapat ia dia
    nya
    """
)
_ENGLISH_WORDS = _word_set(
    """
    the and of to in is are was were be been for on with that this these those it its by from at as an a
    or not but have has had will would can could should what who whom when where why how which did does
    do about after before than into their they them there he she we you i his her our your
    """
)
_QUESTION_WORDS_ID = _word_set("apa siapa kapan mengapa kenapa bagaimana berapa dimana kemana darimana mana")
_QUESTION_WORDS_EN = _word_set("what who when why how which where whom whose")
_QUESTION_WORD_WEIGHT = 3
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Texts with fewer words than this are decided by function words when those give a clear answer.
_SHORT_TEXT_WORDS = 25
_MIN_CONFIDENCE = 0.6

_identifier: Any = None
_identifier_lock = threading.Lock()


def detect_language(text: str) -> str:
    """Return "id", "en" or "und" (too little text, or neither language)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return UNDETERMINED
    if len(words) < _SHORT_TEXT_WORDS:
        by_words = _by_function_words(words)
        if by_words != UNDETERMINED:
            return by_words
        if len(words) < 3:
            return UNDETERMINED
    # Probabilities of aliased languages add up: "ms" 0.58 + "id" 0.30 is a confident "id".
    scores: dict[str, float] = {}
    for lang, probability in _langid().rank(text):
        code = _ALIASES.get(lang, lang)
        scores[code] = scores.get(code, 0.0) + float(probability)
    best = max(scores, key=lambda code: scores[code])
    if scores[best] < _MIN_CONFIDENCE and len(words) < _SHORT_TEXT_WORDS:
        return UNDETERMINED
    return best


def _by_function_words(words: list[str]) -> str:
    indonesian = sum(1 for w in words if w in _INDONESIAN_WORDS or w.endswith(("nya", "kah")))
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    # A question's first word says more than English words inside a quoted name ("The Clash of ...").
    if words[0] in _QUESTION_WORDS_ID or words[0].endswith("kah"):
        indonesian += _QUESTION_WORD_WEIGHT
    elif words[0] in _QUESTION_WORDS_EN:
        english += _QUESTION_WORD_WEIGHT
    if indonesian > english:
        return "id"
    if english > indonesian:
        return "en"
    return UNDETERMINED


def _langid() -> Any:
    """Load the langid model once per process; it takes ~0.3 s and is read-only afterwards."""
    global _identifier  # noqa: PLW0603 - a lazily built, process-wide read-only model
    with _identifier_lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(_CANDIDATES))
            _identifier = identifier
            logger.debug("langid model loaded languages=%s", _CANDIDATES)
        return _identifier
