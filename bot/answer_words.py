"""Every sentence an answer is shown with, in English and Indonesian, for every front end.

The engine returns statements and codes (`bot.answering.types`); the console and the Telegram bot show
them in the same words: the framing of quoted sentences, the abstention and the notices. What went wrong
with a question each front end words from its own table, one field per reason (`ReasonTexts`). Kept in one
place so the two languages stay in step; anything not Indonesian gets English.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering.types import Answer, Answered, Notice, NoticeCode, Range


@dataclass(frozen=True)
class ReasonTexts:
    """What every front end's text table words: one field per `InvalidQuestion.reason` and `FailureCode`."""

    empty: str
    too_long: str
    no_words: str
    unavailable: str
    not_indexed: str
    store_failed: str
    llm_failed: str


@dataclass(frozen=True)
class AnswerWords:
    framing: str
    abstention: str
    notices: dict[NoticeCode, str]
    """`{language}` in a source-language notice is the sources' language, named in `languages`."""
    languages: dict[str, str]


_NOTICES = {  # code: (English, Indonesian)
    NoticeCode.SOURCES_IN_OTHER_LANGUAGE: (
        "(The sources are in {language}.)",
        "(Sumber berbahasa {language}.)",
    ),
    NoticeCode.SOME_SOURCES_IN_OTHER_LANGUAGE: (
        "(Some sources are in {language}.)",
        "(Sebagian sumber berbahasa {language}.)",
    ),
    NoticeCode.LLM_FALLBACK: (
        "(The language model did not answer in time; these are sentences quoted from the briefs.)",
        "(Model bahasa tidak menjawab tepat waktu; ini kalimat yang dikutip dari brief.)",
    ),
    NoticeCode.LLM_UNVERIFIED: (
        "(The language model's answer did not match the briefs; these sentences are quoted instead.)",
        "(Jawaban model bahasa tidak dapat dicocokkan dengan brief; ini kalimat yang dikutip dari brief.)",
    ),
    NoticeCode.TRANSLATED_QUOTES: (
        "(The language model's own answer did not match the briefs; these are the briefs' sentences, "
        "translated by it.)",
        "(Jawaban model bahasa tidak dapat dicocokkan dengan brief; ini kalimat dari brief, "
        "diterjemahkan olehnya.)",
    ),
    NoticeCode.NO_DATED_BRIEFS: (
        "(No brief falls in that period; showing the closest matches instead.)",
        "(Tidak ada brief pada periode itu; ini hasil terdekat.)",
    ),
}
_LANGUAGES = {"id": ("Indonesian", "Indonesia"), "en": ("English", "Inggris")}  # as named in each language


def _words(column: int) -> AnswerWords:
    return AnswerWords(
        framing=("From the briefs:", "Menurut brief:")[column],
        abstention=("The briefs don't cover this.", "Brief yang ada tidak membahas hal ini.")[column],
        notices={code: texts[column] for code, texts in _NOTICES.items()},
        languages={lang: names[column] for lang, names in _LANGUAGES.items()},
    )


EN, ID = _words(0), _words(1)


def pick(lang: str | None) -> AnswerWords:
    return ID if lang == "id" else EN


def notice_text(notice: Notice, lang: str) -> str:
    words = pick(lang)
    return words.notices[notice.code].format(language=words.languages.get(notice.language or "", ""))


def notice_line(answer: Answer) -> str | None:
    """The answer's notices, in its language, as one line; None when it has none."""
    return " ".join(notice_text(n, answer.lang) for n in answer.notices) or None


def body(answer: Answer) -> tuple[str, list[Range]]:
    """What an answer says as plain text with its [n] markers (quoted sentences under the framing line, the
    model's statements as they are, or the abstention), and the ranges of that text shown in bold."""
    words = pick(answer.lang)
    if not isinstance(answer, Answered):
        return words.abstention, []
    offset = len(words.framing) + 1 if answer.quoted else 0
    ranges: list[Range] = []
    for line in answer.lines:
        ranges += [(offset + start, offset + end) for start, end in line.emphasis]
        offset += len(line.marked) + 1
    statements = "\n".join(line.marked for line in answer.lines)
    return (f"{words.framing}\n{statements}" if answer.quoted else statements), ranges


def segments(text: str, ranges: list[Range]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, emphasised) in order; overlapping or out-of-range marks are ignored."""
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted(ranges):
        if start < cursor or end > len(text) or start >= end:
            continue
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces
