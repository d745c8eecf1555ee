"""Every sentence the console front end writes on its own, in English and Indonesian, kept in one place.

What an answer says comes from the engine, worded by `bot/answer_words.py` (shared with Telegram); these
are the console's labels, status lines and refusals. `pick(lang)` chooses Indonesian for "id" and English
for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answer_words import ReasonTexts
from bot.answering.errors import failure_of
from bot.answering.types import Failed, InvalidQuestion
from store.errors import StoreError
from store.months import month_name


@dataclass(frozen=True)
class Words(ReasonTexts):
    lang: str
    sources: str
    closest: str
    as_of: str
    reading: str
    translating: str
    apology: str
    logged: str

    def as_of_day(self, day: date) -> str:
        return f"{self.as_of} {day.day} {month_name(day.month, self.lang)} {day.year}."

    def reading_briefs(self, count: int) -> str:
        return self.reading.format(n=count, s="" if count == 1 else "s")


_TEXTS = {  # field: (English, Indonesian)
    "sources": ("Sources:", "Sumber:"),
    "closest": ("Closest briefs:", "Brief terdekat:"),
    "as_of": ("As of", "Per"),
    "reading": ("… reading {n} brief{s}", "… membaca {n} brief"),
    "translating": (
        "… that draft did not match the briefs; translating their own sentences",
        "… draf itu tidak cocok dengan brief; menerjemahkan kalimat brief",
    ),
    "unavailable": (
        "The library is unavailable right now; please try again shortly.",
        "Perpustakaan sedang tidak tersedia; silakan coba lagi sebentar lagi.",
    ),
    "not_indexed": (
        "The library has not been indexed yet: run `python -m ingest`, then ask again.",
        "Perpustakaan belum diindeks: jalankan `python -m ingest`, lalu tanya lagi.",
    ),
    "store_failed": ("The library could not answer: {reason}", "Perpustakaan tidak dapat menjawab: {reason}"),
    "llm_failed": (
        "The language model could not answer: {reason}",
        "Model bahasa tidak dapat menjawab: {reason}",
    ),
    "logged": ("the reason is in the log above.", "sebabnya ada di log di atas."),
    "apology": (
        "Something went wrong while answering; the error has been logged.",
        "Terjadi kesalahan saat menjawab; galatnya sudah dicatat.",
    ),
    "empty": ("Please ask a question in words.", "Silakan tulis pertanyaan Anda."),
    "too_long": (
        "That question is too long; please keep it under {limit} characters.",
        "Pertanyaannya terlalu panjang; mohon di bawah {limit} karakter.",
    ),
    "no_words": ("Please ask a question in words.", "Silakan tulis pertanyaan Anda."),
}

EN = Words(lang="en", **{field: texts[0] for field, texts in _TEXTS.items()})
ID = Words(lang="id", **{field: texts[1] for field, texts in _TEXTS.items()})


def pick(lang: str | None) -> Words:
    return ID if lang == "id" else EN


def refusal(outcome: InvalidQuestion | Failed, lang: str | None) -> str:
    """What the person at the console reads when a question got no answer (a store failure's own reason
    is in the engine's warning, which the console shows on stderr)."""
    words = pick(lang)
    if isinstance(outcome, InvalidQuestion):
        return str(getattr(words, outcome.reason)).format(limit=outcome.limit)
    return str(getattr(words, outcome.code)).format(reason=words.logged)


def for_store_error(exc: StoreError, lang: str | None = None) -> str:
    """What the console says when the library cannot be opened. Its user is the operator too: a store
    failure shows the store's own (English) reason."""
    return str(getattr(pick(lang), failure_of(exc))).format(reason=exc)
