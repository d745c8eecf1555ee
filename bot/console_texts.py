"""Every sentence the console front end writes on its own, in English and Indonesian, kept in one place.

Answers come from the engine; these are the console's labels, status lines and refusals. `pick(lang)` chooses
Indonesian for "id" and English for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answering.errors import AnswerError, InvalidQuestionError, ReasonTexts, reason_of
from store.errors import StoreError
from store.months import month_name


@dataclass(frozen=True)
class Words(ReasonTexts):
    lang: str
    sources: str
    closest: str
    as_of: str
    reading: str
    apology: str

    def as_of_day(self, day: date) -> str:
        return f"{self.as_of} {day.day} {month_name(day.month, self.lang)} {day.year}."

    def reading_briefs(self, count: int) -> str:
        return self.reading.format(n=count, s="" if count == 1 else "s")


_TEXTS = {  # field: (English, Indonesian)
    "sources": ("Sources:", "Sumber:"),
    "closest": ("Closest briefs:", "Brief terdekat:"),
    "as_of": ("As of", "Per"),
    "reading": ("… reading {n} brief{s}", "… membaca {n} brief"),
    "unavailable": (
        "The library is unavailable right now; please try again shortly.",
        "Perpustakaan sedang tidak tersedia; silakan coba lagi sebentar lagi.",
    ),
    "not_indexed": (
        "The library has not been indexed yet: run `python -m ingest`, then ask again.",
        "Perpustakaan belum diindeks: jalankan `python -m ingest`, lalu tanya lagi.",
    ),
    "store_failed": ("The library could not answer: {reason}", "Perpustakaan tidak dapat menjawab: {reason}"),
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


def for_error(exc: StoreError | AnswerError, lang: str | None) -> str:
    """What the person at the console reads when a question could not be answered.

    The console's user is the operator too: a store failure shows the store's own (English) reason."""
    template: str = getattr(pick(lang), reason_of(exc))
    limit = exc.limit if isinstance(exc, InvalidQuestionError) else 0
    return template.format(limit=limit, reason=exc)
