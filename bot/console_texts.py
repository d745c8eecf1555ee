"""Every sentence the console front end writes on its own, in English and Indonesian, kept in one place.

Answers come from the engine; these are the console's labels, status lines and refusals. `pick(lang)` chooses
Indonesian for "id" and English for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answering.errors import AnswerError, InvalidQuestionError, reason_of
from store.errors import StoreError
from store.months import month_name


@dataclass(frozen=True)
class Words:
    lang: str
    sources: str
    closest: str
    as_of: str
    reading: str
    unavailable: str
    not_indexed: str
    store_failed: str
    apology: str
    empty: str
    too_long: str
    no_words: str

    def as_of_day(self, day: date) -> str:
        return f"{self.as_of} {day.day} {month_name(day.month, self.lang)} {day.year}."

    def reading_briefs(self, count: int) -> str:
        return self.reading.format(n=count, s="" if count == 1 else "s")


EN = Words(
    lang="en",
    sources="Sources:",
    closest="Closest briefs:",
    as_of="As of",
    reading="… reading {n} brief{s}",
    unavailable="The library is unavailable right now; please try again shortly.",
    not_indexed="The library has not been indexed yet: run `python -m ingest`, then ask again.",
    store_failed="The library could not answer: {reason}",
    apology="Something went wrong while answering; the error has been logged.",
    empty="Please ask a question in words.",
    too_long="That question is too long; please keep it under {limit} characters.",
    no_words="Please ask a question in words.",
)

ID = Words(
    lang="id",
    sources="Sumber:",
    closest="Brief terdekat:",
    as_of="Per",
    reading="… membaca {n} brief",
    unavailable="Perpustakaan sedang tidak tersedia; silakan coba lagi sebentar lagi.",
    not_indexed="Perpustakaan belum diindeks: jalankan `python -m ingest`, lalu tanya lagi.",
    store_failed="Perpustakaan tidak dapat menjawab: {reason}",
    apology="Terjadi kesalahan saat menjawab; galatnya sudah dicatat.",
    empty="Silakan tulis pertanyaan Anda.",
    too_long="Pertanyaannya terlalu panjang; mohon di bawah {limit} karakter.",
    no_words="Silakan tulis pertanyaan Anda.",
)


def pick(lang: str | None) -> Words:
    return ID if lang == "id" else EN


def for_error(exc: StoreError | AnswerError, lang: str | None) -> str:
    """What the person at the console reads when a question could not be answered.

    The console's user is the operator too: a store failure shows the store's own (English) reason."""
    template: str = getattr(pick(lang), reason_of(exc))
    limit = exc.limit if isinstance(exc, InvalidQuestionError) else 0
    return template.format(limit=limit, reason=exc)
