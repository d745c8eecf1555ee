"""Every sentence the answer engine writes into an answer, in English and Indonesian: its framing, the
abstention and the notices. What front ends say around answers is theirs (`bot/console_texts.py`,
`bot/telegram/texts.py`).

Kept in one place so the two languages stay in step; anything not Indonesian gets English.
"""

from __future__ import annotations

from collections.abc import Iterable

_LANG_NAMES = {
    "en": {"id": "Indonesian", "en": "English"},
    "id": {"id": "Indonesia", "en": "Inggris"},
}


def _pick(lang: str, english: str, indonesian: str) -> str:
    return indonesian if lang == "id" else english


def framing(lang: str) -> str:
    return _pick(lang, "From the briefs:", "Menurut brief:")


def abstention(lang: str) -> str:
    return _pick(lang, "The briefs don't cover this.", "Brief yang ada tidak membahas hal ini.")


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
