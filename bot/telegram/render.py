"""Pure functions that turn answers, brief lists and reports into Telegram HTML.

Everything that comes from users or briefs goes through `escape` (or `_link` for URLs); the only tags produced
are ones Telegram accepts (b, i, a, code, pre, blockquote). Splitting to Telegram's length limit is done by
`split.py`.
"""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING

from bot import answer_words
from bot.answer_words import segments
from bot.answering.types import Answer, Answered, Citation, Declined
from bot.telegram import texts
from store.types import BriefInfo, StoreStats

if TYPE_CHECKING:
    from bot.usage import SavedAnswer, UsageSummary

_SAFE_SCHEMES = ("http://", "https://", "tg://")


def escape(text: str) -> str:
    """Escape text for Telegram HTML: &, < and > (quotes matter only inside attributes)."""
    return html.escape(text, quote=False)


def _link(title: str, url: str | None) -> str:
    shown = escape(title.strip() or "untitled")
    if url and url.lower().startswith(_SAFE_SCHEMES):
        return f'<a href="{html.escape(url, quote=True)}">{shown}</a>'
    return shown


def _when(published: date | None) -> str:
    return published.isoformat() if published else ""


def brief_line(brief: BriefInfo) -> str:
    """One compact line for a brief: linked title, publisher, publication date."""
    facts = [escape(x) for x in (brief.source.strip(), _when(brief.published)) if x]
    return _link(brief.title, brief.url) + (" — " + ", ".join(facts) if facts else "")


def _sources_footer(citations: list[Citation], lang: str) -> str:
    # Several markers may cite the same brief; list each brief once with all of its numbers.
    numbers: dict[str, list[int]] = {}
    briefs: dict[str, BriefInfo] = {}
    for citation in citations:
        numbers.setdefault(citation.brief.id, []).append(citation.number)
        briefs[citation.brief.id] = citation.brief
    lines = [
        "".join(f"[{n}]" for n in sorted(nums)) + " " + brief_line(briefs[brief_id])
        for brief_id, nums in sorted(numbers.items(), key=lambda item: min(item[1]))
    ]
    return f"<b>{texts.pick(lang).sources}</b>\n" + "\n".join(lines)


def render_answer(answer: Answer) -> str:
    """The answer text with its [n] markers, then the sources footer (the nearest briefs when abstaining)."""
    words = texts.pick(answer.lang)
    text, emphasis = answer_words.body(answer)
    body = "".join(
        f"<b>{escape(piece)}</b>" if bold else escape(piece) for piece, bold in segments(text, emphasis)
    ).strip()
    blocks = [body]
    notice = answer_words.notice_line(answer)
    if notice:
        blocks.append(f"<i>{escape(notice)}</i>")
    if answer.citations:
        footer = _sources_footer(answer.citations, answer.lang)
        if isinstance(answer, Answered) and answer.as_of:
            footer += f"\n<i>{words.as_of} {escape(answer.as_of)}</i>"
        blocks.append(footer)
    elif isinstance(answer, Declined) and answer.nearest:
        nearest = "\n".join(f"• {brief_line(b)}" for b in answer.nearest[:5])
        blocks.append(f"<b>{words.closest}</b>\n{nearest}")
    return "\n\n".join(b for b in blocks if b)


def render_passages(answer: Answer | SavedAnswer) -> str:
    """The exact sentences behind each marker, quoted, with the brief they come from."""
    words = texts.pick(answer.lang)
    blocks = [f"<b>{words.passages_title}</b>"]
    for citation in answer.citations:
        quote = citation.quote.strip() or citation.passage.text.strip()
        blocks.append(
            f"<b>[{citation.number}]</b> {brief_line(citation.brief)}\n"
            f"<blockquote>{escape(quote)}</blockquote>"
        )
    return "\n\n".join(blocks)


def render_sources_page(briefs: list[BriefInfo], page: int, per_page: int) -> tuple[str, int]:
    """One page of the brief list (newest first, as given) and the number of pages."""
    pages = max(1, -(-len(briefs) // per_page))
    page = min(max(page, 0), pages - 1)
    shown = briefs[page * per_page : (page + 1) * per_page]
    if not shown:
        return escape(texts.EMPTY_LIBRARY), 1
    first = page * per_page + 1
    lines = [f"{first + i}. {brief_line(b)}" for i, b in enumerate(shown)]
    header = f"<b>{texts.SOURCES_HEADER}</b> ({len(briefs)}) — {page + 1}/{pages}"
    return header + "\n\n" + "\n".join(lines), pages


def render_stats(
    stats: StoreStats,
    usage: UsageSummary,
    words: texts.AdminTexts = texts.ADMIN_EN,
) -> str:
    median = f"{usage.median_seconds:.2f} s" if usage.median_seconds is not None else "—"
    langs = ", ".join(f"{escape(k)} {v}" for k, v in sorted(stats.by_lang.items())) or "—"
    return (
        f"<b>{words.library}</b>\n"
        f"{words.briefs}: {stats.briefs} ({langs})\n{words.chunks}: {stats.chunks}\n"
        f"{words.last_indexed}: {escape(stats.last_indexed or words.never)}\n"
        f"{words.model}: <code>{escape(stats.embedding_model)}</code>\n\n"
        f"<b>{words.questions}</b>\n"
        f"{words.answered}: {usage.questions}\n{words.abstentions}: {usage.abstentions}\n"
        f"{words.median}: {median}\n"
        f"{words.feedback}: 👍 {usage.up_votes} · 👎 {usage.down_votes}"
    )


def render_progress(
    full: bool, done: int, total: int, stage: str, words: texts.AdminTexts = texts.ADMIN_EN
) -> str:
    kind = words.full if full else words.incremental
    share = f" ({100 * done // total}%)" if total else ""
    return f"⏳ <b>{kind}</b>: {escape(stage or words.starting)} {done}/{total}{share}"


def render_reindex_failed(reason: str, words: texts.AdminTexts = texts.ADMIN_EN) -> str:
    """The job could not run; `reason` is its own (English) last line, for the admin to act on."""
    return f"❌ {words.failed_run}: {escape(reason)}"


_FAILURES_SHOWN = 10


def render_reindex_summary(
    *,
    full: bool,
    added: int,
    updated: int,
    removed: int,
    failed: list[tuple[str, str]],
    seconds: float,
    words: texts.AdminTexts = texts.ADMIN_EN,
) -> str:
    kind = words.full if full else words.incremental
    text = (
        f"✅ <b>{kind} {words.done}</b> ({seconds:.0f} s)\n"
        f"{words.added}: {added}\n{words.updated}: {updated}\n{words.removed}: {removed}\n"
        f"{words.failed}: {len(failed)}"
    )
    for what, why in failed[:_FAILURES_SHOWN]:
        text += f"\n• <code>{escape(what)}</code>: {escape(why)}"
    if len(failed) > _FAILURES_SHOWN:
        text += "\n" + words.more_failures.format(count=len(failed) - _FAILURES_SHOWN)
    return text
