"""Rendering answers to Telegram HTML, and splitting long HTML into valid messages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.answering.types import Answered, Failed, FailureCode, InvalidQuestion
from bot.telegram import render
from bot.telegram.split import split_html, utf16_len
from tests.bot.telegram.fakes import brief_info, citation
from tests.bot.telegram.html_check import telegram_html_problems, visible_text
from tests.support.answers import answered, declined


def _answer(text: str, *cites: int, lang: str = "en", bold: str | None = None) -> Answered:
    return answered(text, [citation(n, f"Quote <{n}> & more.") for n in cites], lang, bold=bold)


def test_answer_keeps_markers_and_lists_sources_with_link_publisher_and_date() -> None:
    html = render.render_answer(_answer("Meta bought 49% of Scale <AI> [1]. OpenAI left [2].", 1, 2))
    assert telegram_html_problems(html) == []
    shown = visible_text(html)
    assert "Scale <AI> [1]" in shown and "OpenAI left [2]" in shown
    assert '<a href="https://example.com/1?a=1&amp;b=2">Brief &lt;1&gt; &amp; friends</a>' in html
    assert "[1] Brief <1> & friends — Reuters, 2025-06-02" in shown
    assert shown.index("Sources") > shown.index("OpenAI left")


def test_sources_footer_lists_a_brief_once_with_all_its_numbers() -> None:
    answer = _answer("A [1]. B [2].", 1)
    answer.citations.append(citation(1, "Other quote."))
    answer.citations[1] = type(answer.citations[1])(2, answer.citations[1].passage, "Other quote.", 0)
    shown = visible_text(render.render_answer(answer))
    assert "[1][2] Brief <1> & friends" in shown
    assert shown.count("Brief <1>") == 1


def test_footer_and_buttons_follow_the_question_language() -> None:
    shown = visible_text(render.render_answer(_answer("Meta membeli saham [1].", 1, lang="id")))
    assert "Sumber" in shown and "Sources" not in shown


def test_abstention_shows_nearest_briefs_instead_of_sources() -> None:
    answer = declined([brief_info(4)])
    html = render.render_answer(answer)
    assert telegram_html_problems(html) == []
    assert "Closest briefs" in visible_text(html) and "Sources" not in visible_text(html)


def test_unsafe_urls_are_not_linked() -> None:
    brief = brief_info(1)
    unsafe = type(brief)(**{**brief.__dict__, "url": "javascript:alert(1)"})
    assert "<a" not in render.brief_line(unsafe)


def test_passages_quote_every_citation_escaped() -> None:
    html = render.render_passages(_answer("x [1] y [2]", 1, 2))
    assert telegram_html_problems(html) == []
    assert html.count("<blockquote>") == 2
    assert "Quote <2> & more." in visible_text(html)


def test_sources_page_is_newest_first_as_given_and_counts_pages() -> None:
    briefs = [brief_info(i, published=date(2025, 1, i)) for i in range(1, 20)]
    html, pages = render.render_sources_page(briefs, 2, 8)
    assert pages == 3
    assert "17. " in visible_text(html) and "3/3" in visible_text(html)
    assert telegram_html_problems(html) == []


def test_short_html_is_one_part_and_blank_html_none() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]
    assert split_html("  ") == []


def test_long_answer_splits_on_boundaries_into_valid_parts_losing_nothing() -> None:
    sentences = " ".join(f"Kalimat {i} tentang <Scale> & 😀 AI [1]." for i in range(400))
    html = render.render_answer(_answer(sentences, 1))
    parts = split_html(html)
    assert len(parts) > 1
    for part in parts:
        assert telegram_html_problems(part) == []
        assert utf16_len(part) <= 4096
    joined = " ".join(visible_text(p) for p in parts)
    assert re.sub(r"\s+", " ", joined) == re.sub(r"\s+", " ", visible_text(html))
    # every part but the last ends at the end of a sentence or paragraph
    assert all(visible_text(p).rstrip().endswith((".", "]")) for p in parts[:-1])


@pytest.mark.parametrize("limit", [50, 200, 1000])
def test_cut_inside_a_tag_closes_and_reopens_it(limit: int) -> None:
    html = (
        "<b>"
        + "bold words here. " * 100
        + '</b>\n<a href="https://x.y/?a=1&amp;b=2">'
        + "link " * 80
        + "</a>"
    )
    parts = split_html(html, limit)
    for part in parts:
        assert telegram_html_problems(part) == [] and utf16_len(part) <= limit
    assert all(p.startswith("<b>") for p in parts if "bold" in p)
    assert all('<a href="https://x.y/?a=1&amp;b=2">' in p for p in parts if "link" in p)


def test_a_word_longer_than_a_message_is_cut_without_splitting_an_emoji() -> None:
    html = "<i>" + "😀" * 3000 + "</i>"
    parts = split_html(html)
    assert len(parts) == 2
    assert all(telegram_html_problems(p) == [] for p in parts)
    assert "".join(visible_text(p) for p in parts) == "😀" * 3000


def test_the_answer_phrase_is_bold_and_still_escaped() -> None:
    answer = _answer(
        "From the briefs:\nThe wind-down began 6 <to> 12 months ago. [1]", 1, bold="6 <to> 12 months"
    )
    html = render.render_answer(answer)
    assert "<b>6 &lt;to&gt; 12 months</b>" in html
    assert telegram_html_problems(html) == []
    assert "6 <to> 12 months ago" in visible_text(html)


def test_reindex_summary_says_how_many_failures_it_does_not_list() -> None:
    failed = [(f"briefs/bad-{n}.txt", "binary file, not text") for n in range(15)]
    html = render.render_reindex_summary(full=True, added=1, updated=0, removed=0, failed=failed, seconds=3)
    assert "Failed: 15" in html
    assert html.count("<code>briefs/bad-") == 10
    assert html.endswith("… and 5 more (all of them in the ingest log)")


def test_admin_summaries_follow_the_admins_app_language() -> None:
    from bot.telegram import texts

    summary = render.render_reindex_summary(
        full=False, added=2, updated=0, removed=0, failed=[], seconds=1, words=texts.admin("id-ID")
    )
    assert "Reindeks bertahap selesai" in summary and "Ditambahkan: 2" in summary
    assert texts.admin(None) is texts.ADMIN_EN and texts.admin("en") is texts.ADMIN_EN


def test_store_errors_reach_the_chat_in_both_languages_never_raw() -> None:
    from bot.answering.errors import failure_of
    from bot.telegram import texts
    from store.errors import EmbeddingMismatch, IndexMissing

    raw = "collection briefs_v3 was built with intfloat/e5-base (768)"
    shown = texts.refusal(Failed(failure_of(EmbeddingMismatch(raw))))
    assert raw not in shown and shown == texts.both("store_failed")
    assert texts.refusal(Failed(failure_of(IndexMissing("x")))) == texts.both("not_indexed")
    assert texts.refusal(Failed(FailureCode.LLM_FAILED)) == texts.both("llm_failed")
    too_long = texts.refusal(InvalidQuestion("too_long", 5000, 1000))
    assert "5000" in too_long and "1000" in too_long and "terlalu panjang" in too_long
