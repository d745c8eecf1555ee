"""Every sentence the answer engine writes itself, in English and Indonesian.

Kept in one place so the two languages stay in step; anything not Indonesian gets English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

_LANG_NAMES = {
    "en": {"id": "Indonesian", "en": "English"},
    "id": {"id": "Indonesia", "en": "Inggris"},
}
_MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def _pick(lang: str, english: str, indonesian: str) -> str:
    return indonesian if lang == "id" else english


def framing(lang: str) -> str:
    return _pick(lang, "From the briefs:", "Menurut brief:")


def abstention(lang: str) -> str:
    return _pick(lang, "The briefs don't cover this.", "Brief yang ada tidak membahas hal ini.")


def closest_briefs(lang: str) -> str:
    return _pick(lang, "Closest briefs:", "Brief terdekat:")


def sources(lang: str) -> str:
    return _pick(lang, "Sources:", "Sumber:")


def source_language_notice(lang: str, source_langs: Iterable[str]) -> str | None:
    """Say so when the quoted sentences are in another language than the question."""
    langs = list(source_langs)
    others = sorted({s for s in langs if s in ("id", "en") and s != lang})
    if lang not in ("id", "en") or not others:
        return None
    name = _LANG_NAMES[lang][others[0]]
    if all(s == others[0] for s in langs):
        return _pick(lang, f"(The sources are in {name}.)", f"(Sumber berbahasa {name}.)")
    return _pick(lang, f"(Some sources are in {name}.)", f"(Sebagian sumber berbahasa {name}.)")


def llm_fallback_notice(lang: str) -> str:
    return _pick(
        lang,
        "(The language model did not answer in time; these are sentences quoted from the briefs.)",
        "(Model bahasa tidak menjawab tepat waktu; ini kalimat yang dikutip dari brief.)",
    )


def llm_unverified_notice(lang: str) -> str:
    return _pick(
        lang,
        "(The language model's answer did not match the briefs; these sentences are quoted instead.)",
        "(Jawaban model bahasa tidak dapat dicocokkan dengan brief; ini kalimat yang dikutip dari brief.)",
    )


def no_dated_briefs_notice(lang: str) -> str:
    return _pick(
        lang,
        "(No brief falls in that period; showing the closest matches instead.)",
        "(Tidak ada brief pada periode itu; ini hasil terdekat.)",
    )


def as_of(lang: str, day: date) -> str:
    if lang == "id":
        return f"Per {day.day} {_MONTHS_ID[day.month - 1]} {day.year}."
    return f"As of {day.day} {day.strftime('%B')} {day.year}."


def empty_question(lang: str) -> str:
    return _pick(lang, "Please ask a question in words.", "Silakan tulis pertanyaan Anda.")


def question_too_long(lang: str, limit: int) -> str:
    return _pick(
        lang,
        f"That question is too long; please keep it under {limit} characters.",
        f"Pertanyaannya terlalu panjang; mohon di bawah {limit} karakter.",
    )
