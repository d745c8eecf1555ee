"""Text analysis for the keyword leg: lower-case `\\w+` tokens, Indonesian + English stopwords, stemming.

Both Snowball stemmers run on every token (Indonesian first, then English): questions and passages get the
same treatment whatever their language, which is what BM25 needs; the two rarely disagree on a stem.
"""

from __future__ import annotations

import hashlib
import re
import threading
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"\w+", re.UNICODE)

_ID_WORDS = """
    ada adalah adanya agar akan akhirnya aku amat anda antara apa apabila apakah atas atau bagaimana
    bagi bahkan bahwa banyak baru beberapa begitu belum berapa berbagai bersama biasanya bila bisa boleh
    bukan cukup dalam dan dapat dari daripada demikian dengan di dia dikatakan dilakukan dimana dirinya
    ditambahkan hal hampir hanya harus hingga ia ialah ini itu jadi jika juga jumlah kami kamu kan kapan
    karena kata katanya ke kecuali kembali kemudian kepada ketika kini kita lagi lain lalu lebih maka
    mana masih mau melalui memang mengatakan menjadi menurut merasa mereka merupakan meski misalnya
    mungkin nya oleh pada para paling pernah perlu pula pun saat saja salah sama sampai sangat satu saya
    se sebagai sebelum sebuah secara sedang sehingga sejak sekarang selama seluruh semua sendiri seperti
    serta sesuai setelah siapa sudah supaya tak tanpa tapi telah tentang terhadap termasuk tersebut
    tetapi tidak untuk walaupun yaitu yakni yang manakah siapakah berapakah
"""
_EN_WORDS = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your
"""
STOPWORDS_ID = frozenset(_ID_WORDS.split())
STOPWORDS_EN = frozenset(_EN_WORDS.split())
STOPWORDS = STOPWORDS_ID | STOPWORDS_EN


ANALYSIS_VERSION = 1
"""Bump when `Analyzer.terms` changes in a way the fingerprint below cannot see: stored keyword indexes are
then rebuilt whole."""


class Analyzer:
    """Turns text into index terms. Thread-safe: PyStemmer objects are not, so each thread gets its own."""

    def __init__(self, stopwords: frozenset[str] = STOPWORDS) -> None:
        self._stopwords = stopwords
        self._local = threading.local()

    def fingerprint(self) -> str:
        """Identifies what `terms` does (version, stopwords, stemmer library): a stored index built with
        another fingerprint is rebuilt whole."""
        parts = [
            str(ANALYSIS_VERSION),
            _TOKEN.pattern,
            str(Stemmer.version()),
            " ".join(sorted(self._stopwords)),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def _stem(self, word: str) -> str:
        stemmers = getattr(self._local, "stemmers", None)
        if stemmers is None:
            stemmers = (Stemmer.Stemmer("indonesian"), Stemmer.Stemmer("english"))
            self._local.stemmers = stemmers
        return str(stemmers[1].stemWord(stemmers[0].stemWord(word)))

    def stem(self, word: str) -> str:
        """The stem of one lower-cased word, stopword or not (phrase terms keep every word)."""
        return _cached_stem(self, word)

    def terms(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in self._stopwords]
        return [_cached_stem(self, w) for w in words]


@lru_cache(maxsize=200_000)
def _cached_stem(analyzer: Analyzer, word: str) -> str:
    # Stemming dominates index build time; words repeat a lot across chunks.
    return analyzer._stem(word)


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, unstemmed: for keyword overlap between a question and a sentence."""
    return [w.lower() for w in _WORD.findall(text)]
